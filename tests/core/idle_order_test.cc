// The longest-idle order against a sorted set of (idle_since, insertion
// number): random inserts (mostly at the newest time, some older, many ties,
// which keep their order of insertion) and removals, and the count of loaded
// agents. The engine-level check (listed = free, counted = loaded, in order,
// after every step) is in CheckInvariants, run by the randomized tests.

#include "ccengine/core/internal/idle_order.h"

#include <cstdint>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace ccengine::internal {
namespace {

TEST(IdleOrderTest, KeepsAgentsByIdleSinceTiesInInsertionOrder) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    std::mt19937_64 rng(seed);
    const uint32_t slots = 64;
    IdleOrder order;
    order.Resize(slots);
    std::vector<int64_t> since(slots, 0);
    std::vector<uint64_t> inserted(slots, 0);
    std::vector<bool> loaded(slots, false);
    std::set<std::pair<std::pair<int64_t, uint64_t>, uint32_t>>
        model;  // ((since, n), slot)
    auto before = [&](uint32_t x, uint32_t y) { return since[x] < since[y]; };
    int64_t now = 0;
    uint64_t insertions = 0;
    for (int step = 0; step < 5000; ++step) {
      if (rng() % 4 == 0) now += static_cast<int64_t>(rng() % 3);  // ties are common
      const uint32_t s = static_cast<uint32_t>(rng() % slots);
      if (rng() % 8 == 0) {
        loaded[s] = !loaded[s];
        order.SetLoaded(s, loaded[s]);
      } else if (order.Contains(s)) {
        order.Remove(s);
        model.erase({{since[s], inserted[s]}, s});
      } else {
        // Most agents join at the current time; some keep an older time.
        since[s] = rng() % 5 == 0 ? now - static_cast<int64_t>(rng() % 10) : now;
        inserted[s] = ++insertions;
        order.Insert(s, before);
        model.insert({{since[s], inserted[s]}, s});
      }
      ASSERT_EQ(order.size(), model.size());
      size_t loaded_count = 0;
      for (uint32_t x = 0; x < slots; ++x) {
        loaded_count += loaded[x];
        ASSERT_EQ(order.Loaded(x), loaded[x]);
      }
      ASSERT_EQ(order.loaded(), loaded_count);
      auto it = model.begin();
      for (uint32_t x = order.head(); x != IdleOrder::kEnd; x = order.next(x), ++it) {
        ASSERT_NE(it, model.end());
        ASSERT_EQ(x, it->second) << "seed " << seed << " step " << step;
      }
      ASSERT_EQ(it, model.end());
    }
  }
}

}  // namespace
}  // namespace ccengine::internal
