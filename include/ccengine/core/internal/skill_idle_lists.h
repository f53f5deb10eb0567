// -----------------------------------------------------------------------------
// File: ccengine/core/internal/skill_idle_lists.h
// -----------------------------------------------------------------------------
//
// `SkillIdleLists`: for every skill, the free agents holding it (at any
// level), in the longest-idle order — by idle_since, then agent id. The
// longest-idle decision walks the list of the rarest skill its pool needs
// and stops at the first agent that meets the rest of the pool (the other
// requirements, the levels, the channel): that agent is the pool's longest
// idle, so the decision costs the walk to the first eligible entry, not a
// pass over the pool. "Free" is the idle order's (idle_order.h): able to take
// work and holding nothing; agents able to take more while holding contacts
// are only counted per skill (`loaded`), and a reader whose pool may hold one
// must not rely on the list.
//
// Storage: one node per (agent, skill it holds), the agent's nodes
// contiguous and in the agent's skill order; ranges are reused after an
// agent's skills change. An agent's membership changes together in all its
// lists, so a state change costs one O(1) link per skill it holds (the new
// idle_since is the latest, so it is appended); an agent that kept an older
// idle_since (an offer rescinded while it rang) goes back after the node it
// followed when it left, if that one is still listed and the order allows,
// else it is placed by a walk from both ends at once (the distance to the
// nearer end).
//
// Thread safety: none; the router thread owns it (through `AgentIndex`).

#ifndef CCENGINE_CORE_INTERNAL_SKILL_IDLE_LISTS_H_
#define CCENGINE_CORE_INTERNAL_SKILL_IDLE_LISTS_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/types/span.h"
#include "ccengine/core/types.h"

namespace ccengine::internal {

class SkillIdleLists {
 public:
  static constexpr uint32_t kEnd = std::numeric_limits<uint32_t>::max();

  void AddSkill() { lists_.emplace_back(); }
  size_t skill_count() const { return lists_.size(); }
  void Resize(size_t slots);

  // The skills of an unlisted slot, replacing those it had.
  void SetSkills(uint32_t slot, absl::Span<const SkillLevel> skills);

  // Lists `slot` (unlisted) in each of its skills' lists, after every
  // member that does not come after it: `before(x, y)` is true when slot x
  // comes strictly before slot y (a strict total order).
  template <typename Before>
  void Insert(uint32_t slot, Before&& before) {
    for (uint32_t n = first_[slot], end = n + count_[slot]; n < end; ++n) {
      Link(n, before);
    }
    listed_[slot] = 1;
  }
  void Remove(uint32_t slot) {  // listed
    for (uint32_t n = first_[slot], end = n + count_[slot]; n < end; ++n) Unlink(n);
    listed_[slot] = 0;
  }
  bool Contains(uint32_t slot) const { return listed_[slot] != 0; }
  // Counts the slot in its skills' `loaded`.
  void SetLoaded(uint32_t slot, bool loaded);
  bool Loaded(uint32_t slot) const { return loaded_[slot] != 0; }

  // Reading a skill's list: its first node, each node's successor and slot.
  uint32_t head(SkillId skill) const { return lists_[skill.value()].head; }
  uint32_t next(uint32_t node) const { return next_[node]; }
  uint32_t slot(uint32_t node) const { return node_slot_[node]; }
  // Listed agents holding the skill; loaded agents holding it.
  uint32_t size(SkillId skill) const { return lists_[skill.value()].size; }
  uint32_t loaded(SkillId skill) const { return lists_[skill.value()].loaded; }

 private:
  struct List {
    uint32_t head = kEnd;
    uint32_t tail = kEnd;
    uint32_t size = 0;
    uint32_t loaded = 0;
  };

  template <typename Before>
  void Link(uint32_t n, Before&& before) {
    List& list = lists_[node_skill_[n]];
    const uint32_t me = node_slot_[n];
    // First the node it followed when it was last unlinked, if that one is
    // still listed here and it still fits there (an offer rescinded while
    // it rang: O(1)); else a walk.
    uint32_t after = kEnd;
    const uint32_t hint = prev_[n];
    if (hint != kEnd && node_skill_[hint] == node_skill_[n] && node_slot_[hint] != kEnd &&
        listed_[node_slot_[hint]] != 0 && !before(me, node_slot_[hint]) &&
        (next_[hint] == kEnd || before(me, node_slot_[next_[hint]]))) {
      after = hint;
    } else {
      after = Place(list, me, before);
    }
    const uint32_t following = after == kEnd ? list.head : next_[after];
    prev_[n] = after;
    next_[n] = following;
    (after == kEnd ? list.head : next_[after]) = n;
    (following == kEnd ? list.tail : prev_[following]) = n;
    ++list.size;
  }
  // The node after which `me` goes in `list` (kEnd: at the head), by a walk
  // from both ends: `back` stops at the last node not after `me`, `front` at
  // the first node after it, and whichever stops first answers, so a newly
  // freed agent (the latest) costs one comparison.
  template <typename Before>
  uint32_t Place(const List& list, uint32_t me, Before&& before) const {
    uint32_t back = list.tail, front = list.head;
    while (true) {
      if (back == kEnd || !before(me, node_slot_[back])) return back;
      if (before(me, node_slot_[front])) return prev_[front];
      back = prev_[back];
      front = next_[front];
    }
  }
  void Unlink(uint32_t n) {
    List& list = lists_[node_skill_[n]];
    const uint32_t p = prev_[n], x = next_[n];
    (p == kEnd ? list.head : next_[p]) = x;
    (x == kEnd ? list.tail : prev_[x]) = p;
    next_[n] = kEnd;  // prev_ stays, as Link's hint
    --list.size;
  }

  std::vector<List> lists_;
  // Per node.
  std::vector<uint32_t> node_skill_, node_slot_, prev_, next_;
  // Per slot: its nodes are [first_, first_ + count_).
  std::vector<uint32_t> first_, count_;
  std::vector<uint8_t> listed_, loaded_;
  // Released node ranges, by length.
  std::vector<std::vector<uint32_t>> free_ranges_;
};

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_SKILL_IDLE_LISTS_H_
