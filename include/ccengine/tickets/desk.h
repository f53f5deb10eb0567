// -----------------------------------------------------------------------------
// File: ccengine/tickets/desk.h
// -----------------------------------------------------------------------------
//
// `TicketDesk`: takes tickets (工单) in, finds duplicates, dispatches them
// through the engine to their department's agents, follows every transition
// of the state model in ticket.h, and runs two SLA clocks per ticket on the
// category's business hours — a warning (超时预警) before a deadline passes,
// an escalation (督办) when it does. docs/tickets.md is the guide.
//
// The desk and the store. Every operation is one store transaction (the
// ticket and its history entry together); an operation that fails wrote
// nothing and sent the engine nothing. A write that loses the optimistic
// version check (another desk process changed the ticket) is retried on a
// fresh read, as is an Unavailable store with a growing backoff, up to
// `max_attempts`; then the error is returned.
//
// The desk and the engine (optional). A queued ticket is an engine contact on
// `Channel::kTicket` in its category's queue, with the category's skills and
// priority, `arrived_at` = the ticket's `queued_since` (a ticket keeps its age
// when it is returned and dispatched again, or reopened); its contact id is
// `contact_id_base + ticket id`. The desk talks to the engine only through
// `Engine::Submit` and events: the application subscribes
// `EngineEventCallback()` on the router thread (mask `kEngineEvents`), the
// callback only queues the event, and `ProcessEngineEvents` (or `Tick`) applies
// them on the caller's thread — an accepted offer signs the ticket for that
// agent; a contact that overflows out of the engine or is withdrawn by a
// supervisor returns the ticket to the dispatcher. Store I/O never runs on the
// router thread. An engine command refused by a full intake is kept and sent
// again by the next `Tick`.
//
// Holding an agent: from sign-for until the ticket is resolved, returned,
// pending, merged or cancelled the ticket occupies one of the agent's ticket
// slots (the engine's capacity rules blend it with calls and chats); the
// desk then completes the engine contact. Resuming a pending ticket queues it
// again, preferring its assignee for `resume_preferred_wait`.
//
// Duplicates (避免重复处理): `Create` compares the new ticket with the open
// tickets created within the category's `dedupe_window` (dedupe.h); a match
// is stored in state kMerged with `duplicate_of` set and is not dispatched.
//
// Joint handling (联合处置): `AddChild` files a child ticket for another
// department under a master; the master is in progress while its children
// are worked and is resolved by the desk when the last child is resolved (or
// closed, or cancelled, with at least one resolved).
//
// Errors: InvalidArgument (unknown category, bad text or fields — limits in
// ticket.h), NotFound (no such ticket), FailedPrecondition (a transition the
// state does not allow: "ticket 12 is closed; resolve needs in_progress or
// assigned"), and the store's errors (Unavailable, ResourceExhausted, …).
//
// Thread safety: every method is thread-safe; operations are serialized on
// one mutex (the store's latency bounds the desk's throughput). Subscribers
// run on the thread whose operation produced the event, after the desk's
// lock is released; they may call the desk.
//
// Example:
//   auto desk = ccengine::tickets::TicketDesk::Open(
//       ccengine::tickets::NewMemoryTicketStore(), {.engine = engine.get()}).value();
//   desk->AddCategory({.name = "noise", .department = "城管", .queue = q,
//                      .resolution = absl::Hours(72)});
//   auto made = desk->Create({.category = "noise", .text = "楼下烧烤店噪音扰民",
//                             .address = "建国路88号"}).value();
//   if (made.duplicate_of != 0) { /* tell the caller it is being handled */ }

#ifndef CCENGINE_TICKETS_DESK_H_
#define CCENGINE_TICKETS_DESK_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/clock.h"
#include "ccengine/core/engine.h"
#include "ccengine/core/events.h"
#include "ccengine/tickets/dedupe.h"
#include "ccengine/tickets/store.h"
#include "ccengine/tickets/ticket.h"

namespace ccengine::tickets {

struct TicketDeskOptions {
  // Where queued tickets are routed; null: tickets wait in kQueued until
  // someone calls `SignFor`.
  Engine* engine = nullptr;
  // The actor the desk's commands to the engine are sent as
  // (CommandOrigin::actor): with an access control attached to the engine,
  // one holding the `system` role or the contact permissions over the
  // categories' queues.
  uint32_t actor = 0;
  // Engine contact id of a ticket: base + ticket id. Keep it clear of the
  // ids the application gives calls and chats.
  uint64_t contact_id_base = uint64_t{1} << 62;
  // Time source (deadlines, history); null: the wall clock.
  const Clock* clock = nullptr;
  // Attempts per operation against an Aborted or Unavailable store, and the
  // first backoff (doubled on each Unavailable).
  int max_attempts = 4;
  absl::Duration retry_backoff = absl::Milliseconds(10);
  // How long a resumed ticket waits for its assignee before anyone may take it.
  absl::Duration resume_preferred_wait = absl::Hours(1);
  DedupeOptions dedupe;
};

struct CreateRequest {
  std::string category;
  std::string text;
  std::string customer_id;
  std::string address;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string actor = "desk";
  // When the problem reached the center (its age in the queue); default now.
  std::optional<absl::Time> received_at;
  // Compare with open tickets (default) or file it regardless.
  bool dedupe = true;
};

struct CreateResult {
  Ticket ticket;
  TicketId duplicate_of = 0;  // the open ticket it was linked to, or 0
  double similarity = 0;      // of that match
};

enum class TicketEventType : uint8_t {
  kCreated,          // a new ticket (state new, or queued when dispatched)
  kDuplicateLinked,  // a new ticket was linked to `master` instead
  kStateChanged,     // from -> to; actor and detail: the history entry's actor and reason
  kSlaWarning,       // detail: "first_response" or "resolution"
  kSlaBreached,      // detail: the clock; the ticket's escalation level rose
  kEscalated,        // by a supervisor (督办)
  kExtensionRequested,
  kExtensionDecided,  // detail: "approved" or "rejected"
};
std::string_view TicketEventTypeName(TicketEventType type);

struct TicketEvent {
  TicketEventType type = TicketEventType::kCreated;
  TicketId ticket = 0;
  TicketId master = 0;
  std::string category;
  std::string department;
  TicketState from = TicketState::kNew;
  TicketState to = TicketState::kNew;
  absl::Time at;
  std::string actor;   // who: the call's actor, "sla" for the clocks, "desk"
  std::string detail;  // the reason given, or what the type says
};
using TicketEventCallback = std::function<void(const TicketEvent&)>;

// Counters since the desk was opened, per department.
struct DepartmentCounters {
  int64_t created = 0;              // tickets filed (duplicates included)
  int64_t duplicates = 0;           // linked to an open ticket on create
  int64_t resolved = 0;             // reached resolved
  int64_t resolved_within_sla = 0;  // ... before the resolution deadline
  int64_t first_response_breaches = 0;
  int64_t resolution_breaches = 0;
  int64_t warnings = 0;
  int64_t escalations = 0;  // breaches and supervisors' 督办
  int64_t returned = 0;
  int64_t reopened = 0;
};

class TicketDesk {
 public:
  // The engine events `EngineEventCallback` needs.
  static constexpr uint32_t kEngineEvents = EventBit(EventType::kAccepted) |
                                            EventBit(EventType::kOverflowed) |
                                            EventBit(EventType::kWithdrawn);

  // Opens a desk on `store`: loads the open tickets into the duplicate index
  // and, with an engine, dispatches every queued ticket again — once, with
  // its age, at the first `Tick` after its category was added: the engine
  // does not outlive a restart, the store does. Assigned and in-progress
  // tickets keep their assignee.
  static absl::StatusOr<std::unique_ptr<TicketDesk>> Open(
      std::unique_ptr<TicketStore> store, TicketDeskOptions options = {});
  ~TicketDesk();
  TicketDesk(const TicketDesk&) = delete;
  TicketDesk& operator=(const TicketDesk&) = delete;

  // Adds or replaces a category. InvalidArgument naming the field: empty or
  // over-long name or department, priority outside 0..9, negative targets,
  // warn_share outside (0, 1], invalid hours, a desk with an engine and a
  // category without a queue.
  absl::Status AddCategory(TicketCategory category);
  std::vector<TicketCategory> Categories() const;

  // Takes a ticket in: validates, deduplicates, stores it and — with an
  // engine — dispatches it (state queued), else leaves it new.
  absl::StatusOr<CreateResult> Create(const CreateRequest& request);

  // Files a child ticket (another department's part of the job) under an
  // open master in state new, returned or in_progress; the master moves to
  // in_progress. The child is dispatched like any ticket (no dedupe).
  absl::StatusOr<Ticket> AddChild(TicketId master, const CreateRequest& request);

  // --- transitions (each: actor, reason; FailedPrecondition when the state
  // does not allow it) ---
  // new | returned -> queued; `category` moves it to another category (and
  // department) first. Keeps the ticket's age.
  absl::StatusOr<Ticket> Dispatch(TicketId id, const std::string& actor,
                                  std::optional<std::string> category = std::nullopt);
  // queued -> assigned (签收); stops the first-response clock. Called by the
  // desk when an agent accepts the engine's offer; by hand it withdraws the
  // engine contact.
  absl::StatusOr<Ticket> SignFor(TicketId id, const std::string& agent);
  // assigned -> in_progress.
  absl::StatusOr<Ticket> Start(TicketId id, const std::string& actor);
  // in_progress | assigned -> pending: both clocks pause.
  absl::StatusOr<Ticket> Pend(TicketId id, const std::string& actor,
                              const std::string& reason);
  // pending -> queued, preferring the assignee; the clocks run again.
  absl::StatusOr<Ticket> Resume(TicketId id, const std::string& actor);
  // assigned | in_progress -> resolved (答复); stops the resolution clock.
  absl::StatusOr<Ticket> Resolve(TicketId id, const std::string& actor,
                                 const std::string& answer);
  // resolved -> closed (回访 confirmed, or the follow-up timed out).
  absl::StatusOr<Ticket> Close(TicketId id, const std::string& actor,
                               const std::string& reason);
  // queued | assigned | in_progress -> returned (退单); the reason is required.
  absl::StatusOr<Ticket> Return(TicketId id, const std::string& actor,
                                const std::string& reason);
  // resolved | closed -> queued (重办): a new resolution clock, same age.
  absl::StatusOr<Ticket> Reopen(TicketId id, const std::string& actor,
                                const std::string& reason);
  // any open state -> merged into the open ticket `master`.
  absl::StatusOr<Ticket> Merge(TicketId id, TicketId master, const std::string& actor,
                               const std::string& reason);
  // any open state -> cancelled.
  absl::StatusOr<Ticket> Cancel(TicketId id, const std::string& actor,
                                const std::string& reason);
  // 延期: an open ticket asks for `extra` business time on its resolution
  // deadline; a supervisor approves (the deadline moves) or rejects it.
  absl::StatusOr<Ticket> RequestExtension(TicketId id, const std::string& actor,
                                          absl::Duration extra,
                                          const std::string& reason);
  absl::StatusOr<Ticket> DecideExtension(TicketId id, const std::string& supervisor,
                                         bool approve, const std::string& reason);
  // 督办 by hand: the escalation level rises (as on a breach).
  absl::StatusOr<Ticket> Escalate(TicketId id, const std::string& supervisor,
                                  const std::string& reason);

  // --- personal data (docs/compliance.md, "Retention and erasure") ---
  // An erasure request (个保法 art. 47): anonymizes every ticket of
  // `customer_id` (TicketStore::Anonymize: text, customer id, address, free
  // fields and history reasons erased; the ticket's shape kept for the
  // statistics), each with a history entry "erase" by `actor` whose reason is
  // `reference` — the request's number, which must not hold the erased data.
  // Returns the tickets anonymized, ascending (none when nothing is left).
  // FailedPrecondition, with nothing changed, while the customer has an open
  // ticket: close or cancel it first. InvalidArgument for an empty customer
  // id, actor or reference. Works a page at a time: after a store error the
  // pages done stay done, and calling again finishes the job.
  absl::StatusOr<std::vector<TicketId>> EraseCustomer(const std::string& customer_id,
                                                      const std::string& actor,
                                                      const std::string& reference);
  // Retention: anonymizes, as above, the finished tickets (closed, merged,
  // cancelled) last updated more than `keep` before now (the desk's clock),
  // with a history entry "expire" by `actor`, at most `limit` of them (call
  // again for more). Returns how many. `keep` must be positive.
  absl::StatusOr<size_t> ExpireFinished(absl::Duration keep, const std::string& actor,
                                        size_t limit = SIZE_MAX);

  // --- clocks and engine events ---
  // Applies queued engine events, sends engine commands a full intake
  // refused, then fires every warning and breach due by now. Returns the
  // first store error (the sweep goes on past it).
  absl::Status Tick();
  absl::Status ProcessEngineEvents();
  // For `Engine::Subscribe(callback, TicketDesk::kEngineEvents)` on the
  // router thread: queues the desk's own contacts' events, nothing else. The
  // callback refers to the desk: unsubscribe it before the desk is destroyed.
  EventCallback EngineEventCallback();

  // --- reads ---
  absl::StatusOr<Ticket> Get(TicketId id) const;
  absl::StatusOr<std::vector<HistoryEntry>> History(TicketId id) const;
  absl::StatusOr<std::vector<Ticket>> Query(const TicketQuery& query) const;
  std::map<std::string, DepartmentCounters> Counters() const;
  // Open tickets in the duplicate index, and the bytes it holds.
  size_t OpenTickets() const;
  size_t IndexBytes() const;

  void Subscribe(TicketEventCallback callback);

  // The desk's internals, opaque outside its sources.
  struct State;

 private:
  explicit TicketDesk(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
};

}  // namespace ccengine::tickets

#endif  // CCENGINE_TICKETS_DESK_H_
