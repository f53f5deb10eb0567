// Satisfaction-weighted routing: outcomes, learned quality estimates (shrunk
// toward the skill's mean, decaying with age), the "satisfaction" strategy,
// the fairness and well-being guards, and explanation records — each rule
// checked in a scenario small enough to compute by hand, then all of them
// mixed in a randomized run with the invariants checked after every step.

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ccengine/core/engine.h"
#include "gtest/gtest.h"
#include "testing/engine_fixture.h"

namespace ccengine {
namespace {

using test::A;
using test::C;
using test::Lvl;

constexpr uint32_t kWithExplanations =
    kAllEvents | EventBit(EventType::kDecisionExplained);

class SatisfactionTest : public test::EngineFixture {
 protected:
  void SetUp() override {
    EngineOptions o;
    o.quality.half_life = absl::InfiniteDuration();
    Reset(o);
    policy_ = Skill("policy");
  }
  QueueId Queue(const std::string& name, const std::string& strategy,
                FairnessGuards guards = {}) {
    QueueConfig q = QueueSpec(name, {{policy_, 1}});
    q.strategy = strategy;
    q.guards = guards;
    q.offer_timeout = absl::InfiniteDuration();
    return AddQueue(q);
  }
  // `agent` serves `n` contacts of `queue` at once (zero handle time, so no
  // busy time) with the given outcome, while every other agent in `others`
  // is not ready.
  void Teach(uint64_t agent, const std::vector<uint64_t>& others, QueueId queue, int n,
             ContactOutcome outcome) {
    for (uint64_t o : others) CCENGINE_ASSERT_OK(engine_->SetNotReady(A(o)));
    for (int i = 0; i < n; ++i) {
      uint64_t id = next_contact_++;
      AddContact(id, queue);
      ASSERT_EQ(Holder(id), agent);
      Accept(agent, id);
      CCENGINE_ASSERT_OK(engine_->CompleteContact(A(agent), C(id), outcome));
    }
    for (uint64_t o : others) CCENGINE_ASSERT_OK(engine_->SetReady(A(o)));
  }
  // Agent 1 is poor (CSAT 1, unresolved), agent 2 excellent (CSAT 5,
  // resolved), both taught 10 contacts; then agent 2 serves one more, so
  // agent 1 has been idle the longest when the test starts at t = 600 s.
  void TwoAgentsOfDifferentQuality(QueueId train) {
    AddAgent(1, {Lvl(policy_, 5)});
    AddAgent(2, {Lvl(policy_, 5)});
    Teach(1, {2}, train, 10, {.csat = 1, .resolved = false});
    Teach(2, {1}, train, 10, {.csat = 5, .resolved = true});
    AdvanceTo(300);
    Teach(2, {1}, train, 1, {});
    AdvanceTo(600);
  }
  void RecordExplanations() {
    engine_->Subscribe([this](const Event& e) { explained_.push_back(e); },
                       EventBit(EventType::kDecisionExplained));
  }

  SkillId policy_;
  uint64_t next_contact_ = 1000;
  std::vector<Event> explained_;
};

// --- Outcomes and estimates ----------------------------------------------------

TEST_F(SatisfactionTest, CompletionRejectsAnOutOfRangeCsatAndChangesNothing) {
  QueueId q = Queue("q", "longest_idle");
  AddAgent(1, {Lvl(policy_, 5)});
  AddContact(1, q);
  Accept(1, 1);
  auto before = Freeze();
  auto quality_before = engine_->GetQuality(A(1), policy_).value();
  CCENGINE_EXPECT_CODE(engine_->CompleteContact(A(1), C(1), {.csat = 0}),
                       kInvalidArgument);
  CCENGINE_EXPECT_CODE(
      engine_->CompleteContact(A(1), C(1), {.csat = 6, .resolved = true}),
      kInvalidArgument);
  ExpectUnchanged(before);
  EXPECT_EQ(engine_->GetQuality(A(1), policy_)->csat, quality_before.csat);
  EXPECT_EQ(engine_->GetQuality(A(1), policy_)->fcr_weight, 0);
  CCENGINE_EXPECT_CODE(engine_->GetQuality(A(9), policy_), kNotFound);
  CCENGINE_EXPECT_CODE(engine_->GetQuality(A(1), SkillId{7}), kNotFound);
  CCENGINE_EXPECT_OK(engine_->CompleteContact(A(1), C(1), {.csat = 4}));
}

TEST_F(SatisfactionTest, EstimatesAreShrunkTowardTheSkillMean) {
  QueueId q = Queue("q", "longest_idle");
  AddAgent(1, {Lvl(policy_, 5)});
  AddAgent(2, {Lvl(policy_, 5)});
  // No sample yet: the defaults.
  EXPECT_DOUBLE_EQ(engine_->GetQuality(A(1), policy_)->csat, 3.5);
  EXPECT_DOUBLE_EQ(engine_->GetQuality(A(1), policy_)->fcr, 0.7);
  Teach(1, {2}, q, 10, {.csat = 5, .resolved = true});
  // k = 10 pseudo-samples. Skill mean: (10·5 + 10·3.5) / 20 = 4.25, FCR
  // (10 + 7) / 20 = 0.85. Agent 1: (10·5 + 10·4.25) / 20 = 4.625, FCR
  // (10 + 8.5) / 20 = 0.925. Agent 2 has no sample: the skill mean.
  QualityEstimate a1 = engine_->GetQuality(A(1), policy_).value();
  QualityEstimate a2 = engine_->GetQuality(A(2), policy_).value();
  EXPECT_DOUBLE_EQ(a1.csat, 4.625);
  EXPECT_DOUBLE_EQ(a1.fcr, 0.925);
  EXPECT_DOUBLE_EQ(a1.csat_weight, 10);
  EXPECT_DOUBLE_EQ(a2.csat, 4.25);
  EXPECT_DOUBLE_EQ(a2.fcr, 0.85);
  EXPECT_DOUBLE_EQ(a2.csat_weight, 0);
  // A completion without a survey answer changes nothing but FCR.
  Teach(2, {1}, q, 1, {.resolved = false});
  EXPECT_DOUBLE_EQ(engine_->GetQuality(A(2), policy_)->csat, 4.25);
  EXPECT_DOUBLE_EQ(engine_->GetQuality(A(2), policy_)->fcr_weight, 1);
}

TEST_F(SatisfactionTest, OldSamplesWeighLess) {
  EngineOptions o;
  o.quality.half_life = absl::Hours(1);
  Reset(o);
  policy_ = Skill("policy");
  QueueId q = Queue("q", "longest_idle");
  AddAgent(1, {Lvl(policy_, 5)});
  Teach(1, {}, q, 10, {.csat = 5});
  EXPECT_DOUBLE_EQ(engine_->GetQuality(A(1), policy_)->csat, 4.625);
  AdvanceTo(3600);
  // Weight 10 → 5: skill mean (25 + 35) / 15 = 4, agent (25 + 40) / 15.
  QualityEstimate e = engine_->GetQuality(A(1), policy_).value();
  EXPECT_NEAR(e.csat_weight, 5, 1e-9);
  EXPECT_NEAR(e.csat, 65.0 / 15.0, 1e-9);
  AdvanceTo(100 * 3600.0);  // long forgotten: back to the default
  EXPECT_NEAR(engine_->GetQuality(A(1), policy_)->csat, 3.5, 1e-6);
}

TEST_F(SatisfactionTest, OutcomesCountOnTheQueueSkillsAndTheContactsOwn) {
  SkillId english = Skill("english");
  QueueId q = Queue("q", "longest_idle");
  AddAgent(1, {Lvl(policy_, 5), Lvl(english, 5)});
  ContactSpec c = ContactSpecFor(1, q);
  c.skills = {{english, 3}};
  AddContact(c);
  Accept(1, 1);
  CCENGINE_ASSERT_OK(engine_->CompleteContact(A(1), C(1), {.csat = 5}));
  EXPECT_DOUBLE_EQ(engine_->GetQuality(A(1), policy_)->csat_weight, 1);
  EXPECT_DOUBLE_EQ(engine_->GetQuality(A(1), english)->csat_weight, 1);
}

// --- The satisfaction strategy --------------------------------------------------

TEST_F(SatisfactionTest, PrefersTheBetterAgentWhileEnoughAreFree) {
  QueueId train = Queue("train", "longest_idle");
  QueueId li = Queue("li", "longest_idle");
  QueueId sat = Queue("sat", "satisfaction");
  TwoAgentsOfDifferentQuality(train);
  AddContact(1, li);
  EXPECT_EQ(Holder(1), 1u);                              // agent 1 has been idle longer
  CCENGINE_ASSERT_OK(engine_->RejectOffer(A(1), C(1)));  // → agent 2
  CCENGINE_ASSERT_OK(engine_->Withdraw(C(1)));
  AddContact(2, sat);
  EXPECT_EQ(Holder(2), 2u);  // quality wins over idle time
}

TEST_F(SatisfactionTest, QualityIsOffWithTooFewFreeAgents) {
  SatisfactionWeights w;
  w.min_idle_for_quality = 3;
  CCENGINE_ASSERT_OK(SatisfactionStrategy::Validate(w));
  CCENGINE_ASSERT_OK(
      engine_->RegisterStrategy("sat3", std::make_unique<SatisfactionStrategy>(w)));
  QueueId train = Queue("train", "longest_idle");
  QueueId sat = Queue("sat3", "sat3");
  TwoAgentsOfDifferentQuality(train);
  RecordExplanations();
  AddContact(1, sat);
  EXPECT_EQ(Holder(1), 1u);  // two free < 3: idle time decides
  ASSERT_EQ(explained_.size(), 1u);
  EXPECT_NE(explained_[0].explanation->rule.find("quality off"), std::string::npos)
      << explained_[0].explanation->rule;
}

TEST_F(SatisfactionTest, NeverHoldsAContactForABetterAgent) {
  QueueId train = Queue("train", "longest_idle");
  QueueId sat = Queue("sat", "satisfaction");
  TwoAgentsOfDifferentQuality(train);
  AddContact(1, sat);
  ASSERT_EQ(Holder(1), 2u);
  Accept(2, 1);
  AddContact(2, sat);  // only the poor agent is free: it gets it at once
  EXPECT_EQ(Holder(2), 1u);
}

TEST_F(SatisfactionTest, QualityFadesAsTheContactWaits) {
  SatisfactionWeights w;
  w.quality_fade = absl::Seconds(60);
  CCENGINE_ASSERT_OK(
      engine_->RegisterStrategy("fast_fade", std::make_unique<SatisfactionStrategy>(w)));
  QueueId train = Queue("train", "longest_idle");
  QueueId sat = Queue("sat", "fast_fade");
  TwoAgentsOfDifferentQuality(train);
  AddAgent(3, {Lvl(policy_, 5)});
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(1)));
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(2)));
  RecordExplanations();
  AddContact(1, sat);
  ASSERT_EQ(Holder(1), 3u);  // the only free agent
  AdvanceTo(700);
  CCENGINE_ASSERT_OK(engine_->SetReady(A(1)));
  CCENGINE_ASSERT_OK(engine_->SetReady(A(2)));
  // Back in line after 100 s > quality_fade: placed between agents 1 and 2
  // with no quality term at all.
  CCENGINE_ASSERT_OK(engine_->RejectOffer(A(3), C(1)));
  ASSERT_EQ(explained_.size(), 2u);
  EXPECT_NE(explained_[0].explanation->rule.find("quality off"), std::string::npos);
  int ranked = 0;
  for (const ExplainedCandidate& c : explained_[1].explanation->candidates) {
    if (c.verdict == "excluded") continue;
    ++ranked;
    ASSERT_EQ(std::string(c.terms[2].name), "quality");
    EXPECT_EQ(c.terms[2].value, 0.0);
  }
  EXPECT_EQ(ranked, 2);
}

// --- Waiting for a better agent, bounded -----------------------------------------

class HoldTest : public SatisfactionTest {
 protected:
  // Queue "hold" uses a satisfaction strategy that may wait up to 30 s for
  // a clearly better agent; agent 2 (excellent) is busy with contact 1.
  QueueId Prepare() {
    SatisfactionWeights w;
    w.max_hold = absl::Seconds(30);
    CCENGINE_EXPECT_OK(SatisfactionStrategy::Validate(w));
    CCENGINE_EXPECT_OK(
        engine_->RegisterStrategy("hold30", std::make_unique<SatisfactionStrategy>(w)));
    QueueId train = Queue("train", "longest_idle");
    QueueId hold = Queue("hold", "hold30");
    TwoAgentsOfDifferentQuality(train);
    CCENGINE_EXPECT_OK(engine_->SetNotReady(A(1)));
    AddContact(1, train);
    Accept(2, 1);
    CCENGINE_EXPECT_OK(engine_->SetReady(A(1)));
    return hold;
  }
};

TEST_F(HoldTest, WaitsForTheBetterAgentWhoFreesUpInTime) {
  QueueId hold = Prepare();
  RecordExplanations();
  AddContact(2, hold);  // only the poor agent is free: wait for agent 2
  EXPECT_EQ(ContactStateOf(2), ContactState::kWaiting);
  ASSERT_EQ(explained_.size(), 1u);
  EXPECT_NE(
      explained_[0].explanation->rule.find("hold: waits until 30s in queue for agent 2"),
      std::string::npos)
      << explained_[0].explanation->rule;
  EXPECT_EQ(explained_[0].explanation->candidates[0].verdict, "held");
  CCENGINE_ASSERT_OK(engine_->CheckInvariants());  // the hold is not a violation
  AdvanceTo(610);
  CCENGINE_ASSERT_OK(engine_->CompleteContact(A(2), C(1)));
  EXPECT_EQ(Holder(2), 2u);  // the better agent took it after 10 s
}

TEST_F(HoldTest, NeverWaitsLongerThanTheBound) {
  QueueId hold = Prepare();
  AddContact(2, hold);
  AdvanceTo(629);
  EXPECT_EQ(ContactStateOf(2), ContactState::kWaiting);
  AdvanceTo(630);  // 30 s in queue: the best free agent gets it
  EXPECT_EQ(Holder(2), 1u);
  Accept(1, 2);
  // A contact that already waited (e.g. back from a reject) is not held.
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(1)));
  AddContact(3, hold);
  AddAgent(3, {Lvl(policy_, 5)});  // frees up: takes the contact in line
  EXPECT_EQ(Holder(3), 3u);
}

TEST_F(HoldTest, DoesNotWaitForANotReadyOrOnlySlightlyBetterAgent) {
  QueueId hold = Prepare();
  CCENGINE_ASSERT_OK(engine_->CompleteContact(A(2), C(1)));
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(2)));
  AddContact(2, hold);
  EXPECT_EQ(Holder(2), 1u);  // agent 2 is not ready: no hold
  SatisfactionWeights w;
  w.max_hold = absl::Seconds(30);
  w.hold_margin = 0.9;
  CCENGINE_ASSERT_OK(
      engine_->RegisterStrategy("hold_wide", std::make_unique<SatisfactionStrategy>(w)));
  QueueId wide = Queue("wide", "hold_wide");
  CCENGINE_ASSERT_OK(engine_->SetReady(A(2)));
  Accept(1, 2);
  AddContact(3, wide);
  ASSERT_EQ(Holder(3), 2u);
  Accept(2, 3);
  AddAgent(4, {Lvl(policy_, 5)});
  AddContact(4, wide);
  EXPECT_EQ(Holder(4), 4u);  // nobody is 0.9 better: no hold
}

TEST(HoldValidationTest, BoundsAreChecked) {
  SatisfactionWeights w;
  w.max_hold = absl::Hours(2);
  CCENGINE_EXPECT_CODE(SatisfactionStrategy::Validate(w), kInvalidArgument);
  w.max_hold = -absl::Seconds(1);
  CCENGINE_EXPECT_CODE(SatisfactionStrategy::Validate(w), kInvalidArgument);
  w = {};
  w.hold_margin = 1.5;
  CCENGINE_EXPECT_CODE(SatisfactionStrategy::Validate(w), kInvalidArgument);
}

// --- Guards ---------------------------------------------------------------------

class GuardTest : public SatisfactionTest {
 protected:
  // Agent 2 (excellent, level 5) works 1200 s of the 1800 s window; agent 1
  // (poor, at `poor_level`) is idle. Returns the queue to route in.
  QueueId BusyGoodAgent(FairnessGuards guards, int poor_level = 5) {
    QueueId train = Queue("train", "longest_idle");
    QueueId sat = Queue("sat", "satisfaction", guards);
    AddAgent(1, {Lvl(policy_, poor_level)});
    AddAgent(2, {Lvl(policy_, 5)});
    Teach(1, {2}, train, 10, {.csat = 1, .resolved = false});
    Teach(2, {1}, train, 10, {.csat = 5, .resolved = true});
    CCENGINE_EXPECT_OK(engine_->SetNotReady(A(1)));
    AddContact(1, train);
    Accept(2, 1);
    AdvanceTo(1200);
    CCENGINE_EXPECT_OK(engine_->CompleteContact(A(2), C(1)));
    CCENGINE_EXPECT_OK(engine_->SetReady(A(1)));
    AdvanceTo(1800);
    return sat;
  }
};

TEST_F(GuardTest, WithoutGuardsTheBusyGoodAgentStillWins) {
  QueueId sat = BusyGoodAgent({});
  AddContact(2, sat);
  EXPECT_EQ(Holder(2), 2u);
  EXPECT_NEAR(engine_->GetWindowOccupancy(A(2)).value(), 1200.0 / 1800.0, 0.07);
}

TEST_F(GuardTest, OccupancyCapPassesTheBusyAgentOver) {
  QueueId sat = BusyGoodAgent({.occupancy_cap = 0.5});
  RecordExplanations();
  AddContact(2, sat);
  EXPECT_EQ(Holder(2), 1u);
  ASSERT_EQ(explained_.size(), 1u);
  const Explanation& ex = *explained_[0].explanation;
  bool capped = false;
  for (const ExplainedCandidate& c : ex.candidates) {
    if (c.agent == A(2)) capped = c.verdict == "occupancy_cap";
  }
  EXPECT_TRUE(capped);
  EXPECT_NE(ex.rule.find("occupancy cap"), std::string::npos) << ex.rule;
  // When every free agent is over the cap, the contact is still served.
  Accept(1, 2);
  AddContact(3, sat);
  EXPECT_EQ(Holder(3), 2u);
}

TEST_F(GuardTest, SpreadGuardKeepsEqualsClose) {
  QueueId sat = BusyGoodAgent({.max_occupancy_spread = 0.3});
  AddContact(2, sat);
  EXPECT_EQ(Holder(2), 1u);  // 0.67 > 0 + 0.3
}

TEST_F(GuardTest, SpreadGuardComparesOnlyEquallySkilledAgents) {
  QueueId sat = BusyGoodAgent({.max_occupancy_spread = 0.3}, /*poor_level=*/3);
  RecordExplanations();
  AddContact(2, sat);
  ASSERT_EQ(explained_.size(), 1u);
  // Agent 2 (occupancy 0.67) has no peer at its level: no guard fires, it is
  // scored (and loses on the occupancy term, not by the guard).
  int scored = 0;
  for (const ExplainedCandidate& c : explained_[0].explanation->candidates) {
    EXPECT_TRUE(c.verdict == "chosen" || c.verdict == "ranked") << c.verdict;
    ++scored;
  }
  EXPECT_EQ(scored, 2);
  EXPECT_EQ(explained_[0].explanation->rule.find("spread"), std::string::npos);
}

TEST_F(SatisfactionTest, ExplorationSendsSomeTrafficToEveryAgentReproducibly) {
  auto run = [&](uint64_t seed) {
    EngineOptions o;
    o.seed = seed;
    Reset(o);
    policy_ = Skill("policy");
    QueueId train = Queue("train", "longest_idle");
    QueueId sat = Queue("sat", "satisfaction", {.exploration = 0.3});
    AddAgent(1, {Lvl(policy_, 5)});
    AddAgent(2, {Lvl(policy_, 5)});
    Teach(1, {2}, train, 10, {.csat = 1, .resolved = false});
    Teach(2, {1}, train, 10, {.csat = 5, .resolved = true});
    std::vector<uint64_t> chosen;
    for (int i = 0; i < 400; ++i) {
      uint64_t id = 5000 + i;
      AddContact(id, sat);
      uint64_t agent = Holder(id).value_or(0);
      chosen.push_back(agent);
      Accept(agent, id);
      CCENGINE_EXPECT_OK(engine_->CompleteContact(A(agent), C(id)));
    }
    return chosen;
  };
  std::vector<uint64_t> first = run(11);
  int poor = static_cast<int>(std::count(first.begin(), first.end(), 1u));
  // Exploration picks uniformly 30% of the time: the poor agent gets about
  // 15%; without it, none (quality always wins with both free).
  EXPECT_GT(poor, 30);
  EXPECT_LT(poor, 95);
  EXPECT_EQ(run(11), first);
  EXPECT_NE(run(12), first);
}

TEST_F(SatisfactionTest, BadGuardsAndWeightsAreRefusedWithoutChange) {
  QueueId q = Queue("q", "satisfaction");
  auto before = Freeze();
  for (FairnessGuards g :
       {FairnessGuards{.occupancy_cap = 0}, FairnessGuards{.occupancy_cap = 1.5},
        FairnessGuards{.max_occupancy_spread = -0.1}, FairnessGuards{.exploration = 1.0},
        FairnessGuards{.exploration = std::nan("")}}) {
    QueueConfig c = QueueSpec("bad", {{policy_, 1}});
    c.guards = g;
    CCENGINE_EXPECT_CODE(engine_->AddQueue(c), kInvalidArgument);
    QueueConfig u = engine_->GetQueueConfig(q).value();
    u.guards = g;
    CCENGINE_EXPECT_CODE(engine_->UpdateQueue(q, u), kInvalidArgument);
  }
  ExpectUnchanged(before);
  SatisfactionWeights w;
  w.quality = -1;
  CCENGINE_EXPECT_CODE(SatisfactionStrategy::Validate(w), kInvalidArgument);
  w = {};
  w.min_idle_for_quality = 0;
  CCENGINE_EXPECT_CODE(SatisfactionStrategy::Validate(w), kInvalidArgument);
  w = {};
  w.occupancy_target = 1.2;
  CCENGINE_EXPECT_CODE(SatisfactionStrategy::Validate(w), kInvalidArgument);
  EngineOptions o;
  o.quality.prior_weight = -1;
  CCENGINE_EXPECT_CODE(Engine::Create(o), kInvalidArgument);
  o = {};
  o.quality.default_csat = 6;
  CCENGINE_EXPECT_CODE(Engine::Create(o), kInvalidArgument);
  o = {};
  o.quality.half_life = absl::ZeroDuration();
  CCENGINE_EXPECT_CODE(Engine::Create(o), kInvalidArgument);
  o = {};
  o.work_window = absl::Seconds(1);
  CCENGINE_EXPECT_CODE(Engine::Create(o), kInvalidArgument);
}

// --- Explanation records --------------------------------------------------------

TEST_F(SatisfactionTest, ExplainsAContactArrivingWithEveryCandidatesTerms) {
  QueueId train = Queue("train", "longest_idle");
  QueueId sat = Queue("sat", "satisfaction");
  TwoAgentsOfDifferentQuality(train);
  AddAgent(3, {Lvl(policy_, 5)});
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(3)));  // not free: not a candidate
  RecordExplanations();
  // Agent 2 rejects first: it is excluded from then on.
  AddContact(1, sat);
  ASSERT_EQ(Holder(1), 2u);
  CCENGINE_ASSERT_OK(engine_->RejectOffer(A(2), C(1)));
  ASSERT_EQ(Holder(1), 1u);
  ASSERT_EQ(explained_.size(), 2u);

  const Explanation& first = *explained_[0].explanation;
  EXPECT_EQ(first.direction, Explanation::Direction::kContactArrived);
  EXPECT_EQ(first.contact, C(1));
  EXPECT_EQ(first.agent, A(2));
  EXPECT_EQ(first.queue, sat);
  EXPECT_EQ(first.strategy, "satisfaction");
  EXPECT_NE(first.rule.find("quality orders agents (2 eligible free >= 2)"),
            std::string::npos)
      << first.rule;
  ASSERT_EQ(first.candidates.size(), 2u);
  double chosen_score = 0, other_score = 0;
  for (const ExplainedCandidate& c : first.candidates) {
    std::vector<std::string> names;
    double sum = 0;
    for (const ScoreTerm& t : c.terms) {
      names.emplace_back(t.name);
      if (names.back() == "quality" || names.back() == "proficiency" ||
          names.back() == "idle" || names.back() == "occupancy") {
        sum += t.value;
      }
    }
    EXPECT_EQ(names, (std::vector<std::string>{"csat", "fcr", "quality", "proficiency",
                                               "idle", "occupancy", "score"}));
    EXPECT_NEAR(sum, c.score, 1e-12);  // the terms add up to the score
    if (c.agent == A(2)) {
      EXPECT_EQ(c.verdict, "chosen");
      chosen_score = c.score;
    } else {
      EXPECT_EQ(c.verdict, "ranked");
      other_score = c.score;
    }
  }
  EXPECT_GT(chosen_score, other_score);
  const Explanation& second = *explained_[1].explanation;
  EXPECT_EQ(second.agent, A(1));
  bool excluded = false;
  for (const ExplainedCandidate& c : second.candidates) {
    if (c.agent == A(2)) excluded = c.verdict == "excluded";
  }
  EXPECT_TRUE(excluded);
  EXPECT_NE(DescribeEvent(explained_[1]).find("candidates=2"), std::string::npos);
}

TEST_F(SatisfactionTest, ExplanationPrecedesTheOfferItExplains) {
  QueueId q = Queue("q", "longest_idle");
  AddAgent(1, {Lvl(policy_, 5)});
  std::vector<EventType> order;
  engine_->Subscribe([&](const Event& e) { order.push_back(e.type); },
                     EventBit(EventType::kDecisionExplained) |
                         EventBit(EventType::kOffered));
  AddContact(1, q);
  EXPECT_EQ(order,
            (std::vector<EventType>{EventType::kDecisionExplained, EventType::kOffered}));
  // The fixture's default subscription never sees explanations.
  EXPECT_EQ(CountOf(EventType::kDecisionExplained), 0u);
}

TEST_F(SatisfactionTest, ExplainsAnAgentFreedUpAcrossQueues) {
  QueueId low = Queue("low", "longest_idle");
  QueueConfig vip = QueueSpec("vip", {{policy_, 1}});
  vip.priority = 1;
  QueueId high = AddQueue(vip);
  AddAgent(1, {Lvl(policy_, 5)}, /*login=*/false);
  AddContact(1, low);
  AdvanceTo(30);
  AddContact(2, high);
  RecordExplanations();
  CCENGINE_ASSERT_OK(engine_->Login(A(1)));
  ASSERT_EQ(Holder(2), 1u);  // class 1 beats 30 s of waiting
  ASSERT_EQ(explained_.size(), 1u);
  const Explanation& ex = *explained_[0].explanation;
  EXPECT_EQ(ex.direction, Explanation::Direction::kAgentFreed);
  EXPECT_EQ(ex.agent, A(1));
  EXPECT_EQ(ex.contact, C(2));
  ASSERT_EQ(ex.candidates.size(), 2u);
  for (const ExplainedCandidate& c : ex.candidates) {
    EXPECT_EQ(c.verdict, c.contact == C(2) ? "chosen" : "ranked");
    EXPECT_EQ(std::string(c.terms[0].name), "waited_s");
    if (c.contact == C(1)) {
      EXPECT_DOUBLE_EQ(c.terms[0].value, 30);
      EXPECT_DOUBLE_EQ(c.score, 30);
    } else {
      EXPECT_DOUBLE_EQ(c.score, 600);  // class 1 × 10 min
    }
  }
}

TEST_F(SatisfactionTest, ExplainsADecisionAmongPreferredAgents) {
  QueueId train = Queue("train", "longest_idle");
  QueueId sat = Queue("sat", "satisfaction");
  TwoAgentsOfDifferentQuality(train);
  AddAgent(3, {Lvl(policy_, 5)});
  AddAgent(4, {Lvl(policy_, 5)});
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(4)));
  RecordExplanations();
  ContactSpec c = ContactSpecFor(1, sat);
  c.preferred_agents = {A(1), A(2), A(4)};
  c.preferred_wait = absl::Seconds(60);
  AddContact(c);
  ASSERT_EQ(Holder(1), 2u);  // among the preferred, quality decides; 3 is not one
  ASSERT_EQ(explained_.size(), 1u);
  const Explanation& x = *explained_[0].explanation;
  EXPECT_NE(
      x.rule.find("preferred agents only (60s of the preference left); satisfaction: "
                  "quality orders agents (2 eligible free >= 2)"),
      std::string::npos)
      << x.rule;
  std::map<uint64_t, std::string> verdicts;
  for (const ExplainedCandidate& k : x.candidates) verdicts[k.agent.value()] = k.verdict;
  EXPECT_EQ(verdicts, (std::map<uint64_t, std::string>{
                          {1, "ranked"}, {2, "chosen"}, {4, "not free"}}));
}

}  // namespace
}  // namespace ccengine
