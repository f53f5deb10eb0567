// Exactly-once: offer ids (Event::offer) that answers may name, so that a
// retried or late answer is recognised; and producer command numbers
// (CommandOrigin), so that a resent command is applied once.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/commands.h"
#include "ccengine/core/engine.h"
#include "gtest/gtest.h"
#include "testing/engine_fixture.h"

namespace ccengine::test {
namespace {

class ExactlyOnceTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    QueueConfig q = QueueSpec("tax");
    q.offer_timeout = absl::Seconds(10);
    queue_ = AddQueue(q);
  }
  ContactSpec Call(uint64_t id) {
    ContactSpec s;
    s.id = C(id);
    s.queue = queue_;
    return s;
  }
  uint64_t OfferOf(uint64_t contact) const {
    return engine_->GetContact(C(contact))->offer;
  }
  QueueId queue_;
};

TEST_F(ExactlyOnceTest, OffersAreNumberedInTheOrderTheyAreMade) {
  AddAgent(1);
  AddAgent(2);
  AddContact(Call(10));
  AddContact(Call(11));
  const std::vector<Event> offered = EventsOf(EventType::kOffered);
  ASSERT_EQ(offered.size(), 2u);
  EXPECT_EQ(offered[0].offer, 1u);
  EXPECT_EQ(offered[1].offer, 2u);
  EXPECT_EQ(OfferOf(10), 1u);
  EXPECT_EQ(OfferOf(11), 2u);
  CCENGINE_ASSERT_OK(engine_->AcceptOffer(A(1), C(10), 1));
  EXPECT_EQ(EventsOf(EventType::kAccepted).back().offer, 1u);
  EXPECT_EQ(OfferOf(10), 1u) << "in service under the offer it accepted";
}

TEST_F(ExactlyOnceTest, AcceptingTheSameOfferTwiceChangesNothing) {
  AddAgent(1);
  AddContact(Call(10));
  const uint64_t offer = OfferOf(10);
  CCENGINE_ASSERT_OK(engine_->Apply(cmd::AcceptOffer{A(1), C(10), offer}));
  const size_t events = events_.size();
  const AgentSnapshot before = AgentNow(1);
  CCENGINE_ASSERT_OK(engine_->Apply(cmd::AcceptOffer{A(1), C(10), offer}));
  EXPECT_EQ(events_.size(), events);
  EXPECT_EQ(AgentNow(1).handled, before.handled);
  EXPECT_EQ(Stats(queue_).answered, 1u);
  // Without the offer's id the second answer is an error, as it always was.
  CCENGINE_EXPECT_CODE(engine_->AcceptOffer(A(1), C(10)), kFailedPrecondition);
}

TEST_F(ExactlyOnceTest, ALateAnswerToAnOfferThatMovedOnFails) {
  AddAgent(1);
  AddContact(Call(10));
  const uint64_t first = OfferOf(10);
  Advance(absl::Seconds(11));  // no answer: the offer times out
  AddAgent(2);                 // and the call rings agent 2
  ASSERT_EQ(Holder(10), std::optional<uint64_t>(2));
  const uint64_t second = OfferOf(10);
  EXPECT_GT(second, first);
  // Agent 1's answer to the first offer arrives late: stale.
  const absl::Status late = engine_->AcceptOffer(A(1), C(10), first);
  EXPECT_EQ(late.code(), absl::StatusCode::kFailedPrecondition) << late;
  EXPECT_NE(late.message().find("is not its latest"), std::string::npos) << late;
  CCENGINE_EXPECT_CODE(engine_->RejectOffer(A(2), C(10), first), kFailedPrecondition);
  EXPECT_EQ(ContactStateOf(10), ContactState::kOffered);
  EXPECT_EQ(Holder(10), std::optional<uint64_t>(2));
  CCENGINE_ASSERT_OK(engine_->RejectOffer(A(2), C(10), second));
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
}

TEST_F(ExactlyOnceTest, AProducersCommandIsAppliedOnce) {
  AddAgent(1, {}, /*login=*/false);
  const CommandOrigin bridge{7, 1};
  CCENGINE_ASSERT_OK(engine_->Apply(cmd::Login{A(1)}, bridge));
  EXPECT_EQ(engine_->ProducerSequence(7), 1u);
  CCENGINE_ASSERT_OK(engine_->Apply(cmd::AddContact{Call(10)}, {7, 2}));
  ASSERT_EQ(ContactStateOf(10), ContactState::kOffered);
  // The bridge crashed before it saw the replies and sends both again.
  const size_t events = events_.size();
  const absl::Status again = engine_->Apply(cmd::Login{A(1)}, bridge);
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists) << again;
  EXPECT_NE(again.message().find("command 1 of producer 7 was applied already"),
            std::string::npos)
      << again;
  CCENGINE_EXPECT_CODE(engine_->Apply(cmd::AddContact{Call(10)}, {7, 2}), kAlreadyExists);
  EXPECT_EQ(events_.size(), events);
  EXPECT_EQ(engine_->GetAccounting().entered, 1u);
  // Gaps are allowed; another producer has its own numbers.
  CCENGINE_ASSERT_OK(engine_->Apply(cmd::AddContact{Call(11)}, {7, 10}));
  CCENGINE_ASSERT_OK(engine_->Apply(cmd::AddContact{Call(12)}, {8, 1}));
  CCENGINE_EXPECT_CODE(engine_->Apply(cmd::AddContact{Call(13)}, {7, 9}), kAlreadyExists);
  EXPECT_FALSE(engine_->GetContact(C(13)).ok());
  CCENGINE_EXPECT_CODE(engine_->Apply(cmd::AddContact{Call(13)}, {7, 0}),
                       kInvalidArgument);
  EXPECT_EQ(engine_->ProducerSequence(7), 10u);
  EXPECT_EQ(engine_->ProducerSequence(9), 0u);
}

TEST_F(ExactlyOnceTest, ARefusedCommandStillUsesItsNumber) {
  // The refusal was the answer; a resend gets AlreadyExists, not the work.
  CCENGINE_EXPECT_CODE(engine_->Apply(cmd::Logout{A(99)}, {3, 1}), kNotFound);
  CCENGINE_EXPECT_CODE(engine_->Apply(cmd::Logout{A(99)}, {3, 1}), kAlreadyExists);
}

TEST_F(ExactlyOnceTest, ThroughTheIntakeARefusalNamesTheOrigin) {
  AddAgent(1);
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::AddContact{Call(10)}, {5, 4}));
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::AddContact{Call(10)}, {5, 4}));
  CCENGINE_ASSERT_OK(engine_->Poll(engine_->Now()));
  const std::vector<Event> failed = EventsOf(EventType::kCommandFailed);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(failed[0].origin, (CommandOrigin{5, 4}));
  EXPECT_EQ(engine_->GetAccounting().entered, 1u);
}

TEST_F(ExactlyOnceTest, TheNumberOfProducersIsBounded) {
  EngineOptions options;
  options.max_producers = 2;
  Reset(options);
  CCENGINE_EXPECT_CODE(engine_->Apply(cmd::Logout{A(1)}, {1, 1}), kNotFound);
  CCENGINE_EXPECT_CODE(engine_->Apply(cmd::Logout{A(1)}, {2, 1}), kNotFound);
  CCENGINE_EXPECT_CODE(engine_->Apply(cmd::Logout{A(1)}, {3, 1}), kResourceExhausted);
  EXPECT_EQ(engine_->ProducerSequence(3), 0u);
  CCENGINE_EXPECT_CODE(engine_->Apply(cmd::Logout{A(1)}, {2, 2}), kNotFound);
}

TEST_F(ExactlyOnceTest, TheNumbersAreInTheEnginesState) {
  AddAgent(1);
  CCENGINE_ASSERT_OK(engine_->Apply(cmd::AddContact{Call(10)}, {7, 41}));
  std::string state;
  engine_->SaveState(state);
  EngineOptions options;
  options.start = absl::UnixEpoch();
  std::unique_ptr<Engine> restored = *Engine::Create(options);
  QueueConfig q = QueueSpec("tax");
  q.offer_timeout = absl::Seconds(10);
  ASSERT_TRUE(restored->AddQueue(q).ok());
  CCENGINE_ASSERT_OK(restored->LoadState(state));
  EXPECT_EQ(restored->ProducerSequence(7), 41u);
  CCENGINE_EXPECT_CODE(restored->Apply(cmd::AddContact{Call(10)}, {7, 41}),
                       kAlreadyExists);
  EXPECT_EQ(restored->GetContact(C(10))->offer, OfferOf(10));
  // A restored engine accepts the offer its predecessor made, once.
  CCENGINE_ASSERT_OK(restored->AcceptOffer(A(1), C(10), OfferOf(10)));
  CCENGINE_ASSERT_OK(restored->AcceptOffer(A(1), C(10), OfferOf(10)));
  EXPECT_EQ(restored->GetQueueStats(queue_)->answered, 1u);
}

}  // namespace
}  // namespace ccengine::test
