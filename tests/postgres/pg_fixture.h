// What the PostgreSQL adapter's test binaries share around their private
// server (pg_cluster.h):
//
//   SharedCluster      the binary's one server: started on first use,
//                      stopped when the tests end
//   SkipWithoutServer  whether a test that needs the server skips (no server
//                      binaries, and not in CI) rather than fails
//   FreshDatabaseTest  a fixture: each test on a fresh database of the shared
//                      server, skipped or failed as above without one
//
// Thread safety: `SharedCluster` and `SkipWithoutServer` are thread-safe; a
// fixture is used by its test's thread.

#ifndef CCENGINE_TESTS_POSTGRES_PG_FIXTURE_H_
#define CCENGINE_TESTS_POSTGRES_PG_FIXTURE_H_

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "pg_cluster.h"

namespace ccengine::postgres::testing {

// The shared server, or null with the reason it could not start in `why`.
PgCluster* SharedCluster(absl::Status* why);

// No server binaries, and not in CI: the tests skip (in CI they fail).
bool SkipWithoutServer();

// Tests that need the shared server, each on a fresh database.
class FreshDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // Runs `sql` on the test's database on a connection of its own: the rows,
  // columns joined by '|', rows by '\n' (PgCluster::Sql); "ERROR", and a
  // failed test, on an error.
  std::string Sql(const std::string& sql) const;

  PgCluster* cluster_ = nullptr;
  std::string database_;
  std::string dsn_;  // the test's own database
};

}  // namespace ccengine::postgres::testing

#endif  // CCENGINE_TESTS_POSTGRES_PG_FIXTURE_H_
