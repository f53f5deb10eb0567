// Engine: the customer journey — abandon, transfer, overflow by size and by
// wait, position and estimated wait, supervisor actions, the contact
// snapshot, and rejected offers keeping their place.

#include <functional>
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

class JourneyTest : public test::EngineFixture {};

// --- Contacts entering -------------------------------------------------------

TEST_F(JourneyTest, AddContactRejectsInvalidSpecAndChangesNothing) {
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
      {"duplicate id", [](ContactSpec& c) { c.id = C(10); },
       absl::StatusCode::kAlreadyExists},
      {"unknown queue", [](ContactSpec& c) { c.queue = QueueId{5}; },
       absl::StatusCode::kNotFound},
      {"priority 10", [](ContactSpec& c) { c.priority = 10; },
       absl::StatusCode::kInvalidArgument},
      {"priority -1", [](ContactSpec& c) { c.priority = -1; },
       absl::StatusCode::kInvalidArgument},
      {"unknown channel", [](ContactSpec& c) { c.channel = static_cast<Channel>(9); },
       absl::StatusCode::kInvalidArgument},
      {"unknown skill", [](ContactSpec& c) { c.skills = {Lvl(SkillId{3}, 1)}; },
       absl::StatusCode::kNotFound},
      {"level 0", [s](ContactSpec& c) { c.skills = {Lvl(s, 0)}; },
       absl::StatusCode::kInvalidArgument},
      {"skill twice",
       [s](ContactSpec& c) {
         c.skills = {Lvl(s, 1), Lvl(s, 2)};
       },
       absl::StatusCode::kInvalidArgument},
      {"arrives in the future", [](ContactSpec& c) { c.arrived_at = At(11); },
       absl::StatusCode::kInvalidArgument},
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

TEST_F(JourneyTest, GetContactReportsEveryField) {
  SkillId b = Skill("b");
  SkillId a = Skill("a");
  QueueConfig qc = QueueSpec("q", {Lvl(a, 8)});
  qc.relaxation = {{absl::Seconds(30), {Lvl(a, 5)}}};
  QueueId q = AddQueue(qc);
  AddAgent(1, {Lvl(a, 9), Lvl(b, 9)});
  AdvanceTo(100);
  ContactSpec spec = ContactSpecFor(10, q, Channel::kChat, 3);
  spec.skills = {Lvl(b, 4)};
  spec.customer_id = "cust-9";
  spec.attributes = {{"lang", "yue"}, {"vip", "1"}};
  spec.arrived_at = At(60);  // waited 40 s elsewhere
  AddContact(spec);
  ASSERT_EQ(Holder(10), 1u);
  CCENGINE_ASSERT_OK(engine_->RejectOffer(A(1), C(10)));
  AdvanceTo(130);  // 30 s in this queue (70 s since arrival): step 1
  auto c = engine_->GetContact(C(10));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->id, C(10));
  EXPECT_EQ(c->queue, q);
  EXPECT_EQ(c->channel, Channel::kChat);
  EXPECT_EQ(c->priority, 3);
  EXPECT_EQ(c->state, ContactState::kWaiting);
  EXPECT_EQ(c->customer_id, "cust-9");
  EXPECT_EQ(c->skills, std::vector<SkillRequirement>{Lvl(b, 4)});
  EXPECT_EQ(c->attributes, spec.attributes);
  EXPECT_EQ(c->arrived_at, At(60));
  EXPECT_EQ(c->queued_at, At(100));
  EXPECT_EQ(c->routing_step, 1);
  EXPECT_FALSE(c->agent.has_value());
  EXPECT_EQ(c->excluded, std::vector<AgentId>{A(1)});
  CCENGINE_EXPECT_CODE(engine_->GetContact(C(11)), kNotFound);
}

// --- Abandon -------------------------------------------------------------------

TEST_F(JourneyTest, AbandonWhileWaitingEndsTheContactAndCountsTheWait) {
  QueueId q = AddQueue("q");
  AddContact(1, q);
  AdvanceTo(5);
  AddContact(2, q);
  AdvanceTo(12);
  EXPECT_EQ(Position(2), 2);
  CCENGINE_ASSERT_OK(engine_->Abandon(C(1)));
  auto ab = EventsOf(EventType::kAbandoned);
  ASSERT_EQ(ab.size(), 1u);
  EXPECT_EQ(ab[0].wait, absl::Seconds(12));
  EXPECT_EQ(ab[0].queue, q);
  EXPECT_FALSE(ab[0].has_agent);
  EXPECT_EQ(ContactStateOf(1), std::nullopt);
  EXPECT_EQ(Position(2), 1);
  EXPECT_EQ(Stats(q).abandoned, 1u);
  EXPECT_EQ(engine_->GetAccounting().abandoned, 1u);
  auto before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->Abandon(C(1)), kNotFound);
  ExpectUnchanged(before);
}

TEST_F(JourneyTest, AbandonWhileRingingRescindsTheOfferAndFreesTheAgent) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(1, q);
  AddContact(2, q);
  ClearEvents();
  CCENGINE_ASSERT_OK(engine_->Abandon(C(1)));
  ASSERT_GE(events_.size(), 2u);
  EXPECT_EQ(events_[0].type, EventType::kOfferRescinded);
  EXPECT_EQ(events_[0].contact, C(1));
  auto ab = EventsOf(EventType::kAbandoned);
  ASSERT_EQ(ab.size(), 1u);
  EXPECT_EQ(ab[0].agent, A(1));
  EXPECT_EQ(Holder(2), 1u);  // the agent takes the next contact at once
  EXPECT_EQ(Stats(q).abandoned, 1u);
}

TEST_F(JourneyTest, AbandonInServiceCompletesWithCustomerHangup) {
  QueueConfig qc = QueueSpec("q");
  qc.wrap_up = absl::Seconds(5);
  QueueId q = AddQueue(qc);
  AddAgent(1);
  AddContact(1, q);
  Accept(1, 1);
  AdvanceTo(40);
  CCENGINE_ASSERT_OK(engine_->Abandon(C(1)));
  auto done = EventsOf(EventType::kCompleted);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].reason, EventReason::kCustomerHangup);
  EXPECT_EQ(done[0].agent, A(1));
  EXPECT_EQ(done[0].handle, absl::Seconds(40));
  EXPECT_EQ(CountOf(EventType::kAbandoned), 0u);
  EXPECT_EQ(StateOf(1), AgentState::kWrapUp);
  Accounting acc = engine_->GetAccounting();
  EXPECT_EQ(acc.completed, 1u);
  EXPECT_EQ(acc.abandoned, 0u);
  EXPECT_EQ(Stats(q).completed, 1u);
  EXPECT_EQ(Stats(q).total_handle, absl::Seconds(40));
}

// --- Transfer --------------------------------------------------------------------

TEST_F(JourneyTest, TransferKeepingAgeKeepsSeniorityInTheNewQueue) {
  QueueId qa = AddQueue("a");
  QueueId qb = AddQueue("b");
  AddContact(1, qa);
  AdvanceTo(10);
  AddContact(2, qb);
  AdvanceTo(20);
  CCENGINE_ASSERT_OK(engine_->Transfer(C(1), qb, /*keep_age=*/true));
  auto t = EventsOf(EventType::kTransferred);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].queue, qa);
  EXPECT_EQ(t[0].to_queue, qb);
  EXPECT_FALSE(t[0].has_agent);
  auto c = engine_->GetContact(C(1));
  EXPECT_EQ(c->queue, qb);
  EXPECT_EQ(c->arrived_at, At(0));
  EXPECT_EQ(c->queued_at, At(20));
  EXPECT_EQ(Position(1), 1);
  EXPECT_EQ(Position(2), 2);
  EXPECT_EQ(Stats(qa).transferred_out, 1u);
  EXPECT_EQ(Stats(qa).waiting, 0u);
  EXPECT_EQ(Stats(qb).entered, 2u);
}

TEST_F(JourneyTest, TransferWithoutKeepingAgeStartsAtTheBack) {
  QueueId qa = AddQueue("a");
  QueueId qb = AddQueue("b");
  AddContact(1, qa);
  AdvanceTo(10);
  AddContact(2, qb);
  AdvanceTo(20);
  CCENGINE_ASSERT_OK(engine_->Transfer(C(1), qb, /*keep_age=*/false));
  EXPECT_EQ(engine_->GetContact(C(1))->arrived_at, At(20));
  EXPECT_EQ(Position(2), 1);
  EXPECT_EQ(Position(1), 2);
  AddAgent(1);
  EXPECT_EQ(Holder(2), 1u);
}

TEST_F(JourneyTest, TransferWithoutKeepingAgeQueuesBehindSameInstantArrivals) {
  QueueId qa = AddQueue("a");
  QueueId qb = AddQueue("b");
  AddContact(1, qa);
  AdvanceTo(20);
  AddContact(2, qb);  // already waiting in b when 1 arrives there
  CCENGINE_ASSERT_OK(engine_->Transfer(C(1), qb, /*keep_age=*/false));
  EXPECT_EQ(Position(2), 1);
  EXPECT_EQ(Position(1), 2);
  AddAgent(1);
  EXPECT_EQ(Holder(2), 1u);
}

TEST_F(JourneyTest, TransferOfARingingContactRescindsTheOffer) {
  SkillId sa = Skill("a");
  SkillId sb = Skill("b");
  QueueId qa = AddQueue("a", {Lvl(sa, 1)});
  QueueId qb = AddQueue("b", {Lvl(sb, 1)});
  AddAgent(1, {Lvl(sa, 5)});
  AddContact(1, qa);
  AddContact(2, qa);
  ASSERT_EQ(Holder(1), 1u);
  AdvanceTo(5);
  CCENGINE_ASSERT_OK(engine_->Transfer(C(1), qb, /*keep_age=*/false));
  EXPECT_EQ(CountOf(EventType::kOfferRescinded), 1u);
  EXPECT_FALSE(EventsOf(EventType::kTransferred)[0].has_agent);
  EXPECT_EQ(engine_->GetContact(C(1))->arrived_at, At(5));
  EXPECT_EQ(ContactStateOf(1), ContactState::kWaiting);
  EXPECT_EQ(engine_->GetContact(C(1))->queue, qb);
  EXPECT_EQ(Holder(2), 1u);
  AddAgent(2, {Lvl(sb, 5)});
  EXPECT_EQ(Holder(1), 2u);
}

TEST_F(JourneyTest, TransferInServiceEndsTheAgentsPartAndRoutesAgain) {
  SkillId sa = Skill("a");
  SkillId sb = Skill("b");
  QueueConfig ca = QueueSpec("a", {Lvl(sa, 1)});
  ca.wrap_up = absl::Seconds(10);
  QueueId qa = AddQueue(ca);
  QueueId qb = AddQueue("b", {Lvl(sb, 1)});
  AddAgent(1, {Lvl(sa, 5)});
  AddAgent(2, {Lvl(sb, 5)});
  AddContact(1, qa);
  Accept(1, 1);
  AdvanceTo(30);
  CCENGINE_ASSERT_OK(engine_->Transfer(C(1), qb, /*keep_age=*/true));
  auto t = EventsOf(EventType::kTransferred);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].agent, A(1));
  EXPECT_EQ(StateOf(1), AgentState::kWrapUp);
  EXPECT_TRUE(AgentNow(1).contacts.empty());
  EXPECT_EQ(Holder(1), 2u);
  EXPECT_EQ(ContactStateOf(1), ContactState::kOffered);
  EXPECT_EQ(engine_->GetContact(C(1))->arrived_at, At(0));
  Accounting acc = engine_->GetAccounting();
  EXPECT_EQ(acc.in_service, 0u);
  EXPECT_EQ(acc.offered, 1u);
  EXPECT_EQ(Stats(qa).transferred_out, 1u);
}

TEST_F(JourneyTest, TransferRefusalsChangeNothing) {
  QueueId qa = AddQueue("a");
  QueueConfig cb = QueueSpec("b");
  cb.max_size = 1;
  QueueId qb = AddQueue(cb);
  AddContact(1, qa);
  AddContact(2, qb);  // b is now full
  auto before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->Transfer(C(1), qb), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->Transfer(C(1), qb, false), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->Transfer(C(1), qa), kInvalidArgument);
  CCENGINE_EXPECT_CODE(engine_->Transfer(C(1), QueueId{9}), kNotFound);
  CCENGINE_EXPECT_CODE(engine_->Transfer(C(9), qb), kNotFound);
  ExpectUnchanged(before);
}

TEST_F(JourneyTest, TransferKeepingAgeRestartsTheRelaxationClockInTheNewQueue) {
  SkillId policy = Skill("policy");
  QueueId qa = AddQueue("a");
  QueueConfig cb = QueueSpec("b", {Lvl(policy, 8)});
  cb.relaxation = {{absl::Seconds(30), {Lvl(policy, 5)}}};
  QueueId qb = AddQueue(cb);
  AddAgent(1, {Lvl(policy, 5)});
  AddContact(1, qa, Channel::kVoice);
  ASSERT_EQ(Holder(1), 1u);  // queue a needs nothing: rings at once
  CCENGINE_ASSERT_OK(engine_->RejectOffer(A(1), C(1)));
  AdvanceTo(60);
  // Relaxation steps start after waiting `after` *in this queue* (queue.h).
  CCENGINE_ASSERT_OK(engine_->Transfer(C(1), qb, /*keep_age=*/true));
  EXPECT_EQ(engine_->GetContact(C(1))->routing_step, 0);
  EXPECT_EQ(ContactStateOf(1), ContactState::kWaiting) << EventLog();
  AdvanceTo(90);
  EXPECT_EQ(Holder(1), 1u);
}

// --- Overflow --------------------------------------------------------------------

TEST_F(JourneyTest, FullQueueOverflowsIntoItsOverflowQueue) {
  QueueId qb = AddQueue("b");
  QueueConfig ca = QueueSpec("a");
  ca.max_size = 1;
  ca.overflow_queue = qb;
  QueueId qa = AddQueue(ca);
  AddContact(1, qa);
  AddContact(2, qa);
  auto o = EventsOf(EventType::kOverflowed);
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].contact, C(2));
  EXPECT_EQ(o[0].queue, qa);
  EXPECT_EQ(o[0].to_queue, qb);
  EXPECT_EQ(o[0].reason, EventReason::kQueueFull);
  EXPECT_EQ(engine_->GetContact(C(2))->queue, qb);
  EXPECT_EQ(ContactStateOf(2), ContactState::kWaiting);
  EXPECT_EQ(Stats(qa).overflowed, 1u);
  EXPECT_EQ(Stats(qa).waiting, 1u);
  EXPECT_EQ(Stats(qb).entered, 1u);
  EXPECT_EQ(engine_->GetAccounting().overflowed, 0u);
}

TEST_F(JourneyTest, FullQueueWithoutOverflowQueueLetsTheContactLeave) {
  QueueConfig ca = QueueSpec("a");
  ca.max_size = 1;
  QueueId qa = AddQueue(ca);
  AddContact(1, qa);
  AddContact(2, qa);
  auto o = EventsOf(EventType::kOverflowed);
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].reason, EventReason::kQueueFull);
  EXPECT_EQ(ContactStateOf(2), std::nullopt);
  Accounting acc = engine_->GetAccounting();
  EXPECT_EQ(acc.overflowed, 1u);
  EXPECT_EQ(acc.waiting, 1u);
  EXPECT_EQ(acc.entered, 2u);
}

TEST_F(JourneyTest, MaxWaitMovesTheContactOnAtItsTime) {
  QueueId qb = AddQueue("b");
  QueueConfig ca = QueueSpec("a");
  ca.max_wait = absl::Seconds(60);
  ca.overflow_queue = qb;
  QueueId qa = AddQueue(ca);
  AddContact(1, qa);
  AdvanceTo(59.9);
  EXPECT_EQ(engine_->GetContact(C(1))->queue, qa);
  AdvanceTo(100);
  auto o = EventsOf(EventType::kOverflowed);
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].time, At(60));
  EXPECT_EQ(o[0].reason, EventReason::kMaxWait);
  EXPECT_EQ(o[0].to_queue, qb);
  auto c = engine_->GetContact(C(1));
  EXPECT_EQ(c->queue, qb);
  EXPECT_EQ(c->queued_at, At(60));
  EXPECT_EQ(c->arrived_at, At(0));
}

TEST_F(JourneyTest, MaxWaitWithoutOverflowQueueEndsTheContact) {
  QueueConfig ca = QueueSpec("a");
  ca.max_wait = absl::Seconds(60);
  QueueId qa = AddQueue(ca);
  AddContact(1, qa);
  AdvanceTo(120);
  auto o = EventsOf(EventType::kOverflowed);
  ASSERT_EQ(o.size(), 1u);
  EXPECT_EQ(o[0].time, At(60));
  EXPECT_EQ(ContactStateOf(1), std::nullopt);
  EXPECT_EQ(engine_->GetAccounting().overflowed, 1u);
  EXPECT_EQ(Stats(qa).overflowed, 1u);
}

// --- Position, estimated wait, statistics ------------------------------------------

TEST_F(JourneyTest, QueuePositionNeedsAKnownWaitingContact) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(1, q);  // rings
  CCENGINE_EXPECT_CODE(engine_->QueuePosition(C(1)), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->QueuePosition(C(9)), kNotFound);
  CCENGINE_EXPECT_CODE(engine_->SimpleEstimatedWait(C(1)), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->SimpleEstimatedWait(C(9)), kNotFound);
}

TEST_F(JourneyTest, EstimatedWaitIsPositionTimesHandleTimeOverEligibleAgents) {
  SkillId policy = Skill("policy");
  QueueConfig qc = QueueSpec("q", {Lvl(policy, 5)});
  qc.expected_handle_time = absl::Seconds(120);
  QueueId q = AddQueue(qc);
  for (uint64_t c : {1, 2, 3}) AddContact(c, q);
  EXPECT_EQ(engine_->SimpleEstimatedWait(C(1)).value_or(absl::ZeroDuration()),
            absl::InfiniteDuration());
  for (uint64_t a : {1, 2}) {
    AddAgent(a, {Lvl(policy, 5)}, false);
    CCENGINE_ASSERT_OK(engine_->Login(A(a), /*ready=*/false));
  }
  AddAgent(3, {Lvl(policy, 4)}, false);  // cannot serve it
  CCENGINE_ASSERT_OK(engine_->Login(A(3), /*ready=*/false));
  AddAgent(4, {Lvl(policy, 9)}, false);  // logged out
  EXPECT_EQ(engine_->SimpleEstimatedWait(C(1)).value(), absl::Seconds(60));
  EXPECT_EQ(engine_->SimpleEstimatedWait(C(2)).value(), absl::Seconds(120));
  EXPECT_EQ(engine_->SimpleEstimatedWait(C(3)).value(), absl::Seconds(180));
}

TEST_F(JourneyTest, EstimatedWaitUsesTheMeasuredAverageHandleTime) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(1, q);
  Accept(1, 1);
  AdvanceTo(60);
  Complete(1, 1);
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(1)));
  AddContact(2, q);
  AddContact(3, q);
  EXPECT_EQ(engine_->SimpleEstimatedWait(C(3)).value(), absl::Seconds(120));
}

TEST_F(JourneyTest, QueueStatsMeasureServiceLevelAndSpeedOfAnswer) {
  QueueConfig qc = QueueSpec("q");  // sl_threshold 20 s
  qc.offer_timeout = absl::Seconds(60);
  QueueId q = AddQueue(qc);
  AddAgent(1, {}, false);
  AddContact(1, q);
  AdvanceTo(10);
  AddContact(2, q);
  AddContact(3, q);
  CCENGINE_ASSERT_OK(engine_->Login(A(1)));
  Accept(1, 1);  // waited 10 s
  AdvanceTo(15);
  CCENGINE_ASSERT_OK(engine_->Abandon(C(3)));
  Complete(1, 1);
  AdvanceTo(40);
  Accept(1, 2);  // waited 30 s
  QueueStats s = Stats(q);
  EXPECT_EQ(s.answered, 2u);
  EXPECT_EQ(s.answered_within_sl, 1u);
  EXPECT_EQ(s.short_abandoned, 0u);  // waited 5 s, not less than short_abandon
  EXPECT_DOUBLE_EQ(s.ServiceLevel(), 1.0 / 3.0);  // within / offered by default
  EXPECT_EQ(s.AverageSpeedOfAnswer(), absl::Seconds(20));
  EXPECT_EQ(s.AverageHandleTime(), absl::Seconds(5));
  // The queue's definition decides the figure.
  const std::pair<ServiceLevelDefinition, double> want[] = {
      {ServiceLevelDefinition::kWithinOverAnswered, 1.0 / 2.0},
      {ServiceLevelDefinition::kWithinOverAnsweredAndAbandoned, 1.0 / 3.0},
      {ServiceLevelDefinition::kWithinOverOfferedLessShortAbandons, 1.0 / 3.0}};
  for (const auto& [definition, value] : want) {
    qc.sl_definition = definition;
    CCENGINE_ASSERT_OK(engine_->UpdateQueue(q, qc));
    EXPECT_DOUBLE_EQ(Stats(q).ServiceLevel(), value)
        << ServiceLevelDefinitionName(definition);
  }
  qc.short_abandon = absl::Seconds(6);  // counts from the next abandon on
  CCENGINE_ASSERT_OK(engine_->UpdateQueue(q, qc));
  AddContact(4, q);
  AdvanceTo(45);
  CCENGINE_ASSERT_OK(engine_->Abandon(C(4)));
  s = Stats(q);
  EXPECT_EQ(s.short_abandoned, 1u);
  EXPECT_DOUBLE_EQ(s.ServiceLevel(), 1.0 / 3.0);  // 1 / (4 offered - 1 short)
}

TEST_F(JourneyTest, QueueConfigRefusesBadServiceLevelTerms) {
  QueueConfig qc = QueueSpec("q");
  qc.short_abandon = absl::Seconds(-1);
  absl::Status st = engine_->AddQueue(qc).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(st.message()),
            "queue 'q': short_abandon must be >= 0 and finite");
  qc = QueueSpec("q");
  qc.sl_definition = static_cast<ServiceLevelDefinition>(9);
  st = engine_->AddQueue(qc).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(st.message()),
            "queue 'q': sl_definition 9 is not a known definition");
  EXPECT_EQ(engine_->queue_count(), 0u);
}

// --- Supervisor actions ----------------------------------------------------------------

TEST_F(JourneyTest, WithdrawTakesWaitingOrRingingContactsOutOfRouting) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  for (uint64_t c : {1, 2, 3}) AddContact(c, q);
  CCENGINE_ASSERT_OK(engine_->Withdraw(C(3)));
  CCENGINE_ASSERT_OK(engine_->Withdraw(C(1)));  // ringing
  auto w = EventsOf(EventType::kWithdrawn);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].reason, EventReason::kSupervisor);
  EXPECT_EQ(CountOf(EventType::kOfferRescinded), 1u);
  EXPECT_EQ(Holder(2), 1u);
  Accept(1, 2);
  auto before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->Withdraw(C(2)), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->Withdraw(C(1)), kNotFound);
  ExpectUnchanged(before);
  EXPECT_EQ(engine_->GetAccounting().withdrawn, 2u);
}

TEST_F(JourneyTest, SetPriorityReordersTheWaitingContacts) {
  QueueId q = AddQueue("q");
  for (uint64_t c : {1, 2, 3}) {
    AddContact(c, q);
    Advance(absl::Seconds(1));
  }
  CCENGINE_ASSERT_OK(engine_->SetPriority(C(3), 2));
  auto p = EventsOf(EventType::kPriorityChanged);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].priority, 2);
  EXPECT_EQ(Position(3), 1);
  EXPECT_EQ(Position(1), 2);
  EXPECT_EQ(engine_->GetContact(C(3))->priority, 2);
  auto before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->SetPriority(C(3), 10), kInvalidArgument);
  CCENGINE_EXPECT_CODE(engine_->SetPriority(C(3), -1), kInvalidArgument);
  CCENGINE_EXPECT_CODE(engine_->SetPriority(C(9), 1), kNotFound);
  ExpectUnchanged(before);
  AddAgent(1);
  EXPECT_EQ(Holder(3), 1u);
  Accept(1, 3);
  before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->SetPriority(C(3), 0), kFailedPrecondition);
  ExpectUnchanged(before);
}

// --- Rejected and unanswered offers ------------------------------------------------------------------

TEST_F(JourneyTest, OfferCallsOnTheWrongAgentOrStateChangeNothing) {
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
  CCENGINE_EXPECT_CODE(engine_->CompleteContact(A(2), C(10)), kFailedPrecondition);
  ExpectUnchanged(before);
}

TEST_F(JourneyTest, RejectedContactKeepsItsPlaceAheadOfNewerContacts) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(1, q);  // rings at 1
  AdvanceTo(1);
  AddContact(2, q);
  AdvanceTo(2);
  AddContact(3, q);
  AdvanceTo(3);
  CCENGINE_ASSERT_OK(engine_->RejectOffer(A(1), C(1)));
  auto r = EventsOf(EventType::kRejected);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].agent, A(1));
  EXPECT_EQ(Holder(2), 1u);  // the rejecting agent moves on
  EXPECT_EQ(Position(1), 1);
  EXPECT_EQ(Position(3), 2);
  AddAgent(2);
  EXPECT_EQ(Holder(1), 2u);
}

TEST_F(JourneyTest, RejectedContactIsNotOfferedAgainToTheRejectingAgent) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(1, q);
  CCENGINE_ASSERT_OK(engine_->RejectOffer(A(1), C(1)));
  EXPECT_EQ(StateOf(1), AgentState::kAvailable);
  AddContact(2, q);
  Accept(1, 2);
  Complete(1, 2);
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(1)));
  CCENGINE_ASSERT_OK(engine_->SetReady(A(1)));
  AdvanceTo(3600);
  EXPECT_EQ(ContactStateOf(1), ContactState::kWaiting);
  EXPECT_EQ(engine_->GetContact(C(1))->excluded, std::vector<AgentId>{A(1)});
  AddAgent(2);
  EXPECT_EQ(Holder(1), 2u);
}

TEST_F(JourneyTest, OfferTimeoutReturnsContactToItsPlaceAndSkipsThatAgent) {
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

TEST_F(JourneyTest, ContactThatTimedOutIsNeverOfferedToThatAgentAgain) {
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

}  // namespace
}  // namespace ccengine
