// -----------------------------------------------------------------------------
// File: bindings/python/register_tickets.cc
// -----------------------------------------------------------------------------
//
// ccengine.TicketDesk: the ticket desk (工单) from Python. The store is chosen by
// the first argument: ":memory:" (in process), a `postgresql://` DSN (the
// PostgreSQL store, when the module was built with it), anything else a file
// path (the SQLite store). With an engine the desk reads the engine's clock and
// dispatches through it; without one it keeps its own clock, moved by
// `advance_to`. Tickets come back as dicts; times are float seconds since the
// epoch, durations float seconds.

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "ccengine/config/routing_file.h"
#include "ccengine/tickets/desk.h"
#include "common.h"
#include "engine_binding.h"
#include "fmt/format.h"
#include "masking.h"
#include "ticket_binding.h"

namespace ccengine::python {
namespace {

using namespace pybind11::literals;
using tickets::Ticket;
using tickets::TicketDesk;
using tickets::TicketId;
using tickets::TicketState;

}  // namespace

void RegisterTickets(py::module_& m) {
  py::class_<PyTicketDesk> cls(m, "TicketDesk",
                               R"doc(The ticket desk (工单): takes tickets in,
links duplicates to the open ticket they repeat, dispatches them through an
engine to their department's agents, and runs first-response and resolution
clocks on business hours (warning at a share of the deadline, escalation on
breach).

TicketDesk(path_or_dsn, engine=None, start_s=None, sync="full"): ":memory:", a
file path (SQLite, WAL; `sync` "full" survives power loss, "normal" a crash of
the process, "off" nothing but a clean exit) or a "postgresql://" DSN. With an engine, queued tickets are
contacts on the "ticket" channel (a category names its queue) and the desk
uses the engine's clock; call tick() after advancing the engine. Without one
the desk has its own clock starting at start_s (default: now), moved with
advance_to().

Every transition takes the actor and (where the 12345 flow needs one) a
reason, is recorded in the ticket's history, and raises CcengineError with
code FAILED_PRECONDITION, changing nothing, when the state does not allow it.)doc");
  cls.def(py::init<const std::string&, py::object, std::optional<double>,
                   const std::string&, uint32_t>(),
          "path_or_dsn"_a, "engine"_a = py::none(), "start_s"_a = py::none(),
          "sync"_a = "full", py::kw_only(), "actor"_a = 0,
          R"doc(A ticket desk on an SQLite file (":memory:" for none) or a PostgreSQL
DSN. With an engine, queued tickets are routed as its contacts: the desk's
commands are sent as actor number ``actor`` (AccessControl.add_actor), 0:
the engine's Engine.actor when the desk is made.)doc");
  cls.def(
      "add_category",
      [](PyTicketDesk& d, const std::string& name, const std::string& department,
         py::object queue, py::object skills, int priority, double first_response_s,
         double resolution_s, py::object hours, double warn_share,
         int warn_priority_boost, py::object escalation_queue, double dedupe_window_s) {
        tickets::TicketCategory c;
        c.name = name;
        c.department = department;
        if (!queue.is_none() || !skills.is_none() || !escalation_queue.is_none()) {
          if (d.engine() == nullptr) {
            RaiseInvalid("queue, skills and escalation_queue need a desk with an engine");
          }
          if (!queue.is_none()) c.queue = ToQueue(*d.engine(), queue, "queue");
          if (!skills.is_none()) c.skills = ToSkills(*d.engine(), skills, "skills");
          if (!escalation_queue.is_none()) {
            c.escalation_queue =
                ToQueue(*d.engine(), escalation_queue, "escalation_queue");
          }
        }
        c.priority = priority;
        c.first_response = ToDuration(py::float_(first_response_s), "first_response_s");
        c.resolution = ToDuration(py::float_(resolution_s), "resolution_s");
        if (!hours.is_none()) c.hours = ToHours(hours, "hours");
        c.warn_share = warn_share;
        c.warn_priority_boost = warn_priority_boost;
        c.dedupe_window = ToDuration(py::float_(dedupe_window_s), "dedupe_window_s");
        Check(d.desk().AddCategory(std::move(c)));
      },
      "name"_a, "department"_a, "queue"_a = py::none(), "skills"_a = py::none(),
      "priority"_a = 0, "first_response_s"_a = 0.0, "resolution_s"_a = 0.0,
      "hours"_a = py::none(), "warn_share"_a = 0.8, "warn_priority_boost"_a = 1,
      "escalation_queue"_a = py::none(), "dedupe_window_s"_a = 7 * 86400.0,
      "Adds or replaces a category: its department, queue, skills, priority, SLA targets "
      "(seconds of business time on `hours`, an engine hours dict; 0: none) and dedupe "
      "window.");
  cls.def(
      "add_categories",
      [](PyTicketDesk& d, const std::shared_ptr<config::RoutingConfig>& routing) {
        if (routing == nullptr) RaiseInvalid("routing: expected a RoutingFile");
        if (d.engine() == nullptr) {
          RaiseInvalid("add_categories needs a desk with an engine made from the file");
        }
        // The file's ids are the engine's only if the engine was made from
        // it (Engine.from_config).
        const Engine& engine = d.engine()->engine();
        for (size_t i = 0; i < routing->queues().size(); ++i) {
          const auto q = engine.GetQueueConfig(QueueId(static_cast<uint32_t>(i)));
          if (!q.ok() || q->name != routing->queues()[i].name) {
            RaiseInvalid(fmt::format(
                "routing: queue {} of {} is '{}', the desk's engine has '{}' there: make "
                "the engine with Engine.from_config from the same file",
                i, routing->source_name(), routing->queues()[i].name,
                q.ok() ? q->name : std::string()));
          }
        }
        for (size_t i = 0; i < routing->skills().size(); ++i) {
          if (engine.SkillName(SkillId(static_cast<uint32_t>(i))) !=
              routing->skills()[i]) {
            RaiseInvalid(
                fmt::format("routing: skill {} of {} is '{}', not the desk's engine's: "
                            "make the engine "
                            "with Engine.from_config from the same file",
                            i, routing->source_name(), routing->skills()[i]));
          }
        }
        // The loader checked each as AddCategory does.
        for (const tickets::TicketCategory& c : routing->ticket_categories()) {
          Check(d.desk().AddCategory(c));
        }
        py::list names;
        for (const tickets::TicketCategory& c : routing->ticket_categories()) {
          names.append(c.name);
        }
        return names;
      },
      "routing"_a,
      "Adds (or replaces) every ticket category of a routing file, for a desk whose "
      "engine was made from that file (Engine.from_config). Returns their names.");
  cls.def(
      "create",
      [](PyTicketDesk& d, const std::string& category, const std::string& text,
         py::object customer_id, py::object address, py::object fields,
         const std::string& actor, py::object received_at, bool dedupe) {
        tickets::CreateRequest r = ToRequest(category, text, customer_id, address, fields,
                                             actor, received_at, dedupe);
        tickets::CreateResult made = Unwrap(d.desk().Create(r));
        py::dict out = TicketToDict(made.ticket, d.mask());
        out["similarity"] = made.similarity;
        return out;
      },
      "category"_a, "text"_a, "customer_id"_a = py::none(), "address"_a = py::none(),
      "fields"_a = py::none(), "actor"_a = "desk", "received_at"_a = py::none(),
      "dedupe"_a = true,
      "Takes a ticket in. Returns its dict; `duplicate_of` is the open ticket it was "
      "linked "
      "to (state 'merged', not dispatched) or None.");
  cls.def(
      "add_child",
      [](PyTicketDesk& d, TicketId master, const std::string& category,
         const std::string& text, py::object customer_id, py::object address,
         py::object fields, const std::string& actor) {
        tickets::CreateRequest r = ToRequest(category, text, customer_id, address, fields,
                                             actor, py::none(), false);
        return TicketToDict(Unwrap(d.desk().AddChild(master, r)), d.mask());
      },
      "master"_a, "category"_a, "text"_a, "customer_id"_a = py::none(),
      "address"_a = py::none(), "fields"_a = py::none(), "actor"_a = "desk",
      "Files another department's part of a joint job (联合处置) under an open master; "
      "the "
      "master is resolved when its last child is.");

  cls.def(
      "dispatch",
      [](PyTicketDesk& d, TicketId id, const std::string& actor,
         std::optional<std::string> c) {
        return TicketToDict(Unwrap(d.desk().Dispatch(id, actor, std::move(c))), d.mask());
      },
      "id"_a, "actor"_a, "category"_a = py::none(),
      "dispatch(id, actor, category=None): new|returned -> queued (派单), optionally to "
      "another category.");
  cls.def(
      "sign_for",
      [](PyTicketDesk& d, TicketId id, const std::string& agent) {
        return TicketToDict(Unwrap(d.desk().SignFor(id, agent)), d.mask());
      },
      "id"_a, "agent"_a, "sign_for(id, agent): queued -> assigned (签收).");
  cls.def(
      "start",
      [](PyTicketDesk& d, TicketId id, const std::string& actor) {
        return TicketToDict(Unwrap(d.desk().Start(id, actor)), d.mask());
      },
      "id"_a, "actor"_a, "start(id, actor): assigned -> in_progress (办理).");
  cls.def(
      "pend",
      [](PyTicketDesk& d, TicketId id, const std::string& actor,
         const std::string& reason) {
        return TicketToDict(Unwrap(d.desk().Pend(id, actor, reason)), d.mask());
      },
      "id"_a, "actor"_a, "reason"_a,
      "pend(id, actor, reason): -> pending; the clocks pause.");
  cls.def(
      "resume",
      [](PyTicketDesk& d, TicketId id, const std::string& actor) {
        return TicketToDict(Unwrap(d.desk().Resume(id, actor)), d.mask());
      },
      "id"_a, "actor"_a,
      "resume(id, actor): pending -> queued, preferring the assignee.");
  cls.def(
      "resolve",
      [](PyTicketDesk& d, TicketId id, const std::string& actor,
         const std::string& answer) {
        return TicketToDict(Unwrap(d.desk().Resolve(id, actor, answer)), d.mask());
      },
      "id"_a, "actor"_a, "answer"_a,
      "resolve(id, actor, answer): assigned|in_progress -> resolved (答复).");
  cls.def(
      "close",
      [](PyTicketDesk& d, TicketId id, const std::string& actor,
         const std::string& reason) {
        return TicketToDict(Unwrap(d.desk().Close(id, actor, reason)), d.mask());
      },
      "id"_a, "actor"_a, "reason"_a = "",
      "close(id, actor, reason): resolved -> closed (回访, 办结).");
  cls.def(
      "return_to_dispatcher",
      [](PyTicketDesk& d, TicketId id, const std::string& actor,
         const std::string& reason) {
        return TicketToDict(Unwrap(d.desk().Return(id, actor, reason)), d.mask());
      },
      "id"_a, "actor"_a, "reason"_a,
      "return_to_dispatcher(id, actor, reason): -> returned (退单).");
  cls.def(
      "reopen",
      [](PyTicketDesk& d, TicketId id, const std::string& actor,
         const std::string& reason) {
        return TicketToDict(Unwrap(d.desk().Reopen(id, actor, reason)), d.mask());
      },
      "id"_a, "actor"_a, "reason"_a,
      "reopen(id, actor, reason): resolved|closed -> queued (重办).");
  cls.def(
      "merge",
      [](PyTicketDesk& d, TicketId id, TicketId master, const std::string& actor,
         const std::string& reason) {
        return TicketToDict(Unwrap(d.desk().Merge(id, master, actor, reason)), d.mask());
      },
      "id"_a, "master"_a, "actor"_a, "reason"_a = "",
      "merge(id, master, actor, reason): -> merged into an open master.");
  cls.def(
      "cancel",
      [](PyTicketDesk& d, TicketId id, const std::string& actor,
         const std::string& reason) {
        return TicketToDict(Unwrap(d.desk().Cancel(id, actor, reason)), d.mask());
      },
      "id"_a, "actor"_a, "reason"_a, "cancel(id, actor, reason): -> cancelled.");
  cls.def(
      "request_extension",
      [](PyTicketDesk& d, TicketId id, const std::string& actor, double extra_s,
         const std::string& reason) {
        return TicketToDict(
            Unwrap(d.desk().RequestExtension(
                id, actor, ToDuration(py::float_(extra_s), "extra_s"), reason)),
            d.mask());
      },
      "id"_a, "actor"_a, "extra_s"_a, "reason"_a,
      "request_extension(id, actor, extra_s, reason): asks for more resolution time "
      "(延期).");
  cls.def(
      "decide_extension",
      [](PyTicketDesk& d, TicketId id, const std::string& supervisor, bool approve,
         const std::string& reason) {
        return TicketToDict(
            Unwrap(d.desk().DecideExtension(id, supervisor, approve, reason)), d.mask());
      },
      "id"_a, "supervisor"_a, "approve"_a, "reason"_a = "",
      "decide_extension(id, supervisor, approve, reason): approves or rejects it.");
  cls.def(
      "escalate",
      [](PyTicketDesk& d, TicketId id, const std::string& supervisor,
         const std::string& reason) {
        return TicketToDict(Unwrap(d.desk().Escalate(id, supervisor, reason)), d.mask());
      },
      "id"_a, "supervisor"_a, "reason"_a,
      "escalate(id, supervisor, reason): 督办 by hand.");

  cls.def(
      "tick", [](PyTicketDesk& d) { Check(d.desk().Tick()); },
      "Applies the engine's events (sign-for on accept), resends refused commands, fires "
      "due SLA warnings and breaches.");
  cls.def("advance_to", &PyTicketDesk::AdvanceTo, "t"_a,
          "Moves a desk without an engine to time t (seconds).");
  cls.def_property_readonly("now", &PyTicketDesk::Now);
  cls.def(
      "get",
      [](PyTicketDesk& d, TicketId id, bool unmasked, const std::string& actor) {
        Ticket t = Unwrap(d.desk().Get(id));
        if (!unmasked) return TicketToDict(t, d.mask());
        const PyEngine* e = d.engine();
        const uint32_t number = ActorNumber(e, actor);
        // A ticket is its category's queue's data (the queue's department
        // and tenant); a category without a queue, the default tenant's.
        compliance::AccessSubject subject;
        subject.description = fmt::format("ticket {}", t.id);
        if (e != nullptr && e->access() != nullptr) {
          for (const tickets::TicketCategory& c : d.desk().Categories()) {
            if (c.name == t.category && c.queue.has_value()) {
              subject = e->access()->policy().SubjectOfQueue(
                  *c.queue, std::move(subject.description));
            }
          }
        }
        CheckPersonalData(e, number, compliance::Permission::kPiiUnmask, subject);
        return TicketToDict(t, nullptr);
      },
      "id"_a, py::kw_only(), "unmasked"_a = false, "actor"_a = "",
      R"doc(The ticket as a dict. Its text, customer id, address and fields are
masked (personal data found in them; the address whole; the engine's
access policy's personal fields whole). unmasked=True hands them over as
they are to an actor (the AccessControl id ``actor``, else Engine.actor)
holding pii.unmask over the queue of the ticket's category (its department
and tenant in the access policy; a category without a queue: the default
tenant) — judged and recorded by the access control attached to the desk's
engine; CcengineError (PERMISSION_DENIED; UNAUTHENTICATED for an unknown
actor) otherwise.)doc");
#ifdef CCENGINE_PY_HAVE_AUDIT
  cls.def("audit_to", &PyTicketDesk::AuditTo, "log"_a,
          R"doc(Writes every ticket event but SLA warnings to ``log`` (a
ccengine.AuditLog) from now on: the call's actor with their roles in force from
the engine's access control (or "none"), ticket.created, ticket.state_changed
and the like, "ticket 42 (noise, 城管)", the states before and after and the
reason, masked by the log. The desk's change is made before its entry is
written, so an entry that cannot be written (a closed log, a full disk) does
not undo it: see audit_failures. CcengineError FAILED_PRECONDITION when the desk
writes to a log already; TypeError for anything but an AuditLog; ValueError for
a closed one.)doc");
  cls.def_property_readonly("audit_failures", &PyTicketDesk::AuditFailures,
                            "Entries audit_to's log could not take, so far.");
  cls.def_property_readonly("audit_error", &PyTicketDesk::AuditError,
                            "The first of those failures' message, or None.");
#endif
  cls.def(
      "erase_customer",
      [](PyTicketDesk& d, const std::string& customer_id, const std::string& actor,
         const std::string& reference) {
        // Judged before anything is read, over every tenant whose tickets
        // the desk holds (its categories' queues'; a category without a
        // queue, the default tenant). The decisions name the request, not
        // the customer: the audit trail never holds what was erased.
        const PyEngine* e = d.engine();
        const uint32_t number = ActorNumber(e, actor);
        std::set<std::string> tenants;
        for (const tickets::TicketCategory& c : d.desk().Categories()) {
          tenants.insert(e != nullptr && e->access() != nullptr && c.queue.has_value()
                             ? e->access()->policy().SubjectOfQueue(*c.queue, "").tenant
                             : std::string());
        }
        if (tenants.empty()) tenants.insert("");
        for (const std::string& tenant : tenants) {
          compliance::AccessSubject subject;
          subject.tenant = tenant;
          subject.description = fmt::format("erasure request {}", reference);
          CheckPersonalData(e, number, compliance::Permission::kPiiErase, subject);
        }
        absl::StatusOr<std::vector<TicketId>> erased;
        {
          py::gil_scoped_release release;
          erased = d.desk().EraseCustomer(customer_id, actor, reference);
        }
        return Unwrap(std::move(erased));
      },
      "customer_id"_a, "actor"_a, "reference"_a,
      R"doc(Carries out a customer's erasure request (个保法 art. 47) on the
ticket store: every ticket of ``customer_id`` loses its text, customer id,
address, fields and history reasons (anonymized; category, department,
states, times and SLA clocks stay for the statistics), and gets a history
entry "erase" by ``actor`` whose reason is ``reference`` — the request's
number, never the erased data. Returns the ticket ids anonymized. Needs
pii.erase held by ``actor`` (an AccessControl actor name; "" for
Engine.actor) over every tenant whose tickets the desk holds, judged and
recorded by the access control attached to the desk's engine
(PERMISSION_DENIED without one). FAILED_PRECONDITION, with
nothing changed, while the customer has an open ticket: close or cancel it
first.)doc");
  cls.def(
      "expire_finished",
      [](PyTicketDesk& d, double keep_s, const std::string& actor) {
        const absl::Duration keep = ToDuration(py::float_(keep_s), "keep_s");
        // A page at a time, so that Ctrl-C stops a long sweep between pages
        // (the pages done stay done).
        constexpr size_t kPage = 1000;
        size_t total = 0;
        for (;;) {
          absl::StatusOr<size_t> expired;
          {
            py::gil_scoped_release release;
            expired = d.desk().ExpireFinished(keep, actor, kPage);
          }
          const size_t done = Unwrap(std::move(expired));
          total += done;
          if (done < kPage) return total;
          if (PyErr_CheckSignals() != 0) throw py::error_already_set();
        }
      },
      "keep_s"_a, "actor"_a = "retention",
      R"doc(Retention: anonymizes (as erase_customer does) the closed, merged and
cancelled tickets last updated more than ``keep_s`` seconds before the desk's
now. Returns how many.)doc");
  cls.def(
      "history",
      [](PyTicketDesk& d, TicketId id) {
        py::list out;
        for (const tickets::HistoryEntry& e : Unwrap(d.desk().History(id))) {
          out.append(py::dict("seq"_a = e.seq, "time"_a = SecondsSinceEpoch(e.at),
                              "actor"_a = e.actor, "action"_a = e.action,
                              "from"_a = std::string(TicketStateName(e.from)),
                              "to"_a = std::string(TicketStateName(e.to)),
                              "reason"_a = compliance::MaskPii(e.reason)));
        }
        return out;
      },
      "id"_a);
  cls.def(
      "query",
      [](PyTicketDesk& d, py::object states, py::object department, py::object category,
         py::object customer_id, py::object due_by, py::object created_since,
         bool open_only, TicketId after_id, size_t limit) {
        tickets::TicketQuery q;
        if (!states.is_none()) {
          py::list list = ToList(states, "states");
          for (size_t i = 0; i < list.size(); ++i) {
            const std::string name = ToString(list[i], Index("states", i));
            std::optional<TicketState> s = tickets::ParseTicketState(name);
            if (!s)
              RaiseInvalid(
                  fmt::format("{}: unknown state '{}'", Index("states", i), name));
            q.states.push_back(*s);
          }
        }
        if (!department.is_none()) q.department = ToString(department, "department");
        if (!category.is_none()) q.category = ToString(category, "category");
        if (!customer_id.is_none()) q.customer_id = ToString(customer_id, "customer_id");
        if (!due_by.is_none()) q.due_by = ToTime(ToDouble(due_by, "due_by"), "due_by");
        if (!created_since.is_none()) {
          q.created_since =
              ToTime(ToDouble(created_since, "created_since"), "created_since");
        }
        q.open_only = open_only;
        q.after_id = after_id;
        q.limit = limit;
        py::list out;
        for (const Ticket& t : Unwrap(d.desk().Query(q)))
          out.append(TicketToDict(t, d.mask()));
        return out;
      },
      "states"_a = py::none(), "department"_a = py::none(), "category"_a = py::none(),
      "customer_id"_a = py::none(), "due_by"_a = py::none(),
      "created_since"_a = py::none(), "open_only"_a = false, "after_id"_a = 0,
      "limit"_a = 1000,
      "Tickets matching every condition given, by id, at most `limit` after `after_id`.");
  cls.def(
      "counters",
      [](PyTicketDesk& d) {
        py::dict out;
        for (const auto& [dept, c] : d.desk().Counters()) {
          out[py::str(dept)] = py::dict(
              "created"_a = c.created, "duplicates"_a = c.duplicates,
              "resolved"_a = c.resolved, "resolved_within_sla"_a = c.resolved_within_sla,
              "first_response_breaches"_a = c.first_response_breaches,
              "resolution_breaches"_a = c.resolution_breaches, "warnings"_a = c.warnings,
              "escalations"_a = c.escalations, "returned"_a = c.returned,
              "reopened"_a = c.reopened);
        }
        return out;
      },
      "Counts per department since the desk was opened.");
  cls.def(
      "drain_events", &PyTicketDesk::DrainEvents,
      "The desk's events since the last call (created, duplicate_linked, state_changed, "
      "sla_warning, sla_breached, ...), as dicts.");
  cls.def_property_readonly("open_tickets",
                            [](PyTicketDesk& d) { return d.desk().OpenTickets(); });
  cls.def_property_readonly("index_bytes",
                            [](PyTicketDesk& d) { return d.desk().IndexBytes(); });
}

}  // namespace ccengine::python
