// DrawSets: several sets at once under random additions, removals, growth of
// the slots and sets dropped and made again, checked after every step
// against plain sorted sets — each set's count, the member of a rank and the
// rank of a slot, and its Fenwick counts against a rebuild from the bits.

#include "ccengine/core/internal/draw_sets.h"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "gtest/gtest.h"

namespace ccengine::internal {
namespace {

// Every rank's member, and the count, as `model` has them.
void ExpectAgrees(const DrawSets& sets, uint32_t s, const std::set<size_t>& model) {
  ASSERT_EQ(sets.count(s), model.size());
  ASSERT_TRUE(sets.CountsHold(s));
  size_t rank = 0;
  for (size_t member : model) {
    ASSERT_EQ(sets.Select(s, rank), member) << "rank " << rank;
    ASSERT_EQ(sets.Rank(s, member), rank);
    ASSERT_TRUE(sets.Test(s, member));
    ++rank;
  }
}

TEST(DrawSetsTest, EmptyAndSingleMembers) {
  DrawSets sets;
  const uint32_t s = sets.Add(1);
  EXPECT_EQ(sets.count(s), 0u);
  EXPECT_FALSE(sets.Test(s, 10));  // beyond every slot: in no set
  sets.Resize(5000);
  EXPECT_EQ(sets.count(s), 0u);
  EXPECT_TRUE(sets.CountsHold(s));
  for (size_t i : {0u, 63u, 64u, 511u, 512u, 4095u, 4999u}) {
    sets.Assign(s, i, true);
    EXPECT_EQ(sets.count(s), 1u);
    EXPECT_EQ(sets.Select(s, 0), i);
    sets.Assign(s, i, true);  // already a member: nothing changes
    EXPECT_EQ(sets.count(s), 1u);
    sets.Assign(s, i, false);
    sets.Assign(s, i, false);
    EXPECT_EQ(sets.count(s), 0u);
    EXPECT_TRUE(sets.CountsHold(s));
  }
}

TEST(DrawSetsTest, EveryBitOfAWordAndOfABlock) {
  DrawSets sets;
  sets.Resize(DrawSets::kBlockBits * 3);
  const uint32_t s = sets.Add(2) + 1;
  std::set<size_t> model;
  for (size_t i = DrawSets::kBlockBits; i < 2 * DrawSets::kBlockBits; ++i) {
    sets.Assign(s, i, true);
    model.insert(i);
  }
  ExpectAgrees(sets, s, model);
  EXPECT_EQ(sets.count(s - 1), 0u);  // its neighbour holds nothing
}

TEST(DrawSetsTest, DroppedSetsComeBackEmpty) {
  DrawSets sets;
  sets.Resize(100);
  const uint32_t a = sets.Add(3);
  for (uint32_t k = 0; k < 3; ++k) sets.Assign(a + k, 7 * k, true);
  EXPECT_EQ(sets.live(), 3u);
  sets.Drop(a, 3);
  EXPECT_EQ(sets.live(), 0u);
  const uint32_t b = sets.Add(3);  // the same range, emptied
  EXPECT_EQ(b, a);
  for (uint32_t k = 0; k < 3; ++k) {
    EXPECT_EQ(sets.count(b + k), 0u);
    EXPECT_TRUE(sets.CountsHold(b + k));
  }
  EXPECT_NE(sets.Add(2), a);  // another length: new sets
  EXPECT_EQ(sets.live(), 5u);
}

TEST(DrawSetsTest, RandomStepsAgreeWithSortedSets) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    DrawSets sets;
    std::map<uint32_t, std::pair<size_t, std::vector<std::set<size_t>>>> made;  // first
    size_t size = 1 + rng() % 700;
    sets.Resize(size);
    auto add = [&] {
      const size_t n = 1 + rng() % 3;
      const uint32_t first = sets.Add(n);
      made[first] = {n, std::vector<std::set<size_t>>(n)};
    };
    add();
    for (int step = 0; step < 800; ++step) {
      const uint64_t what = rng() % 100;
      if (what < 3) {
        // Growth keeps every member and adds slots in no set (often new blocks).
        size += rng() % 1500;
        sets.Resize(size);
      } else if (what < 6) {
        add();
      } else if (what < 8 && made.size() > 1) {
        auto it = std::next(made.begin(), static_cast<long>(rng() % made.size()));
        sets.Drop(it->first, it->second.first);
        made.erase(it);
      } else {
        auto it = std::next(made.begin(), static_cast<long>(rng() % made.size()));
        const size_t k = rng() % it->second.first;
        std::set<size_t>& model = it->second.second[k];
        const auto s = static_cast<uint32_t>(it->first + k);
        const size_t i = rng() % size;
        const bool member = what < 60;
        sets.Assign(s, i, member);
        if (member) {
          model.insert(i);
        } else {
          model.erase(i);
        }
        ASSERT_EQ(sets.count(s), model.size()) << "seed " << seed << " step " << step;
        const size_t probe = rng() % (size + 100);
        ASSERT_EQ(sets.Rank(s, probe), static_cast<size_t>(std::distance(
                                           model.begin(), model.lower_bound(probe))))
            << "seed " << seed << " step " << step << " Rank(" << probe << ")";
        if (!model.empty()) {
          const size_t rank = rng() % model.size();
          ASSERT_EQ(sets.Select(s, rank),
                    *std::next(model.begin(), static_cast<long>(rank)))
              << "seed " << seed << " step " << step;
        }
      }
    }
    size_t live = 0;
    for (const auto& [first, entry] : made) {
      live += entry.first;
      for (size_t k = 0; k < entry.first; ++k) {
        ExpectAgrees(sets, static_cast<uint32_t>(first + k), entry.second[k]);
      }
    }
    EXPECT_EQ(sets.live(), live);
  }
}

}  // namespace
}  // namespace ccengine::internal
