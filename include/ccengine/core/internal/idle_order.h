// -----------------------------------------------------------------------------
// File: ccengine/core/internal/idle_order.h
// -----------------------------------------------------------------------------
//
// The free agents (able to take work, holding no contact) in the longest-
// idle order: by idle_since, earliest first. `Engine::TryMatchContact` reads
// it for the longest-idle decision while every agent able to take work is
// free (`loaded() == 0`: no chat agent below its capacity, e.g. a voice
// center): then every member of a pool is listed, and the pool's longest-idle
// agent is its first listed member (the lowest id among members with that
// same idle_since). It walks a few entries from the head before falling back
// to its scan of the pool's bits; in a single-skill center the head is the
// answer.
//
// An intrusive doubly linked list over agent slots. An agent becomes free at
// the current time, the latest of all, so it is appended in one comparison;
// ties keep their arrival order (ids are compared by the reader, not here, so
// a storm of agents freed at one instant costs O(1) each). Only an agent that
// kept an older idle_since (an offer rescinded while it rang) is placed by a
// walk, from both ends at once.
//
// Thread safety: none (router thread only, as the engine's records).

#ifndef CCENGINE_CORE_INTERNAL_IDLE_ORDER_H_
#define CCENGINE_CORE_INTERNAL_IDLE_ORDER_H_

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
    loaded_.resize(slots, 0);
  }
  // Agents able to take work while holding contacts (not listed): while
  // there are any, the list does not hold every pool member.
  void SetLoaded(uint32_t slot, bool loaded) {
    loaded_count_ += static_cast<size_t>(loaded) - static_cast<size_t>(loaded_[slot]);
    loaded_[slot] = loaded;
  }
  bool Loaded(uint32_t slot) const { return loaded_[slot] != 0; }
  size_t loaded() const { return loaded_count_; }
  bool Contains(uint32_t slot) const { return listed_[slot] != 0; }
  uint32_t head() const { return head_; }
  uint32_t next(uint32_t slot) const { return next_[slot]; }
  size_t size() const { return size_; }

  // Lists `slot` (not listed) after every listed agent that does not come
  // after it: `before(x, y)` is true when x comes strictly before y (ties
  // keep their order of insertion).
  template <typename Before>
  void Insert(uint32_t slot, Before&& before) {
    // Walk from both ends: `back` stops at the last agent not after `slot`,
    // `front` at the first agent after it; whichever stops first places it,
    // so the walk costs the distance to the nearer end.
    // First the agent it followed when it was last removed: an offer
    // rescinded while it rang puts the agent back where it was, in O(1).
    const uint32_t hint = prev_[slot];
    if (hint != kEnd && listed_[hint] && !before(slot, hint) &&
        (next_[hint] == kEnd || before(slot, next_[hint]))) {
      Link(slot, hint);
      return;
    }
    uint32_t back = tail_, front = head_, after = kEnd;
    while (true) {
      if (back == kEnd || !before(slot, back)) {
        after = back;
        break;
      }
      if (before(slot, front)) {
        after = prev_[front];
        break;
      }
      back = prev_[back];
      front = next_[front];
    }
    Link(slot, after);
  }

  void Remove(uint32_t slot) {  // listed
    const uint32_t p = prev_[slot], n = next_[slot];
    (p == kEnd ? head_ : next_[p]) = n;
    (n == kEnd ? tail_ : prev_[n]) = p;
    next_[slot] = kEnd;  // prev_ stays, as Insert's hint
    listed_[slot] = 0;
    --size_;
  }

 private:
  // Lists `slot` right after `after` (kEnd: at the head).
  void Link(uint32_t slot, uint32_t after) {
    const uint32_t following = after == kEnd ? head_ : next_[after];
    prev_[slot] = after;
    next_[slot] = following;
    (after == kEnd ? head_ : next_[after]) = slot;
    (following == kEnd ? tail_ : prev_[following]) = slot;
    listed_[slot] = 1;
    ++size_;
  }

  std::vector<uint32_t> prev_, next_;
  std::vector<uint8_t> listed_;
  std::vector<uint8_t> loaded_;
  size_t loaded_count_ = 0;
  uint32_t head_ = kEnd;
  uint32_t tail_ = kEnd;
  size_t size_ = 0;
};

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_IDLE_ORDER_H_
