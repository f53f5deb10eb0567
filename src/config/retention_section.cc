#include "config/retention_section.h"

#include <array>
#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "fmt/format.h"

namespace ccengine::config::internal {

compliance::RetentionPolicy ReadRetentionSection(DocumentReader& reader,
                                                 const config::Node& node,
                                                 const std::string& pointer) {
  compliance::RetentionPolicy policy;
  DocumentReader::Fields f(reader, node, pointer,
                           {"customer_history_days", "tickets_days",
                            "knowledge_feedback_days", "reports_days", "audit_days"});
  if (!f.ok()) return policy;
  const auto names = compliance::RetentionKindNames();
  const double max_days = absl::ToDoubleHours(compliance::kMaxRetention) / 24;
  bool read_all = true;
  for (size_t i = 0; i < compliance::kRetentionKinds; ++i) {
    const std::string key = fmt::format("{}_days", names[i]);
    const config::Node* value = f.Get(key);
    if (value == nullptr) continue;
    double days = 0;
    if (!reader.Number(value, f.Path(key), 0, max_days, &days)) {
      read_all = false;
      continue;
    }
    if (days <= 0) {
      reader.Error(*value, f.Path(key), fmt::format("must be > 0 days, got {}", days));
      read_all = false;
      continue;
    }
    compliance::RetentionPeriod(policy, i) = absl::Seconds(days * 86400);
  }
  if (!read_all) return policy;
  if (absl::Status s = compliance::ValidateRetention(policy); !s.ok()) {
    const config::Node* audit = f.Get("audit_days");
    reader.Error(audit != nullptr ? *audit : node,
                 audit != nullptr ? f.Path("audit_days") : pointer,
                 std::string(s.message()));
  }
  return policy;
}

}  // namespace ccengine::config::internal
