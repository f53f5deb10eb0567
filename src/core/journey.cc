// Engine: the journey options that change who may take a contact and how —
// preferred / last agent (with the customer history behind "last agent") and
// callbacks (virtual hold). The decisions themselves live in matching.cc
// (`TryMatchPreferred`, and the skip in `TryMatchAgent`); the hooks into the
// contact lifecycle in contacts.cc. Rules: docs/journey.md.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "ccengine/core/engine.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace ccengine {

using internal::AgentRec;
using internal::ContactRec;
using internal::kNoSlot;
using internal::QueueRec;
using internal::TimerKind;

// --- Preferred / last agent ------------------------------------------------------

// The preference calls sit off the common path (a contact without a
// preference never makes them): out of line and cold.
[[gnu::cold, gnu::noinline]] absl::Status Engine::ValidatePreference(
    const ContactSpec& spec) const {
  const uint64_t id = spec.id.value();
  if (spec.preferred_agents.size() > kMaxPreferredAgents) {
    return absl::InvalidArgumentError(
        fmt::format("contact {}: at most {} preferred agents, got {}", id,
                    kMaxPreferredAgents, spec.preferred_agents.size()));
  }
  for (size_t i = 0; i < spec.preferred_agents.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (spec.preferred_agents[j] == spec.preferred_agents[i]) {
        return absl::InvalidArgumentError(
            fmt::format("contact {}: preferred agent {} listed twice", id,
                        spec.preferred_agents[i].value()));
      }
    }
  }
  const absl::Duration wait = spec.preferred_wait;
  if (wait < absl::ZeroDuration() || wait == absl::InfiniteDuration() ||
      wait > kMaxDuration) {
    return absl::InvalidArgumentError(
        fmt::format("contact {}: preferred_wait must be >= 0 and finite (at most 100 "
                    "years), got {}",
                    id, absl::FormatDuration(wait)));
  }
  return absl::OkStatus();
}

[[gnu::cold, gnu::noinline]] void Engine::SetUpPreference(uint32_t contact,
                                                          const ContactSpec& spec) {
  ContactRec& c = contacts_[contact];
  c.preferred.assign(spec.preferred_agents.begin(), spec.preferred_agents.end());
  if (spec.prefer_last_agent) {
    std::optional<AgentId> last = LastAgent(c.customer_id);
    if (last.has_value() && !Prefers(c, *last)) c.preferred.push_back(*last);
  }
  // In force from now; EnterQueue ends it at once if no preferred agent can
  // take the contact (an empty list included).
  c.preferring = true;
  c.pref_until = now_ + ToMicros(spec.preferred_wait);
  c.pref_grace = c.pref_until == now_;
  preferring_.insert(contact);
  if (!c.pref_grace) {
    c.pref_token = timers_.NewToken();
    Schedule(c.pref_until, TimerKind::kPreferredWait, contact, c.pref_token);
  }
}

bool Engine::Prefers(const ContactRec& c, AgentId agent) const {
  return std::find(c.preferred.begin(), c.preferred.end(), agent) != c.preferred.end();
}

bool Engine::PreferenceViable(const ContactRec& c) const {
  const int ch = static_cast<int>(c.channel);
  for (AgentId id : c.preferred) {
    uint32_t slot = AgentSlot(id);
    if (slot == kNoSlot) continue;
    const AgentRec& a = agents_[slot];
    if (!a.logged_in || a.capacity.max_per_channel[ch] == 0) continue;
    if (std::find(c.excluded.begin(), c.excluded.end(), id) != c.excluded.end()) {
      continue;
    }
    if (MinStep(a, groups_[c.group]) >= 0) return true;
  }
  return false;
}

[[gnu::noinline]] void Engine::EndPreference(uint32_t contact, EventReason reason) {
  ContactRec& c = contacts_[contact];
  c.preferring = false;
  c.pref_grace = false;
  c.preferred.clear();
  preferring_.erase(contact);
  if (Wants(EventType::kPreferenceEnded)) {
    Event e = MakeChannelEvent(EventType::kPreferenceEnded, c);
    e.reason = reason;
    Emit(e);
  }
}

[[gnu::noinline]] bool Engine::ReviewPreference(uint32_t contact, bool grace) {
  const ContactRec& c = contacts_[contact];
  if (!PreferenceViable(c)) {
    EndPreference(contact, EventReason::kNoPreferredAgent);
    return true;
  }
  if (!grace && now_ >= c.pref_until) {
    EndPreference(contact, EventReason::kPreferredWait);
    return true;
  }
  return false;
}

void Engine::RecheckPreferences() {
  if (preferring_.empty()) return;
  std::vector<std::pair<double, uint32_t>> ended;
  for (uint32_t slot : preferring_) {
    const ContactRec& c = contacts_[slot];
    if (c.state == ContactState::kWaiting && !PreferenceViable(c)) {
      ended.emplace_back(-AgedScore(c, queues_[c.queue]), slot);
    }
  }
  // Best first, as if each had just arrived.
  std::sort(ended.begin(), ended.end(), [this](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return contacts_[a.second].seq < contacts_[b.second].seq;
  });
  for (const auto& [score, slot] : ended) {
    EndPreference(slot, EventReason::kNoPreferredAgent);
  }
  for (const auto& [score, slot] : ended) {
    if (contacts_[slot].in_group) TryMatchContact(slot);
  }
}

void Engine::OnPreferredWait(uint32_t contact) {
  EndPreference(contact, EventReason::kPreferredWait);
  TryMatchContact(contact);
}

// --- Customer history -------------------------------------------------------------

void Engine::RecordHistory(const ContactRec& c, AgentId agent) {
  if (c.customer_id.empty() || !history_.enabled()) return;
  CustomerContact entry;
  entry.contact = c.id;
  entry.agent = agent;
  entry.channel = c.channel;
  entry.queue = QueueId(c.queue);
  entry.ended_at = Now();
  history_.Record(c.customer_id, entry, now_);
}

absl::StatusOr<std::vector<CustomerContact>> Engine::CustomerHistory(
    std::string_view customer_id) const {
  if (customer_id.empty()) {
    return absl::InvalidArgumentError("customer id is empty");
  }
  return history_.Get(customer_id);
}

std::optional<AgentId> Engine::LastAgent(std::string_view customer_id) const {
  if (customer_id.empty()) return std::nullopt;
  return history_.Last(customer_id);
}

// --- Callback (virtual hold) ------------------------------------------------------

absl::Status Engine::RequestCallback(ContactId contact) {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t cslot, LiveContactSlot(contact));
  ContactRec& c = contacts_[cslot];
  if (c.callback) {
    return absl::FailedPreconditionError(
        fmt::format("contact {} already asked for a callback", contact.value()));
  }
  if (c.channel == Channel::kCallback) {
    return absl::FailedPreconditionError(
        fmt::format("contact {} is already a callback", contact.value()));
  }
  if (c.state != ContactState::kWaiting) {
    return absl::FailedPreconditionError(
        fmt::format("contact {} is {}, not waiting; only a waiting caller can ask for a "
                    "callback",
                    contact.value(), ContactStateName(c.state)));
  }
  if (c.channel != Channel::kVoice && c.channel != Channel::kVideo) {
    return absl::FailedPreconditionError(
        fmt::format("contact {} is on {}; only voice and video callers can ask for a "
                    "callback",
                    contact.value(), ChannelName(c.channel)));
  }
  // Same queue, step and (arrived, seq) key: the same place, on another
  // channel's waiting group.
  RemoveWaiting(cslot);
  c.channel = Channel::kCallback;
  c.callback = true;
  c.callback_at = now_;
  c.group = GroupFor(c.queue, c.channel, c.skills);
  InsertWaiting(cslot);
  QueueRec& q = queues_[c.queue];
  q.stats.callbacks_requested++;
  if (Wants(EventType::kCallbackRequested)) {
    Event e = MakeChannelEvent(EventType::kCallbackRequested, c);
    e.priority = c.priority;
    e.wait = DurationFromMicros(now_ - c.arrived);
    Emit(e);
  }
  if (c.preferring) ReviewPreference(cslot, /*grace=*/false);
  // Agents with callback capacity but none for the call may take it now.
  TryMatchContact(cslot);
  return absl::OkStatus();
}

}  // namespace ccengine
