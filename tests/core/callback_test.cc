// Engine: callbacks (virtual hold) — a waiting caller leaves the line, keeps
// its place, is routed on the callback channel, cannot abandon from the line,
// and every refusal leaves the engine untouched.

#include <string>
#include <vector>

#include "ccengine/core/engine.h"
#include "gtest/gtest.h"
#include "testing/journey_fixture.h"

namespace ccengine {
namespace {

using test::A;
using test::At;
using test::C;

class CallbackTest : public test::JourneyFixture {
 protected:
  // An agent that takes calls but no callbacks, and one that takes only
  // callbacks.
  static AgentConfig VoiceOnly(uint64_t id) {
    AgentConfig a = AgentSpec(id);
    a.capacity.max_per_channel = {1, 0, 0, 0, 0, 0, 0};
    return a;
  }
  static AgentConfig CallbackOnly(uint64_t id) {
    AgentConfig a = AgentSpec(id);
    a.capacity.max_per_channel = {0, 0, 0, 0, 1, 0, 0};
    return a;
  }
};

TEST_F(CallbackTest, CallbackKeepsItsPlaceAgainstLaterArrivals) {
  QueueId q = AddQueue("q");
  AddAgent(1);  // default capacity: 1 voice or 1 callback (both exclusive)
  AddContact(9, q);
  Accept(1, 9);
  AdvanceTo(10);
  AddContact(10, q);
  AdvanceTo(20);
  AddContact(11, q);
  AdvanceTo(30);
  AddContact(12, q);
  AdvanceTo(40);
  CCENGINE_ASSERT_OK(engine_->RequestCallback(C(10)));
  EXPECT_EQ(Position(10), 1);
  EXPECT_EQ(Position(11), 2);
  auto snap = engine_->GetContact(C(10)).value();
  EXPECT_EQ(snap.channel, Channel::kCallback);
  EXPECT_EQ(snap.original_channel, Channel::kVoice);
  EXPECT_EQ(snap.arrived_at, At(10));  // the wait start is kept
  EXPECT_EQ(snap.queued_at, At(10));
  EXPECT_EQ(snap.callback_requested_at, At(40));
  EXPECT_EQ(snap.state, ContactState::kWaiting);
  Complete(1, 9);
  EXPECT_EQ(Holder(10), 1u);  // ahead of 11 and 12, which came later
  auto offered = EventsOf(EventType::kOffered);
  EXPECT_EQ(offered.back().channel, Channel::kCallback);
  Accept(1, 10);  // the agent calls the customer back
  EXPECT_EQ(AgentNow(1).active_per_channel[static_cast<int>(Channel::kCallback)], 1);
  AdvanceTo(100);
  Complete(1, 10);
  EXPECT_EQ(Holder(11), 1u);
}

TEST_F(CallbackTest, LaterCallerWithAHigherScoreStillGoesFirst) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(9, q);
  Accept(1, 9);
  AddContact(10, q);
  AddContact(11, q, Channel::kVoice, /*priority=*/2);
  CCENGINE_ASSERT_OK(engine_->RequestCallback(C(10)));
  EXPECT_EQ(Position(10), 2);  // its score, not a jump ahead
  Complete(1, 9);
  EXPECT_EQ(Holder(11), 1u);
}

TEST_F(CallbackTest, OfferedOnTheCallbackChannelOnlyToAgentsWithCallbackCapacity) {
  QueueId q = AddQueue("q");
  AddAgent(VoiceOnly(1));
  AddAgent(VoiceOnly(2));
  AddContact(9, q);
  Accept(1, 9);
  AddContact(8, q);
  Accept(2, 8);
  AddContact(10, q);
  AddAgent(CallbackOnly(3));  // free, but takes no calls
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  AdvanceTo(5);
  CCENGINE_ASSERT_OK(engine_->RequestCallback(C(10)));
  EXPECT_EQ(Holder(10), 3u);  // at once: 3 can take it now
  std::vector<EventType> order;
  for (const Event& e : events_) {
    if (e.has_contact && e.contact == C(10)) order.push_back(e.type);
  }
  EXPECT_EQ(order,
            (std::vector<EventType>{EventType::kContactQueued,
                                    EventType::kCallbackRequested, EventType::kOffered}));
}

TEST_F(CallbackTest, VoiceOnlyAgentFreeingUpDoesNotTakeACallback) {
  QueueId q = AddQueue("q");
  AddAgent(VoiceOnly(1));
  AddContact(9, q);
  Accept(1, 9);
  AddContact(10, q);
  CCENGINE_ASSERT_OK(engine_->RequestCallback(C(10)));
  AddContact(11, q);
  Complete(1, 9);
  EXPECT_EQ(Holder(11), 1u);
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  AddAgent(CallbackOnly(3));  // logs in: takes the callback
  EXPECT_EQ(Holder(10), 3u);
}

TEST_F(CallbackTest, EventSnapshotAndStatsShowTheCallback) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(9, q);
  Accept(1, 9);
  AdvanceTo(3);
  AddContact(10, q, Channel::kVoice, 2);
  AdvanceTo(25);
  const Accounting before = engine_->GetAccounting();
  CCENGINE_ASSERT_OK(engine_->RequestCallback(C(10)));
  auto events = EventsOf(EventType::kCallbackRequested);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].contact, C(10));
  EXPECT_EQ(events[0].queue, q);
  EXPECT_EQ(events[0].channel, Channel::kCallback);
  EXPECT_EQ(events[0].priority, 2);
  EXPECT_EQ(events[0].wait, absl::Seconds(22));
  EXPECT_EQ(events[0].time, At(25));
  EXPECT_EQ(DescribeEvent(events[0]),
            "callback_requested at 1970-01-01T00:00:25+00:00 contact=10 queue=0");
  QueueStats stats = Stats(q);
  EXPECT_EQ(stats.callbacks_requested, 1u);
  EXPECT_EQ(stats.waiting, 1u);
  EXPECT_EQ(stats.entered, 2u);
  EXPECT_EQ(stats.longest_wait, absl::Seconds(22));
  const Accounting after = engine_->GetAccounting();
  EXPECT_EQ(after.waiting, before.waiting);
  EXPECT_EQ(after.entered, before.entered);
  EXPECT_TRUE(after.Balanced());
  // Answered and completed like any contact.
  Complete(1, 9);
  Accept(1, 10);
  AdvanceTo(60);
  Complete(1, 10);
  stats = Stats(q);
  EXPECT_EQ(stats.answered, 2u);
  EXPECT_EQ(stats.completed, 2u);
  EXPECT_EQ(stats.abandoned, 0u);
  EXPECT_TRUE(engine_->GetAccounting().Balanced());
}

TEST_F(CallbackTest, CallbackCannotAbandonFromTheLine) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(9, q);
  Accept(1, 9);
  AddContact(10, q);
  CCENGINE_ASSERT_OK(engine_->RequestCallback(C(10)));
  WatchContact(10);
  auto before = FreezeAll();
  absl::Status st = engine_->Abandon(C(10));
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(),
            "contact 10 is a callback: its customer is no longer on the line "
            "(withdraw it to cancel the callback)");
  ExpectAllUnchanged(before);
  // Ringing at the agent: still refused.
  Complete(1, 9);
  ASSERT_EQ(Holder(10), 1u);
  before = FreezeAll();
  CCENGINE_EXPECT_CODE(engine_->Abandon(C(10)), kFailedPrecondition);
  ExpectAllUnchanged(before);
  // Connected: the customer may hang up on the agent.
  Accept(1, 10);
  CCENGINE_ASSERT_OK(engine_->Abandon(C(10)));
  auto completed = EventsOf(EventType::kCompleted);
  ASSERT_FALSE(completed.empty());
  EXPECT_EQ(completed.back().reason, EventReason::kCustomerHangup);
  EXPECT_EQ(Stats(q).abandoned, 0u);
}

TEST_F(CallbackTest, WithdrawCancelsAWaitingCallback) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(9, q);
  Accept(1, 9);
  AddContact(10, q);
  CCENGINE_ASSERT_OK(engine_->RequestCallback(C(10)));
  CCENGINE_ASSERT_OK(engine_->Withdraw(C(10)));
  EXPECT_EQ(engine_->GetAccounting().withdrawn, 1u);
  EXPECT_EQ(Stats(q).waiting, 0u);
}

TEST_F(CallbackTest, MaxWaitStillAppliesToACallback) {
  QueueConfig config = QueueSpec("q");
  config.max_wait = absl::Seconds(60);
  QueueId q = AddQueue(config);
  AddAgent(1);
  AddContact(9, q);
  Accept(1, 9);
  AddContact(10, q);
  AdvanceTo(30);
  CCENGINE_ASSERT_OK(engine_->RequestCallback(C(10)));
  AdvanceTo(60);
  auto overflowed = EventsOf(EventType::kOverflowed);
  ASSERT_EQ(overflowed.size(), 1u);
  EXPECT_EQ(overflowed[0].contact, C(10));
  EXPECT_EQ(overflowed[0].reason, EventReason::kMaxWait);
}

TEST_F(CallbackTest, RejectedCallbackKeepsItsPlaceOnTheCallbackChannel) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddAgent(2);
  AddContact(8, q);
  Accept(1, 8);
  AddContact(9, q);
  Accept(2, 9);
  AddContact(10, q);
  AdvanceTo(5);
  AddContact(11, q);
  CCENGINE_ASSERT_OK(engine_->RequestCallback(C(10)));
  Complete(1, 8);
  ASSERT_EQ(Holder(10), 1u);
  CCENGINE_ASSERT_OK(engine_->RejectOffer(A(1), C(10)));
  EXPECT_EQ(Holder(11), 1u);
  EXPECT_EQ(Position(10), 1);
  EXPECT_EQ(engine_->GetContact(C(10))->channel, Channel::kCallback);
  Complete(2, 9);
  EXPECT_EQ(Holder(10), 2u);
}

TEST_F(CallbackTest, TransferredCallbackStaysACallback) {
  QueueId q = AddQueue("q");
  QueueId other = AddQueue("other");
  AddAgent(VoiceOnly(1));
  AddContact(9, q);
  Accept(1, 9);
  AddContact(10, q);
  CCENGINE_ASSERT_OK(engine_->RequestCallback(C(10)));
  CCENGINE_ASSERT_OK(engine_->Transfer(C(10), other));
  auto snap = engine_->GetContact(C(10)).value();
  EXPECT_EQ(snap.channel, Channel::kCallback);
  EXPECT_TRUE(snap.callback_requested_at.has_value());
  CCENGINE_EXPECT_CODE(engine_->Abandon(C(10)), kFailedPrecondition);
  AddAgent(CallbackOnly(2));
  EXPECT_EQ(Holder(10), 2u);
}

TEST_F(CallbackTest, RefusedRequestsLeaveEverythingAsItWas) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddAgent(ChatAgentSpec(2));
  AddContact(9, q);                       // offered to 1
  AddContact(10, q);                      // waiting
  AddContact(11, q, Channel::kChat);      // offered to 2
  AddContact(12, q, Channel::kEmail);     // waiting (nobody takes email)
  AddContact(13, q, Channel::kCallback);  // a web callback from the start
  AddContact(14, q);
  CCENGINE_ASSERT_OK(engine_->RequestCallback(C(14)));
  for (uint64_t id : {9, 10, 11, 12, 13, 14}) WatchContact(id);
  WatchContact(99);
  struct Case {
    uint64_t contact;
    absl::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {99, absl::StatusCode::kNotFound, "unknown contact 99"},
      {9, absl::StatusCode::kFailedPrecondition,
       "contact 9 is offered, not waiting; only a waiting caller can ask for a "
       "callback"},
      {12, absl::StatusCode::kFailedPrecondition,
       "contact 12 is on email; only voice and video callers can ask for a "
       "callback"},
      {13, absl::StatusCode::kFailedPrecondition, "contact 13 is already a callback"},
      {14, absl::StatusCode::kFailedPrecondition,
       "contact 14 already asked for a callback"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.contact);
    auto before = FreezeAll();
    absl::Status st = engine_->RequestCallback(C(c.contact));
    EXPECT_EQ(st.code(), c.code) << st;
    EXPECT_EQ(st.message(), c.message);
    ExpectAllUnchanged(before);
  }
  // In service: refused too.
  Accept(1, 9);
  auto before = FreezeAll();
  CCENGINE_EXPECT_CODE(engine_->RequestCallback(C(9)), kFailedPrecondition);
  ExpectAllUnchanged(before);
}

TEST_F(CallbackTest, VideoCallerMayAskForACallback) {
  QueueId q = AddQueue("q");
  AddContact(10, q, Channel::kVideo);
  CCENGINE_ASSERT_OK(engine_->RequestCallback(C(10)));
  auto snap = engine_->GetContact(C(10)).value();
  EXPECT_EQ(snap.original_channel, Channel::kVideo);
  EXPECT_EQ(snap.channel, Channel::kCallback);
}

TEST_F(CallbackTest, CommandThroughTheIntakeMatchesTheSynchronousCall) {
  QueueId q = AddQueue("q");
  AddAgent(CallbackOnly(3), /*login=*/false);
  AddContact(10, q);
  AddContact(11, q, Channel::kChat);
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::RequestCallback{C(10)}));
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::RequestCallback{C(11)}));
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::Login{A(3)}));
  ASSERT_TRUE(engine_->Poll(At(1)).ok());
  EXPECT_EQ(Holder(10), 3u);
  auto failed = EventsOf(EventType::kCommandFailed);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].status, engine_->RequestCallback(C(11)));
  EXPECT_EQ(failed[0].status.code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(CallbackTest, CallbackHonoursAPreferenceStillInForce) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddAgent(2);
  AddContact(8, q);
  Accept(1, 8);
  AddContact(9, q);
  Accept(2, 9);
  AddContact(Preferring(10, q, {2}, 60));
  AddContact(11, q);
  CCENGINE_ASSERT_OK(engine_->RequestCallback(C(10)));
  EXPECT_EQ(PreferredOf(10), std::vector<uint64_t>{2});
  Complete(1, 8);
  EXPECT_EQ(Holder(11), 1u);  // 10 is still reserved for 2
  Complete(2, 9);
  EXPECT_EQ(Holder(10), 2u);
  EXPECT_EQ(EventsOf(EventType::kOffered).back().channel, Channel::kCallback);
}

TEST_F(CallbackTest, CallbackEndsAPreferenceForAnAgentWithoutCallbackCapacity) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddAgent(VoiceOnly(2));
  AddContact(8, q);
  Accept(1, 8);
  AddContact(9, q);
  Accept(2, 9);
  AddContact(Preferring(10, q, {2}, 60));
  CCENGINE_ASSERT_OK(engine_->RequestCallback(C(10)));
  auto ended = EventsOf(EventType::kPreferenceEnded);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].reason, EventReason::kNoPreferredAgent);
  Complete(1, 8);
  EXPECT_EQ(Holder(10), 1u);
}

}  // namespace
}  // namespace ccengine
