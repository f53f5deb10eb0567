// ccengine.Engine's live metrics (ccengine/metrics/collector.h):
// attach_metrics, assign_group, metrics_rows, metrics_now. Rows are lists of
// dicts; ccengine.metrics_frame turns them into a pandas DataFrame.

#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "ccengine/core/kpi.h"
#include "ccengine/metrics/collector.h"
#include "engine_binding.h"
#include "fmt/format.h"
#include "metrics_binding.h"

namespace ccengine::python {

using namespace pybind11::literals;

namespace {

metrics::Collector& Metrics(PyEngine& e) {
  if (e.metrics() == nullptr) {
    Check(absl::FailedPreconditionError(
        "no metrics on this engine: call attach_metrics() first"));
  }
  return *e.metrics();
}

}  // namespace

py::dict QueueFiguresToDict(const metrics::QueueFigures& f) {
  py::dict d;
  const metrics::QueueCounts& c = f.counts;
  d["offered"] = c.offered;
  d["answered"] = c.answered;
  d["answered_within"] = c.answered_within;
  d["abandoned"] = c.abandoned;
  d["short_abandoned"] = c.short_abandoned;
  d["overflowed"] = c.overflowed;
  d["transferred"] = c.transferred;
  d["withdrawn"] = c.withdrawn;
  d["completed"] = c.completed;
  d["sl_definition"] = std::string(ServiceLevelDefinitionName(f.sl_definition));
  d["service_level"] = RatioOrNone(f.service_level);
  for (int i = 0; i < kServiceLevelDefinitionCount; ++i) {
    d[py::str("sl_" + std::string(ServiceLevelDefinitionName(
                          static_cast<ServiceLevelDefinition>(i))))] =
        RatioOrNone(f.service_level_by[i]);
  }
  d["abandon_rate"] = RatioOrNone(f.abandon_rate);
  d["asa_s"] = RatioOrNone(f.asa_s);
  d["aht_s"] = RatioOrNone(f.aht_s);
  d["csat"] = RatioOrNone(f.csat);
  d["fcr"] = RatioOrNone(f.fcr);
  return d;
}

py::dict AgentFiguresToDict(const metrics::AgentFigures& f) {
  py::dict d;
  const metrics::AgentCounts& c = f.counts;
  d["answered"] = c.answered;
  d["completed"] = c.completed;
  for (int s = 0; s < kAgentStateCount; ++s) {
    d[py::str(std::string(AgentStateName(static_cast<AgentState>(s))) + "_s")] =
        static_cast<double>(c.state_us[s]) / 1e6;
  }
  py::dict reasons;
  for (const auto& [reason, us] : c.not_ready_us) reasons[py::int_(reason)] = us / 1e6;
  d["not_ready_by_reason_s"] = reasons;
  d["occupancy"] = RatioOrNone(f.occupancy);
  d["utilization"] = RatioOrNone(f.utilization);
  d["aht_s"] = RatioOrNone(f.aht_s);
  d["wrap_up_s"] = f.wrap_up_s;
  d["logged_in_s"] = f.logged_in_s;
  d["csat"] = RatioOrNone(f.csat);
  d["fcr"] = RatioOrNone(f.fcr);
  return d;
}

RowKind ParseRowKind(const std::string& of) {
  if (of == "queues") return RowKind::kQueues;
  if (of == "agents") return RowKind::kAgents;
  if (of == "groups") return RowKind::kGroups;
  RaiseInvalid(fmt::format("of: must be 'queues', 'agents' or 'groups', got '{}'", of));
}

namespace {

// A row's figures, its start, then the keys that name it (in that order, the
// dicts' and so a DataFrame's column order).
py::dict Figures(const metrics::QueueRow& r) { return QueueFiguresToDict(r.figures); }
py::dict Figures(const metrics::AgentRow& r) { return AgentFiguresToDict(r.figures); }
py::dict Figures(const metrics::GroupRow& r) { return AgentFiguresToDict(r.figures); }
void AddKeys(const metrics::QueueRow& r, py::dict& d) { d["queue"] = r.queue; }
void AddKeys(const metrics::AgentRow& r, py::dict& d) {
  d["agent"] = r.agent.value();
  d["group"] = r.group;
}
void AddKeys(const metrics::GroupRow& r, py::dict& d) { d["group"] = r.group; }

template <typename Row>
py::list ListOf(const std::vector<Row>& rows) {
  py::list out;
  for (const Row& r : rows) {
    py::dict d = Figures(r);
    d["start_s"] = SecondsSinceEpoch(r.start);
    AddKeys(r, d);
    out.append(d);
  }
  return out;
}

}  // namespace

py::list RowsToList(const std::vector<metrics::QueueRow>& rows) { return ListOf(rows); }
py::list RowsToList(const std::vector<metrics::AgentRow>& rows) { return ListOf(rows); }
py::list RowsToList(const std::vector<metrics::GroupRow>& rows) { return ListOf(rows); }

namespace {

double ToMinutes(py::handle v, const std::string& path) {
  const double m = py::cast<double>(v);
  if (!std::isfinite(m)) RaiseInvalid(fmt::format("{}: must be finite, got {}", path, m));
  return m;
}

}  // namespace

void RegisterEngineMetrics(py::class_<PyEngine>& cls) {
  cls.def(
      "attach_metrics",
      [](PyEngine& e, const std::string& time_zone, const py::object& windows_min,
         double retain_h) {
        metrics::MetricsOptions o;
        if (!absl::LoadTimeZone(time_zone, &o.time_zone)) {
          RaiseInvalid(fmt::format("time_zone: unknown time zone '{}'", time_zone));
        }
        if (!windows_min.is_none()) {
          o.windows.clear();
          size_t i = 0;
          for (py::handle w : windows_min) {
            o.windows.push_back(
                absl::Minutes(ToMinutes(w, fmt::format("windows_min[{}]", i++))));
          }
        }
        if (!std::isfinite(retain_h)) RaiseInvalid("retain_h: must be finite");
        o.retain = absl::Hours(retain_h);
        e.set_metrics(Unwrap(metrics::Collector::Attach(e.engine(), std::move(o))));
      },
      py::kw_only(), "time_zone"_a = "UTC", "windows_min"_a = py::none(),
      "retain_h"_a = 24.0 * 7,
      R"doc(Attaches live metrics (docs/metrics.md): per queue, agent and group,
over calendar periods in ``time_zone`` (an IANA name, e.g. "Asia/Shanghai")
and sliding windows of ``windows_min`` minutes (default [5, 15, 60]); 15-minute
rows are kept ``retain_h`` hours. Counts what happens from now on; attaching
again starts afresh. ValueError for bad options.)doc");
  cls.def(
      "assign_group",
      [](PyEngine& e, const py::object& agent, const std::string& group) {
        Metrics(e).AssignGroup(AgentId(ToId(agent, "agent")), group);
      },
      "agent"_a, "group"_a,
      "Puts an agent in a group (team) for the metrics' group rows; \"\" removes it.");
  cls.def(
      "metrics_rows",
      [](PyEngine& e, const std::string& of, const std::string& granularity,
         double from_s, double to_s) {
        metrics::Collector& m = Metrics(e);
        const metrics::Granularity g = Unwrap(metrics::ParseGranularity(granularity));
        const absl::Time from = ToTime(from_s, "from_s"), to = ToTime(to_s, "to_s");
        switch (ParseRowKind(of)) {
          case RowKind::kQueues: return RowsToList(Unwrap(m.QueueRows(g, from, to)));
          case RowKind::kAgents: return RowsToList(Unwrap(m.AgentRows(g, from, to)));
          case RowKind::kGroups: return RowsToList(Unwrap(m.GroupRows(g, from, to)));
        }
        return py::list();
      },
      "of"_a, "granularity"_a, "from_s"_a, "to_s"_a,
      R"doc(Calendar rows of the periods that overlap [from_s, to_s) (seconds
since the epoch): ``of`` "queues", "agents" or "groups";
``granularity`` "15min", "30min", "hour", "day", "week" (from Monday) or
"month", in the attached time zone. Each row is a dict with ``start_s`` and the
figures (queues: offered, answered, abandoned, service_level by the queue's
definition and sl_<definition> for each, asa_s, aht_s, ...; agents and groups:
time per state, not_ready_by_reason_s, occupancy, utilization, ...).
``ccengine.metrics_frame(rows)`` makes a pandas DataFrame of them.)doc");
  cls.def(
      "metrics_now",
      [](PyEngine& e) {
        metrics::Collector& m = Metrics(e);
        py::list queues;
        for (const metrics::QueueNow& n : m.Now()) {
          py::dict d;
          d["queue"] = n.queue;
          d["waiting"] = n.waiting;
          d["longest_wait_s"] = Seconds(n.longest_wait);
          d["sl_target"] = n.sl_target;
          py::dict windows;
          for (size_t i = 0; i < n.windows.size(); ++i) {
            windows[py::int_(absl::ToInt64Minutes(m.options().windows[i]))] =
                QueueFiguresToDict(n.windows[i]);
          }
          d["windows"] = windows;
          queues.append(d);
        }
        const metrics::Collector::AgentsNow agents = m.AgentStates();
        py::dict by_state;
        for (int s = 0; s < kAgentStateCount; ++s) {
          by_state[py::str(std::string(AgentStateName(static_cast<AgentState>(s))))] =
              agents.by_state[s];
        }
        py::dict by_reason;
        for (const auto& [reason, n] : agents.not_ready_by_reason) {
          by_reason[py::int_(reason)] = n;
        }
        py::dict out;
        out["time_s"] = SecondsSinceEpoch(e.engine().Now());
        out["queues"] = queues;
        out["agents_by_state"] = by_state;
        out["not_ready_by_reason"] = by_reason;
        return out;
      },
      R"doc(The center now: per queue waiting, longest_wait_s, sl_target and
``windows`` ({minutes: figures} of each sliding window); agents_by_state and
not_ready_by_reason.)doc");
}

}  // namespace ccengine::python
