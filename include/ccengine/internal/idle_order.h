// -----------------------------------------------------------------------------
// File: ccengine/internal/idle_order.h
// -----------------------------------------------------------------------------
//
// The agents that can take some channel now, in the longest-idle order: by
// (idle_since, id), earliest first. Every agent of a routing pool is listed
// (the pool is a subset of the agents able to take the contact's channel), so
// the longest-idle agent of a pool is the first listed agent that is in it.
// `Engine::TryMatchContact` walks a few entries from the head before falling
// back to its scan of the pool's bits; in a single-skill center the head is
// the answer, with no scan at all.
//
// An intrusive doubly linked list over agent slots. An agent that becomes
// free is stamped with the current time, the latest of all, so it is
// appended at the tail in one comparison; `Insert` walks back from the tail
// only for an agent that kept an older idle_since (a chat agent that drops
// below its capacity) or ties the tail's time with a lower id.
//
// Thread safety: none (router thread only, as the engine's records).

#ifndef CCENGINE_INTERNAL_IDLE_ORDER_H_
#define CCENGINE_INTERNAL_IDLE_ORDER_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace ccengine::internal {

class IdleOrder {
 public:
  static constexpr uint32_t kEnd = std::numeric_limits<uint32_t>::max();

  void Resize(size_t slots) {
    prev_.resize(slots, kEnd);
    next_.resize(slots, kEnd);
    listed_.resize(slots, 0);
  }
  bool Contains(uint32_t slot) const { return listed_[slot] != 0; }
  uint32_t head() const { return head_; }
  uint32_t next(uint32_t slot) const { return next_[slot]; }
  size_t size() const { return size_; }

  // Lists `slot` (not listed) after every listed agent that does not come
  // after it: `before(x, y)` is true when x comes strictly before y.
  template <typename Before>
  void Insert(uint32_t slot, Before&& before) {
    uint32_t after = tail_;
    while (after != kEnd && before(slot, after)) after = prev_[after];
    const uint32_t following = after == kEnd ? head_ : next_[after];
    prev_[slot] = after;
    next_[slot] = following;
    (after == kEnd ? head_ : next_[after]) = slot;
    (following == kEnd ? tail_ : prev_[following]) = slot;
    listed_[slot] = 1;
    ++size_;
  }

  void Remove(uint32_t slot) {  // listed
    const uint32_t p = prev_[slot], n = next_[slot];
    (p == kEnd ? head_ : next_[p]) = n;
    (n == kEnd ? tail_ : prev_[n]) = p;
    prev_[slot] = next_[slot] = kEnd;
    listed_[slot] = 0;
    --size_;
  }

 private:
  std::vector<uint32_t> prev_, next_;
  std::vector<uint8_t> listed_;
  uint32_t head_ = kEnd;
  uint32_t tail_ = kEnd;
  size_t size_ = 0;
};

}  // namespace ccengine::internal

#endif  // CCENGINE_INTERNAL_IDLE_ORDER_H_
