// AgentIndex (see ccengine/core/internal/agent_index.h).

#include "ccengine/core/internal/agent_index.h"

namespace ccengine::internal {

void AgentIndex::Resize(size_t slots) {
  if (slots <= slots_) return;
  slots_ = slots;
  for (auto& levels : skill_sets_) {
    for (auto& set : levels) {
      if (set) set->Resize(slots);
    }
  }
  for (Bitset& b : can_take_) b.Resize(slots);
  logged_in_.Resize(slots);
  idle_since_.resize(slots, 0);
  idle_order_.Resize(slots);
}

void AgentIndex::UpdateSkills(uint32_t slot, const std::vector<SkillLevel>& skills,
                              bool present) {
  for (const SkillLevel& s : skills) {
    auto& levels = skill_sets_[s.skill.value()];
    for (int level = kMinProficiency; level <= s.level; ++level) {
      if (levels[level]) levels[level]->Assign(slot, present);
    }
  }
}

}  // namespace ccengine::internal
