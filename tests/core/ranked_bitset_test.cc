// RankedBitset: random sets, clears and growth checked after every step
// against a plain sorted set — the count, the member of a rank and the rank
// of a slot, and the Fenwick counts against a rebuild from the bits.

#include "ccengine/core/internal/ranked_bitset.h"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <random>
#include <set>

#include "gtest/gtest.h"

namespace ccengine::internal {
namespace {

// Every rank's member, and the count, as `model` has them.
void ExpectAgrees(const RankedBitset& set, const std::set<size_t>& model) {
  ASSERT_EQ(set.count(), model.size());
  ASSERT_TRUE(set.CountsHold());
  size_t rank = 0;
  for (size_t member : model) {
    ASSERT_EQ(set.Select(rank), member) << "rank " << rank;
    ASSERT_EQ(set.Rank(member), rank);
    ASSERT_TRUE(set.Test(member));
    ++rank;
  }
}

TEST(RankedBitsetTest, EmptyAndSingleMembers) {
  RankedBitset set;
  EXPECT_EQ(set.count(), 0u);
  EXPECT_TRUE(set.CountsHold());
  set.Resize(5000);
  EXPECT_EQ(set.count(), 0u);
  for (size_t i : {0u, 63u, 64u, 511u, 512u, 4095u, 4999u}) {
    set.Set(i);
    EXPECT_EQ(set.count(), 1u);
    EXPECT_EQ(set.Select(0), i);
    set.Set(i);  // already a member: nothing changes
    EXPECT_EQ(set.count(), 1u);
    set.Clear(i);
    set.Clear(i);
    EXPECT_EQ(set.count(), 0u);
    EXPECT_TRUE(set.CountsHold());
  }
}

TEST(RankedBitsetTest, EveryBitOfAWordAndOfABlock) {
  RankedBitset set;
  set.Resize(RankedBitset::kBlockBits * 3);
  std::set<size_t> model;
  for (size_t i = RankedBitset::kBlockBits; i < 2 * RankedBitset::kBlockBits; ++i) {
    set.Set(i);
    model.insert(i);
  }
  ExpectAgrees(set, model);
}

TEST(RankedBitsetTest, RandomStepsAgreeWithASortedSet) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    RankedBitset set;
    std::set<size_t> model;
    size_t size = 1 + rng() % 700;
    set.Resize(size);
    for (int step = 0; step < 600; ++step) {
      const uint64_t what = rng() % 100;
      if (what < 3) {
        // Growth keeps every member and adds clear bits (often a new block).
        size += rng() % 1500;
        set.Resize(size);
      } else {
        const size_t i = rng() % size;
        if (what < 60) {
          set.Set(i);
          model.insert(i);
        } else {
          set.Clear(i);
          model.erase(i);
        }
      }
      ASSERT_EQ(set.count(), model.size()) << "seed " << seed << " step " << step;
      const size_t probe = rng() % (size + 100);
      ASSERT_EQ(set.Rank(probe), static_cast<size_t>(std::distance(
                                     model.begin(), model.lower_bound(probe))))
          << "seed " << seed << " step " << step << " Rank(" << probe << ")";
      if (!model.empty()) {
        const size_t rank = rng() % model.size();
        ASSERT_EQ(set.Select(rank), *std::next(model.begin(), static_cast<long>(rank)))
            << "seed " << seed << " step " << step;
      }
    }
    ExpectAgrees(set, model);
  }
}

}  // namespace
}  // namespace ccengine::internal
