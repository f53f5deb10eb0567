// -----------------------------------------------------------------------------
// File: ccengine/config/routing_versions.h
// -----------------------------------------------------------------------------
//
// Versions of a routing file on a live engine: hot reload and rollback.
// `Start` configures an engine from a file as version 1; `Reload` makes a
// newly loaded file (routing_file.h) the next version, `Rollback` returns to
// the version before the current one (as a new version number, so the
// history only grows). Each change is a `RoutingChange` (from and to version,
// both content hashes, the engine's time), kept in `history()` and passed to
// the change callback, for the audit trail.
//
// What a new version may do: change any setting of any queue (skills,
// relaxation, priority, hours, strategy, overflow, …), add skills, queues and
// strategies after those the engine has, change agent profiles and entry
// flows. It may not rename, reorder or drop a skill or queue the engine
// already has in the first positions it declares (the file's ids must stay
// the engine's ids), nor give an existing strategy name other weights (give
// the new weights a new name). Queues and skills a version no longer
// declares at the end stay in the engine as they were — the engine never
// forgets a queue; no flow of the version routes to them.
//
// A reload is checked whole before anything changes — every incompatibility
// is listed in one FailedPrecondition and the engine and the current version
// stay as they were. Then, on the router thread and within the one call, the
// new skills, strategies and queues are added and every declared queue is
// updated at once (Engine::UpdateQueues): contacts already waiting are
// re-evaluated, best first, under the whole new version (priority, relaxation
// steps in force, hours, a match if one is possible now; one that moves on
// by the new limits finds its next queue's new rules). A contact stays in the
// queue its entry flow chose unless the new version's own limits move it on.
//
// The change callback runs after the change, when version() and current()
// are the new ones; it gets a copy of the record and may itself reload.
//
// Thread safety: like the Engine, router thread only. `current()` hands out
// a shared pointer, so a reader that holds a version keeps it valid after a
// reload.
//
// Example:
//   auto engine = Engine::Create().value();
//   auto versions = RoutingVersions::Start(*engine, LoadRoutingFile(path).value(),
//       [](const RoutingChange& c) { Audit(c); }).value();
//   ...
//   absl::StatusOr<RoutingConfig> next = LoadRoutingFile(path);   // on SIGHUP
//   if (next.ok()) status = versions->Reload(*std::move(next));
//   ...
//   versions->Rollback();  // the change was a mistake

#ifndef CCENGINE_CONFIG_ROUTING_VERSIONS_H_
#define CCENGINE_CONFIG_ROUTING_VERSIONS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/config/routing_file.h"
#include "ccengine/core/engine.h"

namespace ccengine::config {

struct RoutingChange {
  uint64_t from_version = 0;  // 0 for the first
  uint64_t to_version = 0;
  std::string from_hash;  // content hashes; empty for none
  std::string to_hash;
  std::string source;     // the new version's source name
  absl::Time at;          // the engine's time
  bool rollback = false;  // returned to an earlier version's content
};

class RoutingVersions {
 public:
  // The versions kept to return to, the current one included.
  static constexpr size_t kMaxKeptVersions = 16;

  using ChangeCallback = std::function<void(const RoutingChange&)>;

  // Configures `engine` (no skills and no queues yet) from `first` as
  // version 1; the engine must outlive the result.
  static absl::StatusOr<std::unique_ptr<RoutingVersions>> Start(
      Engine& engine, RoutingConfig first, ChangeCallback on_change = {});

  // Makes `next` the current version (see the header comment). On an
  // incompatible file: FailedPrecondition listing each reason, nothing
  // changed.
  absl::Status Reload(RoutingConfig next);

  // Returns to the version before the current one (the one the last Reload
  // replaced), as a new version; called again, to the one before that, and so
  // on, through the last kMaxKeptVersions. FailedPrecondition when there is
  // none.
  absl::Status Rollback();

  uint64_t version() const { return version_; }
  std::shared_ptr<const RoutingConfig> current() const { return stack_.back(); }
  const std::vector<RoutingChange>& history() const { return history_; }

 private:
  RoutingVersions(Engine& engine, ChangeCallback on_change)
      : engine_(engine), on_change_(std::move(on_change)) {}
  // Why `next` cannot follow on this engine, one reason per entry.
  std::vector<std::string> Incompatibilities(const RoutingConfig& next) const;
  absl::Status Apply(const RoutingConfig& next);
  void Record(const RoutingConfig* from, const RoutingConfig& to, bool rollback);

  Engine& engine_;
  ChangeCallback on_change_;
  uint64_t version_ = 0;
  // The versions that can be returned to, the current one last.
  std::vector<std::shared_ptr<const RoutingConfig>> stack_;
  std::vector<RoutingChange> history_;
  // Every strategy a version registered, with its weights.
  std::vector<StrategyDefinition> registered_;
};

}  // namespace ccengine::config

#endif  // CCENGINE_CONFIG_ROUTING_VERSIONS_H_
