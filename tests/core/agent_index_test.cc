// AgentIndex: skill sets by level (only the levels kept), channel sets only
// for indexed channels (built from the agents' masks when first indexed),
// the logged-in set, the idle order and the per-skill free lists fed by
// UpdateState — checked against a model recomputed from scratch after every
// random step.

#include "ccengine/core/internal/agent_index.h"

#include <algorithm>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace ccengine::internal {
namespace {

TEST(AgentIndexTest, SkillSetsHoldAgentsAtOrAboveTheLevel) {
  AgentIndex index;
  index.AddSkill();
  index.AddSkill();
  index.Resize(3);
  std::vector<std::vector<SkillLevel>> skills = {
      {{SkillId{0}, 3}}, {{SkillId{0}, 8}, {SkillId{1}, 2}}, {}};
  for (uint32_t s = 0; s < 3; ++s) index.UpdateSkills(s, skills[s], true);
  auto of = [&](uint32_t s) { return &skills[s]; };
  const SkillRequirement level1{SkillId{0}, 1}, level5{SkillId{0}, 5};
  EXPECT_TRUE(index.HasSkillSet(level1));
  EXPECT_FALSE(index.HasSkillSet(level5));  // kept only once used
  index.EnsureSkillSet(level5, of);
  EXPECT_TRUE(index.SkillSet(level1).Test(0));
  EXPECT_TRUE(index.SkillSet(level1).Test(1));
  EXPECT_FALSE(index.SkillSet(level1).Test(2));
  EXPECT_FALSE(index.SkillSet(level5).Test(0));
  EXPECT_TRUE(index.SkillSet(level5).Test(1));
  index.UpdateSkills(1, skills[1], false);  // agent 1 leaves
  EXPECT_FALSE(index.SkillSet(level1).Test(1));
  EXPECT_FALSE(index.SkillSet(level5).Test(1));
  EXPECT_FALSE(index.SkillSet({SkillId{1}, 1}).Test(1));
}

TEST(AgentIndexTest, OnlyIndexedChannelsAreKept) {
  AgentIndex index;
  index.Resize(2);
  const uint32_t voice = 1u << static_cast<int>(Channel::kVoice);
  const uint32_t chat = 1u << static_cast<int>(Channel::kChat);
  index.UpdateState(0, 7, 0, voice | chat, 0, true, false, true);
  EXPECT_FALSE(index.ChannelIndexed(Channel::kVoice));
  EXPECT_FALSE(index.CanTake(Channel::kVoice).Test(0));  // not kept yet
  std::vector<uint32_t> masks = {voice | chat, chat};
  index.IndexChannel(Channel::kVoice, [&](uint32_t s) { return masks[s]; });
  EXPECT_TRUE(index.CanTake(Channel::kVoice).Test(0));
  EXPECT_FALSE(index.CanTake(Channel::kVoice).Test(1));
  index.UpdateState(0, 7, voice | chat, chat, 0, true, false, true);
  EXPECT_FALSE(index.CanTake(Channel::kVoice).Test(0));
  EXPECT_FALSE(index.CanTake(Channel::kChat).Test(0));  // chat still not kept
}

TEST(AgentIndexTest, RandomStateChangesMatchARecomputedModel) {
  std::mt19937_64 rng(5);
  const uint32_t slots = 80;
  const int skills = 4;
  AgentIndex index;
  for (int s = 0; s < skills; ++s) index.AddSkill();
  index.Resize(slots);
  struct A {
    std::vector<SkillLevel> skills;
    uint32_t mask = 0;
    Micros idle_since = 0;
    bool holding = false;
    bool logged_in = false;
    bool present = false;
  };
  std::vector<A> agents(slots);
  auto skills_of = [&](uint32_t s) {
    return agents[s].present ? &agents[s].skills : nullptr;
  };
  // Ids in another order than slots, so that ties of idle_since are broken
  // by the id, not the slot.
  auto id_of = [](uint32_t s) { return uint64_t{(s * 37) % 80} + 1000; };
  Micros now = 0;
  for (int step = 0; step < 20000; ++step) {
    now += static_cast<Micros>(rng() % 3);
    const uint32_t s = static_cast<uint32_t>(rng() % slots);
    A& a = agents[s];
    switch (rng() % 6) {
      case 0: {  // (re)place the agent's skills
        if (a.present) index.UpdateSkills(s, a.skills, false);
        a.skills.clear();
        for (int k = 0; k < skills; ++k) {
          if (rng() % 2)
            a.skills.push_back({SkillId(static_cast<uint32_t>(k)),
                                static_cast<uint8_t>(1 + rng() % 10)});
        }
        a.present = true;
        index.UpdateSkills(s, a.skills, true);
        break;
      }
      case 1: {  // a requirement starts being used
        SkillRequirement r{SkillId(static_cast<uint32_t>(rng() % skills)),
                           static_cast<uint8_t>(1 + rng() % 10)};
        index.EnsureSkillSet(r, skills_of);
        break;
      }
      case 2:
        index.IndexChannel(static_cast<Channel>(rng() % kChannelCount),
                           [&](uint32_t x) { return agents[x].mask; });
        break;
      default: {  // a state change
        const uint32_t old_mask = a.mask;
        a.mask =
            static_cast<uint32_t>(rng() % 4 == 0 ? 0 : rng() % (1u << kChannelCount));
        a.holding = rng() % 3 == 0;
        if (!a.holding && rng() % 2) a.idle_since = now;
        a.logged_in = rng() % 5 != 0;
        index.UpdateState(s, id_of(s), old_mask, a.mask, a.idle_since,
                          a.mask != 0 && !a.holding, a.mask != 0 && a.holding,
                          a.logged_in);
      }
    }
    // The model, recomputed.
    for (uint32_t x = 0; x < slots; ++x) {
      const A& m = agents[x];
      for (int k = 0; k < skills; ++k) {
        int level = 0;
        for (const SkillLevel& l : m.skills) {
          if (l.skill.value() == static_cast<uint32_t>(k)) level = l.level;
        }
        for (int lv = kMinProficiency; lv <= kMaxProficiency; ++lv) {
          SkillRequirement r{SkillId(static_cast<uint32_t>(k)), static_cast<uint8_t>(lv)};
          if (!index.HasSkillSet(r)) continue;
          ASSERT_EQ(index.SkillSet(r).Test(x), m.present && level >= lv)
              << "step " << step << " slot " << x << " skill " << k << ">=" << lv;
        }
      }
      for (int ch = 0; ch < kChannelCount; ++ch) {
        if (!index.ChannelIndexed(static_cast<Channel>(ch))) continue;
        ASSERT_EQ(index.CanTake(static_cast<Channel>(ch)).Test(x),
                  ((m.mask >> ch) & 1u) != 0)
            << "step " << step << " slot " << x << " channel " << ch;
      }
      ASSERT_EQ(index.logged_in().Test(x), m.logged_in);
      ASSERT_EQ(index.idle_order().Contains(x), m.mask != 0 && !m.holding);
      ASSERT_EQ(index.idle_order().Loaded(x), m.mask != 0 && m.holding);
      ASSERT_EQ(index.idle_since(x), m.idle_since);
    }
    // The idle order lists the free agents by idle_since.
    size_t listed = 0;
    Micros previous = -1;
    for (uint32_t x = index.idle_order().head(); x != IdleOrder::kEnd;
         x = index.idle_order().next(x)) {
      ASSERT_GE(index.idle_since(x), previous) << "step " << step;
      previous = index.idle_since(x);
      ++listed;
    }
    ASSERT_EQ(listed, index.idle_order().size());
    // Each skill's free list: its free holders by (idle_since, id); its
    // loaded holders counted.
    const SkillIdleLists& lists = index.skill_idle();
    for (int k = 0; k < skills; ++k) {
      const SkillId skill(static_cast<uint32_t>(k));
      std::vector<std::pair<Micros, uint64_t>> want;
      uint32_t loaded = 0;
      for (uint32_t x = 0; x < slots; ++x) {
        const A& m = agents[x];
        bool holds = false;
        for (const SkillLevel& l : m.skills) holds |= l.skill == skill;
        if (!m.present || !holds || m.mask == 0) continue;
        if (m.holding) {
          ++loaded;
        } else {
          want.emplace_back(m.idle_since, id_of(x));
        }
      }
      std::sort(want.begin(), want.end());
      std::vector<std::pair<Micros, uint64_t>> got;
      for (uint32_t n = lists.head(skill); n != SkillIdleLists::kEnd; n = lists.next(n)) {
        got.emplace_back(index.idle_since(lists.slot(n)), id_of(lists.slot(n)));
      }
      ASSERT_EQ(got, want) << "step " << step << " skill " << k;
      ASSERT_EQ(lists.size(skill), want.size());
      ASSERT_EQ(lists.loaded(skill), loaded) << "step " << step << " skill " << k;
    }
  }
}

}  // namespace
}  // namespace ccengine::internal
