// -----------------------------------------------------------------------------
// File: bindings/python/register_reports.cc
// -----------------------------------------------------------------------------
//
// ccengine.IntervalRows: a run's 15-minute interval rows (a simulation with
// `report_start`) and the calendar reports made from them by the metrics
// module's report functions (ccengine/metrics/intervals.h), the same ones a
// live center's stored rows go through: rows as dicts, CSV, JSON or an SVG
// chart.

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "ccengine/metrics/intervals.h"
#include "ccengine/metrics/periods.h"
#include "fmt/format.h"
#include "metrics_binding.h"

namespace ccengine::python {

using namespace pybind11::literals;

namespace {

struct IntervalRows {
  metrics::IntervalBatch batch;
};

enum class Format { kRows, kCsv, kJson, kSvg };

Format ParseFormat(const std::string& format) {
  if (format == "rows") return Format::kRows;
  if (format == "csv") return Format::kCsv;
  if (format == "json") return Format::kJson;
  if (format == "svg") return Format::kSvg;
  RaiseInvalid(
      fmt::format("format: must be 'rows', 'csv', 'json' or 'svg', got '{}'", format));
}

// Rows, CSV or JSON of one kind of report.
template <typename Row, typename Csv, typename Json>
py::object Render(const std::vector<Row>& rows, Format format, const absl::TimeZone& tz,
                  Csv csv, Json json) {
  switch (format) {
    case Format::kRows: return RowsToList(rows);
    case Format::kCsv: return py::str(csv(rows, tz));
    case Format::kJson: return py::str(json(rows, tz));
    case Format::kSvg: break;
  }
  RaiseInvalid("format: 'svg' charts queue reports only (of='queues')");
}

py::object Report(const IntervalRows& r, const std::string& of,
                  const std::string& granularity, const std::string& time_zone,
                  const std::string& format, const py::object& target) {
  const RowKind kind = ParseRowKind(of);
  const metrics::Granularity g = Unwrap(metrics::ParseGranularity(granularity));
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(time_zone, &tz)) {
    RaiseInvalid(fmt::format("time_zone: unknown time zone '{}'", time_zone));
  }
  const Format f = ParseFormat(format);
  double goal = std::numeric_limits<double>::quiet_NaN();
  if (!target.is_none()) {
    goal = ToDouble(target, "target");
    if (!(goal >= 0 && goal <= 1)) {
      RaiseInvalid(fmt::format("target: must be in [0, 1] or None, got {}", goal));
    }
    if (f != Format::kSvg) RaiseInvalid("target: only a chart (format='svg') draws one");
  }
  switch (kind) {
    case RowKind::kQueues: {
      const auto rows = metrics::QueueReport(r.batch.queues, g, tz);
      if (f == Format::kSvg) return py::str(metrics::QueueReportSvg(rows, g, tz, goal));
      return Render(rows, f, tz, metrics::QueueReportCsv, metrics::QueueReportJson);
    }
    case RowKind::kAgents:
      return Render(metrics::AgentReport(r.batch.agents, g, tz), f, tz,
                    metrics::AgentReportCsv, metrics::AgentReportJson);
    case RowKind::kGroups:
      return Render(metrics::GroupReport(r.batch.agents, g, tz), f, tz,
                    metrics::GroupReportCsv, metrics::GroupReportJson);
  }
  return py::none();
}

}  // namespace

py::object MakeIntervalRows(metrics::IntervalBatch batch) {
  return py::cast(IntervalRows{std::move(batch)});
}

void RegisterReports(py::module_& m) {
  py::class_<IntervalRows>(m, "IntervalRows", R"doc(A run's 15-minute interval rows
(queues, and agents with their groups) and the day, week or month reports made
from them — by the same report functions as a live center's stored rows.
``ccengine.simulate`` returns one as ``result["interval_rows"]`` when the
scenario has ``report_start``.)doc")
      .def_property_readonly(
          "queue_rows", [](const IntervalRows& r) { return r.batch.queues.size(); },
          "How many 15-minute queue rows there are.")
      .def_property_readonly(
          "agent_rows", [](const IntervalRows& r) { return r.batch.agents.size(); },
          "How many 15-minute agent rows there are.")
      .def("report", &Report, "of"_a = "queues", "granularity"_a = "day",
           "time_zone"_a = "UTC", "format"_a = "rows", "target"_a = py::none(),
           R"doc(A calendar report of the rows.

Args:
    of: "queues", "agents" or "groups".
    granularity: "15min", "30min", "hour", "day", "week" (from Monday) or
        "month", in ``time_zone``.
    time_zone: an IANA name, e.g. "Asia/Shanghai".
    format: "rows" (a list of dicts, as ``Engine.metrics_rows`` gives),
        "csv" (RFC 4180), "json" (an array of objects) or "svg" (a chart of
        the service level per period and queue; queues only).
    target: for "svg", a service-level target drawn as a dashed line.

Raises:
    ValueError: an unknown ``of``, granularity, time zone or format, or a
        target outside [0, 1].)doc");
}

}  // namespace ccengine::python
