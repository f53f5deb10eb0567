// -----------------------------------------------------------------------------
// File: bindings/python/register_staffing.cc
// -----------------------------------------------------------------------------
//
// `ccengine.optimize_staffing`: sim::OptimizeStaffing from plain data. The
// search runs without the GIL; Ctrl-C stops it (KeyboardInterrupt).

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ccengine/sim/staffing.h"
#include "common.h"
#include "fmt/format.h"
#include "sim_binding.h"

namespace ccengine::python {
namespace {

using namespace pybind11::literals;

std::map<std::string, sim::QueueTargets> ToTargets(py::handle value) {
  if (!py::isinstance<py::dict>(value)) {
    RaiseInvalid(fmt::format("targets: expected a dict of queue name -> targets, got {}",
                             TypeName(value)));
  }
  std::map<std::string, sim::QueueTargets> out;
  for (auto [key, item] : py::reinterpret_borrow<py::dict>(value)) {
    const std::string name = ToString(key, "targets");
    DictReader r(item, fmt::format("targets['{}']", name));
    sim::QueueTargets t;
    t.service_level = r.Double("service_level", t.service_level);
    t.max_abandon = r.Double("max_abandon", t.max_abandon);
    t.max_asa = r.Double("max_asa", t.max_asa);
    t.max_occupancy = r.Double("max_occupancy", t.max_occupancy);
    r.Finish();
    out[name] = t;
  }
  return out;
}

template <typename T, typename Convert>
std::map<std::string, T> ToNamed(py::handle value, const std::string& path,
                                 Convert convert) {
  std::map<std::string, T> out;
  if (value.is_none()) return out;
  if (!py::isinstance<py::dict>(value)) {
    RaiseInvalid(fmt::format("{}: expected a dict of group name -> value, got {}", path,
                             TypeName(value)));
  }
  for (auto [key, item] : py::reinterpret_borrow<py::dict>(value)) {
    const std::string name = ToString(key, path);
    out[name] = convert(item, fmt::format("{}['{}']", path, name));
  }
  return out;
}

template <typename T>
py::dict NamedToDict(const std::map<std::string, std::vector<T>>& named) {
  py::dict out;
  for (const auto& [name, values] : named) {
    py::list list;
    for (T v : values) list.append(v);
    out[py::str(name)] = list;
  }
  return out;
}

int CountMet(const std::map<std::string, std::vector<bool>>& met) {
  int n = 0;
  for (const auto& [name, values] : met) {
    for (bool m : values) n += m;
  }
  return n;
}

py::dict OptimizeStaffing(const py::object& scenario, const py::object& targets,
                          double confidence, int min_replications, int max_replications,
                          int warmup_intervals, int max_agents, int max_rounds,
                          int threads, const py::object& group_cost,
                          const py::object& start, bool pad_erlang_plan,
                          py::object progress) {
  sim::Scenario s = ToScenario(scenario);
  sim::StaffingOptions o;
  o.confidence = confidence;
  o.min_replications = min_replications;
  o.max_replications = max_replications;
  o.warmup_intervals = warmup_intervals;
  o.max_agents = max_agents;
  o.max_rounds = max_rounds;
  o.threads = threads;
  o.pad_erlang_plan = pad_erlang_plan;
  o.group_cost = ToNamed<double>(group_cost, "group_cost", ToDouble);
  o.start = ToNamed<std::vector<int>>(
      start, "start", [](py::handle v, const std::string& path) {
        std::vector<int> counts;
        py::list list = ToList(v, path);
        for (size_t i = 0; i < list.size(); ++i) {
          const int64_t c = ToInt(list[i], Index(path, i));
          if (c < 0 || c > 1'000'000)
            RaiseInvalid(Index(path, i) + ": must be in 0..1000000");
          counts.push_back(static_cast<int>(c));
        }
        return counts;
      });
  const std::map<std::string, sim::QueueTargets> t = ToTargets(targets);
  PythonRun run(std::move(progress));
  sim::RunControl control = run.control();
  o.control = control;
  absl::StatusOr<sim::StaffingResult> result;
  {
    py::gil_scoped_release release;
    result = sim::OptimizeStaffing(s, t, o);
  }
  const sim::StaffingResult r = run.Finish(std::move(result));
  py::dict out;
  int queue_intervals = 0;
  for (const auto& [name, met] : r.met) queue_intervals += static_cast<int>(met.size());
  out["groups"] = NamedToDict(r.groups);
  out["erlang_groups"] = NamedToDict(r.erlang_groups);
  out["achieved"] = ResultToDict(r.achieved, o.max_replications);
  out["erlang_achieved"] = ResultToDict(r.erlang_achieved, o.max_replications);
  out["met"] = NamedToDict(r.met);
  out["erlang_met"] = NamedToDict(r.erlang_met);
  out["queue_intervals"] = queue_intervals;
  out["intervals_met"] = CountMet(r.met);
  out["erlang_intervals_met"] = CountMet(r.erlang_met);
  out["agent_hours"] = r.agent_hours;
  out["erlang_agent_hours"] = r.erlang_agent_hours;
  out["cost"] = r.cost;
  out["erlang_cost"] = r.erlang_cost;
  if (pad_erlang_plan) {
    out["padded_groups"] = NamedToDict(r.padded_groups);
    out["padded_achieved"] = ResultToDict(r.padded_achieved, o.max_replications);
    out["padded_met"] = NamedToDict(r.padded_met);
    out["padded_intervals_met"] = CountMet(r.padded_met);
    out["padded_agent_hours"] = r.padded_agent_hours;
    out["padded_cost"] = r.padded_cost;
  }
  out["replications_run"] = r.replications_run;
  return out;
}

}  // namespace

void RegisterStaffing(py::module_& m) {
  const sim::StaffingOptions d;
  m.def("optimize_staffing", &OptimizeStaffing, "scenario"_a, "targets"_a, py::kw_only(),
        "confidence"_a = d.confidence, "min_replications"_a = d.min_replications,
        "max_replications"_a = d.max_replications,
        "warmup_intervals"_a = d.warmup_intervals, "max_agents"_a = d.max_agents,
        "max_rounds"_a = d.max_rounds, "threads"_a = d.threads,
        "group_cost"_a = py::none(), "start"_a = py::none(), "pad_erlang_plan"_a = false,
        "progress"_a = py::none(),
        R"doc(The fewest agents per interval and agent group whose simulated day —
through the production routing, backlog carried from one interval to the
next — meets each queue's targets in every interval at ``confidence``
(docs/staffing.md). Starts from the Erlang plan.

Args:
    scenario: as for ``simulate``; every agent group staffed by ``count`` or
        ``counts`` (the plan replaces them), not by shifts.
    targets: {queue name: {"service_level": 0.8, "max_abandon": 0.05,
        "max_asa": 30, "max_occupancy": 0.9}} (any of them; service level by
        the queue's own ``sl_seconds``).
    confidence: one-sided, of "meets" (a Student-t bound over the
        replications).
    min_replications, max_replications: per candidate plan (replications are
        added while a bound straddles a target); max_replications also for
        the whole-day checks and the reported figures.
    warmup_intervals: intervals simulated before each decided interval.
    max_agents: per group and interval.
    max_rounds: of the whole-day check that adds agents where it fails.
    threads: threads running a candidate's replications (0: one per CPU);
        the plan does not depend on it.
    group_cost: {group: cost of an agent-hour} (default 1 each).
    start: {group: [agents per interval]} instead of the Erlang plan.
    pad_erlang_plan: also report the Erlang plan padded until its day meets.
    progress: None or a callable(done, total), per decided interval.

Returns:
    {"groups": {group: [agents per interval]}, "erlang_groups",
    "achieved" / "erlang_achieved" (the day under each plan, as ``simulate``
    returns it, max_replications replications), "met" / "erlang_met"
    ({queue: [bool per interval]}), "queue_intervals", "intervals_met",
    "erlang_intervals_met", "agent_hours", "erlang_agent_hours", "cost",
    "erlang_cost", "replications_run"} and, with pad_erlang_plan, the same
    "padded_" entries.

Raises:
    ValueError: a malformed scenario, target or option (names the field).
    CcengineError: RESOURCE_EXHAUSTED when no plan up to max_agents meets an
        interval, or the scenario is beyond its bounds.
    KeyboardInterrupt: Ctrl-C.
)doc");
}

}  // namespace ccengine::python
