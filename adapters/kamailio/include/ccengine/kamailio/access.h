// -----------------------------------------------------------------------------
// File: ccengine/kamailio/access.h
// -----------------------------------------------------------------------------
//
// The routing file's roles on the daemon's engine (ccengine-kamailio
// --routing FILE): an access control made from the file's policy
// (config::RoutingConfig::access_policy) is attached to the engine, and the
// daemon's telephony bridge sends its commands — calls arriving, offers
// answered, calls ending — as one actor, "ccengine-kamailio", holding the
// role "system". A file that redefines that role (its "access" section) to
// grant less has the commands it no longer grants refused: the caller is
// answered at once (the bridge ends a call whose arrival is refused), and
// the refusal reaches the decision sink (with --audit-log, the daemon's
// audit trail: DaemonAudit::Decisions). A reload puts the new version's
// policy in force.
//
// Thread safety: `Attach` before the router starts; `Reload` on the router
// thread (the router loop's tick), between commands.

#ifndef CCENGINE_ADAPTERS_KAMAILIO_INCLUDE_CCENGINE_KAMAILIO_ACCESS_H_
#define CCENGINE_ADAPTERS_KAMAILIO_INCLUDE_CCENGINE_KAMAILIO_ACCESS_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "ccengine/compliance/access.h"
#include "ccengine/core/engine.h"

namespace ccengine::kamailio {

inline constexpr char kDaemonActor[] = "ccengine-kamailio";

class DaemonAccess {
 public:
  // Attaches an access control made from `policy` (which has the role
  // "system", built in or as the file redefines it) to `engine`, with
  // `sink` (may be empty) receiving its decisions.
  static absl::StatusOr<std::unique_ptr<DaemonAccess>> Attach(
      Engine& engine, const compliance::AccessPolicy& policy,
      compliance::AccessControl::DecisionSink sink);
  ~DaemonAccess();  // detaches
  DaemonAccess(const DaemonAccess&) = delete;
  DaemonAccess& operator=(const DaemonAccess&) = delete;

  // The daemon's actor number, for TelephonyBridgeOptions::actor; the same
  // across reloads.
  uint32_t actor() const { return actor_; }

  // Puts `policy` in force in place of the current one (the same sink and
  // actor); on error the current one stays.
  absl::Status Reload(const compliance::AccessPolicy& policy);

 private:
  DaemonAccess(Engine& engine, compliance::AccessControl::DecisionSink sink)
      : engine_(engine), sink_(std::move(sink)) {}

  Engine& engine_;
  compliance::AccessControl::DecisionSink sink_;
  std::unique_ptr<compliance::AccessControl> control_;
  uint32_t actor_ = 0;
};

}  // namespace ccengine::kamailio

#endif  // CCENGINE_ADAPTERS_KAMAILIO_INCLUDE_CCENGINE_KAMAILIO_ACCESS_H_
