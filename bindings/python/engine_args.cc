// -----------------------------------------------------------------------------
// File: bindings/python/engine_args.cc
// -----------------------------------------------------------------------------
//
// Python values -> engine values (ids, skills, hours, queue rules, agents, contacts, command dicts), every error naming its field path; see engine_binding.h.

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "ccengine/core/calendar.h"
#include "engine_binding.h"
#include "fmt/format.h"

namespace ccengine::python {

// --- Python -> engine ------------------------------------------------------------

uint64_t ToId(py::handle value, const std::string& path) {
  if (PyBool_Check(value.ptr()) || !PyIndex_Check(value.ptr())) {
    RaiseInvalid(
        fmt::format("{}: expected an integer id, got {}", path, TypeName(value)));
  }
  py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
  if (!index) throw py::error_already_set();
  unsigned long long v = PyLong_AsUnsignedLongLong(index.ptr());
  if (PyErr_Occurred()) {
    PyErr_Clear();
    RaiseInvalid(fmt::format("{}: id must be in 0..2**64-1, got {}", path,
                             py::str(index).cast<std::string>()));
  }
  return v;
}

QueueId ToQueue(const PyEngine& e, py::handle value, const std::string& path) {
  if (PyUnicode_Check(value.ptr())) {
    return Unwrap(e.engine().FindQueue(value.cast<std::string>()));
  }
  int64_t id = ToInt(value, path);
  if (id < 0 || id > std::numeric_limits<uint32_t>::max()) {
    RaiseStatus(absl::NotFoundError(fmt::format("unknown queue id {}", id)));
  }
  return QueueId(static_cast<uint32_t>(id));
}

SkillId ToSkill(const PyEngine& e, py::handle value, const std::string& path) {
  if (PyUnicode_Check(value.ptr())) {
    return Unwrap(e.engine().FindSkill(value.cast<std::string>()));
  }
  int64_t id = ToInt(value, path);
  if (id < 0 || static_cast<uint64_t>(id) >= e.engine().skill_count()) {
    RaiseStatus(absl::NotFoundError(fmt::format("{}: unknown skill id {}", path, id)));
  }
  return SkillId(static_cast<uint32_t>(id));
}

std::vector<SkillLevel> ToSkills(const PyEngine& e, py::handle value,
                                 const std::string& path) {
  std::vector<SkillLevel> out;
  if (value.is_none()) return out;
  auto add = [&](py::handle skill, py::handle level, const std::string& where) {
    SkillId id = ToSkill(e, skill, where);
    int64_t lvl = ToInt(level, where);
    if (lvl < 0 || lvl > 255) {  // 0..255 reach the engine, which says 1..10
      RaiseInvalid(fmt::format("{}: level of skill '{}' must be in 1..10, got {}", where,
                               e.engine().SkillName(id), lvl));
    }
    out.push_back(SkillLevel{id, static_cast<uint8_t>(lvl)});
  };
  if (PyDict_Check(value.ptr())) {
    for (auto item : py::reinterpret_borrow<py::dict>(value)) {
      std::string key = PyUnicode_Check(item.first.ptr())
                            ? item.first.cast<std::string>()
                            : py::str(item.first).cast<std::string>();
      add(item.first, item.second, Child(path, key));
    }
    return out;
  }
  py::list items = ToList(value, path);
  for (size_t i = 0; i < items.size(); ++i) {
    py::handle pair = items[i];
    if (!PyTuple_Check(pair.ptr()) && !PyList_Check(pair.ptr())) {
      RaiseInvalid(fmt::format("{}: expected a (skill, level) pair, got {}",
                               Index(path, i), TypeName(pair)));
    }
    py::sequence seq = py::reinterpret_borrow<py::sequence>(pair);
    if (seq.size() != 2) {
      RaiseInvalid(fmt::format("{}: expected a (skill, level) pair, got {} items",
                               Index(path, i), seq.size()));
    }
    add(seq[0], seq[1], Index(path, i));
  }
  return out;
}

AgentState ToAgentState(py::handle value, const std::string& path) {
  std::string name = ToString(value, path);
  for (AgentState s :
       {AgentState::kLoggedOut, AgentState::kNotReady, AgentState::kAvailable,
        AgentState::kReserved, AgentState::kBusy, AgentState::kWrapUp}) {
    if (AgentStateName(s) == name) return s;
  }
  RaiseInvalid(fmt::format(
      "{}: unknown agent state '{}' (known: logged_out, not_ready, available, "
      "reserved, busy, wrap_up)",
      path, name));
}

int32_t ToInt32(py::handle value, const std::string& path) {
  int64_t v = ToInt(value, path);
  if (v < std::numeric_limits<int32_t>::min() ||
      v > std::numeric_limits<int32_t>::max()) {
    RaiseInvalid(fmt::format("{}: {} does not fit a 32-bit integer", path, v));
  }
  return static_cast<int32_t>(v);
}

namespace {

// "08:30" / "24:00" / "08:30:15", or a number of seconds of the day.
int32_t ToTimeOfDay(py::handle value, const std::string& path) {
  if (PyUnicode_Check(value.ptr())) {
    absl::StatusOr<int32_t> t = ParseTimeOfDay(value.cast<std::string>());
    if (!t.ok())
      RaiseInvalid(fmt::format("{}: {}", path, std::string(t.status().message())));
    return *t;
  }
  return ToInt32(value, path);
}

// [["08:30", "12:00"], ["13:30", "18:00"]]
std::vector<TimeWindow> ToWindows(py::handle value, const std::string& path) {
  std::vector<TimeWindow> out;
  if (value.is_none()) return out;
  py::list list = ToList(value, path);
  for (size_t i = 0; i < list.size(); ++i) {
    py::list pair = ToList(list[i], Index(path, i));
    if (pair.size() != 2) {
      RaiseInvalid(fmt::format("{}: expected an [open, close] pair, got {} items",
                               Index(path, i), pair.size()));
    }
    out.push_back(TimeWindow{ToTimeOfDay(pair[0], Index(Index(path, i), 0)),
                             ToTimeOfDay(pair[1], Index(Index(path, i), 1))});
  }
  return out;
}

absl::CivilDay ToDate(py::handle value, const std::string& path) {
  absl::StatusOr<absl::CivilDay> day = ParseDate(ToString(value, path));
  if (!day.ok())
    RaiseInvalid(fmt::format("{}: {}", path, std::string(day.status().message())));
  return *day;
}

py::dict ToDictOf(py::handle value, const std::string& path) {
  if (!PyDict_Check(value.ptr())) {
    RaiseInvalid(fmt::format("{}: expected a dict, got {}", path, TypeName(value)));
  }
  return py::reinterpret_borrow<py::dict>(value);
}

}  // namespace

// {"utc_offset_s": 28800, "weekly": {"mon": [["08:30", "12:00"]], …},
//  "holidays": ["2026-10-01"], "special": {"2026-12-24": [["09:00", "12:00"]]}}
// The calendar's own rules (overlaps, ranges) are checked by the engine.
HoursOfOperation ToHours(py::handle value, const std::string& path) {
  DictReader r(value, path, "hours");
  HoursOfOperation h;
  h.utc_offset_s = ToInt32(py::int_(r.Int("utc_offset_s", 0)), r.Path("utc_offset_s"));
  if (r.Has("weekly")) {
    for (auto item : ToDictOf(r.Get("weekly"), r.Path("weekly"))) {
      std::string day = ToString(item.first, r.Path("weekly"));
      std::optional<int> d = ParseWeekday(day);
      if (!d.has_value()) {
        RaiseInvalid(fmt::format(
            "{}: unknown weekday '{}' (known: mon, tue, wed, thu, fri, sat, sun)",
            r.Path("weekly"), day));
      }
      h.weekly[*d] = ToWindows(item.second, Child(r.Path("weekly"), day));
    }
  }
  if (r.Has("holidays")) {
    py::list list = ToList(r.Get("holidays"), r.Path("holidays"));
    for (size_t i = 0; i < list.size(); ++i) {
      h.holidays.push_back(ToDate(list[i], Index(r.Path("holidays"), i)));
    }
  }
  if (r.Has("special")) {
    for (auto item : ToDictOf(r.Get("special"), r.Path("special"))) {
      std::string date = ToString(item.first, r.Path("special"));
      std::string field = Child(r.Path("special"), date);
      h.special.push_back(
          SpecialHours{ToDate(item.first, field), ToWindows(item.second, field)});
    }
  }
  r.Finish();
  return h;
}

QueueConfig ToQueueConfig(const PyEngine& e, py::handle value, const std::string& path,
                          QueueConfig c) {
  DictReader r(value, path, "queue");
  c.name = r.String("name", c.name);
  if (r.Contains("skills")) c.skills = ToSkills(e, r.Get("skills"), r.Path("skills"));
  if (r.Contains("relaxation")) {
    c.relaxation.clear();
    py::object steps = r.Get("relaxation");
    if (!steps.is_none()) {
      py::list list = ToList(steps, r.Path("relaxation"));
      for (size_t i = 0; i < list.size(); ++i) {
        DictReader s(list[i], Index(r.Path("relaxation"), i));
        RoutingStep step;
        step.after = ToDuration(s.Require("after_s"), s.Path("after_s"));
        step.skills = ToSkills(e, s.Get("skills"), s.Path("skills"));
        s.Finish();
        c.relaxation.push_back(std::move(step));
      }
    }
  }
  c.priority = ToInt32(py::int_(r.Int("priority", c.priority)), r.Path("priority"));
  c.aging_weight = r.Double("aging_weight", c.aging_weight);
  if (r.Has("sl_seconds"))
    c.sl_threshold = ToDuration(r.Get("sl_seconds"), r.Path("sl_seconds"));
  c.sl_target = r.Double("sl_target", c.sl_target);
  if (r.Has("sl_definition")) {
    c.sl_definition =
        ToServiceLevelDefinition(r.String("sl_definition", ""), r.Path("sl_definition"));
  }
  if (r.Has("short_abandon_s"))
    c.short_abandon = ToDuration(r.Get("short_abandon_s"), r.Path("short_abandon_s"));
  int64_t max_size = r.Int("max_size", static_cast<int64_t>(c.max_size));
  if (max_size < 0) {
    RaiseInvalid(fmt::format("{}: must be >= 0 (0 = unlimited), got {}",
                             r.Path("max_size"), max_size));
  }
  c.max_size = static_cast<size_t>(max_size);
  if (r.Contains("max_wait_s")) {
    c.max_wait = ToDuration(r.Get("max_wait_s"), r.Path("max_wait_s"), true);
  }
  if (r.Contains("overflow_to")) {
    py::object to = r.Get("overflow_to");
    if (to.is_none()) {
      c.overflow_queue.reset();
    } else {
      c.overflow_queue = ToQueue(e, to, r.Path("overflow_to"));
    }
  }
  if (r.Contains("hours")) {
    py::object hours = r.Get("hours");
    if (hours.is_none()) {
      c.hours.reset();
    } else {
      c.hours = ToHours(hours, r.Path("hours"));
    }
  }
  c.move_waiting_at_close = r.Bool("move_waiting_at_close", c.move_waiting_at_close);
  if (r.Has("wrap_up_s")) c.wrap_up = ToDuration(r.Get("wrap_up_s"), r.Path("wrap_up_s"));
  if (r.Has("offer_timeout_s")) {
    c.offer_timeout =
        ToDuration(r.Get("offer_timeout_s"), r.Path("offer_timeout_s"), true);
  }
  c.strategy = r.String("strategy", c.strategy);
  if (r.Contains("guards")) c.guards = ToGuards(r.Get("guards"), r.Path("guards"));
  if (r.Has("expected_handle_time_s")) {
    c.expected_handle_time =
        ToDuration(r.Get("expected_handle_time_s"), r.Path("expected_handle_time_s"));
  }
  r.Finish();
  return c;
}

ContactOutcome ToOutcome(py::handle csat, py::handle resolved) {
  ContactOutcome o;
  if (!csat.is_none()) {
    int64_t v = ToInt(csat, "csat");
    if (v < kMinCsat || v > kMaxCsat) {
      RaiseInvalid(fmt::format("csat must be in 1..5, got {}", v));
    }
    o.csat = static_cast<int>(v);
  }
  if (!resolved.is_none()) {
    if (!PyBool_Check(resolved.ptr())) {
      RaiseInvalid(fmt::format("resolved: expected a bool, got {}", TypeName(resolved)));
    }
    o.resolved = resolved.cast<bool>();
  }
  return o;
}

AgentConfig MakeAgentConfig(const PyEngine& e, const AgentArgs& args) {
  AgentConfig config;
  config.id = AgentId(ToId(args.agent, "agent"));
  config.name = args.name;
  config.skills = ToSkills(e, args.skills, "skills");
  if (!args.capacity.is_none()) config.capacity = ToCapacity(args.capacity, "capacity");
  config.weight = args.weight;
  config.auto_accept = args.auto_accept;
  return config;
}

ContactSpec MakeContactSpec(const PyEngine& e, const ContactArgs& args) {
  ContactSpec spec;
  spec.id = ContactId(ToId(args.contact, "contact"));
  spec.queue = ToQueue(e, args.queue, "queue");
  spec.channel = ToChannel(py::str(args.channel), "channel");
  if (args.priority < std::numeric_limits<int>::min() ||
      args.priority > std::numeric_limits<int>::max()) {
    RaiseInvalid(fmt::format("priority must be in {}..{}, got {}", kMinPriority,
                             kMaxPriority, args.priority));
  }
  spec.priority = static_cast<int>(args.priority);
  spec.skills = ToSkills(e, args.skills, "skills");
  spec.customer_id = args.customer_id;
  if (!args.attributes.is_none()) {
    if (!PyDict_Check(args.attributes.ptr())) {
      RaiseInvalid(fmt::format("attributes: expected a dict of strings, got {}",
                               TypeName(args.attributes)));
    }
    for (auto item : py::reinterpret_borrow<py::dict>(args.attributes)) {
      std::string key = ToString(item.first, "attributes");
      spec.attributes.emplace_back(key, ToString(item.second, Child("attributes", key)));
    }
  }
  if (args.arrived_at_s.has_value()) {
    spec.arrived_at = ToTime(*args.arrived_at_s, "arrived_at_s");
  }
  if (!args.preferred_agents.is_none()) {
    py::list agents = ToList(args.preferred_agents, "preferred_agents");
    for (size_t i = 0; i < agents.size(); ++i) {
      spec.preferred_agents.push_back(
          AgentId(ToId(agents[i], Index("preferred_agents", i))));
    }
  }
  spec.prefer_last_agent = args.prefer_last_agent;
  spec.preferred_wait = ToEngineDuration(args.preferred_wait_s, "preferred_wait_s");
  if (!args.fallbacks.is_none()) {
    py::list targets = ToList(args.fallbacks, "fallbacks");
    for (size_t i = 0; i < targets.size(); ++i) {
      DictReader r(targets[i], Index("fallbacks", i));
      FallbackTarget f;
      f.after = ToEngineDuration(ToDouble(r.Require("after_s"), r.Path("after_s")),
                                 r.Path("after_s"));
      f.queue = ToQueue(e, r.Require("queue"), r.Path("queue"));
      const int64_t priority = r.Int("priority", 0);
      if (priority < kMinPriority || priority > kMaxPriority) {
        RaiseInvalid(fmt::format("{}: must be in {}..{}, got {}", r.Path("priority"),
                                 kMinPriority, kMaxPriority, priority));
      }
      f.priority = static_cast<int>(priority);
      f.skills = ToSkills(e, r.Get("skills"), r.Path("skills"));
      r.Finish();
      spec.fallbacks.push_back(std::move(f));
    }
  }
  return spec;
}

absl::Duration ToEngineDuration(double seconds, const std::string& path) {
  if (std::isnan(seconds)) {
    RaiseInvalid(fmt::format("{}: must be a number of seconds, got nan", path));
  }
  return absl::Seconds(seconds);
}

Command ToCommand(const PyEngine& e, py::handle value) {
  DictReader r(value, "", "command");
  const std::string type = ToString(r.Require("type"), "command.type");
  auto agent = [&] { return AgentId(ToId(r.Require("agent"), "agent")); };
  auto contact = [&] { return ContactId(ToId(r.Require("contact"), "contact")); };
  auto reason = [&] { return ToInt32(py::int_(r.Int("reason", kReasonNone)), "reason"); };
  Command out;
  if (type == "add_agent") {
    AgentArgs a;
    a.agent = r.Require("agent");
    a.name = r.String("name", "");
    a.skills = r.Get("skills");
    a.capacity = r.Get("capacity");
    a.weight = r.Double("weight", 1.0);
    a.auto_accept = r.Bool("auto_accept", false);
    out = cmd::AddAgent{MakeAgentConfig(e, a)};
  } else if (type == "remove_agent") {
    out = cmd::RemoveAgent{agent()};
  } else if (type == "login") {
    AgentId a = agent();
    bool ready = r.Bool("ready", true);
    out = cmd::Login{a, ready, reason()};
  } else if (type == "logout") {
    out = cmd::Logout{agent()};
  } else if (type == "set_ready") {
    out = cmd::SetReady{agent()};
  } else if (type == "set_not_ready") {
    AgentId a = agent();
    out = cmd::SetNotReady{a, reason()};
  } else if (type == "end_wrap_up") {
    out = cmd::EndWrapUp{agent()};
  } else if (type == "add_contact") {
    ContactArgs c;
    c.contact = r.Require("contact");
    c.queue = r.Require("queue");
    c.channel = r.String("channel", "voice");
    c.priority = r.Int("priority", 0);
    c.skills = r.Get("skills");
    c.customer_id = r.String("customer_id", "");
    c.attributes = r.Get("attributes");
    if (r.Has("arrived_at_s")) c.arrived_at_s = r.Double("arrived_at_s", 0);
    c.preferred_agents = r.Get("preferred_agents");
    c.prefer_last_agent = r.Bool("prefer_last_agent", false);
    c.preferred_wait_s = r.Double("preferred_wait_s", 0);
    c.fallbacks = r.Get("fallbacks");
    out = cmd::AddContact{MakeContactSpec(e, c)};
  } else if (type == "accept_offer") {
    AgentId a = agent();
    ContactId c = contact();
    out = cmd::AcceptOffer{a, c,
                           r.Has("offer") ? ToId(r.Get("offer"), r.Path("offer")) : 0};
  } else if (type == "reject_offer") {
    AgentId a = agent();
    ContactId c = contact();
    out = cmd::RejectOffer{a, c,
                           r.Has("offer") ? ToId(r.Get("offer"), r.Path("offer")) : 0};
  } else if (type == "complete_contact") {
    AgentId a = agent();
    ContactId c = contact();
    out = cmd::CompleteContact{a, c, ToOutcome(r.Get("csat"), r.Get("resolved"))};
  } else if (type == "abandon") {
    out = cmd::Abandon{contact()};
  } else if (type == "request_callback") {
    out = cmd::RequestCallback{contact()};
  } else if (type == "transfer") {
    ContactId c = contact();
    QueueId to = ToQueue(e, r.Require("to"), "to");
    out = cmd::Transfer{c, to, r.Bool("keep_age", true)};
  } else if (type == "withdraw") {
    out = cmd::Withdraw{contact()};
  } else if (type == "set_priority") {
    ContactId c = contact();
    out = cmd::SetPriority{c, ToInt32(r.Require("priority"), "priority")};
  } else if (type == "force_agent_state") {
    AgentId a = agent();
    AgentState s = ToAgentState(r.Require("state"), "state");
    out = cmd::ForceAgentState{a, s, reason()};
  } else if (type == "erase_customer") {
    // Refused before the access check, which would judge an empty id as a
    // customer remembered nowhere.
    std::string customer = r.String("customer_id", "");
    if (customer.empty()) {
      RaiseInvalid(fmt::format("{}: customer id is empty", r.Path("customer_id")));
    }
    out = cmd::EraseCustomer{std::move(customer)};
  } else {
    RaiseInvalid(
        fmt::format("command.type: unknown command '{}' (known: add_agent, remove_agent, "
                    "login, logout, set_ready, set_not_ready, end_wrap_up, add_contact, "
                    "accept_offer, reject_offer, complete_contact, abandon, "
                    "request_callback, transfer, withdraw, set_priority, "
                    "force_agent_state, erase_customer)",
                    type));
  }
  r.Finish();
  return out;
}

}  // namespace ccengine::python
