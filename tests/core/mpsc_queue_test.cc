// -----------------------------------------------------------------------------
// File: tests/core/mpsc_queue_test.cc
// -----------------------------------------------------------------------------
//
// Tests for `ccengine::internal::MpscQueue`: the single-threaded contract
// (FIFO, full/empty reports that leave arguments untouched, capacity rounding,
// element lifetimes) and multi-producer stress runs that check every item
// arrives exactly once and in per-producer order. Run these under TSan and
// ASan as well as in a normal build; item counts shrink under TSan.

#include "ccengine/core/internal/mpsc_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#if defined(__SANITIZE_THREAD__)
#define CCENGINE_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CCENGINE_TEST_TSAN 1
#endif
#endif

namespace ccengine::internal {
namespace {

#ifdef CCENGINE_TEST_TSAN
constexpr int kScaleDown = 4;  // TSan makes every operation many times slower.
#else
constexpr int kScaleDown = 1;
#endif

// Counts constructions, moves and destructions; `live` must be 0 at the end
// of every test that uses it.
struct Counted {
  static inline std::atomic<int> live{0};
  static inline std::atomic<int> constructed{0};
  static inline std::atomic<int> moved{0};
  static inline std::atomic<int> destroyed{0};

  static void Reset() {
    live = 0;
    constructed = 0;
    moved = 0;
    destroyed = 0;
  }

  explicit Counted(int v) noexcept : value(v) {
    ++live;
    ++constructed;
  }
  Counted(Counted&& other) noexcept : value(other.value) {
    other.value = -1;
    ++live;
    ++moved;
  }
  Counted& operator=(Counted&& other) noexcept {
    value = other.value;
    other.value = -1;
    return *this;
  }
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
  ~Counted() {
    --live;
    ++destroyed;
  }

  int value;
};

// A command-like element that owns heap memory in three different ways, so
// ASan reports any element the queue forgets to destroy.
struct OwningCommand {
  std::string name;
  std::vector<int> skills;
  std::unique_ptr<std::string> note;
};

TEST(MpscQueueTest, TypeIsNeitherCopyableNorMovable) {
  using Q = MpscQueue<int>;
  static_assert(!std::is_copy_constructible_v<Q>);
  static_assert(!std::is_copy_assignable_v<Q>);
  static_assert(!std::is_move_constructible_v<Q>);
  static_assert(!std::is_move_assignable_v<Q>);
  static_assert(alignof(Q) >= kCacheLineSize);
  // Read-only fields, tail and head each on their own line.
  static_assert(sizeof(Q) >= 3 * kCacheLineSize);
}

TEST(MpscQueueTest, CapacityRoundsUpToPowerOfTwoAtLeastTwo) {
  const std::pair<std::size_t, std::size_t> cases[] = {
      {0, 2}, {1, 2},  {2, 2},       {3, 4},       {4, 4},       {5, 8},
      {7, 8}, {9, 16}, {1000, 1024}, {1024, 1024}, {1025, 2048},
  };
  for (const auto& [requested, expected] : cases) {
    MpscQueue<int> q(requested);
    EXPECT_EQ(q.capacity(), expected) << "requested " << requested;
  }
}

TEST(MpscQueueTest, RoundedCapacityIsUsable) {
  MpscQueue<int> q(3);  // Rounded to 4.
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(q.TryPush(int{i}));
  EXPECT_FALSE(q.TryPush(4));
}

TEST(MpscQueueTest, FifoSingleThread) {
  MpscQueue<int> q(8);
  EXPECT_TRUE(q.ApproxEmpty());
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(q.TryPush(int{i}));
  EXPECT_EQ(q.ApproxSize(), 8u);
  for (int i = 0; i < 8; ++i) {
    int out = -1;
    ASSERT_TRUE(q.TryPop(out));
    EXPECT_EQ(out, i);
  }
  EXPECT_TRUE(q.ApproxEmpty());
}

TEST(MpscQueueTest, FifoAcrossManyLaps) {
  MpscQueue<int> q(4);
  int next_push = 0;
  int next_pop = 0;
  // Interleave pushes and pops so head and tail go round the ring many times
  // at varying distances.
  for (int round = 0; round < 1000; ++round) {
    const int pushes = 1 + round % 4;
    for (int i = 0; i < pushes; ++i) ASSERT_TRUE(q.TryPush(int{next_push++}));
    const int pops = 1 + (round * 7) % pushes;
    for (int i = 0; i < pops; ++i) {
      int out = -1;
      ASSERT_TRUE(q.TryPop(out));
      ASSERT_EQ(out, next_pop++);
    }
    while (q.ApproxSize() > 0) {
      int out = -1;
      ASSERT_TRUE(q.TryPop(out));
      ASSERT_EQ(out, next_pop++);
    }
  }
  EXPECT_EQ(next_push, next_pop);
}

TEST(MpscQueueTest, TryPopOnEmptyReturnsFalseAndLeavesOutUntouched) {
  MpscQueue<std::string> q(4);
  std::string out = "unchanged";
  EXPECT_FALSE(q.TryPop(out));
  EXPECT_EQ(out, "unchanged");
  ASSERT_TRUE(q.TryPush(std::string("a")));
  ASSERT_TRUE(q.TryPop(out));
  EXPECT_EQ(out, "a");
  out = "unchanged";
  EXPECT_FALSE(q.TryPop(out));
  EXPECT_EQ(out, "unchanged");
}

TEST(MpscQueueTest, FullTryPushReturnsFalseAndLeavesValueIntact) {
  MpscQueue<std::unique_ptr<int>> q(2);
  ASSERT_TRUE(q.TryPush(std::make_unique<int>(1)));
  ASSERT_TRUE(q.TryPush(std::make_unique<int>(2)));
  EXPECT_EQ(q.ApproxSize(), 2u);

  auto rejected = std::make_unique<int>(42);
  int* const raw = rejected.get();
  EXPECT_FALSE(q.TryPush(std::move(rejected)));
  ASSERT_NE(rejected, nullptr);
  EXPECT_EQ(rejected.get(), raw);
  EXPECT_EQ(*rejected, 42);

  // The queue's contents are unchanged by the rejected push.
  std::unique_ptr<int> out;
  ASSERT_TRUE(q.TryPop(out));
  EXPECT_EQ(*out, 1);
  // One cell is free again: the same value now goes in.
  EXPECT_TRUE(q.TryPush(std::move(rejected)));
  EXPECT_EQ(rejected, nullptr);
  ASSERT_TRUE(q.TryPop(out));
  EXPECT_EQ(*out, 2);
  ASSERT_TRUE(q.TryPop(out));
  EXPECT_EQ(*out, 42);
  EXPECT_FALSE(q.TryPop(out));
}

TEST(MpscQueueTest, FullTryEmplaceLeavesArgumentsIntact) {
  MpscQueue<std::string> q(2);
  ASSERT_TRUE(q.TryEmplace(std::string(100, 'a')));
  ASSERT_TRUE(q.TryEmplace(std::string(100, 'b')));
  std::string long_value(100, 'c');  // Beyond SSO, so a move would steal it.
  EXPECT_FALSE(q.TryEmplace(std::move(long_value)));
  EXPECT_EQ(long_value, std::string(100, 'c'));
}

TEST(MpscQueueTest, TryEmplaceConstructsInPlace) {
  Counted::Reset();
  {
    MpscQueue<Counted> q(4);
    ASSERT_TRUE(q.TryEmplace(7));
    EXPECT_EQ(Counted::constructed, 1);
    EXPECT_EQ(Counted::moved, 0);  // Built in the cell, not moved into it.
    EXPECT_EQ(Counted::live, 1);
    Counted out(0);
    ASSERT_TRUE(q.TryPop(out));
    EXPECT_EQ(out.value, 7);
    EXPECT_EQ(Counted::live, 1);  // Only `out`: the cell's element is gone.
  }
  EXPECT_EQ(Counted::live, 0);
}

TEST(MpscQueueTest, PoppedElementsAreDestroyedOnce) {
  Counted::Reset();
  {
    MpscQueue<Counted> q(8);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(q.TryEmplace(i));
    std::vector<int> seen;
    EXPECT_EQ(q.Drain([&](Counted&& c) { seen.push_back(c.value); }, 100), 5u);
    EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4}));
    EXPECT_EQ(Counted::live, 0);
    EXPECT_EQ(Counted::destroyed, 5);
  }
  EXPECT_EQ(Counted::destroyed, 5);  // Nothing left for the destructor.
}

TEST(MpscQueueTest, DestructorDestroysLeftovers) {
  Counted::Reset();
  {
    MpscQueue<Counted> q(4);
    // Move head and tail off zero so the leftovers wrap around the ring.
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(q.TryEmplace(i));
    EXPECT_EQ(q.Drain([](Counted&&) {}, 3), 3u);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(q.TryEmplace(10 + i));
    EXPECT_EQ(Counted::live, 4);
    EXPECT_EQ(Counted::destroyed, 3);
  }
  EXPECT_EQ(Counted::live, 0);
  EXPECT_EQ(Counted::destroyed, 7);
}

TEST(MpscQueueTest, DestructorOfEmptyQueueDestroysNothing) {
  Counted::Reset();
  { MpscQueue<Counted> q(16); }
  EXPECT_EQ(Counted::destroyed, 0);
}

TEST(MpscQueueTest, NonTrivialElementsDoNotLeak) {
  // ASan's leak checker fails this test if any element is not destroyed.
  MpscQueue<OwningCommand> q(4);
  for (int i = 0; i < 4; ++i) {
    OwningCommand cmd{std::string(64, static_cast<char>('a' + i)),
                      std::vector<int>(16, i), std::make_unique<std::string>(64, 'n')};
    ASSERT_TRUE(q.TryPush(std::move(cmd)));
  }
  OwningCommand rejected{
      std::string(64, 'z'), {1, 2, 3}, std::make_unique<std::string>("keep")};
  EXPECT_FALSE(q.TryPush(std::move(rejected)));
  EXPECT_EQ(rejected.name, std::string(64, 'z'));
  EXPECT_EQ(rejected.skills, (std::vector<int>{1, 2, 3}));
  ASSERT_NE(rejected.note, nullptr);
  EXPECT_EQ(*rejected.note, "keep");

  OwningCommand out;
  ASSERT_TRUE(q.TryPop(out));
  EXPECT_EQ(out.name, std::string(64, 'a'));
  EXPECT_EQ(out.skills, std::vector<int>(16, 0));
  ASSERT_NE(out.note, nullptr);
  // Three elements stay behind for the destructor.
}

TEST(MpscQueueTest, VariantElementsRoundTrip) {
  using Command = std::variant<std::monostate, std::string, std::vector<int>>;
  MpscQueue<Command> q(4);
  ASSERT_TRUE(q.TryPush(Command(std::string(40, 'x'))));
  ASSERT_TRUE(q.TryPush(Command(std::in_place_type<std::vector<int>>, 1000u, 3)));
  ASSERT_TRUE(q.TryPush(Command(std::string("short"))));
  std::vector<Command> out;
  EXPECT_EQ(q.Drain([&](Command&& c) { out.push_back(std::move(c)); }, 2), 2u);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(std::get<std::string>(out[0]), std::string(40, 'x'));
  EXPECT_EQ(std::get<std::vector<int>>(out[1]), std::vector<int>(1000, 3));
  EXPECT_EQ(q.ApproxSize(), 1u);  // "short" is left for the destructor.
}

TEST(MpscQueueTest, DrainStopsAtMaxItemsAndWhenEmpty) {
  MpscQueue<int> q(16);
  EXPECT_EQ(q.Drain([](int&&) { FAIL() << "called on empty queue"; }, 8), 0u);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(q.TryPush(int{i}));
  std::vector<int> seen;
  auto record = [&](int&& v) { seen.push_back(v); };
  EXPECT_EQ(q.Drain(record, 0), 0u);
  EXPECT_EQ(q.Drain(record, 4), 4u);
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(q.ApproxSize(), 6u);
  EXPECT_EQ(q.Drain(record, 100), 6u);
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_TRUE(q.ApproxEmpty());
}

TEST(MpscQueueTest, DrainCallbackThrowConsumesThatElementOnly) {
  Counted::Reset();
  {
    MpscQueue<Counted> q(8);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(q.TryEmplace(i));
    std::vector<int> seen;
    EXPECT_THROW(q.Drain(
                     [&](Counted&& c) {
                       seen.push_back(c.value);
                       if (c.value == 1) throw std::runtime_error("boom");
                     },
                     8),
                 std::runtime_error);
    EXPECT_EQ(seen, (std::vector<int>{0, 1}));
    EXPECT_EQ(Counted::live, 2);  // 0 and 1 consumed and destroyed.
    EXPECT_EQ(q.ApproxSize(), 2u);
    // The queue keeps working: order resumes at 2, and cells are reusable.
    for (int i = 4; i < 10; ++i) ASSERT_TRUE(q.TryEmplace(i));
    EXPECT_FALSE(q.TryEmplace(99));
    EXPECT_EQ(q.Drain([&](Counted&& c) { seen.push_back(c.value); }, 100), 8u);
    EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  }
  EXPECT_EQ(Counted::live, 0);
}

// --- Concurrency -------------------------------------------------------------

struct Item {
  std::uint32_t producer;
  std::uint32_t seq;
};

// Runs `producers` threads each pushing `per_producer` items (retrying with a
// yield while the queue is full) into a queue of `capacity`, while this thread
// consumes with Drain. Checks exactly-once delivery and per-producer order,
// and that ApproxSize() read from a watcher thread stays within bounds.
void RunStress(std::size_t capacity, int producers, int per_producer) {
  MpscQueue<Item> q(capacity);
  std::atomic<bool> start{false};
  std::atomic<bool> done{false};
  std::atomic<std::size_t> watcher_bad{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      while (!start.load(std::memory_order_acquire)) std::this_thread::yield();
      for (int i = 0; i < per_producer; ++i) {
        Item item{static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(i)};
        while (!q.TryPush(std::move(item))) std::this_thread::yield();
      }
    });
  }
  std::thread watcher([&] {
    while (!done.load(std::memory_order_acquire)) {
      if (q.ApproxSize() > q.capacity()) watcher_bad.fetch_add(1);
      std::this_thread::yield();
    }
  });

  std::vector<std::uint32_t> next(producers, 0);
  std::size_t out_of_order = 0;
  std::size_t bad_producer = 0;
  const std::size_t total = static_cast<std::size_t>(producers) * per_producer;
  std::size_t received = 0;
  start.store(true, std::memory_order_release);
  while (received < total) {
    const std::size_t n = q.Drain(
        [&](Item&& item) {
          if (item.producer >= static_cast<std::uint32_t>(producers)) {
            ++bad_producer;
            return;
          }
          if (item.seq != next[item.producer]) ++out_of_order;
          next[item.producer] = item.seq + 1;
        },
        256);
    received += n;
    if (n == 0) std::this_thread::yield();
  }
  for (auto& t : threads) t.join();
  done.store(true, std::memory_order_release);
  watcher.join();

  EXPECT_EQ(bad_producer, 0u);
  EXPECT_EQ(out_of_order, 0u);
  for (int p = 0; p < producers; ++p) {
    EXPECT_EQ(next[p], static_cast<std::uint32_t>(per_producer)) << "producer " << p;
  }
  EXPECT_EQ(watcher_bad.load(), 0u);
  // Every item was consumed: nothing is left over.
  Item extra{};
  EXPECT_FALSE(q.TryPop(extra));
  EXPECT_TRUE(q.ApproxEmpty());
}

TEST(MpscQueueStressTest, FourProducersOneConsumerExactlyOnceInOrder) {
  RunStress(/*capacity=*/1024, /*producers=*/4,
            /*per_producer=*/200'000 / kScaleDown);
}

class MpscQueueTinyCapacityTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(MpscQueueTinyCapacityTest, WrapsAroundUnderContentionWithRetries) {
  // Every few pushes go round the whole ring, and producers keep hitting
  // "full" and retrying, which exercises the seq < pos path and the lap
  // arithmetic far more than a large queue does.
  RunStress(GetParam(), /*producers=*/4, /*per_producer=*/50'000 / kScaleDown);
}

INSTANTIATE_TEST_SUITE_P(Capacities, MpscQueueTinyCapacityTest,
                         ::testing::Values(std::size_t{2}, std::size_t{4}),
                         [](const auto& info) {
                           return "Capacity" + std::to_string(info.param);
                         });

TEST(MpscQueueStressTest, HeapOwningElementsUnderContentionArriveIntact) {
  // The consumer reads heap memory the producers wrote just before pushing:
  // TSan flags a missing release/acquire edge, ASan a lost or double-freed
  // element. Leftovers are destroyed by the queue's destructor.
  const int per_producer = 20'000 / kScaleDown;
  const int producers = 3;
  const int leave_behind = 50;
  MpscQueue<OwningCommand> q(64);
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < per_producer; ++i) {
        OwningCommand cmd{
            std::to_string(p) + ":" + std::to_string(i) + std::string(32, 'x'),
            std::vector<int>{p, i}, std::make_unique<std::string>(std::to_string(i))};
        while (!q.TryPush(std::move(cmd))) std::this_thread::yield();
      }
    });
  }
  const std::size_t to_consume =
      static_cast<std::size_t>(producers) * per_producer - leave_behind;
  std::size_t consumed = 0;
  std::size_t mismatches = 0;
  std::vector<int> next(producers, 0);
  while (consumed < to_consume) {
    const std::size_t n = q.Drain(
        [&](OwningCommand&& cmd) {
          const int p = cmd.skills.at(0);
          const int i = cmd.skills.at(1);
          if (i != next.at(p)) ++mismatches;
          next.at(p) = i + 1;
          if (cmd.name !=
                  std::to_string(p) + ":" + std::to_string(i) + std::string(32, 'x') ||
              cmd.note == nullptr || *cmd.note != std::to_string(i)) {
            ++mismatches;
          }
        },
        to_consume - consumed);
    consumed += n;
    if (n == 0) std::this_thread::yield();
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(q.ApproxSize(), static_cast<std::size_t>(leave_behind));
}

}  // namespace
}  // namespace ccengine::internal
