// The routing file's roles on the daemon's engine: one access control per
// routing version, the daemon's bridge its one actor.

#include "ccengine/kamailio/access.h"

#include <utility>

namespace ccengine::kamailio {
namespace {

// A new access control for `policy` with the daemon's actor, its number.
absl::StatusOr<std::pair<std::unique_ptr<compliance::AccessControl>, uint32_t>> Make(
    const compliance::AccessPolicy& policy,
    const compliance::AccessControl::DecisionSink& sink) {
  auto control = std::make_unique<compliance::AccessControl>(policy);
  compliance::ActorSpec daemon;
  daemon.id = kDaemonActor;
  daemon.roles = {{"system"}};
  absl::StatusOr<uint32_t> actor = control->AddActor(std::move(daemon));
  if (!actor.ok()) return actor.status();
  if (sink) control->SetDecisionSink(sink);
  return std::make_pair(std::move(control), *actor);
}

}  // namespace

absl::StatusOr<std::unique_ptr<DaemonAccess>> DaemonAccess::Attach(
    Engine& engine, const compliance::AccessPolicy& policy,
    compliance::AccessControl::DecisionSink sink) {
  std::unique_ptr<DaemonAccess> access(new DaemonAccess(engine, std::move(sink)));
  if (absl::Status s = access->Reload(policy); !s.ok()) return s;
  return access;
}

absl::Status DaemonAccess::Reload(const compliance::AccessPolicy& policy) {
  auto made = Make(policy, sink_);
  if (!made.ok()) return made.status();
  // The first actor of every control: the bridge keeps its number.
  if (control_ != nullptr && made->second != actor_) {
    return absl::InternalError("the daemon's actor changed its number");
  }
  made->first->Attach(engine_);  // replaces the previous authorizer
  control_ = std::move(made->first);
  actor_ = made->second;
  return absl::OkStatus();
}

DaemonAccess::~DaemonAccess() {
  if (control_ != nullptr) compliance::AccessControl::Detach(engine_);
}

}  // namespace ccengine::kamailio
