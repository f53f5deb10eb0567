// -----------------------------------------------------------------------------
// File: ccengine/core/internal/bitset.h
// -----------------------------------------------------------------------------
//
// A growable bitset over agent slots, the unit of the matching index: one per
// skill ("has the skill") and one per channel ("can take one more contact of
// the channel now"). A decision ANDs a few of them word by word and visits
// the set bits, so its cost grows with agents / 64, not with agents.
//
// Thread safety: thread-compatible (the router owns every instance).

#ifndef CCENGINE_CORE_INTERNAL_BITSET_H_
#define CCENGINE_CORE_INTERNAL_BITSET_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ccengine::internal {

class Bitset {
 public:
  // Grows (never shrinks) so that bit `n - 1` exists; new bits are clear.
  void Resize(size_t n) {
    size_t words = (n + 63) / 64;
    if (words > words_.size()) words_.resize(words, 0);
  }
  size_t word_count() const { return words_.size(); }
  bool Test(size_t i) const {
    size_t w = i >> 6;
    return w < words_.size() && ((words_[w] >> (i & 63)) & 1u);
  }
  void Set(size_t i) { words_[i >> 6] |= uint64_t{1} << (i & 63); }
  void Clear(size_t i) { words_[i >> 6] &= ~(uint64_t{1} << (i & 63)); }
  void Assign(size_t i, bool v) { v ? Set(i) : Clear(i); }
  uint64_t word(size_t w) const { return w < words_.size() ? words_[w] : 0; }
  uint64_t* data() { return words_.data(); }
  const uint64_t* data() const { return words_.data(); }
  size_t Count() const {
    size_t n = 0;
    for (uint64_t w : words_) n += static_cast<size_t>(std::popcount(w));
    return n;
  }

  // Calls f(index) for each set bit of `words[0..count)`, in index order.
  template <typename F>
  static void ForEachSet(const uint64_t* words, size_t count, F&& f) {
    for (size_t w = 0; w < count; ++w) {
      uint64_t bits = words[w];
      while (bits != 0) {
        int b = std::countr_zero(bits);
        f(w * 64 + static_cast<size_t>(b));
        bits &= bits - 1;
      }
    }
  }

 private:
  std::vector<uint64_t> words_;
};

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_BITSET_H_
