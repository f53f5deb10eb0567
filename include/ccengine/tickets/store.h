// -----------------------------------------------------------------------------
// File: ccengine/tickets/store.h
// -----------------------------------------------------------------------------
//
// `TicketStore`: the port through which the ticket desk keeps its tickets. The
// desk holds no ticket only in memory: every operation it acknowledges is one
// store transaction that writes the ticket and appends its history entry
// together, or writes nothing. Stores in this repository:
//
//   MemoryTicketStore   this header; in process, lost on exit (tests, the
//                       simulator, a desk that does not need to survive)
//   SQLite              adapters/sqlite (the embedded default: one file, WAL;
//                       sqlite::OpenSqliteTicketStore)
//   PostgreSQL          adapters/postgres (the server: libpq, a connection
//                       pool; postgres::OpenPostgresTicketStore)
//
// Another store (a CRM's tables, a vendor's ticket API) implements this
// interface and passes the conformance suite in tests/tickets/ (see
// docs/tickets.md, "Plugging another store").
//
// Contract of every method:
//   - one transaction: on any error nothing was written;
//   - errors: NotFound (no such ticket), Aborted (the optimistic version check
//     failed: someone else updated the ticket since it was read),
//     InvalidArgument (a ticket the store cannot hold: id or version already
//     set on create, a name over the limits of ticket.h), Unavailable (the
//     server cannot be reached; the desk retries), ResourceExhausted (disk or
//     quota full), Internal (anything else, with the store's own message);
//   - `Update` writes the ticket with `version + 1` only when the stored
//     version equals `ticket.version`, and returns the new version;
//   - history `seq` is assigned by the store: 1, 2, … per ticket, no gaps;
//   - times round-trip to the microsecond; InfiniteFuture round-trips.
//
// Thread safety: implementations must be thread-safe — any number of threads
// (and, for server stores, processes) may call any method at once; conflicting
// updates are serialized by the version check. No method may be called on the
// engine's router thread: they block on I/O.

#ifndef CCENGINE_TICKETS_STORE_H_
#define CCENGINE_TICKETS_STORE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/tickets/ticket.h"

namespace ccengine::tickets {

// A query over stored tickets: every set condition must hold. Results are
// ordered by id, ascending, at most `limit` of them, starting after
// `after_id` (for paging).
struct TicketQuery {
  std::vector<TicketState> states;  // empty: any state
  std::optional<std::string> department;
  std::optional<std::string> category;
  std::optional<std::string> customer_id;
  // Tickets with `next_check <= due_by` (the SLA sweep).
  std::optional<absl::Time> due_by;
  // Tickets created at or after this time (the dedupe window).
  std::optional<absl::Time> created_since;
  // Only open tickets (not closed, merged or cancelled); combined with
  // `states` by AND.
  bool open_only = false;
  TicketId after_id = 0;
  size_t limit = 1000;  // 1..100000
};

// Checks the query's own limits (InvalidArgument otherwise).
absl::Status ValidateQuery(const TicketQuery& query);

// Whether `ticket` satisfies `query` (ignoring after_id and limit): the
// reference semantics every store's `Query` follows.
bool Matches(const TicketQuery& query, const Ticket& ticket);

// Which tickets `TicketStore::Anonymize` strips of personal data. Exactly
// one of the two selections is set:
//   customer_id      an erasure request (个保法 art. 47): every ticket of this
//                    customer; refused while any of them is still open;
//   finished_before  the end of the retention period: closed, merged and
//                    cancelled tickets last updated before this time.
// Tickets already anonymized are not selected again.
struct AnonymizeRequest {
  std::optional<std::string> customer_id;
  std::optional<absl::Time> finished_before;
  // Appended to each anonymized ticket's history; the store fills in
  // `ticket`, `seq`, `from` and `to` (the ticket's state). Its reason (say, the
  // erasure request's reference) must not itself hold the erased data.
  HistoryEntry entry;
  size_t limit = 1000;  // tickets per call, 1..100000; call again for the rest
};

// Checks the request's own fields (InvalidArgument otherwise).
absl::Status ValidateAnonymizeRequest(const AnonymizeRequest& request);

// Anonymize's refusal of an erasure request whose customer still has open
// tickets (`open`, ascending; the first ten are named).
absl::Status OpenTicketsOfCustomer(const std::vector<TicketId>& open);

// The checks every store makes on a ticket it is asked to write, beyond
// `ValidateTicket`: a new ticket is not anonymized (InvalidArgument), and an
// anonymized ticket is never written again (FailedPrecondition).
absl::Status CheckWritable(const Ticket& ticket, bool create);

class TicketStore {
 public:
  virtual ~TicketStore() = default;

  // Stores a new ticket (its `id` and `version` must be 0) together with its
  // first history entry (`entry.ticket` and `entry.seq` are filled in).
  // Returns the ticket as stored: id assigned, version 1.
  virtual absl::StatusOr<Ticket> Create(const Ticket& ticket,
                                        const HistoryEntry& entry) = 0;

  virtual absl::StatusOr<Ticket> Get(TicketId id) = 0;

  // Writes `ticket` (which names the version it was read at) and appends
  // `entry`, atomically. Returns the ticket as stored (version + 1). Aborted
  // when the stored version differs; NotFound when there is no such ticket.
  virtual absl::StatusOr<Ticket> Update(const Ticket& ticket,
                                        const HistoryEntry& entry) = 0;

  // Updates several tickets in one transaction (a master and its
  // duplicates, a joint-handling master and its children): all or nothing,
  // each with its version check. `entries[i]` goes with `tickets[i]`.
  virtual absl::StatusOr<std::vector<Ticket>> UpdateMany(
      const std::vector<Ticket>& tickets, const std::vector<HistoryEntry>& entries) = 0;

  // The ticket's history, oldest first.
  virtual absl::StatusOr<std::vector<HistoryEntry>> History(TicketId id) = 0;

  virtual absl::StatusOr<std::vector<Ticket>> Query(const TicketQuery& query) = 0;

  // The children of a joint-handling master, by id.
  virtual absl::StatusOr<std::vector<Ticket>> Children(TicketId parent) = 0;

  // Erases the personal data of the selected tickets (see AnonymizeRequest),
  // in one transaction: text, customer id and address become empty, the free
  // fields and every history entry's reason are removed, `anonymized` is set,
  // the version goes up by one and `request.entry` is appended; everything
  // else (category, department, states, times, SLA clocks, actors) stays
  // for the statistics. Returns the ids anonymized, ascending, at most
  // `request.limit` (fewer, or none, when no more are selected).
  // FailedPrecondition, with nothing written, when an erasure request's
  // customer has an open ticket (the first ten named).
  virtual absl::StatusOr<std::vector<TicketId>> Anonymize(
      const AnonymizeRequest& request) = 0;
};

// A thread-safe in-memory store (one mutex). Same semantics as the durable
// stores; what it holds is lost with the process.
std::unique_ptr<TicketStore> NewMemoryTicketStore();

}  // namespace ccengine::tickets

#endif  // CCENGINE_TICKETS_STORE_H_
