// -----------------------------------------------------------------------------
// File: ccengine/sim/sim.h
// -----------------------------------------------------------------------------
//
// `ccengine::sim::Simulate` runs a staffing scenario through the production
// engine on a virtual clock: a discrete-event simulation whose router is the
// real `Engine` — same queues, skills, relaxation steps, strategies, wrap-up
// and overflow — so what a WFM analyst sizes is what the ACD will do.
//
// The simulation plays both outside parties. Customers arrive (Poisson with a
// piecewise-constant rate per interval, or a trace of timestamps), bring a
// handle time and a patience drawn from their distributions, and abandon when
// patience runs out before an agent answers. Agents log in and out by their
// schedule (a constant count, a count per interval, or shifts with breaks),
// answer every offer at once (auto-accept agents), and work for the contact's
// handle time. Events are ordered by (time, sequence): the same scenario and seed give the same
// result, bit for bit.
//
// Metrics (per queue, per interval and per agent group; formulas in
// docs/simulation.md). Contacts count in the interval, and in the summary,
// of their arrival; contacts arriving during the warm-up are left out; the
// run goes on past the horizon, without new arrivals, until every counted
// contact has an outcome. Busy and staffed time count only inside
// [warmup_s, horizon_s).
//   offered       contacts that entered the queue: arrivals, and contacts
//                 overflowed into it (counted in their arrival's interval)
//   answered      offers accepted (at most one per contact)
//   abandoned     customers who left before being answered
//   short_abandoned  of abandoned: waited less than short_abandon_s
//   overflowed    contacts moved on by max size / max wait (out of the
//                 engine or to the overflow queue)
//   p_wait        contacts that found no agent at once / offered
//   p_abandon     abandoned / offered
//   asa           mean wait of answered contacts
//   service_level by the queue's sl_definition (ccengine/core/kpi.h; the
//                 default: answered within sl_seconds / offered); per
//                 group: answered within / answered
//   aht           mean handle time of answered contacts
//   ewt_count     answered contacts that had to wait and got an estimate
//                 (Engine::EstimateWait, taken as each started waiting; only
//                 with `estimate_waits`)
//   ewt_mean      their mean estimated wait
//   wait_mean     their mean observed wait
//   ewt_coverage  the share of them whose wait fell inside the estimate's
//                 [low, high] interval (nominally 80%)
//                 (the ewt_ figures are per queue in the summary only; NaN,
//                 or 0 for the count, in interval and group rows)
//   occupancy     busy time / staffed time of the agents that can serve the
//                 queue (per group: of the group's agents)
//   csat_mean     mean survey score of the counted contacts' answered surveys
//   fcr_rate      counted contacts resolved / completed with a resolution
//   occupancy_spread  max - min agent occupancy (summary rows only)
// Calendar reports: with `report_start` set, replication 0 also runs with a
// `metrics::Collector` attached, so that its day, week or month reports come
// from the same counting rules and report functions as a live center's
// (ccengine/metrics/intervals.h): `Result::intervals` holds its 15-minute
// queue, agent and group rows, the simulation's time 0 placed at
// `report_start`. These rows are the run as the engine saw it: the warm-up
// included, and past the horizon (without arrivals) until the last counted
// contact's outcome; agents' time runs to the end of the run.
// With `replications` > 1 every figure is the mean over replications, and
// `half_width` holds the 95% Student-t confidence half-width of each.
//
// A routing file (ccengine/config/routing_file.h) can stand in for the
// scenario's skills and queues: `WithRouting` takes them from the file, with
// its strategies, and every queue runs as the file configures it (hours and
// holidays included). Arrival streams then name an entry `flow` and the
// `facts` their contacts carry (an IVR choice, a language, a customer tier),
// and each contact goes where the flow sends it at its arrival: the queue,
// priority class, extra skills and preferred agents of the first rule that
// holds. The flows' time facts and the queues' hours read the engine's
// clock, which starts at `report_start` (else at the Unix epoch). A stream's
// random numbers do not depend on where its contacts go, so two routing
// files run on the same seed meet the same customers (common random
// numbers): the difference in their figures is the routing's. The file's
// roles apply too: once the center is set up, every command of its agents
// and customers (logins, breaks, arrivals, abandonments, callbacks,
// completions) is sent as one actor, `kSimulatorActor`, holding the role
// "system", through an access control made from the file's policy — as the
// production daemon's are. A file whose "system" role does not grant what
// the day needs stops the run with the refusal (PermissionDenied naming the
// permission, e.g. contact.add).
//
// Errors: InvalidArgument for a malformed scenario (the message names the
// field, e.g. "arrivals[0].handle_time: mean must be > 0"), NotFound for a
// name that refers to nothing ("queues[1].skills: unknown skill 'tax'").
//
// Bounds: a scenario is refused before it runs (ResourceExhausted, naming
// the stream or queue and the estimate) when its expected arrivals in one
// replication (rate × time, summed over the streams) exceed
// `max_expected_contacts`, when the interval rows of a report (agents and
// queues × 15-minute intervals of the horizon and one more) would exceed
// `max_report_rows`, or when a queue's estimated backlog exceeds
// `max_backlog`. The backlog estimate is a fluid one, per interval: the
// queue's arrival rate against the most its agents could serve if they
// served nothing else, the backlog carried from one interval to the next,
// and capped by what leaves the queue anyway (patience, max_wait_s,
// max_size) — so a queue nobody can serve, with callers who never give up,
// is refused at once. The estimate leans low (it gives each queue every
// agent who could serve it), so the run also stops with ResourceExhausted
// the moment more than `max_backlog` contacts are waiting, all queues
// together.
//
// Thread safety: `Simulate` is reentrant: each call builds its own engine.
// Scenarios and results are plain values.
//
// Example:
//   ccengine::sim::Scenario s;
//   s.horizon_s = 36000;  s.warmup_s = 3600;  s.skills = {"general"};
//   s.queues.push_back({.name = "general", .skills = {{"general", 1}}});
//   s.agents.push_back({.count = 14, .skills = {{"general", 5}}});
//   s.arrivals.push_back({.queue = "general", .rate_per_s = 0.2,
//       .handle_time = ccengine::sim::Distribution::Exponential(60)});
//   ccengine::sim::Result r = ccengine::sim::Simulate(s).value();

#ifndef CCENGINE_SIM_SIM_H_
#define CCENGINE_SIM_SIM_H_

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/config/routing_file.h"
#include "ccengine/core/agent.h"
#include "ccengine/core/quality.h"
#include "ccengine/core/queue.h"
#include "ccengine/core/strategy.h"
#include "ccengine/core/types.h"
#include "ccengine/metrics/intervals.h"
#include "ccengine/sim/internal/exp_ziggurat.h"

namespace ccengine::sim {

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

// The actor a simulation of a routing file sends its commands as.
inline constexpr char kSimulatorActor[] = "ccengine-sim";

// A non-negative random duration in seconds.
struct Distribution {
  enum class Kind : uint8_t {
    kNone,           // never happens (e.g. infinite patience)
    kExponential,    // mean
    kLognormal,      // mean and sd (of the duration, not of its log)
    kDeterministic,  // always mean
    kEmpirical,      // uniformly one of `samples`
  };
  Kind kind = Kind::kNone;
  double mean = 0;
  double sd = 0;
  std::vector<double> samples;

  static Distribution None() { return {}; }
  static Distribution Exponential(double mean) {
    return {Kind::kExponential, mean, mean, {}};
  }
  static Distribution Lognormal(double mean, double sd) {
    return {Kind::kLognormal, mean, sd, {}};
  }
  static Distribution Deterministic(double value) {
    return {Kind::kDeterministic, value, 0, {}};
  }
  static Distribution Empirical(std::vector<double> samples);
  // `field` prefixes the error message.
  absl::Status Validate(const std::string& field) const;
  // One draw, from any uniform random bit generator (std::mt19937_64, or the
  // simulator's own internal::Mt19937_64, which gives the same numbers).
  // kInfinity for kNone. The exponential and no-draw cases are inlined at
  // each call site (a handle time, a patience: the simulator draws both for
  // every contact), the others are a call.
  template <typename Rng>
  [[gnu::always_inline]] double Sample(Rng& rng) const {
    if (kind == Kind::kExponential) return mean * ccengine::internal::ExpZiggurat(rng);
    if (kind == Kind::kNone) return kInfinity;
    return SampleOther(rng);
  }

 private:
  template <typename Rng>
  double SampleOther(Rng& rng) const;  // lognormal, deterministic, empirical
};

template <typename Rng>
double Distribution::SampleOther(Rng& rng) const {
  if (kind == Kind::kLognormal && sd != 0) {
    const double s2 = std::log1p((sd / mean) * (sd / mean));
    return std::lognormal_distribution<double>(std::log(mean) - s2 / 2,
                                               std::sqrt(s2))(rng);
  }
  if (kind == Kind::kEmpirical) {
    return samples[std::uniform_int_distribution<size_t>(0, samples.size() - 1)(rng)];
  }
  return mean;  // deterministic, or a lognormal without spread
}

struct SkillNeed {
  std::string skill;
  int level = 1;
};

struct Relaxation {
  double after_s = 0;
  std::vector<SkillNeed> skills;
};

struct QueueSpec {
  std::string name;
  std::vector<SkillNeed> skills;
  std::vector<Relaxation> relaxation;
  int priority = 0;
  double sl_seconds = 20;
  double sl_target = 0.8;
  // How `service_level` is formed (ccengine/core/kpi.h), as in the engine.
  ServiceLevelDefinition sl_definition = ServiceLevelDefinition::kWithinOverOffered;
  // An abandon after a wait shorter than this is a short abandon; >= 0.
  double short_abandon_s = 5;
  size_t max_size = 0;  // 0 = unlimited
  double max_wait_s = kInfinity;
  std::string overflow_to;  // a queue name; empty = leave the engine
  double wrap_up_s = 0;
  std::string strategy = "longest_idle";  // any engine strategy by name
  double aging_weight = 1.0;
  // Weights of the "satisfaction" strategy for this queue (defaults of
  // `SatisfactionWeights` when unset); only with strategy "satisfaction".
  std::optional<SatisfactionWeights> satisfaction;
  FairnessGuards guards;
  // Share of completed contacts whose customer answers the CSAT survey.
  double survey_rate = 0;
};

struct Shift {
  double start_s = 0;
  double end_s = kInfinity;
  int count = 1;  // agents working this shift
  struct Break {
    double start_s = 0;
    double duration_s = 0;
  };
  std::vector<Break> breaks;  // each agent of the shift takes them
};

struct AgentGroupSpec {
  std::string name;  // defaults to "group<i>"
  // Exactly one way of staffing: `count` for the whole run, `counts` per
  // interval (index i covers [i × interval_s, (i + 1) × interval_s); the
  // last count holds after the end of the list), or `shifts`.
  int count = 0;
  std::vector<int> counts;
  std::vector<Shift> shifts;
  std::vector<SkillNeed> skills;
  Capacity capacity;
  // With a routing file: the agent profile whose skills and capacity the
  // group takes (WithRouting fills `skills` and `capacity` from it).
  std::string profile;
  // The group's true quality: each completed contact's survey score is drawn
  // with this mean (1 + Binomial(4, (csat_mean - 1) / 4), answered with the
  // queue's survey_rate) and it is resolved with probability fcr_rate. The
  // outcome is reported to the engine, which learns from it. NaN: no
  // outcome of that kind.
  double csat_mean = std::numeric_limits<double>::quiet_NaN();  // in [1, 5]
  double fcr_rate = std::numeric_limits<double>::quiet_NaN();   // in [0, 1]
};

// A fact an arriving contact carries into its entry flow, of the type the
// routing file declares for it.
using FactValue = config::FactValue;

struct ArrivalSpec {
  std::string queue;  // a queue, or (with a routing file) empty and a flow
  // With a routing file: the entry flow that routes the stream's contacts,
  // and the facts every one of them carries (attributes the file declares;
  // contact.channel and time.* are set per contact). The flow's target gives
  // the contact's queue, priority class (`priority` must then be 0;
  // `priority_fraction` still raises it), skills (added to `skills`),
  // preferred agents and preference wait. A last-agent preference has no
  // effect: simulated contacts have no customer history.
  std::string flow;
  std::map<std::string, FactValue> facts;
  Channel channel = Channel::kVoice;
  // Exactly one of: a constant rate, a rate per interval, or a trace of
  // arrival times (seconds from the start, ascending).
  double rate_per_s = 0;
  std::vector<double> rates_per_interval;
  std::vector<double> trace;
  Distribution handle_time = Distribution::Exponential(180);
  Distribution patience;  // kNone: never abandons
  // Virtual hold: a caller still waiting after this many seconds asks for a
  // callback (`Engine::RequestCallback`) instead of abandoning: it keeps its
  // place, is served on the callback channel (the agents need callback
  // capacity) and counts as answered when an agent takes it. Infinite:
  // never. Voice and video arrivals only; >= 0.
  double callback_after_s = kInfinity;
  int priority = 0;
  double priority_fraction = 0;   // share of contacts raised to priority + 1
  std::vector<SkillNeed> skills;  // the contact's own requirements
};

struct Scenario {
  uint64_t seed = 1;
  double horizon_s = 3600;
  double warmup_s = 0;
  double interval_s = 1800;
  int replications = 1;
  std::vector<std::string> skills;
  std::vector<QueueSpec> queues;
  std::vector<AgentGroupSpec> agents;
  std::vector<ArrivalSpec> arrivals;
  // Take Engine::EstimateWait for each counted contact that has to wait,
  // for the ewt_ figures (one estimate per waiting contact; off by default).
  bool estimate_waits = false;
  QualityOptions quality;       // how the engine learns from outcomes
  double work_window_s = 1800;  // the engine's occupancy window (guards)
  // Bounds on the work and memory of a run, checked before it starts (see
  // "Bounds" above) and, for the backlog and the report rows, while it runs.
  // Raise them for a bigger run; all must be > 0.
  double max_expected_contacts = 1e8;  // per replication, all streams together
  double max_backlog = 1e6;            // contacts waiting at once
  // With `report_start`: the most 15-minute rows kept (about 200 bytes
  // each), counted as (agents + queues) × quarter hours run so far; a run
  // that goes past it (a long drain after the horizon) stops with
  // ResourceExhausted.
  double max_report_rows = 2e6;
  // Where the simulation's time 0 falls on the calendar, for reports (see
  // "Calendar reports" above); on a 15-minute boundary since the Unix epoch
  // (midnight in any time zone whose offset is whole quarter hours). Unset:
  // no interval rows are kept.
  std::optional<absl::Time> report_start;
  // Where the simulation's time 0 falls on the engine's clock, which queue
  // hours, holidays and a routing file's time rules read. Unset: at
  // report_start, else at the Unix epoch. (The staffing search keeps it
  // when it drops report_start, and moves it with each window it runs.)
  std::optional<absl::Time> clock_start;
  // The routing file `skills` and `queues` came from (set by WithRouting).
  std::shared_ptr<const config::RoutingConfig> routing;
  // With a routing file: the share of each queue's answered contacts that
  // answer a survey (QueueSpec::survey_rate), by queue name; WithRouting
  // sets it on the queues. Others: none.
  std::map<std::string, double> survey_rates;
};

// `scenario` with the skills, queues and strategies of a routing file: the
// scenario must list no skills or queues of its own. Each queue's QueueSpec
// is filled from the file (its name, skills, relaxation, service-level
// terms, limits, overflow, wrap-up, strategy, guards) for the checks and
// reports; the engine gets the file's own QueueConfig, so what a QueueSpec
// cannot hold (hours, holidays) holds too; `survey_rates` set the queues'
// survey rates. Agent groups that name a `profile` take its skills and
// capacity (and may list no skills). Errors: InvalidArgument naming the
// field; NotFound for an unknown profile or survey queue.
absl::StatusOr<Scenario> WithRouting(
    Scenario scenario, std::shared_ptr<const config::RoutingConfig> routing);

// One row of figures (see the header comment for the formulas).
struct Metrics {
  double offered = 0;
  double answered = 0;
  double abandoned = 0;
  double short_abandoned = 0;
  double overflowed = 0;
  double p_wait = 0;
  double p_abandon = 0;
  double asa = 0;
  double ewt_count = 0;
  double ewt_mean = 0;
  double wait_mean = 0;
  double ewt_coverage = 0;
  double service_level = 0;
  double aht = 0;
  double occupancy = 0;
  double agents = 0;     // mean agents logged in (per interval / group rows)
  double csat_mean = 0;  // mean survey score of answered surveys
  double fcr_rate = 0;   // resolved / completed with a known resolution
  // Max - min of the agents' occupancy over [warmup_s, horizon_s) among the
  // agents that can serve the queue (per group: the group's agents); summary
  // rows only (NaN per interval).
  double occupancy_spread = 0;
};

struct Row {
  Metrics value;
  Metrics half_width;  // zero unless replications > 1
};

struct Result {
  std::map<std::string, Row> queues;     // summary per queue
  std::map<std::string, Row> groups;     // summary per agent group
  std::vector<double> interval_start_s;  // one per interval
  std::map<std::string, std::vector<Row>> queue_intervals;
  std::map<std::string, std::vector<Row>> group_intervals;
  uint64_t contacts = 0;      // simulated, warm-up and all replications included
  uint64_t events = 0;        // simulation events processed
  double wall_seconds = 0;    // real time the run took
  bool invariants_ok = true;  // Engine::CheckInvariants after each replication
  // With `report_start`: replication 0's 15-minute rows (one sample path, as
  // a real center's day or month is), for metrics::QueueReport and the rest.
  metrics::IntervalBatch intervals;
};

// Called after each replication with (done, total).
using Progress = std::function<void(int, int)>;

// How a caller watches and stops a run.
struct RunControl {
  Progress progress;  // after each replication; may be empty
  // Called from the simulating thread about every `check_every_s` of wall
  // time while the run works; a non-OK status stops the run at once (the
  // engine and everything the run built are freed) and the call returns
  // that status. Must not throw. The Python binding checks for Ctrl-C here.
  // May be empty.
  std::function<absl::Status()> interrupt;
  double check_every_s = 0.05;  // in (0, 3600]
};

// The checks Simulate makes before it runs (the scenario's fields, its
// names, the bounds), without running it.
absl::Status CheckScenario(const Scenario& scenario);

absl::StatusOr<Result> Simulate(const Scenario& scenario, const RunControl& control);
absl::StatusOr<Result> Simulate(const Scenario& scenario,
                                const Progress& progress = nullptr);

// A scenario's replications one at a time, to run them in parallel — other
// threads, processes or machines — and combine them afterwards into exactly
// the Result `Simulate` gives, figure for figure (`wall_seconds` aside: the
// sum of the replications' own). Replication r draws the same numbers
// wherever it runs (its seeds are the scenario's seed and r).
//
// `SimulateReplication` returns replication `replication` (0-based, below
// `scenario.replications`) as opaque bytes: its raw counters, the scenario's
// shape and the replication's number. `CombineReplications` takes one entry
// per replication, in order, each from the same scenario; bytes that are
// damaged, out of order or from a scenario of another shape are refused
// (InvalidArgument, naming the entry and the byte offset).
absl::StatusOr<std::string> SimulateReplication(const Scenario& scenario, int replication,
                                                const RunControl& control = {});
absl::StatusOr<Result> CombineReplications(const Scenario& scenario,
                                           const std::vector<std::string>& replications);

}  // namespace ccengine::sim

#endif  // CCENGINE_SIM_SIM_H_
