// TimerQueue: due order (time, then scheduling order), firing up to a target
// including timers set while firing, and dead timers dropped by EarliestLive.

#include "ccengine/core/internal/timer_queue.h"

#include <cstdint>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"

namespace ccengine::internal {
namespace {

TEST(TimerQueueTest, FiresByTimeThenSchedulingOrder) {
  TimerQueue q;
  q.Schedule(30, TimerKind::kRelax, 1, q.NewToken());
  q.Schedule(10, TimerKind::kMaxWait, 2, q.NewToken());
  q.Schedule(30, TimerKind::kWrapUp, 3, q.NewToken());
  q.Schedule(10, TimerKind::kHours, 4, q.NewToken());
  std::vector<uint32_t> fired;
  q.FireDue(29, [&](const Timer& t) { fired.push_back(t.slot); });
  EXPECT_EQ(fired, (std::vector<uint32_t>{2, 4}));
  q.FireDue(30, [&](const Timer& t) { fired.push_back(t.slot); });
  EXPECT_EQ(fired, (std::vector<uint32_t>{2, 4, 1, 3}));
  EXPECT_TRUE(q.empty());
}

TEST(TimerQueueTest, ATimerSetWhileFiringFiresInTheSameCallWhenDue) {
  TimerQueue q;
  q.Schedule(5, TimerKind::kRelax, 1, q.NewToken());
  std::vector<uint32_t> fired;
  q.FireDue(20, [&](const Timer& t) {
    fired.push_back(t.slot);
    if (t.slot == 1) {
      q.Schedule(15, TimerKind::kRelax, 2, q.NewToken());  // due by 20
      q.Schedule(25, TimerKind::kRelax, 3, q.NewToken());  // not yet
    }
  });
  EXPECT_EQ(fired, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(q.size(), 1u);
}

TEST(TimerQueueTest, EarliestLiveDropsDeadTimersInFront) {
  TimerQueue q;
  std::set<uint64_t> live;
  for (Micros at : {10, 20, 30}) {
    uint64_t token = q.NewToken();
    q.Schedule(at, TimerKind::kOfferTimeout, 0, token);
    if (at == 30) live.insert(token);
  }
  auto is_live = [&](const Timer& t) { return live.contains(t.token); };
  EXPECT_EQ(q.EarliestLive(is_live), Micros{30});
  EXPECT_EQ(q.size(), 1u);  // the two dead ones are gone
  live.clear();
  EXPECT_EQ(q.EarliestLive(is_live), std::nullopt);
  EXPECT_TRUE(q.empty());
}

TEST(TimerQueueTest, TokensAreUnique) {
  TimerQueue q;
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.insert(q.NewToken()).second);
}

TEST(TimerQueueTest, RandomSchedulesFireInSortedOrder) {
  std::mt19937_64 rng(7);
  TimerQueue q;
  std::vector<std::tuple<Micros, int>> model;  // (at, scheduling index)
  for (int i = 0; i < 2000; ++i) {
    Micros at = static_cast<Micros>(rng() % 500);
    q.Schedule(at, TimerKind::kRelax, static_cast<uint32_t>(i), q.NewToken());
    model.emplace_back(at, i);
  }
  std::sort(model.begin(), model.end());
  std::vector<std::tuple<Micros, int>> fired;
  for (Micros target = 0; target < 600; target += 37) {
    q.FireDue(target, [&](const Timer& t) {
      EXPECT_LE(t.at, target);
      fired.emplace_back(t.at, static_cast<int>(t.slot));
    });
  }
  EXPECT_EQ(fired, model);
}

}  // namespace
}  // namespace ccengine::internal
