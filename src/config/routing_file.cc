// A loaded routing file: its flows, the facts they read, the engine it builds
// (routing_file.h). Reading the document is routing_loader.cc.

#include "ccengine/config/routing_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "ccengine/core/calendar.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace ccengine::config {

void EntryFlow::SetRules(std::vector<FlowRule> rules) {
  std::vector<Expression> conditions;
  conditions.reserve(rules.size());
  for (const FlowRule& rule : rules) conditions.push_back(rule.condition);
  conditions_ = ConditionList(conditions);
  rules_ = std::move(rules);
}

int EntryFlow::Match(const Bindings& facts) const {
  return conditions_.FirstMatch(facts);
}

const FlowTarget& EntryFlow::Route(const Bindings& facts) const {
  return Target(Match(facts));
}

const FlowTarget& EntryFlow::Target(int rule) const {
  return rule < 0 ? fallback : rules_[static_cast<size_t>(rule)].target;
}

ValueType TypeOf(const FactValue& value) {
  switch (value.index()) {
    case 0: return ValueType::kString;
    case 1: return ValueType::kNumber;
    case 2: return ValueType::kBool;
    default: return ValueType::kStringList;
  }
}

bool SetFact(Bindings& facts, AttributeId id, const FactValue& value) {
  switch (value.index()) {
    case 0: return facts.SetString(id, std::get<std::string>(value));
    case 1: return facts.SetNumber(id, std::get<double>(value));
    case 2: return facts.SetBool(id, std::get<bool>(value));
    default: return facts.SetStringList(id, std::get<std::vector<std::string>>(value));
  }
}

const EntryFlow* RoutingConfig::FindFlow(std::string_view name) const {
  for (const EntryFlow& flow : flows_) {
    if (flow.name == name) return &flow;
  }
  return nullptr;
}

const AgentProfile* RoutingConfig::FindProfile(std::string_view name) const {
  for (const AgentProfile& profile : profiles_) {
    if (profile.name == name) return &profile;
  }
  return nullptr;
}

std::optional<QueueId> RoutingConfig::FindQueue(std::string_view name) const {
  for (size_t i = 0; i < queues_.size(); ++i) {
    if (queues_[i].name == name) return QueueId(static_cast<uint32_t>(i));
  }
  return std::nullopt;
}

bool RoutingConfig::IsContactFact(AttributeId attribute) const {
  for (const AttributeId set : {channel_, hour_, minute_, weekday_, date_, holiday_}) {
    if (attribute == set) return true;
  }
  return false;
}

void RoutingConfig::SetContactFacts(Bindings& facts, Channel channel,
                                    absl::Time now) const {
  facts.SetString(channel_, ChannelName(channel));
  const absl::TimeZone zone = absl::FixedTimeZone(utc_offset_s_);
  const absl::CivilSecond local = absl::ToCivilSecond(now, zone);
  facts.SetNumber(hour_, static_cast<double>(local.hour()));
  facts.SetNumber(minute_, static_cast<double>(local.hour() * 60 + local.minute()));
  const absl::CivilDay day(local);
  // WeekdayName counts Monday as 0, as absl::Weekday does.
  facts.SetString(weekday_, WeekdayName(static_cast<int>(absl::GetWeekday(day))));
  // "yyyy-mm-dd" without allocating past the slot's first use.
  char date[16];
  const int year = static_cast<int>(std::clamp<absl::civil_year_t>(day.year(), 0, 9999));
  date[0] = static_cast<char>('0' + year / 1000);
  date[1] = static_cast<char>('0' + year / 100 % 10);
  date[2] = static_cast<char>('0' + year / 10 % 10);
  date[3] = static_cast<char>('0' + year % 10);
  date[4] = '-';
  date[5] = static_cast<char>('0' + day.month() / 10);
  date[6] = static_cast<char>('0' + day.month() % 10);
  date[7] = '-';
  date[8] = static_cast<char>('0' + day.day() / 10);
  date[9] = static_cast<char>('0' + day.day() % 10);
  facts.SetString(date_, std::string_view(date, 10));
  facts.SetBool(holiday_, std::binary_search(holidays_.begin(), holidays_.end(), day));
}

absl::StatusOr<std::unique_ptr<Engine>> RoutingConfig::CreateEngine(
    EngineOptions options) const {
  options.customer_history_retention = retention_.customer_history;
  CCENGINE_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Engine::Create(options));
  CCENGINE_RETURN_IF_ERROR(ApplyTo(*engine));
  return engine;
}

absl::Status RoutingConfig::ApplyTo(Engine& engine) const {
  if (engine.skill_count() != 0 || engine.queue_count() != 0) {
    return absl::FailedPreconditionError(fmt::format(
        "{}: a routing file configures an engine without skills and queues; this one "
        "has {} skills and {} queues",
        source_name_, engine.skill_count(), engine.queue_count()));
  }
  for (const StrategyDefinition& s : strategies_) {
    if (engine.FindStrategy(s.name).ok()) {
      return absl::FailedPreconditionError(fmt::format(
          "{}: the engine already has a strategy named '{}'", source_name_, s.name));
    }
  }
  for (size_t i = 0; i < skills_.size(); ++i) {
    CCENGINE_ASSIGN_OR_RETURN(SkillId id, engine.AddSkill(skills_[i]));
    if (id.value() != i) {
      return absl::InternalError(
          fmt::format("skill '{}' got id {}, not {}", skills_[i], id.value(), i));
    }
  }
  for (const StrategyDefinition& s : strategies_) {
    CCENGINE_RETURN_IF_ERROR(
        engine.RegisterStrategy(s.name, std::make_unique<CompositeStrategy>(s.weights))
            .status());
  }
  // Overflow targets may come later in the file: each queue is added without
  // its target, then given it once every queue exists.
  for (size_t i = 0; i < queues_.size(); ++i) {
    QueueConfig first = queues_[i];
    first.overflow_queue.reset();
    CCENGINE_ASSIGN_OR_RETURN(QueueId id, engine.AddQueue(std::move(first)));
    if (id.value() != i) {
      return absl::InternalError(
          fmt::format("queue '{}' got id {}, not {}", queues_[i].name, id.value(), i));
    }
  }
  for (size_t i = 0; i < queues_.size(); ++i) {
    if (!queues_[i].overflow_queue.has_value()) continue;
    CCENGINE_RETURN_IF_ERROR(
        engine.UpdateQueue(QueueId(static_cast<uint32_t>(i)), queues_[i]));
  }
  return absl::OkStatus();
}

AgentConfig RoutingConfig::MakeAgent(AgentId id, std::string name,
                                     const AgentProfile& profile) const {
  AgentConfig agent;
  agent.id = id;
  agent.name = std::move(name);
  agent.skills = profile.skills;
  agent.capacity = profile.capacity;
  agent.weight = profile.weight;
  agent.auto_accept = profile.auto_accept;
  return agent;
}

ContactSpec RoutingConfig::MakeContact(ContactId id, Channel channel,
                                       const FlowTarget& target) const {
  ContactSpec spec;
  spec.id = id;
  spec.queue = target.queue;
  spec.channel = channel;
  spec.priority = target.priority;
  spec.skills = target.skills;
  spec.preferred_agents = target.preferred_agents;
  spec.prefer_last_agent = target.prefer_last_agent;
  spec.preferred_wait = target.preferred_wait;
  spec.fallbacks = target.fallbacks;
  return spec;
}

absl::StatusOr<std::string> ReadRoutingFileText(const std::string& path) {
  if (absl::StrContains(path, '\0')) {
    return absl::InvalidArgumentError("a path may not hold a NUL character");
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode)) {
    return absl::FailedPreconditionError(fmt::format("{} is not a regular file", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    const std::string message =
        fmt::format("cannot open {}: {}", path, std::strerror(error));
    return error == EACCES ? absl::PermissionDeniedError(message)
                           : absl::NotFoundError(message);
  }
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) return absl::NotFoundError(fmt::format("cannot read {}", path));
  if (static_cast<uint64_t>(size) > kMaxDocumentBytes) {
    return absl::ResourceExhaustedError(
        fmt::format("{}: the file is {} bytes, more than the limit of {}", path, size,
                    kMaxDocumentBytes));
  }
  in.seekg(0, std::ios::beg);
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), size);
  if (in.gcount() != size)
    return absl::DataLossError(fmt::format("cannot read {}", path));
  return text;
}

absl::StatusOr<RoutingConfig> LoadRoutingFile(const std::string& path,
                                              std::vector<std::string>* errors) {
  absl::StatusOr<std::string> text = ReadRoutingFileText(path);
  if (!text.ok()) return text.status();
  return LoadRoutingJson(*text, path, errors);
}

}  // namespace ccengine::config
