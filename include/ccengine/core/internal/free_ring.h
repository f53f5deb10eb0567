// -----------------------------------------------------------------------------
// File: ccengine/core/internal/free_ring.h
// -----------------------------------------------------------------------------
//
// `FreeRing`: the free agents of one eligibility class (a waiting group's
// agents that qualify from one routing step on) in the longest-idle order —
// by idle_since, then agent id — kept for the classes whose pools are too
// thin a slice of their rarest skill's free list for a walk of that list
// (skill_idle_lists.h) to find them quickly.
//
// Lazily pruned: an entry is pushed when its agent is listed as free, and
// nothing is done when the agent stops being free; an entry is valid while
// the agent's listing epoch (`AgentIndex::idle_epoch`) is the one it was
// pushed with, and invalid entries are dropped when they reach the front or
// when the ring is compacted. An agent freed now is the latest, so its entry
// is appended to a vector; an entry that would come before the last one (an
// offer rescinded while it rang restores an older idle_since; ties of
// idle_since in decreasing id order) goes to an ordered side set. The front
// is the earlier of the two fronts.
//
// Costs: a push O(1) (the side set: O(log n)); the front O(1) amortized, each
// entry being dropped once; compaction when the vector (dropped front
// included) holds more than twice the entries it kept at the last compaction
// plus a constant, so it is O(1) amortized per push and the vector never
// holds more than about twice its class's free agents.
//
// Thread safety: none; the router thread owns it.

#ifndef CCENGINE_CORE_INTERNAL_FREE_RING_H_
#define CCENGINE_CORE_INTERNAL_FREE_RING_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/container/btree_set.h"
#include "ccengine/core/types.h"

namespace ccengine::internal {

struct FreeEntry {
  Micros idle_since;
  uint64_t id;  // the agent's id: the tie-break
  uint32_t slot;
  uint32_t epoch;  // the agent's listing epoch when pushed
  // The longest-idle order.
  friend bool operator<(const FreeEntry& a, const FreeEntry& b) {
    if (a.idle_since != b.idle_since) return a.idle_since < b.idle_since;
    if (a.id != b.id) return a.id < b.id;
    return a.epoch < b.epoch;
  }
};

class FreeRing {
 public:
  // `valid(entry)`: the entry's agent is still listed as when pushed.
  template <typename Valid>
  void Push(const FreeEntry& e, Valid&& valid) {
    if (ring_.size() == head_ || ring_.back() < e) {
      ring_.push_back(e);
      if (ring_.size() > compact_at_) Compact(valid);
    } else {
      side_.insert(e);
    }
  }

  // The first valid entry that `accept(entry)` takes, or nullptr; invalid
  // entries at the fronts are dropped on the way.
  template <typename Valid, typename Accept>
  const FreeEntry* First(Valid&& valid, Accept&& accept) {
    while (head_ < ring_.size() && !valid(ring_[head_])) ++head_;
    while (!side_.empty() && !valid(*side_.begin())) side_.erase(side_.begin());
    if (head_ == ring_.size() && head_ != 0) {
      ring_.clear();
      head_ = 0;
    }
    const FreeEntry* best = nullptr;
    for (size_t i = head_; i < ring_.size(); ++i) {
      if (valid(ring_[i]) && accept(ring_[i])) {
        best = &ring_[i];
        break;
      }
    }
    for (const FreeEntry& e : side_) {
      if (best != nullptr && *best < e) break;
      if (valid(e) && accept(e)) {
        best = &e;
        break;
      }
    }
    return best;
  }

  // Entries held, valid or not.
  size_t size() const { return ring_.size() - head_ + side_.size(); }

  // Visits every entry, valid or not (for invariant checks).
  template <typename F>
  void ForEach(F&& f) const {
    for (size_t i = head_; i < ring_.size(); ++i) f(ring_[i]);
    for (const FreeEntry& e : side_) f(e);
  }

 private:
  static constexpr size_t kSlack = 64;

  template <typename Valid>
  void Compact(Valid&& valid) {
    size_t n = 0;
    for (size_t i = head_; i < ring_.size(); ++i) {
      if (valid(ring_[i])) ring_[n++] = ring_[i];
    }
    ring_.resize(n);
    head_ = 0;
    compact_at_ = 2 * n + kSlack;
  }

  std::vector<FreeEntry> ring_;
  size_t head_ = 0;
  size_t compact_at_ = kSlack;
  absl::btree_set<FreeEntry> side_;
};

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_FREE_RING_H_
