// Engine: configuration, the agent lifecycle, no-answer handling (RONA),
// wrap-up, the command intake, time and the books — each error path checked
// to return its documented code and to leave the engine untouched.

#include "ccengine/core/engine.h"

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/engine_fixture.h"

namespace ccengine {
namespace {

using test::A;
using test::At;
using test::C;
using test::Lvl;

constexpr Channel kChat = Channel::kChat;

class EngineTest : public test::EngineFixture {};

// --- Configuration -----------------------------------------------------------

TEST(EngineCreateTest, RejectsInvalidOptions) {
  EngineOptions o[4];
  o[0].intake_capacity = 1;
  o[1].rona_limit = -1;
  o[2].priority_class_weight = absl::ZeroDuration();
  o[3].priority_class_weight = absl::InfiniteDuration();
  for (const EngineOptions& bad : o) {
    CCENGINE_EXPECT_CODE(Engine::Create(bad), kInvalidArgument);
  }
  CCENGINE_EXPECT_OK(Engine::Create(EngineOptions{}));
}

TEST_F(EngineTest, AddSkillHandsOutDenseIdsAndRejectsEmptyOrDuplicateNames) {
  auto policy = engine_->AddSkill("policy");
  auto english = engine_->AddSkill("english");
  ASSERT_TRUE(policy.ok() && english.ok());
  EXPECT_EQ(*policy, SkillId{0});
  EXPECT_EQ(*english, SkillId{1});
  EXPECT_EQ(engine_->FindSkill("english").value_or(SkillId{9}), SkillId{1});
  EXPECT_EQ(engine_->SkillName(SkillId{0}), "policy");
  EXPECT_EQ(engine_->SkillName(SkillId{7}), "");
  CCENGINE_EXPECT_CODE(engine_->FindSkill("cantonese"), kNotFound);
  EXPECT_EQ(engine_->skill_count(), 2u);
  auto before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->AddSkill(""), kInvalidArgument);
  CCENGINE_EXPECT_CODE(engine_->AddSkill("policy"), kAlreadyExists);
  ExpectUnchanged(before);
}

TEST_F(EngineTest, EveryBuiltInStrategyIsRegisteredAndNamesAreUnique) {
  for (const char* name :
       {"longest_idle", "least_occupied", "fewest_handled", "round_robin", "random",
        "weighted_random", "best_proficiency", "composite"}) {
    CCENGINE_EXPECT_OK(engine_->FindStrategy(name));
  }
  CCENGINE_EXPECT_CODE(engine_->FindStrategy("nope"), kNotFound);
  auto constant = [] {
    return std::make_unique<FunctionStrategy>(
        [](const AgentView&, const ContactView&, Micros) { return 0.0; });
  };
  CCENGINE_EXPECT_CODE(engine_->RegisterStrategy("", constant()), kInvalidArgument);
  CCENGINE_EXPECT_CODE(engine_->RegisterStrategy("mine", nullptr), kInvalidArgument);
  CCENGINE_EXPECT_CODE(engine_->RegisterStrategy("longest_idle", constant()),
                       kAlreadyExists);
  CCENGINE_EXPECT_CODE(engine_->FindStrategy("mine"), kNotFound);
  CCENGINE_EXPECT_OK(engine_->RegisterStrategy("mine", constant()));
  CCENGINE_EXPECT_CODE(engine_->RegisterStrategy("mine", constant()), kAlreadyExists);
}

// One invalid variant of a config and the code it must be refused with.
template <typename Config>
struct BadConfig {
  const char* what;
  std::function<void(Config&)> mutate;
  absl::StatusCode code;
};
using QueueCase = BadConfig<QueueConfig>;
using AgentCase = BadConfig<AgentConfig>;
constexpr absl::StatusCode kBad = absl::StatusCode::kInvalidArgument;
constexpr absl::StatusCode kMissing = absl::StatusCode::kNotFound;
constexpr absl::StatusCode kDuplicate = absl::StatusCode::kAlreadyExists;

TEST_F(EngineTest, AddQueueRejectsInvalidConfigAndChangesNothing) {
  SkillId s = Skill("policy");
  AddQueue("existing");
  const absl::Duration kSec = absl::Seconds(1);
  const std::vector<QueueCase> cases = {
      {"empty name", [](QueueConfig& q) { q.name = ""; }, kBad},
      {"duplicate name", [](QueueConfig& q) { q.name = "existing"; }, kDuplicate},
      {"unknown skill", [](QueueConfig& q) { q.skills = {Lvl(SkillId{99}, 5)}; },
       kMissing},
      {"level 0", [s](QueueConfig& q) { q.skills = {Lvl(s, 0)}; }, kBad},
      {"level 11", [s](QueueConfig& q) { q.skills = {Lvl(s, 11)}; }, kBad},
      {"skill twice",
       [s](QueueConfig& q) {
         q.skills = {Lvl(s, 5), Lvl(s, 6)};
       },
       kBad},
      {"step at 0",
       [s](QueueConfig& q) {
         q.relaxation = {{absl::ZeroDuration(), {Lvl(s, 5)}}};
       },
       kBad},
      {"steps equal",
       [s, kSec](QueueConfig& q) {
         q.relaxation = {{30 * kSec, {Lvl(s, 5)}}, {30 * kSec, {Lvl(s, 3)}}};
       },
       kBad},
      {"steps decreasing",
       [s, kSec](QueueConfig& q) {
         q.relaxation = {{30 * kSec, {Lvl(s, 5)}}, {20 * kSec, {Lvl(s, 3)}}};
       },
       kBad},
      {"step infinite",
       [s](QueueConfig& q) {
         q.relaxation = {{absl::InfiniteDuration(), {Lvl(s, 5)}}};
       },
       kBad},
      {"step unknown skill",
       [kSec](QueueConfig& q) {
         q.relaxation = {{kSec, {Lvl(SkillId{99}, 5)}}};
       },
       kMissing},
      {"step level 11",
       [s, kSec](QueueConfig& q) {
         q.relaxation = {{kSec, {Lvl(s, 11)}}};
       },
       kBad},
      {"priority 10", [](QueueConfig& q) { q.priority = 10; }, kBad},
      {"priority -1", [](QueueConfig& q) { q.priority = -1; }, kBad},
      {"aging 0", [](QueueConfig& q) { q.aging_weight = 0; }, kBad},
      {"aging NaN", [](QueueConfig& q) { q.aging_weight = std::nan(""); }, kBad},
      {"aging inf",
       [](QueueConfig& q) { q.aging_weight = std::numeric_limits<double>::infinity(); },
       kBad},
      {"sl_target 1.5", [](QueueConfig& q) { q.sl_target = 1.5; }, kBad},
      {"sl_threshold < 0", [kSec](QueueConfig& q) { q.sl_threshold = -kSec; }, kBad},
      {"max_wait 0", [](QueueConfig& q) { q.max_wait = absl::ZeroDuration(); }, kBad},
      {"wrap_up < 0", [kSec](QueueConfig& q) { q.wrap_up = -kSec; }, kBad},
      {"offer_timeout 0", [](QueueConfig& q) { q.offer_timeout = absl::ZeroDuration(); },
       kBad},
      {"handle time 0",
       [](QueueConfig& q) { q.expected_handle_time = absl::ZeroDuration(); }, kBad},
      {"unknown overflow", [](QueueConfig& q) { q.overflow_queue = QueueId{42}; },
       kMissing},
      {"overflow to its own new id",
       [](QueueConfig& q) { q.overflow_queue = QueueId{1}; }, kMissing},
      {"unknown strategy", [](QueueConfig& q) { q.strategy = "fastest"; }, kMissing},
  };
  for (const QueueCase& c : cases) {
    SCOPED_TRACE(c.what);
    QueueConfig q = QueueSpec("new", {Lvl(s, 5)});
    c.mutate(q);
    auto before = Freeze();
    auto added = engine_->AddQueue(q);
    EXPECT_EQ(added.status().code(), c.code) << added.status();
    ExpectUnchanged(before);
    CCENGINE_EXPECT_CODE(engine_->FindQueue("new"), kNotFound);
  }
  EXPECT_EQ(engine_->queue_count(), 1u);
}

TEST_F(EngineTest, AddQueueKeepsTheWholeConfig) {
  SkillId s = Skill("policy");
  QueueId spill = AddQueue("spill");
  QueueConfig q = QueueSpec("main", {Lvl(s, 8)});
  q.relaxation = {{absl::Seconds(30), {Lvl(s, 5)}}};
  q.overflow_queue = spill;
  q.strategy = "round_robin";
  QueueId id = AddQueue(q);
  EXPECT_EQ(id, QueueId{1});
  EXPECT_EQ(engine_->FindQueue("main").value_or(QueueId{9}), id);
  auto got = engine_->GetQueueConfig(id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->skills, q.skills);
  EXPECT_EQ(got->relaxation.at(0).after, absl::Seconds(30));
  EXPECT_EQ(got->overflow_queue, spill);
  EXPECT_EQ(got->strategy, "round_robin");
  CCENGINE_EXPECT_CODE(engine_->GetQueueConfig(QueueId{5}), kNotFound);
  CCENGINE_EXPECT_CODE(engine_->GetQueueStats(QueueId{5}), kNotFound);
}

TEST_F(EngineTest, UpdateQueueRejectsInvalidChangesAndKeepsTheOldRules) {
  SkillId s = Skill("policy");
  QueueId other = AddQueue("other");
  QueueId q = AddQueue("main", {Lvl(s, 5)});
  AddContact(10, q);  // waits: no agents
  const std::vector<QueueCase> cases = {
      {"rename", [](QueueConfig& c) { c.name = "renamed"; }, kBad},
      {"overflow to itself", [q](QueueConfig& c) { c.overflow_queue = q; }, kBad},
      {"unknown overflow", [](QueueConfig& c) { c.overflow_queue = QueueId{9}; },
       kMissing},
      {"steps not increasing",
       [s](QueueConfig& c) {
         c.relaxation = {{absl::Seconds(9), {Lvl(s, 3)}},
                         {absl::Seconds(5), {Lvl(s, 1)}}};
       },
       kBad},
      {"unknown strategy", [](QueueConfig& c) { c.strategy = "nope"; }, kMissing},
      {"level 11", [s](QueueConfig& c) { c.skills = {Lvl(s, 11)}; }, kBad},
  };
  for (const QueueCase& c : cases) {
    SCOPED_TRACE(c.what);
    QueueConfig config = engine_->GetQueueConfig(q).value();
    c.mutate(config);
    auto before = Freeze();
    EXPECT_EQ(engine_->UpdateQueue(q, config).code(), c.code);
    ExpectUnchanged(before);
  }
  auto before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->UpdateQueue(QueueId{7}, QueueSpec("x")), kNotFound);
  ExpectUnchanged(before);
  QueueConfig ok = engine_->GetQueueConfig(q).value();
  ok.overflow_queue = other;
  ok.strategy = "fewest_handled";
  CCENGINE_EXPECT_OK(engine_->UpdateQueue(q, ok));
  EXPECT_EQ(engine_->GetQueueConfig(q)->strategy, "fewest_handled");
}

// --- Agents ------------------------------------------------------------------

TEST_F(EngineTest, AddAgentRejectsInvalidConfigAndChangesNothing) {
  SkillId s = Skill("policy");
  AddAgent(1, {Lvl(s, 5)});
  TrackAgent(50);
  const std::vector<AgentCase> cases = {
      {"duplicate id", [](AgentConfig& a) { a.id = A(1); }, kDuplicate},
      {"unknown skill", [](AgentConfig& a) { a.skills = {Lvl(SkillId{9}, 5)}; },
       kMissing},
      {"level 0", [s](AgentConfig& a) { a.skills = {Lvl(s, 0)}; }, kBad},
      {"level 11", [s](AgentConfig& a) { a.skills = {Lvl(s, 11)}; }, kBad},
      {"skill twice",
       [s](AgentConfig& a) {
         a.skills = {Lvl(s, 3), Lvl(s, 4)};
       },
       kBad},
      {"budget 0", [](AgentConfig& a) { a.capacity.load_budget = 0; }, kBad},
      {"chat over budget", [](AgentConfig& a) { a.capacity.load_per_contact[1] = 101; },
       kBad},
      {"weight 0", [](AgentConfig& a) { a.weight = 0; }, kBad},
      {"weight < 0", [](AgentConfig& a) { a.weight = -2; }, kBad},
      {"weight inf",
       [](AgentConfig& a) { a.weight = std::numeric_limits<double>::infinity(); }, kBad},
  };
  for (const AgentCase& c : cases) {
    SCOPED_TRACE(c.what);
    AgentConfig a = AgentSpec(50, {Lvl(s, 5)});
    c.mutate(a);
    auto before = Freeze();
    EXPECT_EQ(engine_->AddAgent(a).code(), c.code);
    ExpectUnchanged(before);
  }
  EXPECT_EQ(engine_->agent_count(), 1u);
}

TEST_F(EngineTest, AddAgentStartsLoggedOutSilentlyWithSortedSkills) {
  SkillId a = Skill("a");
  SkillId b = Skill("b");
  AddAgent(AgentSpec(7, {Lvl(b, 3), Lvl(a, 9)}), /*login=*/false);
  AgentSnapshot s = AgentNow(7);
  EXPECT_EQ(s.state, AgentState::kLoggedOut);
  EXPECT_EQ(s.name, "agent-7");
  EXPECT_EQ(s.skills, (std::vector<SkillLevel>{Lvl(a, 9), Lvl(b, 3)}));
  EXPECT_TRUE(events_.empty()) << EventLog();
  CCENGINE_EXPECT_CODE(engine_->GetAgent(A(8)), kNotFound);
}

TEST_F(EngineTest, RemoveAgentRequiresLoggedOutAndFreesTheId) {
  AddAgent(1);
  auto before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->RemoveAgent(A(1)), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->RemoveAgent(A(2)), kNotFound);
  ExpectUnchanged(before);
  CCENGINE_ASSERT_OK(engine_->Logout(A(1)));
  CCENGINE_ASSERT_OK(engine_->RemoveAgent(A(1)));
  CCENGINE_EXPECT_CODE(engine_->GetAgent(A(1)), kNotFound);
  EXPECT_EQ(engine_->agent_count(), 0u);
  AddAgent(1);  // the id may be used again
  EXPECT_EQ(StateOf(1), AgentState::kAvailable);
}

TEST_F(EngineTest, LoginAnnouncesAvailableOrNotReadyWithReason) {
  AddAgent(1, {}, false);
  AddAgent(2, {}, false);
  CCENGINE_ASSERT_OK(engine_->Login(A(1)));
  CCENGINE_ASSERT_OK(engine_->Login(A(2), /*ready=*/false, /*reason=*/42));
  auto changes = EventsOf(EventType::kAgentStateChanged);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].agent, A(1));
  EXPECT_EQ(changes[0].agent_state, AgentState::kAvailable);
  EXPECT_EQ(changes[1].agent_state, AgentState::kNotReady);
  EXPECT_EQ(changes[1].agent_reason, 42);
  EXPECT_EQ(AgentNow(2).reason, 42);
  auto before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->Login(A(1)), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->Login(A(3)), kNotFound);
  ExpectUnchanged(before);
}

TEST_F(EngineTest, PresenceCallsNeedALoggedInKnownAgentAndAForceableState) {
  AddAgent(1, {}, false);
  auto before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->Logout(A(1)), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->SetReady(A(1)), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->SetNotReady(A(1), 5), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->EndWrapUp(A(1)), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->ForceAgentState(A(1), AgentState::kNotReady, 5),
                       kFailedPrecondition);
  for (AgentState s : {AgentState::kBusy, AgentState::kReserved, AgentState::kWrapUp}) {
    CCENGINE_EXPECT_CODE(engine_->ForceAgentState(A(1), s), kInvalidArgument);
  }
  for (auto st :
       {engine_->Logout(A(9)), engine_->SetReady(A(9)), engine_->SetNotReady(A(9)),
        engine_->EndWrapUp(A(9)), engine_->ForceAgentState(A(9), AgentState::kAvailable),
        engine_->SetAgentSkills(A(9), {})}) {
    EXPECT_EQ(st.code(), absl::StatusCode::kNotFound) << st;
  }
  ExpectUnchanged(before);
}

TEST_F(EngineTest, ReadyAndNotReadyAnnounceStateAndReason) {
  AddAgent(1);
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(1), 7));
  EXPECT_EQ(AgentNow(1).reason, 7);
  CCENGINE_ASSERT_OK(engine_->SetReady(A(1)));
  EXPECT_EQ(AgentNow(1).reason, kReasonNone);
  CCENGINE_ASSERT_OK(engine_->Logout(A(1)));
  EXPECT_EQ(StatesAnnounced(1),
            (std::vector<AgentState>{AgentState::kAvailable, AgentState::kNotReady,
                                     AgentState::kAvailable, AgentState::kLoggedOut}));
  EXPECT_EQ(EventsOf(EventType::kAgentStateChanged)[1].agent_reason, 7);
}

TEST_F(EngineTest, LogoutIsRefusedWhileInServiceAndChangesNothing) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(10, q);
  Accept(1, 10);
  auto before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->Logout(A(1)), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->RemoveAgent(A(1)), kFailedPrecondition);
  ExpectUnchanged(before);
  Complete(1, 10);
  CCENGINE_EXPECT_OK(engine_->Logout(A(1)));
}

TEST_F(EngineTest, LogoutWhileRingingPutsTheContactBackInLine) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(10, q);
  ASSERT_EQ(ContactStateOf(10), ContactState::kOffered);
  CCENGINE_ASSERT_OK(engine_->Logout(A(1)));
  EXPECT_EQ(CountOf(EventType::kOfferRescinded), 1u);
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  EXPECT_EQ(StateOf(1), AgentState::kLoggedOut);
  AddAgent(2);
  EXPECT_EQ(Holder(10), 2u);
}

TEST_F(EngineTest, SetNotReadyRescindsTheRingButKeepsContactsInService) {
  QueueId q = AddQueue("q");
  AddAgent(ChatAgentSpec(1));
  AddContact(10, q, kChat);
  Accept(1, 10);
  AddContact(11, q, kChat);
  ASSERT_EQ(Holder(11), 1u);
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(1), 3));
  EXPECT_EQ(ContactStateOf(11), ContactState::kWaiting);
  EXPECT_EQ(ContactStateOf(10), ContactState::kInService);
  EXPECT_EQ(StateOf(1), AgentState::kBusy);
  Complete(1, 10);
  EXPECT_EQ(StateOf(1), AgentState::kNotReady);
  EXPECT_EQ(AgentNow(1).reason, 3);
}

TEST_F(EngineTest, ForcedLogoutCompletesServiceAndReturnsTheRing) {
  QueueId q = AddQueue("q");
  AddAgent(ChatAgentSpec(1));
  AddContact(10, q, kChat);
  Accept(1, 10);
  AdvanceTo(30);
  AddContact(11, q, kChat);  // rings at agent 1
  ASSERT_EQ(Holder(11), 1u);
  CCENGINE_ASSERT_OK(engine_->ForceAgentState(A(1), AgentState::kLoggedOut));
  EXPECT_EQ(StateOf(1), AgentState::kLoggedOut);
  auto completed = EventsOf(EventType::kCompleted);
  ASSERT_EQ(completed.size(), 1u) << EventLog();
  EXPECT_EQ(completed[0].contact, C(10));
  EXPECT_EQ(completed[0].reason, EventReason::kForcedLogout);
  EXPECT_EQ(completed[0].handle, absl::Seconds(30));
  EXPECT_EQ(ContactStateOf(11), ContactState::kWaiting);
}

TEST_F(EngineTest, ForcedLogoutOfAnAgentWithOnlyARingRequeuesTheContact) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(10, q);
  ASSERT_EQ(Holder(10), 1u);
  CCENGINE_ASSERT_OK(engine_->ForceAgentState(A(1), AgentState::kLoggedOut));
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting) << EventLog();
  EXPECT_EQ(CountOf(EventType::kCompleted), 0u);
  EXPECT_EQ(engine_->GetAccounting().completed, 0u);
  CCENGINE_EXPECT_OK(engine_->ForceAgentState(A(1), AgentState::kLoggedOut));
}

TEST_F(EngineTest, ForceAvailableLogsInOrEndsWrapUp) {
  QueueConfig config = QueueSpec("q");
  config.wrap_up = absl::Seconds(60);
  QueueId q = AddQueue(config);
  AddAgent(1, {}, false);
  CCENGINE_ASSERT_OK(engine_->ForceAgentState(A(1), AgentState::kAvailable));
  EXPECT_EQ(StateOf(1), AgentState::kAvailable);
  AddContact(10, q);
  Accept(1, 10);
  Complete(1, 10);
  AddContact(11, q);
  ASSERT_EQ(StateOf(1), AgentState::kWrapUp);
  AdvanceTo(5);
  CCENGINE_ASSERT_OK(engine_->ForceAgentState(A(1), AgentState::kAvailable));
  EXPECT_EQ(Holder(11), 1u);
  CCENGINE_ASSERT_OK(engine_->ForceAgentState(A(1), AgentState::kNotReady, 9));
  EXPECT_EQ(StateOf(1), AgentState::kNotReady);
  EXPECT_EQ(ContactStateOf(11), ContactState::kWaiting);
}

TEST_F(EngineTest, SetAgentSkillsValidatesAndTakesEffectAtOnce) {
  SkillId s = Skill("policy");
  QueueId q = AddQueue("q", {Lvl(s, 5)});
  AddAgent(1, {Lvl(s, 4)});
  AddContact(10, q);
  auto before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->SetAgentSkills(A(1), {Lvl(s, 11)}), kInvalidArgument);
  CCENGINE_EXPECT_CODE(engine_->SetAgentSkills(A(1), {Lvl(SkillId{4}, 5)}), kNotFound);
  ExpectUnchanged(before);
  CCENGINE_ASSERT_OK(engine_->SetAgentSkills(A(1), {Lvl(s, 5)}));
  EXPECT_EQ(Holder(10), 1u);
}

// --- Offers that are not answered --------------------------------------------

TEST_F(EngineTest, RonaLimitMakesAgentNotReadyWithRonaReason) {
  EngineOptions o;
  o.rona_limit = 2;
  Reset(o);
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(10, q);
  AdvanceTo(20);
  EXPECT_EQ(StateOf(1), AgentState::kAvailable);
  AddContact(11, q);
  AdvanceTo(40);
  AgentSnapshot a = AgentNow(1);
  EXPECT_EQ(a.state, AgentState::kNotReady);
  EXPECT_EQ(a.reason, kReasonRona);
  EXPECT_EQ(a.consecutive_no_answers, 2u);
  auto changes = EventsOf(EventType::kAgentStateChanged);
  ASSERT_FALSE(changes.empty());
  EXPECT_EQ(changes.back().agent_state, AgentState::kNotReady);
  EXPECT_EQ(changes.back().agent_reason, kReasonRona);
  EXPECT_EQ(changes.back().time, At(40));
  CCENGINE_ASSERT_OK(engine_->SetReady(A(1)));
  EXPECT_EQ(AgentNow(1).consecutive_no_answers, 0u);
}

TEST_F(EngineTest, RonaStateChangeCarriesTheRonaEventReason) {
  EngineOptions o;
  o.rona_limit = 1;
  Reset(o);
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(10, q);
  AdvanceTo(20);
  auto changes = EventsOf(EventType::kAgentStateChanged);
  ASSERT_FALSE(changes.empty());
  EXPECT_EQ(changes.back().agent_reason, kReasonRona);
  EXPECT_EQ(changes.back().reason, EventReason::kRona) << EventLog();
}

TEST_F(EngineTest, AcceptingAnOfferClearsTheNoAnswerCount) {
  EngineOptions o;
  o.rona_limit = 2;
  Reset(o);
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(10, q);
  AdvanceTo(20);  // one no-answer
  AddContact(11, q);
  Accept(1, 11);
  EXPECT_EQ(AgentNow(1).consecutive_no_answers, 0u);
  Complete(1, 11);
  AddContact(12, q);
  AdvanceTo(40);  // one no-answer again: still ready
  EXPECT_EQ(StateOf(1), AgentState::kAvailable);
}

TEST_F(EngineTest, RonaLimitZeroNeverForcesNotReady) {
  EngineOptions o;
  o.rona_limit = 0;
  Reset(o);
  QueueId q = AddQueue("q");
  AddAgent(1);
  for (int i = 0; i < 5; ++i) {
    AddContact(10 + i, q);
    AdvanceTo(20.0 * (i + 1));
  }
  EXPECT_EQ(StateOf(1), AgentState::kAvailable);
  EXPECT_EQ(AgentNow(1).consecutive_no_answers, 5u);
}

TEST_F(EngineTest, InfiniteOfferTimeoutRingsUntilAnswered) {
  QueueConfig config = QueueSpec("q");
  config.offer_timeout = absl::InfiniteDuration();
  QueueId q = AddQueue(config);
  AddAgent(1);
  AddContact(10, q);
  AdvanceTo(86400);
  EXPECT_EQ(Holder(10), 1u);
  EXPECT_EQ(CountOf(EventType::kOfferTimedOut), 0u);
  Accept(1, 10);
}

// --- Wrap-up -----------------------------------------------------------------

TEST_F(EngineTest, WrapUpTimerEndsAndTheAgentTakesTheNextContact) {
  QueueConfig config = QueueSpec("q");
  config.wrap_up = absl::Seconds(10);
  QueueId q = AddQueue(config);
  AddAgent(1);
  AddContact(10, q);
  Accept(1, 10);
  AdvanceTo(5);
  Complete(1, 10);
  EXPECT_EQ(StateOf(1), AgentState::kWrapUp);
  AdvanceTo(6);
  AddContact(11, q);
  AdvanceTo(14.999);
  EXPECT_EQ(ContactStateOf(11), ContactState::kWaiting);
  AdvanceTo(16);
  auto offers = EventsOf(EventType::kOffered);
  ASSERT_EQ(offers.size(), 2u);
  EXPECT_EQ(offers[1].contact, C(11));
  EXPECT_EQ(offers[1].time, At(15));
  EXPECT_EQ(StatesAnnounced(1),
            (std::vector<AgentState>{AgentState::kAvailable, AgentState::kReserved,
                                     AgentState::kBusy, AgentState::kWrapUp,
                                     AgentState::kAvailable, AgentState::kReserved}));
}

TEST_F(EngineTest, EndWrapUpEarlyTakesTheNextContactAndIsRefusedOutsideWrapUp) {
  QueueConfig config = QueueSpec("q");
  config.wrap_up = absl::Seconds(10);
  QueueId q = AddQueue(config);
  AddAgent(1);
  auto before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->EndWrapUp(A(1)), kFailedPrecondition);
  ExpectUnchanged(before);
  AddContact(10, q);
  Accept(1, 10);
  Complete(1, 10);
  AddContact(11, q);
  AdvanceTo(3);
  CCENGINE_ASSERT_OK(engine_->EndWrapUp(A(1)));
  EXPECT_EQ(Holder(11), 1u);
  size_t n = events_.size();
  AdvanceTo(10);  // the stale wrap-up timer changes nothing
  EXPECT_EQ(events_.size(), n) << EventLog();
  EXPECT_EQ(StateOf(1), AgentState::kReserved);
}

// --- Driving: intake, time, events, books -------------------------------------

TEST_F(EngineTest, SubmitAndPollApplyCommandsInOrderAtPollTime) {
  QueueId q = AddQueue("q");
  TrackAgent(1);
  TrackContact(10);
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::AddAgent{AgentSpec(1)}));
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::Login{A(1)}));
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::AddContact{ContactSpecFor(10, q)}));
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::AcceptOffer{A(1), C(10)}));
  EXPECT_EQ(engine_->agent_count(), 0u);  // nothing happens before Poll
  auto applied = engine_->Poll(At(5));
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(*applied, 4u);
  EXPECT_EQ(ContactStateOf(10), ContactState::kInService);
  ASSERT_EQ(CountOf(EventType::kAccepted), 1u);
  EXPECT_EQ(EventsOf(EventType::kAccepted)[0].time, At(5));
  EXPECT_EQ(CountOf(EventType::kCommandFailed), 0u);
}

TEST_F(EngineTest, RefusedSubmittedCommandReportsTheSyncCallsStatus) {
  AddAgent(1, {}, false);
  absl::Status unknown = engine_->Login(A(99));
  absl::Status not_logged_in = engine_->Logout(A(1));
  auto before = Freeze();
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::Login{A(99)}));
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::Logout{A(1)}));
  EXPECT_EQ(engine_->Poll(engine_->Now()).value_or(0), 2u);
  auto failed = EventsOf(EventType::kCommandFailed);
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0].status, unknown);
  EXPECT_EQ(failed[1].status, not_logged_in);
  EXPECT_EQ(failed[0].status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(failed[1].status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(World(), before.world);  // nothing but the two failure events
  EXPECT_EQ(events_.size(), before.events + 2);
  // A refused command does not stop the ones after it.
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::Logout{A(1)}));
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::Login{A(1)}));
  EXPECT_EQ(engine_->Poll(engine_->Now()).value_or(0), 2u);
  EXPECT_EQ(CountOf(EventType::kCommandFailed), 3u);
  EXPECT_EQ(StateOf(1), AgentState::kAvailable);
}

TEST_F(EngineTest, SubmitOnAFullIntakeIsResourceExhaustedAndLosesNothing) {
  EngineOptions o;
  o.intake_capacity = 2;
  Reset(o);
  for (uint64_t id : {1, 2, 3}) TrackAgent(id);
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::AddAgent{AgentSpec(1)}));
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::AddAgent{AgentSpec(2)}));
  CCENGINE_EXPECT_CODE(engine_->Submit(cmd::AddAgent{AgentSpec(3)}), kResourceExhausted);
  EXPECT_EQ(engine_->Poll(engine_->Now()).value_or(0), 2u);
  CCENGINE_EXPECT_OK(engine_->GetAgent(A(1)));
  CCENGINE_EXPECT_OK(engine_->GetAgent(A(2)));
  CCENGINE_EXPECT_CODE(engine_->GetAgent(A(3)), kNotFound);
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::AddAgent{AgentSpec(3)}));
  EXPECT_EQ(engine_->Poll(engine_->Now()).value_or(0), 1u);
  EXPECT_EQ(engine_->agent_count(), 3u);
}

TEST_F(EngineTest, TimeCannotGoBackwards) {
  AddAgent(1, {}, false);
  AdvanceTo(10);
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::Login{A(1)}));
  auto before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->AdvanceTo(At(5)), kInvalidArgument);
  CCENGINE_EXPECT_CODE(engine_->Poll(At(9.5)), kInvalidArgument);
  ExpectUnchanged(before);  // and the submitted login is still pending
  EXPECT_EQ(engine_->Poll(At(10)).value_or(0), 1u);
  EXPECT_EQ(StateOf(1), AgentState::kAvailable);
  EXPECT_EQ(engine_->Now(), At(10));
}

TEST_F(EngineTest, UnsubscribedCallbackGetsNoMoreEvents) {
  int seen = 0;
  auto id = engine_->Subscribe([&seen](const Event&) { ++seen; });
  AddAgent(1);
  EXPECT_EQ(seen, 1);
  engine_->Unsubscribe(id);
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(1)));
  EXPECT_EQ(seen, 1);
  EXPECT_EQ(events_.size(), 2u);
}

TEST_F(EngineTest, AccountingBalancesThroughAMixedDay) {
  QueueConfig config = QueueSpec("q");
  config.max_size = 2;
  QueueId q = AddQueue(config);
  AddAgent(1);
  AddContact(1, q);  // offered
  AddContact(2, q);  // waits
  AddContact(3, q);  // waits
  AddContact(4, q);  // the queue is full: leaves the engine
  Accept(1, 1);
  CCENGINE_ASSERT_OK(engine_->Abandon(C(2)));
  CCENGINE_ASSERT_OK(engine_->Withdraw(C(3)));
  AddContact(5, q);  // waits
  AddContact(6, q);  // waits
  Complete(1, 1);    // 5 is offered
  Accept(1, 5);
  Accounting a = engine_->GetAccounting();
  // entered, waiting, offered, in service, completed, abandoned, overflowed,
  // withdrawn
  EXPECT_EQ(std::vector<uint64_t>({a.entered, a.waiting, a.offered, a.in_service,
                                   a.completed, a.abandoned, a.overflowed, a.withdrawn}),
            std::vector<uint64_t>({6, 1, 0, 1, 1, 1, 1, 1}));
  EXPECT_TRUE(a.Balanced());
}

}  // namespace
}  // namespace ccengine
