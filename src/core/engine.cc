// Engine: configuration, command dispatch, timers and events (queries are
// in queries.cc).
// Agent lifecycle lives in agents.cc, contact lifecycle in contacts.cc, the
// two routing decisions in matching.cc.

#include "ccengine/core/engine.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "common/status_macros.h"
#include "fmt/format.h"

namespace ccengine {

using internal::AgentRec;
using internal::ContactRec;
using internal::kNoSlot;
using internal::QueueRec;
using internal::Timer;
using internal::TimerKind;

namespace {

std::string SkillListError(std::string_view what, const std::string& detail) {
  return fmt::format("{}: {}", what, detail);
}

}  // namespace

absl::Status FairnessGuards::Validate() const {
  if (!(occupancy_cap > 0 && occupancy_cap <= 1)) {
    return absl::InvalidArgumentError(
        fmt::format("guards.occupancy_cap must be in (0, 1], got {}", occupancy_cap));
  }
  if (!(max_occupancy_spread >= 0 && max_occupancy_spread <= 1)) {
    return absl::InvalidArgumentError(fmt::format(
        "guards.max_occupancy_spread must be in [0, 1], got {}", max_occupancy_spread));
  }
  if (!(exploration >= 0 && exploration < 1)) {
    return absl::InvalidArgumentError(
        fmt::format("guards.exploration must be in [0, 1), got {}", exploration));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(EngineOptions options) {
  if (options.intake_capacity < 2 || options.intake_capacity > (size_t{1} << 30)) {
    return absl::InvalidArgumentError(fmt::format(
        "intake_capacity must be in [2, 2^30], got {}", options.intake_capacity));
  }
  if (options.rona_limit < 0) {
    return absl::InvalidArgumentError(
        fmt::format("rona_limit must be >= 0, got {}", options.rona_limit));
  }
  if (options.priority_class_weight <= absl::ZeroDuration() ||
      options.priority_class_weight == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        fmt::format("priority_class_weight must be positive and finite, got {}",
                    absl::FormatDuration(options.priority_class_weight)));
  }
  if (options.priority_class_weight > kMaxDuration) {
    return absl::InvalidArgumentError("priority_class_weight must be at most 100 years");
  }
  const QualityOptions& qo = options.quality;
  if (qo.half_life <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        fmt::format("quality.half_life must be positive (infinite for no decay), got {}",
                    absl::FormatDuration(qo.half_life)));
  }
  if (!(qo.prior_weight >= 0) || !std::isfinite(qo.prior_weight)) {
    return absl::InvalidArgumentError(fmt::format(
        "quality.prior_weight must be finite and >= 0, got {}", qo.prior_weight));
  }
  if (!(qo.default_csat >= kMinCsat && qo.default_csat <= kMaxCsat)) {
    return absl::InvalidArgumentError(
        fmt::format("quality.default_csat must be in [1, 5], got {}", qo.default_csat));
  }
  if (!(qo.default_fcr >= 0 && qo.default_fcr <= 1)) {
    return absl::InvalidArgumentError(
        fmt::format("quality.default_fcr must be in [0, 1], got {}", qo.default_fcr));
  }
  if (options.work_window < absl::Seconds(16) ||
      options.work_window > absl::Hours(7 * 24)) {
    return absl::InvalidArgumentError(
        fmt::format("work_window must be between 16s and 7 days, got {}",
                    absl::FormatDuration(options.work_window)));
  }
  if (options.customer_history_retention < absl::ZeroDuration() ||
      options.customer_history_retention == absl::InfiniteDuration() ||
      options.customer_history_retention > kMaxDuration) {
    return absl::InvalidArgumentError(
        fmt::format("customer_history_retention must be >= 0 and finite (at most 100 "
                    "years), got {}",
                    absl::FormatDuration(options.customer_history_retention)));
  }
  if (!InTimeRange(options.start)) {
    return absl::InvalidArgumentError(
        fmt::format("start must be within 10,000 years of the Unix epoch, got {}",
                    absl::FormatTime(options.start)));
  }
  return std::unique_ptr<Engine>(new Engine(options));
}

Engine::Engine(EngineOptions options)
    : options_(options),
      now_(ToMicros(options.start)),
      class_weight_(ToMicros(options.priority_class_weight)),
      history_({options.customer_history_size, options.customer_history_retention,
                options.customer_history_max_entries}),
      quality_(options.quality),
      work_bucket_(ToMicros(options.work_window) / internal::WorkWindow::kBuckets),
      guard_rng_(options.seed ^ 0xD1B54A32D192ED03ULL),
      intake_(options.intake_capacity) {
  auto add = [this](std::string_view name, std::unique_ptr<AgentStrategy> s) {
    strategy_names_.emplace_back(name);
    strategy_observes_offers_.push_back(s->ObservesOffers());
    strategies_.push_back(std::move(s));
  };
  add("longest_idle", std::make_unique<LongestIdleStrategy>());
  add("least_occupied", std::make_unique<LeastOccupiedStrategy>());
  add("fewest_handled", std::make_unique<FewestHandledStrategy>());
  add("round_robin", std::make_unique<RoundRobinStrategy>());
  add("random", std::make_unique<RandomStrategy>(options.seed));
  add("weighted_random",
      std::make_unique<WeightedRandomStrategy>(options.seed ^ 0x9e3779b97f4a7c15ULL));
  add("best_proficiency", std::make_unique<BestProficiencyStrategy>());
  add("composite", std::make_unique<CompositeStrategy>());
  add("satisfaction", std::make_unique<SatisfactionStrategy>());
}

Engine::~Engine() = default;

// --- Configuration -----------------------------------------------------------

absl::StatusOr<SkillId> Engine::AddSkill(std::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("skill name is empty");
  std::string key(name);
  if (skill_by_name_.contains(key)) {
    return absl::AlreadyExistsError(fmt::format("skill '{}' already exists", name));
  }
  SkillId id(static_cast<uint32_t>(skill_names_.size()));
  skill_names_.push_back(key);
  skill_by_name_.emplace(std::move(key), id);
  agent_index_.AddSkill();
  quality_.AddSkill();
  return id;
}

absl::StatusOr<SkillId> Engine::FindSkill(std::string_view name) const {
  auto it = skill_by_name_.find(std::string(name));
  if (it == skill_by_name_.end()) {
    return absl::NotFoundError(fmt::format("unknown skill '{}'", name));
  }
  return it->second;
}

std::string_view Engine::SkillName(SkillId skill) const {
  return skill.value() < skill_names_.size() ? skill_names_[skill.value()]
                                             : std::string_view();
}

absl::StatusOr<StrategyId> Engine::RegisterStrategy(
    std::string_view name, std::unique_ptr<AgentStrategy> strategy) {
  if (name.empty()) return absl::InvalidArgumentError("strategy name is empty");
  if (strategy == nullptr) {
    return absl::InvalidArgumentError(fmt::format("strategy '{}' is null", name));
  }
  if (FindStrategy(name).ok()) {
    return absl::AlreadyExistsError(fmt::format("strategy '{}' already exists", name));
  }
  strategy_names_.emplace_back(name);
  strategy_observes_offers_.push_back(strategy->ObservesOffers());
  strategies_.push_back(std::move(strategy));
  return StrategyId(static_cast<uint32_t>(strategies_.size() - 1));
}

absl::StatusOr<StrategyId> Engine::FindStrategy(std::string_view name) const {
  for (size_t i = 0; i < strategy_names_.size(); ++i) {
    if (strategy_names_[i] == name) return StrategyId(static_cast<uint32_t>(i));
  }
  return absl::NotFoundError(fmt::format("unknown strategy '{}'", name));
}

absl::Status Engine::ValidateSkills(const std::vector<SkillLevel>& skills,
                                    absl::FunctionRef<std::string()> what) const {
  for (size_t i = 0; i < skills.size(); ++i) {
    const SkillLevel& s = skills[i];
    if (s.skill.value() >= skill_names_.size()) {
      return absl::NotFoundError(
          SkillListError(what(), fmt::format("unknown skill id {}", s.skill.value())));
    }
    if (s.level < kMinProficiency || s.level > kMaxProficiency) {
      return absl::InvalidArgumentError(SkillListError(
          what(), fmt::format("level of skill '{}' must be in 1..10, got {}",
                              skill_names_[s.skill.value()], int{s.level})));
    }
    for (size_t j = 0; j < i; ++j) {
      if (skills[j].skill == s.skill) {
        return absl::InvalidArgumentError(
            SkillListError(what(), fmt::format("skill '{}' listed twice",
                                               skill_names_[s.skill.value()])));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Engine::ValidateQueueConfig(const QueueConfig& c,
                                         const QueueId* self) const {
  if (c.name.empty()) return absl::InvalidArgumentError("queue name is empty");
  std::string what = fmt::format("queue '{}'", c.name);
  // Finite durations beyond 100 years would overflow the engine's clock.
  for (const auto& [field, d] :
       {std::pair{"sl_threshold", c.sl_threshold},
        std::pair{"short_abandon", c.short_abandon}, std::pair{"max_wait", c.max_wait},
        std::pair{"wrap_up", c.wrap_up}, std::pair{"offer_timeout", c.offer_timeout},
        std::pair{"expected_handle_time", c.expected_handle_time}}) {
    if (d != absl::InfiniteDuration() && d > kMaxDuration) {
      return absl::InvalidArgumentError(fmt::format(
          "{}: {} must be at most 100 years (or infinite where allowed), got {}", what,
          field, absl::FormatDuration(d)));
    }
  }
  for (size_t i = 0; i < c.relaxation.size(); ++i) {
    if (c.relaxation[i].after > kMaxDuration) {
      return absl::InvalidArgumentError(
          fmt::format("{}: relaxation step {} must start within 100 years", what, i + 1));
    }
  }
  CCENGINE_RETURN_IF_ERROR(ValidateSkills(c.skills, [&] { return what; }));
  absl::Duration prev = absl::ZeroDuration();
  for (size_t i = 0; i < c.relaxation.size(); ++i) {
    const RoutingStep& step = c.relaxation[i];
    if (step.after <= prev || step.after == absl::InfiniteDuration()) {
      return absl::InvalidArgumentError(fmt::format(
          "{}: relaxation step {} must start after {} and be finite, got {}", what, i + 1,
          absl::FormatDuration(prev), absl::FormatDuration(step.after)));
    }
    prev = step.after;
    CCENGINE_RETURN_IF_ERROR(ValidateSkills(
        step.skills, [&] { return fmt::format("{} relaxation step {}", what, i + 1); }));
  }
  if (c.priority < kMinPriority || c.priority > kMaxPriority) {
    return absl::InvalidArgumentError(
        fmt::format("{}: priority must be in 0..9, got {}", what, c.priority));
  }
  if (!(c.aging_weight > 0) || !std::isfinite(c.aging_weight)) {
    return absl::InvalidArgumentError(fmt::format(
        "{}: aging_weight must be positive and finite, got {}", what, c.aging_weight));
  }
  if (!(c.sl_target >= 0 && c.sl_target <= 1)) {
    return absl::InvalidArgumentError(
        fmt::format("{}: sl_target must be in [0, 1], got {}", what, c.sl_target));
  }
  if (c.sl_threshold < absl::ZeroDuration() ||
      c.sl_threshold == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: sl_threshold must be >= 0 and finite", what));
  }
  if (c.short_abandon < absl::ZeroDuration() ||
      c.short_abandon == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: short_abandon must be >= 0 and finite", what));
  }
  if (static_cast<int>(c.sl_definition) >= kServiceLevelDefinitionCount) {
    return absl::InvalidArgumentError(
        fmt::format("{}: sl_definition {} is not a known definition", what,
                    static_cast<int>(c.sl_definition)));
  }
  if (c.max_wait <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: max_wait must be positive (infinite for none), got {}", what,
                    absl::FormatDuration(c.max_wait)));
  }
  if (c.wrap_up < absl::ZeroDuration() || c.wrap_up == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: wrap_up must be >= 0 and finite", what));
  }
  if (c.offer_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: offer_timeout must be positive, got {}", what,
                    absl::FormatDuration(c.offer_timeout)));
  }
  if (c.expected_handle_time <= absl::ZeroDuration() ||
      c.expected_handle_time == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: expected_handle_time must be positive and finite", what));
  }
  if (c.overflow_queue.has_value()) {
    if (c.overflow_queue->value() >= queues_.size()) {
      return absl::NotFoundError(fmt::format("{}: unknown overflow queue id {}", what,
                                             c.overflow_queue->value()));
    }
    if (self != nullptr && *c.overflow_queue == *self) {
      return absl::InvalidArgumentError(
          fmt::format("{}: a queue cannot overflow into itself", what));
    }
  }
  if (c.hours.has_value()) {
    absl::Status st = c.hours->Validate();
    if (!st.ok()) {
      return absl::InvalidArgumentError(
          fmt::format("{}: hours: {}", what, std::string(st.message())));
    }
  }
  CCENGINE_RETURN_IF_ERROR(FindStrategy(c.strategy).status());
  if (absl::Status st = c.guards.Validate(); !st.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: {}", what, std::string(st.message())));
  }
  auto it = queue_by_name_.find(c.name);
  if (it != queue_by_name_.end() && (self == nullptr || it->second != *self)) {
    return absl::AlreadyExistsError(fmt::format("queue '{}' already exists", c.name));
  }
  return absl::OkStatus();
}

void Engine::InstallQueueRules(QueueRec& q, const QueueConfig& config) {
  auto sorted = [](std::vector<SkillRequirement> v) {
    std::sort(v.begin(), v.end(),
              [](const auto& a, const auto& b) { return a.skill < b.skill; });
    return v;
  };
  q.config = config;
  q.strategy = *FindStrategy(config.strategy);
  q.full_decision =
      config.guards.active() || strategies_[q.strategy.value()]->UsesQuality();
  if (q.full_decision && !track_work_) {
    // Windows start now for every agent; from here on SyncAgent keeps them.
    track_work_ = true;
    for (internal::AgentRec& a : agents_) {
      if (a.live) TrackWork(a);
    }
  }
  q.sl_threshold_us = ToMicros(config.sl_threshold);
  q.short_abandon_us = ToMicros(config.short_abandon);
  q.stats.sl_definition = config.sl_definition;
  q.wrap_up_us = ToMicros(config.wrap_up);
  q.offer_timeout_us = config.offer_timeout == absl::InfiniteDuration()
                           ? kNever
                           : ToMicros(config.offer_timeout);
  for (const SkillRequirement& r : config.skills) EnsureSkillSet(r);
  for (const RoutingStep& step : config.relaxation) {
    for (const SkillRequirement& r : step.skills) EnsureSkillSet(r);
  }
  q.step_after.assign(1, 0);
  q.step_skills.assign(1, sorted(config.skills));
  for (const RoutingStep& step : config.relaxation) {
    q.step_after.push_back(ToMicros(step.after));
    q.step_skills.push_back(sorted(step.skills));
  }
}

absl::StatusOr<QueueId> Engine::AddQueue(QueueConfig config) {
  CCENGINE_RETURN_IF_ERROR(ValidateQueueConfig(config, nullptr));
  QueueId id(static_cast<uint32_t>(queues_.size()));
  QueueRec& q = queues_.emplace_back();
  InstallQueueRules(q, config);
  q.stats.queue = id;
  queue_by_name_.emplace(config.name, id);
  SyncQueueHours(id.value());
  return id;
}

absl::Status Engine::UpdateQueue(QueueId queue, QueueConfig config) {
  std::vector<std::pair<QueueId, QueueConfig>> one;
  one.emplace_back(queue, std::move(config));
  return UpdateQueues(one);
}

absl::Status Engine::UpdateQueues(
    const std::vector<std::pair<QueueId, QueueConfig>>& updates) {
  // Everything is checked before anything changes.
  std::vector<bool> seen(queues_.size(), false);
  for (const auto& [queue, config] : updates) {
    if (queue.value() >= queues_.size()) {
      return absl::NotFoundError(fmt::format("unknown queue id {}", queue.value()));
    }
    const QueueRec& q = queues_[queue.value()];
    if (config.name != q.config.name) {
      return absl::InvalidArgumentError(fmt::format(
          "queue '{}' cannot be renamed to '{}'", q.config.name, config.name));
    }
    if (seen[queue.value()]) {
      return absl::InvalidArgumentError(
          fmt::format("queue '{}' is updated twice in one call", q.config.name));
    }
    seen[queue.value()] = true;
    CCENGINE_RETURN_IF_ERROR(ValidateQueueConfig(config, &queue));
  }
  // Take the waiting contacts out under the old rules (their sets depend on
  // the queue's priority and steps) and install every queue's new rules, so
  // that each contact is then judged under the whole new configuration —
  // also one that moves on into another updated queue.
  std::vector<uint32_t> waiting;
  std::vector<uint32_t> changed_groups;
  for (const auto& [queue, config] : updates) {
    QueueRec& q = queues_[queue.value()];
    for (uint32_t g : q.groups) {
      for (const auto& set : groups_[g].sets) {
        for (const internal::WaitKey& k : set) waiting.push_back(k.slot);
      }
    }
  }
  for (uint32_t slot : waiting) RemoveWaiting(slot);
  for (const auto& [queue, config] : updates) {
    QueueRec& q = queues_[queue.value()];
    InstallQueueRules(q, config);
    SyncQueueHours(queue.value());
    for (uint32_t g : q.groups) {
      // The steps may have changed: the group's rings are made again if needed.
      if (groups_[g].tracked()) {
        groups_[g].free.clear();
        groups_[g].keyed.clear();
        --tracked_groups_;
      }
      if (g < draw_refs_.size() && draw_refs_[g].first != kNoSlot) {
        draw_sets_.Drop(draw_refs_[g].first, draw_refs_[g].steps);
        draw_refs_[g] = DrawRef();
        --draw_groups_;
      }
      groups_[g].Resize(q.step_after.size());
      changed_groups.push_back(g);
    }
  }
  // The agents' served groups: only the changed ones, or all at once when
  // most changed.
  if (changed_groups.size() * 4 > groups_.size()) {
    for (uint32_t slot = 0; slot < agents_.size(); ++slot) {
      if (agents_[slot].live) ComputeServed(slot);
    }
  } else if (!changed_groups.empty()) {
    RefreshServed(changed_groups);
  }
  // Best first, across the updated queues: new step, new timers, and a match
  // if one is possible now.
  std::vector<std::pair<double, uint32_t>> order;
  for (uint32_t slot : waiting) {
    ContactRec& c = contacts_[slot];
    const QueueRec& q = queues_[c.queue];
    c.step = static_cast<uint8_t>(StepAt(q, c.queued_at, now_));
    order.emplace_back(-AgedScore(c, q), slot);
  }
  std::sort(order.begin(), order.end());
  for (const auto& [score, slot] : order) {
    const QueueRec& q = queues_[contacts_[slot].queue];
    if (!q.open && q.config.move_waiting_at_close) {
      Overflow(slot, EventReason::kClosed, 0);  // closed by the new hours
      continue;
    }
    if (TryMatchContact(slot)) continue;
    if (q.config.max_wait != absl::InfiniteDuration() &&
        now_ >= contacts_[slot].queued_at + ToMicros(q.config.max_wait)) {
      Overflow(slot, EventReason::kMaxWait, 0);  // the new limit has passed
      continue;
    }
    InsertWaiting(slot);
    ScheduleWaitTimers(slot);
  }
  RecheckPreferences();  // a preferred agent may no longer serve the queue
  return absl::OkStatus();
}

absl::StatusOr<QueueId> Engine::FindQueue(std::string_view name) const {
  auto it = queue_by_name_.find(std::string(name));
  if (it == queue_by_name_.end()) {
    return absl::NotFoundError(fmt::format("unknown queue '{}'", name));
  }
  return it->second;
}

absl::StatusOr<QueueConfig> Engine::GetQueueConfig(QueueId queue) const {
  if (queue.value() >= queues_.size()) {
    return absl::NotFoundError(fmt::format("unknown queue id {}", queue.value()));
  }
  return queues_[queue.value()].config;
}

absl::StatusOr<ServiceLevelTerms> Engine::GetServiceLevelTerms(QueueId queue) const {
  if (queue.value() >= queues_.size()) {
    return absl::NotFoundError(fmt::format("unknown queue id {}", queue.value()));
  }
  const QueueConfig& c = queues_[queue.value()].config;
  return ServiceLevelTerms{c.sl_threshold, c.sl_definition, c.short_abandon, c.sl_target};
}

// --- Lookups -----------------------------------------------------------------

absl::Status Engine::UnknownAgent(AgentId id) {
  return absl::NotFoundError(fmt::format("unknown agent {}", id.value()));
}

absl::Status Engine::UnknownContact(ContactId id) {
  return absl::NotFoundError(fmt::format("unknown contact {}", id.value()));
}

absl::StatusOr<uint32_t> Engine::LoggedInAgentSlot(AgentId id) const {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LiveAgentSlot(id));
  if (!agents_[slot].logged_in) {
    return absl::FailedPreconditionError(
        fmt::format("agent {} is not logged in", id.value()));
  }
  return slot;
}

// --- Commands, intake, time --------------------------------------------------

uint64_t Engine::ProducerSequence(uint64_t producer) const {
  auto it = producer_sequences_.find(producer);
  return it == producer_sequences_.end() ? 0 : it->second;
}

absl::Status Engine::Apply(const Command& command, CommandOrigin origin) {
  if (origin.producer == 0) origin.sequence = 0;  // no producer, no number
  if (origin.producer != 0) {
    if (origin.sequence == 0) {
      return absl::InvalidArgumentError(fmt::format(
          "producer {}: command sequence numbers start at 1", origin.producer));
    }
    auto it = producer_sequences_.find(origin.producer);
    if (it != producer_sequences_.end() && origin.sequence <= it->second) {
      return absl::AlreadyExistsError(fmt::format(
          "command {} of producer {} was applied already (its highest applied: {})",
          origin.sequence, origin.producer, it->second));
    }
    if (it == producer_sequences_.end() &&
        producer_sequences_.size() >= options_.max_producers) {
      return absl::ResourceExhaustedError(
          fmt::format("producer {}: the engine keeps the numbers of at most {} producers",
                      origin.producer, options_.max_producers));
    }
  }
  if (authorizer_) CCENGINE_RETURN_IF_ERROR(authorizer_(*this, command, origin));
  if (command_hook_) CCENGINE_RETURN_IF_ERROR(command_hook_(command, origin));
  if (origin.producer != 0) producer_sequences_[origin.producer] = origin.sequence;
  return std::visit(
      [this](const auto& c) -> absl::Status {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, cmd::AddAgent>) return AddAgent(c.config);
        else if constexpr (std::is_same_v<T, cmd::RemoveAgent>)
          return RemoveAgent(c.agent);
        else if constexpr (std::is_same_v<T, cmd::Login>)
          return Login(c.agent, c.ready, c.reason);
        else if constexpr (std::is_same_v<T, cmd::Logout>)
          return Logout(c.agent);
        else if constexpr (std::is_same_v<T, cmd::SetReady>)
          return SetReady(c.agent);
        else if constexpr (std::is_same_v<T, cmd::SetNotReady>)
          return SetNotReady(c.agent, c.reason);
        else if constexpr (std::is_same_v<T, cmd::AddContact>)
          return AddContact(c.spec);
        else if constexpr (std::is_same_v<T, cmd::AcceptOffer>)
          return AcceptOffer(c.agent, c.contact, c.offer);
        else if constexpr (std::is_same_v<T, cmd::RejectOffer>)
          return RejectOffer(c.agent, c.contact, c.offer);
        else if constexpr (std::is_same_v<T, cmd::CompleteContact>)
          return CompleteContact(c.agent, c.contact, c.outcome);
        else if constexpr (std::is_same_v<T, cmd::EndWrapUp>)
          return EndWrapUp(c.agent);
        else if constexpr (std::is_same_v<T, cmd::Abandon>)
          return Abandon(c.contact);
        else if constexpr (std::is_same_v<T, cmd::RequestCallback>)
          return RequestCallback(c.contact);
        else if constexpr (std::is_same_v<T, cmd::Transfer>)
          return Transfer(c.contact, c.to, c.keep_age);
        else if constexpr (std::is_same_v<T, cmd::Withdraw>)
          return Withdraw(c.contact);
        else if constexpr (std::is_same_v<T, cmd::SetPriority>)
          return SetPriority(c.contact, c.priority);
        else if constexpr (std::is_same_v<T, cmd::ForceAgentState>)
          return ForceAgentState(c.agent, c.state, c.reason);
        else
          return EraseCustomer(c.customer_id);
      },
      command);
}

absl::Status Engine::Submit(Command command, CommandOrigin origin) {
  if (!intake_.TryPush(Submitted{std::move(command), origin})) {
    return absl::ResourceExhaustedError(
        fmt::format("intake is full ({} commands); retry after the router drains it",
                    intake_.capacity()));
  }
  // Pairs with the fence in WaitForWork: either the router sees this command
  // when it re-checks the intake, or this thread sees it parked.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (parked_.load(std::memory_order_relaxed)) Wake();
  return absl::OkStatus();
}

void Engine::Wake() { wake_.release(); }

bool Engine::WaitForWork(absl::Duration max_wait, int spin_iterations) {
  for (int i = 0; i < spin_iterations; ++i) {
    if (!intake_.ApproxEmpty()) return true;
  }
  parked_.store(true, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  // Re-check after announcing the park: a producer that pushed before seeing
  // `parked_` is caught here, one that pushed after will release the
  // semaphore.
  if (intake_.ApproxEmpty() && max_wait > absl::ZeroDuration()) {
    wake_.try_acquire_for(
        absl::ToChronoMicroseconds(std::min(max_wait, absl::Seconds(3600))));
  }
  parked_.store(false, std::memory_order_seq_cst);
  while (wake_.try_acquire()) {
  }
  return !intake_.ApproxEmpty();
}

absl::Status Engine::AdvanceTo(absl::Time now) {
  if (!InTimeRange(now)) {
    return absl::InvalidArgumentError(
        fmt::format("time {} is out of range (within 10,000 years of the Unix epoch)",
                    absl::FormatTime(now)));
  }
  return AdvanceToMicros(ToMicros(now));
}

absl::Status Engine::AdvanceWithWork(Micros target) {
  if (!InTimeRangeMicros(target)) {
    return absl::InvalidArgumentError(
        fmt::format("time {} is out of range (within 10,000 years of the Unix epoch)",
                    absl::FormatTime(TimeFromMicros(target))));
  }
  if (target < now_) {
    return absl::InvalidArgumentError(
        fmt::format("time went backwards: {} is before the engine's time {}",
                    absl::FormatTime(TimeFromMicros(target)), absl::FormatTime(Now())));
  }
  timers_.FireDue(target, [this](const Timer& t) {
    now_ = std::max(now_, t.at);
    FireTimer(t);
  });
  now_ = target;
  history_.Expire(now_);
  return absl::OkStatus();
}

absl::StatusOr<size_t> Engine::Poll(absl::Time now) {
  CCENGINE_RETURN_IF_ERROR(AdvanceTo(now));
  size_t applied = 0;
  Submitted submitted;
  while (intake_.TryPop(submitted)) {
    absl::Status st = Apply(submitted.command, submitted.origin);
    ++applied;
    if (!st.ok()) {
      Event e = MakeEvent(EventType::kCommandFailed);
      e.status = std::move(st);
      e.origin = submitted.origin;
      // The contact and agent the command named, so that its sender can
      // tell which of its calls or tickets the refusal concerns.
      std::visit(
          [&e](const auto& c) {
            if constexpr (requires { c.contact; }) {
              e.contact = c.contact;
              e.has_contact = true;
            } else if constexpr (requires { c.spec.id; }) {
              e.contact = c.spec.id;
              e.has_contact = true;
            }
            if constexpr (requires { c.agent; }) {
              e.agent = c.agent;
              e.has_agent = true;
            } else if constexpr (requires { c.config.id; }) {
              e.agent = c.config.id;
              e.has_agent = true;
            }
          },
          submitted.command);
      Emit(e);
    }
  }
  return applied;
}

std::optional<absl::Time> Engine::NextTimerAt() const {
  std::optional<Micros> at = NextTimerMicros();
  if (!at.has_value()) return std::nullopt;
  return TimeFromMicros(*at);
}

std::optional<Micros> Engine::EarliestLiveTimer() const {
  return timers_.EarliestLive([this](const Timer& t) { return TimerLive(t); });
}

bool Engine::TimerLive(const Timer& t) const {
  switch (t.kind) {
    case TimerKind::kOfferTimeout: {
      const ContactRec& c = contacts_[t.slot];
      return c.live && c.state == ContactState::kOffered && c.offer_token == t.token;
    }
    case TimerKind::kRelax:
    case TimerKind::kMaxWait: {
      const ContactRec& c = contacts_[t.slot];
      return c.live && c.state == ContactState::kWaiting && c.wait_token == t.token;
    }
    case TimerKind::kPreferredWait: {
      // Live while the preference stands, ringing included: the contact may
      // be back in line before the window closes (NextTimerAt drops only
      // timers that can never fire).
      const ContactRec& c = contacts_[t.slot];
      return c.live && c.preferring && c.pref_token == t.token;
    }
    case TimerKind::kWrapUp: {
      const AgentRec& a = agents_[t.slot];
      return a.live && a.wrap_until != 0 && a.wrap_token == t.token;
    }
    case TimerKind::kHours: return queues_[t.slot].hours_token == t.token;
    case TimerKind::kFallback: {
      // Live while waiting or ringing (a ringing contact moves if the offer
      // fails); answered, its fallbacks are dropped.
      const ContactRec& c = contacts_[t.slot];
      return c.live && c.fallback_token != 0 && c.fallback_token == t.token &&
             !c.fallback_due &&
             (c.state == ContactState::kWaiting || c.state == ContactState::kOffered);
    }
  }
  return false;
}

void Engine::FireTimer(const Timer& t) {
  if (!TimerLive(t)) return;
  switch (t.kind) {
    case TimerKind::kOfferTimeout: OnOfferTimeout(t.slot); break;
    case TimerKind::kRelax: OnRelax(t.slot); break;
    case TimerKind::kMaxWait: OnMaxWait(t.slot); break;
    case TimerKind::kWrapUp: {
      AgentRec& a = agents_[t.slot];
      a.wrap_until = 0;
      if (a.contacts.empty()) a.idle_since = now_;
      SyncAgent(t.slot);
      TryMatchAgent(t.slot);
      break;
    }
    case TimerKind::kPreferredWait:
      // A contact ringing when its window closes is reviewed if it comes
      // back (ReturnToLine).
      if (contacts_[t.slot].state == ContactState::kWaiting) OnPreferredWait(t.slot);
      break;
    case TimerKind::kHours: OnQueueHours(t.slot); break;
    case TimerKind::kFallback: OnFallback(t.slot); break;
  }
}

// --- Events ------------------------------------------------------------------

Engine::SubscriptionId Engine::Subscribe(EventCallback callback, uint32_t types) {
  return events_.Subscribe(std::move(callback), types);
}

void Engine::Unsubscribe(SubscriptionId id) { events_.Unsubscribe(id); }

Event Engine::MakeEvent(EventType type) const {
  Event e;
  e.type = type;
  e.time = Now();
  return e;
}

Event Engine::MakeContactEvent(EventType type, const ContactRec& c,
                               uint32_t agent) const {
  Event e = MakeEvent(type);
  e.contact = c.id;
  e.has_contact = true;
  e.queue = QueueId(c.queue);
  if (agent != kNoSlot) {
    e.agent = agents_[agent].id;
    e.has_agent = true;
    e.offer = c.offer_id;
  }
  return e;
}

Event Engine::MakeChannelEvent(EventType type, const ContactRec& c,
                               uint32_t agent) const {
  Event e = MakeContactEvent(type, c, agent);
  e.channel = c.channel;
  return e;
}

}  // namespace ccengine
