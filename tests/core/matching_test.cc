// Engine: the two routing decisions — which agent an arriving contact goes to
// (each built-in strategy, custom strategies, tie-breaks, skills and levels,
// relaxation steps) and which waiting contact a freed agent takes (priority
// classes, aging, aging weight across queues, steps).

#include <cstddef>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ccengine/core/engine.h"
#include "gtest/gtest.h"
#include "testing/engine_fixture.h"

namespace ccengine {
namespace {

using test::A;
using test::At;
using test::C;
using test::Lvl;

constexpr Channel kChat = Channel::kChat;

class MatchingTest : public test::EngineFixture {
 protected:
  QueueId QueueWithStrategy(const std::string& strategy) {
    QueueConfig q = QueueSpec("q");
    q.strategy = strategy;
    return AddQueue(q);
  }
  // Adds a contact, records who it is offered to, and lets the customer hang
  // up so that the agent is free again.
  uint64_t OfferAndAbandon(uint64_t contact, QueueId q,
                           Channel channel = Channel::kVoice) {
    AddContact(contact, q, channel);
    std::optional<uint64_t> agent = Holder(contact);
    EXPECT_TRUE(agent.has_value()) << "contact " << contact << " not offered";
    EXPECT_TRUE(engine_->Abandon(C(contact)).ok());
    return agent.value_or(0);
  }
  // A queue needing policy >= 8, then >= 5 after 30 s (and more steps).
  QueueId PolicyQueue(SkillId policy, std::vector<RoutingStep> more = {}) {
    QueueConfig q = QueueSpec("policy", {Lvl(policy, 8)});
    q.relaxation = {{absl::Seconds(30), {Lvl(policy, 5)}}};
    for (RoutingStep& s : more) q.relaxation.push_back(std::move(s));
    return AddQueue(q);
  }
};

// Offers `draws` contacts in turn to agents 1..n (weights as given) of a
// fresh engine seeded with `seed`; returns who got each one.
std::vector<uint64_t> Draws(const std::string& strategy, uint64_t seed, int draws,
                            const std::vector<double>& weights) {
  EngineOptions o;
  o.seed = seed;
  auto engine = Engine::Create(o).value();
  QueueConfig qc;
  qc.name = "q";
  qc.strategy = strategy;
  QueueId q = engine->AddQueue(qc).value();
  for (size_t i = 0; i < weights.size(); ++i) {
    AgentConfig a;
    a.id = AgentId{i + 1};
    a.weight = weights[i];
    EXPECT_TRUE(engine->AddAgent(a).ok());
    EXPECT_TRUE(engine->Login(a.id).ok());
  }
  std::vector<uint64_t> out;
  for (int i = 0; i < draws; ++i) {
    ContactSpec c;
    c.id = ContactId{static_cast<uint64_t>(i)};
    c.queue = q;
    EXPECT_TRUE(engine->AddContact(c).ok());
    auto snap = engine->GetContact(c.id);
    out.push_back(snap.ok() && snap->agent ? snap->agent->value() : 0);
    EXPECT_TRUE(engine->Abandon(c.id).ok());
  }
  EXPECT_TRUE(engine->CheckInvariants().ok());
  return out;
}

// --- Contact → agent: strategies --------------------------------------------

TEST_F(MatchingTest, LongestIdlePicksTheAgentFreeTheLongest) {
  QueueId q = QueueWithStrategy("longest_idle");
  AddAgent(3);
  AdvanceTo(10);
  AddAgent(1);
  AdvanceTo(20);
  AddAgent(2);
  AdvanceTo(30);
  AddContact(10, q);
  AddContact(11, q);
  AddContact(12, q);
  EXPECT_EQ(Offers(),
            (std::vector<std::pair<uint64_t, uint64_t>>{{10, 3}, {11, 1}, {12, 2}}));
}

// Agents free since the same instant go to the lower id first, whatever the
// order in which they became free: the idle order keeps ties in arrival
// order, so the decision must compare ids within a run of ties (a short run:
// read from the list; a long one: the scan of the pool).
TEST_F(MatchingTest, LongestIdleTiesGoToTheLowerIdWhateverTheOrderTheyFreedUp) {
  QueueId q = QueueWithStrategy("longest_idle");
  for (uint64_t id : {5, 3, 4, 1, 2}) AddAgent(id);
  AdvanceTo(10);
  for (uint64_t id = 30; id >= 19; --id) AddAgent(id);  // twelve ties, ids falling
  AdvanceTo(20);
  std::vector<std::pair<uint64_t, uint64_t>> expected;
  uint64_t contact = 100;
  for (uint64_t id : {1, 2, 3, 4, 5}) expected.push_back({contact++, id});
  for (uint64_t id = 19; id <= 30; ++id) expected.push_back({contact++, id});
  for (uint64_t c = 100; c < contact; ++c) AddContact(c, q);
  EXPECT_EQ(Offers(), expected);
  CCENGINE_EXPECT_OK(engine_->CheckInvariants());
}

TEST_F(MatchingTest, EqualScoresGoToTheLongestIdleThenTheLowerId) {
  CCENGINE_ASSERT_OK(engine_->RegisterStrategy(
      "flat", std::make_unique<FunctionStrategy>(
                  [](const AgentView&, const ContactView&, Micros) { return 1.0; })));
  QueueId q = QueueWithStrategy("flat");
  AddAgent(5);
  AdvanceTo(10);
  AddAgent(3);
  AddAgent(2);
  AdvanceTo(20);
  EXPECT_EQ(OfferAndAbandon(10, q), 5u);
  EXPECT_EQ(OfferAndAbandon(11, q), 5u);  // still idle the longest
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(5)));
  EXPECT_EQ(OfferAndAbandon(12, q), 2u);
  EXPECT_EQ(OfferAndAbandon(13, q), 2u);
}

TEST_F(MatchingTest, LeastOccupiedPrefersTheLowestShareOfTheLoadBudget) {
  QueueId q = QueueWithStrategy("least_occupied");
  AddAgent(ChatAgentSpec(1));
  AddContact(10, q, kChat);
  Accept(1, 10);
  AdvanceTo(5);
  AddAgent(ChatAgentSpec(2));  // idle for less time, but empty
  AdvanceTo(10);
  AddContact(11, q, kChat);
  EXPECT_EQ(Holder(11), 2u);
}

TEST_F(MatchingTest, FewestHandledPrefersTheAgentWhoAcceptedFewest) {
  QueueId q = QueueWithStrategy("fewest_handled");
  AddAgent(1);
  for (uint64_t c : {10, 11}) {
    AddContact(c, q);
    Accept(1, c);
    Complete(1, c);
  }
  AdvanceTo(3);
  AddAgent(3);
  AdvanceTo(4);
  AddAgent(2);
  AdvanceTo(10);
  AddContact(12, q);
  EXPECT_EQ(Holder(12), 3u);  // handled 0 and idle longer than agent 2
  EXPECT_EQ(AgentNow(1).handled, 2u);
}

TEST_F(MatchingTest, RoundRobinRotatesThroughTheAgents) {
  QueueId q = QueueWithStrategy("round_robin");
  for (uint64_t a : {1, 2, 3}) {
    AddAgent(ChatAgentSpec(a));
    Advance(absl::Seconds(1));
  }
  std::vector<uint64_t> got;
  for (uint64_t c = 10; c < 16; ++c) {
    AddContact(c, q, kChat);
    got.push_back(Holder(c).value_or(0));
    Accept(got.back(), c);
  }
  EXPECT_EQ(got, (std::vector<uint64_t>{1, 2, 3, 1, 2, 3}));
}

TEST(MatchingDrawTest, RandomIsReproduciblePerSeedAndReachesEveryAgent) {
  const std::vector<double> five(5, 1.0);
  std::vector<uint64_t> a = Draws("random", 7, 100, five);
  EXPECT_EQ(a, Draws("random", 7, 100, five));
  EXPECT_NE(a, Draws("random", 8, 100, five));
  std::map<uint64_t, int> count;
  for (uint64_t agent : a) count[agent]++;
  EXPECT_EQ(count.size(), 5u);
  EXPECT_EQ(count.count(0), 0u);
}

TEST(MatchingDrawTest, WeightedRandomFollowsTheWeightsAndIsReproducible) {
  const std::vector<double> weights = {1, 2, 5};
  const int n = 8000;
  std::vector<uint64_t> a = Draws("weighted_random", 3, n, weights);
  EXPECT_EQ(a, Draws("weighted_random", 3, n, weights));
  EXPECT_NE(a, Draws("weighted_random", 4, n, weights));
  std::map<uint64_t, int> count;
  for (uint64_t agent : a) count[agent]++;
  // Expected 1000 / 2000 / 5000; the binomial sd is at most 44.
  EXPECT_NEAR(count[1], n * 1.0 / 8, 200) << "seed 3";
  EXPECT_NEAR(count[2], n * 2.0 / 8, 200) << "seed 3";
  EXPECT_NEAR(count[3], n * 5.0 / 8, 200) << "seed 3";
}

// A center for the random strategies' draws: 60 agents on two skills, half of
// them holding the queue's skill at level 5 or more; agents log in in the
// order given (all at once, so every one is free since the same instant).
// Without `agents`, a center configured alike to load another's state into.
class DrawCenter {
 public:
  DrawCenter(const std::string& strategy, bool explain, bool agents = true) {
    EngineOptions o;
    o.seed = 11;
    engine_ = Engine::Create(o).value();
    sales_ = engine_->AddSkill("sales").value();
    SkillId other = engine_->AddSkill("other").value();
    QueueConfig qc;
    qc.name = "q";
    qc.strategy = strategy;
    qc.skills = {{sales_, 5}};
    q_ = engine_->AddQueue(qc).value();
    for (uint64_t i = 1; agents && i <= 60; ++i) {
      AgentConfig a;
      a.id = AgentId{i};
      a.weight = 1.0 + static_cast<double>(i % 4);
      a.skills = {{i % 2 == 0 ? sales_ : other, static_cast<uint8_t>(1 + i % 10)}};
      EXPECT_TRUE(engine_->AddAgent(a).ok());
    }
    if (explain) {
      engine_->Subscribe(
          [this](const Event& e) { explained_ += e.explanation != nullptr; },
          EventBit(EventType::kDecisionExplained));
    }
  }
  void LogIn(const std::vector<uint64_t>& order) {
    for (uint64_t id : order) EXPECT_TRUE(engine_->Login(AgentId{id}).ok());
  }
  // Offers contacts `from` … `from + n - 1` in turn, each abandoned at once.
  std::vector<uint64_t> Offer(uint64_t from, int n) {
    std::vector<uint64_t> got;
    for (uint64_t id = from; id < from + static_cast<uint64_t>(n); ++id) {
      ContactSpec c;
      c.id = ContactId{id};
      c.queue = q_;
      EXPECT_TRUE(engine_->AddContact(c).ok());
      auto snap = engine_->GetContact(c.id);
      got.push_back(snap.ok() && snap->agent ? snap->agent->value() : 0);
      EXPECT_TRUE(engine_->Abandon(c.id).ok());
    }
    EXPECT_TRUE(engine_->CheckInvariants().ok());
    return got;
  }
  Engine& engine() { return *engine_; }
  int explained() const { return explained_; }

 private:
  std::unique_ptr<Engine> engine_;
  SkillId sales_;
  QueueId q_;
  int explained_ = 0;
};

TEST(MatchingDrawTest, RandomDrawsDependOnThePoolNotOnHowItFormed) {
  std::vector<uint64_t> forward, backward;
  for (uint64_t i = 1; i <= 60; ++i) {
    forward.push_back(i);
    backward.push_back(61 - i);
  }
  for (const char* strategy : {"random", "weighted_random"}) {
    SCOPED_TRACE(strategy);
    DrawCenter a(strategy, /*explain=*/false), b(strategy, /*explain=*/false);
    DrawCenter explained(strategy, /*explain=*/true);
    a.LogIn(forward);
    b.LogIn(backward);
    explained.LogIn(forward);
    const std::vector<uint64_t> drawn = a.Offer(100, 200);
    EXPECT_EQ(b.Offer(100, 200), drawn);
    // Explanations take the full decision, which draws the same agent.
    EXPECT_EQ(explained.Offer(100, 200), drawn);
    EXPECT_EQ(explained.explained(), 200);
    std::map<uint64_t, int> count;
    for (uint64_t agent : drawn) {
      EXPECT_TRUE(agent % 2 == 0 && agent % 10 >= 4) << agent;  // sales >= 5
      ++count[agent];
    }
    EXPECT_GE(count.size(), 10u);
    // A restored engine draws as the one that saved its state, although its
    // records of who became free when are rebuilt, not copied.
    std::string state;
    a.engine().SaveState(state);
    DrawCenter restored(strategy, /*explain=*/false, /*agents=*/false);
    ASSERT_TRUE(restored.engine().LoadState(state).ok());
    EXPECT_EQ(restored.Offer(300, 200), a.Offer(300, 200));
  }
}

// Chat contacts in a queue that relaxes (sales >= 8, then >= 3 after 10 s),
// offered to agents that may already hold chats; some offers are rejected,
// so the contact excludes that agent. The same script runs on an engine with
// explanations on and one without; halfway, a third engine restored from the
// plain one's state joins. Every offer must be the same in all of them.
TEST(MatchingDrawTest, RandomDrawsAgreeOnRelaxedPoolsLoadedAgentsAndExclusions) {
  for (const char* strategy : {"random", "weighted_random"}) {
    SCOPED_TRACE(strategy);
    auto make = [&](bool agents) {
      EngineOptions o;
      o.seed = 23;
      auto engine = Engine::Create(o).value();
      const SkillId sales = engine->AddSkill("sales").value();
      QueueConfig qc;
      qc.name = "chat";
      qc.strategy = strategy;
      qc.skills = {{sales, 8}};
      qc.relaxation = {{absl::Seconds(10), {{sales, 3}}}};
      qc.offer_timeout = absl::InfiniteDuration();
      EXPECT_TRUE(engine->AddQueue(qc).ok());
      for (uint64_t i = 1; agents && i <= 40; ++i) {
        AgentConfig a;
        a.id = AgentId{i};
        a.weight = 1.0 + static_cast<double>(i % 3);
        a.skills = {{sales, static_cast<uint8_t>(1 + i % 10)}};
        EXPECT_TRUE(engine->AddAgent(a).ok());
        EXPECT_TRUE(engine->Login(a.id).ok());
      }
      return engine;
    };
    std::vector<std::unique_ptr<Engine>> engines;
    std::vector<std::vector<std::pair<uint64_t, uint64_t>>> offers(3);
    auto watch = [&](Engine& e, size_t k, bool explain) {
      uint32_t mask = EventBit(EventType::kOffered);
      if (explain) mask |= EventBit(EventType::kDecisionExplained);
      e.Subscribe(
          [&offers, k](const Event& ev) {
            if (ev.type == EventType::kOffered)
              offers[k].push_back({ev.contact.value(), ev.agent.value()});
          },
          mask);
    };
    engines.push_back(make(true));
    engines.push_back(make(true));
    watch(*engines[0], 0, false);
    watch(*engines[1], 1, true);
    std::mt19937_64 script(99);
    std::vector<std::pair<uint64_t, uint64_t>> serving;  // (agent, contact)
    uint64_t next = 1;
    for (int step = 0; step < 1500; ++step) {
      if (step == 750) {
        std::string state;
        engines[0]->SaveState(state);
        engines.push_back(make(false));
        ASSERT_TRUE(engines[2]->LoadState(state).ok());
        watch(*engines[2], 2, false);
        offers[2] = offers[0];
      }
      const uint64_t roll = script() % 10;
      const size_t before = offers[0].size();
      if (roll < 5) {
        ContactSpec c;
        c.id = ContactId{next++};
        c.queue = QueueId{0};
        c.channel = Channel::kChat;
        for (auto& e : engines) ASSERT_TRUE(e->AddContact(c).ok());
      } else if (roll < 7 && !serving.empty()) {
        const size_t i = script() % serving.size();
        for (auto& e : engines) {
          ASSERT_TRUE(
              e->CompleteContact(AgentId{serving[i].first}, ContactId{serving[i].second})
                  .ok());
        }
        serving.erase(serving.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        for (auto& e : engines)
          ASSERT_TRUE(e->AdvanceTo(e->Now() + absl::Seconds(3)).ok());
      }
      // Answer each new offer as it comes: one in five rejected (the contact
      // then excludes that agent and is offered again), the others accepted.
      for (size_t k = before; k < offers[0].size(); ++k) {
        const auto [contact, agent] = offers[0][k];
        const bool reject = script() % 5 == 0;
        for (auto& e : engines) {
          const absl::Status s = reject
                                     ? e->RejectOffer(AgentId{agent}, ContactId{contact})
                                     : e->AcceptOffer(AgentId{agent}, ContactId{contact});
          ASSERT_TRUE(s.ok()) << s;
        }
        if (!reject) serving.push_back({agent, contact});
      }
      for (size_t k = 1; k < engines.size(); ++k) ASSERT_EQ(offers[k], offers[0]) << step;
    }
    EXPECT_GT(offers[0].size(), 400u);
    for (auto& e : engines) EXPECT_TRUE(e->CheckInvariants().ok());
  }
}

TEST(MatchingDrawTest, WeightedRandomHoldsWhenTheLargestWeightIsOutOfThePool) {
  // Agent 1 (weight 1000) is never logged in: a draw keeps a pool member with
  // probability weight / 1000, so the draws mostly give up and walk the
  // cumulative weights (1 : 3). Once agent 1 is removed the largest weight is
  // 3; once agent 4 (50, logged out) is added it is 50. After each change an
  // engine restored from this one's state, which computes the largest weight
  // afresh, must draw the same agents.
  auto make = [](bool agents) {
    EngineOptions o;
    o.seed = 5;
    auto engine = Engine::Create(o).value();
    QueueConfig qc;
    qc.name = "q";
    qc.strategy = "weighted_random";
    EXPECT_TRUE(engine->AddQueue(qc).ok());
    const std::vector<double> weights = {1000, 1, 3};
    for (size_t i = 0; agents && i < weights.size(); ++i) {
      AgentConfig a;
      a.id = AgentId{i + 1};
      a.weight = weights[i];
      EXPECT_TRUE(engine->AddAgent(a).ok());
      if (i > 0) {
        EXPECT_TRUE(engine->Login(a.id).ok());
      }
    }
    return engine;
  };
  auto draw = [](Engine& engine, uint64_t from, int n) {
    std::vector<uint64_t> got;
    for (uint64_t id = from; id < from + static_cast<uint64_t>(n); ++id) {
      ContactSpec c;
      c.id = ContactId{id};
      c.queue = QueueId{0};
      EXPECT_TRUE(engine.AddContact(c).ok());
      auto snap = engine.GetContact(c.id);
      got.push_back(snap.ok() && snap->agent ? snap->agent->value() : 0);
      EXPECT_TRUE(engine.Abandon(c.id).ok());
    }
    return got;
  };
  auto count = [](const std::vector<uint64_t>& got) {
    std::map<uint64_t, int> n;
    for (uint64_t agent : got) ++n[agent];
    return n;
  };
  auto restored_draws_alike = [&](Engine& live, uint64_t from) {
    std::string state;
    live.SaveState(state);
    std::unique_ptr<Engine> restored = make(/*agents=*/false);
    ASSERT_TRUE(restored->LoadState(state).ok());
    EXPECT_EQ(draw(*restored, from, 500), draw(live, from, 500));
  };
  std::unique_ptr<Engine> engine = make(/*agents=*/true);
  // Expected 1000 / 3000 of 4000; the binomial sd is 27.
  std::map<uint64_t, int> before = count(draw(*engine, 0, 4000));
  EXPECT_EQ(before.count(0) + before.count(1), 0u);
  EXPECT_NEAR(before[2], 1000, 140);
  EXPECT_NEAR(before[3], 3000, 140);
  restored_draws_alike(*engine, 5000);
  ASSERT_TRUE(engine->RemoveAgent(AgentId{1}).ok());
  std::map<uint64_t, int> after = count(draw(*engine, 10'000, 4000));
  EXPECT_NEAR(after[2], 1000, 140);
  EXPECT_NEAR(after[3], 3000, 140);
  restored_draws_alike(*engine, 15'000);
  AgentConfig heavy;
  heavy.id = AgentId{4};
  heavy.weight = 50;
  ASSERT_TRUE(engine->AddAgent(heavy).ok());
  restored_draws_alike(*engine, 20'000);
  EXPECT_TRUE(engine->CheckInvariants().ok());
}

TEST_F(MatchingTest, BestProficiencyPicksTheHighestSummedLevel) {
  SkillId policy = Skill("policy");
  SkillId english = Skill("english");
  QueueConfig qc = QueueSpec("q", {Lvl(policy, 1)});
  qc.strategy = "best_proficiency";
  QueueId q = AddQueue(qc);
  AddAgent(1, {Lvl(policy, 9), Lvl(english, 1)});  // 10
  AddAgent(4, {Lvl(policy, 10)});                  // lacks english
  AdvanceTo(10);
  AddAgent(2, {Lvl(policy, 6), Lvl(english, 6)});  // 12
  AddAgent(3, {Lvl(policy, 5), Lvl(english, 5)});  // 10
  AdvanceTo(20);
  ContactSpec c = ContactSpecFor(10, q);
  c.skills = {Lvl(english, 1)};
  AddContact(c);
  EXPECT_EQ(Holder(10), 2u);
}

TEST_F(MatchingTest, CompositeWeighsProficiencyIdleTimeAndSpareCapacity) {
  SkillId policy = Skill("policy");
  QueueConfig qc = QueueSpec("q", {Lvl(policy, 1)});
  qc.strategy = "composite";
  QueueId q = AddQueue(qc);
  AddAgent(1, {Lvl(policy, 3)});  // 0.3 + 1.0 (idle 300 s) + 1 = 2.3
  AdvanceTo(60);
  AddAgent(2, {Lvl(policy, 8)});  // 0.8 + 0.8 (idle 240 s) + 1 = 2.6
  AdvanceTo(300);
  AddAgent(3, {Lvl(policy, 10)});  // 1.0 + 0.0 + 1 = 2.0
  AddContact(10, q);
  EXPECT_EQ(Holder(10), 2u);
}

TEST_F(MatchingTest, CustomFunctionStrategyChoosesAndSeesTheContact) {
  SkillId policy = Skill("policy");
  SkillId english = Skill("english");
  std::vector<ContactView> seen;
  std::vector<std::vector<SkillRequirement>> seen_skills;
  CCENGINE_ASSERT_OK(engine_->RegisterStrategy(
      "highest_id", std::make_unique<FunctionStrategy>(
                        [&](const AgentView& a, const ContactView& c, Micros) {
                          seen.push_back(c);
                          seen_skills.emplace_back(c.skills.begin(), c.skills.end());
                          return static_cast<double>(a.id.value());
                        })));
  QueueConfig qc = QueueSpec("q", {Lvl(policy, 2)});
  qc.strategy = "highest_id";
  qc.priority = 1;
  QueueId q = AddQueue(qc);
  for (uint64_t a : {1, 7, 3}) AddAgent(a, {Lvl(policy, 5), Lvl(english, 5)});
  AddAgent(9, {Lvl(policy, 5)});  // not eligible: never scored
  AdvanceTo(10);
  ContactSpec c = ContactSpecFor(10, q, kChat, /*priority=*/2);
  c.skills = {Lvl(english, 3)};
  c.arrived_at = At(5);
  AddContact(c);
  EXPECT_EQ(Holder(10), 7u);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].id, C(10));
  EXPECT_EQ(seen[0].queue, q);
  EXPECT_EQ(seen[0].channel, kChat);
  EXPECT_EQ(seen[0].priority, 3);  // contact class + queue priority
  EXPECT_EQ(seen[0].arrived, ToMicros(At(5)));
  EXPECT_EQ(seen_skills[0],
            (std::vector<SkillRequirement>{Lvl(policy, 2), Lvl(english, 3)}));
}

// Spreads offers evenly: scores an agent by how few offers it has had.
class FewestOffersStrategy : public AgentStrategy {
 public:
  double Score(const AgentView& a, const ContactView&, Micros) override {
    return -static_cast<double>(offers_[a.id.value()]);
  }
  void OnOffered(const AgentView& a, const ContactView&, Micros) override {
    offers_[a.id.value()]++;
    log_.push_back(a.id.value());
  }
  std::map<uint64_t, int> offers_;
  std::vector<uint64_t> log_;
};

TEST_F(MatchingTest, StatefulStrategyIsToldOfEveryOfferItMade) {
  auto owned = std::make_unique<FewestOffersStrategy>();
  FewestOffersStrategy* strategy = owned.get();
  CCENGINE_ASSERT_OK(engine_->RegisterStrategy("spread", std::move(owned)));
  QueueId q = QueueWithStrategy("spread");
  AddAgent(1);  // idle the longest: would win every time under longest_idle
  AdvanceTo(1);
  AddAgent(2);
  AddAgent(3);
  for (uint64_t c = 10; c < 19; ++c) OfferAndAbandon(c, q);
  std::vector<uint64_t> offered;
  for (const auto& [contact, agent] : Offers()) offered.push_back(agent);
  EXPECT_EQ(strategy->log_, offered);
  EXPECT_EQ(offered, (std::vector<uint64_t>{1, 2, 3, 1, 2, 3, 1, 2, 3}));
}

// --- Contact → agent: skills, levels, relaxation ------------------------------

TEST_F(MatchingTest, ContactSkillsAndQueueSkillsAreBothRequired) {
  SkillId policy = Skill("policy");
  SkillId cantonese = Skill("cantonese");
  QueueId q = AddQueue("q", {Lvl(policy, 5)});
  AddAgent(1, {Lvl(policy, 9)});
  AddAgent(2, {Lvl(cantonese, 9)});
  AddAgent(3, {Lvl(policy, 5), Lvl(cantonese, 2)});
  AdvanceTo(10);
  AddAgent(4, {Lvl(policy, 5), Lvl(cantonese, 3)});
  AdvanceTo(20);
  ContactSpec c = ContactSpecFor(10, q);
  c.skills = {Lvl(cantonese, 3)};
  AddContact(c);
  EXPECT_EQ(Holder(10), 4u);
}

TEST_F(MatchingTest, AgentBelowTheRequiredLevelIsNeverOffered) {
  SkillId policy = Skill("policy");
  QueueId q = AddQueue("q", {Lvl(policy, 5)});
  AddAgent(1, {Lvl(policy, 4)});
  AddContact(10, q);
  AdvanceTo(3600);
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(1)));
  CCENGINE_ASSERT_OK(engine_->SetReady(A(1)));  // the agent-free direction
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  EXPECT_EQ(CountOf(EventType::kOffered), 0u);
  AddAgent(2, {Lvl(policy, 5)});
  EXPECT_EQ(Holder(10), 2u);
}

TEST_F(MatchingTest, LevelIndexesFollowAgentsAddedChangedAndRemoved) {
  SkillId yue = Skill("cantonese");
  QueueId q = AddQueue("q");
  AddAgent(1, {Lvl(yue, 6)});
  AddAgent(2, {Lvl(yue, 3)}, false);
  ContactSpec c = ContactSpecFor(10, q);
  c.skills = {Lvl(yue, 7)};  // a level no requirement used before
  AddContact(c);
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  CCENGINE_ASSERT_OK(engine_->SetAgentSkills(A(2), {Lvl(yue, 9)}));
  CCENGINE_ASSERT_OK(engine_->Login(A(2)));
  EXPECT_EQ(Holder(10), 2u);
  CCENGINE_ASSERT_OK(engine_->SetAgentSkills(A(1), {Lvl(yue, 5)}));
  c.id = C(11);
  c.skills = {Lvl(yue, 6)};
  AddContact(c);
  EXPECT_EQ(ContactStateOf(11), ContactState::kWaiting);  // 1 fell below 6
  CCENGINE_ASSERT_OK(engine_->Logout(A(1)));
  CCENGINE_ASSERT_OK(engine_->RemoveAgent(A(1)));
  AddAgent(3, {Lvl(yue, 2)});  // takes the freed slot
  EXPECT_EQ(ContactStateOf(11), ContactState::kWaiting);
  AddAgent(4, {Lvl(yue, 6)});
  EXPECT_EQ(Holder(11), 4u);
}

TEST_F(MatchingTest, RelaxationStepOffersToANowEligibleIdleAgentWhenItStarts) {
  SkillId policy = Skill("policy");
  QueueId q = PolicyQueue(policy);
  AddAgent(1, {Lvl(policy, 5)});
  AddContact(10, q);
  EXPECT_EQ(engine_->GetContact(C(10))->routing_step, 0);
  AdvanceTo(29.999);
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  AdvanceTo(45);
  auto relaxed = EventsOf(EventType::kRelaxed);
  ASSERT_EQ(relaxed.size(), 1u);
  EXPECT_EQ(relaxed[0].time, At(30));
  EXPECT_EQ(relaxed[0].step, 1);
  auto offers = EventsOf(EventType::kOffered);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].time, At(30));
  EXPECT_EQ(offers[0].agent, A(1));
  EXPECT_EQ(engine_->GetContact(C(10))->routing_step, 1);
}

TEST_F(MatchingTest, BackupSkillStepOpensLast) {
  SkillId policy = Skill("policy");
  SkillId backup = Skill("backup");
  QueueId q = PolicyQueue(policy, {{absl::Seconds(60), {Lvl(backup, 1)}}});
  AddAgent(1, {Lvl(backup, 3)});
  AddAgent(2, {Lvl(policy, 3)});  // meets no step
  AddContact(10, q);
  AdvanceTo(59);
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  EXPECT_EQ(engine_->GetContact(C(10))->routing_step, 1);
  AdvanceTo(60);
  auto relaxed = EventsOf(EventType::kRelaxed);
  ASSERT_EQ(relaxed.size(), 2u);
  EXPECT_EQ(relaxed[1].step, 2);
  EXPECT_EQ(Holder(10), 1u);
}

TEST_F(MatchingTest, ContactsOwnSkillsAreNeverRelaxed) {
  SkillId policy = Skill("policy");
  SkillId cantonese = Skill("cantonese");
  QueueId q = PolicyQueue(policy);
  AddAgent(1, {Lvl(policy, 9)});
  ContactSpec c = ContactSpecFor(10, q);
  c.skills = {Lvl(cantonese, 5)};
  AddContact(c);
  AdvanceTo(600);
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  AddAgent(2, {Lvl(policy, 5), Lvl(cantonese, 5)});
  EXPECT_EQ(Holder(10), 2u);
}

TEST_F(MatchingTest, UpdateQueueThatRelaxesRequirementsOffersWaitersAtOnce) {
  SkillId policy = Skill("policy");
  QueueId q = AddQueue("q", {Lvl(policy, 8)});
  AddAgent(1, {Lvl(policy, 5)});
  AddAgent(2, {Lvl(policy, 5)});
  AddContact(10, q);
  AddContact(11, q);
  AdvanceTo(5);
  QueueConfig lower = QueueSpec("q", {Lvl(policy, 8)});
  lower.relaxation = {{absl::Seconds(3), {Lvl(policy, 5)}}};  // reached
  CCENGINE_ASSERT_OK(engine_->UpdateQueue(q, lower));
  auto offers = EventsOf(EventType::kOffered);
  ASSERT_EQ(offers.size(), 2u);
  EXPECT_EQ(offers[0].time, At(5));
  EXPECT_EQ(offers[0].contact, C(10));  // best first
  EXPECT_EQ(engine_->GetContact(C(11))->routing_step, 1);
}

// --- Agent → contact -------------------------------------------------------------

TEST_F(MatchingTest, FreedAgentTakesTheHighestClassFirstThenTheOldest) {
  QueueId q = AddQueue("q");
  AddAgent(1, {}, false);
  AddContact(1, q, Channel::kVoice, 0);
  AdvanceTo(10);
  AddContact(2, q, Channel::kVoice, 1);
  AdvanceTo(20);
  AddContact(3, q, Channel::kVoice, 0);
  AdvanceTo(30);
  AddContact(4, q, Channel::kVoice, 1);
  AdvanceTo(40);
  CCENGINE_ASSERT_OK(engine_->Login(A(1)));
  std::vector<uint64_t> served;
  for (int i = 0; i < 4; ++i) {
    uint64_t c = EventsOf(EventType::kOffered).back().contact.value();
    served.push_back(c);
    Accept(1, c);
    Complete(1, c);
  }
  EXPECT_EQ(served, (std::vector<uint64_t>{2, 4, 1, 3}));
}

TEST_F(MatchingTest, AgingLetsALongWaitingContactGoBeforeAHigherClass) {
  EngineOptions o;
  o.priority_class_weight = absl::Seconds(60);
  Reset(o);
  QueueId q = AddQueue("q");
  AddAgent(1, {}, false);
  AddContact(1, q, Channel::kVoice, 0);  // t=0   score at 80 s: 80
  AdvanceTo(30);
  AddContact(4, q, Channel::kVoice, 0);  // t=30  50
  AdvanceTo(70);
  AddContact(2, q, Channel::kVoice, 1);  // t=70  10 + 60 = 70
  AdvanceTo(80);
  AddContact(3, q, Channel::kVoice, 1);  // t=80  0 + 60 = 60
  EXPECT_EQ(Position(1), 1);
  EXPECT_EQ(Position(2), 2);
  EXPECT_EQ(Position(3), 3);
  EXPECT_EQ(Position(4), 4);
  CCENGINE_ASSERT_OK(engine_->Login(A(1)));
  EXPECT_EQ(Holder(1), 1u);
}

TEST_F(MatchingTest, AgingWeightScalesWaitedTimeAcrossQueues) {
  QueueConfig slow = QueueSpec("slow");
  QueueConfig fast = QueueSpec("fast");
  fast.aging_weight = 2.0;
  QueueId y = AddQueue(slow);
  QueueId x = AddQueue(fast);
  AddContact(1, y);  // t=0
  AdvanceTo(0.5);
  AddContact(2, y);  // t=0.5
  AdvanceTo(30);
  AddContact(3, x);  // t=30, counts double
  AdvanceTo(50);
  AddAgent(1);  // 1: 50 > 3: 40
  EXPECT_EQ(Holder(1), 1u);
  Accept(1, 1);
  AdvanceTo(70);
  AddAgent(2);  // 2: 69.5 < 3: 80
  EXPECT_EQ(Holder(3), 2u);
}

TEST_F(MatchingTest, QueuePriorityRaisesTheClassOfItsContacts) {
  QueueId normal = AddQueue("normal");
  QueueConfig vip = QueueSpec("vip");
  vip.priority = 1;
  QueueId v = AddQueue(vip);
  AddContact(1, normal);
  AdvanceTo(10);
  AddContact(2, v);
  AdvanceTo(20);
  AddAgent(1);
  EXPECT_EQ(Holder(2), 1u);
}

TEST_F(MatchingTest, UpdateQueuePriorityKeepsWaitingContactsConsistent) {
  QueueId q = AddQueue("main");
  AddContact(10, q);
  QueueConfig config = QueueSpec("main");
  config.priority = 2;  // moves 10 into a higher effective class
  CCENGINE_ASSERT_OK(engine_->UpdateQueue(q, config));
  CCENGINE_EXPECT_OK(engine_->CheckInvariants());
  CCENGINE_ASSERT_OK(engine_->Abandon(C(10)));
  AddContact(11, q);  // reuses 10's slot
  AddAgent(1);
  Accept(1, 11);
  AddAgent(2, {}, false);
  AdvanceTo(5);
  AddContact(12, q);
  CCENGINE_ASSERT_OK(engine_->Login(A(2)));
  EXPECT_EQ(Holder(11), 1u);  // still in service with 1, never re-offered
  EXPECT_EQ(Holder(12), 2u);
}

TEST_F(MatchingTest, FreedAgentHonoursTheRelaxationSteps) {
  SkillId policy = Skill("policy");
  QueueId q = PolicyQueue(policy);
  AddAgent(1, {Lvl(policy, 5)}, false);
  AddContact(1, q);
  AdvanceTo(10);
  CCENGINE_ASSERT_OK(engine_->Login(A(1)));  // waited 10 s < 30 s
  EXPECT_EQ(ContactStateOf(1), ContactState::kWaiting);
  AdvanceTo(30);
  EXPECT_EQ(Holder(1), 1u);
  Accept(1, 1);
  AdvanceTo(31);
  AddContact(2, q);
  AdvanceTo(50);
  Complete(1, 1);  // 2 waited 19 s: not yet for a level-5 agent
  EXPECT_EQ(ContactStateOf(2), ContactState::kWaiting);
  EXPECT_EQ(StateOf(1), AgentState::kAvailable);
  AdvanceTo(61);
  EXPECT_EQ(Holder(2), 1u);
  Accept(1, 2);
  AdvanceTo(62);
  AddContact(3, q);
  AdvanceTo(100);
  Complete(1, 2);  // 3 waited 38 s: taken at once
  EXPECT_EQ(Holder(3), 1u);
  EXPECT_EQ(EventsOf(EventType::kOffered).back().time, At(100));
}

// --- Capacity: channels, exclusivity, load ---------------------------------

TEST_F(MatchingTest, ChatAgentTakesUpToThreeChatsOneOfferAtATime) {
  QueueId q = AddQueue("chat");
  AddAgent(ChatAgentSpec(1));
  for (uint64_t c = 10; c < 14; ++c) AddContact(c, q, kChat);
  EXPECT_EQ(Offers(), (std::vector<std::pair<uint64_t, uint64_t>>{{10, 1}}));
  Accept(1, 10);
  EXPECT_EQ(Holder(11), 1u);
  EXPECT_EQ(StateOf(1), AgentState::kBusy);
  Accept(1, 11);
  Accept(1, 12);
  EXPECT_EQ(ContactStateOf(13), ContactState::kWaiting);
  AgentSnapshot a = AgentNow(1);
  EXPECT_EQ(a.active_per_channel[1], 3);
  EXPECT_EQ(a.load, 99u);
  EXPECT_EQ(a.contacts.size(), 3u);
  Complete(1, 11);
  EXPECT_EQ(Holder(13), 1u);
}

TEST_F(MatchingTest, ExclusiveVoiceIsNotOfferedToAnAgentWithAnOpenChat) {
  QueueId q = AddQueue("any");
  AddAgent(1);  // default capacity: 1 exclusive voice, up to 3 chats
  AddContact(10, q, kChat);
  Accept(1, 10);
  AddContact(11, q, Channel::kVoice);
  EXPECT_EQ(ContactStateOf(11), ContactState::kWaiting);
  Complete(1, 10);
  EXPECT_EQ(Holder(11), 1u);
}

TEST_F(MatchingTest, ChatIsNotOfferedDuringVoice) {
  QueueId q = AddQueue("any");
  AddAgent(1);
  AddContact(10, q, Channel::kVoice);
  AddContact(11, q, kChat);
  EXPECT_EQ(ContactStateOf(11), ContactState::kWaiting);  // voice rings
  Accept(1, 10);
  EXPECT_EQ(ContactStateOf(11), ContactState::kWaiting);  // voice in service
  Complete(1, 10);
  EXPECT_EQ(Holder(11), 1u);
}

TEST_F(MatchingTest, LoadBudgetCapsContactsBelowTheChannelLimits) {
  QueueId q = AddQueue("any");
  AgentConfig a = AgentSpec(1);
  a.capacity.load_budget = 90;  // email 50 + chat 33 = 83; one more chat: 116
  a.capacity.max_per_channel = {0, 3, 2, 0, 0, 3, 2};  // no 100-unit channels
  AddAgent(a);
  AddContact(10, q, Channel::kEmail);
  Accept(1, 10);
  AddContact(11, q, kChat);
  Accept(1, 11);
  AddContact(12, q, kChat);
  EXPECT_EQ(ContactStateOf(12), ContactState::kWaiting);
  EXPECT_EQ(AgentNow(1).load, 83u);
  Complete(1, 10);
  EXPECT_EQ(Holder(12), 1u);
  EXPECT_EQ(AgentNow(1).load, 66u);
}

}  // namespace
}  // namespace ccengine
