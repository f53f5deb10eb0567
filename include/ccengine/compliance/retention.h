// -----------------------------------------------------------------------------
// File: ccengine/compliance/retention.h
// -----------------------------------------------------------------------------
//
// `RetentionPolicy`: how long each kind of personal data is kept before it is
// anonymized (个保法 art. 19, 47: no longer than the purpose needs), and how
// long the audit trail is kept — longer than everything it describes, and
// at least the six months the Cybersecurity Law (网络安全法 art. 21 (3))
// asks of network logs. The routing file's "retention" section sets it
// (docs/routing-config.md); docs/compliance.md says where each period is
// applied:
//   customer_history    the engine's customer history
//                       (EngineOptions::customer_history_retention)
//   tickets             finished tickets (TicketDesk::ExpireFinished)
//   knowledge_feedback  agents' verdicts (KnowledgeStore::AnonymizeFeedback)
//   reports             report and export files the center writes
//   audit               the audit trail (never shortened by ccengine)
//
// Thread safety: a plain value; thread-compatible.
//
// Example:
//   ccengine::compliance::RetentionPolicy policy;
//   policy.tickets = absl::Hours(24 * 365 * 3);
//   if (absl::Status s = ValidateRetention(policy); !s.ok()) return s;
//   desk.ExpireFinished(policy.tickets, "retention");

#ifndef CCENGINE_COMPLIANCE_RETENTION_H_
#define CCENGINE_COMPLIANCE_RETENTION_H_

#include <array>
#include <cstddef>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace ccengine::compliance {

// The shortest audit retention: six months, counted as 180 days.
inline constexpr absl::Duration kMinAuditRetention = absl::Hours(24 * 180);
// The longest period any kind may be given: 100 years.
inline constexpr absl::Duration kMaxRetention = absl::Hours(24 * 36525);

struct RetentionPolicy {
  absl::Duration customer_history = absl::Hours(24 * 30);
  absl::Duration tickets = absl::Hours(24 * 365 * 3);
  absl::Duration knowledge_feedback = absl::Hours(24 * 365);
  absl::Duration reports = absl::Hours(24 * 365);
  absl::Duration audit = absl::Hours(24 * 365 * 6);

  friend bool operator==(const RetentionPolicy&, const RetentionPolicy&) = default;
};

// The kinds of data a policy covers, in declaration order, with their names
// ("customer_history", …, "audit") and periods.
inline constexpr size_t kRetentionKinds = 5;
std::array<std::string_view, kRetentionKinds> RetentionKindNames();
std::array<absl::Duration, kRetentionKinds> RetentionPeriods(
    const RetentionPolicy& policy);
// The period of kind `kind` (< kRetentionKinds) in `policy`, to set it by
// its index (a file reader, a test walking every kind).
absl::Duration& RetentionPeriod(RetentionPolicy& policy, size_t kind);
absl::Duration RetentionPeriod(const RetentionPolicy& policy, size_t kind);

// InvalidArgument naming the kind: a period that is not positive or longer
// than kMaxRetention, an audit period shorter than kMinAuditRetention or than
// any other kind's (the trail must outlive what it describes).
absl::Status ValidateRetention(const RetentionPolicy& policy);

}  // namespace ccengine::compliance

#endif  // CCENGINE_COMPLIANCE_RETENTION_H_
