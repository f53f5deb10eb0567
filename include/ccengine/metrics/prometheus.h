// -----------------------------------------------------------------------------
// File: ccengine/metrics/prometheus.h
// -----------------------------------------------------------------------------
//
// A metrics snapshot in Prometheus' text exposition format (version 0.0.4),
// for an HTTP `/metrics` endpoint. Names follow Prometheus' conventions:
// the `ccengine_` prefix, base units (seconds, ratios in [0, 1]), `_total`
// on counters, one label per dimension (`queue`, `state`, `reason`, `group`,
// `period`). Counters count since the collector was attached; gauges are
// the snapshot's instant. A figure with nothing to measure (a service level
// with no offers) is NaN, never a made-up 0 or 1. docs/metrics.md lists
// every series.
//
// Per agent there are no series (thousands of agents times states would
// swamp a Prometheus server); agents are counted by state, reason and group.
//
// Thread safety: a pure function of its argument.
#ifndef CCENGINE_METRICS_PROMETHEUS_H_
#define CCENGINE_METRICS_PROMETHEUS_H_

#include <string>
#include <string_view>

#include "ccengine/metrics/snapshot.h"

namespace ccengine::metrics {

// The Content-Type of the text format.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// The exposition of `snapshot`: every family with its HELP and TYPE lines.
std::string RenderPrometheus(const Snapshot& snapshot);

// A label value escaped for the text format (backslash, double quote and
// line feed).
std::string EscapeLabelValue(std::string_view value);

}  // namespace ccengine::metrics

#endif  // CCENGINE_METRICS_PROMETHEUS_H_
