// -----------------------------------------------------------------------------
// File: adapters/sqlite/sqlite_db.h
// -----------------------------------------------------------------------------
//
// A thin RAII layer over the SQLite C API for ccengine's SQLite stores:
//
//   Database       one connection, opened with the settings every store wants:
//                  WAL journal, foreign keys on, a busy timeout, a
//                  synchronous level, an optional size limit
//   Statement      a prepared statement, kept and reused; binds, steps, reads
//   StatementUse   resets a statement when it goes out of scope
//   Transaction    BEGIN / BEGIN IMMEDIATE, rolled back unless committed
//   Migrate        a versioned schema on `PRAGMA user_version`
//   SqliteStatus   an SQLite result code as the absl::Status the store
//                  contracts use
//
// Private to adapters/sqlite (not installed): the ticket store uses it, and
// another store on SQLite (a knowledge store) can.
//
// Thread safety: thread-compatible. A `Database` is opened with
// SQLITE_OPEN_NOMUTEX: it and its statements must be used by one thread at a
// time (the stores hold a mutex around them). Any number of `Database`s, in
// one process or many, may use the same file at once: SQLite's file locks
// serialize their write transactions, and WAL lets readers run beside a
// writer.

#ifndef CCENGINE_ADAPTERS_SQLITE_SQLITE_DB_H_
#define CCENGINE_ADAPTERS_SQLITE_SQLITE_DB_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ccengine::sqlite {

// The Status for SQLite result code `rc` (primary or extended), with
// SQLite's message for it (from `db` when not null) after `what`:
//
//   SQLITE_BUSY, SQLITE_LOCKED   (still locked when the busy timeout ran out)
//   SQLITE_CANTOPEN, SQLITE_IOERR, SQLITE_READONLY, SQLITE_PROTOCOL
//                                            Unavailable
//   SQLITE_FULL  (disk full, or the size limit reached), SQLITE_NOMEM
//                                            ResourceExhausted
//   anything else (SQLITE_CORRUPT, SQLITE_NOTADB, a constraint, misuse …)
//                                            Internal
absl::Status SqliteStatus(sqlite3* db, int rc, std::string_view what);

// `status` with "`what`: " put before its message (same code); OK stays OK.
absl::Status Annotate(const absl::Status& status, std::string_view what);

// A prepared statement. Parameters are numbered from 1, result columns from
// 0. A failed bind is remembered and returned by the next `Step`, so a run of
// binds needs no checks of its own.
class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  void BindInt(int index, int64_t value);
  void BindText(int index, std::string_view value);  // copied; any bytes
  void BindNull(int index);
  void BindDouble(int index, double value);
  void BindOptionalInt(int index, std::optional<int64_t> value);  // NULL: unset

  // Runs one step: true when a row is ready to read, false when the statement
  // is done; the mapped error (see `SqliteStatus`) otherwise.
  absl::StatusOr<bool> Step();
  // Steps to the end, for statements that return no rows.
  absl::Status Run();

  int64_t ColumnInt(int column) const;
  std::optional<int64_t> ColumnOptionalInt(int column) const;  // NULL: unset
  std::string ColumnText(int column) const;                    // NULL: ""
  double ColumnDouble(int column) const;
  bool ColumnIsNull(int column) const;

  // Makes the statement ready to run again: resets it, clears its bindings
  // and the remembered bind error. A statement stopped in the middle of its
  // rows keeps its read snapshot until reset; `StatementUse` does this.
  void Reset();

  bool valid() const { return stmt_ != nullptr; }

 private:
  friend class Database;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  void NoteBind(int rc, int index);

  sqlite3_stmt* stmt_ = nullptr;
  int bind_error_ = 0;  // the first failed bind's result code (0: none)
  int bind_error_index_ = 0;
};

// Resets the statement it is given when it goes out of scope.
class StatementUse {
 public:
  explicit StatementUse(Statement& statement) : statement_(statement) {}
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  ~StatementUse() { statement_.Reset(); }

 private:
  Statement& statement_;
};

// How hard a commit is pushed to stable storage (`PRAGMA synchronous`), in WAL
// mode:
//   kFull    the WAL is synced at every commit: a committed transaction
//            survives a crash of the process, of the OS, and power loss.
//   kNormal  the WAL is synced only at checkpoints: a commit survives a crash
//            of the process; the OS crashing or power failing may roll back
//            the last commits, never corrupt the file.
//   kOff     never synced: a commit survives a crash of the process; the OS
//            crashing or power failing may lose commits and corrupt the file.
enum class Synchronous { kFull, kNormal, kOff };

// A store's own `Sync` option (kFull, kNormal, kOff) as the `Synchronous`
// level; InvalidArgument for a value outside the enum.
template <typename Sync>
absl::StatusOr<Synchronous> SynchronousOf(Sync sync) {
  switch (sync) {
    case Sync::kFull: return Synchronous::kFull;
    case Sync::kNormal: return Synchronous::kNormal;
    case Sync::kOff: return Synchronous::kOff;
  }
  return absl::InvalidArgumentError("sqlite: unknown sync option " +
                                    std::to_string(static_cast<int>(sync)));
}

struct DatabaseOptions {
  // How long a statement waits for another connection's lock before it fails
  // with SQLITE_BUSY (Unavailable). Zero: no waiting. Capped at INT_MAX ms.
  absl::Duration busy_timeout = absl::Seconds(5);
  Synchronous synchronous = Synchronous::kFull;
  // The most bytes the database file may grow to (`PRAGMA max_page_count`,
  // rounded down to whole pages; the WAL file comes on top); a write that
  // needs more fails with SQLITE_FULL. Never below the file's current size.
  // Zero: SQLite's own limit.
  int64_t max_database_bytes = 0;
};

// One connection to one file.
class Database {
 public:
  // Opens (creating when missing) the database file at `path` and sets it
  // up: journal_mode=WAL, foreign_keys=ON, the busy timeout, the synchronous
  // level and the size limit. Errors: InvalidArgument (bad options, an empty
  // path, ":memory:"); FailedPrecondition naming the path when the file is
  // not an SQLite database or cannot use WAL; otherwise as `SqliteStatus`
  // (Unavailable when it cannot be opened or created).
  static absl::StatusOr<Database> Open(const std::string& path,
                                       const DatabaseOptions& options);

  Database() = default;
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  // Closes the connection; finalize its statements first.
  ~Database();

  // Prepares one statement to be kept and reused.
  absl::StatusOr<Statement> Prepare(std::string_view sql);
  // Runs `sql` (any number of statements, no parameters), dropping rows.
  absl::Status Exec(const std::string& sql);
  // Runs a one-row query (a PRAGMA, a count) and returns its first column as
  // text ("" for NULL); NotFound when it returns no row.
  absl::StatusOr<std::string> QueryText(std::string_view sql);

  int64_t LastInsertRowid() const;
  int64_t Changes() const;  // rows changed by the last statement
  bool InTransaction() const;

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

 private:
  friend class Transaction;
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  absl::Status Configure(const DatabaseOptions& options);
  void Close();

  sqlite3* db_ = nullptr;
  std::string path_;
  Statement begin_;
  Statement begin_immediate_;
  Statement commit_;
  Statement rollback_;
};

// A store's database, opened with the store's options (their `path`,
// `busy_timeout`, `sync` and `max_database_bytes`): what every store's Open
// does first. Errors as `Database::Open` and `SynchronousOf`.
template <typename StoreOptions>
absl::StatusOr<Database> OpenStoreDatabase(const StoreOptions& options) {
  DatabaseOptions db_options;
  db_options.busy_timeout = options.busy_timeout;
  db_options.max_database_bytes = options.max_database_bytes;
  absl::StatusOr<Synchronous> synchronous = SynchronousOf(options.sync);
  if (!synchronous.ok()) return synchronous.status();
  db_options.synchronous = *synchronous;
  return Database::Open(options.path, db_options);
}

// A transaction scope: rolled back when it goes out of scope uncommitted.
//
//   Transaction txn(db);
//   if (absl::Status s = txn.Begin(Transaction::Mode::kImmediate); !s.ok()) ...
//   ... writes ...
//   return txn.Commit();
class Transaction {
 public:
  // kDeferred: a read transaction (one consistent snapshot). kImmediate:
  // takes the file's write lock at once (waiting up to the busy timeout), so
  // a writer never fails half-way for a lock another connection holds.
  enum class Mode { kDeferred, kImmediate };

  explicit Transaction(Database& db) : db_(db) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  absl::Status Begin(Mode mode);
  absl::Status Commit();

 private:
  Database& db_;
  bool open_ = false;
};

// One step of a schema: the SQL that takes a file from `version - 1` to
// `version`.
struct Migration {
  int version;
  std::string_view sql;
};

// Brings the schema of `db` to the last of `migrations` (versions 1, 2, … in
// order), in one BEGIN IMMEDIATE transaction, so that connections opening the
// same file at once migrate it once. The version lives in
// `PRAGMA user_version`; `application_id` (`PRAGMA application_id`) marks the
// file as this kind of store. `kind` names it in messages ("ticket store").
// FailedPrecondition, naming both versions, when the file's schema is newer
// than the last migration; FailedPrecondition when the file belongs to
// another application, or has tables but no schema version.
absl::Status Migrate(Database& db, int32_t application_id, std::string_view kind,
                     absl::Span<const Migration> migrations);

}  // namespace ccengine::sqlite

#endif  // CCENGINE_ADAPTERS_SQLITE_SQLITE_DB_H_
