// -----------------------------------------------------------------------------
// File: bindings/python/metrics_binding.h
// -----------------------------------------------------------------------------
//
// What the metrics bindings share (register_metrics.cc for a live engine,
// register_reports.cc for stored interval rows, register_sim.cc for a
// simulation's): figures and report rows as dicts, and the interval rows of
// a run as a Python object that makes calendar reports.
//
// Thread safety: everything here needs the GIL.

#ifndef CCENGINE_BINDINGS_PYTHON_METRICS_BINDING_H_
#define CCENGINE_BINDINGS_PYTHON_METRICS_BINDING_H_

#include <string>
#include <vector>

#include "ccengine/metrics/counts.h"
#include "ccengine/metrics/intervals.h"
#include "common.h"

namespace ccengine::python {

py::dict QueueFiguresToDict(const metrics::QueueFigures& f);
py::dict AgentFiguresToDict(const metrics::AgentFigures& f);

// Which rows a report is of: "queues", "agents" or "groups" (ValueError
// otherwise).
enum class RowKind { kQueues, kAgents, kGroups };
RowKind ParseRowKind(const std::string& of);

// Report rows as a list of dicts: `start_s`, the name (queue; agent and
// group; group) and the figures.
py::list RowsToList(const std::vector<metrics::QueueRow>& rows);
py::list RowsToList(const std::vector<metrics::AgentRow>& rows);
py::list RowsToList(const std::vector<metrics::GroupRow>& rows);

// A ccengine.IntervalRows holding `batch` (register_reports.cc).
py::object MakeIntervalRows(metrics::IntervalBatch batch);
void RegisterReports(py::module_& m);

}  // namespace ccengine::python

#endif  // CCENGINE_BINDINGS_PYTHON_METRICS_BINDING_H_
