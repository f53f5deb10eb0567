// Satisfaction routing under random traffic: explanations never change a
// decision (every built-in strategy, with and without them), and the
// invariants hold after every step of randomized runs with the satisfaction
// strategy, guards, exploration, explanations and bounded holds.

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ccengine/core/engine.h"
#include "gtest/gtest.h"

namespace ccengine {
namespace {

constexpr uint32_t kWithExplanations =
    kAllEvents | EventBit(EventType::kDecisionExplained);

ContactSpec Spec(uint64_t id, QueueId queue) {
  ContactSpec c;
  c.id = ContactId{id};
  c.queue = queue;
  return c;
}

// Explanations do not change decisions: the same run with and without them
// offers the same contacts to the same agents, for every built-in strategy.
TEST(ExplanationTest, DoesNotChangeAnyDecision) {
  for (const char* strategy :
       {"longest_idle", "least_occupied", "fewest_handled", "round_robin", "random",
        "weighted_random", "best_proficiency", "composite", "satisfaction"}) {
    std::vector<std::pair<uint64_t, uint64_t>> offers[2];
    for (int explain = 0; explain < 2; ++explain) {
      EngineOptions o;
      o.seed = 5;
      auto engine = Engine::Create(o).value();
      SkillId s = engine->AddSkill("s").value();
      QueueConfig q;
      q.name = "q";
      q.skills = {{s, 1}};
      q.strategy = strategy;
      QueueId queue = engine->AddQueue(q).value();
      auto& out = offers[explain];
      engine->Subscribe(
          [&](const Event& e) {
            if (e.type == EventType::kOffered) {
              out.emplace_back(e.contact.value(), e.agent.value());
            }
          },
          explain ? kWithExplanations : kAllEvents);
      std::mt19937_64 rng(9);
      for (uint64_t a = 1; a <= 12; ++a) {
        AgentConfig c;
        c.id = AgentId{a};
        c.skills = {{s, static_cast<uint8_t>(1 + a % 10)}};
        c.weight = 1.0 + static_cast<double>(a % 3);
        ASSERT_TRUE(engine->AddAgent(c).ok());
        ASSERT_TRUE(engine->Login(c.id).ok());
      }
      std::vector<std::pair<uint64_t, uint64_t>> serving;
      for (uint64_t id = 1; id <= 300; ++id) {
        ASSERT_TRUE(engine->AdvanceTo(engine->Now() + absl::Seconds(rng() % 20)).ok());
        ASSERT_TRUE(engine->AddContact(Spec(id, queue)).ok());
        auto snap = engine->GetContact(ContactId{id});
        if (snap.ok() && snap->agent.has_value()) {
          ASSERT_TRUE(engine->AcceptOffer(*snap->agent, ContactId{id}).ok());
          serving.emplace_back(snap->agent->value(), id);
        }
        while (!serving.empty() && rng() % 2 == 0) {
          size_t k = rng() % serving.size();
          auto [agent, contact] = serving[k];
          serving.erase(serving.begin() + static_cast<long>(k));
          ASSERT_TRUE(engine
                          ->CompleteContact(AgentId{agent}, ContactId{contact},
                                            {.csat = static_cast<int>(1 + rng() % 5)})
                          .ok());
        }
        // Accept whatever was offered meanwhile.
        for (uint64_t c = 1; c <= id; ++c) {
          auto s2 = engine->GetContact(ContactId{c});
          if (s2.ok() && s2->state == ContactState::kOffered) {
            ASSERT_TRUE(engine->AcceptOffer(*s2->agent, ContactId{c}).ok());
            serving.emplace_back(s2->agent->value(), c);
          }
        }
      }
      ASSERT_TRUE(engine->CheckInvariants().ok());
    }
    EXPECT_EQ(offers[0], offers[1]) << strategy;
    EXPECT_GT(offers[0].size(), 200u) << strategy;
  }
}

// --- Randomized -------------------------------------------------------------------

// Random operations on queues with the satisfaction strategy, guards and
// exploration, explanations on; after every step the invariants hold, the
// books balance, and every explanation names the agent of the offer that
// follows it.
TEST(SatisfactionRandomizedTest, InvariantsHoldAfterEveryStep) {
  for (uint64_t seed : {1u, 2u, 3u, 4u}) {
    SCOPED_TRACE(seed);
    std::mt19937_64 rng(seed);
    EngineOptions o;
    o.seed = seed;
    o.quality.half_life = absl::Hours(2);
    o.quality.prior_weight = 2;
    o.work_window = absl::Minutes(5);
    auto engine = Engine::Create(o).value();
    SkillId s = engine->AddSkill("s").value();
    SkillId t = engine->AddSkill("t").value();
    SatisfactionWeights hold;
    hold.max_hold = absl::Seconds(20);
    hold.hold_margin = 0.05;
    ASSERT_TRUE(
        engine->RegisterStrategy("hold", std::make_unique<SatisfactionStrategy>(hold))
            .ok());
    std::vector<QueueId> queues;
    for (int i = 0; i < 4; ++i) {
      QueueConfig q;
      q.name = "q" + std::to_string(i);
      q.skills = {{i == 2 ? t : s, 1}};
      q.name = "q" + std::to_string(i);
      q.strategy = i == 0   ? "satisfaction"
                   : i == 1 ? "composite"
                   : i == 2 ? "longest_idle"
                            : "hold";
      q.guards.occupancy_cap = i == 0 ? 0.8 : 1.0;
      q.guards.max_occupancy_spread = i == 1 ? 0.2 : 1.0;
      q.guards.exploration = i == 0 ? 0.1 : 0.0;
      q.offer_timeout = absl::Seconds(15);
      q.wrap_up = absl::Seconds(static_cast<int64_t>(i * 5));
      queues.push_back(engine->AddQueue(q).value());
    }
    std::vector<Event> explained;
    size_t checked = 0;
    engine->Subscribe(
        [&](const Event& e) {
          if (e.type == EventType::kDecisionExplained) {
            explained.push_back(e);
          } else if (e.type == EventType::kOffered && !explained.empty()) {
            // A hold's explanation names the awaited agent and is followed
            // by no offer for that contact; skip those.
            while (!explained.empty() && explained.back().contact != e.contact) {
              explained.pop_back();
            }
            ASSERT_FALSE(explained.empty());
            ASSERT_EQ(explained.back().agent, e.agent);
            ASSERT_EQ(explained.back().contact, e.contact);
            explained.clear();
            ++checked;
          }
        },
        kWithExplanations);
    for (uint64_t a = 1; a <= 10; ++a) {
      AgentConfig c;
      c.id = AgentId{a};
      c.skills = {{s, static_cast<uint8_t>(1 + rng() % 10)}};
      if (a % 3 == 0) c.skills.push_back({t, 4});
      ASSERT_TRUE(engine->AddAgent(c).ok());
    }
    uint64_t next_contact = 1;
    for (int step = 0; step < 4000; ++step) {
      AgentId agent{1 + rng() % 10};
      auto snap = engine->GetAgent(agent).value();
      switch (rng() % 11) {
        case 0: {
          ContactSpec c;
          c.id = ContactId{next_contact++};
          c.queue = queues[rng() % queues.size()];
          c.priority = static_cast<int>(rng() % 2);
          engine->AddContact(c).IgnoreError();
          break;
        }
        case 1:
        case 2:
          for (ContactId c : snap.contacts) {
            if (engine->AcceptOffer(agent, c).ok()) break;
          }
          break;
        case 3:
        case 4:
        case 5:
          for (ContactId c : snap.contacts) {
            ContactOutcome out;
            if (rng() % 3 != 0)
              out.csat = static_cast<int>(1 + (agent.value() + rng() % 2) % 5);
            out.resolved = (agent.value() + rng()) % 4 != 0;
            if (engine->CompleteContact(agent, c, out).ok()) break;
          }
          break;
        case 6:
          for (ContactId c : snap.contacts) {
            if (engine->RejectOffer(agent, c).ok()) break;
          }
          break;
        case 7:
          if (snap.state == AgentState::kLoggedOut) {
            engine->Login(agent).IgnoreError();
          } else if (rng() % 4 == 0) {
            engine->Logout(agent).IgnoreError();
          } else {
            (rng() % 2 ? engine->SetNotReady(agent) : engine->SetReady(agent))
                .IgnoreError();
          }
          break;
        case 8: engine->Abandon(ContactId{1 + rng() % next_contact}).IgnoreError(); break;
        default:
          ASSERT_TRUE(engine->AdvanceTo(engine->Now() + absl::Seconds(rng() % 30)).ok());
          break;
      }
      absl::Status st = engine->CheckInvariants();
      ASSERT_TRUE(st.ok()) << "step " << step << ": " << st;
      ASSERT_TRUE(engine->GetAccounting().Balanced());
    }
    EXPECT_GT(checked, 300u);
  }
}

// Holds for better agents under random traffic: six agents of known and
// different quality, a queue that may wait 20 s for a clearly better one.
// After every step the invariants hold (a contact waits while a free agent
// could take it only inside its hold), and no contact is offered later than
// 20 s after entering the queue while an eligible agent was free throughout.
TEST(HoldRandomizedTest, HoldsStayWithinTheirBound) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    std::mt19937_64 rng(seed);
    EngineOptions o;
    o.quality.half_life = absl::InfiniteDuration();
    o.quality.prior_weight = 2;
    auto engine = Engine::Create(o).value();
    SkillId s = engine->AddSkill("s").value();
    SatisfactionWeights w;
    w.max_hold = absl::Seconds(20);
    ASSERT_TRUE(
        engine->RegisterStrategy("hold", std::make_unique<SatisfactionStrategy>(w)).ok());
    QueueConfig q;
    q.name = "q";
    q.skills = {{s, 1}};
    q.strategy = "hold";
    q.offer_timeout = absl::InfiniteDuration();
    QueueId queue = engine->AddQueue(q).value();
    size_t holds = 0;
    engine->Subscribe(
        [&](const Event& e) {
          if (e.explanation->rule.find("; hold:") != std::string::npos) ++holds;
        },
        EventBit(EventType::kDecisionExplained));
    for (uint64_t a = 1; a <= 6; ++a) {
      AgentConfig c;
      c.id = AgentId{a};
      c.skills = {{s, 5}};
      ASSERT_TRUE(engine->AddAgent(c).ok());
      ASSERT_TRUE(engine->Login(c.id).ok());
    }
    uint64_t next = 1;
    for (int step = 0; step < 3000; ++step) {
      uint64_t r = rng() % 8;  // about half the agents busy
      if (r == 0) {
        engine->AddContact(Spec(next++, queue)).IgnoreError();
      } else if (r <= 4) {
        AgentId agent{1 + rng() % 6};
        const AgentSnapshot snap_agent = engine->GetAgent(agent).value();
        for (ContactId c : snap_agent.contacts) {
          auto snap = engine->GetContact(c).value();
          if (snap.state == ContactState::kOffered) {
            ASSERT_TRUE(engine->AcceptOffer(agent, c).ok());
          } else {
            // Agent a's customers rate it a (1..5); even agents resolve.
            ContactOutcome out{.csat = static_cast<int>(1 + (agent.value() - 1) % 5),
                               .resolved = agent.value() % 2 == 0};
            ASSERT_TRUE(engine->CompleteContact(agent, c, out).ok());
          }
          break;
        }
      } else {
        ASSERT_TRUE(engine
                        ->AdvanceTo(engine->Now() +
                                    absl::Seconds(1 + static_cast<int64_t>(rng() % 8)))
                        .ok());
      }
      absl::Status st = engine->CheckInvariants();
      ASSERT_TRUE(st.ok()) << "step " << step << ": " << st;
      ASSERT_TRUE(engine->GetAccounting().Balanced());
    }
    EXPECT_GT(holds, 10u);
  }
}

}  // namespace
}  // namespace ccengine
