// -----------------------------------------------------------------------------
// File: adapters/sqlite/include/ccengine/sqlite/ticket_store.h
// -----------------------------------------------------------------------------
//
// The SQLite ticket store: a `tickets::TicketStore` (ccengine/tickets/store.h)
// kept in one SQLite file, the embedded default for a desk that must survive
// restarts. It passes the store conformance suite (tests/tickets/).
//
// The file:
//   - WAL journal (readers never wait for the writer), foreign keys on;
//   - tables `tickets`, `ticket_fields` (the free fields, in order) and
//     `ticket_history` (primary key (ticket, seq)), both with a foreign key to
//     `tickets`; indexes for the queries (state, department, category,
//     customer, next_check, created_at, parent);
//   - times and durations as int64 microseconds since the Unix epoch, with
//     INT64_MAX / INT64_MIN for InfiniteFuture / InfinitePast (and the
//     infinite durations), NULL for an unset optional; states by name
//     ("in_progress");
//   - a versioned schema: `PRAGMA user_version` is the schema version and
//     `PRAGMA application_id` marks the file as a ccengine ticket store; an
//     older file is migrated when opened.
//
// Every method is one SQLite transaction (BEGIN IMMEDIATE for writes), with
// the errors of the port's contract:
//   InvalidArgument    the checks of `tickets::ValidateTicket` and
//                      `tickets::ValidateQuery`, an id or version set on
//                      create, a ticket named twice in one `UpdateMany`; also
//                      a time or duration outside what int64 microseconds
//                      hold, and a state that is not a `TicketState`
//   NotFound, Aborted  no such ticket; the optimistic version check failed
//   Unavailable        the file is locked by another connection for longer
//                      than `busy_timeout` (SQLITE_BUSY, SQLITE_LOCKED); it
//                      cannot be opened, read or written (SQLITE_CANTOPEN,
//                      SQLITE_IOERR, SQLITE_READONLY)
//   ResourceExhausted  the disk is full, or the file reached
//                      `max_database_bytes` (SQLITE_FULL)
//   Internal           anything else (a corrupt file, a row this code cannot
//                      read), with SQLite's message
// Messages name the operation and the ticket ("update ticket 7: database or
// disk is full (SQLite 13)"). On any error nothing was written.
//
// Thread safety: thread-safe. A store holds one connection behind a mutex:
// its calls run one at a time. Several stores, in one process or in many, may
// open the same file: SQLite's file locks serialize their writes (each waits
// up to `busy_timeout` for the others), and the version check in every update
// makes conflicting updates fail with Aborted.
//
// Example:
//   absl::StatusOr<std::unique_ptr<ccengine::tickets::TicketStore>> store =
//       ccengine::sqlite::OpenSqliteTicketStore({.path = "/var/lib/ccengine/tickets.db"});

#ifndef CCENGINE_ADAPTERS_SQLITE_INCLUDE_CCENGINE_SQLITE_TICKET_STORE_H_
#define CCENGINE_ADAPTERS_SQLITE_INCLUDE_CCENGINE_SQLITE_TICKET_STORE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/tickets/store.h"

namespace ccengine::sqlite {

struct SqliteTicketStoreOptions {
  // The database file; created (with the schema) when missing. Its directory
  // must exist and be writable: SQLite keeps the `-wal` and `-shm` files
  // beside it. ":memory:" is refused (use tickets::NewMemoryTicketStore).
  std::string path;

  // How long a method waits for a lock held by another connection to the
  // file before it fails with Unavailable. Zero: fail at once.
  absl::Duration busy_timeout = absl::Seconds(5);

  // What an acknowledged write survives (`PRAGMA synchronous`, WAL mode):
  //   kFull    every commit is synced to disk before the method returns: it
  //            survives a crash of the process, of the OS, and power loss.
  //   kNormal  the WAL is synced only when it is checkpointed: a commit
  //            survives a crash of the process; an OS crash or power loss may
  //            roll back the last commits, but the file stays consistent.
  //   kOff     nothing is synced: a commit survives a crash of the process;
  //            an OS crash or power loss may lose commits and corrupt the
  //            file (tests and throwaway desks only).
  enum class Sync { kFull, kNormal, kOff };
  Sync sync = Sync::kFull;

  // The most bytes the database file may grow to, rounded down to whole
  // pages (`PRAGMA max_page_count`; the WAL file comes on top): a write that
  // needs more fails with ResourceExhausted and writes nothing. A limit below
  // the file's current size holds it at that size. Zero: no limit of our own.
  int64_t max_database_bytes = 0;
};

// Opens (or creates) the store at `options.path`, migrating an older schema.
// Errors:
//   InvalidArgument     an empty path, ":memory:", a negative busy_timeout or
//                       max_database_bytes, an unknown `sync`
//   FailedPrecondition  the file is not an SQLite database; it is one but not
//                       a ccengine ticket store; its schema version is newer
//                       than this code knows (the message names both)
//   Unavailable         the file cannot be created or opened (a missing or
//                       read-only directory, a path through a file), or it is
//                       locked past busy_timeout while being migrated
//   Internal            anything else, with SQLite's message
absl::StatusOr<std::unique_ptr<tickets::TicketStore>> OpenSqliteTicketStore(
    const SqliteTicketStoreOptions& options);

}  // namespace ccengine::sqlite

#endif  // CCENGINE_ADAPTERS_SQLITE_INCLUDE_CCENGINE_SQLITE_TICKET_STORE_H_
