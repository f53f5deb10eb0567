// The shared server and the fixture of the PostgreSQL tests (see
// pg_fixture.h).

#include "pg_fixture.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "pg_cluster.h"

namespace ccengine::postgres::testing {
namespace {

struct SharedServer {
  absl::Mutex mu;
  bool tried ABSL_GUARDED_BY(mu) = false;
  absl::Status status ABSL_GUARDED_BY(mu);
  std::unique_ptr<PgCluster> cluster ABSL_GUARDED_BY(mu);
};

SharedServer& Shared() {
  static auto* const shared = new SharedServer;
  return *shared;
}

// Stops the shared server when the tests end.
class ServerEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    SharedServer& shared = Shared();
    absl::MutexLock lock(&shared.mu);
    shared.cluster.reset();
  }
};
[[maybe_unused]] ::testing::Environment* const kServerEnvironment =
    ::testing::AddGlobalTestEnvironment(new ServerEnvironment);

}  // namespace

PgCluster* SharedCluster(absl::Status* why) {
  SharedServer& shared = Shared();
  absl::MutexLock lock(&shared.mu);
  if (!shared.tried) {
    shared.tried = true;
    absl::StatusOr<std::unique_ptr<PgCluster>> cluster = PgCluster::Start();
    shared.status = cluster.status();
    if (cluster.ok()) shared.cluster = *std::move(cluster);
  }
  *why = shared.status;
  return shared.cluster.get();
}

bool SkipWithoutServer() { return !FindServerBinaries().ok() && !InCi(); }

void FreshDatabaseTest::SetUp() {
  absl::Status why;
  cluster_ = SharedCluster(&why);
  if (cluster_ == nullptr) {
    if (SkipWithoutServer()) GTEST_SKIP() << why;
    FAIL() << why;
  }
  absl::StatusOr<std::string> database = cluster_->CreateDatabase();
  ASSERT_TRUE(database.ok()) << database.status();
  database_ = *database;
  dsn_ = cluster_->Dsn(*database);
}

std::string FreshDatabaseTest::Sql(const std::string& sql) const {
  absl::StatusOr<std::string> out = cluster_->Sql(database_, sql);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : "ERROR";
}

}  // namespace ccengine::postgres::testing
