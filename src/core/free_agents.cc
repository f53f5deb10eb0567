// Engine: the indexed contact-arrives decisions. The strategies whose order
// is the longest-idle one (longest idle; least occupied while nobody holding
// contacts can be in the pool) walk the per-skill free lists, or read the
// rings of a tracked group; those whose score does not change while an agent
// is free (fewest handled, round robin, best proficiency) read the heaps of
// a tracked group. The structures are described in docs/architecture.md.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "ccengine/core/engine.h"
#include "core/decision.h"

namespace ccengine {

using internal::AgentRec;
using internal::Bitset;
using internal::ContactRec;
using internal::Excludes;
using internal::GroupRec;
using internal::IdleOrder;
using internal::kBestProficiency;
using internal::kFewestHandled;
using internal::kNoSlot;
using internal::kRoundRobin;
using internal::QueueRec;

namespace {

constexpr uint32_t kNoSkill = kNoSlot;

// Of a pool's requirements (a contact's own skills and a routing step's),
// the skill the fewest free agents hold: its free list is the shortest that
// lists every free member of the pool. kNoSkill when the pool requires none.
uint32_t RarestSkill(const internal::SkillIdleLists& lists,
                     const std::vector<SkillRequirement>& own,
                     const std::vector<SkillRequirement>& step) {
  uint32_t rarest = kNoSkill;
  for (const auto* reqs : {&own, &step}) {
    for (const SkillRequirement& r : *reqs) {
      if (rarest == kNoSkill || lists.size(r.skill) < lists.size(SkillId(rarest)))
        rarest = r.skill.value();
    }
  }
  return rarest;
}

// A ring or heap entry is good while its agent's listing epoch is the one it
// was pushed with (free_ring.h).
struct ListedAsPushed {
  const internal::AgentIndex& index;
  template <typename Entry>
  bool operator()(const Entry& e) const {
    return index.idle_epoch(e.slot) == e.epoch;
  }
};

// The best entry, over the routing steps in force, of a tracked group's
// rings or heaps that the contact does not exclude; kNoSlot if none.
template <typename Part>
uint32_t BestOfSteps(const ContactRec& c, std::vector<Part>& parts,
                     const internal::AgentIndex& index) {
  auto accept = [&c](const auto& e) {
    return c.excluded.empty() || !Excludes(c, AgentId(e.id));
  };
  const ListedAsPushed valid{index};
  decltype(parts[0].First(valid, accept)) best = nullptr;
  for (int step = 0; step <= c.step; ++step) {
    const auto* e = parts[step].First(valid, accept);
    if (e != nullptr && (best == nullptr || *e < *best)) best = e;
  }
  return best == nullptr ? kNoSlot : best->slot;
}

}  // namespace

// The longest-idle agent of the contact's pool, kNoSlot if it has none, or
// kWalkedTooFar when an agent able to take more while holding contacts may be
// in the pool (the free lists and rings hold only agents holding nothing):
// then the caller scans the pool's bits.
//
// For each routing step in force, the pool's members that qualify at that
// step all hold each skill the step requires (with the contact's own), so
// the free list of the rarest of those skills (skill_idle_lists.h) lists all
// of them in the longest-idle order: the first listed agent that meets the
// rest of the step's pool and is not excluded is that step's answer, and the
// earliest of the steps' answers is the pool's. A step that requires no skill
// walks the idle order of all free agents, whose ties are in arrival order,
// so there the lowest id among the entries free since the same instant wins.
// A walk that passes kMaxWalk entries (a pool that is a thin slice of its
// rarest skill's free agents) makes the group tracked: from then on its
// rings (free_ring.h) answer at once.
constexpr int kMaxWalk = 16;

bool Engine::LoadedMayBeInPool(const ContactRec& c) const {
  if (agent_index_.idle_order().loaded() == 0) return false;  // e.g. voice only
  const QueueRec& q = queues_[c.queue];
  const internal::SkillIdleLists& lists = agent_index_.skill_idle();
  // Every member of a step's pool holds each skill the step requires, so
  // when none of the loaded agents holds one of them, none is in the pool.
  for (int step = 0; step <= c.step; ++step) {
    bool required = false, one_unloaded = false;
    for (const auto* reqs : {&c.skills, &q.step_skills[step]}) {
      for (const SkillRequirement& x : *reqs) {
        required = true;
        one_unloaded |= lists.loaded(x.skill) == 0;
      }
    }
    if (required ? !one_unloaded : agent_index_.idle_order().loaded() != 0) return true;
  }
  return false;
}

uint32_t Engine::FirstIdleInPool(const ContactRec& c) {
  const QueueRec& q = queues_[c.queue];
  const internal::SkillIdleLists& lists = agent_index_.skill_idle();
  const IdleOrder& order = agent_index_.idle_order();
  if (LoadedMayBeInPool(c)) return kWalkedTooFar;
  if (!groups_[c.group].free.empty()) return FirstIdleInRings(c);
  const Bitset& ready = agent_index_.CanTake(c.channel);
  uint32_t best = kNoSlot;
  for (int step = 0; step <= c.step; ++step) {
    const std::vector<SkillRequirement>& step_skills = q.step_skills[step];
    auto in_pool = [&](uint32_t slot) CCENGINE_INLINE_LAMBDA {
      if (!ready.Test(slot)) return false;
      for (const SkillRequirement& r : c.skills) {
        if (!SkillSet(r).Test(slot)) return false;
      }
      for (const SkillRequirement& r : step_skills) {
        if (!SkillSet(r).Test(slot)) return false;
      }
      return c.excluded.empty() || !Excludes(c, agents_[slot].id);
    };
    int walked = 0;
    const uint32_t walk = RarestSkill(lists, c.skills, step_skills);
    if (walk == kNoSkill) {
      uint32_t found = kNoSlot;
      for (uint32_t slot = order.head(); slot != IdleOrder::kEnd;
           slot = order.next(slot)) {
        if (found != kNoSlot &&
            agent_index_.idle_since(slot) != agent_index_.idle_since(found)) {
          break;
        }
        if (++walked > kMaxWalk) {
          TrackGroup(c.group);
          return FirstIdleInRings(c);
        }
        if (in_pool(slot) && (found == kNoSlot || agents_[slot].id < agents_[found].id)) {
          found = slot;
        }
      }
      if (found != kNoSlot && (best == kNoSlot || agent_index_.IdleBefore(found, best)))
        best = found;
      continue;
    }
    for (uint32_t node = lists.head(SkillId(walk));
         node != internal::SkillIdleLists::kEnd; node = lists.next(node)) {
      const uint32_t slot = lists.slot(node);
      // Every later entry comes after an earlier step's answer too.
      if (best != kNoSlot && agent_index_.IdleBefore(best, slot)) break;
      if (++walked > kMaxWalk) {
        TrackGroup(c.group);
        return FirstIdleInRings(c);
      }
      if (in_pool(slot)) {
        best = slot;
        break;
      }
    }
  }
  return best;
}

uint32_t Engine::FirstIdleInRings(const ContactRec& c) {
  return BestOfSteps(c, groups_[c.group].free, agent_index_);
}

bool Engine::KeyedStrategy(uint32_t strategy) {
  return strategy == kFewestHandled || strategy == kRoundRobin ||
         strategy == kBestProficiency;
}

double Engine::FreeRank(uint32_t strategy, const AgentRec& a, const GroupRec& g) const {
  switch (strategy) {
    case kFewestHandled: return static_cast<double>(a.handled);
    case kRoundRobin: return static_cast<double>(a.last_offer_seq);
    default: {  // best proficiency: the levels on the queue's and the group's skills
      double sum = 0;
      auto add = [&](const std::vector<SkillRequirement>& reqs) {
        for (const SkillRequirement& r : reqs) {
          for (const SkillLevel& l : a.skills) {
            if (l.skill == r.skill) sum += l.level;
          }
        }
      };
      add(queues_[g.queue].step_skills[0]);
      add(g.own);
      return -sum;
    }
  }
}

void Engine::TrackGroup(uint32_t g) {
  GroupRec& group = groups_[g];
  const QueueRec& q = queues_[group.queue];
  const internal::SkillIdleLists& lists = agent_index_.skill_idle();
  const IdleOrder& order = agent_index_.idle_order();
  const uint32_t channel = 1u << static_cast<int>(group.channel);
  const uint32_t strategy = q.strategy.value();
  const bool keyed = KeyedStrategy(strategy);
  const ListedAsPushed valid{agent_index_};
  if (keyed) {
    group.keyed.assign(q.step_skills.size(), internal::FreeHeap());
  } else {
    group.free.assign(q.step_skills.size(), internal::FreeRing());
  }
  ++tracked_groups_;
  // Each step's free agents are on the free list of any skill the step
  // requires, already in the longest-idle order; agents whose lowest step is
  // that one are kept. A step that requires no skill: the idle order, sorted.
  for (size_t step = 0; step < q.step_skills.size(); ++step) {
    std::vector<internal::FreeEntry> entries;
    auto keep = [&](uint32_t slot) {
      const AgentRec& a = agents_[slot];
      if ((a.idle_channel_mask & channel) == 0 ||
          MinStep(a, group) != static_cast<int>(step)) {
        return;
      }
      entries.push_back(
          {a.idle_since, a.id.value(), slot, agent_index_.idle_epoch(slot)});
    };
    const uint32_t rarest = RarestSkill(lists, group.own, q.step_skills[step]);
    if (rarest != kNoSkill) {
      for (uint32_t node = lists.head(SkillId(rarest));
           node != internal::SkillIdleLists::kEnd; node = lists.next(node)) {
        keep(lists.slot(node));
      }
    } else {
      for (uint32_t slot = order.head(); slot != IdleOrder::kEnd; slot = order.next(slot))
        keep(slot);
      std::sort(entries.begin(), entries.end());
    }
    for (const internal::FreeEntry& e : entries) {
      if (keyed) {
        const double rank = FreeRank(strategy, agents_[e.slot], group);
        group.keyed[step].Push({rank, e.idle_since, e.id, e.slot, e.epoch}, valid);
      } else {
        group.free[step].Push(e, valid);
      }
    }
  }
}

uint32_t Engine::FirstKeyedInPool(const ContactRec& c) {
  if (LoadedMayBeInPool(c)) return kWalkedTooFar;
  if (!groups_[c.group].tracked()) TrackGroup(c.group);
  return BestOfSteps(c, groups_[c.group].keyed, agent_index_);
}

void Engine::PushFree(uint32_t slot) {
  const AgentRec& a = agents_[slot];
  const internal::FreeEntry e{a.idle_since, a.id.value(), slot,
                              agent_index_.idle_epoch(slot)};
  const ListedAsPushed valid{agent_index_};
  for (const auto& [g, step] : a.served) {
    GroupRec& group = groups_[g];
    if (!group.tracked() ||
        ((a.idle_channel_mask >> static_cast<int>(group.channel)) & 1u) == 0) {
      continue;
    }
    if (!group.free.empty()) {
      group.free[step].Push(e, valid);
    } else {
      const uint32_t strategy = queues_[group.queue].strategy.value();
      group.keyed[step].Push(
          {FreeRank(strategy, a, group), e.idle_since, e.id, e.slot, e.epoch}, valid);
    }
  }
}

}  // namespace ccengine
