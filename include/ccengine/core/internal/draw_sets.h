// -----------------------------------------------------------------------------
// File: ccengine/core/internal/draw_sets.h
// -----------------------------------------------------------------------------
//
// `DrawSets`: ranked sets of agent slots that know how many members they
// have and which member holds a given rank (in slot order), without a pass
// over them. The random strategies keep their pools in them, one set per
// waiting group and routing step (random_pick.cc).
//
// Every set spans the same slots and lives in the same flat arrays: set `s`
// owns words [s × W, (s + 1) × W) and a Fenwick tree of its members counted
// per block of `kBlockWords` words (one 32-bit count per 512 slots), so an
// update finds its word and its tree from the set's id alone — no record to
// read first. An agent's state change updates one set per group it serves,
// and each is then one cache miss for the word and the tree's path.
//   * `Assign`: O(log(slots / 512)) when the bit changes, O(1) when not;
//   * `count`: O(1);
//   * `Select(rank)`, `Rank(slot)`: O(log(slots / 512)) through the tree,
//     then at most `kBlockWords` word counts;
//   * `Resize`: the arrays grow by doubling, the sets copied, O(all words);
//   * `Add` / `Drop`: sets are reused by ranges of the same length.
// Nothing depends on the order in which members came and went.
//
// Thread safety: thread-compatible (the router owns it).
//
// Example:
//   DrawSets sets;
//   sets.Resize(1000);
//   const uint32_t s = sets.Add(1);
//   sets.Assign(s, 3, true);
//   sets.Assign(s, 700, true);
//   sets.count(s);      // 2
//   sets.Select(s, 1);  // 700

#ifndef CCENGINE_CORE_INTERNAL_DRAW_SETS_H_
#define CCENGINE_CORE_INTERNAL_DRAW_SETS_H_

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace ccengine::internal {

class DrawSets {
 public:
  static constexpr size_t kBlockWords = 8;
  static constexpr size_t kBlockBits = kBlockWords * 64;

  // Grows every set so that slot `slots - 1` exists; new slots are in none.
  void Resize(size_t slots) {
    const size_t blocks = (slots + kBlockBits - 1) / kBlockBits;
    if (blocks <= blocks_) return;
    const size_t grown = std::max(blocks, 2 * blocks_);
    const size_t sets = count_.size();
    std::vector<uint64_t> words(sets * grown * kBlockWords, 0);
    for (size_t s = 0; s < sets; ++s) {
      std::copy_n(words_.begin() + static_cast<std::ptrdiff_t>(s * words_per_set()),
                  words_per_set(),
                  words.begin() + static_cast<std::ptrdiff_t>(s * grown * kBlockWords));
    }
    words_ = std::move(words);
    blocks_ = grown;
    top_ = std::bit_floor(blocks_);
    tree_.assign(sets * blocks_, 0);
    for (size_t s = 0; s < sets; ++s) BuildTree(static_cast<uint32_t>(s));
  }
  size_t words_per_set() const { return blocks_ * kBlockWords; }

  // `n` new empty sets with consecutive ids; returns the first. A range of
  // `n` sets dropped before is taken again.
  uint32_t Add(size_t n) {
    for (auto it = free_.begin(); it != free_.end(); ++it) {
      if (it->second == n) {
        const uint32_t first = it->first;
        free_.erase(it);
        return first;
      }
    }
    const auto first = static_cast<uint32_t>(count_.size());
    count_.resize(count_.size() + n, 0);
    words_.resize(count_.size() * words_per_set(), 0);
    tree_.resize(count_.size() * blocks_, 0);
    return first;
  }
  // Empties the `n` sets from `first` (one Add's) and keeps them for reuse.
  void Drop(uint32_t first, size_t n) {
    for (uint32_t s = first; s < first + n; ++s) {
      std::fill_n(words_.begin() + static_cast<std::ptrdiff_t>(s * words_per_set()),
                  words_per_set(), 0);
      std::fill_n(tree_.begin() + static_cast<std::ptrdiff_t>(s * blocks_), blocks_, 0);
      count_[s] = 0;
    }
    free_.emplace_back(first, static_cast<uint32_t>(n));
  }
  // Sets made and not dropped.
  size_t live() const {
    size_t dropped = 0;
    for (const auto& [first, n] : free_) dropped += n;
    return count_.size() - dropped;
  }

  bool Test(uint32_t set, size_t slot) const {
    return slot < blocks_ * kBlockBits && ((word(set, slot / 64) >> (slot % 64)) & 1u);
  }
  // `slot` below Resize's.
  void Assign(uint32_t set, size_t slot, bool member) {
    uint64_t& w = words_[set * words_per_set() + slot / 64];
    const uint64_t bit = uint64_t{1} << (slot % 64);
    if (((w & bit) != 0) == member) return;
    w ^= bit;
    const uint32_t delta = member ? 1u : ~uint32_t{0};  // +1 or -1, mod 2^32
    count_[set] += delta;
    uint32_t* tree = tree_.data() + set * blocks_;
    for (size_t k = slot / kBlockBits + 1; k <= blocks_; k += k & (~k + 1)) {
      tree[k - 1] += delta;
    }
  }
  size_t count(uint32_t set) const { return count_[set]; }
  uint64_t word(uint32_t set, size_t w) const {
    return words_[set * words_per_set() + w];
  }

  // The member of rank `rank` (0-based, in slot order); `rank` < count(set).
  size_t Select(uint32_t set, size_t rank) const {
    const uint32_t* tree = tree_.data() + set * blocks_;
    size_t block = 0;
    auto r = static_cast<uint32_t>(rank);
    for (size_t step = top_; step > 0; step >>= 1) {
      if (block + step <= blocks_ && tree[block + step - 1] <= r) {
        block += step;
        r -= tree[block - 1];
      }
    }
    size_t w = block * kBlockWords;
    for (;; ++w) {
      const auto n = static_cast<uint32_t>(std::popcount(word(set, w)));
      if (r < n) break;
      r -= n;
    }
    return w * 64 + SelectInWord(word(set, w), r);
  }

  // The members below `slot` (the rank `slot` has if it is a member).
  size_t Rank(uint32_t set, size_t slot) const {
    slot = std::min(slot, blocks_ * kBlockBits);
    const uint32_t* tree = tree_.data() + set * blocks_;
    const size_t block = slot / kBlockBits;
    size_t rank = 0;
    for (size_t k = block; k > 0; k -= k & (~k + 1)) rank += tree[k - 1];
    for (size_t w = block * kBlockWords; w < slot / 64; ++w)
      rank += static_cast<size_t>(std::popcount(word(set, w)));
    if (slot % 64 != 0) {
      rank += static_cast<size_t>(
          std::popcount(word(set, slot / 64) & ((uint64_t{1} << (slot % 64)) - 1)));
    }
    return rank;
  }

  // Whether the set's counts agree with its bits (Engine::CheckInvariants).
  bool CountsHold(uint32_t set) const {
    std::vector<uint32_t> fresh(blocks_, 0);
    const uint32_t members = CountBlocks(set, fresh.data());
    FenwickFromCounts(fresh.data(), blocks_);
    return members == count_[set] &&
           std::equal(fresh.begin(), fresh.end(),
                      tree_.begin() + static_cast<std::ptrdiff_t>(set * blocks_));
  }

 private:
  // The position of the member of rank `r` (< popcount(x)) in word `x`.
  static size_t SelectInWord(uint64_t x, uint32_t r) {
    size_t shift = 0;
    for (unsigned half : {32u, 16u, 8u}) {
      const uint64_t low = x & ((uint64_t{1} << half) - 1);
      const auto n = static_cast<uint32_t>(std::popcount(low));
      if (r >= n) {
        r -= n;
        x >>= half;
        shift += half;
      }
    }
    for (; r > 0; --r) x &= x - 1;
    return shift + static_cast<size_t>(std::countr_zero(x));
  }
  // Per-block counts into a Fenwick tree, in place: each node adds itself
  // into its parent once.
  static void FenwickFromCounts(uint32_t* tree, size_t blocks) {
    for (size_t k = 1; k <= blocks; ++k) {
      const size_t parent = k + (k & (~k + 1));
      if (parent <= blocks) tree[parent - 1] += tree[k - 1];
    }
  }
  // Adds set `set`'s members per block to `counts` (blocks_ of them);
  // returns the members in all.
  uint32_t CountBlocks(uint32_t set, uint32_t* counts) const {
    uint32_t members = 0;
    for (size_t w = 0; w < words_per_set(); ++w) {
      const auto n = static_cast<uint32_t>(std::popcount(word(set, w)));
      counts[w / kBlockWords] += n;
      members += n;
    }
    return members;
  }
  // Set `set`'s tree and count from its words; its tree is all zero before.
  void BuildTree(uint32_t set) {
    uint32_t* tree = tree_.data() + set * blocks_;
    count_[set] = CountBlocks(set, tree);
    FenwickFromCounts(tree, blocks_);
  }

  size_t blocks_ = 0;  // per set
  size_t top_ = 0;     // the largest power of two not above blocks_
  std::vector<uint64_t> words_;
  std::vector<uint32_t> tree_;   // set s's node k at [s × blocks_ + k - 1]
  std::vector<uint32_t> count_;  // per set
  std::vector<std::pair<uint32_t, uint32_t>> free_;  // dropped (first, n)
};

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_DRAW_SETS_H_
