// The simulator's event heap against std::priority_queue: the same pops, in
// the same order, under random pushes and pops with many equal times.

#include "sim/quaternary_heap.h"

#include <cstdint>
#include <functional>
#include <queue>
#include <random>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace ccengine::internal {
namespace {

using Item = std::pair<int64_t, uint64_t>;  // (time, sequence): unique

TEST(QuaternaryHeapTest, PopsInTheOrderOfAPriorityQueue) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    QuaternaryHeap<Item, std::less<Item>> heap;
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> reference;
    uint64_t seq = 0;
    int64_t now = 0;
    // Sizes from 0 to a few hundred: every depth and partial last level.
    const int span = 1 + static_cast<int>(seed % 4) * 50;
    for (int step = 0; step < 20000; ++step) {
      const bool push = reference.empty() || rng() % 100 < 52;
      if (push) {
        const Item x{now + static_cast<int64_t>(rng() % span), ++seq};
        heap.push(x);
        reference.push(x);
      } else {
        ASSERT_FALSE(heap.empty());
        ASSERT_EQ(heap.top(), reference.top()) << "seed " << seed << " step " << step;
        now = heap.top().first;
        heap.pop();
        reference.pop();
      }
      ASSERT_EQ(heap.size(), reference.size());
    }
    while (!reference.empty()) {
      ASSERT_EQ(heap.top(), reference.top());
      heap.pop();
      reference.pop();
    }
    EXPECT_TRUE(heap.empty());
  }
}

TEST(QuaternaryHeapTest, EqualTimesLeaveInSequenceOrder) {
  QuaternaryHeap<Item, std::less<Item>> heap;
  for (uint64_t s = 40; s >= 1; --s) heap.push({7, s});
  for (uint64_t s = 1; s <= 40; ++s) {
    ASSERT_EQ(heap.top(), (Item{7, s}));
    heap.pop();
  }
  EXPECT_TRUE(heap.empty());
}

}  // namespace
}  // namespace ccengine::internal
