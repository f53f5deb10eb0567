// -----------------------------------------------------------------------------
// File: ccengine/metrics/counts.h
// -----------------------------------------------------------------------------
//
// The raw counts the metrics module keeps per queue and per agent over a
// period, and the figures derived from them by the formulas of
// ccengine/core/kpi.h (docs/metrics.md has every definition).
//
// Thread safety: plain values and pure functions.
#ifndef CCENGINE_METRICS_COUNTS_H_
#define CCENGINE_METRICS_COUNTS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "absl/time/time.h"

#include "ccengine/core/agent.h"
#include "ccengine/core/kpi.h"
#include "ccengine/core/types.h"

namespace ccengine::metrics {

// Raw counts and sums of a queue over some period.
struct QueueCounts {
  uint64_t offered = 0;
  uint64_t answered = 0;
  uint64_t answered_within = 0;
  uint64_t abandoned = 0;
  uint64_t short_abandoned = 0;
  uint64_t overflowed = 0;
  uint64_t transferred = 0;  // transferred out (waiting, ringing or in service)
  uint64_t withdrawn = 0;
  uint64_t completed = 0;
  int64_t wait_answered_us = 0;  // summed over answered
  int64_t handle_us = 0;         // summed over completed
  uint64_t surveys = 0;          // completions with a survey score
  int64_t csat_sum = 0;
  uint64_t outcomes = 0;  // completions with a known resolution
  uint64_t resolved = 0;
  QueueCounts& operator+=(const QueueCounts& o);
};

// Raw counts and times of an agent (or a group of agents) over some period.
struct AgentCounts {
  uint64_t answered = 0;
  uint64_t completed = 0;
  int64_t handle_us = 0;
  std::array<int64_t, kAgentStateCount> state_us{};  // indexed by AgentState
  std::map<int32_t, int64_t> not_ready_us;           // by not-ready reason
  uint64_t surveys = 0;
  int64_t csat_sum = 0;
  uint64_t outcomes = 0;
  uint64_t resolved = 0;
  AgentCounts& operator+=(const AgentCounts& o);
};

// The ratios (kpi.h); NaN where the denominator is zero.
struct QueueFigures {
  QueueCounts counts;
  ServiceLevelDefinition sl_definition = ServiceLevelDefinition::kWithinOverOffered;
  double service_level = 0;  // by sl_definition
  std::array<double, kServiceLevelDefinitionCount> service_level_by{};  // each definition
  double abandon_rate = 0;  // abandoned / offered
  double asa_s = 0;         // mean wait of answered
  double aht_s = 0;         // mean handle time of completed
  double csat = 0;          // mean survey score
  double fcr = 0;           // resolved / completions with a known resolution
};

struct AgentFigures {
  AgentCounts counts;
  double occupancy = 0;
  double utilization = 0;
  double aht_s = 0;
  double wrap_up_s = 0;    // total time in wrap-up
  double logged_in_s = 0;  // total time logged in
  double csat = 0;
  double fcr = 0;
};

QueueFigures FiguresOf(const QueueCounts& counts, ServiceLevelDefinition definition);
AgentFigures FiguresOf(const AgentCounts& counts);

// One row of a calendar report.
struct QueueRow {
  absl::Time start;  // the period's start (in the center's time zone)
  std::string queue;
  QueueFigures figures;
};
struct AgentRow {
  absl::Time start;
  AgentId agent;
  std::string group;  // empty unless assigned
  AgentFigures figures;
};
struct GroupRow {
  absl::Time start;
  std::string group;
  AgentFigures figures;
};

}  // namespace ccengine::metrics

#endif  // CCENGINE_METRICS_COUNTS_H_
