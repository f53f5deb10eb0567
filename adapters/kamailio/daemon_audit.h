// -----------------------------------------------------------------------------
// File: adapters/kamailio/daemon_audit.h
// -----------------------------------------------------------------------------
//
// The daemon's changes in the audit trail (adapters/audit): each routing file
// version it puts in force — the first at start, then each SIGHUP or
// POST /-/reload that loads — is an entry by actor "ccengine-kamailio"
// (role system), action "routing.load" or "routing.reload", subject the
// file, before and after the version number and content hash; and the
// access control's refusals of the daemon's commands, through `Decisions`.
// The commands it allows are not entries: they report what Kamailio did (a
// call arrived, was answered, ended, reached Kamailio's wait limit), and a
// withdrawal refused because the log could not take its entry would leave a
// call that Kamailio has already answered waiting in the engine.
//
// Opening checks the log as `audit::AuditLog::Open` does: a chain that does
// not verify is refused, naming where it breaks, and the daemon does not
// start. Built without the audit adapter (no OpenSSL libcrypto), `Open` is
// Unimplemented.
//
// Thread safety: `RoutingVersion` and the sink may be called from any thread
// (the log serializes).

#ifndef CCENGINE_ADAPTERS_KAMAILIO_DAEMON_AUDIT_H_
#define CCENGINE_ADAPTERS_KAMAILIO_DAEMON_AUDIT_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ccengine/compliance/access.h"

namespace ccengine::kamailio {

class DaemonAudit {
 public:
  // `log_path` is created with its head when new; `key_path` is the PEM
  // Ed25519 private key (ccengine-audit keygen).
  static absl::StatusOr<std::unique_ptr<DaemonAudit>> Open(const std::string& log_path,
                                                           const std::string& key_path);
  ~DaemonAudit();
  DaemonAudit(const DaemonAudit&) = delete;
  DaemonAudit& operator=(const DaemonAudit&) = delete;

  // A routing file version in force: `action` "routing.load" or
  // "routing.reload"; `before` empty for the first.
  absl::Status RoutingVersion(const std::string& action, const std::string& path,
                              const std::string& before, const std::string& after);
  // A decision sink writing the refused decisions into this log
  // (audit::AccessAuditSink) and passing allowed ones by (see above); this
  // object must outlive its use.
  compliance::AccessControl::DecisionSink Decisions();
  // The closing checkpoint.
  absl::Status Close();

 private:
  struct Log;
  explicit DaemonAudit(std::unique_ptr<Log> log);
  std::unique_ptr<Log> log_;
};

}  // namespace ccengine::kamailio

#endif  // CCENGINE_ADAPTERS_KAMAILIO_DAEMON_AUDIT_H_
