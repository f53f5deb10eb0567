// Engine: the two routing decisions — which agent an arriving contact goes to
// (each built-in strategy, custom strategies, tie-breaks, skills and levels,
// relaxation steps; the random draws are in random_draw_test.cc) and which
// waiting contact a freed agent takes (priority classes, aging, aging weight
// across queues, steps).

#include <map>
#include <memory>
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
