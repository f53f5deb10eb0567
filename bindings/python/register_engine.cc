// -----------------------------------------------------------------------------
// File: bindings/python/register_engine.cc
// -----------------------------------------------------------------------------
//
// ccengine.Engine: the routing engine for scripting from Python. Every method
// is the synchronous router-thread call of the same name in ccengine/core/engine.h;
// errors raise (see common.h) and leave the engine unchanged. Events are
// buffered in C++ and taken with `drain_events()`.

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "ccengine/core/engine.h"
#include "ccengine/core/strategy.h"
#include "engine_binding.h"
#include "fmt/format.h"

namespace ccengine::python {
namespace {

using namespace pybind11::literals;

std::unique_ptr<PyEngine> MakeEngine(int64_t intake_capacity, int rona_limit,
                                     double priority_class_weight_s, uint64_t seed,
                                     double start_s, bool record_events, bool explain,
                                     std::optional<double> quality_half_life_s,
                                     double quality_prior_weight, double default_csat,
                                     double default_fcr, double work_window_s,
                                     int64_t customer_history_size,
                                     double customer_history_retention_s,
                                     int64_t customer_history_max_entries) {
  EngineOptions options;
  if (intake_capacity < 0) {
    RaiseInvalid(
        fmt::format("intake_capacity must be in [2, 2^30], got {}", intake_capacity));
  }
  options.intake_capacity = static_cast<size_t>(intake_capacity);
  options.rona_limit = rona_limit;
  if (!std::isfinite(priority_class_weight_s) || priority_class_weight_s <= 0) {
    RaiseInvalid(
        fmt::format("priority_class_weight_s must be positive and finite, got {}",
                    priority_class_weight_s));
  }
  options.priority_class_weight = absl::Seconds(priority_class_weight_s);
  options.seed = seed;
  options.start = ToTime(start_s, "start_s");
  options.quality.half_life =
      quality_half_life_s.has_value()
          ? ToDuration(py::float_(*quality_half_life_s), "quality_half_life_s")
          : absl::InfiniteDuration();
  options.quality.prior_weight = quality_prior_weight;
  options.quality.default_csat = default_csat;
  options.quality.default_fcr = default_fcr;
  options.work_window = ToDuration(py::float_(work_window_s), "work_window_s");
  if (customer_history_size < 0) {
    RaiseInvalid(
        fmt::format("customer_history_size must be >= 0, got {}", customer_history_size));
  }
  if (customer_history_max_entries < 0) {
    RaiseInvalid(fmt::format("customer_history_max_entries must be >= 0, got {}",
                             customer_history_max_entries));
  }
  options.customer_history_size = static_cast<size_t>(customer_history_size);
  options.customer_history_retention =
      ToEngineDuration(customer_history_retention_s, "customer_history_retention_s");
  options.customer_history_max_entries =
      static_cast<size_t>(customer_history_max_entries);
  return std::make_unique<PyEngine>(Unwrap(Engine::Create(options)), record_events,
                                    explain);
}

// The queue's config as a dict merged from an optional dict and kwargs.
py::dict Merge(const py::object& config, const py::kwargs& kwargs, const char* what) {
  py::dict merged;
  if (!config.is_none()) {
    if (!PyDict_Check(config.ptr())) {
      RaiseInvalid(fmt::format("{}: expected a dict, got {}", what, TypeName(config)));
    }
    for (auto item : py::reinterpret_borrow<py::dict>(config)) {
      merged[item.first] = item.second;
    }
  }
  for (auto item : kwargs) merged[item.first] = item.second;
  return merged;
}

}  // namespace

void RegisterEngine(py::module_& m) {
  py::class_<PyEngine> cls(
      m, "Engine",
      R"doc(The contact-center routing engine (one partition: skills, queues, agents,
contacts), driven synchronously from Python.

Every method validates its input first and changes nothing when it raises:
ValueError for malformed input, KeyError for an unknown id or name,
ccengine.CcengineError for a state that does not allow the call. The message
is the engine's; ``exc.code`` holds the status code name.

Queues and skills are named by name (str) or id (int); agents and contacts by
the integer id the product chose. Times are float seconds since the engine's
epoch (``start_s`` is its initial time); the engine never reads the wall
clock, so time moves only with ``advance_to()`` / ``poll()``.

Every decision leaves as an event (offers, state changes, outcomes); they are
buffered and returned, oldest first, by ``drain_events()``.

Example:
    >>> e = ccengine.Engine()
    >>> e.add_skill("tax")
    0
    >>> e.add_queue(name="tax", skills={"tax": 5})
    0
    >>> e.add_agent(7, skills={"tax": 8}); e.login(7)
    >>> e.add_contact(1001, "tax")
    >>> [ev["type"] for ev in e.drain_events()][-1]
    'offered'
    >>> e.accept_offer(7, 1001); e.advance_to(120); e.complete_contact(7, 1001)
)doc");

  cls.def(py::init(&MakeEngine), py::kw_only(), "intake_capacity"_a = 1 << 16,
          "rona_limit"_a = 3, "priority_class_weight_s"_a = 600.0, "seed"_a = 1,
          "start_s"_a = 0.0, "record_events"_a = true, "explain"_a = false,
          "quality_half_life_s"_a = 7 * 86400.0, "quality_prior_weight"_a = 10.0,
          "default_csat"_a = 3.5, "default_fcr"_a = 0.7, "work_window_s"_a = 1800.0,
          "customer_history_size"_a = 8, "customer_history_retention_s"_a = 30 * 86400.0,
          "customer_history_max_entries"_a = 1 << 20,
          R"doc(Creates an engine.

Args:
    intake_capacity: slots of the command intake used by ``submit()``.
    rona_limit: consecutive unanswered offers before an agent is made not
        ready (reason -1); 0 disables.
    priority_class_weight_s: waited seconds one priority class is worth.
    seed: seed of the random strategies.
    start_s: the engine's initial time, seconds.
    record_events: buffer events for ``drain_events()``.
    explain: also buffer a "decision_explained" event before each offer
        (see ``explain``).
    quality_half_life_s: learned CSAT / FCR samples lose half their weight
        every this many seconds (None: never).
    quality_prior_weight: pseudo-samples of the skill's mean that each
        agent's estimate is shrunk toward.
    default_csat, default_fcr: a skill's mean before any sample.
    work_window_s: the sliding window of the occupancy guards.
    customer_history_size: contacts kept per customer for
        ``customer_history()`` and ``prefer_last_agent`` (0: none).
    customer_history_retention_s: how long they are kept (0: not at all).
    customer_history_max_entries: entries kept over all customers.
)doc");

  // --- configuration --------------------------------------------------------
  cls.def(
      "add_skill",
      [](PyEngine& e, const std::string& name) {
        RequireNoJournal(e, "add_skill");
        return Unwrap(e.engine().AddSkill(name)).value();
      },
      "name"_a, "Registers a skill; returns its id (dense from 0).");
  cls.def(
      "find_skill",
      [](PyEngine& e, const std::string& name) {
        return Unwrap(e.engine().FindSkill(name)).value();
      },
      "name"_a, "The id of a skill by name; KeyError if unknown.");
  cls.def_property_readonly(
      "skills",
      [](PyEngine& e) {
        py::list names;
        for (size_t i = 0; i < e.engine().skill_count(); ++i) {
          names.append(std::string(e.engine().SkillName(SkillId(i))));
        }
        return names;
      },
      "Skill names, by id.");
  cls.def(
      "add_queue",
      [](PyEngine& e, py::object config, py::kwargs kwargs) {
        RequireNoJournal(e, "add_queue");
        QueueConfig c =
            ToQueueConfig(e, Merge(config, kwargs, "add_queue"), "", QueueConfig{});
        QueueId id = Unwrap(e.engine().AddQueue(c));
        e.NoteQueue(id, c.name);
        return id.value();
      },
      "config"_a = py::none(),
      R"doc(Adds a queue from a dict and/or keyword arguments; returns its id.

Keys: ``name`` (required), ``skills`` ({skill: min level}),
``relaxation`` ([{"after_s": 30, "skills": {...}}, ...]), ``priority``
(0..9), ``aging_weight``, ``sl_seconds``, ``sl_target``, ``sl_definition``
("within_offered", "within_answered", "within_answered_abandoned",
"within_offered_less_short"), ``short_abandon_s``, ``max_size`` (0 = unlimited), ``max_wait_s`` (None = never), ``overflow_to`` (a queue),
``wrap_up_s``, ``offer_timeout_s``, ``strategy`` (e.g. "longest_idle",
"best_proficiency", "satisfaction"), ``guards`` ({"occupancy_cap",
"max_occupancy_spread", "exploration"}), ``expected_handle_time_s``,
``hours`` (None = always
open, or {"utc_offset_s": 28800, "weekly": {"mon": [["08:30", "12:00"],
["13:30", "18:00"]], ...}, "holidays": ["2026-10-01"], "special":
{"2026-12-24": [["09:00", "12:00"]]}}; times "hh:mm[:ss]" or seconds of the
day, "24:00" ends at midnight), ``move_waiting_at_close`` (False: the line
waiting at closing is still served; True: it moves on like a closed
arrival, to ``overflow_to`` or out with reason "closed"). Unknown keys raise
ValueError.
)doc");
  cls.def(
      "update_queue",
      [](PyEngine& e, py::object queue, py::object config, py::kwargs kwargs) {
        RequireNoJournal(e, "update_queue");
        QueueId id = ToQueue(e, queue, "queue");
        QueueConfig base = Unwrap(e.engine().GetQueueConfig(id));
        QueueConfig c =
            ToQueueConfig(e, Merge(config, kwargs, "update_queue"), "", std::move(base));
        Check(e.engine().UpdateQueue(id, c));
      },
      "queue"_a, "config"_a = py::none(),
      "Replaces the given keys of a queue's rules (same keys as add_queue; "
      "the name may not change). Waiting contacts are re-evaluated at once.");
  cls.def(
      "find_queue",
      [](PyEngine& e, const std::string& name) {
        return Unwrap(e.engine().FindQueue(name)).value();
      },
      "name"_a, "The id of a queue by name; KeyError if unknown.");
  cls.def(
      "get_queue_config",
      [](PyEngine& e, py::object queue) {
        return QueueConfigToDict(
            e, Unwrap(e.engine().GetQueueConfig(ToQueue(e, queue, "queue"))));
      },
      "queue"_a, "A queue's rules as a dict (the keys of add_queue).");
  cls.def_property_readonly(
      "queues",
      [](PyEngine& e) {
        py::list names;
        for (size_t i = 0; i < e.engine().queue_count(); ++i) {
          names.append(e.QueueName(QueueId(static_cast<uint32_t>(i))));
        }
        return names;
      },
      "Queue names, by id.");
  cls.def(
      "add_composite_strategy",
      [](PyEngine& e, const std::string& name, double proficiency, double idle,
         double spare_capacity, double fewest_handled, double idle_scale_s) {
        RequireNoJournal(e, "add_composite_strategy");
        CompositeWeights w;
        w.proficiency = proficiency;
        w.idle = idle;
        w.spare_capacity = spare_capacity;
        w.fewest_handled = fewest_handled;
        w.idle_scale = ToDuration(py::float_(idle_scale_s), "idle_scale_s");
        return Unwrap(e.engine().RegisterStrategy(name,
                                                  std::make_unique<CompositeStrategy>(w)))
            .value();
      },
      "name"_a, py::kw_only(), "proficiency"_a = 1.0, "idle"_a = 1.0,
      "spare_capacity"_a = 1.0, "fewest_handled"_a = 0.0, "idle_scale_s"_a = 300.0,
      "Registers a weighted 'composite' agent-selection strategy under "
      "`name` for queues to use; returns its id.");

  cls.def(
      "add_satisfaction_strategy",
      [](PyEngine& e, const std::string& name, double quality, double csat_share,
         double proficiency, double idle, double occupancy, double occupancy_target,
         double idle_scale_s, int min_idle_for_quality, double quality_fade_s,
         double max_hold_s, double hold_margin) {
        RequireNoJournal(e, "add_satisfaction_strategy");
        SatisfactionWeights w;
        w.quality = quality;
        w.csat_share = csat_share;
        w.proficiency = proficiency;
        w.idle = idle;
        w.occupancy = occupancy;
        w.occupancy_target = occupancy_target;
        w.idle_scale = ToDuration(py::float_(idle_scale_s), "idle_scale_s");
        w.min_idle_for_quality = min_idle_for_quality;
        w.quality_fade = ToDuration(py::float_(quality_fade_s), "quality_fade_s");
        w.max_hold = ToDuration(py::float_(max_hold_s), "max_hold_s");
        w.hold_margin = hold_margin;
        Check(SatisfactionStrategy::Validate(w));
        return Unwrap(e.engine().RegisterStrategy(
                          name, std::make_unique<SatisfactionStrategy>(w)))
            .value();
      },
      "name"_a, py::kw_only(), "quality"_a = 4.0, "csat_share"_a = 0.5,
      "proficiency"_a = 0.5, "idle"_a = 1.0, "occupancy"_a = 1.0,
      "occupancy_target"_a = 0.85, "idle_scale_s"_a = 300.0, "min_idle_for_quality"_a = 2,
      "quality_fade_s"_a = 120.0, "max_hold_s"_a = 0.0, "hold_margin"_a = 0.15,
      "Registers a 'satisfaction' strategy with these weights under `name` "
      "(see SatisfactionWeights in ccengine/core/strategy.h); returns its id.");

  // --- agents ---------------------------------------------------------------
  cls.def(
      "add_agent",
      [](PyEngine& e, py::object agent, const std::string& name, py::object skills,
         py::object capacity, double weight, bool auto_accept) {
        AgentArgs a{agent, name, skills, capacity, weight, auto_accept};
        ApplyCommand(e, cmd::AddAgent{MakeAgentConfig(e, a)});
      },
      "agent"_a, py::kw_only(), "name"_a = "", "skills"_a = py::none(),
      "capacity"_a = py::none(), "weight"_a = 1.0, "auto_accept"_a = false,
      R"doc(Adds an agent (logged out).

Args:
    agent: the product's agent id (int).
    name: display name.
    skills: {skill: level 1..10}.
    capacity: {channel: max concurrent} (other channels: none), or the full
        form {"max_per_channel": {...}, "load_per_contact": {...},
        "load_budget": 100, "exclusive": {channel: bool}}. Default: 1 voice,
        3 chats, 2 emails, 1 video, 1 callback, 3 messages, 2 tickets.
    weight: for the weighted-random strategy, > 0.
    auto_accept: every offer is accepted as it is made (kOffered then
        kAccepted at the same instant; the agent never shows as reserved).
)doc");
  cls.def(
      "remove_agent",
      [](PyEngine& e, py::object a) {
        ApplyCommand(e, cmd::RemoveAgent{AgentId(ToId(a, "agent"))});
      },
      "agent"_a, "Removes a logged-out agent.");
  cls.def(
      "set_agent_skills",
      [](PyEngine& e, py::object a, py::object skills) {
        RequireNoJournal(e, "set_agent_skills");
        Check(e.engine().SetAgentSkills(AgentId(ToId(a, "agent")),
                                        ToSkills(e, skills, "skills")));
      },
      "agent"_a, "skills"_a, "Replaces an agent's skills ({skill: level}).");
  cls.def(
      "login",
      [](PyEngine& e, py::object a, bool ready, int32_t reason) {
        ApplyCommand(e, cmd::Login{AgentId(ToId(a, "agent")), ready, reason});
      },
      "agent"_a, "ready"_a = true, "reason"_a = 0,
      "Logs an agent in, ready or not ready with a reason code.");
  cls.def(
      "logout",
      [](PyEngine& e, py::object a) {
        ApplyCommand(e, cmd::Logout{AgentId(ToId(a, "agent"))});
      },
      "agent"_a, "Logs an agent out; refused while contacts are in service.");
  cls.def(
      "set_ready",
      [](PyEngine& e, py::object a) {
        ApplyCommand(e, cmd::SetReady{AgentId(ToId(a, "agent"))});
      },
      "agent"_a, "Makes an agent ready (available for offers).");
  cls.def(
      "set_not_ready",
      [](PyEngine& e, py::object a, int32_t reason) {
        ApplyCommand(e, cmd::SetNotReady{AgentId(ToId(a, "agent")), reason});
      },
      "agent"_a, "reason"_a = 0,
      "Makes an agent not ready; a ringing offer goes back in line.");
  cls.def(
      "end_wrap_up",
      [](PyEngine& e, py::object a) {
        ApplyCommand(e, cmd::EndWrapUp{AgentId(ToId(a, "agent"))});
      },
      "agent"_a, "Ends an agent's wrap-up early.");
  cls.def(
      "force_agent_state",
      [](PyEngine& e, py::object a, py::object state, int32_t reason) {
        ApplyCommand(e, cmd::ForceAgentState{AgentId(ToId(a, "agent")),
                                             ToAgentState(state, "state"), reason});
      },
      "agent"_a, "state"_a, "reason"_a = 0,
      "Supervisor: puts an agent in 'logged_out', 'not_ready' or "
      "'available'.");

  // --- contacts -------------------------------------------------------------
  cls.def(
      "add_contact",
      [](PyEngine& e, py::object contact, py::object queue, const std::string& channel,
         int64_t priority, py::object skills, const std::string& customer_id,
         py::object attributes, std::optional<double> arrived_at_s,
         py::object preferred_agents, bool prefer_last_agent, double preferred_wait_s,
         py::object fallbacks) {
        ContactArgs c{contact,          queue,
                      channel,          priority,
                      skills,           customer_id,
                      attributes,       arrived_at_s,
                      preferred_agents, prefer_last_agent,
                      preferred_wait_s, fallbacks};
        ApplyCommand(e, cmd::AddContact{MakeContactSpec(e, c)});
      },
      "contact"_a, "queue"_a, py::kw_only(), "channel"_a = "voice", "priority"_a = 0,
      "skills"_a = py::none(), "customer_id"_a = "", "attributes"_a = py::none(),
      "arrived_at_s"_a = py::none(), "preferred_agents"_a = py::none(),
      "prefer_last_agent"_a = false, "preferred_wait_s"_a = 0.0,
      "fallbacks"_a = py::none(),
      R"doc(A contact arrives: it is offered at once to the best eligible agent, or
waits (a full queue overflows).

Args:
    contact: the product's contact id (int).
    queue: queue name or id.
    channel: "voice", "chat", "email", "video", "callback", "message" or
        "ticket".
    priority: class 0 (normal) .. 9.
    skills: the contact's own requirements {skill: min level}.
    customer_id: free text.
    attributes: {str: str}.
    arrived_at_s: when the customer started waiting (default: now).
    preferred_agents: agent ids to wait for (at most 16, no duplicates;
        unknown ids are allowed).
    prefer_last_agent: also wait for the customer's last agent (see
        ``last_agent()``).
    preferred_wait_s: how long the preference holds; then any agent may
        take it (event "preference_ended"). 0: a free preferred agent at
        arrival, else anyone at once. It does not wait when no preferred
        agent is logged in.
    fallbacks: later targets, in order (at most 8): [{"after_s": 30,
        "queue": "senior", "priority": 2, "skills": {...}}]. Unanswered
        ``after_s`` seconds after entering its current target, the contact
        moves to the next one's queue, priority and skills, keeping its age
        (event "overflowed", reason "target_timeout"; a target in the
        queue it waits in changes it in place: "priority_changed", reason
        "target_timeout"); ringing then, it moves if the offer fails;
        answered or transferred, the rest are dropped.
)doc");
  cls.def(
      "accept_offer",
      [](PyEngine& e, py::object a, py::object c, py::object offer) {
        ApplyCommand(e, cmd::AcceptOffer{AgentId(ToId(a, "agent")),
                                         ContactId(ToId(c, "contact")),
                                         offer.is_none() ? 0 : ToId(offer, "offer")});
      },
      "agent"_a, "contact"_a, "offer"_a = py::none(),
      "The agent answers the contact offered to it. `offer` (an event's "
      "\"offer\"): answering that offer only — a later offer of the contact "
      "is refused (CcengineError, code FAILED_PRECONDITION), and answering an "
      "offer already accepted does "
      "nothing.");
  cls.def(
      "reject_offer",
      [](PyEngine& e, py::object a, py::object c, py::object offer) {
        ApplyCommand(e, cmd::RejectOffer{AgentId(ToId(a, "agent")),
                                         ContactId(ToId(c, "contact")),
                                         offer.is_none() ? 0 : ToId(offer, "offer")});
      },
      "agent"_a, "contact"_a, "offer"_a = py::none(),
      "The agent declines; the contact keeps its place and is not offered "
      "to this agent again.");
  cls.def(
      "complete_contact",
      [](PyEngine& e, py::object a, py::object c, py::object csat, py::object resolved) {
        AgentId agent(ToId(a, "agent"));
        ContactId contact(ToId(c, "contact"));
        ApplyCommand(e, cmd::CompleteContact{agent, contact, ToOutcome(csat, resolved)});
      },
      "agent"_a, "contact"_a, py::kw_only(), "csat"_a = py::none(),
      "resolved"_a = py::none(),
      "The agent finishes a contact in service; the outcome (survey score "
      "``csat`` 1..5, first-contact resolution ``resolved``), when given, "
      "teaches the agent's quality estimates on the contact's skills.");
  cls.def(
      "quality",
      [](PyEngine& e, py::object a, py::object skill) {
        QualityEstimate q = Unwrap(
            e.engine().GetQuality(AgentId(ToId(a, "agent")), ToSkill(e, skill, "skill")));
        py::dict d;
        d["csat"] = q.csat;
        d["fcr"] = q.fcr;
        d["csat_weight"] = q.csat_weight;
        d["fcr_weight"] = q.fcr_weight;
        return d;
      },
      "agent"_a, "skill"_a,
      "The agent's learned quality on a skill now: {'csat', 'fcr', "
      "'csat_weight', 'fcr_weight'} (weights: decayed sample counts; 0 = "
      "nothing known, the estimate is the skill's mean).");
  cls.def(
      "window_occupancy",
      [](PyEngine& e, py::object a) {
        return Unwrap(e.engine().GetWindowOccupancy(AgentId(ToId(a, "agent"))));
      },
      "agent"_a,
      "The agent's occupancy over the sliding work window (0..1); windows "
      "are kept from the first queue with guards or a quality strategy "
      "(before that, CcengineError FAILED_PRECONDITION).");
  cls.def(
      "abandon",
      [](PyEngine& e, py::object c) {
        ApplyCommand(e, cmd::Abandon{ContactId(ToId(c, "contact"))});
      },
      "contact"_a, "The customer left (abandoned if not yet in service).");
  cls.def(
      "request_callback",
      [](PyEngine& e, py::object c) {
        ApplyCommand(e, cmd::RequestCallback{ContactId(ToId(c, "contact"))});
      },
      "contact"_a,
      R"doc(Virtual hold: a waiting voice or video caller leaves the line and keeps
its place; it is routed on the "callback" channel from now on (agents'
callback capacity applies) and accepting its offer means calling back. It
can no longer abandon while waiting or ringing (withdraw cancels it).
Raises CcengineError (FAILED_PRECONDITION) when the contact is not waiting,
is already a callback, or is not a voice or video call.
)doc");
  cls.def(
      "transfer",
      [](PyEngine& e, py::object c, py::object to, bool keep_age) {
        ApplyCommand(e, cmd::Transfer{ContactId(ToId(c, "contact")), ToQueue(e, to, "to"),
                                      keep_age});
      },
      "contact"_a, "to"_a, "keep_age"_a = true,
      "Moves a contact to another queue, keeping its seniority by default.");
  cls.def(
      "withdraw",
      [](PyEngine& e, py::object c) {
        ApplyCommand(e, cmd::Withdraw{ContactId(ToId(c, "contact"))});
      },
      "contact"_a, "Supervisor: takes a waiting or ringing contact out of routing.");
  cls.def(
      "set_priority",
      [](PyEngine& e, py::object c, py::object priority) {
        ApplyCommand(e, cmd::SetPriority{ContactId(ToId(c, "contact")),
                                         ToInt32(priority, "priority")});
      },
      "contact"_a, "priority"_a,
      "Supervisor: changes a contact's priority class (0..9).");

  // --- driving ----------------------------------------------------------------
  cls.def(
      "submit",
      [](PyEngine& e, py::object command, uint64_t producer, uint64_t sequence,
         uint32_t actor) {
        e.set_commanded();
        Check(e.engine().Submit(ToCommand(e, command),
                                {producer, sequence, actor != 0 ? actor : e.actor()}));
      },
      "command"_a, py::kw_only(), "producer"_a = 0, "sequence"_a = 0, "actor"_a = 0,
      R"doc(Queues a command for the next ``poll()`` (the producer-thread path).

A command is a dict whose "type" is the name of an Engine method and whose
other keys are that method's arguments, e.g.
``{"type": "accept_offer", "agent": 7, "contact": 42}``. A command the engine
refuses later comes back as a "command_failed" event. Raises CcengineError
(RESOURCE_EXHAUSTED) when the intake is full.

``producer`` and ``sequence`` (both > 0) number the command for exactly-once
delivery: a sequence at or below the producer's highest applied is refused
(ALREADY_EXISTS) and changes nothing, so a producer may resend after a crash.

``actor`` sends the command as that actor (AccessControl.add_actor) instead
of Engine.actor.
)doc");
  cls.def(
      "apply",
      [](PyEngine& e, py::object command, uint64_t producer, uint64_t sequence,
         uint32_t actor) {
        ApplyCommand(e, ToCommand(e, command), {producer, sequence, actor});
      },
      "command"_a, py::kw_only(), "producer"_a = 0, "sequence"_a = 0, "actor"_a = 0,
      "Applies a command dict (see submit, also for producer, sequence and actor) now, "
      "synchronously.");
  cls.def(
      "producer_sequence",
      [](const PyEngine& e, uint64_t producer) {
        return e.engine().ProducerSequence(producer);
      },
      "producer"_a, "The highest sequence applied from `producer` (0: none).");
  cls.def(
      "poll",
      [](PyEngine& e, double now_s) {
        e.set_commanded();
        return Unwrap(e.engine().Poll(ToTime(now_s, "now_s")));
      },
      "now_s"_a,
      "Fires the timers due by `now_s`, then applies the submitted "
      "commands; returns how many were applied.");
  cls.def(
      "advance_to",
      [](PyEngine& e, double now_s) {
        e.set_commanded();  // the journal's records must not be older than the clock
        Check(e.engine().AdvanceTo(ToTime(now_s, "now_s")));
      },
      "now_s"_a,
      "Moves time to `now_s` (not backwards), firing every timer due "
      "(offer timeouts, wrap-up ends, relaxation steps, max waits).");
  cls.def_property_readonly(
      "now", [](PyEngine& e) { return SecondsSinceEpoch(e.engine().Now()); },
      "The engine's current time, seconds.");
  cls.def(
      "next_timer_at",
      [](PyEngine& e) -> std::optional<double> {
        std::optional<absl::Time> t = e.engine().NextTimerAt();
        if (!t.has_value()) return std::nullopt;
        return SecondsSinceEpoch(*t);
      },
      "When the earliest pending timer is due (seconds), or None.");

  // --- events -----------------------------------------------------------------
  cls.def(
      "drain_events",
      [](PyEngine& e, std::optional<size_t> max) {
        std::vector<Event> events = e.TakeEvents(max.value_or(SIZE_MAX));
        py::list out;
        for (const Event& ev : events) out.append(EventToDict(e, ev));
        return out;
      },
      "max"_a = py::none(),
      R"doc(Returns and forgets the buffered events, oldest first (at most `max`).

Each event is a dict with the same keys: ``type`` ("contact_queued",
"offered", "accepted", "rejected", "offer_timed_out", "offer_rescinded",
"completed", "abandoned", "overflowed", "transferred", "withdrawn",
"priority_changed", "relaxed", "decision_explained", "agent_state_changed",
"command_failed"), ``time_s``, ``contact``, ``agent``, ``queue``,
``to_queue``, ``channel``, ``priority``, ``step``, ``agent_state``,
``agent_reason``, ``reason``, ``wait_s``, ``handle_s``, ``explanation``,
``error``, ``error_code``; a key that does not apply to the type is None.
``explanation`` (decision_explained only) is {"direction": "contact_arrived"
| "agent_freed", "contact", "agent", "queue", "strategy", "step", "rule",
"candidates": [{"agent", "contact", "score", "verdict", "terms": {name:
value}}]}.
Also "callback_requested" (wait_s: waited so far) and "preference_ended"
(reason "preferred_wait" or "no_preferred_agent"); "overflowed" (or, in its
own queue, "priority_changed") with reason "target_timeout" is a move to the
contact's next fallback target.
)doc");
  cls.def_property_readonly("pending_events", &PyEngine::pending_events,
                            "How many events are buffered.");
  cls.def_property("record_events", &PyEngine::record_events,
                   &PyEngine::set_record_events,
                   "Whether events are buffered for drain_events().");
  cls.def_property("explain", &PyEngine::explain, &PyEngine::set_explain,
                   "Whether each decision also leaves a 'decision_explained' "
                   "event (just before its 'offered') whose 'explanation' holds "
                   "the candidates, their score terms and verdicts, and the rule "
                   "that fired.");

  // --- queries ----------------------------------------------------------------
  RegisterEngineState(cls);
  RegisterEngineJournal(cls);
  RegisterEngineMetrics(cls);
  cls.def("__repr__", [](PyEngine& e) {
    return fmt::format("<ccengine.Engine now={}s skills={} queues={} agents={}>",
                       SecondsSinceEpoch(e.engine().Now()), e.engine().skill_count(),
                       e.engine().queue_count(), e.engine().agent_count());
  });
}

}  // namespace ccengine::python
