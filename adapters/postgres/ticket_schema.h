// -----------------------------------------------------------------------------
// File: adapters/postgres/ticket_schema.h
// -----------------------------------------------------------------------------
//
// The PostgreSQL ticket store's database layout: the schema migrations, the
// SQL of its statements, and how a `Ticket` and a `HistoryEntry` map to
// parameters and rows. Apart from the store's logic (ticket_store.cc) so that
// a change of layout is this file and one new migration.
//
// Values in the database are those of ccengine/tickets/row_codec.h (the
// SQLite store's too, so both stores hold the same), which also has
// `AsStored` and the bounds of the time conditions:
//   times      BIGINT microseconds since the Unix epoch, INT64_MAX / INT64_MIN
//              for InfiniteFuture / InfinitePast
//   durations  BIGINT microseconds, INT64_MAX / INT64_MIN for the infinite ones
//   optionals  NULL when unset
//   states     TEXT, by name (`TicketStateName`)
//   flags      BOOLEAN
//   fields     two TEXT[] of the same length: names and values, in order
//
// Every statement takes its values as parameters ($1, $2, ... with casts
// that fix their types); none is ever spliced into the SQL.
//
// Thread safety: constants and functions without state; thread-safe.

#ifndef CCENGINE_ADAPTERS_POSTGRES_TICKET_SCHEMA_H_
#define CCENGINE_ADAPTERS_POSTGRES_TICKET_SCHEMA_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ccengine/tickets/store.h"
#include "ccengine/tickets/ticket.h"
#include "pg_conn.h"

struct pg_result;

namespace ccengine::postgres::ticket_schema {

// The schema: version 1 creates the tables and indexes; a later version
// appends a step. Its version lives in `ticket_store_schema`; a database with
// a `tickets` table but no version is another application's. The advisory
// lock of its migration is "cctk".
const StoreSchema& Schema();

// The statements of the store. Parameters:
//   kCreateSql   the ticket (`AddTicket`), then its first entry
//                (`AddHistoryEntry`); returns the new id. The ticket gets
//                version 1 and the entry seq 1.
//   kUpdateSql   $1 id, $2 the version read, then the ticket and the entry;
//                returns the entry's seq — one row when the ticket's version
//                was $2 (it is now $2 + 1), none otherwise.
//   kVersionSql  $1 id; the stored version (no row: no such ticket).
//   kGetSql      $1 id; the ticket's row (`ReadTicket`).
//   kChildrenSql $1 parent; the children's rows, by id.
//   kHistorySql  $1 id; no row: no such ticket; else rows of
//                `ReadHistoryEntry` in seq order (one with a NULL seq when
//                the ticket has no history).
std::string CreateSql();
std::string UpdateSql();
inline constexpr std::string_view kVersionSql =
    "SELECT version FROM tickets WHERE id = $1::bigint";
std::string GetSql();
std::string ChildrenSql();
std::string HistorySql();
// Anonymize (see TicketStore::Anonymize):
//   OpenTicketsOfCustomerSql  $1 customer; the ids of its open tickets.
//   AnonymizeSql              $1 the customer (erase) or the cutoff (unix
//                             microseconds), $2 the limit, then the entry's
//                             at, actor, action, reason; strips the selected
//                             tickets, appends the entry to each and returns
//                             their ids (in no order).
std::string OpenTicketsOfCustomerSql();
std::string AnonymizeSql(bool erase);

// Appends the ticket's columns (all but id and version) as parameters, in the
// order `CreateSql` and `UpdateSql` expect them.
void AddTicket(Params& params, const tickets::Ticket& ticket);
void AddHistoryEntry(Params& params, const tickets::HistoryEntry& entry);

// Reads row `row` of a ticket statement's result. Internal, naming the
// ticket, when a value in it is not one this code writes.
absl::StatusOr<tickets::Ticket> ReadTicket(const pg_result* result, int row);
// Reads row `row` of a `HistorySql` result (one with a seq).
absl::StatusOr<tickets::HistoryEntry> ReadHistoryEntry(const pg_result* result, int row);
// Reads an int64 column (Internal when it is NULL or not a number).
absl::StatusOr<int64_t> ReadInt(const pg_result* result, int row, int column);

// A ticket query as SQL and its parameters. The SQL depends only on which
// conditions are set, so the few shapes of query a desk makes each need one
// prepared statement. `matches_nothing`: a condition names a string no
// ticket can hold (not valid UTF-8, a NUL byte), so the answer is empty
// without asking the server.
struct QuerySql {
  std::string sql;
  Params params;
  bool matches_nothing = false;
};
QuerySql BuildQuery(const tickets::TicketQuery& query);

// What the store refuses beyond `tickets::ValidateTicket`: what
// `tickets::rows::CheckStorable` refuses (a time or duration that does not fit
// the database's microseconds, a state that is not a `TicketState`), then a
// string with a NUL byte; for an entry also a string that is not valid UTF-8.
// InvalidArgument naming the field.
absl::Status CheckStorable(const tickets::Ticket& ticket);
absl::Status CheckStorable(const tickets::HistoryEntry& entry);

}  // namespace ccengine::postgres::ticket_schema

#endif  // CCENGINE_ADAPTERS_POSTGRES_TICKET_SCHEMA_H_
