// The daemon's routing file (ccengine/kamailio/routing.h).

#include "ccengine/kamailio/routing.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "ccengine/config/expression.h"
#include "fmt/format.h"

namespace ccengine::kamailio {
namespace {

// Kamailio's own timer decides when a ringing agent has not answered; an
// engine offer timeout would offer the call to a second agent while the
// first still rings.
absl::Status CheckForKamailio(const config::RoutingConfig& routing) {
  for (const QueueConfig& q : routing.queues()) {
    if (q.offer_timeout != absl::InfiniteDuration()) {
      return absl::InvalidArgumentError(fmt::format(
          "{}: queue '{}': offer_timeout_s must be null under Kamailio (its fr_inv_timer "
          "decides no-answer), got {}",
          routing.source_name(), q.name, absl::FormatDuration(q.offer_timeout)));
    }
  }
  return absl::OkStatus();
}

}  // namespace

DaemonRouting::DaemonRouting(std::string path,
                             std::unique_ptr<config::RoutingVersions> versions)
    : path_(std::move(path)),
      versions_(std::move(versions)),
      current_(versions_->current()) {}

absl::StatusOr<std::unique_ptr<DaemonRouting>> DaemonRouting::Start(Engine& engine,
                                                                    std::string path) {
  absl::StatusOr<config::RoutingConfig> first = config::LoadRoutingFile(path);
  if (!first.ok()) return first.status();
  if (absl::Status st = CheckForKamailio(*first); !st.ok()) return st;
  absl::StatusOr<std::unique_ptr<config::RoutingVersions>> versions =
      config::RoutingVersions::Start(engine, *std::move(first));
  if (!versions.ok()) return versions.status();
  return std::unique_ptr<DaemonRouting>(
      new DaemonRouting(std::move(path), *std::move(versions)));
}

std::optional<config::FlowTarget> DaemonRouting::Route(std::string_view service,
                                                       absl::Time now) const {
  std::shared_ptr<const config::RoutingConfig> routing;
  {
    std::lock_guard<std::mutex> lock(mu_);
    routing = current_;
  }
  if (const config::EntryFlow* flow = routing->FindFlow(service)) {
    config::Bindings facts(routing->schema());
    routing->SetContactFacts(facts, Channel::kVoice, now);
    return flow->Route(facts);
  }
  if (std::optional<QueueId> queue = routing->FindQueue(service)) {
    config::FlowTarget target;
    target.queue = *queue;
    return target;
  }
  return std::nullopt;
}

absl::Status DaemonRouting::LoadPending() {
  absl::StatusOr<config::RoutingConfig> next = config::LoadRoutingFile(path_);
  if (!next.ok()) return next.status();
  if (absl::Status st = CheckForKamailio(*next); !st.ok()) return st;
  std::lock_guard<std::mutex> lock(mu_);
  pending_ = *std::move(next);
  return absl::OkStatus();
}

std::optional<std::string> DaemonRouting::ApplyPending() {
  std::optional<config::RoutingConfig> next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!pending_.has_value()) return std::nullopt;
    next = std::move(pending_);
    pending_.reset();
  }
  const std::string hash = next->content_hash();
  if (absl::Status st = versions_->Reload(*std::move(next)); !st.ok()) {
    return fmt::format("reload of {} refused, version {} stays: {}", path_,
                       versions_->version(), std::string(st.message()));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = versions_->current();
  }
  return fmt::format("version {} ({}) from {}", versions_->version(), hash, path_);
}

}  // namespace ccengine::kamailio
