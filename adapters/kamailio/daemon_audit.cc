#include "daemon_audit.h"

#include <utility>

#include "ccengine/kamailio/access.h"

#ifdef CCENGINE_KAMAILIO_HAVE_AUDIT
#include "ccengine/audit/access_audit.h"
#include "ccengine/audit/audit_log.h"
#include "ccengine/audit/keys.h"
#endif

namespace ccengine::kamailio {

#ifdef CCENGINE_KAMAILIO_HAVE_AUDIT
struct DaemonAudit::Log {
  std::unique_ptr<audit::AuditLog> log;
};

absl::StatusOr<std::unique_ptr<DaemonAudit>> DaemonAudit::Open(
    const std::string& log_path, const std::string& key_path) {
  absl::StatusOr<audit::SigningKey> key = audit::SigningKey::ReadPemFile(key_path);
  if (!key.ok()) return key.status();
  absl::StatusOr<std::unique_ptr<audit::AuditLog>> log =
      audit::AuditLog::Open(log_path, *std::move(key));
  if (!log.ok()) return log.status();
  auto held = std::make_unique<Log>();
  held->log = *std::move(log);
  return std::unique_ptr<DaemonAudit>(new DaemonAudit(std::move(held)));
}

absl::Status DaemonAudit::RoutingVersion(const std::string& action,
                                         const std::string& path,
                                         const std::string& before,
                                         const std::string& after) {
  audit::AuditEvent e;
  e.actor = kDaemonActor;
  e.role = "system";
  e.action = action;
  e.subject = "routing:" + path;
  e.before = before;
  e.after = after;
  return log_->log->Append(e).status();
}

compliance::AccessControl::DecisionSink DaemonAudit::Decisions() {
  return
      [sink = audit::AccessAuditSink(*log_->log)](const compliance::AccessDecision& d) {
        return d.allowed ? absl::OkStatus() : sink(d);
      };
}

absl::Status DaemonAudit::Close() { return log_->log->Close(); }
#else
struct DaemonAudit::Log {};

absl::StatusOr<std::unique_ptr<DaemonAudit>> DaemonAudit::Open(const std::string&,
                                                               const std::string&) {
  return absl::UnimplementedError(
      "this ccengine-kamailio was built without the audit trail (adapters/audit needs "
      "OpenSSL's libcrypto)");
}

absl::Status DaemonAudit::RoutingVersion(const std::string&, const std::string&,
                                         const std::string&, const std::string&) {
  return absl::UnimplementedError("no audit trail");
}

compliance::AccessControl::DecisionSink DaemonAudit::Decisions() { return nullptr; }

absl::Status DaemonAudit::Close() { return absl::OkStatus(); }
#endif

DaemonAudit::DaemonAudit(std::unique_ptr<Log> log) : log_(std::move(log)) {}
DaemonAudit::~DaemonAudit() = default;

}  // namespace ccengine::kamailio
