// Engine: configuration, the agent lifecycle, capacity, offers that are not
// answered, wrap-up, the command intake and time — each error path checked to
// return its documented code and to leave the engine untouched.

#include "ccengine/engine.h"

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

constexpr Channel kVoice = Channel::kVoice;
constexpr Channel kChat = Channel::kChat;
constexpr Channel kEmail = Channel::kEmail;

class EngineTest : public test::EngineFixture {};

// --- Configuration -----------------------------------------------------------

TEST(EngineCreateTest, RejectsInvalidOptions) {
  EngineOptions tiny_intake;
  tiny_intake.intake_capacity = 1;
  EngineOptions negative_rona;
  negative_rona.rona_limit = -1;
  EngineOptions zero_weight;
  zero_weight.priority_class_weight = absl::ZeroDuration();
  EngineOptions infinite_weight;
  infinite_weight.priority_class_weight = absl::InfiniteDuration();
  for (const EngineOptions& o :
       {tiny_intake, negative_rona, zero_weight, infinite_weight}) {
    CCENGINE_EXPECT_CODE(Engine::Create(o), kInvalidArgument);
  }
  CCENGINE_EXPECT_OK(Engine::Create(EngineOptions{}));
}

TEST_F(EngineTest, AddSkillHandsOutDenseIdsAndFindsThemByName) {
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
}

TEST_F(EngineTest, AddSkillRejectsEmptyOrDuplicateNameAndChangesNothing) {
  Skill("policy");
  auto before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->AddSkill(""), kInvalidArgument);
  CCENGINE_EXPECT_CODE(engine_->AddSkill("policy"), kAlreadyExists);
  ExpectUnchanged(before);
}

TEST_F(EngineTest, EveryBuiltInStrategyIsRegisteredAndNamesAreUnique) {
  for (const char* name :
       {"longest_idle", "least_occupied", "fewest_handled", "round_robin",
        "random", "weighted_random", "best_proficiency", "composite"}) {
    CCENGINE_EXPECT_OK(engine_->FindStrategy(name));
  }
  CCENGINE_EXPECT_CODE(engine_->FindStrategy("nope"), kNotFound);
  auto constant = [] {
    return std::make_unique<FunctionStrategy>(
        [](const AgentView&, const ContactView&, Micros) { return 0.0; });
  };
  CCENGINE_EXPECT_CODE(engine_->RegisterStrategy("", constant()),
                       kInvalidArgument);
  CCENGINE_EXPECT_CODE(engine_->RegisterStrategy("mine", nullptr),
                       kInvalidArgument);
  CCENGINE_EXPECT_CODE(engine_->RegisterStrategy("longest_idle", constant()),
                       kAlreadyExists);
  CCENGINE_EXPECT_CODE(engine_->FindStrategy("mine"), kNotFound);
  CCENGINE_EXPECT_OK(engine_->RegisterStrategy("mine", constant()));
  CCENGINE_EXPECT_CODE(engine_->RegisterStrategy("mine", constant()),
                       kAlreadyExists);
}

struct QueueCase {
  const char* what;
  std::function<void(QueueConfig&)> mutate;
  absl::StatusCode code;
};

TEST_F(EngineTest, AddQueueRejectsInvalidConfigAndChangesNothing) {
  SkillId s = Skill("policy");
  AddQueue("existing");
  const absl::Duration kSec = absl::Seconds(1);
  const std::vector<QueueCase> cases = {
      {"empty name", [](QueueConfig& q) { q.name = ""; }, absl::StatusCode::kInvalidArgument},
      {"duplicate name", [](QueueConfig& q) { q.name = "existing"; }, absl::StatusCode::kAlreadyExists},
      {"unknown skill", [](QueueConfig& q) { q.skills = {Lvl(SkillId{99}, 5)}; }, absl::StatusCode::kNotFound},
      {"level 0", [s](QueueConfig& q) { q.skills = {Lvl(s, 0)}; }, absl::StatusCode::kInvalidArgument},
      {"level 11", [s](QueueConfig& q) { q.skills = {Lvl(s, 11)}; }, absl::StatusCode::kInvalidArgument},
      {"skill twice", [s](QueueConfig& q) { q.skills = {Lvl(s, 5), Lvl(s, 6)}; }, absl::StatusCode::kInvalidArgument},
      {"step at 0", [s](QueueConfig& q) { q.relaxation = {{absl::ZeroDuration(), {Lvl(s, 5)}}}; }, absl::StatusCode::kInvalidArgument},
      {"steps equal", [s, kSec](QueueConfig& q) { q.relaxation = {{30 * kSec, {Lvl(s, 5)}}, {30 * kSec, {Lvl(s, 3)}}}; }, absl::StatusCode::kInvalidArgument},
      {"steps decreasing", [s, kSec](QueueConfig& q) { q.relaxation = {{30 * kSec, {Lvl(s, 5)}}, {20 * kSec, {Lvl(s, 3)}}}; }, absl::StatusCode::kInvalidArgument},
      {"step infinite", [s](QueueConfig& q) { q.relaxation = {{absl::InfiniteDuration(), {Lvl(s, 5)}}}; }, absl::StatusCode::kInvalidArgument},
      {"step unknown skill", [kSec](QueueConfig& q) { q.relaxation = {{kSec, {Lvl(SkillId{99}, 5)}}}; }, absl::StatusCode::kNotFound},
      {"step level 11", [s, kSec](QueueConfig& q) { q.relaxation = {{kSec, {Lvl(s, 11)}}}; }, absl::StatusCode::kInvalidArgument},
      {"priority 10", [](QueueConfig& q) { q.priority = 10; }, absl::StatusCode::kInvalidArgument},
      {"priority -1", [](QueueConfig& q) { q.priority = -1; }, absl::StatusCode::kInvalidArgument},
      {"aging 0", [](QueueConfig& q) { q.aging_weight = 0; }, absl::StatusCode::kInvalidArgument},
      {"aging NaN", [](QueueConfig& q) { q.aging_weight = std::nan(""); }, absl::StatusCode::kInvalidArgument},
      {"aging inf", [](QueueConfig& q) { q.aging_weight = std::numeric_limits<double>::infinity(); }, absl::StatusCode::kInvalidArgument},
      {"sl_target 1.5", [](QueueConfig& q) { q.sl_target = 1.5; }, absl::StatusCode::kInvalidArgument},
      {"sl_threshold < 0", [kSec](QueueConfig& q) { q.sl_threshold = -kSec; }, absl::StatusCode::kInvalidArgument},
      {"max_wait 0", [](QueueConfig& q) { q.max_wait = absl::ZeroDuration(); }, absl::StatusCode::kInvalidArgument},
      {"wrap_up < 0", [kSec](QueueConfig& q) { q.wrap_up = -kSec; }, absl::StatusCode::kInvalidArgument},
      {"offer_timeout 0", [](QueueConfig& q) { q.offer_timeout = absl::ZeroDuration(); }, absl::StatusCode::kInvalidArgument},
      {"handle time 0", [](QueueConfig& q) { q.expected_handle_time = absl::ZeroDuration(); }, absl::StatusCode::kInvalidArgument},
      {"unknown overflow", [](QueueConfig& q) { q.overflow_queue = QueueId{42}; }, absl::StatusCode::kNotFound},
      {"overflow to its own new id", [](QueueConfig& q) { q.overflow_queue = QueueId{1}; }, absl::StatusCode::kNotFound},
      {"unknown strategy", [](QueueConfig& q) { q.strategy = "fastest"; }, absl::StatusCode::kNotFound},
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
  q.priority = 2;
  q.overflow_queue = spill;
  q.strategy = "round_robin";
  q.wrap_up = absl::Seconds(15);
  QueueId id = AddQueue(q);
  EXPECT_EQ(id, QueueId{1});
  EXPECT_EQ(engine_->FindQueue("main").value_or(QueueId{9}), id);
  auto got = engine_->GetQueueConfig(id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->name, "main");
  EXPECT_EQ(got->skills, q.skills);
  ASSERT_EQ(got->relaxation.size(), 1u);
  EXPECT_EQ(got->relaxation[0].after, absl::Seconds(30));
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
      {"rename", [](QueueConfig& c) { c.name = "renamed"; }, absl::StatusCode::kInvalidArgument},
      {"overflow to itself", [q](QueueConfig& c) { c.overflow_queue = q; }, absl::StatusCode::kInvalidArgument},
      {"unknown overflow", [](QueueConfig& c) { c.overflow_queue = QueueId{9}; }, absl::StatusCode::kNotFound},
      {"steps not increasing", [s](QueueConfig& c) { c.relaxation = {{absl::Seconds(9), {Lvl(s, 3)}}, {absl::Seconds(5), {Lvl(s, 1)}}}; }, absl::StatusCode::kInvalidArgument},
      {"unknown strategy", [](QueueConfig& c) { c.strategy = "nope"; }, absl::StatusCode::kNotFound},
      {"level 11", [s](QueueConfig& c) { c.skills = {Lvl(s, 11)}; }, absl::StatusCode::kInvalidArgument},
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
  CCENGINE_EXPECT_CODE(engine_->UpdateQueue(QueueId{7}, QueueSpec("x")),
                       kNotFound);
  ExpectUnchanged(before);
  QueueConfig ok = engine_->GetQueueConfig(q).value();
  ok.overflow_queue = other;
  ok.strategy = "fewest_handled";
  CCENGINE_EXPECT_OK(engine_->UpdateQueue(q, ok));
  EXPECT_EQ(engine_->GetQueueConfig(q)->strategy, "fewest_handled");
}

TEST_F(EngineTest, UpdateQueuePriorityKeepsWaitingContactsConsistent) {
  QueueId q = AddQueue("main");
  AddContact(10, q);
  QueueConfig config = QueueSpec("main");
  config.priority = 2;
  CCENGINE_ASSERT_OK(engine_->UpdateQueue(q, config));
  CCENGINE_EXPECT_OK(engine_->CheckInvariants());
  CCENGINE_EXPECT_OK(engine_->Abandon(C(10)));
  CCENGINE_EXPECT_OK(engine_->CheckInvariants());
  AddContact(11, q);  // reuses the freed slot
  AddAgent(1);
  EXPECT_EQ(Holder(11), 1u);
}

// --- Agents ------------------------------------------------------------------

struct AgentCase {
  const char* what;
  std::function<void(AgentConfig&)> mutate;
  absl::StatusCode code;
};

TEST_F(EngineTest, AddAgentRejectsInvalidConfigAndChangesNothing) {
  SkillId s = Skill("policy");
  AddAgent(1, {Lvl(s, 5)});
  TrackAgent(50);
  const std::vector<AgentCase> cases = {
      {"duplicate id", [](AgentConfig& a) { a.id = A(1); }, absl::StatusCode::kAlreadyExists},
      {"unknown skill", [](AgentConfig& a) { a.skills = {Lvl(SkillId{9}, 5)}; }, absl::StatusCode::kNotFound},
      {"level 0", [s](AgentConfig& a) { a.skills = {Lvl(s, 0)}; }, absl::StatusCode::kInvalidArgument},
      {"level 11", [s](AgentConfig& a) { a.skills = {Lvl(s, 11)}; }, absl::StatusCode::kInvalidArgument},
      {"skill twice", [s](AgentConfig& a) { a.skills = {Lvl(s, 3), Lvl(s, 4)}; }, absl::StatusCode::kInvalidArgument},
      {"budget 0", [](AgentConfig& a) { a.capacity.load_budget = 0; }, absl::StatusCode::kInvalidArgument},
      {"chat over budget", [](AgentConfig& a) { a.capacity.load_per_contact[1] = 101; }, absl::StatusCode::kInvalidArgument},
      {"weight 0", [](AgentConfig& a) { a.weight = 0; }, absl::StatusCode::kInvalidArgument},
      {"weight < 0", [](AgentConfig& a) { a.weight = -2; }, absl::StatusCode::kInvalidArgument},
      {"weight inf", [](AgentConfig& a) { a.weight = std::numeric_limits<double>::infinity(); }, absl::StatusCode::kInvalidArgument},
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

TEST_F(EngineTest, PresenceCallsNeedALoggedInKnownAgent) {
  AddAgent(1, {}, false);
  auto before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->Logout(A(1)), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->SetReady(A(1)), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->SetNotReady(A(1), 5), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->EndWrapUp(A(1)), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(
      engine_->ForceAgentState(A(1), AgentState::kNotReady, 5),
      kFailedPrecondition);
  for (auto st : {engine_->Logout(A(9)), engine_->SetReady(A(9)),
                  engine_->SetNotReady(A(9)), engine_->EndWrapUp(A(9)),
                  engine_->ForceAgentState(A(9), AgentState::kAvailable),
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

TEST_F(EngineTest, ForceAgentStateRejectsStatesThatCannotBeForced) {
  AddAgent(1);
  auto before = Freeze();
  for (AgentState s :
       {AgentState::kBusy, AgentState::kReserved, AgentState::kWrapUp}) {
    CCENGINE_EXPECT_CODE(engine_->ForceAgentState(A(1), s), kInvalidArgument);
  }
  ExpectUnchanged(before);
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
  CCENGINE_EXPECT_CODE(engine_->SetAgentSkills(A(1), {Lvl(s, 11)}),
                       kInvalidArgument);
  CCENGINE_EXPECT_CODE(engine_->SetAgentSkills(A(1), {Lvl(SkillId{4}, 5)}),
                       kNotFound);
  ExpectUnchanged(before);
  CCENGINE_ASSERT_OK(engine_->SetAgentSkills(A(1), {Lvl(s, 5)}));
  EXPECT_EQ(Holder(10), 1u);
}

// --- Offers that are not answered --------------------------------------------

TEST_F(EngineTest, OfferTimeoutReturnsContactToItsPlaceAndSkipsThatAgent) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddAgent(2, {}, false);
  CCENGINE_ASSERT_OK(engine_->Login(A(2), /*ready=*/false));
  AdvanceTo(1);
  AddContact(10, q);
  AdvanceTo(2);
  AddContact(11, q);
  AddContact(12, q);
  EXPECT_EQ(engine_->NextTimerAt(), At(21));
  AdvanceTo(30);  // past the timeout: it fires at its own time
  auto timed_out = EventsOf(EventType::kOfferTimedOut);
  ASSERT_EQ(timed_out.size(), 1u);
  EXPECT_EQ(timed_out[0].time, At(21));
  EXPECT_EQ(timed_out[0].agent, A(1));
  EXPECT_EQ(timed_out[0].contact, C(10));
  EXPECT_EQ(Holder(11), 1u);  // the agent moves on to the next contact
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  EXPECT_EQ(Position(10), 1);
  EXPECT_EQ(Position(12), 2);
  EXPECT_EQ(engine_->GetContact(C(10))->excluded, std::vector<AgentId>{A(1)});
  EXPECT_EQ(AgentNow(1).consecutive_no_answers, 1u);
  CCENGINE_ASSERT_OK(engine_->SetReady(A(2)));
  EXPECT_EQ(Holder(10), 2u);  // still ahead of 12
}

TEST_F(EngineTest, ContactThatTimedOutIsNeverOfferedToThatAgentAgain) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(10, q);
  AdvanceTo(20);
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  EXPECT_EQ(StateOf(1), AgentState::kAvailable);
  AddContact(11, q);
  Accept(1, 11);
  Complete(1, 11);
  AdvanceTo(600);
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  EXPECT_EQ(CountOf(EventType::kOffered), 2u);
}

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

TEST_F(EngineTest, OfferCallsOnTheWrongAgentOrStateChangeNothing) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddAgent(2);
  AddAgent(3, {}, false);
  AddContact(10, q);  // rings at 1
  ASSERT_EQ(Holder(10), 1u);
  auto before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->AcceptOffer(A(2), C(10)), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->RejectOffer(A(2), C(10)), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->AcceptOffer(A(3), C(10)), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->AcceptOffer(A(9), C(10)), kNotFound);
  CCENGINE_EXPECT_CODE(engine_->AcceptOffer(A(1), C(99)), kNotFound);
  CCENGINE_EXPECT_CODE(engine_->RejectOffer(A(1), C(99)), kNotFound);
  CCENGINE_EXPECT_CODE(engine_->CompleteContact(A(1), C(10)),
                       kFailedPrecondition);  // ringing, not in service
  CCENGINE_EXPECT_CODE(engine_->CompleteContact(A(9), C(10)), kNotFound);
  ExpectUnchanged(before);
  Accept(1, 10);
  before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->AcceptOffer(A(1), C(10)), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->RejectOffer(A(1), C(10)), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->CompleteContact(A(2), C(10)),
                       kFailedPrecondition);
  ExpectUnchanged(before);
}

// --- Wrap-up -------------------------------------------------------------------

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
            (std::vector<AgentState>{
                AgentState::kAvailable, AgentState::kReserved, AgentState::kBusy,
                AgentState::kWrapUp, AgentState::kAvailable, AgentState::kReserved}));
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

// --- Capacity --------------------------------------------------------------------

TEST_F(EngineTest, ChatAgentTakesUpToThreeChatsOneOfferAtATime) {
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

TEST_F(EngineTest, ExclusiveVoiceIsNotOfferedToAnAgentWithAnOpenChat) {
  QueueId q = AddQueue("any");
  AddAgent(1);  // default capacity: 1 exclusive voice, up to 3 chats
  AddContact(10, q, kChat);
  Accept(1, 10);
  AddContact(11, q, kVoice);
  EXPECT_EQ(ContactStateOf(11), ContactState::kWaiting);
  Complete(1, 10);
  EXPECT_EQ(Holder(11), 1u);
}

TEST_F(EngineTest, ChatIsNotOfferedDuringVoice) {
  QueueId q = AddQueue("any");
  AddAgent(1);
  AddContact(10, q, kVoice);
  AddContact(11, q, kChat);
  EXPECT_EQ(ContactStateOf(11), ContactState::kWaiting);  // voice rings
  Accept(1, 10);
  EXPECT_EQ(ContactStateOf(11), ContactState::kWaiting);  // voice in service
  Complete(1, 10);
  EXPECT_EQ(Holder(11), 1u);
}

TEST_F(EngineTest, LoadBudgetCapsContactsBelowTheChannelLimits) {
  QueueId q = AddQueue("any");
  AgentConfig a = AgentSpec(1);
  a.capacity.load_budget = 90;  // email 50 + chat 33 = 83; one more chat: 116
  a.capacity.max_per_channel = {0, 3, 2, 0, 0, 3, 2};  // no 100-unit channels
  AddAgent(a);
  AddContact(10, q, kEmail);
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

// --- Driving: intake, time, events, books ---------------------------------------

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
  CCENGINE_EXPECT_CODE(engine_->Submit(cmd::AddAgent{AgentSpec(3)}),
                       kResourceExhausted);
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
  Accounting acc = engine_->GetAccounting();
  EXPECT_EQ(acc.entered, 6u);
  EXPECT_EQ(acc.waiting, 1u);
  EXPECT_EQ(acc.offered, 0u);
  EXPECT_EQ(acc.in_service, 1u);
  EXPECT_EQ(acc.completed, 1u);
  EXPECT_EQ(acc.abandoned, 1u);
  EXPECT_EQ(acc.overflowed, 1u);
  EXPECT_EQ(acc.withdrawn, 1u);
  EXPECT_TRUE(acc.Balanced());
  QueueStats s = Stats(q);
  EXPECT_EQ(s.entered, 6u);
  EXPECT_EQ(s.answered, 2u);
  EXPECT_EQ(s.abandoned, 1u);
  EXPECT_EQ(s.overflowed, 1u);
  EXPECT_EQ(s.completed, 1u);
  EXPECT_EQ(s.waiting, 1u);
}

TEST_F(EngineTest, AddContactRejectsInvalidSpecAndChangesNothing) {
  SkillId s = Skill("policy");
  QueueId q = AddQueue("q");
  AddContact(10, q);
  AdvanceTo(10);
  TrackContact(11);
  struct Case {
    const char* what;
    std::function<void(ContactSpec&)> mutate;
    absl::StatusCode code;
  };
  const std::vector<Case> cases = {
      {"duplicate id", [](ContactSpec& c) { c.id = C(10); }, absl::StatusCode::kAlreadyExists},
      {"unknown queue", [](ContactSpec& c) { c.queue = QueueId{5}; }, absl::StatusCode::kNotFound},
      {"priority 10", [](ContactSpec& c) { c.priority = 10; }, absl::StatusCode::kInvalidArgument},
      {"priority -1", [](ContactSpec& c) { c.priority = -1; }, absl::StatusCode::kInvalidArgument},
      {"unknown channel", [](ContactSpec& c) { c.channel = static_cast<Channel>(9); }, absl::StatusCode::kInvalidArgument},
      {"unknown skill", [](ContactSpec& c) { c.skills = {Lvl(SkillId{3}, 1)}; }, absl::StatusCode::kNotFound},
      {"level 0", [s](ContactSpec& c) { c.skills = {Lvl(s, 0)}; }, absl::StatusCode::kInvalidArgument},
      {"skill twice", [s](ContactSpec& c) { c.skills = {Lvl(s, 1), Lvl(s, 2)}; }, absl::StatusCode::kInvalidArgument},
      {"arrives in the future", [](ContactSpec& c) { c.arrived_at = At(11); }, absl::StatusCode::kInvalidArgument},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ContactSpec spec = ContactSpecFor(11, q);
    c.mutate(spec);
    auto before = Freeze();
    EXPECT_EQ(engine_->AddContact(spec).code(), c.code);
    ExpectUnchanged(before);
  }
}

}  // namespace
}  // namespace ccengine
