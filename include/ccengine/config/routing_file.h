// -----------------------------------------------------------------------------
// File: ccengine/config/routing_file.h
// -----------------------------------------------------------------------------
//
// The routing file: one declarative document for a center's skills, queues
// (every QueueConfig field), selection strategies with their weights, agent
// profiles and entry flows. An entry flow sends an arriving contact — by its
// IVR choice, intent, channel, language, customer attributes, the time of day
// and the calendar — through ordered rules, each a filter expression
// (expression.h) with a target: a queue, a priority class, extra skills and
// preferred agents; the first rule that holds wins, else the flow's default.
// An "access" section groups the queues into departments and defines roles
// for an access policy (compliance/access.h); a "retention" section sets how
// long personal data is kept (compliance/retention.h).
// docs/routing-config.md has the format with a complete example.
//
// Loading checks everything at once: unknown keys (with a did-you-mean),
// wrong types, numbers out of range, duplicate names, skills, queues and
// strategies that are not declared, overflow cycles, filters naming unknown
// attributes, and every check the engine itself makes on a queue (the queues
// are tried on a scratch engine). Each error is one line,
//   routing.json:12:7: /queues/3/max_wait_s: must be > 0 seconds, got -5
// (source name, line:column of the value, its JSON pointer, the message;
// control characters escaped, so each error is one line); the status
// (InvalidArgument) lists the first kMaxRoutingErrors in the order of the
// text, then a count of the rest. Every agent profile is also tried as an
// agent on the scratch engine, so MakeAgent's agents are accepted.
// Loading has no effect on any engine.
//
// Ids. A file numbers its skills and queues in the order written: skill i is
// SkillId(i), queue j is QueueId(j), and `CreateEngine` builds an engine in
// which those ids hold. Targets and QueueConfig values in a RoutingConfig
// use them.
//
// Thread safety: a loaded RoutingConfig is immutable; its const methods may
// be called from any number of threads at once (each with its own Bindings).
//
// Example:
//   absl::StatusOr<RoutingConfig> routing = LoadRoutingFile("hotline.json");
//   if (!routing.ok()) return routing.status();  // every error, one per line
//   auto engine = routing->CreateEngine().value();
//   const EntryFlow& flow = *routing->FindFlow("hotline");
//   Bindings facts(routing->schema());
//   routing->SetContactFacts(facts, Channel::kVoice, engine->Now());
//   facts.SetString(*routing->schema().Find("ivr.choice"), "2");
//   const FlowTarget& target = flow.Route(facts);
//   engine->AddContact(routing->MakeContact(ContactId{7}, Channel::kVoice, target));

#ifndef CCENGINE_CONFIG_ROUTING_FILE_H_
#define CCENGINE_CONFIG_ROUTING_FILE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ccengine/compliance/access.h"
#include "ccengine/compliance/retention.h"
#include "ccengine/config/document.h"
#include "ccengine/config/expression.h"
#include "ccengine/core/agent.h"
#include "ccengine/core/contact.h"
#include "ccengine/core/engine.h"
#include "ccengine/core/queue.h"
#include "ccengine/core/strategy.h"
#include "ccengine/core/types.h"
#include "ccengine/tickets/ticket.h"

namespace ccengine::config {

inline constexpr size_t kMaxRoutingErrors = 100;
inline constexpr size_t kMaxRoutingNameBytes = 128;
inline constexpr size_t kMaxRoutingStrategies = 256;
inline constexpr size_t kMaxRoutingSkillsPerList =
    64;                                         // a queue's, a step's, a profile's
inline constexpr size_t kMaxRoutingSteps = 32;  // relaxation steps per queue

// A fact's value: a string, a number, a bool or a list of strings, as the
// file declares its attribute.
using FactValue = std::variant<std::string, double, bool, std::vector<std::string>>;

// The ValueType a FactValue holds.
ValueType TypeOf(const FactValue& value);
// Sets attribute `id` of `facts` to `value`; false (nothing changed) when the
// attribute is not of the value's type.
bool SetFact(Bindings& facts, AttributeId id, const FactValue& value);

// Where a rule sends a contact.
struct FlowTarget {
  QueueId queue;                         // the file's queue index
  int priority = 0;                      // class 0..9 (ContactSpec::priority)
  std::vector<SkillRequirement> skills;  // in addition to the queue's
  std::vector<AgentId> preferred_agents;
  bool prefer_last_agent = false;
  absl::Duration preferred_wait = absl::ZeroDuration();
  // Where the contact goes when unanswered for a while in this target, then
  // in the next (ContactSpec::fallbacks; the file's queue indexes).
  std::vector<FallbackTarget> fallbacks;
};

struct FlowRule {
  std::string name;
  Expression condition;
  FlowTarget target;
};

// An entry flow: rules tried in order, the first whose condition holds
// giving the target. Its rules are set as a whole (`SetRules`), which also
// compiles their conditions into one indexed list (ConditionList), so the
// rules `Match` decides by are always the ones `rules()` shows.
class EntryFlow {
 public:
  std::string name;
  FlowTarget fallback;  // the file's "default"

  const std::vector<FlowRule>& rules() const { return rules_; }
  void SetRules(std::vector<FlowRule> rules);

  // The index of the first rule whose condition holds, or -1 (the fallback).
  // Allocates nothing.
  int Match(const Bindings& facts) const;
  // That rule's target, or the fallback.
  const FlowTarget& Route(const Bindings& facts) const;
  // The target of rule `rule` (as Match returns it): the fallback for -1.
  const FlowTarget& Target(int rule) const;
  // How many rules the flow's index lists under a guard; the others are
  // tried for every contact (docs/routing-config.md#how-a-flow-decides-fast).
  size_t indexed_rules() const { return conditions_.indexed(); }

 private:
  std::vector<FlowRule> rules_;
  ConditionList conditions_;  // rules_' conditions, in order
};

// A named kind of agent: the skills, capacity and weight an agent of that
// kind is added with.
struct AgentProfile {
  std::string name;
  std::vector<SkillLevel> skills;  // the file's skill indexes
  Capacity capacity;
  double weight = 1.0;
  bool auto_accept = false;
};

// A "composite" selection strategy under a name of the file's own.
struct StrategyDefinition {
  std::string name;
  CompositeWeights weights;
};

class RoutingConfig {
 public:
  // The attributes every file has, set by SetContactFacts:
  //   contact.channel     string  "voice", "chat", … (ChannelName)
  //   time.hour           number  0..23, local time by calendar.utc_offset_s
  //   time.minute_of_day  number  0..1439
  //   time.weekday        string  "mon" … "sun"
  //   time.date           string  "2026-10-01"
  //   time.holiday        bool    the local date is one of calendar.holidays
  // A file adds its own under "attributes" (ivr.choice, customer.tier, …).
  const Schema& schema() const { return schema_; }

  const std::string& source_name() const { return source_name_; }
  // FNV-1a 64 of the file's bytes, 16 hex digits: tells two versions apart.
  const std::string& content_hash() const { return content_hash_; }

  const std::vector<std::string>& skills() const { return skills_; }
  const std::vector<StrategyDefinition>& strategies() const { return strategies_; }
  // Skill ids are the file's skill indexes, overflow_queue its queue indexes.
  const std::vector<QueueConfig>& queues() const { return queues_; }
  const std::vector<AgentProfile>& agent_profiles() const { return profiles_; }
  // Kinds of work order for a tickets::TicketDesk on an engine from this
  // file (queue and escalation_queue are the file's queue indexes):
  //   for (const auto& c : routing.ticket_categories()) desk->AddCategory(c);
  const std::vector<tickets::TicketCategory>& ticket_categories() const {
    return ticket_categories_;
  }
  const std::vector<EntryFlow>& flows() const { return flows_; }
  // Who may do what (compliance/access.h): the built-in roles, with the
  // departments and roles of the file's "access" section
  // (docs/compliance.md#roles-and-scopes); queue ids are the file's.
  //   compliance::AccessControl access(routing.access_policy());
  const compliance::AccessPolicy& access_policy() const { return access_policy_; }
  // How long each kind of personal data is kept (compliance/retention.h):
  // the file's "retention" section, the policy's defaults where it is silent.
  const compliance::RetentionPolicy& retention() const { return retention_; }
  int32_t utc_offset_s() const { return utc_offset_s_; }
  const std::vector<absl::CivilDay>& holidays() const { return holidays_; }

  const EntryFlow* FindFlow(std::string_view name) const;
  const AgentProfile* FindProfile(std::string_view name) const;
  std::optional<QueueId> FindQueue(std::string_view name) const;

  // Sets the built-in attributes for a contact arriving on `channel` at `now`.
  void SetContactFacts(Bindings& facts, Channel channel, absl::Time now) const;
  // Whether `attribute` is one of those SetContactFacts sets (a caller's
  // facts may not give them).
  bool IsContactFact(AttributeId attribute) const;

  // A new engine with the file's skills, strategies and queues, so that the
  // file's ids hold in it, and the file's retention period for the customer
  // history (it replaces options.customer_history_retention). Fails only as
  // the engine's own checks do, which loading has already passed.
  absl::StatusOr<std::unique_ptr<Engine>> CreateEngine(EngineOptions options = {}) const;
  // The same on an engine made elsewhere, which must have no skills, no
  // queues and none of the file's strategy names yet (FailedPrecondition
  // otherwise, nothing changed). Should the
  // engine refuse a part all the same, the status says which, and the
  // engine is left half configured: discard it.
  absl::Status ApplyTo(Engine& engine) const;

  // An agent of `profile` for an engine from CreateEngine.
  AgentConfig MakeAgent(AgentId id, std::string name, const AgentProfile& profile) const;
  // The contact a target routes, for an engine from CreateEngine.
  ContactSpec MakeContact(ContactId id, Channel channel, const FlowTarget& target) const;

 private:
  friend class Loader;
  std::string source_name_;
  std::string content_hash_;
  int32_t utc_offset_s_ = 0;
  std::vector<absl::CivilDay> holidays_;  // sorted
  std::vector<std::string> skills_;
  std::vector<StrategyDefinition> strategies_;
  std::vector<QueueConfig> queues_;
  std::vector<AgentProfile> profiles_;
  std::vector<tickets::TicketCategory> ticket_categories_;
  Schema schema_;
  std::vector<EntryFlow> flows_;
  compliance::AccessPolicy access_policy_ = compliance::AccessPolicy::BuiltIn();
  compliance::RetentionPolicy retention_;
  AttributeId channel_ = 0, hour_ = 0, minute_ = 0, weekday_ = 0, date_ = 0, holiday_ = 0;
};

// Loads a routing file from its JSON text. `source_name` prefixes every
// error. On failure `errors` (when not null) receives each error line.
absl::StatusOr<RoutingConfig> LoadRoutingJson(
    std::string_view text, std::string_view source_name = "routing.json",
    std::vector<std::string>* errors = nullptr);

// The same from a document another syntax built (YAML); `content` is the
// text it came from, for the content hash.
absl::StatusOr<RoutingConfig> LoadRoutingDocument(
    const Node& root, std::string_view content, std::string_view source_name,
    std::vector<std::string>* errors = nullptr);

// Reads and loads `path` (JSON). NotFound / PermissionDenied when it cannot
// be read; ResourceExhausted, before reading it, when it is larger than
// kMaxDocumentBytes.
absl::StatusOr<RoutingConfig> LoadRoutingFile(const std::string& path,
                                              std::vector<std::string>* errors = nullptr);

// The text of `path` as LoadRoutingFile reads it (any syntax), with its
// errors: NotFound / PermissionDenied, FailedPrecondition for what is not a
// regular file, ResourceExhausted past kMaxDocumentBytes (before reading).
absl::StatusOr<std::string> ReadRoutingFileText(const std::string& path);

}  // namespace ccengine::config

#endif  // CCENGINE_CONFIG_ROUTING_FILE_H_
