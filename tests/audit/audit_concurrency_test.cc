// Many threads appending to one AuditLog: every entry is written once, each
// thread's entries keep its order, and the chain verifies; a ticket desk
// worked from several threads writes every event through one
// TicketAuditTrail (run under TSan by the tsan preset).
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "audit_test_util.h"
#include "ccengine/audit/audit_log.h"
#include "ccengine/audit/keys.h"
#include "ccengine/audit/ticket_audit.h"
#include "ccengine/tickets/store.h"
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

TEST(AuditConcurrencyTest, ADeskWorkedFromManyThreadsAuditsEveryEvent) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 60;
  sqlite::TempDir dir;
  const std::string path = dir.File("audit.log");
  auto key = SigningKey::Generate();
  ASSERT_TRUE(key.ok());
  AuditLogOptions options;
  options.checkpoint_every = 50;
  options.sync = AuditSync::kNone;
  auto log = AuditLog::Open(path, *key, options);
  ASSERT_TRUE(log.ok()) << log.status();
  auto desk = tickets::TicketDesk::Open(tickets::NewMemoryTicketStore());
  ASSERT_TRUE(desk.ok()) << desk.status();
  tickets::TicketCategory noise;
  noise.name = "noise";
  noise.department = "城管";
  ASSERT_TRUE((*desk)->AddCategory(noise).ok());
  TicketAuditTrail trail(**log);
  (*desk)->Subscribe(trail.Callback());

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        tickets::CreateRequest request;
        request.category = "noise";
        request.text = absl::StrCat("第", t, "组第", i, "单");
        request.actor = absl::StrCat("t", t);
        request.dedupe = false;
        auto made = (*desk)->Create(request);
        if (!made.ok()) continue;
        const tickets::TicketId id = made->ticket.id;
        (*desk)->Dispatch(id, request.actor).IgnoreError();
        (*desk)->Cancel(id, request.actor, "重复").IgnoreError();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE((*log)->Close().ok());
  EXPECT_EQ(trail.failures(), 0) << trail.status();

  // Each ticket: created, new -> queued, queued -> cancelled, in that order.
  std::map<std::string, int> seen;  // subject -> entries so far
  AuditVerifyOptions verify;
  int64_t records = 0;
  verify.on_record = [&](const AuditRecord& r) {
    ++records;
    const int n = seen[r.event.subject]++;
    const std::vector<std::string> want = {"ticket.created", "ticket.state_changed",
                                           "ticket.state_changed"};
    ASSERT_LT(n, 3) << r.event.subject;
    EXPECT_EQ(r.event.action, want[static_cast<size_t>(n)]) << r.event.subject;
  };
  auto report = VerifyAuditLog(path, key->verify_key(), verify);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->problem_line << ": " << report->problem;
  EXPECT_EQ(records, 3 * kThreads * kPerThread);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace ccengine::audit
