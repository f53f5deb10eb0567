// -----------------------------------------------------------------------------
// File: tests/testing/random_world.cc
// -----------------------------------------------------------------------------
//
// `RandomWorld` (see random_world.h): the cross-checks of the model against
// the engine after each step and after the drain, the failure report, and
// the model's helpers: an agent's derived state and free capacity, skills,
// aged scores, and the contacts' state sets.

#include "testing/random_world.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "fmt/format.h"
#include "testing/random_model.h"

namespace ccengine::test {

void RandomWorld::CrossCheck() {
  const absl::Time now = engine_->Now();
  // Contacts.
  size_t waiting = 0, offered = 0, in_service = 0;
  std::vector<size_t> waiting_in(queues_.size(), 0);
  for (const auto& [id, c] : contacts_) {
    switch (c.state) {
      case MState::kWaiting:
        ++waiting;
        ++waiting_in[c.queue];
        break;
      case MState::kOffered: ++offered; break;
      case MState::kInService: ++in_service; break;
      case MState::kTransit:
        Fail(
            fmt::format("contact {} left in transit (transferred or "
                        "overflowed without kContactQueued)",
                        id));
        break;
    }
    absl::StatusOr<ContactSnapshot> s = engine_->GetContact(ContactId(id));
    if (!s.ok()) {
      Fail(fmt::format("live contact {} ({}): {}", id, MStateName(c.state),
                       s.status().ToString()));
      continue;
    }
    ContactState want = c.state == MState::kWaiting   ? ContactState::kWaiting
                        : c.state == MState::kOffered ? ContactState::kOffered
                                                      : ContactState::kInService;
    bool agent_ok = c.agent.has_value() == s->agent.has_value() &&
                    (!c.agent || *c.agent == *s->agent);
    bool excluded_ok = c.excluded == s->excluded;
    if (c.state == MState::kWaiting && now - c.queued_at >= queues_[c.queue].max_wait) {
      Fail(
          fmt::format("contact {} still waits in queue {} after {} (max "
                      "wait {})",
                      id, c.queue, absl::FormatDuration(now - c.queued_at),
                      absl::FormatDuration(queues_[c.queue].max_wait)));
    }
    bool step_ok = c.state != MState::kWaiting ||
                   s->routing_step == ModelStep(queues_[c.queue], c.queued_at, now);
    if (s->state != want || !agent_ok || s->queue.value() != c.queue ||
        s->priority != c.priority || s->channel != c.channel ||
        s->arrived_at != c.arrived || s->queued_at != c.queued_at ||
        s->skills != c.skills || !excluded_ok || !step_ok) {
      Fail(
          fmt::format("contact {} differs from the model: engine [{}] model [{} queue={} "
                      "priority={} agent={} arrived={} queued={} step={} excluded={}]",
                      id, ContactText(s), MStateName(c.state), c.queue, c.priority,
                      c.agent ? static_cast<int64_t>(c.agent->value()) : -1,
                      absl::FormatTime(c.arrived), absl::FormatTime(c.queued_at),
                      ModelStep(queues_[c.queue], c.queued_at, now), c.excluded.size()));
    }
  }
  for (uint64_t id : terminated_this_step_) {
    if (contacts_.contains(id)) continue;  // re-entered under the same id
    absl::StatusOr<ContactSnapshot> s = engine_->GetContact(ContactId(id));
    if (s.status().code() != Code::kNotFound) {
      Fail(fmt::format("terminated contact {} still visible: {}", id, ContactText(s)));
    }
  }
  if (waiting != waiting_.size() || offered != offered_.size() ||
      in_service != in_service_.size()) {
    Fail("the model's state sets disagree with its contacts");
  }
  // Accounting.
  Accounting want;
  want.entered = entered_;
  want.waiting = waiting;
  want.offered = offered;
  want.in_service = in_service;
  want.completed = completed_;
  want.abandoned = abandoned_;
  want.overflowed = overflowed_;
  want.withdrawn = withdrawn_;
  Accounting got = engine_->GetAccounting();
  if (!got.Balanced()) Fail("Accounting does not balance");
  std::string diff = DiffAccounting(want, got);
  if (!diff.empty()) Fail("events (model) vs engine " + diff);
  // Queues.
  for (uint32_t q = 0; q < queues_.size(); ++q) {
    absl::StatusOr<QueueStats> s = engine_->GetQueueStats(QueueId(q));
    if (!s.ok()) {
      Fail(s.status().ToString());
      continue;
    }
    QueueStats want_stats;
    const MStats& m = stats_[q];
    want_stats.queue = QueueId(q);
    want_stats.waiting = waiting_in[q];
    want_stats.longest_wait = absl::ZeroDuration();
    for (uint64_t w : waiting_.ids()) {
      const MContact& c = contacts_.at(w);
      if (c.queue == q) {
        want_stats.longest_wait = std::max(want_stats.longest_wait, now - c.arrived);
      }
    }
    want_stats.entered = m.entered;
    want_stats.answered = m.answered;
    want_stats.answered_within_sl = m.answered_within_sl;
    want_stats.abandoned = m.abandoned;
    want_stats.overflowed = m.overflowed;
    want_stats.transferred_out = m.transferred_out;
    want_stats.completed = m.completed;
    want_stats.total_answer_wait = m.total_answer_wait;
    want_stats.total_handle = m.total_handle;
    if (!Same(want_stats, *s)) {
      Fail(fmt::format("queue stats: engine [{}] model [{}]", StatsText(*s),
                       StatsText(want_stats)));
    }
  }
  if (step_ % 25 == 0) CheckQueuePositions(now);
  // Agents.
  for (const auto& [id, a] : agents_) {
    absl::StatusOr<AgentSnapshot> s = engine_->GetAgent(AgentId(id));
    if (!s.ok()) {
      Fail(fmt::format("agent {}: {}", id, s.status().ToString()));
      continue;
    }
    AgentState want_state = DerivedState(a, now);
    int32_t want_reason = (a.logged_in && !a.ready) ? a.reason : kReasonNone;
    std::vector<uint64_t> want_contacts = a.in_service;
    if (a.offer) want_contacts.push_back(*a.offer);
    std::sort(want_contacts.begin(), want_contacts.end());
    std::vector<uint64_t> got_contacts;
    for (ContactId c : s->contacts) got_contacts.push_back(c.value());
    std::sort(got_contacts.begin(), got_contacts.end());
    std::array<uint8_t, kChannelCount> active{};
    uint32_t load = 0;
    for (uint64_t c : want_contacts) {
      auto it = contacts_.find(c);
      if (it == contacts_.end()) continue;
      int ch = static_cast<int>(it->second.channel);
      active[ch]++;
      load += a.config.capacity.load_per_contact[ch];
    }
    AgentStateTimes want_times = a.time_in_state;
    want_times[static_cast<int>(a.reported)] += now - a.reported_since;
    if (s->time_in_state != want_times) {
      std::string got, want;
      for (int i = 0; i < kAgentStateCount; ++i) {
        got += fmt::format(" {}", absl::FormatDuration(s->time_in_state[i]));
        want += fmt::format(" {}", absl::FormatDuration(want_times[i]));
      }
      Fail(fmt::format("agent {} time in state: engine [{}] model [{}]", id, got, want));
    }
    if (s->state != want_state || s->state != a.reported || s->reason != want_reason ||
        got_contacts != want_contacts || s->consecutive_no_answers != a.no_answers ||
        s->handled != a.handled || s->active_per_channel != active || s->load != load ||
        s->skills != a.config.skills) {
      Fail(fmt::format(
          "agent {} differs: engine [{}] model [state={} last_event_state={} "
          "reason={} contacts={} no_answers={} handled={} logged_in={} "
          "ready={} wrap_until={}]",
          id, AgentText(s), AgentStateName(want_state), AgentStateName(a.reported),
          want_reason, want_contacts.size(), a.no_answers, a.handled, a.logged_in,
          a.ready, a.wrap_until ? absl::FormatTime(*a.wrap_until) : "-"));
    }
  }
  for (uint64_t id = kFirstAgent; id < kFirstAgent + kAgents; ++id) {
    if (agents_.contains(id)) continue;
    if (engine_->GetAgent(AgentId(id)).status().code() != Code::kNotFound) {
      Fail(fmt::format("removed agent {} still visible", id));
    }
  }
  // Work conservation, from the model alone.
  std::vector<std::pair<const MAgent*, std::array<bool, kChannelCount>>> free;
  for (const auto& [aid, a] : agents_) {
    std::array<bool, kChannelCount> can{};
    bool any = false;
    for (int ch = 0; ch < kChannelCount; ++ch) {
      can[ch] = ModelCanTake(a, static_cast<Channel>(ch), now);
      any |= can[ch];
    }
    if (any) free.emplace_back(&a, can);
  }
  for (uint64_t cid : waiting_.ids()) {
    const MContact& c = contacts_.at(cid);
    int step = ModelStep(queues_[c.queue], c.queued_at, now);
    for (const auto& [a, can] : free) {
      if (can[static_cast<int>(c.channel)] && Qualifies(*a, c, step) &&
          !IsExcluded(c, a->config.id)) {
        Fail(
            fmt::format("contact {} waits (step {}) while agent {} could "
                        "take it",
                        cid, step, a->config.id.value()));
      }
    }
  }
}

void RandomWorld::CheckDrained() {
  Accounting a = engine_->GetAccounting();
  if (a.waiting != 0 || a.offered != 0 || a.in_service != 0 || !contacts_.empty()) {
    Fail(fmt::format("after the drain: {} live in the model; {}", contacts_.size(),
                     DiffAccounting(Accounting{}, a)));
  }
  if (a.entered != a.completed + a.abandoned + a.overflowed + a.withdrawn) {
    Fail("after the drain, not every contact that entered is terminal");
  }
  if (entered_ == 0 || completed_ == 0 || abandoned_ == 0) {
    Fail(
        fmt::format("the run exercised too little: entered={} completed={} "
                    "abandoned={}",
                    entered_, completed_, abandoned_));
  }
}

std::string RandomWorld::Report(int step) const {
  std::string s = fmt::format(
      "\n  seed={} step={} (replay: CCENGINE_RANDOM_SEED={} "
      "CCENGINE_RANDOM_STEPS={} ./randomized_test --gtest_filter='*EnvSeed*')"
      "\n  engine time {}",
      seed_, step, seed_, step + 1, absl::FormatTime(engine_->Now()));
  for (const std::string& f : failures_) s += "\n  FAILURE: " + f;
  s += "\n  recent actions and events, oldest first:";
  for (const LogEntry& entry : recent_) {
    if (const auto* text = std::get_if<std::string>(&entry.what)) {
      s += "\n    > " + *text;
    } else if (const auto* c = std::get_if<Command>(&entry.what)) {
      s += "\n    > " + Describe(*c) + (entry.intake ? " [intake]" : "");
    } else {
      s += "\n    " + DescribeEvent(std::get<Event>(entry.what));
    }
  }
  return s;
}

std::string RandomWorld::Stats() const {
  return fmt::format(
      "seed {}: entered={} completed={} abandoned={} overflowed={} "
      "withdrawn={} offers={} accepted={} rejected={} timed_out={} "
      "rescinded={} transfers={} agent_side_offers_checked={} calls_ok={} "
      "calls_refused={} via_intake={}",
      seed_, entered_, completed_, abandoned_, overflowed_, withdrawn_, count_offered_,
      count_accepted_, count_rejected_, count_timed_out_, count_rescinded_,
      count_transferred_, count_best_checked_, calls_ok_, calls_refused_,
      calls_via_intake_);
}

void RandomWorld::Fail(std::string what) {
  if (failures_.size() < 20) failures_.push_back(std::move(what));
}

void RandomWorld::Log(LogEntry entry) {
  recent_.push_back(std::move(entry));
  if (recent_.size() > 80) recent_.pop_front();
}

// static
AgentState RandomWorld::DerivedState(const MAgent& a, absl::Time now) {
  if (!a.logged_in) return AgentState::kLoggedOut;
  if (!a.in_service.empty()) return AgentState::kBusy;
  if (a.offer) return AgentState::kReserved;
  if (a.wrap_until && *a.wrap_until > now) return AgentState::kWrapUp;
  if (!a.ready) return AgentState::kNotReady;
  return AgentState::kAvailable;
}

std::vector<uint64_t> RandomWorld::HeldBy(const MAgent& a) const {
  std::vector<uint64_t> v = a.in_service;
  if (a.offer) v.push_back(*a.offer);
  return v;
}

// Would the agent take one more contact of `channel` (ignoring skills)?
std::string RandomWorld::WhyCannotTake(const MAgent& a, Channel channel,
                                       absl::Time now) const {
  if (!a.logged_in) return "not logged in";
  if (!a.ready) return "not ready";
  if (a.offer) return "already ringing";
  if (a.wrap_until && *a.wrap_until > now) return "in wrap-up";
  const Capacity& cap = a.config.capacity;
  int ch = static_cast<int>(channel);
  std::array<int, kChannelCount> active{};
  uint32_t load = 0;
  bool exclusive = false;
  std::vector<uint64_t> held = HeldBy(a);
  for (uint64_t c : held) {
    auto it = contacts_.find(c);
    if (it == contacts_.end()) continue;
    int k = static_cast<int>(it->second.channel);
    active[k]++;
    load += cap.load_per_contact[k];
    exclusive |= cap.exclusive[k];
  }
  if (exclusive) return "an exclusive contact is active";
  if (active[ch] >= cap.max_per_channel[ch]) return "channel full";
  if (load + cap.load_per_contact[ch] > cap.load_budget) return "load budget";
  if (cap.exclusive[ch] && !held.empty()) return "exclusive channel, not idle";
  return "";
}

bool RandomWorld::ModelCanTake(const MAgent& a, Channel channel, absl::Time now) const {
  return WhyCannotTake(a, channel, now).empty();
}

bool RandomWorld::Qualifies(const MAgent& a, const MContact& c, int step) const {
  if (!Meets(a.config.skills, c.skills)) return false;
  const QueueConfig& q = queues_[c.queue];
  for (int k = 0; k <= step && k <= static_cast<int>(q.relaxation.size()); ++k) {
    if (Meets(a.config.skills, k == 0 ? q.skills : q.relaxation[k - 1].skills)) {
      return true;
    }
  }
  return false;
}

double RandomWorld::AgedScore(const MContact& c, absl::Time now) const {
  const QueueConfig& q = queues_[c.queue];
  return q.aging_weight * static_cast<double>(ToMicros(now) - ToMicros(c.arrived)) +
         static_cast<double>(ToMicros(class_weight_)) * (c.priority + q.priority);
}

// Is `a` before `b` in line (higher aged score, then earlier arrival)?
bool RandomWorld::Ahead(const MContact& a, const MContact& b, absl::Time now) const {
  double sa = AgedScore(a, now), sb = AgedScore(b, now);
  return sa > sb || (sa == sb && a.order < b.order);
}

// An agent that frees up takes the best waiting contact it may serve:
// nothing it could take may be ahead of the one offered.
void RandomWorld::CheckBestContact(const Event& e, const MAgent& a, uint64_t offered,
                                   const MContact& c) {
  ++count_best_checked_;
  for (uint64_t w : waiting_.ids()) {
    if (w == offered) continue;
    const MContact& d = contacts_.at(w);
    if (!Ahead(d, c, e.time) || !ModelCanTake(a, d.channel, e.time) ||
        IsExcluded(d, e.agent) ||
        !Qualifies(a, d, ModelStep(queues_[d.queue], d.queued_at, e.time))) {
      continue;
    }
    Fail(
        fmt::format("agent {} freed up and was offered contact {} (score "
                    "{}) while contact {} (score {}) was ahead: {}",
                    e.agent.value(), offered, AgedScore(c, e.time), w,
                    AgedScore(d, e.time), DescribeEvent(e)));
    return;
  }
}

// Each queue's waiting contacts hold places 1..n in aged-score order.
void RandomWorld::CheckQueuePositions(absl::Time now) {
  for (uint64_t w : waiting_.ids()) {
    const MContact& c = contacts_.at(w);
    int want = 1;
    for (uint64_t v : waiting_.ids()) {
      const MContact& d = contacts_.at(v);
      if (v != w && d.queue == c.queue && Ahead(d, c, now)) ++want;
    }
    absl::StatusOr<int> got = engine_->QueuePosition(ContactId(w));
    if (!got.ok() || *got != want) {
      Fail(fmt::format("QueuePosition({}) = {}, the model says {}", w,
                       got.ok() ? std::to_string(*got) : got.status().ToString(), want));
    }
    absl::StatusOr<absl::Duration> ewt = engine_->SimpleEstimatedWait(ContactId(w));
    if (!ewt.ok() || *ewt < absl::ZeroDuration()) {
      Fail(fmt::format("SimpleEstimatedWait({}) = {}", w,
                       ewt.ok() ? absl::FormatDuration(*ewt) : ewt.status().ToString()));
    }
  }
  for (uint64_t id : offered_.ids()) {
    if (engine_->QueuePosition(ContactId(id)).status().code() !=
        Code::kFailedPrecondition) {
      Fail(
          fmt::format("QueuePosition of offered contact {} is not "
                      "FailedPrecondition",
                      id));
    }
  }
}

// static
bool RandomWorld::IsExcluded(const MContact& c, AgentId a) {
  return std::find(c.excluded.begin(), c.excluded.end(), a) != c.excluded.end();
}

void RandomWorld::SetState(uint64_t id, MContact& c, MState s) {
  auto set_of = [this](MState st) -> IdSet* {
    switch (st) {
      case MState::kWaiting: return &waiting_;
      case MState::kOffered: return &offered_;
      case MState::kInService: return &in_service_;
      case MState::kTransit: return nullptr;
    }
    return nullptr;
  };
  if (IdSet* from = set_of(c.state)) from->Erase(id);
  if (IdSet* to = set_of(s)) to->Insert(id);
  c.state = s;
}

void RandomWorld::Terminate(uint64_t id) {
  auto it = contacts_.find(id);
  SetState(id, it->second, MState::kTransit);
  contacts_.erase(it);
  terminated_this_step_.push_back(id);
  terminated_.push_back(id);
  if (terminated_.size() > 64) terminated_.pop_front();
}

void RandomWorld::StartWrapUp(MAgent& a, uint32_t queue, absl::Time now) {
  absl::Duration wrap = queues_[queue].wrap_up;
  if (wrap <= absl::ZeroDuration() || !a.logged_in) return;
  absl::Time until = now + wrap;
  if (a.wrap_until && *a.wrap_until > until) until = *a.wrap_until;
  a.wrap_until = until;
}

}  // namespace ccengine::test
