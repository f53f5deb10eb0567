// -----------------------------------------------------------------------------
// File: ccengine/core/internal/ranked_bitset.h
// -----------------------------------------------------------------------------
//
// `RankedBitset`: a `Bitset` that also knows how many members it has and
// which member holds a given rank (in slot order), without a pass over it.
// The members are counted per block of `kBlockWords` words in a Fenwick tree
// (one 32-bit count per 512 slots), so:
//   * `Set`, `Clear`, `Assign`: O(log(slots / 512)) when the bit changes,
//     O(1) when it does not;
//   * `count()`: O(1);
//   * `Select(rank)`: O(log(slots / 512)) through the tree, then at most
//     `kBlockWords` word counts and one select inside a word;
//   * `Rank(i)`, the members below slot `i`: the same.
// The waiting groups keep their random strategies' pools this way
// (GroupRec::draw, random_pick.cc): a draw names the member of a rank
// without a pass over the pool; nothing depends on the order in which
// members came and went.
//
// Thread safety: thread-compatible (the router owns every instance).
//
// Example:
//   RankedBitset set;
//   set.Resize(1000);
//   set.Set(3); set.Set(700);
//   set.count();    // 2
//   set.Select(1);  // 700

#ifndef CCENGINE_CORE_INTERNAL_RANKED_BITSET_H_
#define CCENGINE_CORE_INTERNAL_RANKED_BITSET_H_

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ccengine/core/internal/bitset.h"

namespace ccengine::internal {

class RankedBitset {
 public:
  static constexpr size_t kBlockWords = 8;
  static constexpr size_t kBlockBits = kBlockWords * 64;

  // Grows (never shrinks) so that bit `n - 1` exists; new bits are clear.
  void Resize(size_t n) {
    bits_.Resize(n);
    if ((bits_.word_count() + kBlockWords - 1) / kBlockWords != tree_.size()) Rebuild();
  }
  const Bitset& bits() const { return bits_; }
  bool Test(size_t i) const { return bits_.Test(i); }
  void Set(size_t i) {
    if (bits_.Test(i)) return;
    bits_.Set(i);
    Add(i / kBlockBits, 1);
  }
  void Clear(size_t i) {
    if (!bits_.Test(i)) return;
    bits_.Clear(i);
    Add(i / kBlockBits, -1);
  }
  void Assign(size_t i, bool v) { v ? Set(i) : Clear(i); }
  size_t count() const { return count_; }

  // The member of rank `rank` (0-based, in slot order); `rank` < count().
  size_t Select(size_t rank) const {
    // The Fenwick descent: the last block whose members before it are at
    // most `rank`.
    size_t block = 0;
    uint32_t r = static_cast<uint32_t>(rank);
    for (size_t step = top_; step > 0; step >>= 1) {
      if (block + step <= tree_.size() && tree_[block + step - 1] <= r) {
        block += step;
        r -= tree_[block - 1];
      }
    }
    size_t w = block * kBlockWords;
    for (;; ++w) {
      const auto n = static_cast<uint32_t>(std::popcount(bits_.word(w)));
      if (r < n) break;
      r -= n;
    }
    return w * 64 + SelectInWord(bits_.word(w), r);
  }

  // The number of members below `i` (the rank `i` has if it is a member).
  size_t Rank(size_t i) const {
    const size_t block = std::min(i / kBlockBits, tree_.size());
    size_t rank = 0;
    for (size_t k = block; k > 0; k -= k & (~k + 1)) rank += tree_[k - 1];
    for (size_t w = block * kBlockWords; w < i / 64; ++w)
      rank += static_cast<size_t>(std::popcount(bits_.word(w)));
    if (i % 64 != 0) {
      rank += static_cast<size_t>(
          std::popcount(bits_.word(i / 64) & ((uint64_t{1} << (i % 64)) - 1)));
    }
    return rank;
  }

  // Whether the counts agree with the bits (Engine::CheckInvariants).
  bool CountsHold() const {
    RankedBitset fresh;
    fresh.bits_ = bits_;
    fresh.Rebuild();
    return fresh.tree_ == tree_ && fresh.count_ == count_;
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
  void Add(size_t block, int delta) {
    count_ += static_cast<size_t>(static_cast<ptrdiff_t>(delta));
    for (size_t k = block + 1; k <= tree_.size(); k += k & (~k + 1)) {
      tree_[k - 1] += static_cast<uint32_t>(delta);
    }
  }
  // The tree from the bits: each block's count, then each node adds itself
  // into its parent once (O(blocks)).
  void Rebuild() {
    const size_t blocks = (bits_.word_count() + kBlockWords - 1) / kBlockWords;
    tree_.assign(blocks, 0);
    count_ = 0;
    for (size_t w = 0; w < bits_.word_count(); ++w) {
      const auto n = static_cast<uint32_t>(std::popcount(bits_.word(w)));
      tree_[w / kBlockWords] += n;
      count_ += n;
    }
    for (size_t k = 1; k <= blocks; ++k) {
      const size_t parent = k + (k & (~k + 1));
      if (parent <= blocks) tree_[parent - 1] += tree_[k - 1];
    }
    top_ = blocks == 0 ? 0 : std::bit_floor(blocks);
  }

  Bitset bits_;
  std::vector<uint32_t> tree_;  // Fenwick node k at tree_[k - 1]
  size_t count_ = 0;
  size_t top_ = 0;  // the largest power of two not above tree_.size()
};

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_RANKED_BITSET_H_
