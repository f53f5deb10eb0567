// A private PostgreSQL server for a test binary: `initdb` into a fresh
// directory under the test temp directory, `pg_ctl start` on a Unix socket in
// that directory (no TCP, fsync off), `createdb`, and `pg_ctl stop -m
// immediate` and the directory removed when it goes away. Nothing outside the
// directory is touched, so test binaries (and CI jobs) never share a server.
//
// The server refuses to run as root. When the test runs as root (CI does),
// the directory is given to the `postgres` OS user and every server command
// runs as that user (`runuser -u postgres --`); clients connect as the
// database user `postgres` either way (trust authentication, socket only).
//
// The binaries (initdb, pg_ctl, createdb) come from $CCENGINE_PG_BIN_DIR,
// else the directory CMake found (/usr/lib/postgresql/<major>/bin on
// Debian), else the newest /usr/lib/postgresql/*/bin, else PATH.
//
// Thread safety: thread-compatible; `Sql` and `CreateDatabase` may be called
// from any thread, one at a time.

#ifndef CCENGINE_TESTS_POSTGRES_PG_CLUSTER_H_
#define CCENGINE_TESTS_POSTGRES_PG_CLUSTER_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ccengine::postgres::testing {

// The directory holding initdb and pg_ctl; NotFound saying where it looked.
absl::StatusOr<std::string> FindServerBinaries();

// Whether the environment variable CI is set (and not empty): a test that
// cannot find the server binaries fails there, and skips elsewhere.
bool InCi();

class PgCluster {
 public:
  // Creates and starts a server with one database, "tickets". The error
  // carries the failing command's output and the server log's tail.
  static absl::StatusOr<std::unique_ptr<PgCluster>> Start();

  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;
  // Stops the server at once (`-m immediate`) and removes the directory.
  ~PgCluster();

  // `pg_ctl stop` with the mode ("fast": sessions are ended, then a
  // checkpoint; "immediate": no checkpoint, recovery at the next start).
  absl::Status Stop(std::string_view mode = "fast");
  // Starts the stopped server again: same directory, same socket.
  absl::Status StartAgain();

  // A libpq connection string for `database` as the superuser.
  std::string Dsn(std::string_view database) const;
  // Creates a fresh, empty database ("t1", "t2", ...) and returns its name.
  absl::StatusOr<std::string> CreateDatabase();
  // Runs `sql` on `database` as the superuser and returns what it returned:
  // columns joined by '|', rows by '\n' ("" when no row). An error is the
  // server's message.
  absl::StatusOr<std::string> Sql(std::string_view database,
                                  const std::string& sql) const;

  const std::string& directory() const { return dir_; }

 private:
  PgCluster(std::string bin_dir, std::string dir)
      : bin_(std::move(bin_dir)), dir_(std::move(dir)) {}
  // Runs a server program (as `postgres` when root) in the directory and
  // waits for it; its output goes to `command.log`.
  absl::Status Run(const std::string& program, const std::vector<std::string>& args);
  absl::Status PgCtlStart();
  std::string LogTail() const;

  std::string bin_;
  std::string dir_;
  bool running_ = false;
  int databases_ = 0;
};

}  // namespace ccengine::postgres::testing

#endif  // CCENGINE_TESTS_POSTGRES_PG_CLUSTER_H_
