// Auto-accept agents (AgentConfig::auto_accept): every offer is accepted as
// it is made — kOffered then kAccepted at the same instant, no ringing, no
// offer timeout, available → busy with no reserved state in between — on
// both decisions (a contact arrives, an agent frees up), for voice and for a
// multi-chat desk that fills up in one step.

#include <string>
#include <vector>

#include "ccengine/core/engine.h"
#include "gtest/gtest.h"
#include "testing/engine_fixture.h"

namespace ccengine {
namespace {

using test::A;
using test::C;

class AutoAcceptTest : public test::EngineFixture {
 protected:
  AgentConfig AutoAgent(uint64_t id) {
    AgentConfig a = AgentSpec(id);
    a.auto_accept = true;
    return a;
  }
  // Event types, in order, for one contact.
  std::vector<EventType> TypesFor(uint64_t contact) const {
    std::vector<EventType> out;
    for (const Event& e : events_) {
      if (e.has_contact && e.contact == C(contact)) out.push_back(e.type);
    }
    return out;
  }
};

TEST_F(AutoAcceptTest, ArrivalIsOfferedAndAcceptedInOneStep) {
  QueueId q = AddQueue("general");
  AddAgent(AutoAgent(1));
  ClearEvents();
  AdvanceTo(5);
  AddContact(10, q);
  EXPECT_EQ(TypesFor(10),
            (std::vector<EventType>{EventType::kContactQueued, EventType::kOffered,
                                    EventType::kAccepted}));
  ASSERT_EQ(CountOf(EventType::kAccepted), 1u);
  const Event accepted = EventsOf(EventType::kAccepted)[0];
  EXPECT_EQ(accepted.agent, A(1));
  EXPECT_EQ(accepted.time, EventsOf(EventType::kOffered)[0].time);
  EXPECT_EQ(accepted.wait, absl::ZeroDuration());
  // Straight from available to busy: never announced as reserved.
  EXPECT_EQ(StatesAnnounced(1), std::vector<AgentState>{AgentState::kBusy});
  EXPECT_EQ(ContactStateOf(10), ContactState::kInService);
  EXPECT_EQ(AgentNow(1).handled, 1u);
  EXPECT_TRUE(AgentNow(1).auto_accept);
  EXPECT_EQ(Stats(q).answered, 1u);
  const Accounting acc = engine_->GetAccounting();
  EXPECT_EQ(acc.offered, 0u);
  EXPECT_EQ(acc.in_service, 1u);
  // Nothing rings, so there is nothing to accept (or reject) any more.
  CCENGINE_EXPECT_CODE(engine_->AcceptOffer(A(1), C(10)), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(engine_->RejectOffer(A(1), C(10)), kFailedPrecondition);
  Complete(1, 10);
  EXPECT_EQ(StatesAnnounced(1),
            (std::vector<AgentState>{AgentState::kBusy, AgentState::kAvailable}));
  EXPECT_EQ(engine_->GetAccounting().completed, 1u);
}

TEST_F(AutoAcceptTest, NoOfferTimeoutRuns) {
  QueueConfig config = QueueSpec("general");
  config.offer_timeout = absl::Seconds(10);
  QueueId q = AddQueue(config);
  AddAgent(AutoAgent(1));
  AddContact(10, q);
  EXPECT_FALSE(engine_->NextTimerAt().has_value());
  AdvanceTo(100);
  EXPECT_EQ(CountOf(EventType::kOfferTimedOut), 0u);
  EXPECT_EQ(ContactStateOf(10), ContactState::kInService);
  EXPECT_EQ(AgentNow(1).consecutive_no_answers, 0u);
}

TEST_F(AutoAcceptTest, AgentThatFreesUpTakesTheNextContactAtOnce) {
  QueueId q = AddQueue("general");
  AddAgent(AutoAgent(1));
  AddContact(10, q);
  AdvanceTo(1);
  AddContact(11, q);
  AdvanceTo(2);
  AddContact(12, q);
  EXPECT_EQ(ContactStateOf(11), ContactState::kWaiting);
  AdvanceTo(30);
  ClearEvents();
  Complete(1, 10);
  // The oldest waiting contact, answered in the same call; 12 waits on.
  EXPECT_EQ(ContactStateOf(11), ContactState::kInService);
  EXPECT_EQ(Holder(11), 1u);
  EXPECT_EQ(ContactStateOf(12), ContactState::kWaiting);
  ASSERT_EQ(CountOf(EventType::kAccepted), 1u);
  EXPECT_EQ(EventsOf(EventType::kAccepted)[0].wait, absl::Seconds(29));
  EXPECT_EQ(StatesAnnounced(1),
            (std::vector<AgentState>{AgentState::kAvailable, AgentState::kBusy}));
  EXPECT_EQ(Stats(q).waiting, 1u);
}

TEST_F(AutoAcceptTest, LoginAnswersTheWaitingContact) {
  QueueId q = AddQueue("general");
  AddAgent(AutoAgent(1), /*login=*/false);
  AddContact(10, q);
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  AdvanceTo(4);
  ASSERT_TRUE(engine_->Login(A(1)).ok());
  EXPECT_EQ(ContactStateOf(10), ContactState::kInService);
  EXPECT_EQ(StateOf(1), AgentState::kBusy);
}

TEST_F(AutoAcceptTest, ChatDeskFillsUpToItsCapacityInOneStep) {
  QueueId q = AddQueue("chat");
  AgentConfig desk = ChatAgentSpec(1);  // up to 3 chats
  desk.auto_accept = true;
  AddAgent(desk, /*login=*/false);
  for (uint64_t id = 10; id < 15; ++id) {
    AddContact(id, q, Channel::kChat);
    AdvanceTo(static_cast<double>(id - 9));
  }
  ClearEvents();
  ASSERT_TRUE(engine_->Login(A(1)).ok());
  // The three oldest, in their order; the other two wait.
  std::vector<std::pair<uint64_t, uint64_t>> want = {{10, 1}, {11, 1}, {12, 1}};
  EXPECT_EQ(Offers(), want);
  EXPECT_EQ(CountOf(EventType::kAccepted), 3u);
  EXPECT_EQ(AgentNow(1).active_per_channel[static_cast<int>(Channel::kChat)], 3);
  EXPECT_EQ(ContactStateOf(13), ContactState::kWaiting);
  EXPECT_EQ(ContactStateOf(14), ContactState::kWaiting);
  // One chat ends: the next one is answered at once.
  Complete(1, 11);
  EXPECT_EQ(ContactStateOf(13), ContactState::kInService);
  EXPECT_EQ(ContactStateOf(14), ContactState::kWaiting);
}

TEST_F(AutoAcceptTest, OnlyTheAutoAcceptAgentSkipsRinging) {
  QueueId q = AddQueue("general");
  AddAgent(1);  // rings
  AddAgent(AutoAgent(2));
  AddContact(10, q);  // agent 1 has been idle longer
  AddContact(11, q);
  EXPECT_EQ(ContactStateOf(10), ContactState::kOffered);
  EXPECT_EQ(Holder(10), 1u);
  EXPECT_EQ(StateOf(1), AgentState::kReserved);
  EXPECT_EQ(ContactStateOf(11), ContactState::kInService);
  EXPECT_EQ(Holder(11), 2u);
  EXPECT_FALSE(AgentNow(1).auto_accept);
}

TEST_F(AutoAcceptTest, WorksThroughTheIntakeAndAfterRelaxation) {
  SkillId cantonese = Skill("cantonese");
  QueueConfig config = QueueSpec("hk", {{cantonese, 5}});
  config.relaxation = {RoutingStep{absl::Seconds(30), {}}};
  QueueId q = AddQueue(config);
  AddAgent(AutoAgent(1));  // no Cantonese: qualifies only from step 1
  ASSERT_TRUE(engine_->Submit(cmd::AddContact{ContactSpecFor(10, q)}).ok());
  TrackContact(10);
  ASSERT_TRUE(engine_->Poll(test::At(1)).ok());
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  AdvanceTo(31);
  EXPECT_EQ(ContactStateOf(10), ContactState::kInService);
  ASSERT_EQ(CountOf(EventType::kAccepted), 1u);
  EXPECT_EQ(EventsOf(EventType::kAccepted)[0].wait, absl::Seconds(30));  // from t=1
}

}  // namespace
}  // namespace ccengine
