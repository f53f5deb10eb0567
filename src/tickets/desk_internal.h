// What the ticket desk's source files share: its state, one mutation (read,
// change, write with retries, then the effects), and the SLA clock steps.

#ifndef CCENGINE_SRC_TICKETS_DESK_INTERNAL_H_
#define CCENGINE_SRC_TICKETS_DESK_INTERNAL_H_

#include <deque>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/clock.h"
#include "ccengine/core/commands.h"
#include "ccengine/core/events.h"
#include "ccengine/tickets/dedupe.h"
#include "ccengine/tickets/desk.h"
#include "ccengine/tickets/store.h"
#include "ccengine/tickets/ticket.h"

namespace ccengine::tickets {

// What a mutation does besides the store write, applied once it succeeded.
struct Effects {
  std::vector<Command> commands;  // to the engine, in order
  std::vector<TicketEvent> events;
  // Counter changes for the ticket's department (applied as deltas).
  DepartmentCounters counters;
  // Another ticket to update in the same transaction (a joint-handling
  // master), with its own history entry.
  std::optional<Ticket> also;
  std::optional<HistoryEntry> also_entry;
};

// The change a mutation makes to a fresh copy of the ticket; a non-OK status
// (FailedPrecondition, InvalidArgument) aborts it with nothing written.
using Change =
    std::function<absl::Status(Ticket& ticket, HistoryEntry& entry, Effects& fx)>;

struct TicketDesk::State {
  std::unique_ptr<TicketStore> store;
  TicketDeskOptions options;
  RealClock real_clock;
  const Clock* clock = nullptr;

  // std::mutex, not absl::Mutex: ThreadSanitizer sees libstdc++'s mutexes but
  // not the inside of a prebuilt Abseil. `mu` guards everything from here to
  // `inbox_mu`; the methods named ...Locked need it held.
  mutable std::mutex mu;
  std::map<std::string, TicketCategory> categories;
  DuplicateIndex index;
  std::map<std::string, DepartmentCounters> counters;
  std::vector<TicketEventCallback> subscribers;
  // Engine commands a full intake refused, oldest first.
  std::deque<Command> unsent;
  // Tickets found queued when the desk opened, not yet sent to the engine
  // (sent by the first Tick that knows their category).
  std::vector<TicketId> redispatch;
  // Contacts the desk withdrew itself, by contact id, and how many times: the
  // engine's kWithdrawn for them is the desk's own doing, not a supervisor's.
  std::map<uint64_t, int> own_withdrawals;

  // Engine events queued by the router thread's callback.
  std::mutex inbox_mu;  // guards `inbox`
  std::vector<Event> inbox;

  absl::Time Now() const { return clock->Now(); }
  ContactId ContactOf(TicketId id) const {
    return ContactId{options.contact_id_base + static_cast<uint64_t>(id)};
  }

  absl::StatusOr<const TicketCategory*> CategoryLocked(const std::string& name) const;

  // Reads ticket `id`, applies `change` to a copy, writes it with `entry`
  // (action, actor, reason filled by the change or the caller) and then the
  // effects; retries a lost version check or an unavailable store.
  absl::StatusOr<Ticket> MutateLocked(TicketId id, const std::string& actor,
                                      const std::string& action, const Change& change,
                                      std::vector<TicketEvent>& out);

  // Retries `op` on Aborted / Unavailable as the options say.
  absl::Status WithRetries(const std::function<absl::Status()>& op) const;

  // The effects of a written mutation: engine commands, the duplicate index,
  // counters, events (appended to `out`, emitted after the lock). `entry`:
  // the mutation's history entry (a creation's too), whose actor and reason
  // a state change event carries.
  void ApplyLocked(const Ticket& before, const Ticket& after, Effects& fx,
                   std::vector<TicketEvent>& out, const HistoryEntry& entry);
  void SendLocked(Command command);
  void FlushUnsentLocked();

  // Engine commands for a ticket: dispatch (AddContact), and release of the
  // contact when the ticket leaves queued / an agent.
  Command DispatchCommand(const Ticket& t, const TicketCategory& c,
                          std::optional<AgentId> prefer) const;
  void ReleaseContact(const Ticket& t, Effects& fx) const;

  // queued -> assigned; by hand (`from_engine` false) the engine's contact is
  // withdrawn, on an accepted offer the agent keeps it.
  absl::StatusOr<Ticket> SignForLocked(TicketId id, const std::string& agent,
                                       bool from_engine, std::vector<TicketEvent>& out);

  // queued | assigned | in_progress -> returned; an engine event's return
  // (`from_engine`) sends no release, the contact already left the engine.
  absl::StatusOr<Ticket> ReturnLocked(TicketId id, const std::string& actor,
                                      const std::string& reason, bool from_engine,
                                      std::vector<TicketEvent>& out);

  // Joint handling: when `child` (as it is about to be written) leaves the
  // last open child of an in-progress master behind and at least one child
  // was resolved, puts the master's resolution into `fx.also`.
  absl::Status ResolveMasterIfDone(const Ticket& child, Effects& fx) const;

  // Fires the warnings and breaches of ticket `id` due by `now`.
  absl::Status SweepLocked(TicketId id, absl::Time now, std::vector<TicketEvent>& out);

  // SLA clocks.
  void StartClocks(Ticket& t, const TicketCategory& c, absl::Time from,
                   bool first_response) const;
  void PauseClocks(Ticket& t, absl::Time now) const;
  void ResumeClocks(Ticket& t, const TicketCategory& c, absl::Time now) const;
  static void StopClock(SlaClock& clock, absl::Time now);
  // Stops both clocks of a ticket that ends without an answer (cancelled,
  // merged): no deadline stays live, none counts as breached by the stop.
  static void EndClocks(Ticket& t, absl::Time now);
  static void UpdateNextCheck(Ticket& t);

  // Emits `events` to the subscribers (call without the lock).
  void Emit(const std::vector<TicketEvent>& events);
};

// "ticket 12 is closed; resolve needs assigned or in_progress".
absl::Status NotAllowed(const Ticket& t, const std::string& action,
                        std::initializer_list<TicketState> allowed);
bool StateIn(TicketState s, std::initializer_list<TicketState> states);
// An agent id written as the assignee by an engine accept ("1007").
std::optional<AgentId> AssigneeAgent(const std::string& assignee);
TicketEvent MakeEvent(TicketEventType type, const Ticket& t, absl::Time at,
                      const std::string& actor, std::string detail = {});

}  // namespace ccengine::tickets

#endif  // CCENGINE_SRC_TICKETS_DESK_INTERNAL_H_
