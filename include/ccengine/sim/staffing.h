// -----------------------------------------------------------------------------
// File: ccengine/sim/staffing.h
// -----------------------------------------------------------------------------
//
// `ccengine::sim::OptimizeStaffing` finds the fewest agents per interval and
// agent group whose simulated day — through the production routing, with
// overflow, shared agents, concurrency and the backlog one interval leaves to
// the next — meets every queue's targets in every interval, at a chosen
// confidence. Erlang formulas assume one skill, a steady state inside each
// interval and no carry-over; the simulation assumes none of that.
//
// The search (docs/staffing.md has the details and its limits):
//   1. Start: the Erlang plan — each queue's Erlang A agents per interval
//      (Erlang C without patience; handle time plus wrap-up) for its
//      service-level target, divided by the channel's concurrency and shared
//      equally among the queue's own groups (those meeting its first step;
//      if none, those able to serve it after relaxation) — or
//      `StaffingOptions::start`.
//   2. Interval by interval, in time order, with the earlier intervals fixed:
//      a window of `warmup_intervals` intervals before the one decided is
//      simulated with it, so its starting backlog is the plan's own. If the
//      interval fails, the groups serving a failing queue grow (1, 2, 4, …
//      agents) until it meets; then each group in turn, dearest first
//      (`group_cost`), is cut to the fewest agents that still meet (a
//      bisection), and one agent is moved from dearer to cheaper groups while
//      that keeps the interval meeting. Candidates are compared on common
//      random numbers: the same replications of the same window.
//   3. The whole day is simulated with the plan; a queue-interval that fails
//      there (a later interval's staffing changes how an earlier one ends)
//      gets one more agent in the cheapest group serving the queue, until
//      every interval meets or `max_rounds` is spent (then `met` says where).
//   4. Trim: single agents are taken out, busiest intervals first, each cut
//      kept only if the whole day still meets everywhere.
//
// "Meets at confidence c": over the replications, the one-sided c-level
// Student-t bound of the mean is on the right side of every target
// (service level: the lower bound >= the target; caps: the upper bound <=
// the cap). Replications are added (doubling, up to max_replications) while
// a bound straddles a target; at max_replications the mean decides. A
// queue-interval with nothing offered meets; one with a contact that never
// got an outcome (still waiting at the end) fails; a candidate too small for
// the scenario's bounds fails. The scenario's `report_start` is not used
// (no candidate keeps interval rows): simulate the plan found for them.
//
// Errors: InvalidArgument for bad targets or options (naming the field),
// for a group staffed by shifts (only `count` or `counts` can be planned),
// NotFound for a target naming no queue or an option naming no group;
// ResourceExhausted when no plan up to `max_agents` per group meets an
// interval, or intervals × (queues + groups) × max_replications exceeds 4
// million (the whole-day checks hold them all); the scenario's own errors as
// `Simulate` gives them; the interrupt's status as it is.
//
// Thread safety: reentrant; each call builds its own engines, and runs the
// replications of a candidate plan on `threads` threads of its own (each
// replication its own engine; the scenario is only read).
//
// Example:
//   ccengine::sim::StaffingResult r = ccengine::sim::OptimizeStaffing(
//       day, {{"policy", {.service_level = 0.8, .max_abandon = 0.05}}}).value();
//   r.groups.at("agents");  // agents per interval

#ifndef CCENGINE_SIM_STAFFING_H_
#define CCENGINE_SIM_STAFFING_H_

#include <limits>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ccengine/sim/sim.h"

namespace ccengine::sim {

// What one queue must achieve in every interval (figures as sim.h defines
// them). NaN: no such target. At least one per queue named.
struct QueueTargets {
  double service_level = std::numeric_limits<double>::quiet_NaN();  // at least
  double max_abandon = std::numeric_limits<double>::quiet_NaN();    // p_abandon
  double max_asa = std::numeric_limits<double>::quiet_NaN();        // seconds
  // Occupancy of the agents who can serve the queue, at most.
  double max_occupancy = std::numeric_limits<double>::quiet_NaN();
};

struct StaffingOptions {
  double confidence = 0.9;    // one-sided, in (0.5, 1)
  int min_replications = 6;   // >= 3
  int max_replications = 24;  // also of the whole-day check and the figures
  int warmup_intervals = 2;   // simulated before each decided interval
  int max_agents = 2000;      // per group and interval
  int max_rounds = 20;        // of the whole-day check, <= 1000
  // The cost of an agent-hour of each group (by name; default 1): the plan
  // is the cheapest found, and cuts start with the dearest group.
  std::map<std::string, double> group_cost;
  // A starting plan (group name -> agents per interval); empty: the Erlang
  // plan. Groups left out start from the Erlang plan.
  std::map<std::string, std::vector<int>> start;
  // Also pad the Erlang plan (step 3 alone, from the Erlang plan) and report
  // it: what keeping Erlang and adding agents where the day falls short
  // costs.
  bool pad_erlang_plan = false;
  // Threads that run a candidate's replications side by side (0: one per
  // CPU). The plan does not depend on it: replication r draws the same
  // numbers on any thread.
  int threads = 0;
  // interrupt: as for Simulate, called from the calling thread only;
  // progress(done, total): per decided interval.
  RunControl control;
};

struct StaffingResult {
  // Agents per interval of each group (by name): the plan found, the Erlang
  // plan it started from, and (with pad_erlang_plan) the padded Erlang plan.
  std::map<std::string, std::vector<int>> groups;
  std::map<std::string, std::vector<int>> erlang_groups;
  std::map<std::string, std::vector<int>> padded_groups;
  // The whole day under each plan, max_replications replications on the same
  // seeds (figures with their 95% half-widths).
  Result achieved;
  Result erlang_achieved;
  Result padded_achieved;
  // Whether each queue meets its targets in each interval (by name).
  std::map<std::string, std::vector<bool>> met;
  std::map<std::string, std::vector<bool>> erlang_met;
  std::map<std::string, std::vector<bool>> padded_met;
  // Agent-hours inside the horizon, and the same weighted by group_cost.
  double agent_hours = 0;
  double erlang_agent_hours = 0;
  double padded_agent_hours = 0;
  double cost = 0;
  double erlang_cost = 0;
  double padded_cost = 0;
  uint64_t replications_run = 0;  // simulated replications, windows included
};

absl::StatusOr<StaffingResult> OptimizeStaffing(
    const Scenario& scenario, const std::map<std::string, QueueTargets>& targets,
    const StaffingOptions& options = {});

}  // namespace ccengine::sim

#endif  // CCENGINE_SIM_STAFFING_H_
