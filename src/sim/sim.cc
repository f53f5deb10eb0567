// The staffing simulator: a discrete-event loop that plays customers and
// agents around a real Engine. Scenario checks and the replication summary
// are in sim_scenario.cc, the entry points (Simulate, …) in sim_run.cc.

#include "ccengine/sim/sim.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "ccengine/compliance/access.h"
#include "ccengine/config/expression.h"
#include "ccengine/config/routing_file.h"
#include "ccengine/core/engine.h"
#include "ccengine/core/quality.h"
#include "ccengine/core/strategy.h"
#include "ccengine/metrics/collector.h"
#include "ccengine/sim/internal/exp_ziggurat.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "sim/mt19937_64.h"
#include "sim/sim_events.h"
#include "sim/sim_internal.h"

namespace ccengine::sim {

using internal::Acc;
using internal::Earlier;
using internal::Kind;
using internal::ReplicationTotals;
using internal::SimEvent;

namespace {

// std::llround without the libm call: round half away from zero. The cast
// truncates (exact for the |x| < 2^63 microseconds a simulation holds), and
// x - t is then exact, so this is llround bit for bit. Branch-free (± 0 or
// ± 1 is added): whether a random duration rounds up is a coin toss.
Micros ToUs(double seconds) {
  const double x = seconds * 1e6;
  const auto t = static_cast<Micros>(x);
  const double frac = x - static_cast<double>(t);
  return t + static_cast<Micros>(frac >= 0.5) - static_cast<Micros>(frac <= -0.5);
}
double ToS(Micros us) { return static_cast<double>(us) * 1e-6; }

// The same (seed, replication, stream) always gives the same numbers, so
// arrivals do not change when routing does (common random numbers).
uint64_t StreamSeed(uint64_t seed, uint64_t replication, uint64_t stream) {
  uint64_t x = seed * 0x9E3779B97F4A7C15ULL ^ (replication + 1) * 0xBF58476D1CE4E5B9ULL ^
               (stream + 1) * 0x94D049BB133111EBULL;
  x ^= x >> 31;
  x *= 0xD6E8FEB86659FD93ULL;
  x ^= x >> 32;
  return x;
}

// With this many arrival streams or fewer, each stream's next arrival waits
// in its own slot instead of the heap: a scan of a few slots is cheaper than
// a heap push and pop for every contact. The (at, seq) order is the same.
constexpr size_t kArrivalSlots = 8;

// A contact's slot is also its engine ContactId: slots (and so ids) of
// finished contacts are reused, which keeps the ids small and dense, so the
// engine finds them in its direct table. `generation` tells a patience timer
// set for an earlier contact of the slot from one for the current contact.
struct ContactRec {
  Micros arrived = 0;
  Micros handle = 0;
  uint32_t queue =
      0;  // the queue it is in (metrics): where it arrived, then overflowed to
  uint32_t interval = 0;
  uint32_t generation = 0;
  uint32_t agent_group = 0;  // while offered / in service
  uint64_t agent = 0;        // engine AgentId, while offered / in service
  bool counted = false;      // arrived after the warm-up
  bool answered = false;
  bool done = false;
  bool callback = false;  // left the line: patience no longer applies
};

// Staffed and occupied time, in microseconds (exact sums; converted to
// seconds once, at the end of the run). Staffed: available, reserved, busy
// or in wrap-up; occupied: reserved, busy or in wrap-up (logged out and not
// ready, i.e. on a break, count as neither).
struct TimeUs {
  Micros staffed = 0;
  Micros occupied = 0;
  TimeUs operator-(const TimeUs& o) const {
    return TimeUs{staffed - o.staffed, occupied - o.occupied};
  }
  void operator+=(const TimeUs& o) {
    staffed += o.staffed;
    occupied += o.occupied;
  }
};

TimeUs FromStateTimes(const AgentStateTimes& t) {
  auto us = [&t](AgentState s) {
    return absl::ToInt64Microseconds(t[static_cast<int>(s)]);
  };
  Micros occupied =
      us(AgentState::kReserved) + us(AgentState::kBusy) + us(AgentState::kWrapUp);
  return TimeUs{occupied + us(AgentState::kAvailable), occupied};
}

struct AgentRec {
  TimeUs last_mark;     // the engine's totals at the last mark (at the end: the horizon)
  TimeUs at_warmup;     // … at the end of the warm-up
  bool wanted = false;  // the schedule wants it logged in
  bool on_break = false;
  bool pending_logout = false;
};

struct Stream {
  const ArrivalSpec* spec;
  uint32_t queue;  // without a flow
  std::vector<SkillRequirement> skills;
  ccengine::internal::Mt19937_64 rng;  // std::mt19937_64's numbers
  size_t trace_pos = 0;
  const config::EntryFlow* flow = nullptr;  // routes each contact, when set
  std::optional<config::Bindings> facts;    // the stream's, refilled per contact
};

class Replication {
 public:
  Replication(const Scenario& s, const internal::Resolved& r, int rep,
              ReplicationTotals& out, const RunControl& control)
      : s_(s), r_(r), rep_(rep), out_(out), control_(control) {}

  absl::Status Run();
  // Whether Run stopped on a bound or the caller's interrupt (its status is
  // then theirs to see as it is) rather than on an engine error.
  bool stopped() const { return stopped_; }

 private:
  void Push(Micros at, Kind kind, uint32_t a, uint32_t b = 0) {
    heap_.push(SimEvent{at, ++seq_, kind, a, b});
  }
  void PushArrival(Micros at, uint32_t stream) {
    if (next_arrival_.empty()) return Push(at, Kind::kArrival, stream);
    next_arrival_[stream] = SimEvent{at, ++seq_, Kind::kArrival, stream, 0};
  }
  absl::Status Setup();
  void ScheduleNextArrival(uint32_t stream, Micros from);
  absl::Status Handle(const SimEvent& e);
  absl::Status HandleArrival(const SimEvent& e);  // e.kind() == kArrival
  void OnAccepted(const Event& e);
  void CountAnswered(ContactRec& c);  // after the engine accepted its offer
  void OnEvent(const Event& e);
  // Reads every agent's state times from the engine at a mark (the clock's
  // time): the span since the previous mark lies inside one interval.
  void ReadAgentTimes(Micros at);
  AgentState StateOf(uint32_t group, uint32_t index) const;
  ContactOutcome DrawOutcome(const ContactRec& c, uint32_t group);
  // The interval `t` falls in, for times that never go back (the clock):
  // a step past each boundary instead of a division.
  uint32_t IntervalAt(Micros t) {
    while (t >= next_boundary_) {
      next_boundary_ += interval_;
      ++current_interval_;
    }
    return current_interval_;
  }
  void WriteTimes();  // the time sums into out_, in seconds
  absl::Status CheckReportRows();
  absl::Status WantLoggedIn(uint32_t group, uint32_t index, bool wanted);
  void SetPendingLogout(AgentRec& a, bool pending) {
    pending_logouts_ += static_cast<int>(pending) - static_cast<int>(a.pending_logout);
    a.pending_logout = pending;
  }
  uint32_t NewContact();
  void FreeContact(uint32_t slot);
  // Whether another waiting contact would pass the scenario's max_backlog.
  bool BacklogFull() const {
    return free_contacts_.empty() &&
           static_cast<double>(contacts_.size() - in_service_) >= s_.max_backlog;
  }
  absl::Status BacklogError(uint32_t queue);
  // No contact in the engine and no agent in wrap-up.
  bool Settled() const;
  // The caller's interrupt, about every check_every_s of wall time.
  absl::Status CheckInterrupt();

  // A command of the simulated center (its agents' and customers'). Under a
  // routing file's roles it is sent as the simulator's actor, authorized
  // (Engine::Apply); otherwise applied without an origin, as the direct
  // call would be.
  absl::Status Send(const Command& command) {
    return engine_->Apply(command, CommandOrigin{.actor = actor_});
  }

  // The simulation's time: the engine's clock less its start (report_start).
  Micros Now() const { return engine_->NowMicros() - base_; }
  absl::Status AdvanceTo(Micros t) { return engine_->AdvanceToMicros(base_ + t); }

  // Agents are numbered 0, 1, … group after group (dense ids, in the order
  // of (group, index), so ties between agents break as before).
  AgentId IdOf(uint32_t group, uint32_t index) const {
    return AgentId(agent_base_[group] + index);
  }

  const Scenario& s_;
  const internal::Resolved& r_;
  int rep_;
  ReplicationTotals& out_;
  const RunControl& control_;
  uint32_t until_clock_check_ = 0;  // loop turns before the clock is read again
  std::chrono::steady_clock::time_point next_interrupt_check_;
  size_t in_service_ = 0;  // contacts answered and not yet completed
  bool stopped_ = false;
  // With a routing file: its roles, attached to the engine (which must not
  // outlive them), and the simulator's actor, holding "system".
  std::unique_ptr<compliance::AccessControl> access_;
  uint32_t actor_ = 0;
  std::unique_ptr<Engine> engine_;
  Micros base_ = 0;           // the engine's clock at simulation time 0
  absl::Time options_start_;  // the same as a time
  // Replication 0 with report_start: the interval rows of reports. Declared
  // after engine_ so that it unsubscribes before the engine goes.
  std::unique_ptr<metrics::Collector> collector_;
  Micros next_rows_check_ = 0;  // engine time of the next CheckReportRows
  internal::EventHeap heap_;
  std::vector<SimEvent> next_arrival_;  // per stream (at == kNever: none), or empty
  uint64_t seq_ = 0;
  Micros horizon_ = 0;
  Micros warmup_ = 0;
  Micros interval_ = 0;
  Micros next_boundary_ = 0;  // end of current_interval_
  uint32_t current_interval_ = 0;
  int pending_logouts_ = 0;  // agents with pending_logout set
  Micros last_mark_ = 0;
  std::vector<std::vector<TimeUs>> interval_time_;  // per group and interval
  std::vector<Stream> streams_;
  std::vector<ContactRec> contacts_;
  std::vector<uint32_t> free_contacts_;
  std::vector<std::vector<AgentRec>> agents_;
  std::vector<uint64_t> agent_base_;      // first AgentId of each group
  std::vector<uint32_t> group_of_agent_;  // by AgentId
  // Per group: has a true FCR rate or CSAT mean, so completions draw outcomes.
  std::vector<bool> draws_outcomes_;
  ContactSpec spec_c_;  // the arrivals' spec, reused
  ccengine::internal::Mt19937_64 outcome_rng_{StreamSeed(s_.seed, rep_, 0x0C5A7)};
  // EstimateWait of each counted contact still waiting since it arrived
  // (seconds: expected, low, high); empty while no one waits.
  struct Estimate {
    double expected, low, high;
    uint32_t queue;  // where it was taken (the contact may overflow on)
  };
  absl::flat_hash_map<uint32_t, Estimate> estimates_;
  void RecordEstimate(uint32_t index);
  void ScoreEstimate(uint32_t index, const ContactRec& c);
  absl::Status event_error_;
};

absl::Status Replication::Setup() {
  horizon_ = ToUs(s_.horizon_s);
  warmup_ = ToUs(s_.warmup_s);
  interval_ = ToUs(s_.interval_s);
  next_boundary_ = interval_;
  EngineOptions options = internal::EngineOptionsFor(s_);
  options.seed = StreamSeed(s_.seed, rep_, 0xE17);
  // The engine's clock starts at report_start, so that queue hours, holidays
  // and a flow's time facts see the calendar the reports show.
  options.start = internal::ClockStart(s_);
  base_ = absl::ToUnixMicros(options.start);
  options_start_ = options.start;
  CCENGINE_ASSIGN_OR_RETURN(engine_, Engine::Create(options));
  if (s_.routing != nullptr) {
    for (const config::StrategyDefinition& d : s_.routing->strategies()) {
      CCENGINE_RETURN_IF_ERROR(
          engine_
              ->RegisterStrategy(d.name, std::make_unique<CompositeStrategy>(d.weights))
              .status());
    }
  }
  for (size_t i = 0; i < s_.queues.size(); ++i) {
    if (s_.queues[i].satisfaction.has_value()) {
      CCENGINE_RETURN_IF_ERROR(
          engine_
              ->RegisterStrategy(
                  r_.queues[i].strategy,
                  std::make_unique<SatisfactionStrategy>(*s_.queues[i].satisfaction))
              .status());
    }
  }
  for (const std::string& name : s_.skills) {
    CCENGINE_RETURN_IF_ERROR(engine_->AddSkill(name).status());
  }
  for (const QueueConfig& q : r_.queues) {
    QueueConfig first = q;
    first.overflow_queue.reset();  // targets may come later in the list
    CCENGINE_RETURN_IF_ERROR(engine_->AddQueue(first).status());
  }
  for (size_t i = 0; i < r_.queues.size(); ++i) {
    if (r_.queues[i].overflow_queue.has_value()) {
      CCENGINE_RETURN_IF_ERROR(
          engine_->UpdateQueue(QueueId(static_cast<uint32_t>(i)), r_.queues[i]));
    }
  }
  if (rep_ == 0 && s_.report_start.has_value()) {
    metrics::MetricsOptions metrics;
    // Every row of the run is kept to its end (the run goes on past the
    // horizon until the last outcome; a year is more than any drain).
    metrics.retain = absl::Seconds(s_.horizon_s) + absl::Hours(24 * 366);
    CCENGINE_ASSIGN_OR_RETURN(collector_,
                              metrics::Collector::Attach(*engine_, std::move(metrics)));
  }
  agents_.resize(s_.agents.size());
  interval_time_.assign(s_.agents.size(),
                        std::vector<TimeUs>(out_.group_intervals.empty()
                                                ? 0
                                                : out_.group_intervals[0].size()));
  for (uint32_t g = 0; g < s_.agents.size(); ++g) {
    draws_outcomes_.push_back(std::isfinite(s_.agents[g].fcr_rate) ||
                              std::isfinite(s_.agents[g].csat_mean));
    agent_base_.push_back(group_of_agent_.size());
    group_of_agent_.resize(group_of_agent_.size() + r_.group_size[g], g);
  }
  for (uint32_t g = 0; g < s_.agents.size(); ++g) {
    const AgentGroupSpec& spec = s_.agents[g];
    agents_[g].resize(r_.group_size[g]);
    for (uint32_t i = 0; i < r_.group_size[g]; ++i) {
      AgentConfig a;
      a.id = IdOf(g, i);
      a.skills = r_.group_skills[g];
      a.capacity = spec.capacity;
      a.auto_accept = true;  // agents answer every offer at once
      if (collector_ != nullptr) collector_->AssignGroup(a.id, r_.group_names[g]);
      CCENGINE_RETURN_IF_ERROR(engine_->AddAgent(std::move(a)));
    }
    if (!spec.shifts.empty()) {
      uint32_t next = 0;
      for (const Shift& shift : spec.shifts) {
        for (int k = 0; k < shift.count; ++k, ++next) {
          Push(ToUs(shift.start_s), Kind::kLogin, g, next);
          if (std::isfinite(shift.end_s)) Push(ToUs(shift.end_s), Kind::kLogout, g, next);
          for (const Shift::Break& b : shift.breaks) {
            Push(ToUs(b.start_s), Kind::kBreakStart, g, next);
            Push(ToUs(b.start_s + b.duration_s), Kind::kBreakEnd, g, next);
          }
        }
      }
    } else if (!spec.counts.empty()) {
      for (uint32_t i = 0; i < spec.counts.size() && ToUs(i * s_.interval_s) < horizon_;
           ++i) {
        Push(ToUs(i * s_.interval_s), Kind::kStaffing, g, i);
      }
    } else {
      for (uint32_t i = 0; i < static_cast<uint32_t>(spec.count); ++i) {
        Push(0, Kind::kLogin, g, i);
      }
    }
  }
  // Agent time is read from the engine's state totals at each interval
  // boundary, at the end of the warm-up and at the horizon (no agent state
  // events); a mark at the same instant as a state change sees the same
  // totals whichever comes first.
  for (Micros t = interval_; t < horizon_; t += interval_) Push(t, Kind::kMark, 0);
  if (warmup_ > 0 && warmup_ < horizon_ && warmup_ % interval_ != 0) {
    Push(warmup_, Kind::kMark, 0);
  }
  Push(horizon_, Kind::kMark, 0);
  // The center is set up; what its agents and customers do from here on is
  // judged by the routing file's roles, as the production daemon's commands
  // are (ccengine-kamailio): a file whose "system" role grants less stops
  // the run with the refusal.
  if (s_.routing != nullptr) {
    access_ = std::make_unique<compliance::AccessControl>(s_.routing->access_policy());
    compliance::ActorSpec simulator;
    simulator.id = kSimulatorActor;
    simulator.roles = {{"system"}};
    CCENGINE_ASSIGN_OR_RETURN(actor_, access_->AddActor(std::move(simulator)));
    access_->Attach(*engine_);
  }
  // The agents auto-accept: the engine answers each offer as it makes it and
  // reports kAccepted, so kOffered events need not even be built.
  engine_->Subscribe([this](const Event& e) { OnEvent(e); },
                     EventBit(EventType::kAccepted) | EventBit(EventType::kAbandoned) |
                         EventBit(EventType::kOverflowed));
  streams_.reserve(s_.arrivals.size());
  if (s_.arrivals.size() <= kArrivalSlots) {
    next_arrival_.assign(s_.arrivals.size(), SimEvent{kNever, 0, Kind::kArrival, 0, 0});
  }
  for (uint32_t i = 0; i < s_.arrivals.size(); ++i) {
    streams_.push_back(
        Stream{&s_.arrivals[i], r_.arrival_queues[i][0], r_.arrival_skills[i],
               ccengine::internal::Mt19937_64(StreamSeed(s_.seed, rep_, i)), 0,
               r_.arrival_flow[i], std::nullopt});
    if (r_.arrival_flow[i] != nullptr) {
      streams_.back().facts.emplace(s_.routing->schema());
      internal::SetFacts(r_.arrival_facts[i], *streams_.back().facts);
    }
    ScheduleNextArrival(i, 0);
  }
  return absl::OkStatus();
}

// Poisson with a piecewise-constant rate: draw with the current interval's
// rate; past the interval's end, restart there (memorylessness keeps it exact).
void Replication::ScheduleNextArrival(uint32_t stream, Micros from) {
  Stream& st = streams_[stream];
  const ArrivalSpec& spec = *st.spec;
  if (!spec.trace.empty()) {
    if (st.trace_pos < spec.trace.size()) {
      Micros at = ToUs(spec.trace[st.trace_pos++]);
      if (at < horizon_) PushArrival(at, stream);
    }
    return;
  }
  double t = ToS(from);
  while (t < s_.horizon_s) {
    double rate = spec.rate_per_s;
    double end = s_.horizon_s;
    if (!spec.rates_per_interval.empty()) {
      size_t i = static_cast<size_t>(t / s_.interval_s);
      rate = spec.rates_per_interval[std::min(i, spec.rates_per_interval.size() - 1)];
      if (i + 1 < spec.rates_per_interval.size()) end = (i + 1) * s_.interval_s;
    }
    if (rate > 0) {
      double next = t + ccengine::internal::ExpZiggurat(st.rng) / rate;
      if (next < end) {
        if (next < s_.horizon_s) PushArrival(ToUs(next), stream);
        return;
      }
    }
    t = end;
  }
}

void Replication::ReadAgentTimes(Micros at) {
  const size_t interval = static_cast<size_t>(last_mark_ / interval_);
  for (uint32_t g = 0; g < agents_.size(); ++g) {
    for (uint32_t i = 0; i < agents_[g].size(); ++i) {
      AgentRec& a = agents_[g][i];
      absl::StatusOr<AgentStateTimes> times = engine_->GetAgentStateTimes(IdOf(g, i));
      TimeUs now = times.ok() ? FromStateTimes(*times) : a.last_mark;
      if (at > last_mark_ && last_mark_ < horizon_) {
        interval_time_[g][interval] += now - a.last_mark;
      }
      a.last_mark = now;
      if (at == warmup_) a.at_warmup = now;
    }
  }
  last_mark_ = at;
}

AgentState Replication::StateOf(uint32_t group, uint32_t index) const {
  absl::StatusOr<AgentSnapshot> a = engine_->GetAgent(IdOf(group, index));
  return a.ok() ? a->state : AgentState::kLoggedOut;
}

void Replication::WriteTimes() {
  out_.agent_time.resize(agents_.size());
  for (uint32_t g = 0; g < agents_.size(); ++g) {
    for (size_t i = 0; i < interval_time_[g].size(); ++i) {
      out_.group_intervals[g][i].staffed_s = ToS(interval_time_[g][i].staffed);
      out_.group_intervals[g][i].occupied_s = ToS(interval_time_[g][i].occupied);
    }
    TimeUs group;  // inside [warmup, horizon): the horizon's totals less the warm-up's
    for (const AgentRec& a : agents_[g]) {
      const TimeUs measured = a.last_mark - a.at_warmup;
      group += measured;
      out_.agent_time[g].push_back(
          internal::AgentTime{ToS(measured.staffed), ToS(measured.occupied)});
    }
    out_.group_summary[g].staffed_s = ToS(group.staffed);
    out_.group_summary[g].occupied_s = ToS(group.occupied);
  }
}

// The customer's survey answer and whether the issue was solved, drawn from
// the serving group's true values; counted and reported to the engine.
ContactOutcome Replication::DrawOutcome(const ContactRec& c, uint32_t group) {
  const AgentGroupSpec& spec = s_.agents[group];
  ContactOutcome o;
  if (std::isfinite(spec.fcr_rate)) {
    o.resolved = std::bernoulli_distribution(spec.fcr_rate)(outcome_rng_);
  }
  double survey = s_.queues[c.queue].survey_rate;
  if (std::isfinite(spec.csat_mean) && survey > 0 &&
      std::bernoulli_distribution(survey)(outcome_rng_)) {
    o.csat =
        1 + std::binomial_distribution<int>(4, (spec.csat_mean - 1) / 4)(outcome_rng_);
  }
  if (!o.csat.has_value() && !o.resolved.has_value()) return o;
  int passes = c.counted ? 2 : 1;
  for (int pass = 0; pass < passes; ++pass) {
    for (Acc* acc : {pass == 0 ? &out_.queue_intervals[c.queue][c.interval]
                               : &out_.queue_summary[c.queue],
                     pass == 0 ? &out_.group_intervals[group][c.interval]
                               : &out_.group_summary[group]}) {
      if (o.csat.has_value()) {
        acc->surveys++;
        acc->sum_csat += *o.csat;
      }
      if (o.resolved.has_value()) {
        acc->outcomes++;
        if (*o.resolved) acc->resolved++;
      }
    }
  }
  return o;
}

void Replication::OnEvent(const Event& e) {
  switch (e.type) {
    case EventType::kAccepted: OnAccepted(e); break;
    case EventType::kAbandoned:
    case EventType::kOverflowed: {
      uint32_t slot = static_cast<uint32_t>(e.contact.value());
      ContactRec& c = contacts_[slot];
      const bool abandoned = e.type == EventType::kAbandoned;
      const bool moved_on = !abandoned && e.to_queue != e.queue;
      const bool short_abandon =
          abandoned && e.wait < absl::Seconds(r_.short_abandon_s[c.queue]);
      for (int pass = 0; pass < (c.counted ? 2 : 1); ++pass) {
        Acc& acc = pass == 0 ? out_.queue_intervals[c.queue][c.interval]
                             : out_.queue_summary[c.queue];
        (abandoned ? acc.abandoned : acc.overflowed)++;
        acc.short_abandoned += short_abandon;
      }
      if (moved_on) {  // its part in this queue ends; it enters the next one
        c.queue = e.to_queue.value();
        for (int pass = 0; pass < (c.counted ? 2 : 1); ++pass) {
          (pass == 0 ? out_.queue_intervals[c.queue][c.interval]
                     : out_.queue_summary[c.queue])
              .offered++;
        }
        break;
      }
      c.done = true;
      if (!estimates_.empty()) estimates_.erase(static_cast<uint32_t>(e.contact.value()));
      FreeContact(slot);  // the engine has forgotten it
      break;
    }
    default: break;
  }
}

uint32_t Replication::NewContact() {
  if (free_contacts_.empty()) {
    contacts_.emplace_back();
    return static_cast<uint32_t>(contacts_.size() - 1);
  }
  uint32_t slot = free_contacts_.back();
  free_contacts_.pop_back();
  uint32_t generation = contacts_[slot].generation + 1;
  contacts_[slot] = ContactRec();
  contacts_[slot].generation = generation;
  return slot;
}

void Replication::FreeContact(uint32_t slot) { free_contacts_.push_back(slot); }

void Replication::CountAnswered(ContactRec& c) {
  c.answered = true;
  Micros wait = Now() - c.arrived;
  double wait_s = ToS(wait), handle_s = ToS(c.handle);
  bool immediate = wait == 0, within_sl = wait_s <= r_.sl_seconds[c.queue];
  auto add = [&](Acc& acc) {
    acc.answered++;
    acc.sum_wait_answered += wait_s;
    acc.sum_handle += handle_s;
    acc.immediate += immediate;  // no branches: both are coin tosses
    acc.within_sl += within_sl;
  };
  add(out_.queue_intervals[c.queue][c.interval]);
  add(out_.group_intervals[c.agent_group][c.interval]);
  if (c.counted) {
    add(out_.queue_summary[c.queue]);
    add(out_.group_summary[c.agent_group]);
  }
}

// Called inside the engine call that made the offer (the agents
// auto-accept): the contact is answered now and its service end is due.
void Replication::OnAccepted(const Event& e) {
  uint32_t slot = static_cast<uint32_t>(e.contact.value());
  ContactRec& c = contacts_[slot];
  c.agent = e.agent.value();
  c.agent_group = group_of_agent_[e.agent.value()];
  CountAnswered(c);
  ++in_service_;
  if (!estimates_.empty()) ScoreEstimate(slot, c);
  Push(Now() + c.handle, Kind::kServiceEnd, slot);
}

// An answered contact that had an estimate: how the estimate did.
void Replication::ScoreEstimate(uint32_t index, const ContactRec& c) {
  auto it = estimates_.find(index);
  if (it == estimates_.end()) return;
  double wait_s = ToS(Now() - c.arrived);
  Acc& acc = out_.queue_summary[it->second.queue];
  acc.ewt_n++;
  acc.sum_ewt += it->second.expected;
  acc.sum_ewt_wait += wait_s;
  if (wait_s >= it->second.low && wait_s <= it->second.high) acc.ewt_within++;
  estimates_.erase(it);
}

void Replication::RecordEstimate(uint32_t index) {
  absl::StatusOr<WaitEstimate> w = engine_->EstimateWait(ContactId(index));
  if (!w.ok() || w->expected == absl::InfiniteDuration()) return;  // no agents
  estimates_.emplace(
      index, Estimate{absl::ToDoubleSeconds(w->expected), absl::ToDoubleSeconds(w->low),
                      absl::ToDoubleSeconds(w->high), contacts_[index].queue});
}

absl::Status Replication::WantLoggedIn(uint32_t group, uint32_t index, bool wanted) {
  AgentRec& a = agents_[group][index];
  a.wanted = wanted;
  AgentId id = IdOf(group, index);
  const AgentState state = StateOf(group, index);
  if (wanted) {
    SetPendingLogout(a, false);
    if (state == AgentState::kLoggedOut) return Send(cmd::Login{id, !a.on_break});
    return a.on_break ? absl::OkStatus() : Send(cmd::SetReady{id});
  }
  if (state == AgentState::kLoggedOut) return absl::OkStatus();
  if (state == AgentState::kBusy) {  // finish the contact first
    SetPendingLogout(a, true);
    return Send(cmd::SetNotReady{id});
  }
  return Send(cmd::Logout{id});
}

absl::Status Replication::HandleArrival(const SimEvent& e) {
  Stream& st = streams_[e.a];
  const ArrivalSpec& spec = *st.spec;
  // Where the entry flow sends this contact now, if the stream has one.
  const config::FlowTarget* target = nullptr;
  if (st.flow != nullptr) {
    s_.routing->SetContactFacts(*st.facts, spec.channel, engine_->Now());
    target = &st.flow->Route(*st.facts);
  }
  const uint32_t queue = target != nullptr ? target->queue.value() : st.queue;
  if (BacklogFull()) [[unlikely]]
    return BacklogError(queue);
  uint32_t index = NewContact();
  ContactRec& c = contacts_[index];
  c.arrived = e.at;
  c.queue = queue;
  c.interval = IntervalAt(e.at);
  c.counted = e.at >= warmup_;
  c.handle = ToUs(spec.handle_time.Sample(st.rng));
  double patience = spec.patience.Sample(st.rng);
  int priority = target != nullptr ? target->priority : spec.priority;
  if (spec.priority_fraction > 0 &&
      std::uniform_real_distribution<double>(0, 1)(st.rng) < spec.priority_fraction) {
    priority = std::min(priority + 1, kMaxPriority);
  }
  for (int pass = 0; pass < (c.counted ? 2 : 1); ++pass) {
    (pass == 0 ? out_.queue_intervals[c.queue][c.interval] : out_.queue_summary[c.queue])
        .offered++;
  }
  out_.contacts++;
  // One spec, reused: the fields the simulator never sets keep their
  // defaults, and a moved-from vector is empty.
  spec_c_.id = ContactId(index);
  spec_c_.queue = QueueId(queue);
  spec_c_.channel = spec.channel;
  spec_c_.priority = priority;
  if (!st.skills.empty()) spec_c_.skills = st.skills;
  if (target != nullptr) {
    // The flow's skills on top of the stream's: a skill in both needs the
    // higher level.
    for (const SkillRequirement& need : target->skills) {
      auto same =
          std::find_if(spec_c_.skills.begin(), spec_c_.skills.end(),
                       [&](const SkillRequirement& r) { return r.skill == need.skill; });
      if (same == spec_c_.skills.end()) {
        spec_c_.skills.push_back(need);
      } else {
        same->level = std::max(same->level, need.level);
      }
    }
    spec_c_.preferred_agents = target->preferred_agents;
  }
  spec_c_.preferred_wait =
      target != nullptr ? target->preferred_wait : absl::ZeroDuration();
  spec_c_.fallbacks.clear();
  if (target != nullptr) spec_c_.fallbacks = target->fallbacks;
  // The spec is moved, not copied, where no roles judge the arrival.
  CCENGINE_RETURN_IF_ERROR(actor_ == 0 ? engine_->AddContact(std::move(spec_c_))
                                       : Send(cmd::AddContact{std::move(spec_c_)}));
  // Only a customer who has to wait can run out of patience (or ask for
  // a callback: pushed first, it wins a tie with patience).
  if (!contacts_[index].answered && !contacts_[index].done) {
    uint32_t generation = contacts_[index].generation;
    if (std::isfinite(spec.callback_after_s)) {
      Push(e.at + ToUs(spec.callback_after_s), Kind::kCallback, index, generation);
    }
    if (std::isfinite(patience))
      Push(e.at + ToUs(patience), Kind::kPatience, index, generation);
  }
  if (s_.estimate_waits && !contacts_[index].answered && !contacts_[index].done &&
      contacts_[index].counted) {
    RecordEstimate(index);
  }
  ScheduleNextArrival(e.a, e.at);
  return absl::OkStatus();
}

absl::Status Replication::Handle(const SimEvent& e) {
  switch (e.kind()) {
    case Kind::kArrival: return HandleArrival(e);
    case Kind::kPatience: {
      ContactRec& c = contacts_[e.a];
      if (c.generation != e.b || c.answered || c.done || c.callback)
        return absl::OkStatus();
      return Send(cmd::Abandon{ContactId(e.a)});
    }
    case Kind::kCallback: {
      ContactRec& c = contacts_[e.a];
      if (c.generation != e.b || c.answered || c.done) return absl::OkStatus();
      c.callback = true;
      return Send(cmd::RequestCallback{ContactId(e.a)});
    }
    case Kind::kServiceEnd: {
      ContactRec& c = contacts_[e.a];
      c.done = true;
      --in_service_;
      uint32_t group = c.agent_group;
      AgentId agent(c.agent);
      CCENGINE_RETURN_IF_ERROR(Send(cmd::CompleteContact{
          agent, ContactId(e.a),
          draws_outcomes_[group] ? DrawOutcome(c, group) : ContactOutcome{}}));
      FreeContact(e.a);  // completed: the engine has forgotten it
      if (pending_logouts_ == 0) return absl::OkStatus();  // the common case
      const uint32_t index = static_cast<uint32_t>(c.agent - agent_base_[group]);
      AgentRec& a = agents_[group][index];
      if (a.pending_logout && StateOf(group, index) != AgentState::kBusy) {
        SetPendingLogout(a, false);
        return Send(cmd::Logout{agent});
      }
      return absl::OkStatus();
    }
    case Kind::kLogin: return WantLoggedIn(e.a, e.b, true);
    case Kind::kLogout: return WantLoggedIn(e.a, e.b, false);
    case Kind::kBreakStart:
    case Kind::kBreakEnd: {
      AgentRec& a = agents_[e.a][e.b];
      a.on_break = e.kind() == Kind::kBreakStart;
      if (!a.wanted || StateOf(e.a, e.b) == AgentState::kLoggedOut)
        return absl::OkStatus();
      AgentId id = IdOf(e.a, e.b);
      return Send(a.on_break ? Command(cmd::SetNotReady{id})
                             : Command(cmd::SetReady{id}));
    }
    case Kind::kMark: ReadAgentTimes(e.at); return absl::OkStatus();
    case Kind::kStaffing: {
      const std::vector<int>& counts = s_.agents[e.a].counts;
      uint32_t target =
          static_cast<uint32_t>(counts[std::min<size_t>(e.b, counts.size() - 1)]);
      for (uint32_t i = 0; i < agents_[e.a].size(); ++i) {
        if (agents_[e.a][i].wanted != (i < target)) {
          CCENGINE_RETURN_IF_ERROR(WantLoggedIn(e.a, i, i < target));
        }
      }
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

absl::Status Replication::BacklogError(uint32_t queue) {
  stopped_ = true;
  return absl::ResourceExhaustedError(fmt::format(
      "more than {} contacts waiting at once at {:.0f} s, all queues together, as one "
      "arrived in queue '{}' (max_backlog); raise max_backlog to run this scenario",
      s_.max_backlog, ToS(Now()), s_.queues[queue].name));
}

bool Replication::Settled() const {
  const Accounting a = engine_->GetAccounting();
  if (a.waiting + a.offered + a.in_service != 0) return false;
  for (uint32_t g = 0; g < agents_.size(); ++g) {
    for (uint32_t i = 0; i < agents_[g].size(); ++i) {
      if (StateOf(g, i) == AgentState::kWrapUp) return false;
    }
  }
  return true;
}

absl::Status Replication::CheckInterrupt() {
  // Reading the clock every turn would cost more than the check is worth.
  constexpr uint32_t kTurnsPerClockRead = 256;
  if (until_clock_check_-- != 0) return absl::OkStatus();
  until_clock_check_ = kTurnsPerClockRead;
  auto now = std::chrono::steady_clock::now();
  if (now < next_interrupt_check_) return absl::OkStatus();
  next_interrupt_check_ =
      now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                std::chrono::duration<double>(control_.check_every_s));
  absl::Status st = control_.interrupt();
  stopped_ = !st.ok();
  return st;
}

// The report rows kept so far are at most (agents + queues) × quarter hours
// run; past max_report_rows (a long drain after the horizon) the run stops.
absl::Status Replication::CheckReportRows() {
  constexpr Micros kQuarter = 900'000'000;
  const Micros now = Now();
  const Micros quarters = now / kQuarter + 1;  // begun so far
  next_rows_check_ = quarters * kQuarter;
  double agents = 0;
  for (uint32_t size : r_.group_size) agents += size;
  const double rows =
      (agents + static_cast<double>(s_.queues.size())) * static_cast<double>(quarters);
  if (rows <= s_.max_report_rows) return absl::OkStatus();
  stopped_ = true;
  return absl::ResourceExhaustedError(fmt::format(
      "report_start: at {} s (the horizon is {} s; the run goes on until the last "
      "outcome) the report could hold {:.3g} interval rows, more than max_report_rows "
      "{:.3g}",
      ToS(now), s_.horizon_s, rows, s_.max_report_rows));
}

absl::Status Replication::Run() {
  CCENGINE_RETURN_IF_ERROR(Setup());
  const bool watched = static_cast<bool>(control_.interrupt);
  while (true) {
    if (watched) CCENGINE_RETURN_IF_ERROR(CheckInterrupt());
    if (collector_ != nullptr && Now() >= next_rows_check_) {
      CCENGINE_RETURN_IF_ERROR(CheckReportRows());
    }
    std::optional<Micros> timer = engine_->NextTimerMicros();
    if (timer.has_value()) *timer -= base_;
    const SimEvent* next = heap_.empty() ? nullptr : &heap_.top();
    SimEvent* arrival = nullptr;  // `next` is this stream slot
    for (SimEvent& a : next_arrival_) {
      if (a.at != kNever && (next == nullptr || Earlier(a, *next))) next = arrival = &a;
    }
    bool have_event = next != nullptr;
    // Past the last event the engine's own timers run out once every
    // contact and wrap-up has ended — but a queue's opening hours always
    // have a next change: stop when nothing is left to happen to anyone.
    if (!have_event && (!timer.has_value() || Settled())) break;
    // Engine timers (wrap-up ends, relaxation, max wait) due before the next
    // simulation event fire first, one instant at a time, so that offers
    // they produce are answered at the right time.
    if (timer.has_value() && (!have_event || *timer <= next->at)) {
      CCENGINE_RETURN_IF_ERROR(AdvanceTo(*timer));
    } else {
      SimEvent e = *next;
      if (e.kind() != Kind::kMark) out_.events++;
      // An arrival from its stream slot is handled without the dispatch on
      // the kind (whether the next event is an arrival is a coin toss).
      if (arrival != nullptr) {
        arrival->at = kNever;
        CCENGINE_RETURN_IF_ERROR(AdvanceTo(e.at));
        CCENGINE_RETURN_IF_ERROR(HandleArrival(e));
      } else {
        heap_.pop();
        CCENGINE_RETURN_IF_ERROR(AdvanceTo(e.at));
        CCENGINE_RETURN_IF_ERROR(Handle(e));
      }
    }
  }
  WriteTimes();
  out_.invariants_ok = engine_->CheckInvariants().ok();
  if (collector_ != nullptr) {
    out_.intervals = collector_->TakeChangedIntervals();
    // On report_start's calendar (the engine's clock, unless clock_start
    // places it elsewhere).
    const absl::Duration shift = *s_.report_start - options_start_;
    if (shift != absl::ZeroDuration()) {
      for (metrics::QueueInterval& q : out_.intervals.queues) q.start += shift;
      for (metrics::AgentInterval& a : out_.intervals.agents) a.start += shift;
    }
    // In key order, as the replication's bytes carry them.
    std::sort(out_.intervals.queues.begin(), out_.intervals.queues.end(),
              [](const metrics::QueueInterval& a, const metrics::QueueInterval& b) {
                return std::tie(a.start, a.queue) < std::tie(b.start, b.queue);
              });
    std::sort(out_.intervals.agents.begin(), out_.intervals.agents.end(),
              [](const metrics::AgentInterval& a, const metrics::AgentInterval& b) {
                return std::make_pair(a.start, a.agent.value()) <
                       std::make_pair(b.start, b.agent.value());
              });
  }
  return absl::OkStatus();
}

}  // namespace

namespace internal {

absl::Status RunReplication(const Scenario& scenario, const Resolved& resolved, int rep,
                            const RunControl& control, ReplicationTotals& t) {
  size_t intervals =
      static_cast<size_t>(std::ceil(scenario.horizon_s / scenario.interval_s));
  t.Init(scenario.queues.size(), scenario.agents.size(), intervals);
  if (control.interrupt) CCENGINE_RETURN_IF_ERROR(control.interrupt());
  auto wall0 = std::chrono::steady_clock::now();
  Replication run(scenario, resolved, rep, t, control);
  absl::Status st = run.Run();
  t.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  if (st.ok() || run.stopped()) return st;
  // The routing file's roles refused a command: the file's doing, not a fault.
  if (st.code() == absl::StatusCode::kPermissionDenied) {
    return absl::PermissionDeniedError(
        fmt::format("simulation replication {}: {}", rep, std::string(st.message())));
  }
  return absl::InternalError(
      fmt::format("simulation replication {} failed: {}", rep, st.ToString()));
}

}  // namespace internal

}  // namespace ccengine::sim
