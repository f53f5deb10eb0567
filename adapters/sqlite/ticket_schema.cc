// The SQLite ticket store's file layout (see ticket_schema.h).

#include "ticket_schema.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ccengine/tickets/row_codec.h"
#include "ccengine/tickets/store.h"
#include "ccengine/tickets/ticket.h"
#include "fmt/format.h"
#include "sqlite_db.h"

namespace ccengine::sqlite::ticket_schema {
namespace {

using tickets::HistoryEntry;
using tickets::SlaClock;
using tickets::Ticket;
using tickets::TicketState;
namespace rows = tickets::rows;

// Version 1. The tickets' id is AUTOINCREMENT: never reused, even for the
// last ticket of a file. STRICT: a value of the wrong type is an error, not
// a conversion.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE tickets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  version INTEGER NOT NULL,
  category TEXT NOT NULL,
  department TEXT NOT NULL,
  state TEXT NOT NULL,
  priority INTEGER NOT NULL,
  text TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  address TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  queued_since INTEGER NOT NULL,
  assignee TEXT NOT NULL,
  duplicate_of INTEGER NOT NULL,
  parent INTEGER NOT NULL,
  is_master INTEGER NOT NULL,
  escalation_level INTEGER NOT NULL,
  reopen_count INTEGER NOT NULL,
  first_response_due INTEGER,
  first_response_warn_at INTEGER,
  first_response_remaining INTEGER NOT NULL,
  first_response_paused INTEGER NOT NULL,
  first_response_warned INTEGER NOT NULL,
  first_response_breached INTEGER NOT NULL,
  first_response_stopped INTEGER NOT NULL,
  first_response_stopped_at INTEGER,
  resolution_due INTEGER,
  resolution_warn_at INTEGER,
  resolution_remaining INTEGER NOT NULL,
  resolution_paused INTEGER NOT NULL,
  resolution_warned INTEGER NOT NULL,
  resolution_breached INTEGER NOT NULL,
  resolution_stopped INTEGER NOT NULL,
  resolution_stopped_at INTEGER,
  extension_requested INTEGER,
  next_check INTEGER NOT NULL
) STRICT;

CREATE TABLE ticket_fields (
  ticket INTEGER NOT NULL REFERENCES tickets (id),
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (ticket, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE ticket_history (
  ticket INTEGER NOT NULL REFERENCES tickets (id),
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (ticket, seq)
) STRICT, WITHOUT ROWID;

-- One per query condition; each also orders by id (the rowid), the order
-- of a query's results. Children are looked up by a non-zero parent only.
CREATE INDEX tickets_by_state ON tickets (state);
CREATE INDEX tickets_by_department ON tickets (department);
CREATE INDEX tickets_by_category ON tickets (category);
CREATE INDEX tickets_by_customer ON tickets (customer_id);
CREATE INDEX tickets_by_next_check ON tickets (next_check);
CREATE INDEX tickets_by_created_at ON tickets (created_at);
CREATE INDEX tickets_by_parent ON tickets (parent) WHERE parent <> 0;
)sql";

// Version 2: personal data erasure and retention (TicketStore::Anonymize).
// The partial index serves the retention sweep, which looks at tickets not
// yet anonymized by their last update.
constexpr std::string_view kSchemaV2 = R"sql(
ALTER TABLE tickets ADD COLUMN anonymized INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tickets_to_anonymize ON tickets (updated_at) WHERE anonymized = 0;
)sql";

constexpr std::array<Migration, 2> kMigrations = {{{1, kSchemaV1}, {2, kSchemaV2}}};

// The column names, in `TicketColumn` order.
constexpr std::array<std::string_view, kTicketColumnCount> kColumnNames = {
    "id",
    "version",
    "category",
    "department",
    "state",
    "priority",
    "text",
    "customer_id",
    "address",
    "created_at",
    "updated_at",
    "queued_since",
    "assignee",
    "duplicate_of",
    "parent",
    "is_master",
    "escalation_level",
    "reopen_count",
    "first_response_due",
    "first_response_warn_at",
    "first_response_remaining",
    "first_response_paused",
    "first_response_warned",
    "first_response_breached",
    "first_response_stopped",
    "first_response_stopped_at",
    "resolution_due",
    "resolution_warn_at",
    "resolution_remaining",
    "resolution_paused",
    "resolution_warned",
    "resolution_breached",
    "resolution_stopped",
    "resolution_stopped_at",
    "extension_requested",
    "next_check",
    "anonymized",
};

// A clock's columns, from its first.
enum ClockColumn : int {
  kDue,
  kWarnAt,
  kRemaining,
  kPaused,
  kWarned,
  kBreached,
  kStopped,
  kStoppedAt,
  kClockColumnCount,
};
static_assert(kResolutionDue - kFirstResponseDue == kClockColumnCount);
static_assert(kExtensionRequested - kResolutionDue == kClockColumnCount);

// --- values -------------------------------------------------------------------

std::optional<absl::Time> ReadOptionalTime(const Statement& statement, int column) {
  std::optional<int64_t> micros = statement.ColumnOptionalInt(column);
  if (!micros.has_value()) return std::nullopt;
  return rows::MicrosToTime(*micros);
}

// --- clocks -------------------------------------------------------------------

void BindClock(Statement& statement, int first_column, const SlaClock& clock) {
  const int p = first_column + 1;  // parameter of the clock's first column
  statement.BindOptionalInt(p + kDue, rows::OptionalTime(clock.due));
  statement.BindOptionalInt(p + kWarnAt, rows::OptionalTime(clock.warn_at));
  statement.BindInt(p + kRemaining, rows::DurationToMicros(clock.remaining));
  statement.BindInt(p + kPaused, clock.paused ? 1 : 0);
  statement.BindInt(p + kWarned, clock.warned ? 1 : 0);
  statement.BindInt(p + kBreached, clock.breached ? 1 : 0);
  statement.BindInt(p + kStopped, clock.stopped ? 1 : 0);
  statement.BindOptionalInt(p + kStoppedAt, rows::OptionalTime(clock.stopped_at));
}

SlaClock ReadClock(const Statement& statement, int first_column) {
  const int c = first_column;
  SlaClock clock;
  clock.due = ReadOptionalTime(statement, c + kDue);
  clock.warn_at = ReadOptionalTime(statement, c + kWarnAt);
  clock.remaining = rows::MicrosToDuration(statement.ColumnInt(c + kRemaining));
  clock.paused = statement.ColumnInt(c + kPaused) != 0;
  clock.warned = statement.ColumnInt(c + kWarned) != 0;
  clock.breached = statement.ColumnInt(c + kBreached) != 0;
  clock.stopped = statement.ColumnInt(c + kStopped) != 0;
  clock.stopped_at = ReadOptionalTime(statement, c + kStoppedAt);
  return clock;
}

std::string JoinColumns(std::string_view format, int first) {
  std::string out;
  for (int c = first; c < kTicketColumnCount; ++c) {
    if (c > first) out += ", ";
    out += fmt::format(fmt::runtime(format), kColumnNames[c], c + 1);
  }
  return out;
}

}  // namespace

absl::Span<const Migration> Migrations() { return kMigrations; }

absl::StatusOr<TicketState> ReadState(const Statement& statement, int column,
                                      std::string_view what) {
  const std::string name = statement.ColumnText(column);
  std::optional<TicketState> state = tickets::ParseTicketState(name);
  if (!state.has_value()) {
    return absl::InternalError(
        fmt::format("{}: the file holds the unknown state \"{}\"", what, name));
  }
  return *state;
}

std::string OpenTicketsOfCustomerSql() {
  return fmt::format(
      "SELECT id FROM tickets WHERE customer_id = ?1 AND state NOT IN {} ORDER BY id",
      rows::FinishedStatesSql());
}

std::string ToEraseSql() {
  return "SELECT id, state FROM tickets WHERE customer_id = ?1 AND anonymized = 0 "
         "ORDER BY id LIMIT ?2";
}

std::string ToExpireSql() {
  // "+id": walk the partial index by update time and sort what it finds,
  // rather than the whole table in id order.
  return fmt::format(
      "SELECT id, state FROM tickets WHERE anonymized = 0 AND updated_at < ?1 AND "
      "state IN {} ORDER BY +id LIMIT ?2",
      rows::FinishedStatesSql());
}

std::string SelectTicketsSql(std::string_view rest) {
  return fmt::format("SELECT {} FROM tickets {}", JoinColumns("{0}", kId), rest);
}

std::string InsertTicketSql() {
  return fmt::format("INSERT INTO tickets ({}) VALUES ({})", JoinColumns("{0}", kId),
                     JoinColumns("?{1}", kId));
}

std::string UpdateTicketSql() {
  return fmt::format("UPDATE tickets SET {} WHERE id = ?{} AND version = ?{}",
                     JoinColumns("{0} = ?{1}", kVersion), kId + 1,
                     kExpectedVersionParameter);
}

void BindTicket(Statement& statement, const Ticket& ticket) {
  auto param = [](TicketColumn c) { return static_cast<int>(c) + 1; };
  statement.BindInt(param(kId), ticket.id);
  statement.BindInt(param(kVersion), ticket.version);
  statement.BindText(param(kCategory), ticket.category);
  statement.BindText(param(kDepartment), ticket.department);
  statement.BindText(param(kState), tickets::TicketStateName(ticket.state));
  statement.BindInt(param(kPriority), ticket.priority);
  statement.BindText(param(kText), ticket.text);
  statement.BindText(param(kCustomerId), ticket.customer_id);
  statement.BindText(param(kAddress), ticket.address);
  statement.BindInt(param(kCreatedAt), rows::TimeToMicros(ticket.created_at));
  statement.BindInt(param(kUpdatedAt), rows::TimeToMicros(ticket.updated_at));
  statement.BindInt(param(kQueuedSince), rows::TimeToMicros(ticket.queued_since));
  statement.BindText(param(kAssignee), ticket.assignee);
  statement.BindInt(param(kDuplicateOf), ticket.duplicate_of);
  statement.BindInt(param(kParent), ticket.parent);
  statement.BindInt(param(kIsMaster), ticket.is_master ? 1 : 0);
  statement.BindInt(param(kEscalationLevel), ticket.escalation_level);
  statement.BindInt(param(kReopenCount), ticket.reopen_count);
  BindClock(statement, kFirstResponseDue, ticket.first_response);
  BindClock(statement, kResolutionDue, ticket.resolution);
  statement.BindOptionalInt(param(kExtensionRequested),
                            rows::OptionalDuration(ticket.extension_requested));
  statement.BindInt(param(kNextCheck), rows::TimeToMicros(ticket.next_check));
  statement.BindInt(param(kAnonymized), ticket.anonymized ? 1 : 0);
}

absl::StatusOr<Ticket> ReadTicket(const Statement& statement) {
  Ticket ticket;
  ticket.id = statement.ColumnInt(kId);
  ticket.version = statement.ColumnInt(kVersion);
  ticket.category = statement.ColumnText(kCategory);
  ticket.department = statement.ColumnText(kDepartment);
  absl::StatusOr<TicketState> state =
      ReadState(statement, kState, fmt::format("ticket {}", ticket.id));
  if (!state.ok()) return state.status();
  ticket.state = *state;
  ticket.priority = static_cast<int>(statement.ColumnInt(kPriority));
  ticket.text = statement.ColumnText(kText);
  ticket.customer_id = statement.ColumnText(kCustomerId);
  ticket.address = statement.ColumnText(kAddress);
  ticket.created_at = rows::MicrosToTime(statement.ColumnInt(kCreatedAt));
  ticket.updated_at = rows::MicrosToTime(statement.ColumnInt(kUpdatedAt));
  ticket.queued_since = rows::MicrosToTime(statement.ColumnInt(kQueuedSince));
  ticket.assignee = statement.ColumnText(kAssignee);
  ticket.duplicate_of = statement.ColumnInt(kDuplicateOf);
  ticket.parent = statement.ColumnInt(kParent);
  ticket.is_master = statement.ColumnInt(kIsMaster) != 0;
  ticket.escalation_level = static_cast<int>(statement.ColumnInt(kEscalationLevel));
  ticket.reopen_count = static_cast<int>(statement.ColumnInt(kReopenCount));
  ticket.first_response = ReadClock(statement, kFirstResponseDue);
  ticket.resolution = ReadClock(statement, kResolutionDue);
  std::optional<int64_t> extension = statement.ColumnOptionalInt(kExtensionRequested);
  if (extension.has_value())
    ticket.extension_requested = rows::MicrosToDuration(*extension);
  ticket.next_check = rows::MicrosToTime(statement.ColumnInt(kNextCheck));
  ticket.anonymized = statement.ColumnInt(kAnonymized) != 0;
  return ticket;
}

void BindHistoryEntry(Statement& statement, const HistoryEntry& entry) {
  statement.BindInt(2, rows::TimeToMicros(entry.at));
  statement.BindText(3, entry.actor);
  statement.BindText(4, entry.action);
  statement.BindText(5, tickets::TicketStateName(entry.from));
  statement.BindText(6, tickets::TicketStateName(entry.to));
  statement.BindText(7, entry.reason);
}

absl::StatusOr<HistoryEntry> ReadHistoryEntry(const Statement& statement) {
  HistoryEntry entry;
  entry.ticket = statement.ColumnInt(0);
  entry.seq = statement.ColumnInt(1);
  const std::string what = fmt::format("ticket {} history {}", entry.ticket, entry.seq);
  entry.at = rows::MicrosToTime(statement.ColumnInt(2));
  entry.actor = statement.ColumnText(3);
  entry.action = statement.ColumnText(4);
  absl::StatusOr<TicketState> from = ReadState(statement, 5, what);
  if (!from.ok()) return from.status();
  entry.from = *from;
  absl::StatusOr<TicketState> to = ReadState(statement, 6, what);
  if (!to.ok()) return to.status();
  entry.to = *to;
  entry.reason = statement.ColumnText(7);
  return entry;
}

QuerySql BuildQuery(const tickets::TicketQuery& query) {
  QuerySql out;
  // Results are in id order, from after_id. Given a range condition, SQLite
  // would rather walk the table in id order (or search it by id) than sort
  // what the range's index finds; the SLA sweep (`next_check <= now`, few
  // tickets due among many closed) needs that index, so "+id" (the same
  // value, no index) keeps the id from choosing the plan.
  const bool range = query.due_by.has_value() || query.created_since.has_value();
  const std::string_view id = range ? "+id" : "id";
  std::string where = fmt::format("WHERE {} > ?1", id);
  out.parameters.emplace_back(query.after_id);
  auto next = [&out] { return out.parameters.size() + 1; };
  if (!query.states.empty()) {
    std::vector<TicketState> states = query.states;
    std::sort(states.begin(), states.end());
    states.erase(std::unique(states.begin(), states.end()), states.end());
    where += " AND state IN (";
    for (size_t i = 0; i < states.size(); ++i) {
      where += fmt::format("{}?{}", i == 0 ? "" : ", ", next());
      out.parameters.emplace_back(std::string(tickets::TicketStateName(states[i])));
    }
    where += ")";
  }
  if (query.open_only)
    where += fmt::format(" AND state NOT IN {}", rows::FinishedStatesSql());
  const std::pair<std::string_view, const std::optional<std::string>*> texts[] = {
      {"department", &query.department},
      {"category", &query.category},
      {"customer_id", &query.customer_id},
  };
  for (const auto& [column, value] : texts) {
    if (!value->has_value()) continue;
    where += fmt::format(" AND {} = ?{}", column, next());
    out.parameters.emplace_back(**value);
  }
  if (query.due_by.has_value()) {
    where += fmt::format(" AND next_check <= ?{}", next());
    out.parameters.emplace_back(rows::DueByMicros(*query.due_by));
  }
  if (query.created_since.has_value()) {
    where += fmt::format(" AND created_at >= ?{}", next());
    out.parameters.emplace_back(rows::CreatedSinceMicros(*query.created_since));
  }
  where += fmt::format(" ORDER BY {} LIMIT ?{}", id, next());
  out.parameters.emplace_back(static_cast<int64_t>(query.limit));
  out.sql = SelectTicketsSql(where);
  return out;
}

void BindQuery(Statement& statement, const QuerySql& query) {
  for (size_t i = 0; i < query.parameters.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    if (const auto* text = std::get_if<std::string>(&query.parameters[i])) {
      statement.BindText(index, *text);
    } else {
      statement.BindInt(index, std::get<int64_t>(query.parameters[i]));
    }
  }
}

}  // namespace ccengine::sqlite::ticket_schema
