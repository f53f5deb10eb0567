// Reads a routing file's document into a RoutingConfig, reporting every error
// with its place (routing_file.h; the format: docs/routing-config.md).

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ccengine/config/routing_file.h"
#include "ccengine/core/calendar.h"
#include "ccengine/core/contact.h"
#include "ccengine/core/kpi.h"
#include "ccengine/core/types.h"
#include "config/access_section.h"
#include "config/capacity_section.h"
#include "config/document_reader.h"
#include "config/hours_section.h"
#include "config/program.h"
#include "config/retention_section.h"
#include "fmt/format.h"

namespace ccengine::config {
namespace {

using internal::Child;
using internal::Index;

uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

// Reads the sections of a routing file; the typed values and the errors are
// the DocumentReader's.
class Loader : public internal::DocumentReader {
 public:
  explicit Loader(std::string_view source) : DocumentReader(source) {}

  absl::StatusOr<RoutingConfig> Load(const Node& root, std::string_view content,
                                     std::vector<std::string>* errors) {
    config_.source_name_ = source();
    config_.content_hash_ = fmt::format("{:016x}", Fnv1a64(content));
    ReadTop(root);
    absl::Status status = Finish(errors);
    if (!status.ok()) return status;
    return std::move(config_);
  }

 private:
  // {"policy": 8, "english": 5}: declared skills with levels 1..10.
  void Skills(const Node* n, std::string_view pointer, std::vector<SkillLevel>* out) {
    if (n == nullptr || !Expect(*n, pointer, Node::Kind::kObject)) return;
    if (n->members.size() > kMaxRoutingSkillsPerList) {
      Error(*n, pointer,
            fmt::format("at most {} skills, got {}", kMaxRoutingSkillsPerList,
                        n->members.size()));
      return;
    }
    for (const auto& [name, level] : n->members) {
      const std::string path = Child(pointer, name);
      const auto it = skill_ids_.find(name);
      if (it == skill_ids_.end()) {
        Error(level, path,
              fmt::format("unknown skill \"{}\"{}", name,
                          Suggest(level, name, skill_names_)));
        continue;
      }
      uint8_t value = 0;
      if (Integer(&level, path, kMinProficiency, kMaxProficiency, &value)) {
        out->push_back(SkillLevel{SkillId(it->second), value});
      }
    }
  }

  // A name among the file's queues (with a did-you-mean).
  bool QueueRef(const Node* n, std::string_view pointer, QueueId* out) {
    std::string name;
    if (n == nullptr || !String(n, pointer, &name)) return false;
    const auto it = queue_ids_.find(name);
    if (it == queue_ids_.end()) {
      Error(*n, pointer,
            fmt::format("unknown queue \"{}\"{}", name, Suggest(*n, name, queue_names_)));
      return false;
    }
    *out = QueueId(it->second);
    return true;
  }

  // --- sections ----------------------------------------------------------

  void ReadTop(const Node& root) {
    Fields top(*this, root, "",
               {"format", "name", "calendar", "skills", "strategies", "queues",
                "agent_profiles", "ticket_categories", "attributes", "flows", "access",
                "retention"});
    if (!top.ok()) return;
    if (const Node* format = top.Get("format");
        format != nullptr &&
        (format->kind != Node::Kind::kNumber || format->number != 1)) {
      Error(*format, top.Path("format"),
            "unsupported format (this version reads format 1, the only one)");
    }
    std::string name;
    String(top.Get("name"), top.Path("name"), &name);
    if (const Node* calendar = top.Get("calendar"))
      ReadCalendar(*calendar, top.Path("calendar"));
    if (const Node* skills = top.Get("skills")) ReadSkills(*skills, top.Path("skills"));
    if (const Node* strategies = top.Get("strategies")) {
      ReadStrategies(*strategies, top.Path("strategies"));
    }
    const Node* queues = top.Get("queues");
    if (queues == nullptr) {
      Error(root, "/queues", "missing \"queues\": a routing file declares its queues");
    } else {
      ReadQueues(*queues, top.Path("queues"));
    }
    if (const Node* profiles = top.Get("agent_profiles")) {
      ReadProfiles(*profiles, top.Path("agent_profiles"));
    }
    if (const Node* categories = top.Get("ticket_categories")) {
      ReadTicketCategories(*categories, top.Path("ticket_categories"));
    }
    if (const Node* access = top.Get("access")) {
      config_.access_policy_ = internal::ReadAccessSection(
          *this, *access, top.Path("access"),
          [this](const Node* n, std::string_view pointer, QueueId* out) {
            return QueueRef(n, pointer, out);
          });
    }
    if (const Node* retention = top.Get("retention")) {
      config_.retention_ =
          internal::ReadRetentionSection(*this, *retention, top.Path("retention"));
    }
    ReadAttributes(top.Get("attributes"), top.Path("attributes"));
    if (const Node* flows = top.Get("flows")) ReadFlows(*flows, top.Path("flows"));
    // The engine's own checks, once the file reads cleanly.
    if (error_count() == 0 && queues != nullptr) TryEngine(*queues, top);
  }

  void ReadCalendar(const Node& node, const std::string& pointer) {
    Fields f(*this, node, pointer, {"utc_offset_s", "holidays"});
    Integer(f.Get("utc_offset_s"), f.Path("utc_offset_s"), -14 * 3600, 14 * 3600,
            &config_.utc_offset_s_);
    config_.holidays_ = internal::ReadDates(*this, f.Get("holidays"), f.Path("holidays"));
    std::sort(config_.holidays_.begin(), config_.holidays_.end());
    config_.holidays_.erase(
        std::unique(config_.holidays_.begin(), config_.holidays_.end()),
        config_.holidays_.end());
  }

  void ReadSkills(const Node& node, const std::string& pointer) {
    if (!Expect(node, pointer, Node::Kind::kArray)) return;
    for (size_t i = 0; i < node.items.size(); ++i) {
      const std::string path = Index(pointer, i);
      std::string name;
      if (!Name(&node.items[i], node.items[i], path, &name)) continue;
      if (!skill_ids_.emplace(name, static_cast<uint32_t>(config_.skills_.size()))
               .second) {
        Error(node.items[i], path, fmt::format("skill \"{}\" is declared twice", name));
        continue;
      }
      config_.skills_.push_back(name);
    }
    for (const std::string& s : config_.skills_) skill_names_.push_back(s);
  }

  void ReadStrategies(const Node& node, const std::string& pointer) {
    if (!Expect(node, pointer, Node::Kind::kArray)) return;
    if (node.items.size() > kMaxRoutingStrategies) {
      Error(node, pointer,
            fmt::format("at most {} strategies, got {}", kMaxRoutingStrategies,
                        node.items.size()));
      return;
    }
    for (size_t i = 0; i < node.items.size(); ++i) {
      const Node& item = node.items[i];
      Fields f(*this, item, Index(pointer, i),
               {"name", "proficiency", "idle", "spare_capacity", "fewest_handled",
                "idle_scale_s"});
      if (!f.ok()) continue;
      StrategyDefinition s;
      if (!Name(f.Get("name"), item, f.Path("name"), &s.name)) continue;
      if (!strategy_names_.insert(s.name).second) {
        Error(*f.Get("name"), f.Path("name"),
              fmt::format("strategy \"{}\" is declared twice", s.name));
        continue;
      }
      bool ok = Number(f.Get("proficiency"), f.Path("proficiency"), 0, 1e6,
                       &s.weights.proficiency);
      ok &= Number(f.Get("idle"), f.Path("idle"), 0, 1e6, &s.weights.idle);
      ok &= Number(f.Get("spare_capacity"), f.Path("spare_capacity"), 0, 1e6,
                   &s.weights.spare_capacity);
      ok &= Number(f.Get("fewest_handled"), f.Path("fewest_handled"), 0, 1e6,
                   &s.weights.fewest_handled);
      ok &= Seconds(f.Get("idle_scale_s"), f.Path("idle_scale_s"), true, false,
                    &s.weights.idle_scale);
      if (ok) config_.strategies_.push_back(std::move(s));
    }
  }

  void ReadQueues(const Node& node, const std::string& pointer) {
    if (!Expect(node, pointer, Node::Kind::kArray)) return;
    // Names first, so that overflow targets may come later in the file.
    for (size_t i = 0; i < node.items.size(); ++i) {
      const Node* name = node.items[i].Find("name");
      std::string text;
      // Only names ReadQueue accepts; it reports the others.
      if (name == nullptr || name->kind != Node::Kind::kString || name->text.empty() ||
          name->text.size() > kMaxRoutingNameBytes) {
        continue;
      }
      text = name->text;
      if (!queue_ids_.emplace(text, static_cast<uint32_t>(i)).second) {
        Error(*name, Child(Index(pointer, i), "name"),
              fmt::format("queue \"{}\" is declared twice", text));
      }
    }
    for (const auto& [name, id] : queue_ids_) queue_names_.push_back(name);
    std::vector<std::optional<uint32_t>> overflow(node.items.size());
    for (size_t i = 0; i < node.items.size(); ++i) {
      QueueConfig q;
      std::optional<uint32_t> to;
      ReadQueue(node.items[i], Index(pointer, i), &q, &to);
      overflow[i] = to;
      config_.queues_.push_back(std::move(q));
    }
    ReportOverflowCycles(node, pointer, overflow);
  }

  void ReadQueue(const Node& node, const std::string& pointer, QueueConfig* q,
                 std::optional<uint32_t>* overflow) {
    Fields f(*this, node, pointer,
             {"name", "skills", "relaxation", "priority", "aging_weight", "sl_seconds",
              "sl_target", "sl_definition", "short_abandon_s", "max_size", "max_wait_s",
              "overflow_to", "hours", "move_waiting_at_close", "wrap_up_s",
              "offer_timeout_s", "strategy", "guards", "expected_handle_time_s"});
    if (!f.ok()) return;
    Name(f.Get("name"), node, f.Path("name"), &q->name);
    Skills(f.Get("skills"), f.Path("skills"), &q->skills);
    if (const Node* steps = f.Get("relaxation");
        steps != nullptr && Expect(*steps, f.Path("relaxation"), Node::Kind::kArray)) {
      if (steps->items.size() > kMaxRoutingSteps) {
        Error(*steps, f.Path("relaxation"),
              fmt::format("at most {} relaxation steps, got {}", kMaxRoutingSteps,
                          steps->items.size()));
      }
    }
    if (const Node* steps = f.Get("relaxation");
        steps != nullptr && steps->kind == Node::Kind::kArray &&
        steps->items.size() <= kMaxRoutingSteps) {
      for (size_t i = 0; i < steps->items.size(); ++i) {
        Fields s(*this, steps->items[i], Index(f.Path("relaxation"), i),
                 {"after_s", "skills"});
        if (!s.ok()) continue;
        RoutingStep step;
        if (s.Get("after_s") == nullptr) {
          Error(steps->items[i], s.pointer(), "missing \"after_s\"");
        }
        Seconds(s.Get("after_s"), s.Path("after_s"), true, false, &step.after);
        Skills(s.Get("skills"), s.Path("skills"), &step.skills);
        q->relaxation.push_back(std::move(step));
      }
    }
    Integer(f.Get("priority"), f.Path("priority"), kMinPriority, kMaxPriority,
            &q->priority);
    if (const Node* w = f.Get("aging_weight")) {
      if (Number(w, f.Path("aging_weight"), 0, 1e6, &q->aging_weight) &&
          q->aging_weight == 0) {
        Error(*w, f.Path("aging_weight"), "must be > 0, got 0");
      }
    }
    Seconds(f.Get("sl_seconds"), f.Path("sl_seconds"), false, false, &q->sl_threshold);
    Number(f.Get("sl_target"), f.Path("sl_target"), 0, 1, &q->sl_target);
    if (const Node* d = f.Get("sl_definition")) {
      std::string text;
      if (String(d, f.Path("sl_definition"), &text)) {
        absl::StatusOr<ServiceLevelDefinition> def = ParseServiceLevelDefinition(text);
        if (def.ok()) {
          q->sl_definition = *def;
        } else {
          Error(*d, f.Path("sl_definition"), std::string(def.status().message()));
        }
      }
    }
    Seconds(f.Get("short_abandon_s"), f.Path("short_abandon_s"), false, false,
            &q->short_abandon);
    Integer(f.Get("max_size"), f.Path("max_size"), 0, int64_t{1} << 32, &q->max_size);
    Seconds(f.Get("max_wait_s"), f.Path("max_wait_s"), true, true, &q->max_wait);
    if (const Node* to = f.Get("overflow_to");
        to != nullptr && to->kind != Node::Kind::kNull) {
      QueueId target;
      if (QueueRef(to, f.Path("overflow_to"), &target)) {
        if (target.value() == config_.queues_.size()) {  // the queue being read
          Error(*to, f.Path("overflow_to"), "a queue cannot overflow into itself");
        } else {
          q->overflow_queue = target;
          *overflow = target.value();
        }
      }
    }
    if (const Node* hours = f.Get("hours");
        hours != nullptr && hours->kind != Node::Kind::kNull) {
      q->hours = internal::ReadHoursSection(*this, *hours, f.Path("hours"),
                                            config_.utc_offset_s_);
    }
    Bool(f.Get("move_waiting_at_close"), f.Path("move_waiting_at_close"),
         &q->move_waiting_at_close);
    Seconds(f.Get("wrap_up_s"), f.Path("wrap_up_s"), false, false, &q->wrap_up);
    Seconds(f.Get("offer_timeout_s"), f.Path("offer_timeout_s"), true, true,
            &q->offer_timeout);
    String(f.Get("strategy"), f.Path("strategy"), &q->strategy);
    if (const Node* g = f.Get("guards")) {
      Fields gf(*this, *g, f.Path("guards"),
                {"occupancy_cap", "max_occupancy_spread", "exploration"});
      Number(gf.Get("occupancy_cap"), gf.Path("occupancy_cap"), 0, 1,
             &q->guards.occupancy_cap);
      Number(gf.Get("max_occupancy_spread"), gf.Path("max_occupancy_spread"), 0, 1,
             &q->guards.max_occupancy_spread);
      Number(gf.Get("exploration"), gf.Path("exploration"), 0, 1, &q->guards.exploration);
    }
    Seconds(f.Get("expected_handle_time_s"), f.Path("expected_handle_time_s"), true,
            false, &q->expected_handle_time);
  }

  void ReportOverflowCycles(const Node& queues, const std::string& pointer,
                            const std::vector<std::optional<uint32_t>>& overflow) {
    // Each queue overflows into at most one: follow the chain from each start,
    // colouring queues by the walk that reached them, and report a cycle once
    // (from its first queue in file order).
    std::vector<int64_t> walk_of(overflow.size(), -1);
    for (size_t start = 0; start < overflow.size(); ++start) {
      size_t at = start;
      while (walk_of[at] < 0) {
        walk_of[at] = static_cast<int64_t>(start);
        if (!overflow[at].has_value() || *overflow[at] >= overflow.size()) break;
        at = *overflow[at];
      }
      if (walk_of[at] != static_cast<int64_t>(start) || !overflow[at].has_value())
        continue;
      // `at` is on a cycle found by this walk.
      std::vector<size_t> cycle = {at};
      for (size_t k = *overflow[at]; k != at; k = *overflow[k]) cycle.push_back(k);
      const size_t first = *std::min_element(cycle.begin(), cycle.end());
      std::rotate(cycle.begin(), std::find(cycle.begin(), cycle.end(), first),
                  cycle.end());
      std::string chain;
      for (size_t k : cycle) chain += fmt::format("\"{}\" -> ", config_.queues_[k].name);
      chain += fmt::format("\"{}\"", config_.queues_[first].name);
      const Node* to = queues.items[first].Find("overflow_to");
      Error(to != nullptr ? *to : queues.items[first],
            Child(Index(pointer, first), "overflow_to"),
            fmt::format("overflow cycle: {}", chain));
    }
  }

  // Item `i`'s "name", declared once among `seen` (`what` says of what).
  bool UniqueName(const Fields& f, const Node& item, std::string_view what, size_t i,
                  std::map<std::string, size_t, std::less<>>& seen, std::string* out) {
    if (!Name(f.Get("name"), item, f.Path("name"), out)) return false;
    if (!seen.emplace(*out, i).second) {
      Error(*f.Get("name"), f.Path("name"),
            fmt::format("{} \"{}\" is declared twice", what, *out));
      return false;
    }
    return true;
  }

  void ReadProfiles(const Node& node, const std::string& pointer) {
    if (!Expect(node, pointer, Node::Kind::kArray)) return;
    std::map<std::string, size_t, std::less<>> seen;
    for (size_t i = 0; i < node.items.size(); ++i) {
      const Node& item = node.items[i];
      Fields f(*this, item, Index(pointer, i),
               {"name", "skills", "capacity", "weight", "auto_accept"});
      if (!f.ok()) continue;
      AgentProfile p;
      if (!UniqueName(f, item, "agent profile", i, seen, &p.name)) continue;
      Skills(f.Get("skills"), f.Path("skills"), &p.skills);
      if (const Node* c = f.Get("capacity"))
        internal::ReadCapacitySection(*this, *c, f.Path("capacity"), &p.capacity);
      if (const Node* w = f.Get("weight")) {
        if (Number(w, f.Path("weight"), 0, 1e6, &p.weight) && p.weight == 0) {
          Error(*w, f.Path("weight"), "must be > 0, got 0");
        }
      }
      Bool(f.Get("auto_accept"), f.Path("auto_accept"), &p.auto_accept);
      config_.profiles_.push_back(std::move(p));
    }
  }

  // Kinds of work order (tickets/ticket.h's TicketCategory): the queue and
  // skills their tickets wait with, priority, SLA targets on business hours,
  // the warning, escalation and the dedupe window.
  void ReadTicketCategories(const Node& node, const std::string& pointer) {
    if (!Expect(node, pointer, Node::Kind::kArray)) return;
    std::map<std::string, size_t, std::less<>> seen;
    for (size_t i = 0; i < node.items.size(); ++i) {
      const Node& item = node.items[i];
      Fields f(*this, item, Index(pointer, i),
               {"name", "department", "queue", "skills", "priority", "first_response_s",
                "resolution_s", "hours", "warn_share", "warn_priority_boost",
                "escalation_queue", "dedupe_window_s"});
      if (!f.ok()) continue;
      tickets::TicketCategory c;
      if (!UniqueName(f, item, "ticket category", i, seen, &c.name)) continue;
      const Node* department = f.Get("department");
      if (department == nullptr) {
        Error(item, f.Path("department"), "missing \"department\"");
      } else if (String(department, f.Path("department"), &c.department) &&
                 (c.department.empty() ||
                  c.department.size() > tickets::kMaxTicketFieldBytes)) {
        Error(*department, f.Path("department"),
              fmt::format("a department must have 1..{} bytes, got {}",
                          tickets::kMaxTicketFieldBytes, c.department.size()));
      }
      QueueId queue;
      if (f.Get("queue") == nullptr) {
        Error(item, f.Path("queue"),
              "missing \"queue\": where the category's tickets wait");
      } else if (QueueRef(f.Get("queue"), f.Path("queue"), &queue)) {
        c.queue = queue;
      }
      Skills(f.Get("skills"), f.Path("skills"), &c.skills);
      Integer(f.Get("priority"), f.Path("priority"), 0, 9, &c.priority);
      Seconds(f.Get("first_response_s"), f.Path("first_response_s"), false, false,
              &c.first_response);
      Seconds(f.Get("resolution_s"), f.Path("resolution_s"), false, false, &c.resolution);
      if (const Node* hours = f.Get("hours")) {
        c.hours = internal::ReadHoursSection(*this, *hours, f.Path("hours"),
                                             config_.utc_offset_s_);
        if (absl::Status st = c.hours->Validate(); !st.ok()) {
          Error(*hours, f.Path("hours"), std::string(st.message()));
        }
      }
      if (const Node* share = f.Get("warn_share");
          Number(share, f.Path("warn_share"), 0, 1, &c.warn_share) && share != nullptr &&
          c.warn_share == 0) {
        Error(*share, f.Path("warn_share"), "must be > 0 (1: no warning), got 0");
      }
      Integer(f.Get("warn_priority_boost"), f.Path("warn_priority_boost"), 0, 9,
              &c.warn_priority_boost);
      if (const Node* escalation = f.Get("escalation_queue")) {
        if (QueueRef(escalation, f.Path("escalation_queue"), &queue)) {
          c.escalation_queue = queue;
        }
      }
      Seconds(f.Get("dedupe_window_s"), f.Path("dedupe_window_s"), false, false,
              &c.dedupe_window);
      config_.ticket_categories_.push_back(std::move(c));
    }
  }

  void ReadAttributes(const Node* node, const std::string& pointer) {
    Schema& schema = config_.schema_;
    config_.channel_ = *schema.Add("contact.channel", ValueType::kString);
    config_.hour_ = *schema.Add("time.hour", ValueType::kNumber);
    config_.minute_ = *schema.Add("time.minute_of_day", ValueType::kNumber);
    config_.weekday_ = *schema.Add("time.weekday", ValueType::kString);
    config_.date_ = *schema.Add("time.date", ValueType::kString);
    config_.holiday_ = *schema.Add("time.holiday", ValueType::kBool);
    if (node == nullptr || !Expect(*node, pointer, Node::Kind::kObject)) return;
    for (const auto& [name, type] : node->members) {
      const std::string path = Child(pointer, name);
      std::string text;
      if (!String(&type, path, &text)) continue;
      ValueType value_type = ValueType::kString;
      if (text == "string") {
        value_type = ValueType::kString;
      } else if (text == "number") {
        value_type = ValueType::kNumber;
      } else if (text == "bool") {
        value_type = ValueType::kBool;
      } else if (text == "string list") {
        value_type = ValueType::kStringList;
      } else {
        Error(type, path,
              fmt::format(
                  "unknown type \"{}\" (known: string, number, bool, string list){}",
                  text,
                  Suggest(type, text, {"string", "number", "bool", "string list"})));
        continue;
      }
      absl::StatusOr<AttributeId> id = schema.Add(name, value_type);
      if (!id.ok()) {
        Error(type, path,
              absl::IsAlreadyExists(id.status())
                  ? fmt::format("\"{}\" is a built-in attribute", name)
                  : std::string(id.status().message()));
      }
    }
  }

  bool ReadTarget(const Fields& f, FlowTarget* t) {
    const Node* queue = f.Get("queue");
    if (queue == nullptr) {
      Error(f.node(), f.pointer(), "missing \"queue\"");
      return false;
    }
    bool ok = QueueRef(queue, f.Path("queue"), &t->queue);
    ok &= Integer(f.Get("priority"), f.Path("priority"), kMinPriority, kMaxPriority,
                  &t->priority);
    const size_t errors_before = error_count();
    Skills(f.Get("skills"), f.Path("skills"), &t->skills);
    ok &= error_count() == errors_before;
    if (const Node* agents = f.Get("preferred_agents");
        agents != nullptr &&
        Expect(*agents, f.Path("preferred_agents"), Node::Kind::kArray)) {
      if (agents->items.size() > kMaxPreferredAgents) {
        Error(*agents, f.Path("preferred_agents"),
              fmt::format("at most {} preferred agents, got {}", kMaxPreferredAgents,
                          agents->items.size()));
        ok = false;
      } else {
        for (size_t i = 0; i < agents->items.size(); ++i) {
          uint64_t id = 0;
          // Agent ids are whole numbers a double holds exactly.
          if (Integer(&agents->items[i], Index(f.Path("preferred_agents"), i), 0,
                      int64_t{1} << 53, &id)) {
            if (std::find(t->preferred_agents.begin(), t->preferred_agents.end(),
                          AgentId(id)) != t->preferred_agents.end()) {
              Error(agents->items[i], Index(f.Path("preferred_agents"), i),
                    fmt::format("agent {} is listed twice", id));
              ok = false;
            }
            t->preferred_agents.push_back(AgentId(id));
          } else {
            ok = false;
          }
        }
      }
    }
    ok &= Bool(f.Get("prefer_last_agent"), f.Path("prefer_last_agent"),
               &t->prefer_last_agent);
    ok &= Seconds(f.Get("preferred_wait_s"), f.Path("preferred_wait_s"), false, false,
                  &t->preferred_wait);
    ok &= ReadFallbacks(f.Get("fallbacks"), f.Path("fallbacks"), &t->fallbacks);
    return ok;
  }

  // A target's "fallbacks": [{"after_s", "queue", "priority", "skills"}].
  bool ReadFallbacks(const Node* n, const std::string& pointer,
                     std::vector<FallbackTarget>* out) {
    if (n == nullptr) return true;
    if (!Expect(*n, pointer, Node::Kind::kArray)) return false;
    if (n->items.size() > kMaxFallbacks) {
      Error(*n, pointer,
            fmt::format("at most {} fallback targets, got {}", kMaxFallbacks,
                        n->items.size()));
      return false;
    }
    bool ok = true;
    for (size_t i = 0; i < n->items.size(); ++i) {
      const Node& item = n->items[i];
      Fields f(*this, item, Index(pointer, i),
               {"after_s", "queue", "priority", "skills"});
      if (!f.ok()) {
        ok = false;
        continue;
      }
      FallbackTarget target;
      if (f.Get("after_s") == nullptr) {
        Error(item, f.pointer(),
              "missing \"after_s\": how long the contact waits in the target before");
        ok = false;
      }
      if (Seconds(f.Get("after_s"), f.Path("after_s"), /*positive=*/true,
                  /*null_is_infinite=*/false, &target.after)) {
        // The engine keeps whole microseconds.
        if (f.Get("after_s") != nullptr && target.after < absl::Microseconds(1)) {
          Error(*f.Get("after_s"), f.Path("after_s"),
                fmt::format("must be at least 0.000001 seconds (1 microsecond), got {}",
                            f.Get("after_s")->number));
          ok = false;
        }
      } else {
        ok = false;
      }
      if (f.Get("queue") == nullptr) {
        Error(item, f.pointer(), "missing \"queue\"");
        ok = false;
      } else {
        ok &= QueueRef(f.Get("queue"), f.Path("queue"), &target.queue);
      }
      ok &= Integer(f.Get("priority"), f.Path("priority"), kMinPriority, kMaxPriority,
                    &target.priority);
      const size_t errors_before = error_count();
      Skills(f.Get("skills"), f.Path("skills"), &target.skills);
      ok &= error_count() == errors_before;
      out->push_back(std::move(target));
    }
    return ok;
  }

  void ReadFlows(const Node& node, const std::string& pointer) {
    if (!Expect(node, pointer, Node::Kind::kArray)) return;
    std::map<std::string, size_t, std::less<>> seen;
    for (size_t i = 0; i < node.items.size(); ++i) {
      const Node& item = node.items[i];
      Fields f(*this, item, Index(pointer, i), {"name", "rules", "default"});
      if (!f.ok()) continue;
      EntryFlow flow;
      if (Name(f.Get("name"), item, f.Path("name"), &flow.name) &&
          !seen.emplace(flow.name, i).second) {
        Error(*f.Get("name"), f.Path("name"),
              fmt::format("flow \"{}\" is declared twice", flow.name));
      }
      if (const Node* rules = f.Get("rules");
          rules != nullptr && Expect(*rules, f.Path("rules"), Node::Kind::kArray)) {
        std::map<std::string, size_t, std::less<>> rule_names;
        std::vector<FlowRule> read;
        for (size_t r = 0; r < rules->items.size(); ++r) {
          const Node& rule_node = rules->items[r];
          Fields rf(*this, rule_node, Index(f.Path("rules"), r),
                    {"name", "if", "queue", "priority", "skills", "preferred_agents",
                     "prefer_last_agent", "preferred_wait_s", "fallbacks"});
          if (!rf.ok()) continue;
          std::string rule_name;
          std::optional<Expression> condition_compiled;
          FlowTarget target;
          if (Name(rf.Get("name"), rule_node, rf.Path("name"), &rule_name) &&
              !rule_names.emplace(rule_name, r).second) {
            Error(*rf.Get("name"), rf.Path("name"),
                  fmt::format("rule \"{}\" is declared twice in flow \"{}\"", rule_name,
                              flow.name));
          }
          const Node* condition = rf.Get("if");
          std::string text;
          bool ok = true;
          if (condition == nullptr) {
            Error(rule_node, rf.pointer(),
                  "missing \"if\": the rule's filter expression");
            ok = false;
          } else if (String(condition, rf.Path("if"), &text)) {
            std::vector<Diagnostic> diagnostics;
            absl::StatusOr<Expression> compiled =
                Wanted(*condition) ? Compile(text, config_.schema_, &diagnostics)
                                   : internal::CompileWithoutSuggestions(
                                         text, config_.schema_, &diagnostics);
            if (compiled.ok()) {
              condition_compiled = *std::move(compiled);
            } else {
              for (const Diagnostic& d : diagnostics)
                Error(*condition, rf.Path("if"), d.message);
              if (diagnostics.empty()) {
                Error(*condition, rf.Path("if"),
                      std::string(compiled.status().message()));
              }
              ok = false;
            }
          } else {
            ok = false;
          }
          ok &= ReadTarget(rf, &target);
          if (ok) {
            read.push_back(FlowRule{std::move(rule_name), *std::move(condition_compiled),
                                    std::move(target)});
          }
        }
        flow.SetRules(std::move(read));
      }
      const Node* fallback = f.Get("default");
      if (fallback == nullptr) {
        Error(item, f.pointer(),
              "missing \"default\": the target of a contact no rule matches");
      } else {
        Fields df(*this, *fallback, f.Path("default"),
                  {"queue", "priority", "skills", "preferred_agents", "prefer_last_agent",
                   "preferred_wait_s", "fallbacks"});
        if (df.ok()) ReadTarget(df, &flow.fallback);
      }
      config_.flows_.push_back(std::move(flow));
    }
  }

  // Builds the file's engine on a scratch engine, blaming each refusal on the
  // queue or strategy it came from.
  void TryEngine(const Node& queues, const Fields& top) {
    // Only configuration reaches it: a small intake keeps it cheap.
    EngineOptions options;
    options.intake_capacity = 16;
    options.max_producers = 1;
    absl::StatusOr<std::unique_ptr<Engine>> made = Engine::Create(options);
    if (!made.ok()) return;
    Engine& engine = **made;
    for (size_t i = 0; i < config_.skills_.size(); ++i) {
      absl::Status added = engine.AddSkill(config_.skills_[i]).status();
      if (!added.ok()) {
        Error(*top.Get("skills"), Index(top.Path("skills"), i),
              std::string(added.message()));
      }
    }
    const Node* strategies = top.Get("strategies");
    for (size_t i = 0; i < config_.strategies_.size(); ++i) {
      const StrategyDefinition& s = config_.strategies_[i];
      absl::Status added =
          engine.RegisterStrategy(s.name, std::make_unique<CompositeStrategy>(s.weights))
              .status();
      if (!added.ok()) {
        Error(strategies->items[i], Index(top.Path("strategies"), i),
              absl::IsAlreadyExists(added)
                  ? fmt::format("\"{}\" is a built-in strategy", s.name)
                  : std::string(added.message()));
      }
    }
    if (error_count() != 0) return;
    std::vector<std::string_view> strategy_names;
    for (const char* builtin :
         {"longest_idle", "least_occupied", "best_proficiency", "fewest_handled",
          "round_robin", "random", "weighted_random", "composite", "satisfaction"}) {
      strategy_names.push_back(builtin);
    }
    for (const StrategyDefinition& s : config_.strategies_)
      strategy_names.push_back(s.name);
    for (size_t i = 0; i < config_.queues_.size(); ++i) {
      QueueConfig first = config_.queues_[i];
      first.overflow_queue.reset();
      const std::string path = Index(top.Path("queues"), i);
      if (!engine.FindStrategy(first.strategy).ok()) {
        const Node* s = queues.items[i].Find("strategy");
        Error(s != nullptr ? *s : queues.items[i], Child(path, "strategy"),
              fmt::format("unknown strategy \"{}\"{}", first.strategy,
                          Suggest(s != nullptr ? *s : queues.items[i], first.strategy,
                                  strategy_names)));
        first.strategy = "longest_idle";
      }
      absl::StatusOr<QueueId> added = engine.AddQueue(std::move(first));
      if (!added.ok())
        Error(queues.items[i], path, std::string(added.status().message()));
    }
    // Each profile as an agent: the engine's capacity and skill checks.
    const Node* profiles = top.Get("agent_profiles");
    for (size_t i = 0; i < config_.profiles_.size(); ++i) {
      const AgentProfile& p = config_.profiles_[i];
      absl::Status added = engine.AddAgent(
          config_.MakeAgent(AgentId(static_cast<uint64_t>(i) + 1), p.name, p));
      if (!added.ok()) {
        // The engine names the scratch agent ("agent 3: …"); the place names the profile.
        std::string message(added.message());
        if (absl::StartsWith(message, "agent ") && absl::StrContains(message, ": ")) {
          message.erase(0, message.find(": ") + 2);
        }
        Error(profiles->items[i], Index(top.Path("agent_profiles"), i),
              std::string(message));
      }
    }
    if (error_count() != 0) return;
    for (size_t i = 0; i < config_.queues_.size(); ++i) {
      if (!config_.queues_[i].overflow_queue.has_value()) continue;
      absl::Status updated =
          engine.UpdateQueue(QueueId(static_cast<uint32_t>(i)), config_.queues_[i]);
      if (!updated.ok()) {
        Error(queues.items[i], Index(top.Path("queues"), i),
              std::string(updated.message()));
      }
    }
  }

  RoutingConfig config_;
  std::map<std::string, uint32_t, std::less<>> skill_ids_;
  std::vector<std::string_view> skill_names_;
  std::map<std::string, uint32_t, std::less<>> queue_ids_;
  std::vector<std::string_view> queue_names_;
  std::set<std::string, std::less<>> strategy_names_;
};

absl::StatusOr<RoutingConfig> LoadRoutingDocument(const Node& root,
                                                  std::string_view content,
                                                  std::string_view source_name,
                                                  std::vector<std::string>* errors) {
  return Loader(source_name).Load(root, content, errors);
}

absl::StatusOr<RoutingConfig> LoadRoutingJson(std::string_view text,
                                              std::string_view source_name,
                                              std::vector<std::string>* errors) {
  Diagnostic error;
  absl::StatusOr<Node> root = ParseJson(text, &error);
  if (!root.ok()) {
    const std::string line = fmt::format("{}: {}", source_name, error.message);
    if (errors != nullptr) *errors = {line};
    return absl::Status(root.status().code(), line);
  }
  return LoadRoutingDocument(*root, text, source_name, errors);
}

}  // namespace ccengine::config
