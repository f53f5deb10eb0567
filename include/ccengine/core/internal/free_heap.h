// -----------------------------------------------------------------------------
// File: ccengine/core/internal/free_heap.h
// -----------------------------------------------------------------------------
//
// `FreeHeap`: the free agents of one eligibility class (a waiting group's
// agents that qualify from one routing step on) ordered for a strategy whose
// score does not change while an agent is free — fewest handled (contacts
// accepted since login), round robin (the engine-wide sequence of its last
// offer), best proficiency (its levels on the group's skills). The order is
// the decision's: the better score, then the earlier idle_since, then the
// lower id; `rank` is the score negated, so the best entry is the least.
//
// A binary min-heap, lazily pruned like `FreeRing` (free_ring.h): an entry
// is valid while its agent's listing epoch is the one it was pushed with;
// invalid entries are dropped when they reach the top or at compaction, which
// runs when the heap holds twice the entries it kept at the last one plus a
// constant. Costs: a push O(log n); the top O(log n) amortized per dropped
// entry; the best entry that a contact does not exclude, a best-first search
// through the entries before it.
//
// Thread safety: none; the router thread owns it.

#ifndef CCENGINE_CORE_INTERNAL_FREE_HEAP_H_
#define CCENGINE_CORE_INTERNAL_FREE_HEAP_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ccengine/core/types.h"

namespace ccengine::internal {

struct KeyedEntry {
  double rank;  // the strategy's score, negated
  Micros idle_since;
  uint64_t id;  // the agent's id
  uint32_t slot;
  uint32_t epoch;  // the agent's listing epoch when pushed
  friend bool operator<(const KeyedEntry& a, const KeyedEntry& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    if (a.idle_since != b.idle_since) return a.idle_since < b.idle_since;
    if (a.id != b.id) return a.id < b.id;
    return a.epoch < b.epoch;
  }
};

class FreeHeap {
 public:
  // `valid(entry)`: the entry's agent is still listed as when pushed.
  template <typename Valid>
  void Push(const KeyedEntry& e, Valid&& valid) {
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), Later);
    if (heap_.size() > compact_at_) Compact(valid);
  }

  // The best valid entry that `accept(entry)` takes, or nullptr. Invalid
  // entries at the top are dropped on the way.
  template <typename Valid, typename Accept>
  const KeyedEntry* First(Valid&& valid, Accept&& accept) {
    while (!heap_.empty() && !valid(heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), Later);
      heap_.pop_back();
    }
    if (heap_.empty()) return nullptr;
    if (accept(heap_.front())) return &heap_.front();
    // Best first through the heap: an entry's children come after it, so
    // the first valid accepted entry reached in order is the best one.
    frontier_.assign(1, 0);
    auto later_index = [this](uint32_t x, uint32_t y) { return heap_[y] < heap_[x]; };
    while (!frontier_.empty()) {
      std::pop_heap(frontier_.begin(), frontier_.end(), later_index);
      const uint32_t i = frontier_.back();
      frontier_.pop_back();
      if (i != 0 && valid(heap_[i]) && accept(heap_[i])) return &heap_[i];
      for (uint32_t child = 2 * i + 1; child <= 2 * i + 2 && child < heap_.size();
           ++child) {
        frontier_.push_back(child);
        std::push_heap(frontier_.begin(), frontier_.end(), later_index);
      }
    }
    return nullptr;
  }

  // Entries held, valid or not.
  size_t size() const { return heap_.size(); }

  // Visits every entry, valid or not (for invariant checks).
  template <typename F>
  void ForEach(F&& f) const {
    for (const KeyedEntry& e : heap_) f(e);
  }

 private:
  static constexpr size_t kSlack = 64;
  // The standard heap functions keep the greatest on top: "later" puts the
  // least (the best) there.
  static bool Later(const KeyedEntry& a, const KeyedEntry& b) { return b < a; }

  template <typename Valid>
  void Compact(Valid&& valid) {
    heap_.erase(std::remove_if(heap_.begin(), heap_.end(),
                               [&](const KeyedEntry& e) { return !valid(e); }),
                heap_.end());
    std::make_heap(heap_.begin(), heap_.end(), Later);
    compact_at_ = 2 * heap_.size() + kSlack;
  }

  std::vector<KeyedEntry> heap_;
  size_t compact_at_ = kSlack;
  std::vector<uint32_t> frontier_;  // First's search, kept to reuse its memory
};

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_FREE_HEAP_H_
