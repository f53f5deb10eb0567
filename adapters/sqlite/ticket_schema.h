// -----------------------------------------------------------------------------
// File: adapters/sqlite/ticket_schema.h
// -----------------------------------------------------------------------------
//
// The SQLite ticket store's file layout: the schema migrations, the SQL of
// its statements, and how a `Ticket` and a `HistoryEntry` map to rows. Apart
// from the store's logic (ticket_store.cc) so that a change of layout is this
// file and one new migration.
//
// Values in the file are those of ccengine/tickets/row_codec.h (times and
// durations int64 microseconds with INT64_MAX / INT64_MIN for the infinite
// ones, NULL when unset, states by name), which also has the checks before a
// write (`CheckStorable`), `AsStored` and the bounds of the time conditions;
// booleans are 0 / 1.
//
// Thread safety: constants and functions without state; thread-safe.

#ifndef CCENGINE_ADAPTERS_SQLITE_TICKET_SCHEMA_H_
#define CCENGINE_ADAPTERS_SQLITE_TICKET_SCHEMA_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ccengine/tickets/store.h"
#include "ccengine/tickets/ticket.h"
#include "sqlite_db.h"

namespace ccengine::sqlite::ticket_schema {

// `PRAGMA application_id` of a ticket store file ("cctk").
inline constexpr int32_t kApplicationId = 0x6363746b;

// Version 1 creates the tables and indexes; a later version appends a step.
absl::Span<const Migration> Migrations();

// The columns of `tickets`, in the order of `SelectTicketsSql` (the free
// fields are rows of `ticket_fields`).
enum TicketColumn : int {
  kId,
  kVersion,
  kCategory,
  kDepartment,
  kState,
  kPriority,
  kText,
  kCustomerId,
  kAddress,
  kCreatedAt,
  kUpdatedAt,
  kQueuedSince,
  kAssignee,
  kDuplicateOf,
  kParent,
  kIsMaster,
  kEscalationLevel,
  kReopenCount,
  kFirstResponseDue,  // the first-response clock: 8 columns from here
  kResolutionDue = kFirstResponseDue + 8,  // the resolution clock: 8 columns
  kExtensionRequested = kResolutionDue + 8,
  kNextCheck,
  kAnonymized,  // version 2
  kTicketColumnCount,
};

// "SELECT <every TicketColumn> FROM tickets " followed by `rest`.
std::string SelectTicketsSql(std::string_view rest);
// After `SelectTicketsSql`: the children of ticket ?1, by id.
inline constexpr std::string_view kChildrenWhere =
    "WHERE parent = ?1 AND parent <> 0 ORDER BY id";
// Parameter ?(c + 1) is column c; ?1 (the id) is bound NULL to let SQLite
// assign it.
std::string InsertTicketSql();
// Parameter ?(c + 1) is column c, the new version in ?2; the row is changed
// only when its stored version equals parameter ?(kTicketColumnCount + 1).
std::string UpdateTicketSql();
inline constexpr int kExpectedVersionParameter = kTicketColumnCount + 1;

// Binds every column of `ticket` (parameter ?(c + 1) for column c).
void BindTicket(Statement& statement, const tickets::Ticket& ticket);
// Reads the row the statement is on (columns as `SelectTicketsSql`), without
// its free fields. Internal when a state or value in the file is not one this
// code writes.
absl::StatusOr<tickets::Ticket> ReadTicket(const Statement& statement);

// The free fields: ?1 ticket, ?2 position (0, 1, …), ?3 name, ?4 value;
// read back as (name, value) in order.
inline constexpr std::string_view kInsertFieldSql =
    "INSERT INTO ticket_fields (ticket, position, name, value) VALUES (?1, ?2, ?3, ?4)";
inline constexpr std::string_view kDeleteFieldsSql =
    "DELETE FROM ticket_fields WHERE ticket = ?1";
inline constexpr std::string_view kSelectFieldsSql =
    "SELECT name, value FROM ticket_fields WHERE ticket = ?1 ORDER BY position";

// The state named in `column` of the row the statement is on; Internal,
// naming `what`, when the file holds a name this code does not write.
absl::StatusOr<tickets::TicketState> ReadState(const Statement& statement, int column,
                                               std::string_view what);

// Anonymize (see TicketStore::Anonymize). The open tickets of customer ?1,
// by id (column 0: id).
std::string OpenTicketsOfCustomerSql();
// The tickets an erasure request selects: customer ?1, not yet anonymized,
// by id, at most ?2 (columns: id, state).
std::string ToEraseSql();
// The tickets retention selects: finished, last updated before ?1 (unix
// microseconds), not yet anonymized, by id, at most ?2 (columns: id, state).
std::string ToExpireSql();
// Strips ticket ?1 of its personal data and bumps its version (its free
// fields go with kDeleteFieldsSql).
inline constexpr std::string_view kAnonymizeTicketSql =
    "UPDATE tickets SET text = '', customer_id = '', address = '', anonymized = 1, "
    "version = version + 1 WHERE id = ?1";
// Empties the reasons of ticket ?1's history.
inline constexpr std::string_view kEraseReasonsSql =
    "UPDATE ticket_history SET reason = '' WHERE ticket = ?1";

// Appends an entry with the ticket's next seq: ?1 ticket, then as
// `BindHistoryEntry`.
inline constexpr std::string_view kInsertHistorySql =
    "INSERT INTO ticket_history (ticket, seq, at, actor, action, from_state, to_state, "
    "reason) VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ticket_history WHERE "
    "ticket = ?1), ?2, ?3, ?4, ?5, ?6, ?7)";
// ?1 ticket; rows as `ReadHistoryEntry` reads them, oldest first.
inline constexpr std::string_view kSelectHistorySql =
    "SELECT ticket, seq, at, actor, action, from_state, to_state, reason FROM "
    "ticket_history WHERE ticket = ?1 ORDER BY seq";
void BindHistoryEntry(Statement& statement, const tickets::HistoryEntry& entry);
absl::StatusOr<tickets::HistoryEntry> ReadHistoryEntry(const Statement& statement);

// A ticket query as SQL (a `SelectTicketsSql`) and its parameters, ?1 on.
// The SQL depends only on which conditions are set (and how many distinct
// states), so a desk's few shapes of query each need one prepared statement.
struct QuerySql {
  std::string sql;
  std::vector<std::variant<int64_t, std::string>> parameters;
};
QuerySql BuildQuery(const tickets::TicketQuery& query);
void BindQuery(Statement& statement, const QuerySql& query);

}  // namespace ccengine::sqlite::ticket_schema

#endif  // CCENGINE_ADAPTERS_SQLITE_TICKET_SCHEMA_H_
