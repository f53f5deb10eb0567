// The PostgreSQL ticket store's database layout (see ticket_schema.h).

#include "ticket_schema.h"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ccengine/text/tokenizer.h"
#include "ccengine/tickets/row_codec.h"
#include "ccengine/tickets/store.h"
#include "ccengine/tickets/ticket.h"
#include "fmt/format.h"
#include "pg_conn.h"
#include "text_array.h"

namespace ccengine::postgres::ticket_schema {
namespace {

using tickets::HistoryEntry;
using tickets::SlaClock;
using tickets::Ticket;
using tickets::TicketState;
namespace rows = tickets::rows;

// Version 1. `history_seq` is the seq of the ticket's last history entry:
// the statement that appends an entry raises it on the ticket's row, which
// it holds locked until commit, so concurrent writers never draw the same
// seq, and a rolled-back one leaves no gap.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE tickets (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  version BIGINT NOT NULL,
  history_seq BIGINT NOT NULL,
  category TEXT NOT NULL,
  department TEXT NOT NULL,
  state TEXT NOT NULL,
  priority INTEGER NOT NULL,
  text TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  address TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  queued_since BIGINT NOT NULL,
  assignee TEXT NOT NULL,
  duplicate_of BIGINT NOT NULL,
  parent BIGINT NOT NULL,
  is_master BOOLEAN NOT NULL,
  escalation_level INTEGER NOT NULL,
  reopen_count INTEGER NOT NULL,
  first_response_due BIGINT,
  first_response_warn_at BIGINT,
  first_response_remaining BIGINT NOT NULL,
  first_response_paused BOOLEAN NOT NULL,
  first_response_warned BOOLEAN NOT NULL,
  first_response_breached BOOLEAN NOT NULL,
  first_response_stopped BOOLEAN NOT NULL,
  first_response_stopped_at BIGINT,
  resolution_due BIGINT,
  resolution_warn_at BIGINT,
  resolution_remaining BIGINT NOT NULL,
  resolution_paused BOOLEAN NOT NULL,
  resolution_warned BOOLEAN NOT NULL,
  resolution_breached BOOLEAN NOT NULL,
  resolution_stopped BOOLEAN NOT NULL,
  resolution_stopped_at BIGINT,
  extension_requested BIGINT,
  next_check BIGINT NOT NULL,
  field_names TEXT[] NOT NULL,
  field_values TEXT[] NOT NULL,
  CHECK (cardinality(field_names) = cardinality(field_values))
);

CREATE TABLE ticket_history (
  ticket BIGINT NOT NULL REFERENCES tickets (id),
  seq BIGINT NOT NULL,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (ticket, seq)
);

-- One per query condition. Children are looked up by a non-zero parent only.
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
ALTER TABLE tickets ADD COLUMN anonymized BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX tickets_to_anonymize ON tickets (updated_at) WHERE NOT anonymized;
)sql";

constexpr std::array<Migration, 2> kMigrations = {{{1, kSchemaV1}, {2, kSchemaV2}}};

// The columns a ticket statement returns, in this order.
enum TicketColumn : int {
  kId,
  kVersion,
  kCategory,  // from here on: the columns `AddTicket` writes, in order
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
  kFieldNames,
  kFieldValues,
  kAnonymized,  // version 2
  kTicketColumnCount,
};

struct Column {
  std::string_view name;
  std::string_view type;  // the parameter's cast
};

// In `TicketColumn` order.
constexpr std::array<Column, kTicketColumnCount> kColumns = {{
    {"id", "bigint"},
    {"version", "bigint"},
    {"category", "text"},
    {"department", "text"},
    {"state", "text"},
    {"priority", "integer"},
    {"text", "text"},
    {"customer_id", "text"},
    {"address", "text"},
    {"created_at", "bigint"},
    {"updated_at", "bigint"},
    {"queued_since", "bigint"},
    {"assignee", "text"},
    {"duplicate_of", "bigint"},
    {"parent", "bigint"},
    {"is_master", "boolean"},
    {"escalation_level", "integer"},
    {"reopen_count", "integer"},
    {"first_response_due", "bigint"},
    {"first_response_warn_at", "bigint"},
    {"first_response_remaining", "bigint"},
    {"first_response_paused", "boolean"},
    {"first_response_warned", "boolean"},
    {"first_response_breached", "boolean"},
    {"first_response_stopped", "boolean"},
    {"first_response_stopped_at", "bigint"},
    {"resolution_due", "bigint"},
    {"resolution_warn_at", "bigint"},
    {"resolution_remaining", "bigint"},
    {"resolution_paused", "boolean"},
    {"resolution_warned", "boolean"},
    {"resolution_breached", "boolean"},
    {"resolution_stopped", "boolean"},
    {"resolution_stopped_at", "bigint"},
    {"extension_requested", "bigint"},
    {"next_check", "bigint"},
    {"field_names", "text[]"},
    {"field_values", "text[]"},
    {"anonymized", "boolean"},
}};

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

// The columns of a history entry, as `HistorySql` returns them; the ones
// from `at` on are `AddHistoryEntry`'s parameters, in order.
constexpr std::array<Column, 8> kHistoryColumns = {{
    {"ticket", "bigint"},
    {"seq", "bigint"},
    {"at", "bigint"},
    {"actor", "text"},
    {"action", "text"},
    {"from_state", "text"},
    {"to_state", "text"},
    {"reason", "text"},
}};
constexpr int kHistoryFirstParameter = 2;  // `at`

// The number of parameters `AddTicket` adds.
constexpr int kTicketParameters = kTicketColumnCount - kCategory;

// --- values -------------------------------------------------------------------

bool HasNul(std::string_view s) { return std::find(s.begin(), s.end(), '\0') != s.end(); }

absl::Status CheckNoNul(std::string_view field, std::string_view value) {
  if (!HasNul(value)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      fmt::format("ticket {}: a NUL byte at offset {} (the store cannot hold one)", field,
                  value.find('\0')));
}

// A string the database could hold: valid UTF-8 without a NUL byte.
bool Storable(std::string_view s) { return !HasNul(s) && text::ValidateUtf8(s).ok(); }

// --- reading rows -------------------------------------------------------------

// One row of a result, read column by column; the first error is kept (with
// the column's name) and returned by `status()`.
class RowReader {
 public:
  RowReader(const PGresult* result, int row, std::string what)
      : result_(result), row_(row), what_(std::move(what)) {}

  bool IsNull(int column) const { return PQgetisnull(result_, row_, column) != 0; }

  std::string Text(int column) {
    return std::string(PQgetvalue(result_, row_, column),
                       static_cast<size_t>(PQgetlength(result_, row_, column)));
  }

  int64_t Int(int column) {
    if (IsNull(column)) {
      Fail(column, "NULL");
      return 0;
    }
    const std::string_view text(PQgetvalue(result_, row_, column),
                                static_cast<size_t>(PQgetlength(result_, row_, column)));
    int64_t value = 0;
    const auto [end, error] =
        std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
      Fail(column, fmt::format("\"{}\"", text));
    }
    return value;
  }

  int Int32(int column) {
    const int64_t value = Int(column);
    if (value < std::numeric_limits<int>::min() ||
        value > std::numeric_limits<int>::max()) {
      Fail(column, std::to_string(value));
      return 0;
    }
    return static_cast<int>(value);
  }

  std::optional<int64_t> OptionalInt(int column) {
    if (IsNull(column)) return std::nullopt;
    return Int(column);
  }

  std::optional<absl::Time> OptionalTime(int column) {
    std::optional<int64_t> micros = OptionalInt(column);
    if (!micros.has_value()) return std::nullopt;
    return rows::MicrosToTime(*micros);
  }

  bool Bool(int column) {
    const std::string text = Text(column);
    if (text == "t") return true;
    if (text != "f") Fail(column, fmt::format("\"{}\"", text));
    return false;
  }

  TicketState State(int column) {
    const std::string name = Text(column);
    std::optional<TicketState> state = tickets::ParseTicketState(name);
    if (!state.has_value()) {
      Fail(column, fmt::format("the unknown state \"{}\"", name));
      return TicketState::kNew;
    }
    return *state;
  }

  std::vector<std::string> TextArray(int column) {
    absl::StatusOr<std::vector<std::string>> elements = ParseTextArray(Text(column));
    if (!elements.ok()) {
      Fail(column, std::string(elements.status().message()));
      return {};
    }
    return *std::move(elements);
  }

  absl::Status status() const { return status_; }

 private:
  void Fail(int column, std::string_view value) {
    if (!status_.ok()) return;
    status_ = absl::InternalError(fmt::format("{}: the database holds {} in column {}",
                                              what_, value, PQfname(result_, column)));
  }

  const PGresult* result_;
  int row_;
  std::string what_;
  absl::Status status_;
};

// --- clocks -------------------------------------------------------------------

void AddClock(Params& params, const SlaClock& clock) {
  params.OptionalInt(rows::OptionalTime(clock.due));
  params.OptionalInt(rows::OptionalTime(clock.warn_at));
  params.Int(rows::DurationToMicros(clock.remaining));
  params.Bool(clock.paused);
  params.Bool(clock.warned);
  params.Bool(clock.breached);
  params.Bool(clock.stopped);
  params.OptionalInt(rows::OptionalTime(clock.stopped_at));
}

SlaClock ReadClock(RowReader& row, int first_column) {
  const int c = first_column;
  SlaClock clock;
  clock.due = row.OptionalTime(c + kDue);
  clock.warn_at = row.OptionalTime(c + kWarnAt);
  clock.remaining = rows::MicrosToDuration(row.Int(c + kRemaining));
  clock.paused = row.Bool(c + kPaused);
  clock.warned = row.Bool(c + kWarned);
  clock.breached = row.Bool(c + kBreached);
  clock.stopped = row.Bool(c + kStopped);
  clock.stopped_at = row.OptionalTime(c + kStoppedAt);
  return clock;
}

// --- SQL ----------------------------------------------------------------------

// "name, name, ..." of columns [first, last).
std::string Names(absl::Span<const Column> columns, size_t first, size_t last) {
  std::string out;
  for (size_t c = first; c < last; ++c) {
    if (c > first) out += ", ";
    out += columns[c].name;
  }
  return out;
}

// "$p::type, ..." for columns [first, last), numbered from `parameter`.
std::string Placeholders(absl::Span<const Column> columns, size_t first, size_t last,
                         int parameter) {
  std::string out;
  for (size_t c = first; c < last; ++c) {
    if (c > first) out += ", ";
    out += fmt::format("${}::{}", parameter++, columns[c].type);
  }
  return out;
}

std::string SelectTickets(std::string_view rest) {
  return fmt::format("SELECT {} FROM tickets {}", Names(kColumns, 0, kTicketColumnCount),
                     rest);
}

// "INSERT INTO ticket_history ... SELECT t.id, <seq>, <the entry's
// parameters from `parameter`> FROM t".
std::string InsertHistoryFromT(std::string_view seq, int parameter) {
  return fmt::format("INSERT INTO ticket_history ({}) SELECT t.id, {}, {} FROM t",
                     Names(kHistoryColumns, 0, kHistoryColumns.size()), seq,
                     Placeholders(kHistoryColumns, kHistoryFirstParameter,
                                  kHistoryColumns.size(), parameter));
}

}  // namespace

const StoreSchema& Schema() {
  // The store, its version table, its main table, the migration lock ("cctk").
  static constexpr StoreSchema kSchema = {"ticket store", "ticket_store_schema",
                                          "tickets", 0x6363746b, kMigrations};
  return kSchema;
}

std::string CreateSql() {
  return fmt::format(
      "WITH t AS (INSERT INTO tickets (version, history_seq, {}) VALUES (1, 1, {}) "
      "RETURNING id) {} RETURNING ticket",
      Names(kColumns, kCategory, kTicketColumnCount),
      Placeholders(kColumns, kCategory, kTicketColumnCount, 1),
      InsertHistoryFromT("1", 1 + kTicketParameters));
}

std::string UpdateSql() {
  std::string set = "version = version + 1, history_seq = history_seq + 1";
  int parameter = 3;
  for (size_t c = kCategory; c < kTicketColumnCount; ++c) {
    set += fmt::format(", {} = ${}::{}", kColumns[c].name, parameter++, kColumns[c].type);
  }
  return fmt::format(
      "WITH t AS (UPDATE tickets SET {} WHERE id = $1::bigint AND version = $2::bigint "
      "RETURNING id, history_seq) {} RETURNING seq",
      set, InsertHistoryFromT("t.history_seq", parameter));
}

std::string GetSql() { return SelectTickets("WHERE id = $1::bigint"); }

std::string OpenTicketsOfCustomerSql() {
  return fmt::format(
      "SELECT id FROM tickets WHERE customer_id = $1::text AND state NOT IN {} ORDER BY "
      "id",
      rows::FinishedStatesSql());
}

std::string AnonymizeSql(bool erase) {
  // Open tickets are never selected, even one an erasure request's customer
  // opened after the check: the request covers the work finished before it.
  const std::string selected =
      erase ? fmt::format("customer_id = $1::text AND state IN {}",
                          rows::FinishedStatesSql())
            : fmt::format("updated_at < $1::bigint AND state IN {}",
                          rows::FinishedStatesSql());
  return fmt::format(
      "WITH t AS (UPDATE tickets SET text = '', customer_id = '', address = '', "
      "field_names = '{{}}', field_values = '{{}}', anonymized = true, "
      "version = version + 1, history_seq = history_seq + 1 "
      "WHERE id IN (SELECT id FROM tickets WHERE {} AND NOT anonymized ORDER BY id "
      "LIMIT $2::bigint FOR UPDATE) RETURNING id, history_seq, state), "
      "r AS (UPDATE ticket_history h SET reason = '' FROM t WHERE h.ticket = t.id) "
      "INSERT INTO ticket_history (ticket, seq, at, actor, action, from_state, to_state, "
      "reason) SELECT t.id, t.history_seq, $3::bigint, $4::text, $5::text, t.state, "
      "t.state, $6::text FROM t RETURNING ticket",
      selected);
}

std::string ChildrenSql() {
  return SelectTickets("WHERE parent = $1::bigint AND parent <> 0 ORDER BY id");
}

std::string HistorySql() {
  std::string columns;
  for (size_t c = 0; c < kHistoryColumns.size(); ++c) {
    if (c > 0) columns += ", ";
    columns += fmt::format("h.{}", kHistoryColumns[c].name);
  }
  return fmt::format(
      "SELECT {} FROM tickets t LEFT JOIN ticket_history h ON h.ticket = t.id "
      "WHERE t.id = $1::bigint ORDER BY h.seq",
      columns);
}

// In `TicketColumn` order from kCategory: a column added there without its
// parameter here makes every statement fail (the server counts them).
void AddTicket(Params& params, const Ticket& ticket) {
  params.Text(ticket.category);
  params.Text(ticket.department);
  params.Text(tickets::TicketStateName(ticket.state));
  params.Int(ticket.priority);
  params.Text(ticket.text);
  params.Text(ticket.customer_id);
  params.Text(ticket.address);
  params.Int(rows::TimeToMicros(ticket.created_at));
  params.Int(rows::TimeToMicros(ticket.updated_at));
  params.Int(rows::TimeToMicros(ticket.queued_since));
  params.Text(ticket.assignee);
  params.Int(ticket.duplicate_of);
  params.Int(ticket.parent);
  params.Bool(ticket.is_master);
  params.Int(ticket.escalation_level);
  params.Int(ticket.reopen_count);
  AddClock(params, ticket.first_response);
  AddClock(params, ticket.resolution);
  params.OptionalInt(rows::OptionalDuration(ticket.extension_requested));
  params.Int(rows::TimeToMicros(ticket.next_check));
  std::vector<std::string> names;
  std::vector<std::string> values;
  names.reserve(ticket.fields.size());
  values.reserve(ticket.fields.size());
  for (const auto& [name, value] : ticket.fields) {
    names.push_back(name);
    values.push_back(value);
  }
  params.Text(TextArrayLiteral(names));
  params.Text(TextArrayLiteral(values));
  params.Bool(ticket.anonymized);
}

void AddHistoryEntry(Params& params, const HistoryEntry& entry) {
  params.Int(rows::TimeToMicros(entry.at));
  params.Text(entry.actor);
  params.Text(entry.action);
  params.Text(tickets::TicketStateName(entry.from));
  params.Text(tickets::TicketStateName(entry.to));
  params.Text(entry.reason);
}

absl::StatusOr<Ticket> ReadTicket(const PGresult* result, int row) {
  if (PQnfields(result) != kTicketColumnCount) {
    return absl::InternalError(fmt::format("a ticket row has {} columns, not {}",
                                           PQnfields(result), kTicketColumnCount));
  }
  Ticket ticket;
  {
    RowReader id_reader(result, row, "a ticket");
    ticket.id = id_reader.Int(kId);
    if (!id_reader.status().ok()) return id_reader.status();
  }
  RowReader r(result, row, fmt::format("ticket {}", ticket.id));
  ticket.version = r.Int(kVersion);
  ticket.category = r.Text(kCategory);
  ticket.department = r.Text(kDepartment);
  ticket.state = r.State(kState);
  ticket.priority = r.Int32(kPriority);
  ticket.text = r.Text(kText);
  ticket.customer_id = r.Text(kCustomerId);
  ticket.address = r.Text(kAddress);
  ticket.created_at = rows::MicrosToTime(r.Int(kCreatedAt));
  ticket.updated_at = rows::MicrosToTime(r.Int(kUpdatedAt));
  ticket.queued_since = rows::MicrosToTime(r.Int(kQueuedSince));
  ticket.assignee = r.Text(kAssignee);
  ticket.duplicate_of = r.Int(kDuplicateOf);
  ticket.parent = r.Int(kParent);
  ticket.is_master = r.Bool(kIsMaster);
  ticket.escalation_level = r.Int32(kEscalationLevel);
  ticket.reopen_count = r.Int32(kReopenCount);
  ticket.first_response = ReadClock(r, kFirstResponseDue);
  ticket.resolution = ReadClock(r, kResolutionDue);
  std::optional<int64_t> extension = r.OptionalInt(kExtensionRequested);
  if (extension.has_value())
    ticket.extension_requested = rows::MicrosToDuration(*extension);
  ticket.next_check = rows::MicrosToTime(r.Int(kNextCheck));
  std::vector<std::string> names = r.TextArray(kFieldNames);
  std::vector<std::string> values = r.TextArray(kFieldValues);
  ticket.anonymized = r.Bool(kAnonymized);
  if (!r.status().ok()) return r.status();
  if (names.size() != values.size()) {
    return absl::InternalError(
        fmt::format("ticket {}: the database holds {} field names but {} values",
                    ticket.id, names.size(), values.size()));
  }
  ticket.fields.reserve(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    ticket.fields.emplace_back(std::move(names[i]), std::move(values[i]));
  }
  return ticket;
}

absl::StatusOr<HistoryEntry> ReadHistoryEntry(const PGresult* result, int row) {
  RowReader first(result, row, "a history entry");
  HistoryEntry entry;
  entry.ticket = first.Int(0);
  entry.seq = first.Int(1);
  if (!first.status().ok()) return first.status();
  RowReader r(result, row, fmt::format("ticket {} history {}", entry.ticket, entry.seq));
  entry.at = rows::MicrosToTime(r.Int(2));
  entry.actor = r.Text(3);
  entry.action = r.Text(4);
  entry.from = r.State(5);
  entry.to = r.State(6);
  entry.reason = r.Text(7);
  if (!r.status().ok()) return r.status();
  return entry;
}

absl::StatusOr<int64_t> ReadInt(const PGresult* result, int row, int column) {
  RowReader r(result, row, "a reply");
  const int64_t value = r.Int(column);
  if (!r.status().ok()) return r.status();
  return value;
}

QuerySql BuildQuery(const tickets::TicketQuery& query) {
  QuerySql out;
  auto next = [&out] { return out.params.size() + 1; };
  std::string where = "WHERE id > $1::bigint";
  out.params.Int(query.after_id);
  if (!query.states.empty()) {
    std::vector<std::string> names;
    names.reserve(query.states.size());
    for (TicketState state : query.states) {
      names.emplace_back(tickets::TicketStateName(state));
    }
    where += fmt::format(" AND state = ANY(${}::text[])", next());
    out.params.Text(TextArrayLiteral(names));
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
    if (!Storable(**value)) out.matches_nothing = true;
    where += fmt::format(" AND {} = ${}::text", column, next());
    out.params.Text(**value);
  }
  if (query.due_by.has_value()) {
    where += fmt::format(" AND next_check <= ${}::bigint", next());
    out.params.Int(rows::DueByMicros(*query.due_by));
  }
  if (query.created_since.has_value()) {
    where += fmt::format(" AND created_at >= ${}::bigint", next());
    out.params.Int(rows::CreatedSinceMicros(*query.created_since));
  }
  where += fmt::format(" ORDER BY id LIMIT ${}::bigint", next());
  out.params.Int(static_cast<int64_t>(query.limit));
  out.sql = SelectTickets(where);
  return out;
}

absl::Status CheckStorable(const Ticket& ticket) {
  if (absl::Status s = rows::CheckStorable(ticket); !s.ok()) return s;
  const std::pair<std::string_view, const std::string*> strings[] = {
      {"category", &ticket.category}, {"department", &ticket.department},
      {"text", &ticket.text},         {"customer_id", &ticket.customer_id},
      {"address", &ticket.address},   {"assignee", &ticket.assignee},
  };
  for (const auto& [field, value] : strings) {
    if (absl::Status s = CheckNoNul(field, *value); !s.ok()) return s;
  }
  for (const auto& [name, value] : ticket.fields) {
    if (absl::Status s = CheckNoNul("field name", name); !s.ok()) return s;
    if (absl::Status s = CheckNoNul(fmt::format("field {}", name), value); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckStorable(const HistoryEntry& entry) {
  if (absl::Status s = rows::CheckStorable(entry); !s.ok()) return s;
  const std::pair<std::string_view, const std::string*> strings[] = {
      {"actor", &entry.actor}, {"action", &entry.action}, {"reason", &entry.reason}};
  for (const auto& [field, value] : strings) {
    if (HasNul(*value)) {
      return absl::InvalidArgumentError(
          fmt::format("history entry {}: a NUL byte (the store cannot hold one)", field));
    }
    if (absl::Status s = text::ValidateUtf8(*value); !s.ok()) {
      return absl::InvalidArgumentError(
          fmt::format("history entry {}: {}", field, std::string(s.message())));
    }
  }
  return absl::OkStatus();
}

}  // namespace ccengine::postgres::ticket_schema
