// ccengine.Engine's state read back: agents, contacts, a customer's history
// (and its erasure), queue positions and wait estimates, queue figures, the
// accounting of every contact, the invariants check. Personal data leaves
// masked (masking.h) unless an unmasked read is allowed.

#include <optional>
#include <string>
#include <utility>

#include "ccengine/core/engine.h"
#include "engine_binding.h"
#include "fmt/format.h"
#include "masking.h"

namespace ccengine::python {

using namespace pybind11::literals;

void RegisterEngineState(py::class_<PyEngine>& cls) {
  cls.def(
      "get_agent",
      [](PyEngine& e, py::object a) {
        return AgentToDict(e, Unwrap(e.engine().GetAgent(AgentId(ToId(a, "agent")))));
      },
      "agent"_a,
      "An agent as a dict: id, name, state, reason, skills, "
      "active_per_channel, load, contacts, handled, consecutive_no_answers, "
      "idle_since_s, auto_accept, time_in_state_s ({state: seconds in that "
      "state since the agent was added, the current spell up to now}).");
  cls.def(
      "get_contact",
      [](PyEngine& e, py::object c, bool unmasked, uint32_t actor) {
        const ContactId id(ToId(c, "contact"));
        ContactSnapshot contact = Unwrap(e.engine().GetContact(id));
        if (!unmasked) return ContactToDict(e, contact, &MaskerFor(&e));
        compliance::AccessSubject subject;
        if (e.access() != nullptr) {
          subject = e.access()->policy().SubjectOfQueue(
              contact.queue, fmt::format("contact {} in queue {}", id.value(),
                                         e.QueueName(contact.queue)));
        }
        CheckPersonalData(&e, actor, compliance::Permission::kPiiUnmask, subject);
        return ContactToDict(e, contact, nullptr);
      },
      "contact"_a, py::kw_only(), "unmasked"_a = false, "actor"_a = 0,
      R"doc(A live contact as a dict: id, queue, channel, priority, state,
customer_id, skills, attributes, arrived_at_s, queued_at_s, routing_step,
agent, excluded, preferred_agents (while the preference is in force),
preferred_until_s, callback_requested_at_s, original_channel,
fallbacks_left, next_fallback_at_s. KeyError once it has ended.

The customer id and attributes are masked (personal data found in them;
the access policy's personal fields whole). unmasked=True hands them over
as they are to an actor (``actor``, else Engine.actor) holding pii.unmask
over the contact's queue — judged and recorded by the attached
AccessControl; CcengineError (PERMISSION_DENIED, UNAUTHENTICATED) otherwise,
also when no AccessControl is attached.)doc");
  cls.def(
      "customer_history",
      [](PyEngine& e, const std::string& customer_id) {
        py::list out;
        for (const CustomerContact& c : Unwrap(e.engine().CustomerHistory(customer_id))) {
          out.append(CustomerContactToDict(e, c));
        }
        return out;
      },
      "customer_id"_a,
      "The customer's recent contacts across channels, newest first: "
      "dicts with contact, agent, channel, queue, ended_at_s. Empty for an "
      "unknown customer; ValueError for an empty id.");
  cls.def(
      "erase_customer",
      [](PyEngine& e, const std::string& customer_id, const std::string& actor) {
        if (customer_id.empty()) RaiseInvalid("customer id is empty");
        const uint32_t number = ActorNumber(&e, actor);
        // The contacts the engine forgets, read first: the caller erases
        // what other stores hold about them (knowledge feedback).
        py::list contacts;
        absl::StatusOr<std::vector<CustomerContact>> held =
            e.engine().CustomerHistory(customer_id);
        if (held.ok()) {
          for (const CustomerContact& c : *held) contacts.append(c.contact.value());
        }
        CommandOrigin origin;
        origin.actor = number;
        ApplyCommand(e, cmd::EraseCustomer{customer_id}, origin);
        return contacts;
      },
      "customer_id"_a, py::kw_only(), "actor"_a = "",
      R"doc(A customer's erasure request on the engine's memory: forgets their
contact history (customer_history, last_agent and prefer_last_agent no longer
know them) and returns the contact ids it held, newest first (empty when
none). With an AccessControl attached, ``actor`` (its name; "" for
Engine.actor) needs pii.erase over every queue the history names, judged and
recorded without the customer id; journaled like every command.
FAILED_PRECONDITION, nothing changed, while a live contact carries the
customer id; ValueError for an empty id.)doc");
  cls.def(
      "last_agent",
      [](PyEngine& e, const std::string& customer_id) -> std::optional<uint64_t> {
        std::optional<AgentId> a = e.engine().LastAgent(customer_id);
        if (!a.has_value()) return std::nullopt;
        return a->value();
      },
      "customer_id"_a,
      "The agent who last served the customer (within the history "
      "retention), or None.");
  cls.def_property_readonly(
      "customer_history_entries",
      [](PyEngine& e) { return e.engine().customer_history_entries(); },
      "History entries held now, over all customers.");
  cls.def(
      "queue_position",
      [](PyEngine& e, py::object c) {
        return Unwrap(e.engine().QueuePosition(ContactId(ToId(c, "contact"))));
      },
      "contact"_a, "1-based place of a waiting contact in its queue.");
  cls.def(
      "simple_estimated_wait",
      [](PyEngine& e, py::object c) {
        return Seconds(
            Unwrap(e.engine().SimpleEstimatedWait(ContactId(ToId(c, "contact")))));
      },
      "contact"_a,
      "Estimated wait of a waiting contact, seconds: position x average "
      "handle time / agents logged in (the simple figure; see "
      "estimate_wait).");
  cls.def(
      "estimate_wait",
      [](PyEngine& e, py::object c) {
        return WaitEstimateToDict(
            Unwrap(e.engine().EstimateWait(ContactId(ToId(c, "contact")))));
      },
      "contact"_a,
      R"doc(Estimated wait of a waiting contact with an 80% interval, as a dict.

Keys: expected_s, low_s, high_s (the 10th and 90th percentiles; all inf when
no eligible agent works), low_quantile, high_quantile, position (1 + waiting
contacts of any queue the same agents would serve first), agents (eligible
agents working now: logged in and ready), servers (their slots for the
contact's channel), handle_time_s (mean handle + wrap-up used). The wait is
modelled as Gamma(position, handle_time / servers); recomputed at each call.
KeyError for an unknown contact, CcengineError when it is not waiting.
)doc");
  cls.def(
      "queue_stats",
      [](PyEngine& e, py::object queue) {
        return StatsToDict(e,
                           Unwrap(e.engine().GetQueueStats(ToQueue(e, queue, "queue"))));
      },
      "queue"_a,
      "Real-time figures of a queue: waiting, longest_wait_s, entered, "
      "answered, answered_within_sl, abandoned, short_abandoned, "
      "sl_definition, callbacks_requested, "
      "overflowed, closed (of "
      "overflowed: moved on because the queue was closed), open (by its "
      "hours now), transferred_out, completed, total_answer_wait_s, "
      "total_handle_s, "
      "service_level (by the queue's sl_definition; NaN while its "
      "denominator is 0), asa, aht.");
  cls.def(
      "accounting",
      [](PyEngine& e) { return AccountingToDict(e.engine().GetAccounting()); },
      "Where every contact that entered is now: entered, waiting, offered, "
      "in_service, completed, abandoned, overflowed, withdrawn, balanced.");
  cls.def(
      "check_invariants", [](PyEngine& e) { Check(e.engine().CheckInvariants()); },
      "Full consistency check of the engine; raises CcengineError on a "
      "violation.");
  cls.def_property_readonly(
      "agent_count", [](PyEngine& e) { return e.engine().agent_count(); },
      "Agents known to the engine.");
}

}  // namespace ccengine::python
