#include "ccengine/core/kpi.h"

#include <array>
#include <string>

#include "absl/status/status.h"
#include "fmt/format.h"

namespace ccengine {

namespace {

constexpr std::array<std::string_view, kServiceLevelDefinitionCount> kNames = {
    "within_offered", "within_answered", "within_answered_abandoned",
    "within_offered_less_short"};

}  // namespace

std::string_view ServiceLevelDefinitionName(ServiceLevelDefinition definition) {
  const auto i = static_cast<size_t>(definition);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

absl::StatusOr<ServiceLevelDefinition> ParseServiceLevelDefinition(
    std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<ServiceLevelDefinition>(i);
  }
  return absl::InvalidArgumentError(
      fmt::format("unknown service level definition '{}' (known: {})", name,
                  fmt::join(kNames, ", ")));
}

double ServiceLevel(ServiceLevelDefinition definition, const ServiceLevelCounts& c) {
  switch (definition) {
    case ServiceLevelDefinition::kWithinOverOffered:
      return KpiRatio(c.answered_within, c.offered);
    case ServiceLevelDefinition::kWithinOverAnswered:
      return KpiRatio(c.answered_within, c.answered);
    case ServiceLevelDefinition::kWithinOverAnsweredAndAbandoned:
      return KpiRatio(c.answered_within, c.answered + c.abandoned);
    case ServiceLevelDefinition::kWithinOverOfferedLessShortAbandons:
      return KpiRatio(c.answered_within, c.offered - c.short_abandoned);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double Occupancy(double working_s, double available_s) {
  return KpiRatio(working_s, working_s + available_s);
}

double Utilization(double working_s, double logged_in_s) {
  return KpiRatio(working_s, logged_in_s);
}

}  // namespace ccengine
