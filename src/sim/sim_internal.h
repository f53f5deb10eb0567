// Private to the simulator (sim.cc, sim_scenario.cc): the scenario resolved
// to engine ids, and the raw counters of one replication.

#ifndef CCENGINE_SRC_SIM_SIM_INTERNAL_H_
#define CCENGINE_SRC_SIM_SIM_INTERNAL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "ccengine/core/engine.h"
#include "ccengine/core/queue.h"
#include "ccengine/metrics/intervals.h"
#include "ccengine/sim/sim.h"

namespace ccengine::sim::internal {

// A scenario checked and turned into engine terms.
struct Resolved {
  std::vector<QueueConfig> queues;
  std::vector<double> sl_seconds;       // per queue
  std::vector<double> short_abandon_s;  // per queue
  std::vector<std::vector<SkillLevel>> group_skills;
  std::vector<uint32_t> group_size;  // agents to create
  std::vector<std::string> group_names;
  std::vector<std::vector<bool>> serves;        // [queue][group], at any step
  std::vector<std::vector<bool>> serves_first;  // at the queue's first step
  // Per stream, the queue its contacts go to in each interval (one entry:
  // every interval); a flow's, as routed at the interval's middle, for the
  // bounds and the Erlang plan (the run routes each contact at its arrival).
  std::vector<std::vector<uint32_t>> arrival_queues;
  std::vector<std::vector<SkillRequirement>> arrival_skills;
  // Per stream: its entry flow (null: the fixed queue) and its facts.
  std::vector<const config::EntryFlow*> arrival_flow;
  std::vector<std::vector<std::pair<config::AttributeId, FactValue>>> arrival_facts;

  uint32_t QueueAt(size_t stream, size_t interval) const {
    const std::vector<uint32_t>& q = arrival_queues[stream];
    return q[interval < q.size() ? interval : q.size() - 1];
  }
  // Whether stream `stream` sends contacts to `queue` in some interval.
  bool Reaches(size_t stream, uint32_t queue) const {
    for (uint32_t q : arrival_queues[stream]) {
      if (q == queue) return true;
    }
    return false;
  }
};

// Fills `facts` with a stream's facts (their attributes were checked).
void SetFacts(const std::vector<std::pair<config::AttributeId, FactValue>>& values,
              config::Bindings& facts);

// A scenario with a routing file (sim_routing.cc): CheckRoutingShape makes
// sure its skills and queues are the file's (and that no group names a
// profile without one); ResolveFlow checks stream `stream`, which names a
// flow or facts, and appends its entries to `r`.
absl::Status CheckRoutingShape(const Scenario& s);
absl::Status ResolveFlow(const Scenario& s, size_t stream, Resolved& r);

// Checks the scenario and resolves its names; then CheckLoad.
absl::StatusOr<Resolved> Resolve(const Scenario& scenario);

// The mean of a distribution (infinity for kNone).
double MeanOf(const Distribution& d);
// The length of interval i inside [0, horizon).
double IntervalLength(const Scenario& s, size_t i);
// A stream's mean arrival rate in each of `intervals` intervals (a trace: its
// timestamps in the interval over the interval's length).
std::vector<double> RatesByInterval(const Scenario& s, const ArrivalSpec& a,
                                    size_t intervals);
// Contacts of `channel` one agent can hold at once (0: none).
double Concurrency(const Capacity& c, Channel channel);

// The bounds of the header's "Bounds": the expected arrivals per
// replication and each queue's fluid backlog estimate (sim_bounds.cc).
absl::Status CheckLoad(const Scenario& scenario, const Resolved& resolved);

// Raw counts and times; ratios are formed only when summarizing.
struct Acc {
  double offered = 0;
  double answered = 0;
  double immediate = 0;  // answered without waiting
  double abandoned = 0;
  double short_abandoned = 0;
  double overflowed = 0;
  double within_sl = 0;
  double sum_wait_answered = 0;
  // Answered contacts that waited with an estimate: count, sums of the
  // estimate and of the wait, and how many waits fell inside [low, high].
  double ewt_n = 0;
  double sum_ewt = 0;
  double sum_ewt_wait = 0;
  double ewt_within = 0;
  double sum_handle = 0;
  double staffed_s = 0;   // agent groups only
  double occupied_s = 0;  // agent groups only
  double surveys = 0;     // answered surveys
  double sum_csat = 0;
  double outcomes = 0;  // completions with a known resolution
  double resolved = 0;
};

// One agent's time inside [warmup, horizon).
struct AgentTime {
  double staffed_s = 0;
  double occupied_s = 0;
};

struct ReplicationTotals {
  std::vector<Acc> queue_summary;
  std::vector<Acc> group_summary;
  std::vector<std::vector<Acc>> queue_intervals;
  std::vector<std::vector<Acc>> group_intervals;
  std::vector<std::vector<AgentTime>> agent_time;  // [group][agent]
  uint64_t contacts = 0;
  uint64_t events = 0;
  bool invariants_ok = true;
  double wall_seconds = 0;           // the replication's own run time
  metrics::IntervalBatch intervals;  // replication 0 with report_start only
  void Init(size_t queues, size_t groups, size_t intervals) {
    queue_summary.assign(queues, Acc{});
    group_summary.assign(groups, Acc{});
    queue_intervals.assign(queues, std::vector<Acc>(intervals));
    group_intervals.assign(groups, std::vector<Acc>(intervals));
  }
};

// Where simulation time 0 falls on the engine's clock (Scenario::clock_start).
inline absl::Time ClockStart(const Scenario& s) {
  return s.clock_start.value_or(s.report_start.value_or(absl::UnixEpoch()));
}

// The engine options of every replication (the seed aside).
EngineOptions EngineOptionsFor(const Scenario& s);

// RunControl's own checks (check_every_s).
absl::Status CheckControl(const RunControl& control);
// Runs replication `rep` of a resolved scenario into `totals`; an engine
// error becomes Internal naming the replication, a bound or the caller's
// interrupt comes back as it is.
absl::Status RunReplication(const Scenario& scenario, const Resolved& resolved, int rep,
                            const RunControl& control, ReplicationTotals& totals);

// One replication's totals as bytes and back (sim_replication.cc): the
// replication's number and the scenario's shape travel with them and are
// checked on the way back.
std::string EncodeReplication(const Scenario& scenario, int replication,
                              const ReplicationTotals& totals);
absl::Status DecodeReplication(const Scenario& scenario, const Resolved& resolved,
                               int replication, std::string_view bytes,
                               ReplicationTotals& totals);

Result Summarize(const Scenario& scenario, const Resolved& resolved,
                 const std::vector<ReplicationTotals>& totals, double wall_seconds);

}  // namespace ccengine::sim::internal

#endif  // CCENGINE_SRC_SIM_SIM_INTERNAL_H_
