// Many threads appending to one AuditLog: every entry is written once, each
// thread's entries keep its order, and the chain verifies (run under TSan by
// the tsan preset).
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "audit_test_util.h"
#include "ccengine/audit/audit_log.h"
#include "ccengine/audit/keys.h"
#include "gtest/gtest.h"
#include "sqlite/temp_dir.h"

namespace ccengine::audit {
namespace {

TEST(AuditConcurrencyTest, ThreadsAppendingShareOneChain) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 400;
  sqlite::TempDir dir;
  const std::string path = dir.File("audit.log");
  auto key = SigningKey::Generate();
  ASSERT_TRUE(key.ok());
  AuditLogOptions options;
  options.checkpoint_every = 64;
  options.sync = AuditSync::kNone;
  auto log = AuditLog::Open(path, *key, options);
  ASSERT_TRUE(log.ok()) << log.status();

  std::vector<std::vector<int64_t>> seqs(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        AuditEvent event;
        event.actor = absl::StrCat("t", t);
        event.role = "supervisor";
        event.action = "queue.change";
        event.subject = absl::StrCat(i);
        auto seq = (*log)->Append(event);
        if (seq.ok()) seqs[t].push_back(*seq);
        if (i % 100 == 99) (*log)->Checkpoint().IgnoreError();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE((*log)->Close().ok());

  std::vector<int> next(kThreads, 0);
  AuditVerifyOptions verify;
  int64_t records = 0;
  verify.on_record = [&](const AuditRecord& r) {
    ++records;
    int thread = 0;
    ASSERT_TRUE(absl::SimpleAtoi(r.event.actor.substr(1), &thread));
    ASSERT_EQ(r.event.subject, absl::StrCat(next[thread]));
    ++next[thread];
  };
  auto report = VerifyAuditLog(path, key->verify_key(), verify);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->problem_line << ": " << report->problem;
  EXPECT_EQ(records, kThreads * kPerThread);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(next[t], kPerThread);
    ASSERT_EQ(seqs[t].size(), static_cast<size_t>(kPerThread));
    for (size_t i = 1; i < seqs[t].size(); ++i) EXPECT_LT(seqs[t][i - 1], seqs[t][i]);
  }
}

}  // namespace
}  // namespace ccengine::audit
