// Engine: the contact-arrives decision of "random" and "weighted_random".
// The pool is built word by word from the skill and channel bitsets, as the
// scan does, with the number of members before each word; a draw from the
// strategy's generator names a member by rank, found by binary search on
// those counts. Nothing depends on the order in which agents became free, so
// an engine restored from a snapshot makes the same draws as the one that
// saved it (the journal's recovery relies on it).

#include <algorithm>
#include <bit>
#include <cstdint>
#include <random>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "ccengine/core/engine.h"
#include "ccengine/core/strategy.h"
#include "core/decision.h"

namespace ccengine {

using internal::AgentRec;
using internal::ContactRec;
using internal::kNoSlot;
using internal::QueueRec;

uint64_t Engine::PoolWords(const ContactRec& c) {
  const QueueRec& q = queues_[c.queue];
  const internal::Bitset& ready = agent_index_.CanTake(c.channel);
  const size_t words = ready.word_count();
  absl::InlinedVector<const uint64_t*, 8> all{ready.data()};
  for (const SkillRequirement& r : c.skills) all.push_back(SkillSet(r).data());
  // Each routing step in force ORs in its own conjunction; null ends a step.
  absl::InlinedVector<const uint64_t*, 16> steps;
  for (int k = 0; k <= c.step; ++k) {
    for (const SkillRequirement& r : q.step_skills[k])
      steps.push_back(SkillSet(r).data());
    steps.push_back(nullptr);
  }
  scratch_pool_.resize(words);
  scratch_pool_before_.resize(words);
  for (size_t w = 0; w < words; ++w) scratch_pool_[w] = internal::PoolWord(w, all, steps);
  for (AgentId agent : c.excluded) {
    const uint32_t slot = AgentSlot(agent);
    if (slot < words * 64) scratch_pool_[slot / 64] &= ~(uint64_t{1} << (slot % 64));
  }
  uint64_t members = 0;
  for (size_t w = 0; w < words; ++w) {
    scratch_pool_before_[w] = static_cast<uint32_t>(members);
    members += static_cast<uint64_t>(std::popcount(scratch_pool_[w]));
  }
  return members;
}

uint32_t Engine::RandomInPool(const ContactRec& c, bool weighted) {
  const uint64_t n = PoolWords(c);
  if (n == 0) return kNoSlot;
  // The member of rank i (0-based, in slot order): the last word with at
  // most i members before it holds it.
  auto nth = [this](uint64_t i) {
    const auto it =
        std::upper_bound(scratch_pool_before_.begin(), scratch_pool_before_.end(), i);
    const size_t w = static_cast<size_t>(it - scratch_pool_before_.begin()) - 1;
    uint64_t bits = scratch_pool_[w];
    for (uint64_t k = i - scratch_pool_before_[w]; k > 0; --k) bits &= bits - 1;
    return static_cast<uint32_t>(w * 64 + static_cast<size_t>(std::countr_zero(bits)));
  };
  auto each = [this](auto&& visit) {
    for (size_t w = 0; w < scratch_pool_.size(); ++w) {
      for (uint64_t bits = scratch_pool_[w]; bits != 0; bits &= bits - 1) {
        if (visit(static_cast<uint32_t>(w * 64 +
                                        static_cast<size_t>(std::countr_zero(bits)))))
          return;
      }
    }
  };
  auto weight = [this](uint32_t slot) { return agents_[slot].weight; };
  if (weighted) {
    auto& strategy =
        static_cast<WeightedRandomStrategy&>(*strategies_[internal::kWeightedRandom]);
    return internal::DrawAgent(strategy.generator(), n, MaxAgentWeight(), nth, each,
                               weight);
  }
  auto& strategy = static_cast<RandomStrategy&>(*strategies_[internal::kRandom]);
  return internal::DrawAgent(strategy.generator(), n, 0.0, nth, each, weight);
}

double Engine::MaxAgentWeight() {
  if (!max_weight_known_) {
    max_weight_ = 0;
    for (const AgentRec& a : agents_) {
      if (a.live) max_weight_ = std::max(max_weight_, a.weight);
    }
    max_weight_known_ = true;
  }
  return max_weight_;
}

}  // namespace ccengine
