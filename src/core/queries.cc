// Engine: the read-only queries (snapshots, queue position and estimated
// wait, queue statistics, agent and contact snapshots).

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "ccengine/core/engine.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace ccengine {

using internal::AgentRec;
using internal::ContactRec;
using internal::kNoSlot;
using internal::QueueRec;

absl::StatusOr<AgentSnapshot> Engine::GetAgent(AgentId agent) const {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LiveAgentSlot(agent));
  const AgentRec& a = agents_[slot];
  AgentSnapshot s;
  s.id = a.id;
  s.name = a.name;
  s.state = DerivedState(a);
  s.reason = (a.logged_in && !a.ready) ? a.reason : kReasonNone;
  s.skills = a.skills;
  s.active_per_channel = a.active;
  s.load = a.load;
  for (uint32_t c : a.contacts) s.contacts.push_back(contacts_[c].id);
  s.handled = a.handled;
  s.consecutive_no_answers = a.consecutive_no_answers;
  s.idle_since = TimeFromMicros(a.idle_since);
  s.auto_accept = a.auto_accept;
  s.time_in_state = StateTimesOf(a);
  return s;
}

absl::StatusOr<AgentStateTimes> Engine::GetAgentStateTimes(AgentId agent) const {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LiveAgentSlot(agent));
  return StateTimesOf(agents_[slot]);
}

AgentStateTimes Engine::StateTimesOf(const AgentRec& a) const {
  AgentStateTimes out;
  for (int i = 0; i < kAgentStateCount; ++i) {
    Micros t = a.state_time[i];
    if (i == static_cast<int>(a.reported)) t += now_ - a.reported_since;
    out[i] = DurationFromMicros(t);
  }
  return out;
}

std::vector<ContactId> Engine::LiveContacts() const {
  std::vector<ContactId> ids;
  // A slot is live while the id index names it (a finished contact's id is
  // erased from the index before its slot is freed).
  for (uint32_t slot = 0; slot < contacts_.size(); ++slot) {
    if (ContactSlot(contacts_[slot].id) == slot) ids.push_back(contacts_[slot].id);
  }
  std::sort(ids.begin(), ids.end(),
            [](ContactId a, ContactId b) { return a.value() < b.value(); });
  return ids;
}

absl::StatusOr<ContactSnapshot> Engine::GetContact(ContactId contact) const {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LiveContactSlot(contact));
  const ContactRec& c = contacts_[slot];
  ContactSnapshot s;
  s.id = c.id;
  s.queue = QueueId(c.queue);
  s.channel = c.channel;
  s.priority = c.priority;
  s.state = c.state;
  s.customer_id = c.customer_id;
  s.skills = c.skills;
  s.attributes = c.attributes;
  s.arrived_at = TimeFromMicros(c.arrived);
  s.queued_at = TimeFromMicros(c.queued_at);
  s.routing_step = c.step;
  if (c.agent != kNoSlot) {
    s.agent = agents_[c.agent].id;
    s.offer = c.offer_id;
  }
  s.excluded.assign(c.excluded.begin(), c.excluded.end());
  if (c.preferring) {
    s.preferred_agents.assign(c.preferred.begin(), c.preferred.end());
    s.preferred_until = TimeFromMicros(c.pref_until);
  }
  if (c.callback) s.callback_requested_at = TimeFromMicros(c.callback_at);
  s.fallbacks_left = c.fallbacks.size() - c.fallback_next;
  if (c.fallback_token != 0) s.next_fallback_at = TimeFromMicros(c.fallback_at);
  s.original_channel = c.original_channel;
  return s;
}

absl::StatusOr<ContactPlace> Engine::LocateContact(ContactId contact) const {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LiveContactSlot(contact));
  const ContactRec& c = contacts_[slot];
  ContactPlace place;
  place.queue = QueueId(c.queue);
  place.state = c.state;
  if (c.agent != kNoSlot) place.agent = agents_[c.agent].id;
  return place;
}

absl::StatusOr<int> Engine::QueuePosition(ContactId contact) const {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LiveContactSlot(contact));
  const ContactRec& c = contacts_[slot];
  if (c.state != ContactState::kWaiting) {
    return absl::FailedPreconditionError(fmt::format(
        "contact {} is {}, not waiting", contact.value(), ContactStateName(c.state)));
  }
  const QueueRec& q = queues_[c.queue];
  double mine = AgedScore(c, q);
  int ahead = 0;
  for (uint32_t g : q.groups) {
    for (const auto& set : groups_[g].sets) {
      // Sets are ordered oldest first: everything before the first contact
      // that scores below `mine` is ahead.
      for (const internal::WaitKey& k : set) {
        if (k.slot == slot) continue;
        const ContactRec& other = contacts_[k.slot];
        double s = AgedScore(other, q);
        if (s > mine || (s == mine && other.seq < c.seq)) {
          ++ahead;
        } else {
          break;
        }
      }
    }
  }
  return ahead + 1;
}

absl::StatusOr<absl::Duration> Engine::SimpleEstimatedWait(ContactId contact) const {
  CCENGINE_ASSIGN_OR_RETURN(int position, QueuePosition(contact));
  const ContactRec& c = contacts_[ContactSlot(contact)];
  const QueueRec& q = queues_[c.queue];
  int serving = 0;
  for (uint32_t slot = 0; slot < agents_.size(); ++slot) {
    const AgentRec& a = agents_[slot];
    if (!a.live || !a.logged_in) continue;
    for (const auto& [g, step] : a.served) {
      if (g == c.group && step <= c.step) {
        ++serving;
        break;
      }
    }
  }
  absl::Duration aht = q.stats.completed > 0 ? DurationFromMicros(q.total_handle_us) /
                                                   static_cast<int64_t>(q.stats.completed)
                                             : q.config.expected_handle_time;
  if (serving == 0) return absl::InfiniteDuration();
  return aht * position / serving;
}

absl::StatusOr<QueueStats> Engine::GetQueueStats(QueueId queue) const {
  if (queue.value() >= queues_.size()) {
    return absl::NotFoundError(fmt::format("unknown queue id {}", queue.value()));
  }
  const QueueRec& q = queues_[queue.value()];
  QueueStats s = q.stats;
  s.total_answer_wait = DurationFromMicros(q.total_answer_wait_us);
  s.total_handle = DurationFromMicros(q.total_handle_us);
  s.waiting = q.waiting;
  s.open = q.open;
  Micros oldest = kNever;
  for (uint32_t g : q.groups) {
    for (const auto& set : groups_[g].sets) {
      if (!set.empty()) oldest = std::min(oldest, set.begin()->arrived);
    }
  }
  s.longest_wait =
      oldest == kNever ? absl::ZeroDuration() : DurationFromMicros(now_ - oldest);
  return s;
}

}  // namespace ccengine
