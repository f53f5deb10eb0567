// SkillIdleLists (see ccengine/core/internal/skill_idle_lists.h).

#include "ccengine/core/internal/skill_idle_lists.h"

namespace ccengine::internal {

void SkillIdleLists::Resize(size_t slots) {
  if (slots <= first_.size()) return;
  first_.resize(slots, 0);
  count_.resize(slots, 0);
  listed_.resize(slots, 0);
  loaded_.resize(slots, 0);
}

void SkillIdleLists::SetSkills(uint32_t slot, absl::Span<const SkillLevel> skills) {
  if (count_[slot] != 0) {
    if (free_ranges_.size() <= count_[slot]) free_ranges_.resize(count_[slot] + 1);
    free_ranges_[count_[slot]].push_back(first_[slot]);
    // Released nodes belong to no slot, so no hint (Link) takes them.
    for (uint32_t n = first_[slot], end = n + count_[slot]; n < end; ++n) {
      node_slot_[n] = kEnd;
    }
  }
  const auto n = static_cast<uint32_t>(skills.size());
  count_[slot] = n;
  if (n == 0) {
    first_[slot] = 0;
    return;
  }
  if (n < free_ranges_.size() && !free_ranges_[n].empty()) {
    first_[slot] = free_ranges_[n].back();
    free_ranges_[n].pop_back();
  } else {
    first_[slot] = static_cast<uint32_t>(node_slot_.size());
    const size_t size = node_slot_.size() + n;
    node_skill_.resize(size);
    node_slot_.resize(size);
    prev_.resize(size, kEnd);
    next_.resize(size, kEnd);
  }
  for (uint32_t i = 0; i < n; ++i) {
    node_skill_[first_[slot] + i] = skills[i].skill.value();
    node_slot_[first_[slot] + i] = slot;
  }
}

void SkillIdleLists::SetLoaded(uint32_t slot, bool loaded) {
  if (loaded == (loaded_[slot] != 0)) return;
  loaded_[slot] = loaded;
  for (uint32_t n = first_[slot], end = n + count_[slot]; n < end; ++n) {
    List& list = lists_[node_skill_[n]];
    list.loaded = loaded ? list.loaded + 1 : list.loaded - 1;
  }
}

}  // namespace ccengine::internal
