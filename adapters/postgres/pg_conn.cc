// The libpq layer of the PostgreSQL stores (see pg_conn.h): connections with
// deadlines on libpq's asynchronous calls, so that no call waits on a dead
// server longer than the store's timeouts allow.

#include "pg_conn.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "fmt/format.h"

namespace ccengine::postgres {
namespace {

// libpq's messages end with a newline and may run over several lines: one
// line, each run of white space one space.
std::string Tidy(std::string_view message) {
  std::string out;
  bool space = false;
  for (char c : message) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Waits until the socket is ready for `events` (POLLIN, POLLOUT) or the
// deadline passes (DeadlineExceeded).
absl::Status WaitSocket(int fd, short events, absl::Time deadline) {
  if (fd < 0) return absl::UnavailableError("no socket");
  for (;;) {
    int timeout_ms = -1;
    if (deadline != absl::InfiniteFuture()) {
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) return absl::DeadlineExceededError("timed out");
      timeout_ms = static_cast<int>(std::min<int64_t>(
          absl::ToInt64Milliseconds(absl::Ceil(left, absl::Milliseconds(1))),
          int64_t{1} << 30));
    }
    pollfd p{};
    p.fd = fd;
    p.events = events;
    const int n = poll(&p, 1, timeout_ms);
    if (n > 0) return absl::OkStatus();
    if (n == 0) continue;  // the deadline is checked at the top
    if (errno == EINTR) continue;
    return absl::UnavailableError(fmt::format("poll: {}", std::strerror(errno)));
  }
}

// The schema version the database holds (FailedPrecondition when the version
// table does not hold exactly one row).
absl::StatusOr<int64_t> SchemaVersion(Connection& connection, const StoreSchema& schema) {
  absl::StatusOr<PgResult> result =
      connection.Exec(fmt::format("SELECT version FROM {}", schema.version_table));
  if (!result.ok()) return result.status();
  if (PQntuples(result->get()) != 1) {
    return absl::FailedPreconditionError(
        fmt::format("{}: {} holds {} rows, not one", connection.description(),
                    schema.version_table, PQntuples(result->get())));
  }
  const std::string_view text(PQgetvalue(result->get(), 0, 0),
                              static_cast<size_t>(PQgetlength(result->get(), 0, 0)));
  int64_t version = 0;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), version);
  if (PQgetisnull(result->get(), 0, 0) != 0 || error != std::errc() ||
      end != text.data() + text.size()) {
    return absl::InternalError(
        fmt::format("a reply: the database holds \"{}\" in column version", text));
  }
  return version;
}

int LatestVersion(const StoreSchema& schema) {
  return schema.migrations.empty() ? 0 : schema.migrations.back().version;
}

absl::Status OtherSchema(const Connection& connection, const StoreSchema& schema,
                         int64_t version) {
  const int latest = LatestVersion(schema);
  return absl::FailedPreconditionError(fmt::format(
      "{}: the database's {} schema version {} is {} this code knows (version {})",
      connection.description(), schema.store, version,
      version > latest ? "newer than" : "not the one", latest));
}

absl::Time DeadlineAfter(absl::Duration timeout) {
  return timeout > absl::ZeroDuration() ? absl::Now() + timeout : absl::InfiniteFuture();
}

}  // namespace

bool IsConnectionLoss(std::string_view sqlstate) {
  return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "57P03";
}

absl::Status PgStatus(std::string_view sqlstate, bool lost, std::string_view message) {
  const std::string text = sqlstate.empty()
                               ? std::string(message)
                               : fmt::format("{} (SQLSTATE {})", message, sqlstate);
  if (lost || IsConnectionLoss(sqlstate) || sqlstate == "57014" || sqlstate == "55P03" ||
      sqlstate == "25006") {
    return absl::UnavailableError(text);
  }
  if (sqlstate == "40001" || sqlstate == "40P01") return absl::AbortedError(text);
  if (sqlstate.starts_with("53")) return absl::ResourceExhaustedError(text);
  if (sqlstate == "22021" || sqlstate == "22P05") {
    return absl::InvalidArgumentError(text);
  }
  return absl::InternalError(text);
}

absl::Status Annotate(const absl::Status& status, std::string_view what) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      fmt::format("{}: {}", what, std::string(status.message())));
}

absl::StatusOr<std::string> DescribeDsn(const std::string& dsn) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &error);
  if (options == nullptr) {
    std::string why = error != nullptr ? Tidy(error) : "out of memory";
    PQfreemem(error);
    // libpq quotes a URI it cannot parse, password and all.
    for (size_t at = why.find(dsn); !dsn.empty() && at != std::string::npos;
         at = why.find(dsn, at)) {
      why.replace(at, dsn.size(), "...");
    }
    return absl::InvalidArgumentError(
        fmt::format("postgres: the connection string does not parse: {}", why));
  }
  std::string out = "postgres";
  for (const char* keyword : {"dbname", "host", "hostaddr", "port", "user"}) {
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
      if (std::strcmp(o->keyword, keyword) == 0 && o->val != nullptr &&
          o->val[0] != '\0') {
        out += fmt::format(" {}={}", keyword, o->val);
      }
    }
  }
  PQconninfoFree(options);
  return out;
}

// --- Params -------------------------------------------------------------------

void Params::Int(int64_t value) { values_.emplace_back(std::to_string(value)); }
void Params::Bool(bool value) { values_.emplace_back(value ? "t" : "f"); }
void Params::Text(std::string_view value) { values_.emplace_back(std::string(value)); }
void Params::OptionalInt(std::optional<int64_t> value) {
  if (value.has_value()) {
    Int(*value);
  } else {
    Null();
  }
}
void Params::Null() { values_.emplace_back(std::nullopt); }

std::vector<const char*> Params::Pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const std::optional<std::string>& v : values_) {
    out.push_back(v.has_value() ? v->c_str() : nullptr);
  }
  return out;
}

void PgResultDeleter::operator()(pg_result* result) const { PQclear(result); }

// --- Connection ---------------------------------------------------------------

absl::StatusOr<std::unique_ptr<Connection>> Connection::Connect(
    const ConnectOptions& options) {
  absl::StatusOr<std::string> description = DescribeDsn(options.dsn);
  if (!description.ok()) return description.status();
  const absl::Time deadline = absl::Now() + options.connect_timeout;
  // The dsn is expanded in place of "dbname"; the keywords after it override
  // what it says, the "fallback" one only fills in.
  const char* const keywords[] = {"fallback_application_name", "dbname",
                                  "client_encoding", nullptr};
  const char* const values[] = {"ccengine", options.dsn.c_str(), "UTF8", nullptr};
  PGconn* conn = PQconnectStartParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) {
    return absl::ResourceExhaustedError(
        fmt::format("{}: cannot connect: out of memory", *description));
  }
  auto fail = [&](std::string_view why) {
    absl::Status status =
        absl::UnavailableError(fmt::format("{}: cannot connect: {}", *description, why));
    PQfinish(conn);
    return status;
  };
  if (PQstatus(conn) == CONNECTION_BAD) return fail(Tidy(PQerrorMessage(conn)));
  // As if PQconnectPoll had last asked to write (libpq's documented loop).
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) return fail(Tidy(PQerrorMessage(conn)));
    const short events = state == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    if (absl::Status s = WaitSocket(PQsocket(conn), events, deadline); !s.ok()) {
      if (s.code() != absl::StatusCode::kDeadlineExceeded) {
        return fail(std::string(s.message()));
      }
      return fail(fmt::format("no connection within {}",
                              absl::FormatDuration(options.connect_timeout)));
    }
    state = PQconnectPoll(conn);
  }
  // Non-blocking: every wait below is on our deadlines, not in libpq.
  if (PQsetnonblocking(conn, 1) != 0) return fail(Tidy(PQerrorMessage(conn)));
  // Notices ("relation already exists, skipping") are not errors; libpq
  // would print them to stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<Connection>(
      new Connection(conn, *std::move(description), options.reply_timeout));
}

Connection::Connection(PGconn* conn, std::string description,
                       absl::Duration reply_timeout)
    : conn_(conn), description_(std::move(description)), reply_timeout_(reply_timeout) {}

Connection::~Connection() { PQfinish(conn_); }

absl::StatusOr<PgResult> Connection::Prepared(const std::string& name,
                                              const std::string& sql,
                                              const Params& params) {
  if (lost_) return Lose("the connection was lost earlier");
  if (prepared_.find(name) == prepared_.end()) {
    // Parameter types come from the casts in the SQL ($1::bigint).
    absl::StatusOr<PgResult> prepared =
        Finish(PQsendPrepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
    if (!prepared.ok()) return prepared.status();
    prepared_.insert(name);
  }
  const std::vector<const char*> values = params.Pointers();
  return Finish(PQsendQueryPrepared(conn_, name.c_str(), params.size(), values.data(),
                                    nullptr, nullptr, /*resultFormat=*/0));
}

absl::StatusOr<PgResult> Connection::Exec(const std::string& sql, const Params& params) {
  if (lost_) return Lose("the connection was lost earlier");
  if (params.size() == 0) return Finish(PQsendQuery(conn_, sql.c_str()));
  const std::vector<const char*> values = params.Pointers();
  return Finish(PQsendQueryParams(conn_, sql.c_str(), params.size(), nullptr,
                                  values.data(), nullptr, nullptr, /*resultFormat=*/0));
}

absl::StatusOr<PgResult> Connection::Finish(int sent) {
  if (sent == 0) return ConnectionError();
  const absl::Time deadline = DeadlineAfter(reply_timeout_);
  auto wait = [&](short events) -> absl::Status {
    absl::Status s = WaitSocket(PQsocket(conn_), events, deadline);
    if (s.ok()) return s;
    if (s.code() == absl::StatusCode::kDeadlineExceeded) {
      return Lose(fmt::format("no reply from the server within {}",
                              absl::FormatDuration(reply_timeout_)));
    }
    return Lose(std::string(s.message()));
  };
  // Send what is queued; while the server's socket buffer is full, read
  // what it sends meanwhile so that it can go on reading.
  for (;;) {
    const int flushed = PQflush(conn_);
    if (flushed == 0) break;
    if (flushed < 0) return ConnectionError();
    if (absl::Status s = wait(POLLIN | POLLOUT); !s.ok()) return s;
    if (PQconsumeInput(conn_) == 0) return ConnectionError();
  }
  // Collect every result of the command; the first error wins.
  PgResult last;
  absl::Status error;
  for (;;) {
    while (PQisBusy(conn_) != 0) {
      if (absl::Status s = wait(POLLIN); !s.ok()) return s;
      if (PQconsumeInput(conn_) == 0) return ConnectionError();
    }
    PgResult result(PQgetResult(conn_));
    if (result == nullptr) break;
    switch (PQresultStatus(result.get())) {
      case PGRES_COMMAND_OK:
      case PGRES_TUPLES_OK:
      case PGRES_EMPTY_QUERY: last = std::move(result); break;
      default:
        if (error.ok()) error = ResultError(result.get());
        break;
    }
  }
  if (!error.ok()) return error;
  if (PQstatus(conn_) == CONNECTION_BAD) return ConnectionError();
  return last;
}

absl::Status Connection::ResultError(const PGresult* result) {
  const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  const std::string message =
      Tidy(primary != nullptr ? primary : PQresultErrorMessage(result));
  const std::string_view state = sqlstate != nullptr ? sqlstate : "";
  // A standby answers writes with 25006: drop the connection too, so that
  // the next call connects again (to the new primary, given a list of hosts
  // and target_session_attrs=read-write).
  if (PQstatus(conn_) == CONNECTION_BAD || IsConnectionLoss(state) || state == "25006") {
    lost_ = true;
  }
  return PgStatus(state, lost_, fmt::format("{}: {}", description_, message));
}

absl::Status Connection::ConnectionError() {
  const std::string message = Tidy(PQerrorMessage(conn_));
  if (PQstatus(conn_) == CONNECTION_BAD) {
    return Lose(message.empty() ? "the connection broke" : message);
  }
  return absl::InternalError(fmt::format("{}: {}", description_, message));
}

absl::Status Connection::Lose(std::string_view why) {
  lost_ = true;
  return absl::UnavailableError(
      fmt::format("{}: connection lost: {}", description_, why));
}

bool Connection::CheckIdle() {
  if (lost_) return false;
  if (PQstatus(conn_) != CONNECTION_OK || PQtransactionStatus(conn_) != PQTRANS_IDLE) {
    lost_ = true;
    return false;
  }
  // An idle connection hears from the server only when it ends the session
  // (or with a notice): read it, and see.
  pollfd p{};
  p.fd = PQsocket(conn_);
  p.events = POLLIN;
  if (poll(&p, 1, 0) > 0) {
    if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) == CONNECTION_BAD) {
      lost_ = true;
      return false;
    }
    while (PGnotify* notify = PQnotifies(conn_)) PQfreemem(notify);
    if (PQisBusy(conn_) != 0) {
      lost_ = true;
      return false;
    }
    PgResult stray(PQgetResult(conn_));  // an error the server sent unasked
    if (stray != nullptr) {
      lost_ = true;
      return false;
    }
  }
  return true;
}

bool Connection::InTransaction() const {
  return PQtransactionStatus(conn_) != PQTRANS_IDLE;
}

int Connection::server_version() const { return PQserverVersion(conn_); }

std::string Connection::server_encoding() const {
  const char* encoding = PQparameterStatus(conn_, "server_encoding");
  return encoding != nullptr ? encoding : "";
}

// --- Transaction --------------------------------------------------------------

Transaction::~Transaction() {
  if (!open_ || connection_.lost()) return;
  // When the rollback fails, the connection is lost or still in a
  // transaction: either way the pool drops it (`CheckIdle`).
  (void)connection_.Exec("ROLLBACK");
}

absl::Status Transaction::Begin() {
  absl::StatusOr<PgResult> begun =
      connection_.Exec("BEGIN ISOLATION LEVEL READ COMMITTED");
  if (!begun.ok()) return begun.status();
  open_ = true;
  return absl::OkStatus();
}

absl::Status Transaction::Commit() {
  absl::StatusOr<PgResult> committed = connection_.Exec("COMMIT");
  // Whatever the outcome, the transaction is over: a failed COMMIT ends it
  // (rolled back), and a lost connection takes it with it.
  open_ = false;
  if (!committed.ok()) return committed.status();
  // COMMIT of a transaction that failed earlier answers "ROLLBACK".
  const char* tag = PQcmdStatus(committed->get());
  if (connection_.InTransaction() || tag == nullptr ||
      std::string_view(tag) != "COMMIT") {
    return absl::InternalError(fmt::format("{}: the transaction was not committed ({})",
                                           connection_.description(),
                                           tag != nullptr ? tag : "no reply"));
  }
  return absl::OkStatus();
}

absl::Status SetUpSession(Connection& connection, const SessionOptions& options) {
  if (connection.server_version() < options.min_server_version) {
    return absl::FailedPreconditionError(
        fmt::format("{}: the server is version {}; the {} needs PostgreSQL {} or later",
                    connection.description(), connection.server_version(), options.store,
                    options.min_server_version / 10000));
  }
  if (connection.server_encoding() != "UTF8") {
    return absl::FailedPreconditionError(fmt::format(
        "{}: the database's encoding is {}; the {} needs UTF8", connection.description(),
        connection.server_encoding(), options.store));
  }
  Params params;
  params.Text(std::to_string(absl::ToInt64Milliseconds(
      absl::Ceil(options.statement_timeout, absl::Milliseconds(1)))));
  std::string sql = "SELECT set_config('statement_timeout', $1::text, false)";
  for (const auto& [name, value] : options.settings) {
    sql += fmt::format(", set_config(${}::text, ${}::text, false)", params.size() + 1,
                       params.size() + 2);
    params.Text(name);
    params.Text(value);
  }
  return connection.Exec(sql, params).status();
}

absl::Status Migrate(Connection& connection, const StoreSchema& schema) {
  Transaction txn(connection);
  if (absl::Status s = txn.Begin(); !s.ok()) return s;
  Params lock;
  lock.Int(schema.migration_lock);
  if (absl::Status s =
          connection.Exec("SELECT pg_advisory_xact_lock($1::bigint)", lock).status();
      !s.ok()) {
    return s;
  }
  // Both looked up on the search_path.
  absl::StatusOr<PgResult> tables = connection.Exec(
      fmt::format("SELECT to_regclass('{}') IS NOT NULL, to_regclass('{}') IS NOT NULL",
                  schema.version_table, schema.main_table));
  if (!tables.ok()) return tables.status();
  const bool has_version_table = std::string_view(PQgetvalue(tables->get(), 0, 0)) == "t";
  const bool has_main_table = std::string_view(PQgetvalue(tables->get(), 0, 1)) == "t";
  if (!has_version_table) {
    if (has_main_table) {
      return absl::FailedPreconditionError(
          fmt::format("{}: the database has a {} table but no {}: not a ccengine {}",
                      connection.description(), schema.main_table, schema.version_table,
                      schema.store));
    }
    if (absl::Status s =
            connection
                .Exec(fmt::format(
                    "CREATE TABLE {0} (\n"
                    "  only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),\n"
                    "  version INTEGER NOT NULL\n"
                    ");\n"
                    "INSERT INTO {0} (version) VALUES (0)",
                    schema.version_table))
                .status();
        !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<int64_t> version = SchemaVersion(connection, schema);
  if (!version.ok()) return version.status();
  if (*version > LatestVersion(schema)) return OtherSchema(connection, schema, *version);
  const std::string set_version =
      fmt::format("UPDATE {} SET version = $1::integer", schema.version_table);
  for (const Migration& migration : schema.migrations) {
    if (migration.version <= *version) continue;
    if (absl::Status s = connection.Exec(std::string(migration.sql)).status(); !s.ok()) {
      return Annotate(s,
                      fmt::format("migrating to schema version {}", migration.version));
    }
    Params to;
    to.Int(migration.version);
    if (absl::Status s = connection.Exec(set_version, to).status(); !s.ok()) return s;
  }
  return txn.Commit();
}

absl::Status CheckSchemaVersion(Connection& connection, const StoreSchema& schema) {
  absl::StatusOr<int64_t> version = SchemaVersion(connection, schema);
  if (!version.ok()) return version.status();
  if (*version != LatestVersion(schema)) {
    return OtherSchema(connection, schema, *version);
  }
  return absl::OkStatus();
}

}  // namespace ccengine::postgres
