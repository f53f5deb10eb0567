// -----------------------------------------------------------------------------
// File: adapters/postgres/include/ccengine/postgres/ticket_store.h
// -----------------------------------------------------------------------------
//
// The PostgreSQL ticket store: a `tickets::TicketStore` (ccengine/tickets/store.h)
// kept in a PostgreSQL database, for desks that run as several processes or
// on several hosts and share their tickets. It passes the store conformance
// suite (tests/tickets/). Needs PostgreSQL 10 or later (tested with 15) and a
// UTF8 database.
//
// The database:
//   - tables `tickets` (the free fields as two text arrays, names and values,
//     in order), `ticket_history` (primary key (ticket, seq), a foreign key to
//     `tickets`) and `ticket_store_schema` (one row: the schema version), in
//     the first schema of the connection's search_path; indexes for the
//     queries (state, department, category, customer, next_check,
//     created_at, parent);
//   - times and durations as BIGINT microseconds since the Unix epoch, with
//     INT64_MAX / INT64_MIN for InfiniteFuture / InfinitePast (and the
//     infinite durations), NULL for an unset optional; states by name
//     ("in_progress") — the same values as the SQLite store's file;
//   - ids from an identity column: never 0, never reused, but a create that
//     fails after the server drew its id leaves that number unused;
//   - a versioned schema: created, or migrated from an older version, when a
//     store opens the database, in one transaction under an advisory lock,
//     so stores opening it at once migrate it once.
//
// Every method is one transaction, with the errors of the port's contract:
//   InvalidArgument    the checks of `tickets::ValidateTicket` and
//                      `tickets::ValidateQuery`, an id or version set on
//                      create, a ticket named twice in one `UpdateMany`; also
//                      a time or duration outside what int64 microseconds
//                      hold, a state that is not a `TicketState`, a string
//                      with a NUL byte (PostgreSQL text cannot hold one) or
//                      not valid UTF-8 (a history entry's). Nothing is sent.
//   NotFound, Aborted  no such ticket; the optimistic version check failed
//                      (`UPDATE ... WHERE id = $1 AND version = $2` changed no
//                      row). Also Aborted: the server gave up a transaction
//                      as a serialization failure or deadlock (SQLSTATE 40001,
//                      40P01); the caller re-reads and retries.
//   Unavailable        no connection within `connect_timeout` (no server,
//                      refused, authentication failed, no such database); the
//                      connection was lost (SQLSTATE class 08, 57P01..57P03,
//                      or no reply); a statement ran past `statement_timeout`
//                      or waited for a lock past the server's lock_timeout
//                      (57014, 55P03); the server is a read-only standby
//                      (25006). The next call connects again (after a lost
//                      connection or a standby's answer): once the server is
//                      back, or a primary is found, the store works again
//                      without reopening.
//   ResourceExhausted  the server is out of disk, memory or connections
//                      (SQLSTATE class 53; 53100 disk full)
//   Internal           anything else (a constraint the code does not expect,
//                      a row it cannot read), with the server's message and
//                      SQLSTATE
// Messages name the operation and the ticket ("update ticket 7: ...") and the
// database (dbname and host, never the password).
//
// When a connection is lost while a write's commit is on its way, the write
// may or may not have been committed (the server cannot say): the call
// returns Unavailable. An update retried from a fresh read then sees the new
// version; a create retried may store the ticket twice.
//
// Durability: an acknowledged write is committed; how much of the server's
// failure it survives is the server's `synchronous_commit` (with fsync and
// synchronous_standby_names), which the store does not change: with the
// default `on`, the commit is flushed to the server's WAL before the method
// returns; with `off`, a server crash may lose the last commits (never part
// of one). Set it for the role or database, or in the DSN
// (`options=-csynchronous_commit=off`).
//
// Thread safety: thread-safe. A store holds a pool of up to `pool_size`
// connections; each call takes one for its transaction, so up to
// `pool_size` calls run at once and further ones wait for a free connection.
// Any number of stores, in one process or in many, may share a database: the
// server serializes conflicting writes on the ticket's row, and the version
// check makes the loser fail with Aborted. No call may be made on the
// engine's router thread: calls block on the network.
//
// Example:
//   absl::StatusOr<std::unique_ptr<ccengine::tickets::TicketStore>> store =
//       ccengine::postgres::OpenPostgresTicketStore(
//           {.dsn = "postgresql://desk@db.internal/tickets"});

#ifndef CCENGINE_ADAPTERS_POSTGRES_INCLUDE_CCENGINE_POSTGRES_TICKET_STORE_H_
#define CCENGINE_ADAPTERS_POSTGRES_INCLUDE_CCENGINE_POSTGRES_TICKET_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/tickets/store.h"

namespace ccengine::postgres {

struct PostgresTicketStoreOptions {
  // A libpq connection string: a URI ("postgresql:///tickets?host=/run/
  // postgresql", "postgresql://desk@db.internal:5432/tickets") or key=value
  // pairs ("host=db.internal dbname=tickets user=desk"). Unset parts come
  // from libpq's environment variables (PGHOST, PGUSER, PGPASSFILE, ...) and
  // defaults. The store sets client_encoding to UTF8 and
  // fallback_application_name to "ccengine".
  std::string dsn;

  // How long establishing one connection (including authentication) may take
  // before the call fails with Unavailable. Resolving a host name is not
  // bounded by it: name a host the resolver answers fast, or use hostaddr.
  absl::Duration connect_timeout = absl::Seconds(5);

  // The server cancels a statement that runs longer (the session's
  // `statement_timeout`; the call fails with Unavailable). The store waits
  // for a reply at most this plus `connect_timeout`; past that it gives the
  // connection up as lost (Unavailable) and connects again on the next call.
  // Zero: no limit on either.
  absl::Duration statement_timeout = absl::Seconds(30);

  // The most connections the store holds (1..64). Opened when calls need
  // them, kept while they work. 1: the store's calls run one at a time.
  int pool_size = 4;
};

// Opens the store: connects, checks the server (version, UTF8 encoding),
// and creates the schema or migrates an older one. Errors:
//   InvalidArgument     an empty or malformed dsn (libpq's message), a
//                       connect_timeout not above zero, a negative
//                       statement_timeout, pool_size outside 1..64
//   Unavailable         no connection within connect_timeout (the message
//                       says libpq's reason), or lost while migrating
//   FailedPrecondition  the server is older than PostgreSQL 10; the database
//                       is not UTF8; it has a `tickets` table but no
//                       ccengine schema version (not a ccengine ticket store);
//                       its schema version is newer than this code knows (the
//                       message names both)
//   Internal            anything else (no privilege to create the tables, no
//                       schema to create them in), with the server's message
absl::StatusOr<std::unique_ptr<tickets::TicketStore>> OpenPostgresTicketStore(
    const PostgresTicketStoreOptions& options);

}  // namespace ccengine::postgres

#endif  // CCENGINE_ADAPTERS_POSTGRES_INCLUDE_CCENGINE_POSTGRES_TICKET_STORE_H_
