// Engine: the contact-arrives decision of "random" and "weighted_random".
// The pool of a contact at routing step k is its group's draw set k
// (GroupRec::draw): the agents able to take the group's channel now that
// qualify at step k or earlier, kept as agents change state, ranked. A draw
// from the strategy's generator names a member by rank in slot order, found
// through the set's counts (ranked_bitset.h), the contact's exclusions
// skipped; nothing scans the pool or the center. Nothing depends on the
// order in which agents became free, so an engine restored from a snapshot
// makes the same draws as the one that saved it (the journal's recovery
// relies on it).

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
using internal::RankedBitset;

namespace {

// The served entry of group `g` in an agent's served list (ascending by
// group), or null.
const std::pair<uint32_t, uint8_t>* ServedEntry(const AgentRec& a, uint32_t g) {
  const auto it = std::lower_bound(
      a.served.begin(), a.served.end(), g,
      [](const std::pair<uint32_t, uint8_t>& e, uint32_t x) { return e.first < x; });
  return it != a.served.end() && it->first == g ? &*it : nullptr;
}

// The slot's membership of each of a group's draw sets: in set k for every
// k from its lowest step on while it can take the group's channel. The sets
// span every agent slot (AddAgent grows them).
void AssignDraws(GroupRec& group, uint32_t slot, int step, bool member) {
  for (size_t k = static_cast<size_t>(step); k < group.draw.size(); ++k) {
    group.draw[k].Assign(slot, member);
  }
}

}  // namespace

void Engine::TrackDraws(uint32_t g) {
  GroupRec& group = groups_[g];
  group.draw.assign(queues_[group.queue].step_skills.size(), RankedBitset());
  for (RankedBitset& set : group.draw) set.Resize(agents_.size());
  const uint32_t channel = 1u << static_cast<int>(group.channel);
  for (uint32_t slot = 0; slot < agents_.size(); ++slot) {
    const AgentRec& a = agents_[slot];
    if (!a.live || (a.channel_mask & channel) == 0) continue;
    if (const auto* e = ServedEntry(a, g)) AssignDraws(group, slot, e->second, true);
  }
  ++draw_groups_;
}

void Engine::SyncDraws(uint32_t slot, uint32_t old_mask, uint32_t new_mask, bool all) {
  const AgentRec& a = agents_[slot];
  const uint32_t changed = all ? ~uint32_t{0} : old_mask ^ new_mask;
  for (const auto& [g, step] : a.served) {
    GroupRec& group = groups_[g];
    if (group.draw.empty()) continue;
    const uint32_t channel = 1u << static_cast<int>(group.channel);
    if ((changed & channel) == 0) continue;
    AssignDraws(group, slot, step, (new_mask & channel) != 0);
  }
}

uint32_t Engine::RandomInPool(const ContactRec& c, bool weighted) {
  if (groups_[c.group].draw.empty()) TrackDraws(c.group);
  const RankedBitset& set = groups_[c.group].draw[c.step];
  // The excluded members' ranks, ascending: the member of rank i among the
  // others is the set's member of rank i plus the excluded ranks up to it.
  std::vector<size_t>& skipped = scratch_excluded_ranks_;
  skipped.clear();
  for (AgentId agent : c.excluded) {
    const uint32_t slot = AgentSlot(agent);
    if (slot != kNoSlot && set.Test(slot)) skipped.push_back(set.Rank(slot));
  }
  std::sort(skipped.begin(), skipped.end());
  skipped.erase(std::unique(skipped.begin(), skipped.end()), skipped.end());
  const uint64_t n = set.count() - skipped.size();
  if (n == 0) return kNoSlot;
  auto nth = [&](uint64_t i) {
    size_t rank = static_cast<size_t>(i);
    for (size_t e : skipped) {
      if (e <= rank) ++rank;
    }
    return static_cast<uint32_t>(set.Select(rank));
  };
  auto each = [&](auto&& visit) {
    const internal::Bitset& bits = set.bits();
    for (size_t w = 0; w < bits.word_count(); ++w) {
      for (uint64_t word = bits.word(w); word != 0; word &= word - 1) {
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
