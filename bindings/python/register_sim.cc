// -----------------------------------------------------------------------------
// File: bindings/python/register_sim.cc
// -----------------------------------------------------------------------------
//
// ccengine._ccengine.simulate: a plain-data (JSON-able) scenario dict becomes a
// `ccengine::sim::Scenario`, the simulation runs without the GIL, and the
// `Result` comes back as nested dicts. Every key is checked: an unknown one
// raises ValueError naming its path ("arrivals[0].handle_time: unknown key
// 'meen' (did you mean 'mean'?)"), as does any fault the simulator finds,
// a name that refers to nothing included: a scenario is one argument, and
// all its faults are ValueErrors.

#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/sim/sim.h"
#include "common.h"
#include "fmt/format.h"
#include "metrics_binding.h"
#include "sim_binding.h"

namespace ccengine::python {

[[noreturn]] void RaiseScenarioError(const absl::Status& st) {
  if (st.code() == absl::StatusCode::kNotFound) {
    RaiseStatus(absl::InvalidArgumentError(std::string(st.message())));
  }
  RaiseStatus(st);
}

namespace {

using namespace pybind11::literals;
using sim::Distribution;

int ToInt32Field(py::handle value, const std::string& path) {
  int64_t v = ToInt(value, path);
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
    RaiseInvalid(fmt::format("{}: {} does not fit a 32-bit integer", path, v));
  }
  return static_cast<int>(v);
}

std::vector<double> ToDoubles(py::handle value, const std::string& path) {
  std::vector<double> out;
  py::list list = ToList(value, path);
  out.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i)
    out.push_back(ToDouble(list[i], Index(path, i)));
  return out;
}

// {"general": 5} or [["general", 5], ...].
std::vector<sim::SkillNeed> ToNeeds(py::handle value, const std::string& path) {
  std::vector<sim::SkillNeed> out;
  if (value.is_none()) return out;
  if (PyDict_Check(value.ptr())) {
    for (auto item : py::reinterpret_borrow<py::dict>(value)) {
      std::string skill = ToString(item.first, path);
      out.push_back({skill, ToInt32Field(item.second, Child(path, skill))});
    }
    return out;
  }
  py::list list = ToList(value, path);
  for (size_t i = 0; i < list.size(); ++i) {
    py::list pair = ToList(list[i], Index(path, i));
    if (pair.size() != 2) {
      RaiseInvalid(fmt::format("{}: expected a [skill, level] pair", Index(path, i)));
    }
    out.push_back(
        {ToString(pair[0], Index(path, i)), ToInt32Field(pair[1], Index(path, i))});
  }
  return out;
}

Distribution ToDistribution(py::handle value, const std::string& path) {
  if (value.is_none()) return Distribution::None();
  DictReader r(value, path);
  const std::string dist = ToString(r.Require("dist"), r.Path("dist"));
  Distribution d;
  if (dist == "none") {
    d = Distribution::None();
  } else if (dist == "exponential") {
    d = Distribution::Exponential(ToDouble(r.Require("mean"), r.Path("mean")));
  } else if (dist == "deterministic") {
    d = Distribution::Deterministic(ToDouble(r.Require("mean"), r.Path("mean")));
  } else if (dist == "lognormal") {
    double mean = ToDouble(r.Require("mean"), r.Path("mean"));
    d = Distribution::Lognormal(mean, ToDouble(r.Require("sd"), r.Path("sd")));
  } else if (dist == "empirical") {
    d = Distribution::Empirical(ToDoubles(r.Require("samples"), r.Path("samples")));
  } else {
    RaiseInvalid(fmt::format(
        "{}: unknown dist '{}' (known: exponential, lognormal, deterministic, "
        "empirical, none)",
        path, dist));
  }
  r.Finish();  // e.g. "sd" on an exponential is a mistake, not a no-op
  return d;
}

sim::QueueSpec ToQueueSpec(py::handle value, const std::string& path) {
  DictReader r(value, path);
  sim::QueueSpec q;
  q.name = ToString(r.Require("name"), r.Path("name"));
  q.skills = ToNeeds(r.Get("skills"), r.Path("skills"));
  if (py::object steps = r.Get("relaxation"); !steps.is_none()) {
    py::list list = ToList(steps, r.Path("relaxation"));
    for (size_t i = 0; i < list.size(); ++i) {
      DictReader s(list[i], Index(r.Path("relaxation"), i));
      sim::Relaxation step;
      step.after_s = ToDouble(s.Require("after_s"), s.Path("after_s"));
      step.skills = ToNeeds(s.Get("skills"), s.Path("skills"));
      s.Finish();
      q.relaxation.push_back(std::move(step));
    }
  }
  q.priority = ToInt32Field(py::int_(r.Int("priority", q.priority)), r.Path("priority"));
  q.sl_seconds = r.Double("sl_seconds", q.sl_seconds);
  q.sl_target = r.Double("sl_target", q.sl_target);
  if (r.Has("sl_definition")) {
    q.sl_definition =
        ToServiceLevelDefinition(r.String("sl_definition", ""), r.Path("sl_definition"));
  }
  q.short_abandon_s = r.Double("short_abandon_s", q.short_abandon_s);
  int64_t max_size = r.Int("max_size", 0);
  if (max_size < 0) {
    RaiseInvalid(fmt::format("{}: must be >= 0 (0 = unlimited), got {}",
                             r.Path("max_size"), max_size));
  }
  q.max_size = static_cast<size_t>(max_size);
  q.max_wait_s = r.Double("max_wait_s", sim::kInfinity);  // None: never
  q.overflow_to = r.String("overflow_to", "");
  q.wrap_up_s = r.Double("wrap_up_s", q.wrap_up_s);
  q.strategy = r.String("strategy", q.strategy);
  q.aging_weight = r.Double("aging_weight", q.aging_weight);
  if (py::object w = r.Get("satisfaction"); !w.is_none()) {
    DictReader sr(w, r.Path("satisfaction"));
    SatisfactionWeights sw;
    sw.quality = sr.Double("quality", sw.quality);
    sw.csat_share = sr.Double("csat_share", sw.csat_share);
    sw.proficiency = sr.Double("proficiency", sw.proficiency);
    sw.idle = sr.Double("idle", sw.idle);
    sw.occupancy = sr.Double("occupancy", sw.occupancy);
    sw.occupancy_target = sr.Double("occupancy_target", sw.occupancy_target);
    if (sr.Has("idle_scale_s")) {
      sw.idle_scale = ToDuration(sr.Get("idle_scale_s"), sr.Path("idle_scale_s"));
    }
    sw.min_idle_for_quality =
        ToInt32Field(py::int_(sr.Int("min_idle_for_quality", sw.min_idle_for_quality)),
                     sr.Path("min_idle_for_quality"));
    if (sr.Has("quality_fade_s")) {
      sw.quality_fade = ToDuration(sr.Get("quality_fade_s"), sr.Path("quality_fade_s"));
    }
    if (sr.Has("max_hold_s")) {
      sw.max_hold = ToDuration(sr.Get("max_hold_s"), sr.Path("max_hold_s"));
    }
    sw.hold_margin = sr.Double("hold_margin", sw.hold_margin);
    sr.Finish();
    q.satisfaction = sw;
  }
  q.guards = ToGuards(r.Get("guards"), r.Path("guards"));
  q.survey_rate = r.Double("survey_rate", q.survey_rate);
  r.Finish();
  return q;
}

sim::AgentGroupSpec ToGroupSpec(py::handle value, const std::string& path) {
  DictReader r(value, path);
  sim::AgentGroupSpec g;
  g.name = r.String("name", "");
  g.count = ToInt32Field(py::int_(r.Int("count", 0)), r.Path("count"));
  if (py::object counts = r.Get("counts"); !counts.is_none()) {
    py::list list = ToList(counts, r.Path("counts"));
    for (size_t i = 0; i < list.size(); ++i) {
      g.counts.push_back(ToInt32Field(list[i], Index(r.Path("counts"), i)));
    }
  }
  if (py::object shifts = r.Get("shifts"); !shifts.is_none()) {
    py::list list = ToList(shifts, r.Path("shifts"));
    for (size_t i = 0; i < list.size(); ++i) {
      DictReader s(list[i], Index(r.Path("shifts"), i));
      sim::Shift shift;
      shift.start_s = s.Double("start_s", 0);
      shift.end_s = s.Double("end_s", sim::kInfinity);
      shift.count = ToInt32Field(py::int_(s.Int("count", 1)), s.Path("count"));
      if (py::object breaks = s.Get("breaks"); !breaks.is_none()) {
        py::list bl = ToList(breaks, s.Path("breaks"));
        for (size_t b = 0; b < bl.size(); ++b) {
          DictReader br(bl[b], Index(s.Path("breaks"), b));
          sim::Shift::Break brk;
          brk.start_s = ToDouble(br.Require("start_s"), br.Path("start_s"));
          brk.duration_s = ToDouble(br.Require("duration_s"), br.Path("duration_s"));
          br.Finish();
          shift.breaks.push_back(brk);
        }
      }
      s.Finish();
      g.shifts.push_back(std::move(shift));
    }
  }
  g.skills = ToNeeds(r.Get("skills"), r.Path("skills"));
  if (py::object profile = r.Get("profile"); !profile.is_none()) {
    g.profile = ToString(profile, r.Path("profile"));
  }
  if (py::object capacity = r.Get("capacity"); !capacity.is_none()) {
    g.capacity = ToCapacity(capacity, r.Path("capacity"));
  }
  g.csat_mean = r.Double("csat_mean", g.csat_mean);
  g.fcr_rate = r.Double("fcr_rate", g.fcr_rate);
  r.Finish();
  return g;
}

sim::ArrivalSpec ToArrivalSpec(py::handle value, const std::string& path) {
  DictReader r(value, path);
  sim::ArrivalSpec a;
  if (py::object queue = r.Get("queue"); !queue.is_none()) {
    a.queue = ToString(queue, r.Path("queue"));
  }
  if (py::object flow = r.Get("flow"); !flow.is_none()) {
    a.flow = ToString(flow, r.Path("flow"));
  }
  if (a.queue.empty() && a.flow.empty()) {
    RaiseInvalid(fmt::format("{}: give a queue, or a flow of the routing file", path));
  }
  if (py::object facts = r.Get("facts"); !facts.is_none())
    a.facts = ToFacts(facts, r.Path("facts"));
  if (r.Has("channel")) a.channel = ToChannel(r.Get("channel"), r.Path("channel"));
  a.rate_per_s = r.Double("rate_per_s", 0);
  if (py::object rates = r.Get("rates_per_interval"); !rates.is_none()) {
    a.rates_per_interval = ToDoubles(rates, r.Path("rates_per_interval"));
  }
  if (py::object trace = r.Get("trace"); !trace.is_none()) {
    a.trace = ToDoubles(trace, r.Path("trace"));
  }
  if (r.Has("handle_time")) {
    a.handle_time = ToDistribution(r.Get("handle_time"), r.Path("handle_time"));
  }
  a.patience = ToDistribution(r.Get("patience"), r.Path("patience"));
  a.priority = ToInt32Field(py::int_(r.Int("priority", 0)), r.Path("priority"));
  a.priority_fraction = r.Double("priority_fraction", 0);
  a.skills = ToNeeds(r.Get("skills"), r.Path("skills"));
  // {"after_s": 60}: a caller still waiting after 60 s asks for a callback.
  if (r.Has("callback")) {
    DictReader cb(r.Get("callback"), r.Path("callback"));
    a.callback_after_s = ToDouble(cb.Require("after_s"), cb.Path("after_s"));
    cb.Finish();
  }
  r.Finish();
  return a;
}

template <typename T, typename F>
std::vector<T> ToSpecs(py::handle value, const std::string& path, F convert) {
  std::vector<T> out;
  if (value.is_none()) return out;
  py::list list = ToList(value, path);
  for (size_t i = 0; i < list.size(); ++i)
    out.push_back(convert(list[i], Index(path, i)));
  return out;
}

}  // namespace

std::map<std::string, sim::FactValue> ToFacts(py::handle value, const std::string& path) {
  if (!PyDict_Check(value.ptr())) {
    RaiseInvalid(
        fmt::format("{}: expected a dict of facts, got {}", path, TypeName(value)));
  }
  std::map<std::string, sim::FactValue> out;
  for (auto item : py::reinterpret_borrow<py::dict>(value)) {
    const std::string name = ToString(item.first, path);
    const std::string at = Child(path, name);
    py::handle v = item.second;
    if (v.is_none()) continue;  // unset, as if absent
    if (PyBool_Check(v.ptr())) {
      out[name] = v.cast<bool>();
    } else if (PyUnicode_Check(v.ptr())) {
      out[name] = ToString(v, at);
    } else if (PyLong_Check(v.ptr()) || PyFloat_Check(v.ptr())) {
      out[name] = ToDouble(v, at);
    } else if (PyList_Check(v.ptr()) || PyTuple_Check(v.ptr())) {
      std::vector<std::string> values;
      size_t i = 0;
      for (auto x : py::reinterpret_borrow<py::sequence>(v)) {
        values.push_back(ToString(x, Index(at, i++)));
      }
      out[name] = std::move(values);
    } else {
      RaiseInvalid(fmt::format("{}: expected a str, bool, number or list of str, got {}",
                               at, TypeName(v)));
    }
  }
  return out;
}

sim::Scenario ToScenario(py::handle value) {
  DictReader r(value, "", "scenario");
  sim::Scenario s;
  int64_t seed = r.Int("seed", 1);
  if (seed < 0) RaiseInvalid(fmt::format("seed: must be >= 0, got {}", seed));
  s.seed = static_cast<uint64_t>(seed);
  s.horizon_s = r.Double("horizon_s", s.horizon_s);
  s.warmup_s = r.Double("warmup_s", s.warmup_s);
  s.interval_s = r.Double("interval_s", s.interval_s);
  s.replications = ToInt32Field(py::int_(r.Int("replications", 1)), "replications");
  if (py::object skills = r.Get("skills"); !skills.is_none()) {
    py::list list = ToList(skills, "skills");
    for (size_t i = 0; i < list.size(); ++i) {
      s.skills.push_back(ToString(list[i], Index("skills", i)));
    }
  }
  s.queues = ToSpecs<sim::QueueSpec>(r.Get("queues"), "queues", ToQueueSpec);
  s.agents = ToSpecs<sim::AgentGroupSpec>(r.Get("agents"), "agents", ToGroupSpec);
  s.arrivals = ToSpecs<sim::ArrivalSpec>(r.Get("arrivals"), "arrivals", ToArrivalSpec);
  if (py::object q = r.Get("quality"); !q.is_none()) {
    DictReader qr(q, "quality");
    if (qr.Contains("half_life_s")) {
      py::object h = qr.Get("half_life_s");
      s.quality.half_life =
          h.is_none() ? absl::InfiniteDuration() : ToDuration(h, qr.Path("half_life_s"));
    }
    s.quality.prior_weight = qr.Double("prior_weight", s.quality.prior_weight);
    s.quality.default_csat = qr.Double("default_csat", s.quality.default_csat);
    s.quality.default_fcr = qr.Double("default_fcr", s.quality.default_fcr);
    qr.Finish();
  }
  s.work_window_s = r.Double("work_window_s", s.work_window_s);
  s.estimate_waits = r.Bool("estimate_waits", s.estimate_waits);
  s.max_expected_contacts = r.Double("max_expected_contacts", s.max_expected_contacts);
  s.max_backlog = r.Double("max_backlog", s.max_backlog);
  s.max_report_rows = r.Double("max_report_rows", s.max_report_rows);
  if (py::object start = r.Get("report_start"); !start.is_none()) {
    const std::string text = ToString(start, "report_start");
    absl::Time t;
    std::string error;
    if (text.empty() || text.front() == ' ' || text.back() == ' ' ||
        !absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
      RaiseInvalid(
          fmt::format("report_start: expected an RFC 3339 time such as "
                      "'2026-12-07T00:00:00+08:00', got '{}'{}",
                      text, error.empty() ? "" : fmt::format(" ({})", error)));
    }
    s.report_start = t;
  }
  py::object routing = r.Get("routing");
  if (py::object surveys = r.Get("survey_rates"); !surveys.is_none()) {
    if (!PyDict_Check(surveys.ptr())) {
      RaiseInvalid(fmt::format("survey_rates: expected a dict {{queue: rate}}, got {}",
                               TypeName(surveys)));
    }
    for (auto item : py::reinterpret_borrow<py::dict>(surveys)) {
      const std::string name = ToString(item.first, "survey_rates");
      s.survey_rates[name] = ToDouble(item.second, Child("survey_rates", name));
    }
    if (routing.is_none()) {
      RaiseInvalid(
          "survey_rates: for a routing file's queues (without one, set each "
          "queue's survey_rate)");
    }
  }
  r.Finish();
  if (routing.is_none()) return s;
  absl::StatusOr<sim::Scenario> with =
      sim::WithRouting(std::move(s), RoutingFrom(routing));
  if (!with.ok()) RaiseScenarioError(with.status());
  return *std::move(with);
}

// --- result -> dicts -----------------------------------------------------------

// `ewt`: add the estimated-wait figures, which exist only in the per-queue
// summary (NaN in other rows, and NaN != NaN would break comparisons).
py::dict MetricsToDict(const sim::Metrics& m, bool ewt) {
  py::dict d;
  d["offered"] = m.offered;
  d["answered"] = m.answered;
  d["abandoned"] = m.abandoned;
  d["short_abandoned"] = m.short_abandoned;
  d["overflowed"] = m.overflowed;
  d["p_wait"] = m.p_wait;
  d["p_abandon"] = m.p_abandon;
  d["asa"] = m.asa;
  if (ewt) {
    d["ewt_count"] = m.ewt_count;
    d["ewt_mean"] = m.ewt_mean;
    d["wait_mean"] = m.wait_mean;
    d["ewt_coverage"] = m.ewt_coverage;
  }
  d["service_level"] = m.service_level;
  d["aht"] = m.aht;
  d["occupancy"] = m.occupancy;
  d["agents"] = m.agents;
  d["csat_mean"] = m.csat_mean;
  d["fcr_rate"] = m.fcr_rate;
  d["occupancy_spread"] = m.occupancy_spread;
  return d;
}

py::dict RowsToDict(const std::map<std::string, sim::Row>& rows, bool half,
                    bool ewt = false) {
  py::dict d;
  for (const auto& [name, row] : rows) {
    d[py::str(name)] = MetricsToDict(half ? row.half_width : row.value, ewt);
  }
  return d;
}

py::dict SeriesToDict(const std::map<std::string, std::vector<sim::Row>>& series,
                      bool half) {
  py::dict d;
  for (const auto& [name, rows] : series) {
    py::list list;
    for (const sim::Row& row : rows) {
      list.append(MetricsToDict(half ? row.half_width : row.value, false));
    }
    d[py::str(name)] = list;
  }
  return d;
}

py::dict ResultToDict(const sim::Result& r, int replications) {
  py::dict summary;
  summary["queues"] = RowsToDict(r.queues, false, /*ewt=*/true);
  summary["groups"] = RowsToDict(r.groups, false);
  py::dict intervals;
  intervals["start_s"] = py::cast(r.interval_start_s);
  intervals["queues"] = SeriesToDict(r.queue_intervals, false);
  intervals["groups"] = SeriesToDict(r.group_intervals, false);
  py::dict out;
  out["summary"] = summary;
  out["intervals"] = intervals;
  if (replications > 1) {
    py::dict half;
    half["queues"] = RowsToDict(r.queues, true, /*ewt=*/true);
    half["groups"] = RowsToDict(r.groups, true);
    py::dict half_intervals;
    half_intervals["start_s"] = py::cast(r.interval_start_s);
    half_intervals["queues"] = SeriesToDict(r.queue_intervals, true);
    half_intervals["groups"] = SeriesToDict(r.group_intervals, true);
    half["intervals"] = half_intervals;
    out["half_width"] = half;
  }
  out["replications"] = replications;
  out["contacts"] = r.contacts;
  out["events"] = r.events;
  out["wall_seconds"] = r.wall_seconds;
  out["contacts_per_second"] =
      r.wall_seconds > 0 ? static_cast<double>(r.contacts) / r.wall_seconds : 0.0;
  out["invariants_ok"] = r.invariants_ok;
  return out;
}

namespace {

// The result dict, with "interval_rows" (a ccengine.IntervalRows) when the
// scenario keeps them.
py::dict WithIntervalRows(const sim::Scenario& s, sim::Result result) {
  py::dict out = ResultToDict(result, s.replications);
  if (s.report_start.has_value()) {
    out["interval_rows"] = MakeIntervalRows(std::move(result.intervals));
  }
  return out;
}

py::dict Simulate(const py::object& scenario, py::object progress) {
  sim::Scenario s = ToScenario(scenario);  // with the GIL: reads Python objects
  PythonRun run(std::move(progress));
  absl::StatusOr<sim::Result> result;
  {
    py::gil_scoped_release release;
    result = sim::Simulate(s, run.control());
  }
  return WithIntervalRows(s, run.Finish(std::move(result)));
}

void CheckScenario(const py::object& scenario) {
  absl::Status st = sim::CheckScenario(ToScenario(scenario));
  if (!st.ok()) RaiseScenarioError(st);
}

py::bytes SimulateReplication(const py::object& scenario, int replication) {
  sim::Scenario s = ToScenario(scenario);
  PythonRun run{py::none()};
  absl::StatusOr<std::string> bytes;
  {
    py::gil_scoped_release release;
    bytes = sim::SimulateReplication(s, replication, run.control());
  }
  return py::bytes(run.Finish(std::move(bytes)));
}

py::dict CombineReplications(const py::object& scenario, const py::object& parts) {
  sim::Scenario s = ToScenario(scenario);
  std::vector<std::string> bytes;
  py::list list = ToList(parts, "replications");
  for (size_t i = 0; i < list.size(); ++i) {
    if (!py::isinstance<py::bytes>(list[i])) {
      RaiseInvalid(
          fmt::format("replications[{}]: expected bytes from "
                      "simulate_replication, got {}",
                      i, TypeName(list[i])));
    }
    bytes.push_back(list[i].cast<std::string>());
  }
  PythonRun run{py::none()};
  return WithIntervalRows(s, run.Finish(sim::CombineReplications(s, bytes)));
}

}  // namespace

void RegisterSim(py::module_& m) {
  m.def("simulate", &Simulate, "scenario"_a, "progress"_a = py::none(),
        R"doc(Runs a staffing scenario through the real engine (a discrete-event
simulation on a virtual clock). Use ``ccengine.simulate``, which adds a
progress bar; this is the bare call.

Args:
    scenario: plain data, see ``ccengine.simulate``.
    progress: None, or a callable(done, total) called after each replication
        (with the GIL held).

Returns:
    The result as nested dicts (see ``ccengine.simulate``).

Raises:
    ValueError: a malformed scenario; the message names the field.
    CcengineError: code RESOURCE_EXHAUSTED, the scenario is beyond
        max_expected_contacts or max_backlog (the message names the stream or
        queue and the estimate).
    KeyboardInterrupt: Ctrl-C during the run (checked every 50 ms).
)doc");
  m.def("check_scenario", &CheckScenario, "scenario"_a,
        R"doc(Checks a scenario as ``simulate`` would before running it (its
fields, its names, the bounds) and raises the same errors; runs nothing.
)doc");
  m.def("simulate_replication", &SimulateReplication, "scenario"_a, "replication"_a,
        R"doc(Runs one replication of a scenario (0-based) and returns its raw
counters as bytes, for ``combine_replications``: replications run in other
processes or on other machines combine into exactly ``simulate``'s result.
Use ``ccengine.sweep``, which does this for many scenarios at once.
)doc");
  m.def("combine_replications", &CombineReplications, "scenario"_a, "replications"_a,
        R"doc(Combines one entry of ``simulate_replication`` per replication,
in order, into the result ``simulate(scenario)`` gives (``wall_seconds``: the
sum of the replications' own).

Raises:
    ValueError: an entry that is damaged, out of order or from a scenario of
        another shape or seed.
)doc");
}

}  // namespace ccengine::python
