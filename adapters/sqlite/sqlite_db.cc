// The RAII layer over the SQLite C API (see sqlite_db.h).

#include "sqlite_db.h"

#include <sqlite3.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "fmt/format.h"

namespace ccengine::sqlite {
namespace {

// Runs `sql` and reads the first column of its first row as text into `out`
// ("" for NULL, and when there is no row). Returns SQLite's result code:
// SQLITE_ROW when there was a row, SQLITE_DONE when not, an error otherwise.
int ReadFirstText(sqlite3* db, std::string_view sql, std::string& out) {
  sqlite3_stmt* stmt = nullptr;
  int rc =
      sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return rc;
  rc = sqlite3_step(stmt);
  out.clear();
  if (rc == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    if (text != nullptr) out.assign(text, sqlite3_column_bytes(stmt, 0));
  }
  sqlite3_finalize(stmt);
  return rc;
}

absl::Status Invalid(std::string_view what) {
  return absl::InvalidArgumentError(fmt::format("sqlite: {}", what));
}

}  // namespace

absl::Status SqliteStatus(sqlite3* db, int rc, std::string_view what) {
  // SQLite's message for the connection's last error, when `rc` is it;
  // otherwise the generic text for the code.
  const char* message = sqlite3_errstr(rc);
  if (db != nullptr && sqlite3_extended_errcode(db) == rc) message = sqlite3_errmsg(db);
  std::string text = what.empty() ? fmt::format("{} (SQLite {})", message, rc)
                                  : fmt::format("{}: {} (SQLite {})", what, message, rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL: return absl::UnavailableError(text);
    case SQLITE_FULL:
    case SQLITE_NOMEM: return absl::ResourceExhaustedError(text);
    default: return absl::InternalError(text);
  }
}

absl::Status Annotate(const absl::Status& status, std::string_view what) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      fmt::format("{}: {}", what, std::string(status.message())));
}

// --- Statement ----------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      bind_error_(std::exchange(other.bind_error_, 0)),
      bind_error_index_(std::exchange(other.bind_error_index_, 0)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_error_ = std::exchange(other.bind_error_, 0);
    bind_error_index_ = std::exchange(other.bind_error_index_, 0);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::NoteBind(int rc, int index) {
  if (rc != SQLITE_OK && bind_error_ == 0) {
    bind_error_ = rc;
    bind_error_index_ = index;
  }
}

void Statement::BindInt(int index, int64_t value) {
  NoteBind(sqlite3_bind_int64(stmt_, index, value), index);
}

void Statement::BindText(int index, std::string_view value) {
  NoteBind(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8),
           index);
}

void Statement::BindNull(int index) { NoteBind(sqlite3_bind_null(stmt_, index), index); }

void Statement::BindDouble(int index, double value) {
  NoteBind(sqlite3_bind_double(stmt_, index, value), index);
}

void Statement::BindOptionalInt(int index, std::optional<int64_t> value) {
  if (value.has_value()) {
    BindInt(index, *value);
  } else {
    BindNull(index);
  }
}

absl::StatusOr<bool> Statement::Step() {
  if (bind_error_ != 0) {
    return SqliteStatus(sqlite3_db_handle(stmt_), bind_error_,
                        fmt::format("binding parameter {}", bind_error_index_));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(sqlite3_db_handle(stmt_), rc, "");
}

absl::Status Statement::Run() {
  absl::Status status;
  for (;;) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) {
      status = row.status();
      break;
    }
    if (!*row) break;
  }
  Reset();
  return status;
}

int64_t Statement::ColumnInt(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::optional<int64_t> Statement::ColumnOptionalInt(int column) const {
  if (ColumnIsNull(column)) return std::nullopt;
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::ColumnText(int column) const {
  // Text first, then its length (the order SQLite asks for).
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

double Statement::ColumnDouble(int column) const {
  return sqlite3_column_double(stmt_, column);
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

void Statement::Reset() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = 0;
  bind_error_index_ = 0;
}

// --- Database -----------------------------------------------------------------

absl::StatusOr<Database> Database::Open(const std::string& path,
                                        const DatabaseOptions& options) {
  if (path.empty()) return Invalid("the database path is empty");
  if (absl::StrContains(path, '\0')) {
    return Invalid("the database path holds a NUL byte");
  }
  if (path == ":memory:") {
    return Invalid("\":memory:\" is not a file; a store needs one");
  }
  if (options.busy_timeout < absl::ZeroDuration()) {
    return Invalid(fmt::format("busy_timeout {} is negative",
                               absl::FormatDuration(options.busy_timeout)));
  }
  if (options.max_database_bytes < 0) {
    return Invalid(
        fmt::format("max_database_bytes {} is negative", options.max_database_bytes));
  }
  switch (options.synchronous) {
    case Synchronous::kFull:
    case Synchronous::kNormal:
    case Synchronous::kOff: break;
    default:
      return Invalid(fmt::format("unknown synchronous level {}",
                                 static_cast<int>(options.synchronous)));
  }

  sqlite3* handle = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &handle,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  // SQLite hands back a connection even when opening failed; it is closed
  // with `db` in every case.
  Database db(handle, path);
  if (handle == nullptr) {
    return SqliteStatus(nullptr, rc == SQLITE_OK ? SQLITE_NOMEM : rc,
                        fmt::format("open {}", path));
  }
  sqlite3_extended_result_codes(handle, 1);
  if (rc != SQLITE_OK) return SqliteStatus(handle, rc, fmt::format("open {}", path));
  if (absl::Status s = db.Configure(options); !s.ok()) return s;
  return db;
}

absl::Status Database::Configure(const DatabaseOptions& options) {
  const int64_t ms = absl::ToInt64Milliseconds(options.busy_timeout);
  sqlite3_busy_timeout(db_, static_cast<int>(std::min<int64_t>(ms, INT_MAX)));

  // The first read of the file: tells a file that is not a database apart.
  // Switching a new file to WAL takes the write lock from inside a read
  // transaction, where SQLite does not wait for other connections (two of
  // them doing the same would deadlock in its busy handler), so the wait for
  // a file that others are creating at the same time is here.
  const absl::Time deadline = absl::Now() + options.busy_timeout;
  absl::Duration pause = absl::Milliseconds(1);
  std::string mode;
  int rc = ReadFirstText(db_, "PRAGMA journal_mode=WAL", mode);
  while ((rc & 0xff) == SQLITE_BUSY && absl::Now() < deadline) {
    absl::SleepFor(std::min(pause, deadline - absl::Now()));
    pause = std::min(pause * 2, absl::Milliseconds(50));
    rc = ReadFirstText(db_, "PRAGMA journal_mode=WAL", mode);
  }
  if ((rc & 0xff) == SQLITE_NOTADB) {
    return absl::FailedPreconditionError(
        fmt::format("open {}: the file is not an SQLite database", path_));
  }
  if (rc != SQLITE_ROW) {
    return SqliteStatus(db_, rc, fmt::format("open {}: setting the WAL journal", path_));
  }
  if (mode != "wal") {
    return absl::FailedPreconditionError(fmt::format(
        "open {}: cannot use the WAL journal (journal mode is \"{}\")", path_, mode));
  }

  const char* synchronous = "FULL";
  if (options.synchronous == Synchronous::kNormal) synchronous = "NORMAL";
  if (options.synchronous == Synchronous::kOff) synchronous = "OFF";
  absl::Status s =
      Exec(fmt::format("PRAGMA foreign_keys=ON; PRAGMA synchronous={};", synchronous));
  if (!s.ok()) return Annotate(s, fmt::format("open {}", path_));

  if (options.max_database_bytes > 0) {
    absl::StatusOr<std::string> page_size = QueryText("PRAGMA page_size");
    if (!page_size.ok()) {
      return Annotate(page_size.status(), fmt::format("open {}", path_));
    }
    int64_t page = 0;
    if (!absl::SimpleAtoi(*page_size, &page) || page <= 0) {
      return absl::InternalError(
          fmt::format("open {}: page size \"{}\" is not a number", path_, *page_size));
    }
    const int64_t pages = std::max<int64_t>(1, options.max_database_bytes / page);
    absl::StatusOr<std::string> set =
        QueryText(fmt::format("PRAGMA max_page_count={}", pages));
    if (!set.ok()) return Annotate(set.status(), fmt::format("open {}", path_));
  }

  for (auto [statement, sql] :
       {std::pair{&begin_, "BEGIN"}, std::pair{&begin_immediate_, "BEGIN IMMEDIATE"},
        std::pair{&commit_, "COMMIT"}, std::pair{&rollback_, "ROLLBACK"}}) {
    absl::StatusOr<Statement> prepared = Prepare(sql);
    if (!prepared.ok()) return Annotate(prepared.status(), fmt::format("open {}", path_));
    *statement = *std::move(prepared);
  }
  return absl::OkStatus();
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      begin_(std::move(other.begin_)),
      begin_immediate_(std::move(other.begin_immediate_)),
      commit_(std::move(other.commit_)),
      rollback_(std::move(other.rollback_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    Close();
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    begin_ = std::move(other.begin_);
    begin_immediate_ = std::move(other.begin_immediate_);
    commit_ = std::move(other.commit_);
    rollback_ = std::move(other.rollback_);
  }
  return *this;
}

Database::~Database() { Close(); }

void Database::Close() {
  begin_ = Statement();
  begin_immediate_ = Statement();
  commit_ = Statement();
  rollback_ = Statement();
  // v2: a statement someone forgot to finalize delays the close instead of
  // failing it.
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

absl::StatusOr<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteStatus(db_, rc, fmt::format("prepare \"{}\"", sql));
  }
  return Statement(stmt);
}

absl::Status Database::Exec(const std::string& sql) {
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(db_, rc, "");
  return absl::OkStatus();
}

absl::StatusOr<std::string> Database::QueryText(std::string_view sql) {
  std::string out;
  const int rc = ReadFirstText(db_, sql, out);
  if (rc == SQLITE_ROW) return out;
  if (rc == SQLITE_DONE) {
    return absl::NotFoundError(fmt::format("\"{}\" returned no row", sql));
  }
  return SqliteStatus(db_, rc, "");
}

int64_t Database::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

int64_t Database::Changes() const { return sqlite3_changes64(db_); }

bool Database::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

// --- Transaction --------------------------------------------------------------

Transaction::~Transaction() {
  // SQLite rolls some failed transactions back by itself (after SQLITE_FULL,
  // SQLITE_IOERR, SQLITE_NOMEM); roll back only what is still open.
  if (open_ && db_.InTransaction()) db_.rollback_.Run().IgnoreError();
}

absl::Status Transaction::Begin(Mode mode) {
  Statement& begin = mode == Mode::kImmediate ? db_.begin_immediate_ : db_.begin_;
  if (absl::Status s = begin.Run(); !s.ok()) return s;
  open_ = true;
  return absl::OkStatus();
}

absl::Status Transaction::Commit() {
  if (absl::Status s = db_.commit_.Run(); !s.ok()) return s;
  open_ = false;
  return absl::OkStatus();
}

// --- Migrate ------------------------------------------------------------------

namespace {

absl::StatusOr<int64_t> ReadInt(Database& db, std::string_view sql) {
  absl::StatusOr<std::string> text = db.QueryText(sql);
  if (!text.ok()) return text.status();
  int64_t value = 0;
  if (!absl::SimpleAtoi(*text, &value)) {
    return absl::InternalError(fmt::format("\"{}\" returned \"{}\"", sql, *text));
  }
  return value;
}

}  // namespace

absl::Status Migrate(Database& db, int32_t application_id, std::string_view kind,
                     absl::Span<const Migration> migrations) {
  const std::string what = fmt::format("open {}", db.path());
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i + 1)) {
      return absl::InternalError(fmt::format("{}: migration {} has version {}", what,
                                             i + 1, migrations[i].version));
    }
  }
  const int64_t latest = static_cast<int64_t>(migrations.size());

  // Reads the file's version and owner and says whether there is work to do;
  // an error when the file is not ours or too new.
  auto check = [&]() -> absl::StatusOr<int64_t> {
    absl::StatusOr<int64_t> version = ReadInt(db, "PRAGMA user_version");
    if (!version.ok()) {
      return Annotate(version.status(),
                      fmt::format("{}: reading the schema version", what));
    }
    absl::StatusOr<int64_t> owner = ReadInt(db, "PRAGMA application_id");
    if (!owner.ok()) return Annotate(owner.status(), what);
    if (*version == 0) {
      absl::StatusOr<int64_t> objects = ReadInt(db, "SELECT count(*) FROM sqlite_master");
      if (!objects.ok()) return Annotate(objects.status(), what);
      if (*objects != 0 || *owner != 0) {
        return absl::FailedPreconditionError(fmt::format(
            "{}: the file is an SQLite database but not a {} (it has {} tables, "
            "indexes or views and no schema version)",
            what, kind, *objects));
      }
      return *version;
    }
    if (*owner != application_id) {
      return absl::FailedPreconditionError(fmt::format(
          "{}: the file is an SQLite database but not a {} (application_id {:#x}, "
          "expected {:#x})",
          what, kind, *owner, application_id));
    }
    if (*version > latest) {
      return absl::FailedPreconditionError(fmt::format(
          "{}: the {} has schema version {}, newer than this code knows (version {}); "
          "open it with the newer ccengine that wrote it",
          what, kind, *version, latest));
    }
    return *version;
  };

  // In a read transaction first (one snapshot for the three reads): a file
  // that is up to date needs no write lock.
  absl::StatusOr<int64_t> version;
  {
    Transaction read(db);
    if (absl::Status s = read.Begin(Transaction::Mode::kDeferred); !s.ok()) {
      return Annotate(s, what);
    }
    version = check();
    if (!version.ok()) return version.status();
    if (absl::Status s = read.Commit(); !s.ok()) return Annotate(s, what);
  }
  if (*version == latest) return absl::OkStatus();

  Transaction txn(db);
  if (absl::Status s = txn.Begin(Transaction::Mode::kImmediate); !s.ok()) {
    return Annotate(s, fmt::format("{}: locking the file to create its schema", what));
  }
  // Another connection may have migrated it while this one waited.
  version = check();
  if (!version.ok()) return version.status();
  for (int64_t v = *version + 1; v <= latest; ++v) {
    if (absl::Status s = db.Exec(std::string(migrations[v - 1].sql)); !s.ok()) {
      return Annotate(
          s, fmt::format("{}: migrating the {} to schema version {}", what, kind, v));
    }
  }
  if (absl::Status s = db.Exec(fmt::format(
          "PRAGMA application_id={}; PRAGMA user_version={};", application_id, latest));
      !s.ok()) {
    return Annotate(s, what);
  }
  return Annotate(txn.Commit(), what);
}

}  // namespace ccengine::sqlite
