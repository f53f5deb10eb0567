// The SQLite ticket store's file layout (see ticket_schema.h).

#include "ticket_schema.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
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

constexpr int64_t kMaxMicros = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinMicros = std::numeric_limits<int64_t>::min();

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

constexpr std::array<Migration, 1> kMigrations = {{{1, kSchemaV1}}};

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

bool TimeFits(absl::Time t) {
  return t == absl::InfiniteFuture() || t == absl::InfinitePast() ||
         (t >= absl::FromUnixMicros(kMinMicros + 1) &&
          t < absl::FromUnixMicros(kMaxMicros));
}

bool DurationFits(absl::Duration d) {
  return d == absl::InfiniteDuration() || d == -absl::InfiniteDuration() ||
         (d > absl::Microseconds(kMinMicros) && d < absl::Microseconds(kMaxMicros));
}

// Only for times that fit: the infinite ones map to the sentinels (absl
// saturates), finite ones round down.
int64_t TimeToMicros(absl::Time t) { return absl::ToUnixMicros(t); }

absl::Time MicrosToTime(int64_t micros) {
  if (micros == kMaxMicros) return absl::InfiniteFuture();
  if (micros == kMinMicros) return absl::InfinitePast();
  return absl::FromUnixMicros(micros);
}

int64_t DurationToMicros(absl::Duration d) { return absl::ToInt64Microseconds(d); }

absl::Duration MicrosToDuration(int64_t micros) {
  if (micros == kMaxMicros) return absl::InfiniteDuration();
  if (micros == kMinMicros) return -absl::InfiniteDuration();
  return absl::Microseconds(micros);
}

std::optional<int64_t> OptionalTime(const std::optional<absl::Time>& t) {
  if (!t.has_value()) return std::nullopt;
  return TimeToMicros(*t);
}

std::optional<absl::Time> ReadOptionalTime(const Statement& statement, int column) {
  std::optional<int64_t> micros = statement.ColumnOptionalInt(column);
  if (!micros.has_value()) return std::nullopt;
  return MicrosToTime(*micros);
}

absl::Time RoundTime(absl::Time t) { return MicrosToTime(TimeToMicros(t)); }

absl::Duration RoundDuration(absl::Duration d) {
  return MicrosToDuration(DurationToMicros(d));
}

// The enum is unsigned: only the upper end needs a check.
bool StateKnown(TicketState state) {
  return static_cast<int>(state) < tickets::kTicketStateCount;
}

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

// --- clocks -------------------------------------------------------------------

void BindClock(Statement& statement, int first_column, const SlaClock& clock) {
  const int p = first_column + 1;  // parameter of the clock's first column
  statement.BindOptionalInt(p + kDue, OptionalTime(clock.due));
  statement.BindOptionalInt(p + kWarnAt, OptionalTime(clock.warn_at));
  statement.BindInt(p + kRemaining, DurationToMicros(clock.remaining));
  statement.BindInt(p + kPaused, clock.paused ? 1 : 0);
  statement.BindInt(p + kWarned, clock.warned ? 1 : 0);
  statement.BindInt(p + kBreached, clock.breached ? 1 : 0);
  statement.BindInt(p + kStopped, clock.stopped ? 1 : 0);
  statement.BindOptionalInt(p + kStoppedAt, OptionalTime(clock.stopped_at));
}

SlaClock ReadClock(const Statement& statement, int first_column) {
  const int c = first_column;
  SlaClock clock;
  clock.due = ReadOptionalTime(statement, c + kDue);
  clock.warn_at = ReadOptionalTime(statement, c + kWarnAt);
  clock.remaining = MicrosToDuration(statement.ColumnInt(c + kRemaining));
  clock.paused = statement.ColumnInt(c + kPaused) != 0;
  clock.warned = statement.ColumnInt(c + kWarned) != 0;
  clock.breached = statement.ColumnInt(c + kBreached) != 0;
  clock.stopped = statement.ColumnInt(c + kStopped) != 0;
  clock.stopped_at = ReadOptionalTime(statement, c + kStoppedAt);
  return clock;
}

absl::Status CheckClock(std::string_view name, const SlaClock& clock) {
  const std::pair<std::string_view, std::optional<absl::Time>> times[] = {
      {"due", clock.due}, {"warn_at", clock.warn_at}, {"stopped_at", clock.stopped_at}};
  for (const auto& [field, t] : times) {
    if (t.has_value() && !TimeFits(*t)) {
      return absl::InvalidArgumentError(
          fmt::format("ticket {}.{}: {} is outside the times the store holds", name,
                      field, absl::FormatTime(*t)));
    }
  }
  if (!DurationFits(clock.remaining)) {
    return absl::InvalidArgumentError(
        fmt::format("ticket {}.remaining: {} is outside the durations the store holds",
                    name, absl::FormatDuration(clock.remaining)));
  }
  return absl::OkStatus();
}

void RoundClock(SlaClock& clock) {
  for (std::optional<absl::Time>* t : {&clock.due, &clock.warn_at, &clock.stopped_at}) {
    if (t->has_value()) **t = RoundTime(**t);
  }
  clock.remaining = RoundDuration(clock.remaining);
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
  statement.BindInt(param(kCreatedAt), TimeToMicros(ticket.created_at));
  statement.BindInt(param(kUpdatedAt), TimeToMicros(ticket.updated_at));
  statement.BindInt(param(kQueuedSince), TimeToMicros(ticket.queued_since));
  statement.BindText(param(kAssignee), ticket.assignee);
  statement.BindInt(param(kDuplicateOf), ticket.duplicate_of);
  statement.BindInt(param(kParent), ticket.parent);
  statement.BindInt(param(kIsMaster), ticket.is_master ? 1 : 0);
  statement.BindInt(param(kEscalationLevel), ticket.escalation_level);
  statement.BindInt(param(kReopenCount), ticket.reopen_count);
  BindClock(statement, kFirstResponseDue, ticket.first_response);
  BindClock(statement, kResolutionDue, ticket.resolution);
  std::optional<int64_t> extension;
  if (ticket.extension_requested.has_value()) {
    extension = DurationToMicros(*ticket.extension_requested);
  }
  statement.BindOptionalInt(param(kExtensionRequested), extension);
  statement.BindInt(param(kNextCheck), TimeToMicros(ticket.next_check));
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
  ticket.created_at = MicrosToTime(statement.ColumnInt(kCreatedAt));
  ticket.updated_at = MicrosToTime(statement.ColumnInt(kUpdatedAt));
  ticket.queued_since = MicrosToTime(statement.ColumnInt(kQueuedSince));
  ticket.assignee = statement.ColumnText(kAssignee);
  ticket.duplicate_of = statement.ColumnInt(kDuplicateOf);
  ticket.parent = statement.ColumnInt(kParent);
  ticket.is_master = statement.ColumnInt(kIsMaster) != 0;
  ticket.escalation_level = static_cast<int>(statement.ColumnInt(kEscalationLevel));
  ticket.reopen_count = static_cast<int>(statement.ColumnInt(kReopenCount));
  ticket.first_response = ReadClock(statement, kFirstResponseDue);
  ticket.resolution = ReadClock(statement, kResolutionDue);
  std::optional<int64_t> extension = statement.ColumnOptionalInt(kExtensionRequested);
  if (extension.has_value()) ticket.extension_requested = MicrosToDuration(*extension);
  ticket.next_check = MicrosToTime(statement.ColumnInt(kNextCheck));
  return ticket;
}

void BindHistoryEntry(Statement& statement, const HistoryEntry& entry) {
  statement.BindInt(2, TimeToMicros(entry.at));
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
  entry.at = MicrosToTime(statement.ColumnInt(2));
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
  if (query.open_only) {
    where += fmt::format(" AND state NOT IN ('{}', '{}', '{}')",
                         tickets::TicketStateName(TicketState::kClosed),
                         tickets::TicketStateName(TicketState::kMerged),
                         tickets::TicketStateName(TicketState::kCancelled));
  }
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
    out.parameters.emplace_back(DueByMicros(*query.due_by));
  }
  if (query.created_since.has_value()) {
    where += fmt::format(" AND created_at >= ?{}", next());
    out.parameters.emplace_back(CreatedSinceMicros(*query.created_since));
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

absl::Status CheckStorable(const Ticket& ticket) {
  if (!StateKnown(ticket.state)) {
    return absl::InvalidArgumentError(fmt::format(
        "ticket state: {} is not a ticket state", static_cast<int>(ticket.state)));
  }
  const std::pair<std::string_view, absl::Time> times[] = {
      {"created_at", ticket.created_at},
      {"updated_at", ticket.updated_at},
      {"queued_since", ticket.queued_since},
      {"next_check", ticket.next_check},
  };
  for (const auto& [field, t] : times) {
    if (!TimeFits(t)) {
      return absl::InvalidArgumentError(
          fmt::format("ticket {}: {} is outside the times the store holds", field,
                      absl::FormatTime(t)));
    }
  }
  if (absl::Status s = CheckClock("first_response", ticket.first_response); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckClock("resolution", ticket.resolution); !s.ok()) return s;
  if (ticket.extension_requested.has_value() &&
      !DurationFits(*ticket.extension_requested)) {
    return absl::InvalidArgumentError(
        fmt::format("ticket extension_requested: {} is outside the durations the store "
                    "holds",
                    absl::FormatDuration(*ticket.extension_requested)));
  }
  return absl::OkStatus();
}

absl::Status CheckStorable(const HistoryEntry& entry) {
  if (!StateKnown(entry.from) || !StateKnown(entry.to)) {
    return absl::InvalidArgumentError(
        fmt::format("history entry: state {} -> {} is not a ticket state",
                    static_cast<int>(entry.from), static_cast<int>(entry.to)));
  }
  if (!TimeFits(entry.at)) {
    return absl::InvalidArgumentError(
        fmt::format("history entry at: {} is outside the times the store holds",
                    absl::FormatTime(entry.at)));
  }
  return absl::OkStatus();
}

Ticket AsStored(Ticket ticket) {
  for (absl::Time* t : {&ticket.created_at, &ticket.updated_at, &ticket.queued_since,
                        &ticket.next_check}) {
    *t = RoundTime(*t);
  }
  RoundClock(ticket.first_response);
  RoundClock(ticket.resolution);
  if (ticket.extension_requested.has_value()) {
    ticket.extension_requested = RoundDuration(*ticket.extension_requested);
  }
  return ticket;
}

int64_t DueByMicros(absl::Time t) {
  // next_check <= t. Above every finite time the file holds: all of them, not
  // InfiniteFuture; below: InfinitePast only.
  if (t == absl::InfiniteFuture()) return kMaxMicros;
  if (t == absl::InfinitePast()) return kMinMicros;
  if (t >= absl::FromUnixMicros(kMaxMicros)) return kMaxMicros - 1;
  if (t < absl::FromUnixMicros(kMinMicros + 1)) return kMinMicros;
  return absl::ToUnixMicros(t);  // rounded down: stored times are whole micros
}

int64_t CreatedSinceMicros(absl::Time t) {
  // created_at >= t. Above every finite time the file holds: InfiniteFuture
  // only; below: all of them, not InfinitePast.
  if (t == absl::InfiniteFuture()) return kMaxMicros;
  if (t == absl::InfinitePast()) return kMinMicros;
  if (t >= absl::FromUnixMicros(kMaxMicros)) return kMaxMicros;
  if (t < absl::FromUnixMicros(kMinMicros + 1)) return kMinMicros + 1;
  const int64_t down = absl::ToUnixMicros(t);
  return absl::FromUnixMicros(down) == t ? down : down + 1;  // rounded up
}

}  // namespace ccengine::sqlite::ticket_schema
