// AgentIndex (see ccengine/core/internal/agent_index.h).

#include "ccengine/core/internal/agent_index.h"

namespace ccengine::internal {

void AgentIndex::Resize(size_t slots) {
  if (slots <= slots_) return;
  // The bitsets grow a word at a time: they are visited (every skill and
  // level's) only when a slot needs a new word, not at every agent added.
  const bool new_word = (slots + 63) / 64 > (slots_ + 63) / 64;
  slots_ = slots;
  if (new_word) {
    for (auto& levels : skill_sets_) {
      for (auto& set : levels) {
        if (set) set->Resize(slots);
      }
    }
    for (Bitset& b : can_take_) b.Resize(slots);
    logged_in_.Resize(slots);
  }
  idle_since_.resize(slots, 0);
  ids_.resize(slots, 0);
  idle_epoch_.resize(slots, 0);
  idle_order_.Resize(slots);
  skill_idle_.Resize(slots);
}

void AgentIndex::UpdateSkills(uint32_t slot, const std::vector<SkillLevel>& skills,
                              bool present) {
  for (const SkillLevel& s : skills) {
    auto& levels = skill_sets_[s.skill.value()];
    for (int level = kMinProficiency; level <= s.level; ++level) {
      if (levels[level]) levels[level]->Assign(slot, present);
    }
  }
  // The free lists are rebuilt for the slot: it leaves its old skills' lists
  // and counts, then joins the new ones' as the idle order has it.
  if (skill_idle_.Contains(slot)) skill_idle_.Remove(slot);
  skill_idle_.SetLoaded(slot, false);
  ++idle_epoch_[slot];
  if (!present) {
    skill_idle_.SetSkills(slot, {});
    return;
  }
  skill_idle_.SetSkills(slot, skills);
  if (idle_order_.Contains(slot)) {
    skill_idle_.Insert(slot, [this](uint32_t x, uint32_t y) { return IdleBefore(x, y); });
  }
  skill_idle_.SetLoaded(slot, idle_order_.Loaded(slot));
}

}  // namespace ccengine::internal
