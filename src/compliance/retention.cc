// The retention policy's checks (see retention.h).

#include "ccengine/compliance/retention.h"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "fmt/format.h"

namespace ccengine::compliance {
namespace {

// "30 days", "1.5 days": retention is spoken of in days.
std::string Days(absl::Duration d) {
  return fmt::format("{:g} days", absl::ToDoubleHours(d) / 24);
}

}  // namespace

std::array<std::string_view, kRetentionKinds> RetentionKindNames() {
  return {"customer_history", "tickets", "knowledge_feedback", "reports", "audit"};
}

absl::Duration& RetentionPeriod(RetentionPolicy& policy, size_t kind) {
  switch (kind) {
    case 0: return policy.customer_history;
    case 1: return policy.tickets;
    case 2: return policy.knowledge_feedback;
    case 3: return policy.reports;
    default: return policy.audit;
  }
}

absl::Duration RetentionPeriod(const RetentionPolicy& policy, size_t kind) {
  // Only read through the one list of fields above.
  return RetentionPeriod(const_cast<RetentionPolicy&>(policy), kind);
}

std::array<absl::Duration, kRetentionKinds> RetentionPeriods(
    const RetentionPolicy& policy) {
  std::array<absl::Duration, kRetentionKinds> out;
  for (size_t i = 0; i < kRetentionKinds; ++i) out[i] = RetentionPeriod(policy, i);
  return out;
}

absl::Status ValidateRetention(const RetentionPolicy& policy) {
  const auto names = RetentionKindNames();
  const auto periods = RetentionPeriods(policy);
  for (size_t i = 0; i < kRetentionKinds; ++i) {
    if (periods[i] <= absl::ZeroDuration() || periods[i] > kMaxRetention) {
      return absl::InvalidArgumentError(
          fmt::format("retention of {}: {} is not a period between 0 and 100 years",
                      names[i], absl::FormatDuration(periods[i])));
    }
  }
  if (policy.audit < kMinAuditRetention) {
    return absl::InvalidArgumentError(fmt::format(
        "retention of audit: {} is shorter than the six months (180 days) network logs "
        "must be kept",
        Days(policy.audit)));
  }
  for (size_t i = 0; i + 1 < kRetentionKinds; ++i) {
    if (periods[i] > policy.audit) {
      return absl::InvalidArgumentError(fmt::format(
          "retention of audit: {} is shorter than that of {} ({}); the audit trail must "
          "outlive what it describes",
          Days(policy.audit), names[i], Days(periods[i])));
    }
  }
  return absl::OkStatus();
}

}  // namespace ccengine::compliance
