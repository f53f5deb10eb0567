// Shadow evaluation of a candidate routing version (routing_shadow.h).

#include "ccengine/config/routing_shadow.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fmt/format.h"

namespace ccengine::config {
namespace {

constexpr std::string_view kDefaultRule = "default";

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::string RuleName(const EntryFlow& flow, int rule) {
  return rule < 0 ? std::string(kDefaultRule)
                  : flow.rules()[static_cast<size_t>(rule)].name;
}

// Skills as (name, level), sorted: versions may number skills differently.
std::vector<std::pair<std::string, int>> NamedSkills(
    const RoutingConfig& routing, const std::vector<SkillRequirement>& skills) {
  std::vector<std::pair<std::string, int>> out;
  out.reserve(skills.size());
  for (const SkillRequirement& s : skills) {
    out.emplace_back(routing.skills()[s.skill.value()], s.level);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A target's fallbacks by name, comparable across two versions.
std::string NamedFallbacks(const RoutingConfig& routing, const FlowTarget& target) {
  std::string out;
  for (const FallbackTarget& f : target.fallbacks) {
    out += fmt::format("{}|{}|{}|", absl::FormatDuration(f.after),
                       routing.queues()[f.queue.value()].name, f.priority);
    for (const auto& [name, level] : NamedSkills(routing, f.skills)) {
      out += fmt::format("{}={},", name, level);
    }
    out += ";";
  }
  return out;
}

// Where a canary contact's target would not fit the live engine, if anywhere.
std::optional<std::string> CanaryMisfit(const RoutingConfig& live,
                                        const RoutingConfig& candidate) {
  for (const EntryFlow& flow : candidate.flows()) {
    for (size_t r = 0; r <= flow.rules().size(); ++r) {
      const FlowTarget& t =
          r < flow.rules().size() ? flow.rules()[r].target : flow.fallback;
      const std::string rule = r < flow.rules().size() ? flow.rules()[r].name : "default";
      // The target's queue and skills, then each fallback's.
      const auto misfit =
          [&](QueueId queue,
              const std::vector<SkillRequirement>& skills) -> std::optional<std::string> {
        const size_t q = queue.value();
        const std::string& name = candidate.queues()[q].name;
        if (q >= live.queues().size() || live.queues()[q].name != name) {
          return fmt::format(
              "flow '{}' rule '{}' targets queue {} '{}', which the live version does "
              "not "
              "have at that index",
              flow.name, rule, q, name);
        }
        for (const SkillRequirement& s : skills) {
          const size_t k = s.skill.value();
          if (k >= live.skills().size() || live.skills()[k] != candidate.skills()[k]) {
            return fmt::format(
                "flow '{}' rule '{}' asks for skill {} '{}', which the live version does "
                "not have at that index",
                flow.name, rule, k, candidate.skills()[k]);
          }
        }
        return std::nullopt;
      };
      if (auto why = misfit(t.queue, t.skills); why.has_value()) return why;
      for (const FallbackTarget& f : t.fallbacks) {
        if (auto why = misfit(f.queue, f.skills); why.has_value()) return why;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

RoutingShadow::RoutingShadow(std::shared_ptr<const RoutingConfig> live,
                             std::shared_ptr<const RoutingConfig> candidate,
                             double canary_share)
    : live_(std::move(live)),
      candidate_(std::move(candidate)),
      canary_share_(canary_share),
      live_facts_(live_->schema()),
      candidate_facts_(candidate_->schema()),
      report_(NewReport()) {
  // share × 2^64, as an integer threshold on the contact's hash.
  canary_below_ = canary_share >= 1 ? std::numeric_limits<uint64_t>::max()
                                    : static_cast<uint64_t>(std::ldexp(canary_share, 64));
}

absl::StatusOr<RoutingShadow> RoutingShadow::Create(
    std::shared_ptr<const RoutingConfig> live,
    std::shared_ptr<const RoutingConfig> candidate, double canary_share) {
  if (live == nullptr || candidate == nullptr) {
    return absl::InvalidArgumentError(
        "shadow evaluation needs a live and a candidate version");
  }
  if (!(canary_share >= 0 && canary_share <= 1)) {
    return absl::InvalidArgumentError(
        fmt::format("canary_share: must be in [0, 1], got {}", canary_share));
  }
  if (canary_share > 0) {
    if (std::optional<std::string> misfit = CanaryMisfit(*live, *candidate)) {
      return absl::FailedPreconditionError(fmt::format(
          "canary routing hands the candidate's targets to the live engine, but in {} {}",
          candidate->source_name(), *misfit));
    }
  }
  return RoutingShadow(std::move(live), std::move(candidate), canary_share);
}

bool RoutingShadow::InCanary(ContactId id) const {
  if (canary_share_ <= 0) return false;
  return canary_share_ >= 1 || SplitMix64(id.value()) < canary_below_;
}

ShadowReport RoutingShadow::NewReport() const {
  ShadowReport r;
  r.live_hash = live_->content_hash();
  r.candidate_hash = candidate_->content_hash();
  return r;
}

ShadowReport RoutingShadow::TakeReport() {
  ShadowReport out = std::move(report_);
  report_ = NewReport();
  return out;
}

absl::StatusOr<FlowTarget> RoutingShadow::Route(
    ContactId id, std::string_view flow_name,
    const std::vector<std::pair<std::string, FactValue>>& facts, Channel channel,
    absl::Time now) {
  const EntryFlow* flow = live_->FindFlow(flow_name);
  if (flow == nullptr) {
    return absl::NotFoundError(fmt::format("unknown flow '{}' in the live version ({})",
                                           flow_name, live_->source_name()));
  }
  if (facts.size() > kMaxShadowFacts) {
    return absl::InvalidArgumentError(fmt::format("facts: at most {} per contact, got {}",
                                                  kMaxShadowFacts, facts.size()));
  }
  // The live version first, all of it: an error must leave nothing counted.
  live_facts_.UnsetAll();
  for (const auto& [name, value] : facts) {
    const std::optional<AttributeId> at = live_->schema().Find(name);
    if (!at.has_value()) {
      return absl::NotFoundError(fmt::format(
          "facts.{}: the live version declares no attribute '{}'", name, name));
    }
    if (live_->IsContactFact(*at)) {
      return absl::InvalidArgumentError(fmt::format(
          "facts.{}: set for each contact from its channel and arrival", name));
    }
    if (value.index() == 1 && !std::isfinite(std::get<double>(value))) {
      return absl::InvalidArgumentError(
          fmt::format("facts.{}: must be finite, got {}", name, std::get<double>(value)));
    }
    if (!SetFact(live_facts_, *at, value)) {
      return absl::InvalidArgumentError(fmt::format(
          "facts.{}: the live version declares a {}, got a {}", name,
          ValueTypeName(live_->schema().type(*at)), ValueTypeName(TypeOf(value))));
    }
  }
  candidate_facts_.UnsetAll();
  uint64_t mismatches = 0;
  for (const auto& [name, value] : facts) {
    const std::optional<AttributeId> at = candidate_->schema().Find(name);
    if (!at.has_value() || !SetFact(candidate_facts_, *at, value)) ++mismatches;
  }
  live_->SetContactFacts(live_facts_, channel, now);
  candidate_->SetContactFacts(candidate_facts_, channel, now);

  const int live_rule = flow->Match(live_facts_);
  const FlowTarget& live_target = flow->Target(live_rule);
  const EntryFlow* other = candidate_->FindFlow(flow_name);
  ShadowReport& r = report_;
  ++r.decisions;
  r.candidate_fact_mismatches += mismatches;
  const std::string live_queue = live_->queues()[live_target.queue.value()].name;
  const std::string live_rule_name = RuleName(*flow, live_rule);
  // Counts the pair of rules; a decision that differs is counted and
  // sampled.
  const auto record = [&](const std::string& candidate_rule_name, bool differs,
                          const std::string& candidate_queue, bool canary) {
    ++r.rules[{std::string(flow_name), live_rule_name, candidate_rule_name}];
    if (!differs) return;
    ++r.differing;
    if (r.samples.size() < kMaxShadowSamples) {
      r.samples.push_back(ShadowSample{id, std::string(flow_name), live_rule_name,
                                       candidate_rule_name, live_queue, candidate_queue,
                                       canary});
    }
  };
  if (other == nullptr) {
    ++r.candidate_without_flow;
    record("(no such flow)", true, "", false);
    return live_target;
  }
  const int candidate_rule = other->Match(candidate_facts_);
  const FlowTarget& candidate_target = other->Target(candidate_rule);
  const std::string candidate_queue =
      candidate_->queues()[candidate_target.queue.value()].name;
  const bool queue = live_queue != candidate_queue;
  const bool priority = live_target.priority != candidate_target.priority;
  const bool skills = NamedSkills(*live_, live_target.skills) !=
                      NamedSkills(*candidate_, candidate_target.skills);
  const bool preference =
      live_target.preferred_agents != candidate_target.preferred_agents ||
      live_target.prefer_last_agent != candidate_target.prefer_last_agent ||
      live_target.preferred_wait != candidate_target.preferred_wait;
  const bool fallbacks = NamedFallbacks(*live_, live_target) !=
                         NamedFallbacks(*candidate_, candidate_target);
  const bool canary = InCanary(id);
  if (canary) ++r.routed_by_candidate;
  r.other_queue += queue;
  r.other_priority += priority;
  r.other_skills += skills;
  r.other_preference += preference;
  r.other_fallbacks += fallbacks;
  if (queue) ++r.queue_moves[{live_queue, candidate_queue}];
  record(RuleName(*other, candidate_rule),
         queue || priority || skills || preference || fallbacks, candidate_queue, canary);
  return canary ? candidate_target : live_target;
}

}  // namespace ccengine::config
