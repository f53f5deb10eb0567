#include "ccengine/audit/access_audit.h"

#include <string>

#include "fmt/format.h"

namespace ccengine::audit {

AuditEvent AccessAuditEvent(const compliance::AccessDecision& decision) {
  AuditEvent event;
  event.actor = decision.actor;
  event.role = decision.roles.empty() ? "none" : decision.roles;
  event.action =
      fmt::format("{}{}:{}", decision.allowed ? "" : "denied:",
                  compliance::PermissionName(decision.permission), decision.action);
  event.subject = decision.subject;
  event.after = decision.detail;
  if (!decision.allowed) event.reason = std::string(decision.status.message());
  return event;
}

compliance::AccessControl::DecisionSink AccessAuditSink(AuditLog& log) {
  return [&log](const compliance::AccessDecision& decision) -> absl::Status {
    return log.Append(AccessAuditEvent(decision)).status();
  };
}

}  // namespace ccengine::audit
