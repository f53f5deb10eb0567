// -----------------------------------------------------------------------------
// File: adapters/postgres/pg_conn.h
// -----------------------------------------------------------------------------
//
// A thin layer over libpq for ccengine's PostgreSQL stores:
//
//   PgStatus      an SQLSTATE (or a lost connection) as the absl::Status the
//                 store contracts use
//   DescribeDsn   a connection string as "dbname=... host=..." for messages
//                 (never its password)
//   Params        text-format statement parameters, $1 on
//   Connection    one connection: established within a deadline; runs
//                 statements (each named statement prepared once per
//                 connection, its parameters always sent apart from the SQL)
//                 and waits for the reply within a deadline; knows when it
//                 is lost and must not be used again
//   Transaction   BEGIN, rolled back unless committed
//   SetUpSession  what a store checks and sets on each new connection: the
//                 server's version and encoding, the statement timeout
//   Migrate       a store's versioned schema, created or brought up to date
//                 under an advisory lock (`StoreSchema`); CheckSchemaVersion
//                 for each later connection
//
// Private to adapters/postgres (not installed).
//
// Thread safety: thread-compatible. A `Connection` must be used by one thread
// at a time (the store's pool hands each to one call); distinct connections
// are independent. The functions are thread-safe.

#ifndef CCENGINE_ADAPTERS_POSTGRES_PG_CONN_H_
#define CCENGINE_ADAPTERS_POSTGRES_PG_CONN_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

struct pg_conn;
struct pg_result;

namespace ccengine::postgres {

// The Status for a failed statement: `sqlstate` is the server's five-character
// code ("" when there is none, as for a reply that never came), `lost`
// whether the connection is gone. `message` becomes the Status's message.
//
//   lost, class 08 (connection exception), 57P01 admin shutdown,
//   57P02 crash shutdown, 57P03 cannot connect now,
//   57014 statement timeout (query canceled), 55P03 lock not available,
//   25006 read-only transaction (a standby)                Unavailable
//   40001 serialization failure, 40P01 deadlock            Aborted
//   class 53 (53100 disk full, out of memory, too many
//   connections, a configuration limit)                    ResourceExhausted
//   22021 a byte sequence invalid in the encoding,
//   22P05 a character the encoding cannot hold             InvalidArgument
//   anything else                                          Internal
absl::Status PgStatus(std::string_view sqlstate, bool lost, std::string_view message);

// Whether an SQLSTATE means the connection is gone (class 08, 57P01..57P03).
bool IsConnectionLoss(std::string_view sqlstate);

// `status` with "`what`: " put before its message (same code); OK stays OK.
absl::Status Annotate(const absl::Status& status, std::string_view what);

// "postgres dbname=tickets host=/run/postgresql port=5432", from the parts
// the connection string sets (libpq's defaults fill in the rest at connect
// time); InvalidArgument with libpq's message when `dsn` does not parse.
absl::StatusOr<std::string> DescribeDsn(const std::string& dsn);

// Statement parameters, in order ($1, $2, ...), sent in text format. A value
// must not hold a NUL byte (the text format ends it there): the stores check.
class Params {
 public:
  void Int(int64_t value);
  void Bool(bool value);
  void Text(std::string_view value);
  void OptionalInt(std::optional<int64_t> value);  // NULL when unset
  void Null();

  int size() const { return static_cast<int>(values_.size()); }
  // For libpq: one pointer per parameter, nullptr for NULL; valid while this
  // object is alive and unchanged.
  std::vector<const char*> Pointers() const;

 private:
  std::vector<std::optional<std::string>> values_;
};

// An owned PGresult.
struct PgResultDeleter {
  void operator()(pg_result* result) const;
};
using PgResult = std::unique_ptr<pg_result, PgResultDeleter>;

struct ConnectOptions {
  std::string dsn;  // as `PostgresTicketStoreOptions::dsn`
  absl::Duration connect_timeout = absl::Seconds(5);
  // How long a statement's reply may take before the connection is given up
  // as lost. Zero: no limit.
  absl::Duration reply_timeout = absl::ZeroDuration();
};

class Connection {
 public:
  // Connects (URI or key=value `dsn`, client_encoding UTF8), failing with
  // Unavailable and libpq's reason when that does not succeed within
  // `connect_timeout`; InvalidArgument when the dsn does not parse.
  static absl::StatusOr<std::unique_ptr<Connection>> Connect(
      const ConnectOptions& options);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs the statement `sql` as the prepared statement `name` (prepared on
  // this connection the first time). OK with the result when the server
  // accepted it (rows or none); the mapped error (`PgStatus`) otherwise,
  // annotated with the database.
  absl::StatusOr<PgResult> Prepared(const std::string& name, const std::string& sql,
                                    const Params& params);
  // Runs `sql` once: with parameters as one unnamed statement; without, as a
  // simple query (which may hold several statements: BEGIN, a migration).
  absl::StatusOr<PgResult> Exec(const std::string& sql, const Params& params = {});

  // Lost: the server closed it, it broke, or a reply did not come in time. A
  // lost connection fails every call; drop it and connect again.
  bool lost() const { return lost_; }
  // Whether an idle connection is fit for the next call: not lost, no
  // transaction left open, and the server has not closed it meanwhile
  // (checked without waiting, so a pool does not hand out a connection the
  // server ended while it sat idle).
  bool CheckIdle();
  // Whether a transaction is open (or failed and not yet rolled back).
  bool InTransaction() const;

  int server_version() const;  // e.g. 150004
  std::string server_encoding() const;
  const std::string& description() const { return description_; }

 private:
  Connection(pg_conn* conn, std::string description, absl::Duration reply_timeout);
  // Flushes what PQsend* queued and collects the reply, within the reply
  // timeout. `sent` is what PQsend* returned.
  absl::StatusOr<PgResult> Finish(int sent);
  absl::Status Lose(std::string_view why);
  absl::Status ResultError(const pg_result* result);
  absl::Status ConnectionError();

  pg_conn* conn_ = nullptr;
  std::string description_;
  absl::Duration reply_timeout_;
  bool lost_ = false;
  std::set<std::string, std::less<>> prepared_;
};

// A transaction scope: rolled back when it goes out of scope uncommitted
// (unless the connection was lost: the server rolls it back).
//
//   Transaction txn(conn);
//   if (absl::Status s = txn.Begin(); !s.ok()) return s;
//   ... statements ...
//   return txn.Commit();
class Transaction {
 public:
  explicit Transaction(Connection& connection) : connection_(connection) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  absl::Status Begin();  // READ COMMITTED
  absl::Status Commit();

 private:
  Connection& connection_;
  bool open_ = false;
};

// What a store checks and sets on each of its connections (`SetUpSession`).
struct SessionOptions {
  std::string_view store;           // "ticket store": names the store in messages
  int min_server_version = 100000;  // as `Connection::server_version`
  absl::Duration statement_timeout = absl::ZeroDuration();  // zero: no limit
  // Further settings of the session, name and value (`set_config`).
  std::vector<std::pair<std::string, std::string>> settings;
};

// What every connection of a store is checked for and set up with before its
// first call: a server of at least `min_server_version` and a UTF8 database
// (FailedPrecondition naming the store otherwise), then the statement timeout
// (rounded up to milliseconds) and the further settings, in one statement.
absl::Status SetUpSession(Connection& connection, const SessionOptions& options);

// One step of a schema: the SQL that takes a database from `version - 1` to
// `version`.
struct Migration {
  int version;
  std::string_view sql;
};

// A store's versioned schema (`Migrate`).
struct StoreSchema {
  std::string_view store;          // "ticket store": names the store in messages
  std::string_view version_table;  // "ticket_store_schema": one row, the version
  // The store's main table ("tickets"): a database that has it but no
  // `version_table` belongs to another application.
  std::string_view main_table;
  // The key of the advisory lock `Migrate` holds.
  int64_t migration_lock = 0;
  absl::Span<const Migration> migrations;  // versions 1, 2, ... in order
};

// Creates the schema, or brings an older one to the latest version, in one
// transaction that holds the schema's advisory lock: stores opening the
// database at once migrate it once. The version lives in `version_table`,
// created (at version 0) before the first migration. FailedPrecondition for a
// database with the main table but no version table, or with a newer schema;
// the server's errors otherwise.
absl::Status Migrate(Connection& connection, const StoreSchema& schema);
// FailedPrecondition unless the database's schema is the latest version (a
// new connection's check: the schema may have moved on meanwhile).
absl::Status CheckSchemaVersion(Connection& connection, const StoreSchema& schema);

}  // namespace ccengine::postgres

#endif  // CCENGINE_ADAPTERS_POSTGRES_PG_CONN_H_
