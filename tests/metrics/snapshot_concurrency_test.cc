// metrics::SnapshotPublisher across threads (runs under TSan, label
// `concurrency`): one thread publishes while readers take the latest and
// wait for newer ones; versions only grow, each reader sees a whole
// snapshot (its contents match its version), and WaitNewer wakes on a
// publish and returns after its timeout when none comes.

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "ccengine/metrics/snapshot.h"
#include "gtest/gtest.h"

namespace ccengine::metrics {
namespace {

Snapshot Numbered(uint64_t n) {
  Snapshot s;
  s.at = absl::FromUnixSeconds(static_cast<int64_t>(n));
  s.queues.resize(1);
  s.queues[0].waiting = n;
  return s;
}

TEST(SnapshotConcurrencyTest, ReadersSeeWholeSnapshotsInOrder) {
  SnapshotPublisher published;
  EXPECT_EQ(published.Latest(), nullptr);
  constexpr uint64_t kCount = 2000;
  std::atomic<int> faults{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&, r] {
      uint64_t seen = 0;
      while (seen < kCount) {
        std::shared_ptr<const Snapshot> s =
            r == 0 ? published.Latest() : published.WaitNewer(seen, absl::Seconds(10));
        if (s == nullptr) continue;
        // Publish numbers versions 1, 2, ... in the order it is called.
        if (s->version < seen || s->queues.size() != 1 ||
            s->queues[0].waiting != s->version ||
            s->at != absl::FromUnixSeconds(static_cast<int64_t>(s->version))) {
          faults++;
          return;
        }
        seen = s->version;
      }
    });
  }
  for (uint64_t n = 1; n <= kCount; ++n) published.Publish(Numbered(n));
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(faults.load(), 0);
  EXPECT_EQ(published.Latest()->version, kCount);

  const auto t0 = std::chrono::steady_clock::now();
  std::shared_ptr<const Snapshot> same =
      published.WaitNewer(kCount, absl::Milliseconds(30));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(25));
  EXPECT_EQ(same->version, kCount);

  // No timeout: waits for the next publish.
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    published.Publish(Numbered(kCount + 1));
  });
  std::shared_ptr<const Snapshot> next =
      published.WaitNewer(kCount, absl::InfiniteDuration());
  later.join();
  EXPECT_EQ(next->version, kCount + 1);
}

}  // namespace
}  // namespace ccengine::metrics
