// Engine: the contact-arrives decision of "random" and "weighted_random".
// The pool of a contact at routing step k is its group's draw set k
// (draw_refs_, draw_sets.h): the agents able to take the group's channel now
// that qualify at step k or earlier, kept as agents change state, ranked. A
// draw from the strategy's generator names a member by rank in slot order,
// found through the set's counts, the contact's exclusions skipped; nothing
// scans the pool or the center. Nothing depends on the order in which agents
// became free, so an engine restored from a snapshot makes the same draws as
// the one that saved it (the journal's recovery relies on it).

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "ccengine/core/engine.h"
#include "ccengine/core/strategy.h"
#include "core/decision.h"

namespace ccengine {

using internal::AgentRec;
using internal::ContactRec;
using internal::GroupRec;
using internal::kNoSlot;

namespace {

// The served entry of group `g` in an agent's served list (ascending by
// group), or null.
const std::pair<uint32_t, uint8_t>* ServedEntry(const AgentRec& a, uint32_t g) {
  const auto it = a.ServedFrom(g);
  return it != a.served.end() && it->first == g ? &*it : nullptr;
}

}  // namespace

void Engine::TrackDraws(uint32_t g) {
  const GroupRec& group = groups_[g];
  if (draw_refs_.size() <= g) draw_refs_.resize(g + 1);
  DrawRef& ref = draw_refs_[g];
  ref.steps = static_cast<uint8_t>(queues_[group.queue].step_skills.size());
  ref.channel = static_cast<uint8_t>(group.channel);
  draw_sets_.Resize(agents_.size());
  ref.first = draw_sets_.Add(ref.steps);
  const uint32_t channel = 1u << static_cast<int>(group.channel);
  for (uint32_t slot = 0; slot < agents_.size(); ++slot) {
    const AgentRec& a = agents_[slot];
    if (!a.live || (a.channel_mask & channel) == 0) continue;
    if (const auto* e = ServedEntry(a, g)) {
      for (uint32_t k = e->second; k < ref.steps; ++k)
        draw_sets_.Assign(ref.first + k, slot, true);
    }
  }
  ++draw_groups_;
}

void Engine::SyncDraws(uint32_t slot, uint32_t old_mask, uint32_t new_mask, bool all) {
  const uint32_t changed = all ? ~uint32_t{0} : old_mask ^ new_mask;
  for (const auto& [g, step] : agents_[slot].served) {
    if (g >= draw_refs_.size()) break;  // served is ascending by group
    const DrawRef& ref = draw_refs_[g];
    if (ref.first == kNoSlot || ((changed >> ref.channel) & 1u) == 0) continue;
    // In set k for every step k from its lowest on, while it can take the
    // group's channel.
    const bool member = ((new_mask >> ref.channel) & 1u) != 0;
    for (uint32_t k = step; k < ref.steps; ++k)
      draw_sets_.Assign(ref.first + k, slot, member);
  }
}

uint32_t Engine::RandomInPool(const ContactRec& c, bool weighted) {
  if (c.group >= draw_refs_.size() || draw_refs_[c.group].first == kNoSlot)
    TrackDraws(c.group);
  const uint32_t set = draw_refs_[c.group].first + c.step;
  // The excluded members' ranks, ascending: the member of rank i among the
  // others is the set's member of rank i plus the excluded ranks up to it.
  std::vector<size_t>& skipped = scratch_excluded_ranks_;
  skipped.clear();
  for (AgentId agent : c.excluded) {
    const uint32_t slot = AgentSlot(agent);
    if (slot != kNoSlot && draw_sets_.Test(set, slot))
      skipped.push_back(draw_sets_.Rank(set, slot));
  }
  std::sort(skipped.begin(), skipped.end());
  skipped.erase(std::unique(skipped.begin(), skipped.end()), skipped.end());
  const uint64_t n = draw_sets_.count(set) - skipped.size();
  if (n == 0) return kNoSlot;
  auto nth = [&](uint64_t i) {
    auto rank = static_cast<size_t>(i);
    for (size_t e : skipped) {
      if (e <= rank) ++rank;
    }
    return static_cast<uint32_t>(draw_sets_.Select(set, rank));
  };
  auto each = [&](auto&& visit) {
    for (size_t w = 0; w < draw_sets_.words_per_set(); ++w) {
      for (uint64_t word = draw_sets_.word(set, w); word != 0; word &= word - 1) {
        const auto slot =
            static_cast<uint32_t>(w * 64 + static_cast<size_t>(std::countr_zero(word)));
        if (!c.excluded.empty() && internal::Excludes(c, agents_[slot].id)) continue;
        if (visit(slot)) return;
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
