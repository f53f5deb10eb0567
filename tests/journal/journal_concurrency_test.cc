// FileJournal from several threads at once (run under TSan by the tsan
// preset): appends, acknowledgements and reads of the counters interleave
// with the background syncer and segment rolls.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "ccengine/journal/file_journal.h"
#include "gtest/gtest.h"
#include "sqlite/temp_dir.h"

namespace ccengine::journal {
namespace {

TEST(JournalConcurrencyTest, AppendersAckersAndReadersTogether) {
  ccengine::sqlite::TempDir dir;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 1500;
  absl::StatusOr<std::unique_ptr<FileJournal>> opened =
      FileJournal::Open({.dir = dir.File("j"),
                         .fsync = FsyncPolicy::kBatch,
                         .batch_interval = absl::Milliseconds(1),
                         .segment_bytes = 16384});
  ASSERT_TRUE(opened.ok()) << opened.status();
  FileJournal& j = **opened;
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    uint64_t seen = 0;
    while (!done.load()) {
      const uint64_t durable = j.durable_sequence();
      EXPECT_GE(durable, seen) << "durable never goes back";
      EXPECT_LE(durable, j.last_sequence());
      seen = durable;
      (void)j.segment_count();
    }
  });
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::StatusOr<uint64_t> seq = j.Append(absl::UnixEpoch() + absl::Seconds(i),
                                                std::to_string(t * 100000 + i));
        ASSERT_TRUE(seq.ok()) << seq.status();
        if (i % 100 == 0) {
          ASSERT_TRUE(j.AwaitDurable(*seq, absl::Seconds(60)).ok());
          EXPECT_GE(j.durable_sequence(), *seq);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  done = true;
  watcher.join();
  // Every record once, each thread's in its own order.
  std::map<int, int> next;
  uint64_t expected = 1;
  absl::Status s = j.Read(1, [&](const LogRecord& r) {
    EXPECT_EQ(r.sequence, expected++);
    int value = 0;
    EXPECT_TRUE(absl::SimpleAtoi(r.payload, &value));
    EXPECT_EQ(value % 100000, next[value / 100000]++);
    return absl::OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(expected, uint64_t{kThreads * kPerThread} + 1);
  EXPECT_GT(j.segment_count(), 1u);
}

}  // namespace
}  // namespace ccengine::journal
