// -----------------------------------------------------------------------------
// File: ccengine/kamailio/routing.h
// -----------------------------------------------------------------------------
//
// The daemon's routing file (ccengine-kamailio --routing FILE): the engine's
// skills, strategies and queues come from it, an INVITE's request-URI user
// names one of its entry flows (or a queue), and the file is reloaded while
// calls go on. Every queue of the file must set "offer_timeout_s": null:
// Kamailio's own timer decides when a ringing agent has not answered.
//
// A reload has two halves, so that neither the router nor the SIP side waits
// on the disk: `LoadPending` reads and checks the file again on the caller's
// thread (a signal thread on SIGHUP) and keeps it; `ApplyPending`, on the
// router thread (the router loop's tick), makes it the next version
// (config::RoutingVersions: every queue updated at once, waiting calls
// re-evaluated) and only then lets `Route` use its flows. A file that does
// not load, or cannot follow the running version, changes nothing; either
// way the outcome is one log line.
//
// Agents whose skills come from a profile of the file (`FollowProfile`)
// take the new version's profile skills when it is applied, for the next
// decision; an agent whose profile the new version no longer has keeps its
// skills, and the log line says so. A profile's capacity is read at start
// only (the engine has no live capacity change): the line names profiles
// whose agents started with another capacity than the version's.
//
// Thread safety: `Route` may be called from any thread at any time;
// `LoadPending` from any one thread at a time; `ApplyPending` and `versions`
// from the router thread only (or before the router starts).

#ifndef CCENGINE_ADAPTERS_KAMAILIO_INCLUDE_CCENGINE_KAMAILIO_ROUTING_H_
#define CCENGINE_ADAPTERS_KAMAILIO_INCLUDE_CCENGINE_KAMAILIO_ROUTING_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/config/routing_file.h"
#include "ccengine/config/routing_versions.h"
#include "ccengine/core/engine.h"

namespace ccengine::kamailio {

class DaemonRouting {
 public:
  // Loads `path` (JSON, or YAML when it ends in .yaml or .yml and the YAML
  // adapter is built: FailedPrecondition otherwise) and configures `engine`
  // (which has no skills or queues) as version 1. The status lists every
  // error of the file.
  static absl::StatusOr<std::unique_ptr<DaemonRouting>> Start(Engine& engine,
                                                              std::string path);

  // Where a call to `service` (the request-URI user) goes at `now`: the
  // target of the entry flow of that name, else the queue of that name with
  // no extras; nullopt when the current version has neither. A flow reads
  // the call's channel (voice) and time, and the caller's `facts` (the
  // X-CC-Facts pairs, evapi.h), each read as its attribute's type: a
  // decimal number, true / false, or the text. A fact the version does not
  // declare, a built-in contact.* / time.* one, or a value not of its
  // attribute's type stays unset and is named, with why, in `*ignored`
  // ("" when none): a caller is never turned away for what the IVR sent.
  std::optional<config::FlowTarget> Route(
      std::string_view service, absl::Time now,
      const std::vector<std::pair<std::string, std::string>>& facts = {},
      std::string* ignored = nullptr) const;

  // Reads and checks the file again and keeps it for ApplyPending (a newer
  // load replaces one not yet applied). The status is the load's.
  absl::Status LoadPending();

  // Router thread (or before the router starts): `agent`, already added
  // with the current version's `profile` (its skills and capacity), follows
  // that profile across reloads.
  void FollowProfile(AgentId agent, std::string profile);

  // Router thread: makes the kept load the next version. Returns nullopt
  // when nothing was pending, else a one-line description of what happened
  // ("version 2 (hash) from FILE" or why it was refused).
  std::optional<std::string> ApplyPending();

  const std::string& path() const { return path_; }
  config::RoutingVersions& versions() { return *versions_; }

 private:
  DaemonRouting(Engine& engine, std::string path,
                std::unique_ptr<config::RoutingVersions> versions);

  // After a reload: the followers' new skills; what changed, as a suffix
  // for the log line ("" when nothing did).
  std::string UpdateFollowers();

  // An agent following a profile: the skills last given to it and the
  // capacity it started with (the engine cannot change that live).
  struct Follower {
    AgentId agent;
    std::string profile;
    std::vector<SkillLevel> skills;
    Capacity capacity;
  };

  Engine& engine_;

  const std::string path_;
  std::unique_ptr<config::RoutingVersions> versions_;
  mutable std::mutex mu_;
  std::shared_ptr<const config::RoutingConfig> current_;  // what Route reads
  std::optional<config::RoutingConfig> pending_;
  std::vector<Follower> followers_;  // router thread
};

}  // namespace ccengine::kamailio

#endif  // CCENGINE_ADAPTERS_KAMAILIO_INCLUDE_CCENGINE_KAMAILIO_ROUTING_H_
