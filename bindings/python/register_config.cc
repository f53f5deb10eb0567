// -----------------------------------------------------------------------------
// File: bindings/python/register_config.cc
// -----------------------------------------------------------------------------
//
// ccengine.RoutingFile and Engine.from_config: the routing file
// (ccengine/config/routing_file.h) from Python — load it (every error in one
// ValueError), build the engine it declares, and route a contact's facts
// through an entry flow to the keyword arguments of Engine.add_contact.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "ccengine/compliance/retention.h"
#include "ccengine/config/routing_file.h"
#include "ccengine/config/routing_shadow.h"
#ifdef CCENGINE_PY_HAVE_YAML
#include "ccengine/yaml/routing_yaml.h"
#endif
#include "ccengine/core/types.h"
#include "common.h"
#include "engine_binding.h"
#include "fmt/format.h"
#include "sim_binding.h"

namespace ccengine::python {
namespace {

using config::RoutingConfig;

// A failed load as Python names it: FileNotFoundError / PermissionError when
// the file cannot be read, ValueError for everything about its content (the
// errors, its size, not a regular file); `code` is the status code's name.
[[noreturn]] void RaiseLoadError(const absl::Status& status) {
  PyObject* type = PyExc_ValueError;
  if (status.code() == absl::StatusCode::kNotFound) type = PyExc_FileNotFoundError;
  if (status.code() == absl::StatusCode::kPermissionDenied) type = PyExc_PermissionError;
  RaiseAs(type, status);
}

std::shared_ptr<RoutingConfig> Loaded(absl::StatusOr<RoutingConfig> loaded) {
  if (!loaded.ok()) RaiseLoadError(loaded.status());
  return std::make_shared<RoutingConfig>(*std::move(loaded));
}

// A path given as str or os.PathLike, read without the GIL (a large file is
// checked in full); YAML by the name's ending, when the module has libyaml.
std::shared_ptr<RoutingConfig> Load(const py::object& source) {
  const std::string path =
      ToString(py::module_::import("os").attr("fspath")(source), "path");
#ifndef CCENGINE_PY_HAVE_YAML
  if (absl::EndsWith(path, ".yaml") || absl::EndsWith(path, ".yml")) {
    RaiseInvalid(
        fmt::format("{}: this module was built without libyaml (adapters/yaml); "
                    "write the routing file as JSON",
                    path));
  }
#endif
  absl::StatusOr<RoutingConfig> loaded;
  {
    py::gil_scoped_release unlocked;
#ifdef CCENGINE_PY_HAVE_YAML
    loaded = yaml::LoadRoutingFileAnySyntax(path);
#else
    loaded = config::LoadRoutingFile(path);
#endif
  }
  return Loaded(std::move(loaded));
}

}  // namespace

std::shared_ptr<const RoutingConfig> RoutingFrom(const py::object& source) {
  if (py::isinstance<RoutingConfig>(source)) {
    return source.cast<std::shared_ptr<RoutingConfig>>();
  }
  return Load(source);
}

namespace {

// A dict of facts {attribute: value} into bindings of the file's schema;
// None leaves a fact unset.
void Bind(const RoutingConfig& routing, const py::dict& facts, config::Bindings& out) {
  const config::Schema& schema = routing.schema();
  for (auto item : facts) {
    const std::string name = ToString(item.first, "facts");
    const std::optional<config::AttributeId> id = schema.Find(name);
    if (!id.has_value()) {
      RaiseStatus(absl::NotFoundError(fmt::format(
          "facts: unknown attribute '{}' (the file declares it under "
          "\"attributes\", or it is one of the built-in contact.* and time.*)",
          name)));
    }
    const std::string path = Child("facts", name);
    if (item.second.is_none()) {
      out.Unset(*id);
      continue;
    }
    switch (schema.type(*id)) {
      case config::ValueType::kString:
        out.SetString(*id, ToString(item.second, path));
        break;
      case config::ValueType::kNumber:
        out.SetNumber(*id, ToDouble(item.second, path));
        break;
      case config::ValueType::kBool: out.SetBool(*id, ToBool(item.second, path)); break;
      case config::ValueType::kStringList: {
        if (!PyList_Check(item.second.ptr()) && !PyTuple_Check(item.second.ptr())) {
          RaiseInvalid(fmt::format("{}: expected a list of str, got {}", path,
                                   TypeName(item.second)));
        }
        std::vector<std::string> values;
        size_t i = 0;
        for (auto v : py::reinterpret_borrow<py::sequence>(item.second)) {
          values.push_back(ToString(v, Index(path, i++)));
        }
        out.SetStringList(*id, values);
        break;
      }
    }
  }
}

struct Decision {
  int rule = -1;
  const config::FlowTarget* target = nullptr;
};

Decision Decide(const RoutingConfig& routing, const std::string& flow_name,
                const py::dict& facts, const std::string& channel, double at_s) {
  const config::EntryFlow* flow = routing.FindFlow(flow_name);
  if (flow == nullptr) {
    RaiseStatus(absl::NotFoundError(fmt::format("unknown flow '{}'", flow_name)));
  }
  const std::optional<Channel> c = ParseChannel(channel);
  if (!c.has_value()) RaiseInvalid(fmt::format("channel: unknown channel '{}'", channel));
  config::Bindings bindings(routing.schema());
  routing.SetContactFacts(bindings, *c, ToTime(at_s, "at_s"));
  Bind(routing, facts, bindings);
  Decision d;
  d.rule = flow->Match(bindings);
  d.target = &flow->Target(d.rule);
  return d;
}

// {skill name: level}, by the file's skill names.
py::dict NamedSkillsDict(const RoutingConfig& routing,
                         const std::vector<SkillLevel>& skills) {
  py::dict out;
  for (const SkillLevel& s : skills) {
    out[py::str(routing.skills()[s.skill.value()])] = int{s.level};
  }
  return out;
}

py::dict TargetToKwargs(const RoutingConfig& routing, const config::FlowTarget& t) {
  py::dict out;
  out["queue"] = routing.queues()[t.queue.value()].name;
  out["priority"] = t.priority;
  out["skills"] = NamedSkillsDict(routing, t.skills);
  py::list agents;
  for (AgentId a : t.preferred_agents) agents.append(a.value());
  out["preferred_agents"] = agents;
  out["prefer_last_agent"] = t.prefer_last_agent;
  out["preferred_wait_s"] = absl::ToDoubleSeconds(t.preferred_wait);
  py::list fallbacks;
  for (const FallbackTarget& f : t.fallbacks) {
    py::dict target;
    target["after_s"] = absl::ToDoubleSeconds(f.after);
    target["queue"] = routing.queues()[f.queue.value()].name;
    target["priority"] = f.priority;
    target["skills"] = NamedSkillsDict(routing, f.skills);
    fallbacks.append(target);
  }
  out["fallbacks"] = fallbacks;
  return out;
}

config::RoutingVersions& Versions(PyEngine& e) {
  if (e.routing() == nullptr) {
    RaiseStatus(absl::FailedPreconditionError(
        "this engine has no routing file: make it with Engine.from_config"));
  }
  return *e.routing();
}

// The engine's queue names as Python reports them (new queues of a version).
void NoteQueues(PyEngine& e) {
  for (size_t i = 0; i < e.engine().queue_count(); ++i) {
    const QueueId id(static_cast<uint32_t>(i));
    e.NoteQueue(id, e.engine().GetQueueConfig(id)->name);
  }
}

py::dict ShadowReportToDict(const config::ShadowReport& r) {
  py::dict d;
  d["live_hash"] = r.live_hash;
  d["candidate_hash"] = r.candidate_hash;
  d["decisions"] = r.decisions;
  d["differing"] = r.differing;
  d["differing_share"] = r.DifferingShare();
  d["other_queue"] = r.other_queue;
  d["other_priority"] = r.other_priority;
  d["other_skills"] = r.other_skills;
  d["other_preference"] = r.other_preference;
  d["other_fallbacks"] = r.other_fallbacks;
  d["candidate_without_flow"] = r.candidate_without_flow;
  d["candidate_fact_mismatches"] = r.candidate_fact_mismatches;
  d["routed_by_candidate"] = r.routed_by_candidate;
  py::list moves;
  for (const auto& [pair, n] : r.queue_moves) {
    py::dict m;
    m["live_queue"] = pair.first;
    m["candidate_queue"] = pair.second;
    m["contacts"] = n;
    moves.append(m);
  }
  d["queue_moves"] = moves;
  py::list rules;
  for (const auto& [key, n] : r.rules) {
    py::dict m;
    m["flow"] = std::get<0>(key);
    m["live_rule"] = std::get<1>(key);
    m["candidate_rule"] = std::get<2>(key);
    m["contacts"] = n;
    rules.append(m);
  }
  d["rules"] = rules;
  py::list samples;
  for (const config::ShadowSample& x : r.samples) {
    py::dict m;
    m["contact"] = x.contact.value();
    m["flow"] = x.flow;
    m["live_rule"] = x.live_rule;
    m["candidate_rule"] = x.candidate_rule;
    m["live_queue"] = x.live_queue;
    m["candidate_queue"] = x.candidate_queue;
    m["routed_by_candidate"] = x.routed_by_candidate;
    samples.append(m);
  }
  d["samples"] = samples;
  return d;
}

void RegisterShadow(py::module_& m) {
  using namespace pybind11::literals;
  py::class_<config::RoutingShadow> cls(m, "RoutingShadow",
                                        R"doc(Shadow evaluation (灰度) of a
candidate routing version on live traffic.

Each arriving contact is routed by the live version's entry flow and, without
touching the call, by the candidate's; the two decisions are compared and
counted over a window (report() / take_report()). With canary_share > 0 that
share of contacts (by a hash of the contact id) is routed by the candidate for
real; the candidate's flows must then target queues and skills the live
version has under the same index. What the differences do to service level,
waiting and abandonment: ccengine.compare_routing. docs/routing-config.md.

Not thread-safe: route from one thread.

Example:
    >>> shadow = ccengine.RoutingShadow("routing/v12.json", "routing/v13.json")
    >>> e.add_contact(7, **shadow.route(7, "hotline", {"ivr.choice": "2"}, at_s=time.time()))
    >>> shadow.take_report()["differing_share"]
)doc");
  cls.def(py::init([](const py::object& live, const py::object& candidate, double share) {
            return Unwrap(config::RoutingShadow::Create(RoutingFrom(live),
                                                        RoutingFrom(candidate), share));
          }),
          "live"_a, "candidate"_a, "canary_share"_a = 0.0,
          "The two versions as paths or RoutingFiles; canary_share in [0, 1].");
  cls.def(
      "route",
      [](config::RoutingShadow& s, int64_t contact, const std::string& flow,
         const py::object& facts, double at_s, const std::string& channel) {
        if (contact < 0 || contact > static_cast<int64_t>(UINT32_MAX)) {
          RaiseInvalid(fmt::format("contact: must be in 0..4294967295, got {}", contact));
        }
        const std::optional<Channel> c = ParseChannel(channel);
        if (!c.has_value())
          RaiseInvalid(fmt::format("channel: unknown channel '{}'", channel));
        std::vector<std::pair<std::string, config::FactValue>> list;
        if (!facts.is_none()) {
          for (auto& [name, value] : ToFacts(facts, "facts"))
            list.emplace_back(name, value);
        }
        const config::FlowTarget target =
            Unwrap(s.Route(ContactId(static_cast<uint32_t>(contact)), flow, list, *c,
                           ToTime(at_s, "at_s")));
        return TargetToKwargs(s.live(), target);
      },
      "contact"_a, "flow"_a, "facts"_a = py::none(), py::kw_only(), "at_s"_a,
      "channel"_a = "voice",
      R"doc(Routes a contact through both versions' entry flow and counts the
comparison; returns the keyword arguments of Engine.add_contact for the target
that routes it for real (the live one, or the candidate's for a canary contact).
``at_s``, the arrival (seconds since the Unix epoch, as Engine times), sets the
time.* facts; it is required, so that a time rule never reads a default.

Raises:
    KeyError: no such flow in the live version, or a fact the live version
        does not declare.
    ValueError: a fact of another type than the live version declares, a
        number that is not finite, or a contact.* / time.* fact (set from the
        channel and at_s).
)doc");
  cls.def(
      "in_canary",
      [](const config::RoutingShadow& s, int64_t contact) {
        return contact >= 0 && contact <= static_cast<int64_t>(UINT32_MAX) &&
               s.InCanary(ContactId(static_cast<uint32_t>(contact)));
      },
      "contact"_a, "Whether the candidate routes this contact for real.");
  cls.def(
      "report",
      [](const config::RoutingShadow& s) { return ShadowReportToDict(s.report()); },
      R"doc(The window so far: decisions, differing (and differing_share), what
differs (other_queue, other_priority, other_skills, other_preference, other_fallbacks),
candidate_without_flow, candidate_fact_mismatches, routed_by_candidate,
queue_moves [{live_queue, candidate_queue, contacts}], rules [{flow, live_rule,
candidate_rule, contacts}], samples (the first 100 differing decisions) and the
two content hashes.)doc");
  cls.def(
      "take_report",
      [](config::RoutingShadow& s) { return ShadowReportToDict(s.TakeReport()); },
      "report(), and a new window begins.");
  cls.def_property_readonly("canary_share", &config::RoutingShadow::canary_share);
}

}  // namespace

void RegisterConfig(py::module_& m) {
  using namespace pybind11::literals;
  using Handle = std::shared_ptr<RoutingConfig>;
  py::class_<RoutingConfig, Handle> cls(m, "RoutingFile", R"doc(A loaded routing file.

Skills, queues, strategies, agent profiles and entry flows declared in one
JSON file (docs/routing-config.md). Loading checks the whole file and raises
one ValueError listing every error, one per line, as
``file:line:column: /json/pointer: message``; nothing is half loaded.

Example:
    >>> routing = ccengine.RoutingFile.load("examples/routing/hotline.json")
    >>> e = ccengine.Engine.from_config(routing)
    >>> target = routing.route("hotline", {"contact.language": "en"})
    >>> target["queue"]
    'English'
    >>> e.add_contact(1, **target)
)doc");
  cls.def_static("load", &Load, "path"_a,
                 "Loads and checks a routing file (a str or os.PathLike path; YAML when "
                 "it ends in .yaml or .yml, else JSON). "
                 "ValueError lists every error; FileNotFoundError / PermissionError when "
                 "it cannot be read.");
  cls.def_static(
      "from_json",
      [](const std::string& text, const std::string& source) {
        absl::StatusOr<RoutingConfig> loaded;
        {
          py::gil_scoped_release unlocked;
          loaded = config::LoadRoutingJson(text, source);
        }
        return Loaded(std::move(loaded));
      },
      "text"_a, "source"_a = "routing.json",
      "Loads a routing file from its text; `source` names it in the errors.");
  cls.def_static(
      "from_yaml",
      [](const std::string& text, const std::string& source) {
#ifdef CCENGINE_PY_HAVE_YAML
        absl::StatusOr<RoutingConfig> loaded;
        {
          py::gil_scoped_release unlocked;
          loaded = yaml::LoadRoutingYaml(text, source);
        }
        return Loaded(std::move(loaded));
#else
        RaiseInvalid(
            fmt::format("{}: this module was built without libyaml "
                        "(adapters/yaml); write the routing file as JSON",
                        source));
        return std::shared_ptr<RoutingConfig>();
#endif
      },
      "text"_a, "source"_a = "routing.yaml",
      "Loads a routing file written in YAML (the part of YAML 1.2 docs/routing-config.md "
      "describes); `source` names it in the errors.");
  cls.def_property_readonly("source", &RoutingConfig::source_name);
  cls.def_property_readonly(
      "content_hash", &RoutingConfig::content_hash,
      "FNV-1a 64 of the file's bytes (16 hex digits): tells two versions apart.");
  cls.def_property_readonly("skills", &RoutingConfig::skills, "Skill names, by id.");
  cls.def_property_readonly(
      "queues",
      [](const RoutingConfig& r) {
        py::list names;
        for (const QueueConfig& q : r.queues()) names.append(q.name);
        return names;
      },
      "Queue names, by id.");
  cls.def_property_readonly(
      "ticket_categories",
      [](const RoutingConfig& r) {
        py::list names;
        for (const tickets::TicketCategory& c : r.ticket_categories())
          names.append(c.name);
        return names;
      },
      "Ticket category names (TicketDesk.add_categories adds them to a desk).");
  cls.def_property_readonly(
      "retention",
      [](const RoutingConfig& r) {
        py::dict out;
        const auto names = compliance::RetentionKindNames();
        const auto periods = compliance::RetentionPeriods(r.retention());
        for (size_t i = 0; i < names.size(); ++i) {
          out[py::str(fmt::format("{}_s", names[i]))] = absl::ToDoubleSeconds(periods[i]);
        }
        return out;
      },
      "How long each kind of personal data is kept, seconds: customer_history_s, "
      "tickets_s, knowledge_feedback_s, reports_s, audit_s (the file's \"retention\" "
      "section; defaults where it is silent).");
  cls.def_property_readonly(
      "flows",
      [](const RoutingConfig& r) {
        py::list names;
        for (const config::EntryFlow& f : r.flows()) names.append(f.name);
        return names;
      },
      "Entry flow names.");
  cls.def_property_readonly(
      "attributes",
      [](const RoutingConfig& r) {
        py::dict out;
        for (size_t i = 0; i < r.schema().size(); ++i) {
          const auto id = static_cast<config::AttributeId>(i);
          out[py::str(r.schema().name(id))] =
              std::string(config::ValueTypeName(r.schema().type(id)));
        }
        return out;
      },
      "The facts a flow may read, {name: type}, the built-in ones included.");
  cls.def(
      "agent_profile",
      [](const RoutingConfig& r, const std::string& name) {
        const config::AgentProfile* p = r.FindProfile(name);
        if (p == nullptr) {
          RaiseStatus(
              absl::NotFoundError(fmt::format("unknown agent profile '{}'", name)));
        }
        py::dict out, skills;
        for (const SkillLevel& s : p->skills) {
          skills[py::str(r.skills()[s.skill.value()])] = int{s.level};
        }
        out["skills"] = skills;
        out["capacity"] = CapacityToDict(p->capacity);
        out["weight"] = p->weight;
        out["auto_accept"] = p->auto_accept;
        return out;
      },
      "name"_a,
      "An agent profile as the keyword arguments of Engine.add_agent (skills, "
      "capacity, weight, auto_accept).");
  cls.def(
      "route",
      [](const RoutingConfig& r, const std::string& flow, const py::dict& facts,
         const std::string& channel, double at_s) {
        return TargetToKwargs(r, *Decide(r, flow, facts, channel, at_s).target);
      },
      "flow"_a, "facts"_a = py::dict(), py::kw_only(), "channel"_a = "voice",
      "at_s"_a = 0.0,
      R"doc(Where an entry flow sends a contact: the keyword arguments of
Engine.add_contact (queue, priority, skills, preferred_agents,
prefer_last_agent, preferred_wait_s, fallbacks).

Args:
    flow: the entry flow's name.
    facts: {attribute: value} — str, number, bool or list of str by the
        attribute's type; None or absent: unset (every comparison with it
        is false).
    channel: sets contact.channel.
    at_s: the arrival time (seconds since the Unix epoch, as Engine times)
        for the time.* facts, local by the file's calendar.
)doc");
  cls.def(
      "match",
      [](const RoutingConfig& r, const std::string& flow, const py::dict& facts,
         const std::string& channel, double at_s) -> py::object {
        const Decision d = Decide(r, flow, facts, channel, at_s);
        if (d.rule < 0) return py::none();
        return py::str(r.FindFlow(flow)->rules()[static_cast<size_t>(d.rule)].name);
      },
      "flow"_a, "facts"_a = py::dict(), py::kw_only(), "channel"_a = "voice",
      "at_s"_a = 0.0,
      "The name of the rule that decides (as route()), or None for the default.");

  // Engine.from_config, a classmethod on the class RegisterEngine made (so a
  // subclass makes its own kind).
  py::object engine_class = m.attr("Engine");
  py::cpp_function from_config(
      [](const py::object& cls, const py::object& source, const py::kwargs& kwargs) {
        const Handle routing =
            py::isinstance<RoutingConfig>(source) ? source.cast<Handle>() : Load(source);
        py::object made = cls(**kwargs);
        auto& e = made.cast<PyEngine&>();
        e.set_routing(Unwrap(config::RoutingVersions::Start(e.engine(), *routing)));
        NoteQueues(e);
        return made;
      },
      py::name("from_config"), py::arg("cls"), py::arg("source"),
      py::doc(R"doc(An engine configured by a routing file: its skills, strategies and
queues, with the file's ids, as routing version 1. `source` is a path (str
or os.PathLike) or a RoutingFile; other keyword arguments go to Engine(...).
)doc"));
  auto classmethod =
      py::reinterpret_steal<py::object>(PyClassMethod_New(from_config.ptr()));
  if (!classmethod) throw py::error_already_set();
  engine_class.attr("from_config") = classmethod;

  auto engine = py::reinterpret_borrow<py::class_<PyEngine>>(engine_class);
  engine.def(
      "reload_routing",
      [](PyEngine& e, const py::object& source) {
        // A journal records commands, not configuration: recovery would
        // replay them under the file the engine started with.
        RequireNoJournal(e, "reload_routing");
        config::RoutingVersions& versions = Versions(e);
        const Handle next =
            py::isinstance<RoutingConfig>(source) ? source.cast<Handle>() : Load(source);
        Check(versions.Reload(*next));
        NoteQueues(e);
        return versions.version();
      },
      "source"_a,
      R"doc(Makes a routing file (path or RoutingFile) the next routing version;
returns its number. Waiting contacts are re-evaluated under the new queue
rules. CcengineError (FAILED_PRECONDITION) lists why a file cannot follow
— a skill or queue renamed, reordered or dropped, a strategy's weights
changed — and changes nothing. Only for an engine from Engine.from_config.
)doc");
  engine.def(
      "rollback_routing",
      [](PyEngine& e) {
        RequireNoJournal(e, "rollback_routing");
        config::RoutingVersions& versions = Versions(e);
        Check(versions.Rollback());
        return versions.version();
      },
      "Returns to the routing version before the current one, as a new version; "
      "returns its number.");
  engine.def_property_readonly(
      "routing",
      [](PyEngine& e) -> py::object {
        if (e.routing() == nullptr) return py::none();
        return py::cast(std::const_pointer_cast<RoutingConfig>(e.routing()->current()));
      },
      "The current routing file (a RoutingFile), or None for an engine not made by "
      "Engine.from_config.");
  engine.def_property_readonly(
      "routing_history",
      [](PyEngine& e) {
        py::list out;
        if (e.routing() == nullptr) return out;
        for (const config::RoutingChange& c : e.routing()->history()) {
          py::dict d;
          d["from_version"] = c.from_version;
          d["to_version"] = c.to_version;
          d["from_hash"] = c.from_hash;
          d["to_hash"] = c.to_hash;
          d["source"] = c.source;
          d["at_s"] = absl::ToDoubleSeconds(c.at - absl::UnixEpoch());
          d["rollback"] = c.rollback;
          out.append(d);
        }
        return out;
      },
      "Every routing change, oldest first: from/to version and content hash, the "
      "new version's source, the engine time, whether it was a rollback.");
  RegisterShadow(m);
}

}  // namespace ccengine::python
