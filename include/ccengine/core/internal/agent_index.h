// -----------------------------------------------------------------------------
// File: ccengine/core/internal/agent_index.h
// -----------------------------------------------------------------------------
//
// `AgentIndex`: the agent-side indexes every routing decision reads, over
// agent slots (dense, reused after removal):
//   * per skill and level, a bitset of the agents holding the skill at that
//     level or above. Level 1 exists for every skill; a higher level only
//     once a requirement uses it (`EnsureSkillSet`);
//   * per channel, a bitset of the agents able to take one more contact of
//     the channel now. Only channels some waiting group uses are kept
//     (`IndexChannel`), so a single-channel center flips one bit, not seven,
//     when an agent becomes free or taken;
//   * the logged-in agents;
//   * each agent's idle_since, packed for the longest-idle scan, the
//     `IdleOrder` of free agents (idle_order.h) and, per skill, the free
//     agents holding it in the longest-idle order (skill_idle_lists.h).
// The engine owns the agent records and tells the index what changed
// (`UpdateSkills`, `UpdateState`); `Engine::CheckInvariants` recomputes it
// from the records.
//
// Thread safety: none; the router thread owns it.
//
// Example:
//   index.AddSkill();                       // skill 0
//   index.Resize(agents);
//   index.UpdateSkills(slot, {{SkillId{0}, 7}}, /*present=*/true);
//   index.UpdateState(slot, id, old_mask, new_mask, idle_since, free, loaded, true);
//   const Bitset& pool = index.SkillSet({SkillId{0}, 5});

#ifndef CCENGINE_CORE_INTERNAL_AGENT_INDEX_H_
#define CCENGINE_CORE_INTERNAL_AGENT_INDEX_H_

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/attributes.h"
#include "ccengine/core/internal/bitset.h"
#include "ccengine/core/internal/idle_order.h"
#include "ccengine/core/internal/skill_idle_lists.h"
#include "ccengine/core/types.h"

namespace ccengine::internal {

class AgentIndex {
 public:
  // A new skill, with its level-1 set.
  void AddSkill() {
    skill_sets_.emplace_back()[kMinProficiency] = std::make_unique<Bitset>();
    skill_sets_.back()[kMinProficiency]->Resize(slots_);
    skill_idle_.AddSkill();
  }
  size_t skill_count() const { return skill_sets_.size(); }

  // Grows every index to `slots` agent slots; new slots are in no set.
  void Resize(size_t slots);
  size_t slots() const { return slots_; }

  // Adds (present) or removes the slot's bits for `skills` at every kept
  // level up to each skill's level, and its place in the skills' free lists.
  void UpdateSkills(uint32_t slot, const std::vector<SkillLevel>& skills, bool present);

  // Keeps the set of agents holding `r.skill` at `r.level` or above, built
  // from `skills_of(slot)`: a pointer to that slot's skills, or nullptr for
  // a free slot.
  template <typename SkillsOf>
  void EnsureSkillSet(SkillRequirement r, SkillsOf&& skills_of) {
    auto& set = skill_sets_[r.skill.value()][r.level];
    if (set) return;
    set = std::make_unique<Bitset>();
    set->Resize(slots_);
    for (uint32_t slot = 0; slot < slots_; ++slot) {
      const std::vector<SkillLevel>* skills = skills_of(slot);
      if (skills == nullptr) continue;
      for (const SkillLevel& s : *skills) {
        if (s.skill == r.skill && s.level >= r.level) set->Set(slot);
      }
    }
  }
  bool HasSkillSet(SkillRequirement r) const {
    return skill_sets_[r.skill.value()][r.level] != nullptr;
  }
  // Kept (EnsureSkillSet) before use.
  const Bitset& SkillSet(SkillRequirement r) const {
    return *skill_sets_[r.skill.value()][r.level];
  }

  // Starts keeping the channel's set, built from `mask_of(slot)`: the
  // channels (bit c) the slot's agent can take now.
  template <typename MaskOf>
  void IndexChannel(Channel channel, MaskOf&& mask_of) {
    const uint32_t bit = 1u << static_cast<int>(channel);
    if (indexed_channels_ & bit) return;
    Bitset& set = can_take_[static_cast<int>(channel)];
    for (uint32_t slot = 0; slot < slots_; ++slot)
      set.Assign(slot, (mask_of(slot) & bit) != 0);
    indexed_channels_ |= bit;
  }
  bool ChannelIndexed(Channel channel) const {
    return (indexed_channels_ >> static_cast<int>(channel)) & 1u;
  }
  // Agents able to take one more contact of the channel now (kept channels
  // only: IndexChannel first).
  const Bitset& CanTake(Channel channel) const {
    return can_take_[static_cast<int>(channel)];
  }

  // The slot's new state (`id`: its agent's id, the tie-break of the
  // longest-idle order): the channels it can take now (`new_mask`, was
  // `old_mask`), when it became idle, whether it is free (able to take work,
  // holding nothing: listed in the idle order) or loaded (able to take more
  // while holding contacts), and whether it is logged in. Always inlined
  // into its one caller (Engine::SyncAgent): it runs at every offer,
  // acceptance and completion.
  ABSL_ATTRIBUTE_ALWAYS_INLINE void UpdateState(uint32_t slot, uint64_t id,
                                                uint32_t old_mask, uint32_t new_mask,
                                                Micros idle_since, bool free, bool loaded,
                                                bool logged_in) {
    // Only the channels whose bit changed touch the bitsets (all of an
    // agent's channels flip together when it becomes free or taken).
    const uint32_t changed = (new_mask ^ old_mask) & indexed_channels_;
    const size_t word = slot >> 6;
    const uint64_t bit = uint64_t{1} << (slot & 63);
    for (uint32_t on = changed & new_mask; on != 0; on &= on - 1) {
      can_take_[std::countr_zero(on)].data()[word] |= bit;
    }
    for (uint32_t off = changed & ~new_mask; off != 0; off &= off - 1) {
      can_take_[std::countr_zero(off)].data()[word] &= ~bit;
    }
    // A new idle_since moves a listed agent (to the tail as a rule).
    const bool moved = idle_since_[slot] != idle_since;
    idle_since_[slot] = idle_since;
    ids_[slot] = id;
    if (idle_order_.Contains(slot) && (!free || moved)) {
      idle_order_.Remove(slot);
      skill_idle_.Remove(slot);
      ++idle_epoch_[slot];
    }
    if (free && !idle_order_.Contains(slot)) {
      ++idle_epoch_[slot];
      idle_order_.Insert(slot, [this](uint32_t x, uint32_t y) {
        return idle_since_[x] < idle_since_[y];
      });
      skill_idle_.Insert(slot,
                         [this](uint32_t x, uint32_t y) { return IdleBefore(x, y); });
    }
    if (loaded != idle_order_.Loaded(slot)) {
      idle_order_.SetLoaded(slot, loaded);
      skill_idle_.SetLoaded(slot, loaded);
    }
    logged_in_.Assign(slot, logged_in);
  }

  const Bitset& logged_in() const { return logged_in_; }
  Micros idle_since(uint32_t slot) const { return idle_since_[slot]; }
  const Micros* idle_since_data() const { return idle_since_.data(); }
  const IdleOrder& idle_order() const { return idle_order_; }
  const SkillIdleLists& skill_idle() const { return skill_idle_; }
  // Changes each time the slot is listed in or removed from the free lists,
  // or its skills change: an entry made while the slot was listed
  // (free_ring.h) stays good while this is unchanged.
  uint32_t idle_epoch(uint32_t slot) const { return idle_epoch_[slot]; }
  // The longest-idle order: the earlier idle_since, then the lower id.
  bool IdleBefore(uint32_t x, uint32_t y) const {
    if (idle_since_[x] != idle_since_[y]) return idle_since_[x] < idle_since_[y];
    return ids_[x] < ids_[y];
  }

 private:
  size_t slots_ = 0;
  // [skill][level]
  std::vector<std::array<std::unique_ptr<Bitset>, kMaxProficiency + 1>> skill_sets_;
  std::array<Bitset, kChannelCount> can_take_;
  uint32_t indexed_channels_ = 0;
  Bitset logged_in_;
  std::vector<Micros> idle_since_;
  std::vector<uint64_t> ids_;
  std::vector<uint32_t> idle_epoch_;
  IdleOrder idle_order_;
  SkillIdleLists skill_idle_;
};

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_AGENT_INDEX_H_
