// The longest-idle order against a sorted set of (idle_since, id): random
// inserts (mostly at the newest time, some older, many ties) and removals.
// The engine-level check (listed = able to take something, in order, after
// every step) is in CheckInvariants, run by the randomized tests.

#include "ccengine/internal/idle_order.h"

#include <cstdint>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace ccengine::internal {
namespace {

TEST(IdleOrderTest, KeepsAgentsByIdleSinceThenId) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    std::mt19937_64 rng(seed);
    const uint32_t slots = 64;
    IdleOrder order;
    order.Resize(slots);
    std::vector<int64_t> since(slots, 0);
    std::vector<uint32_t> id(slots);
    for (uint32_t s = 0; s < slots; ++s) id[s] = (s * 37) % slots;  // ids not in slot order
    std::set<std::pair<int64_t, uint32_t>> model;  // (since, id)
    auto before = [&](uint32_t x, uint32_t y) {
      return since[x] != since[y] ? since[x] < since[y] : id[x] < id[y];
    };
    int64_t now = 0;
    for (int step = 0; step < 5000; ++step) {
      if (rng() % 4 == 0) now += static_cast<int64_t>(rng() % 3);  // ties are common
      const uint32_t s = static_cast<uint32_t>(rng() % slots);
      if (order.Contains(s)) {
        order.Remove(s);
        model.erase({since[s], id[s]});
      } else {
        // Most agents join at the current time; some keep an older time.
        since[s] = rng() % 5 == 0 ? now - static_cast<int64_t>(rng() % 10) : now;
        order.Insert(s, before);
        model.insert({since[s], id[s]});
      }
      ASSERT_EQ(order.size(), model.size());
      auto it = model.begin();
      for (uint32_t x = order.head(); x != IdleOrder::kEnd; x = order.next(x), ++it) {
        ASSERT_NE(it, model.end());
        ASSERT_EQ(std::make_pair(since[x], id[x]), *it) << "seed " << seed << " step " << step;
      }
      ASSERT_EQ(it, model.end());
    }
  }
}

}  // namespace
}  // namespace ccengine::internal
