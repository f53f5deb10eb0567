// -----------------------------------------------------------------------------
// File: ccengine/tickets/ticket.h
// -----------------------------------------------------------------------------
//
// A ticket (工单): a work order that the desk (`TicketDesk`) takes in, routes
// through the engine to a department's agents, and follows to its close, with
// deadlines. This header holds the values that the desk and every store
// (`TicketStore`) share: the states, the ticket as stored, one history entry
// per transition, and the category a ticket is filed under.
//
// The states (docs/tickets.md has the diagram; the 12345 names in brackets):
//
//   new ─dispatch─▶ queued ─sign for─▶ assigned ─start─▶ in_progress ─resolve─▶ resolved ─close─▶ closed
//   (受理)          (派单)             (签收)            (办理)   ▲ │             (答复)  │  (回访, 办结)
//                    ▲ ▲                                  resume │ pend                  │
//                    │ └────────────── pending (clock paused) ◀──┘ (resume re-queues,   │
//                    │                                              preferring the      │
//                    │                                              assignee)            │
//                    ├─────── reopen (重办) ◀─────────────────────────────────────────────┘ (also from closed)
//                    └─ dispatch ─ returned (退单: back to the dispatcher, with a reason)
//                                     ▲ return: from queued, assigned, in_progress
//
//   merged     linked to a master ticket (a duplicate, or merged by hand); terminal
//   cancelled  withdrawn by the desk; terminal
//   closed     terminal (reopen is the one way back)
//
// Thread safety: plain values; thread-compatible.

#ifndef CCENGINE_TICKETS_TICKET_H_
#define CCENGINE_TICKETS_TICKET_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/calendar.h"
#include "ccengine/core/types.h"

namespace ccengine::tickets {

// Assigned by the store on create: 1, 2, 3, … (never 0, never reused).
using TicketId = int64_t;

// Longest ticket text accepted (bytes of UTF-8); longer is InvalidArgument.
inline constexpr size_t kMaxTicketTextBytes = 64 * 1024;
// Longest address, customer id, actor, reason, category or department name.
inline constexpr size_t kMaxTicketFieldBytes = 1024;

enum class TicketState : uint8_t {
  kNew = 0,     // 受理: taken in, not yet dispatched
  kQueued,      // 派单: waiting in its department's queue for an agent
  kAssigned,    // 签收: an agent signed for it (accepted the engine's offer)
  kInProgress,  // 办理: being worked
  kPending,     // waiting for the citizen or another department; clocks paused
  kResolved,    // 答复: answered; waits for the follow-up (回访)
  kClosed,      // 办结 (terminal; reopen is the way back)
  kReturned,    // 退单: back with the dispatcher, with a reason
  kMerged,      // linked to a master ticket (terminal)
  kCancelled,   // (terminal)
};
inline constexpr int kTicketStateCount = 10;

// "new", "queued", "assigned", "in_progress", "pending", "resolved", "closed",
// "returned", "merged", "cancelled".
std::string_view TicketStateName(TicketState state);
std::optional<TicketState> ParseTicketState(std::string_view name);

// Open: not closed, merged or cancelled. Only open tickets are deduplicated
// against and watched by the SLA clocks.
bool IsOpen(TicketState state);

// One of the two SLA clocks of a ticket.
//   first response  from creation to being signed for;
//   resolution      from creation to resolved (a reopen starts it again).
// Both run on the category's business hours and stop while the ticket is
// pending. `due` and `warn_at` are absolute times; while a clock is paused
// they are unset and `remaining` holds the business time that was left.
struct SlaClock {
  std::optional<absl::Time> due;      // unset: no target, paused, or stopped
  std::optional<absl::Time> warn_at;  // unset: no warning (or as `due`)
  absl::Duration remaining = absl::ZeroDuration();  // while paused
  bool paused = false;
  bool warned = false;    // the warning fired (超时预警)
  bool breached = false;  // the deadline passed before it stopped (超时)
  bool stopped = false;   // met: signed for / resolved
  std::optional<absl::Time> stopped_at;

  friend bool operator==(const SlaClock&, const SlaClock&) = default;
};

// A ticket as a store keeps it.
struct Ticket {
  TicketId id = 0;
  // Bumped by the store on every successful update; an update names the
  // version it read (optimistic concurrency).
  int64_t version = 0;
  std::string category;
  std::string department;
  TicketState state = TicketState::kNew;
  int priority = 0;  // the engine's priority class, 0..9
  std::string text;
  std::string customer_id;                                  // may be empty (anonymous)
  std::string address;                                      // may be empty
  std::vector<std::pair<std::string, std::string>> fields;  // free fields
  absl::Time created_at;
  absl::Time updated_at;
  // The age the engine sees: when the citizen's problem entered the desk.
  // Kept through returns, transfers and reopens.
  absl::Time queued_since;
  std::string assignee;  // the agent who signed for it ("" when none)
  // Duplicates and merges: the master this ticket is linked to (0: none).
  TicketId duplicate_of = 0;
  // Joint handling (联合处置): the master ticket of a child (0: none), and
  // whether this ticket is a master waiting on children.
  TicketId parent = 0;
  bool is_master = false;
  int escalation_level = 0;  // 督办: raised on each breach or by a supervisor
  int reopen_count = 0;
  SlaClock first_response;
  SlaClock resolution;
  // A deadline extension (延期) asked for and not yet decided.
  std::optional<absl::Duration> extension_requested;
  // The earliest warn_at / due of a running clock not yet fired: the desk's
  // SLA sweep asks the store for tickets with `next_check <= now`.
  // InfiniteFuture when nothing is due.
  absl::Time next_check = absl::InfiniteFuture();
  // Its personal data was erased (`TicketStore::Anonymize`: an erasure request
  // or the end of its retention period): text, customer id, address, free
  // fields and history reasons are empty, and it can no longer be written.
  bool anonymized = false;

  friend bool operator==(const Ticket&, const Ticket&) = default;
};

// One recorded transition or action: who, when, what, why.
struct HistoryEntry {
  TicketId ticket = 0;
  int64_t seq = 0;  // 1, 2, … per ticket, assigned by the store
  absl::Time at;
  std::string actor;   // "desk", "sla", an agent or supervisor id
  std::string action;  // "create", "dispatch", "sign_for", "sla_warning", …
  TicketState from = TicketState::kNew;
  TicketState to = TicketState::kNew;
  std::string reason;

  friend bool operator==(const HistoryEntry&, const HistoryEntry&) = default;
};

// What a category (a kind of work order) maps to. `TicketDesk::AddCategory`
// validates it.
struct TicketCategory {
  std::string name;        // e.g. "noise"
  std::string department;  // e.g. "城管"
  // Where its tickets wait in the engine (required when the desk has an
  // engine), the skills an agent needs beyond the queue's, and the priority
  // class a new ticket gets.
  std::optional<QueueId> queue;
  std::vector<SkillRequirement> skills;
  int priority = 0;
  // Business time to first response (sign for) and to resolution; zero: no
  // target. Counted on `hours` when set, around the clock otherwise.
  absl::Duration first_response = absl::ZeroDuration();
  absl::Duration resolution = absl::ZeroDuration();
  std::optional<HoursOfOperation> hours;
  // The warning fires when this share of a clock's business time has passed
  // (0 < warn_share < 1; 1 means no warning); the ticket's priority class is
  // then raised by `warn_priority_boost` (capped at 9).
  double warn_share = 0.8;
  int warn_priority_boost = 1;
  // On breach, move the ticket's engine contact to this queue (unset: stay).
  std::optional<QueueId> escalation_queue;
  // A new ticket is compared with this category's open tickets created within
  // this window (zero: no dedupe).
  absl::Duration dedupe_window = absl::Hours(24 * 7);
};

// The checks every store applies to a ticket it is asked to write:
// InvalidArgument naming the field when the text is over
// `kMaxTicketTextBytes`, a name over `kMaxTicketFieldBytes`, any string not
// valid UTF-8, a state that is not one, the priority outside 0..9, or more
// than 64 free fields.
absl::Status ValidateTicket(const Ticket& ticket);

}  // namespace ccengine::tickets

#endif  // CCENGINE_TICKETS_TICKET_H_
