// The random strategies' draws ("random", "weighted_random"): reproducible
// per seed, following the weights, and depending only on the pool — the same
// agent whatever the order agents became free, with explanations on, and in
// an engine restored from a saved state — on plain, relaxed and chat pools
// with exclusions, and whatever the largest weight is.

#include <cstddef>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ccengine/core/engine.h"
#include "gtest/gtest.h"

namespace ccengine {
namespace {

// Offers contacts `from` … `from + n - 1` of `queue` in turn, each abandoned
// at once; returns the agent each went to (0: none).
std::vector<uint64_t> OfferEach(Engine& engine, QueueId queue, uint64_t from, int n) {
  std::vector<uint64_t> got;
  for (uint64_t id = from; id < from + static_cast<uint64_t>(n); ++id) {
    ContactSpec c;
    c.id = ContactId{id};
    c.queue = queue;
    EXPECT_TRUE(engine.AddContact(c).ok());
    auto snap = engine.GetContact(c.id);
    got.push_back(snap.ok() && snap->agent ? snap->agent->value() : 0);
    EXPECT_TRUE(engine.Abandon(c.id).ok());
  }
  return got;
}

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
  std::vector<uint64_t> out = OfferEach(*engine, q, 0, draws);
  EXPECT_TRUE(engine->CheckInvariants().ok());
  return out;
}

TEST(RandomDrawTest, RandomIsReproduciblePerSeedAndReachesEveryAgent) {
  const std::vector<double> five(5, 1.0);
  std::vector<uint64_t> a = Draws("random", 7, 100, five);
  EXPECT_EQ(a, Draws("random", 7, 100, five));
  EXPECT_NE(a, Draws("random", 8, 100, five));
  std::map<uint64_t, int> count;
  for (uint64_t agent : a) count[agent]++;
  EXPECT_EQ(count.size(), 5u);
  EXPECT_EQ(count.count(0), 0u);
}

TEST(RandomDrawTest, WeightedRandomFollowsTheWeightsAndIsReproducible) {
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
    std::vector<uint64_t> got = OfferEach(*engine_, q_, from, n);
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

TEST(RandomDrawTest, RandomDrawsDependOnThePoolNotOnHowItFormed) {
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
TEST(RandomDrawTest, RandomDrawsAgreeOnRelaxedPoolsLoadedAgentsAndExclusions) {
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

TEST(RandomDrawTest, WeightedRandomHoldsWhenTheLargestWeightIsOutOfThePool) {
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
    return OfferEach(engine, QueueId{0}, from, n);
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

}  // namespace
}  // namespace ccengine
