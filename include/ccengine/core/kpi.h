// -----------------------------------------------------------------------------
// File: ccengine/core/kpi.h
// -----------------------------------------------------------------------------
//
// The formulas of the contact-center figures, in one place, so that the live
// metrics (ccengine/metrics/), the engine's own queue counters
// (`QueueStats`) and the simulator (ccengine/sim/) give one number for one
// definition. (The metrics and the simulator measure a wait from the
// contact's arrival in the engine; `QueueStats` from its entry into that
// queue, so a queue that receives overflow or transfers differs there.) Each function takes raw counts and sums and forms the ratio;
// a ratio whose denominator is zero is NaN ("nothing to measure yet"), never
// a made-up 0 or 1.
//
// Service level has several definitions in use; a queue names its own
// (`QueueConfig::sl_definition`, `sim::QueueSpec::sl_definition`):
//   within_offered             answered within the threshold / offered
//   within_answered            answered within / answered
//   within_answered_abandoned  answered within / (answered + abandoned)
//   within_offered_less_short  answered within / (offered - short abandons)
// A short abandon is a contact that left before being answered after
// waiting less than the queue's short-abandon threshold; "within" counts
// answered contacts whose wait was at most the SL threshold.
//
// Thread safety: pure functions on values; thread-safe.
#ifndef CCENGINE_CORE_KPI_H_
#define CCENGINE_CORE_KPI_H_

#include <cstdint>
#include <limits>
#include <string_view>

#include "absl/status/statusor.h"

namespace ccengine {

enum class ServiceLevelDefinition : uint8_t {
  kWithinOverOffered = 0,
  kWithinOverAnswered,
  kWithinOverAnsweredAndAbandoned,
  kWithinOverOfferedLessShortAbandons,
};
inline constexpr int kServiceLevelDefinitionCount = 4;

// "within_offered", "within_answered", "within_answered_abandoned",
// "within_offered_less_short".
std::string_view ServiceLevelDefinitionName(ServiceLevelDefinition definition);
// The inverse of ServiceLevelDefinitionName; InvalidArgument listing the
// known names otherwise.
absl::StatusOr<ServiceLevelDefinition> ParseServiceLevelDefinition(std::string_view name);

// The counts a service level is formed from.
struct ServiceLevelCounts {
  double offered = 0;
  double answered = 0;
  double answered_within = 0;
  double abandoned = 0;
  double short_abandoned = 0;  // of abandoned
};

// By `definition`; NaN when its denominator is zero.
double ServiceLevel(ServiceLevelDefinition definition, const ServiceLevelCounts& counts);

// num / den, NaN when den is zero (or not positive).
inline double KpiRatio(double num, double den) {
  return den > 0 ? num / den : std::numeric_limits<double>::quiet_NaN();
}

// Agent time, from the time in each state (AgentStateTimes, summed over
// agents or an interval): occupancy counts the time at work (ringing,
// in service, wrap-up) against the time available or at work; utilization
// counts it against the time logged in (not ready included).
double Occupancy(double working_s, double available_s);
double Utilization(double working_s, double logged_in_s);

}  // namespace ccengine

#endif  // CCENGINE_CORE_KPI_H_
