// Versions of a routing file on a live engine (routing_versions.h).

#include "ccengine/config/routing_versions.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace ccengine::config {
namespace {

bool SameWeights(const CompositeWeights& a, const CompositeWeights& b) {
  return a.proficiency == b.proficiency && a.idle == b.idle &&
         a.spare_capacity == b.spare_capacity && a.fewest_handled == b.fewest_handled &&
         a.idle_scale == b.idle_scale;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RoutingVersions>> RoutingVersions::Start(
    Engine& engine, RoutingConfig first, ChangeCallback on_change) {
  std::unique_ptr<RoutingVersions> versions(
      new RoutingVersions(engine, std::move(on_change)));
  CCENGINE_RETURN_IF_ERROR(first.ApplyTo(engine));
  versions->registered_ = first.strategies();
  auto config = std::make_shared<const RoutingConfig>(std::move(first));
  versions->stack_.push_back(config);
  versions->Record(nullptr, *config, false);
  return versions;
}

std::vector<std::string> RoutingVersions::Incompatibilities(
    const RoutingConfig& next) const {
  std::vector<std::string> out;
  const size_t skills = std::min<size_t>(next.skills().size(), engine_.skill_count());
  for (size_t i = 0; i < skills; ++i) {
    const std::string_view had = engine_.SkillName(SkillId(static_cast<uint32_t>(i)));
    if (next.skills()[i] != had) {
      out.push_back(
          fmt::format("skill {} is \"{}\" in the engine but \"{}\" in {}: skills may be "
                      "added at the end, "
                      "not renamed, reordered or dropped",
                      i, had, next.skills()[i], next.source_name()));
    }
  }
  const size_t queues = std::min<size_t>(next.queues().size(), engine_.queue_count());
  for (size_t i = 0; i < queues; ++i) {
    const absl::StatusOr<QueueConfig> had =
        engine_.GetQueueConfig(QueueId(static_cast<uint32_t>(i)));
    if (had.ok() && had->name != next.queues()[i].name) {
      out.push_back(
          fmt::format("queue {} is \"{}\" in the engine but \"{}\" in {}: queues may be "
                      "added at the end, "
                      "not renamed, reordered or dropped",
                      i, had->name, next.queues()[i].name, next.source_name()));
    }
  }
  for (const StrategyDefinition& s : next.strategies()) {
    const auto ours =
        std::find_if(registered_.begin(), registered_.end(),
                     [&](const StrategyDefinition& r) { return r.name == s.name; });
    if (ours != registered_.end()) {
      if (!SameWeights(ours->weights, s.weights)) {
        out.push_back(fmt::format(
            "strategy \"{}\" has other weights in {} than in the engine: give the new "
            "weights a new name",
            s.name, next.source_name()));
      }
    } else if (engine_.FindStrategy(s.name).ok()) {
      // A strategy of the product's own, not from a routing file.
      out.push_back(fmt::format(
          "strategy \"{}\" already exists in the engine, not from a routing file",
          s.name));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

absl::Status RoutingVersions::Apply(const RoutingConfig& next) {
  const std::vector<std::string> reasons = Incompatibilities(next);
  if (!reasons.empty()) {
    return absl::FailedPreconditionError(
        fmt::format("{} cannot follow version {} ({}): {}", next.source_name(), version_,
                    current()->content_hash(), absl::StrJoin(reasons, "; ")));
  }
  // From here only what loading has checked remains: each step can fail
  // only as the engine's own checks do, which the file passed on a scratch
  // engine.
  for (size_t i = engine_.skill_count(); i < next.skills().size(); ++i) {
    CCENGINE_RETURN_IF_ERROR(engine_.AddSkill(next.skills()[i]).status());
  }
  for (const StrategyDefinition& s : next.strategies()) {
    if (engine_.FindStrategy(s.name).ok()) continue;  // the same weights: checked
    CCENGINE_RETURN_IF_ERROR(
        engine_.RegisterStrategy(s.name, std::make_unique<CompositeStrategy>(s.weights))
            .status());
    registered_.push_back(s);
  }
  for (size_t i = engine_.queue_count(); i < next.queues().size(); ++i) {
    QueueConfig first = next.queues()[i];
    first.overflow_queue.reset();
    CCENGINE_RETURN_IF_ERROR(engine_.AddQueue(std::move(first)).status());
  }
  // All the queues at once: each waiting contact is judged under the whole
  // new version (one that moves on finds its next queue's new rules).
  std::vector<std::pair<QueueId, QueueConfig>> updates;
  updates.reserve(next.queues().size());
  for (size_t i = 0; i < next.queues().size(); ++i) {
    updates.emplace_back(QueueId(static_cast<uint32_t>(i)), next.queues()[i]);
  }
  return engine_.UpdateQueues(updates);
}

absl::Status RoutingVersions::Reload(RoutingConfig next) {
  CCENGINE_RETURN_IF_ERROR(Apply(next));
  auto config = std::make_shared<const RoutingConfig>(std::move(next));
  const std::shared_ptr<const RoutingConfig> from = stack_.back();
  stack_.push_back(config);
  if (stack_.size() > kMaxKeptVersions) stack_.erase(stack_.begin());
  Record(from.get(), *config, false);  // current() is the new version here
  return absl::OkStatus();
}

absl::Status RoutingVersions::Rollback() {
  if (stack_.size() < 2) {
    return absl::FailedPreconditionError(fmt::format(
        "version {} is the first: there is no earlier version to return to", version_));
  }
  const std::shared_ptr<const RoutingConfig> earlier = stack_[stack_.size() - 2];
  CCENGINE_RETURN_IF_ERROR(Apply(*earlier));
  const std::shared_ptr<const RoutingConfig> from = stack_.back();
  stack_.pop_back();
  Record(from.get(), *earlier, true);
  return absl::OkStatus();
}

void RoutingVersions::Record(const RoutingConfig* from, const RoutingConfig& to,
                             bool rollback) {
  RoutingChange change;
  change.from_version = version_;
  change.to_version = ++version_;
  change.from_hash = from != nullptr ? from->content_hash() : "";
  change.to_hash = to.content_hash();
  change.source = to.source_name();
  change.at = engine_.Now();
  change.rollback = rollback;
  history_.push_back(change);
  // A copy: the callback may reload or roll back in turn.
  if (on_change_) on_change_(change);
}

}  // namespace ccengine::config
