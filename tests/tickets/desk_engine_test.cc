// The ticket desk with a real engine: a queued ticket is a contact on the
// ticket channel, signing for it is accepting the offer, it blends with calls
// under the agent's capacity, it keeps its age when returned and dispatched
// again, and a desk opened again dispatches its queued tickets once.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/clock.h"
#include "ccengine/core/engine.h"
#include "ccengine/tickets/desk.h"
#include "ccengine/tickets/store.h"
#include "gtest/gtest.h"
#include "ticket_test_util.h"

namespace ccengine::tickets {
namespace {

using S = TicketState;

class DeskEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.Set(absl::UnixEpoch() + absl::Hours(24 * 365 * 56));
    NewEngine();
    AgentConfig a;
    a.id = AgentId{7};
    ASSERT_TRUE(engine_->AddAgent(a).ok());
    ASSERT_TRUE(engine_->Login(AgentId{7}).ok());
    store_ = std::shared_ptr<TicketStore>(NewMemoryTicketStore());
    OpenDesk();
  }

  // A fresh engine at the clock's time with the two queues, recording events.
  void NewEngine() {
    EngineOptions options;
    options.start = clock_.Now();
    engine_ = Engine::Create(options).value();
    QueueConfig q;
    q.name = "城管";
    queue_ = engine_->AddQueue(q).value();
    q.name = "督办";
    escalation_ = engine_->AddQueue(q).value();
    engine_events_.clear();
    engine_->Subscribe([this](const Event& e) { engine_events_.push_back(e); });
  }

  void OpenDesk() {
    TicketDeskOptions options;
    options.engine = engine_.get();
    options.clock = &clock_;
    desk_ =
        TicketDesk::Open(std::make_unique<testing::Forwarding>(store_), options).value();
    engine_->Subscribe(desk_->EngineEventCallback(), TicketDesk::kEngineEvents);
    TicketCategory noise;
    noise.name = "noise";
    noise.department = "城管";
    noise.queue = queue_;
    noise.first_response = absl::Minutes(30);
    noise.resolution = absl::Hours(8);
    noise.escalation_queue = escalation_;
    ASSERT_TRUE(desk_->AddCategory(noise).ok());
  }

  // The router's turn: apply the desk's commands, then the desk's turn.
  void Route() {
    ASSERT_TRUE(engine_->Poll(clock_.Now()).ok());
    ASSERT_TRUE(desk_->Tick().ok());
  }

  void Advance(absl::Duration d) {
    clock_.Advance(d);
    Route();
  }

  std::vector<Event> Of(EventType type) const {
    std::vector<Event> out;
    for (const Event& e : engine_events_) {
      if (e.type == type) out.push_back(e);
    }
    return out;
  }

  ContactId ContactOf(TicketId id) const { return ContactId{(uint64_t{1} << 62) + id}; }

  Ticket Create(std::string text) {
    CreateRequest r;
    r.category = "noise";
    r.text = std::move(text);
    r.dedupe = false;
    return desk_->Create(r).value().ticket;
  }

  ManualClock clock_;
  std::unique_ptr<Engine> engine_;
  QueueId queue_;
  QueueId escalation_;
  std::shared_ptr<TicketStore> store_;
  std::unique_ptr<TicketDesk> desk_;
  std::vector<Event> engine_events_;
};

TEST_F(DeskEngineTest, SigningForIsAcceptingTheOffer) {
  Ticket t = Create("楼下烧烤店噪音扰民");
  EXPECT_EQ(t.state, S::kQueued);
  Route();
  ASSERT_EQ(Of(EventType::kOffered).size(), 1u);
  const Event offer = Of(EventType::kOffered)[0];
  EXPECT_EQ(offer.contact, ContactOf(t.id));
  EXPECT_EQ(offer.channel, Channel::kTicket);
  EXPECT_EQ(offer.queue, queue_);
  ASSERT_TRUE(engine_->AcceptOffer(AgentId{7}, offer.contact).ok());
  ASSERT_TRUE(desk_->Tick().ok());
  Ticket signed_for = desk_->Get(t.id).value();
  EXPECT_EQ(signed_for.state, S::kAssigned);
  EXPECT_EQ(signed_for.assignee, "7");
  EXPECT_TRUE(signed_for.first_response.stopped);
  EXPECT_FALSE(signed_for.first_response.breached);

  // The ticket holds one of the agent's ticket slots until it is resolved.
  EXPECT_EQ(engine_->GetAgent(AgentId{7})->contacts.size(), 1u);
  ASSERT_TRUE(desk_->Start(t.id, "7").ok());
  ASSERT_TRUE(desk_->Resolve(t.id, "7", "已处理").ok());
  Route();
  EXPECT_EQ(Of(EventType::kCompleted).size(), 1u);
  EXPECT_TRUE(engine_->GetAgent(AgentId{7})->contacts.empty());
  EXPECT_TRUE(engine_->GetAccounting().Balanced());
}

TEST_F(DeskEngineTest, TicketsBlendWithCallsUnderTheAgentsCapacity) {
  Ticket a = Create("噪音一");
  Ticket b = Create("噪音二");
  Ticket c = Create("噪音三");
  // One offer rings at a time; two ticket slots (the default capacity), so
  // the third waits.
  for (int i = 0; i < 3; ++i) {
    Route();
    const std::vector<Event> offers = Of(EventType::kOffered);
    if (offers.size() == static_cast<size_t>(i)) break;
    ASSERT_TRUE(engine_->AcceptOffer(AgentId{7}, offers.back().contact).ok());
  }
  ASSERT_EQ(Of(EventType::kOffered).size(), 2u);
  ASSERT_TRUE(desk_->Tick().ok());
  EXPECT_EQ(desk_->Get(a.id)->state, S::kAssigned);
  EXPECT_EQ(desk_->Get(b.id)->state, S::kAssigned);
  EXPECT_EQ(desk_->Get(c.id)->state, S::kQueued);
  // A call needs an idle agent (voice is exclusive): it waits behind the
  // tickets the agent holds.
  ContactSpec call;
  call.id = ContactId{1};
  call.queue = queue_;
  ASSERT_TRUE(engine_->AddContact(call).ok());
  // Pending frees a ticket slot; the third ticket is offered, not the call.
  ASSERT_TRUE(desk_->Pend(a.id, "7", "等待市民补充材料").ok());
  Route();
  ASSERT_EQ(Of(EventType::kOffered).size(), 3u);
  EXPECT_EQ(Of(EventType::kOffered)[2].contact, ContactOf(c.id));
  EXPECT_EQ(engine_->GetContact(ContactId{1})->state, ContactState::kWaiting);
}

TEST_F(DeskEngineTest, AReturnedTicketKeepsItsAgeAndBreachesEscalate) {
  Ticket t = Create("噪音");
  Route();
  const ContactId contact = ContactOf(t.id);
  ASSERT_TRUE(engine_->AcceptOffer(AgentId{7}, contact).ok());
  ASSERT_TRUE(desk_->Tick().ok());
  Advance(absl::Minutes(10));
  ASSERT_TRUE(desk_->Return(t.id, "7", "不属于本部门职责").ok());
  Route();
  EXPECT_EQ(Of(EventType::kCompleted).size(), 1u);
  ASSERT_TRUE(engine_->SetNotReady(AgentId{7}).ok());  // nobody takes it now
  Advance(absl::Minutes(5));
  ASSERT_TRUE(desk_->Dispatch(t.id, "dispatcher").ok());
  Route();
  absl::StatusOr<ContactSnapshot> waiting = engine_->GetContact(contact);
  ASSERT_TRUE(waiting.ok()) << waiting.status();
  EXPECT_EQ(waiting->arrived_at, t.queued_since);  // the citizen's wait, not the dispatch
  EXPECT_EQ(waiting->queue, queue_);

  // The first response was met at sign-for; the resolution clock (8 h)
  // warns at 80% and then breaches: the contact moves to the escalation queue.
  Advance(absl::Hours(7));
  Route();  // the router applies what the desk's sweep sent
  EXPECT_EQ(engine_->GetContact(contact)->priority, 1);
  Advance(absl::Hours(1));
  Route();
  EXPECT_EQ(engine_->GetContact(contact)->queue, escalation_);
  EXPECT_EQ(desk_->Get(t.id)->escalation_level, 1);
  EXPECT_EQ(engine_->GetContact(contact)->arrived_at, t.queued_since);
}

TEST_F(DeskEngineTest, CancellingAQueuedTicketWithdrawsItsContact) {
  Ticket t = Create("噪音");
  ASSERT_TRUE(engine_->SetNotReady(AgentId{7}).ok());
  Route();
  ASSERT_TRUE(desk_->Cancel(t.id, "dispatcher", "市民撤回").ok());
  Route();
  EXPECT_EQ(Of(EventType::kWithdrawn).size(), 1u);
  EXPECT_EQ(desk_->Get(t.id)->state,
            S::kCancelled);  // not returned by its own withdrawal
}

TEST_F(DeskEngineTest, AnOfferAcceptedForATicketThatLeftIsReleased) {
  Ticket t = Create("噪音");
  Route();
  // The desk cancels while the offer rings; the agent accepts before the
  // withdrawal reaches the router.
  ASSERT_TRUE(desk_->Cancel(t.id, "dispatcher", "重复").ok());
  ASSERT_TRUE(engine_->AcceptOffer(AgentId{7}, ContactOf(t.id)).ok());
  Route();
  Route();
  EXPECT_TRUE(engine_->GetAgent(AgentId{7})->contacts.empty());
  EXPECT_EQ(desk_->Get(t.id)->state, S::kCancelled);
}

TEST_F(DeskEngineTest, TheDesksOwnWithdrawalDoesNotReturnTheNextDispatch) {
  ASSERT_TRUE(engine_->SetNotReady(AgentId{7}).ok());
  Ticket t = Create("噪音");
  Route();
  ASSERT_TRUE(desk_->Return(t.id, "dispatcher", "应由交通部门处理").ok());
  ASSERT_TRUE(
      engine_->Poll(clock_.Now()).ok());  // the withdrawal's event waits in the desk
  ASSERT_TRUE(desk_->Dispatch(t.id, "dispatcher").ok());
  Route();
  Route();
  EXPECT_EQ(desk_->Get(t.id)->state, S::kQueued);
  EXPECT_EQ(engine_->GetContact(ContactOf(t.id))->state, ContactState::kWaiting);
}

TEST_F(DeskEngineTest, TheMastersAgentIsFreedWithItsLastChild) {
  Ticket master = Create("道路塌陷");
  Route();
  ASSERT_TRUE(engine_->AcceptOffer(AgentId{7}, ContactOf(master.id)).ok());
  ASSERT_TRUE(desk_->Tick().ok());
  ASSERT_TRUE(desk_->Start(master.id, "7").ok());
  CreateRequest part;
  part.category = "noise";
  part.text = "夜间施工噪音";
  Ticket child = desk_->AddChild(master.id, part).value();
  Route();
  ASSERT_TRUE(engine_->AcceptOffer(AgentId{7}, ContactOf(child.id)).ok());
  ASSERT_TRUE(desk_->Tick().ok());
  ASSERT_TRUE(desk_->Resolve(child.id, "7", "已告知施工方").ok());
  Route();
  EXPECT_EQ(desk_->Get(master.id)->state, S::kResolved);
  EXPECT_TRUE(engine_->GetAgent(AgentId{7})->contacts.empty());
}

TEST_F(DeskEngineTest, AnAcceptIsKeptWhileTheStoreIsDown) {
  // A fresh engine first: the fixture's desk, replaced below, is subscribed to
  // the old one (a desk's callback must not outlive the desk).
  NewEngine();
  AgentConfig a;
  a.id = AgentId{7};
  ASSERT_TRUE(engine_->AddAgent(a).ok());
  ASSERT_TRUE(engine_->Login(AgentId{7}).ok());
  auto flaky = std::make_unique<testing::Flaky>(store_);
  testing::Flaky* f = flaky.get();
  TicketDeskOptions options;
  options.engine = engine_.get();
  options.clock = &clock_;
  options.retry_backoff = absl::Microseconds(10);
  desk_ = TicketDesk::Open(std::move(flaky), options).value();
  engine_->Subscribe(desk_->EngineEventCallback(), TicketDesk::kEngineEvents);
  TicketCategory noise;
  noise.name = "noise";
  noise.department = "城管";
  noise.queue = queue_;
  ASSERT_TRUE(desk_->AddCategory(noise).ok());
  Ticket t = Create("噪音");
  Route();
  ASSERT_TRUE(engine_->AcceptOffer(AgentId{7}, ContactOf(t.id)).ok());
  f->fail_next = 100;
  EXPECT_EQ(desk_->ProcessEngineEvents().code(), absl::StatusCode::kUnavailable);
  f->fail_next = 0;
  ASSERT_TRUE(desk_->ProcessEngineEvents().ok());
  EXPECT_EQ(desk_->Get(t.id)->state, S::kAssigned);
  EXPECT_EQ(desk_->Get(t.id)->assignee, "7");
}

TEST_F(DeskEngineTest, ATicketWrittenBeforeTheFirstTickIsNotDispatchedAgain) {
  Ticket waiting = Create("噪音");
  ASSERT_TRUE(engine_->SetNotReady(AgentId{7}).ok());
  Route();
  NewEngine();
  OpenDesk();
  // Before the first Tick: returned and dispatched by hand.
  ASSERT_TRUE(desk_->Return(waiting.id, "dispatcher", "改派").ok());
  ASSERT_TRUE(desk_->Dispatch(waiting.id, "dispatcher").ok());
  Route();
  Route();
  EXPECT_EQ(Of(EventType::kContactQueued).size(), 1u);
  EXPECT_TRUE(Of(EventType::kCommandFailed).size() <=
              1u);  // the Withdraw of a contact this engine never had
  for (const Event& e : Of(EventType::kCommandFailed)) {
    EXPECT_NE(e.status.code(), absl::StatusCode::kAlreadyExists) << e.status;
  }
}

TEST_F(DeskEngineTest, ADeskOpenedAgainDispatchesItsQueuedTicketsOnce) {
  Ticket waiting = Create("噪音");
  ASSERT_TRUE(engine_->SetNotReady(AgentId{7}).ok());
  Route();
  // The process dies: a new engine knows nothing, the store has the ticket.
  NewEngine();
  OpenDesk();
  Advance(absl::Minutes(1));
  Advance(absl::Minutes(1));
  ASSERT_EQ(Of(EventType::kContactQueued).size(), 1u);
  EXPECT_EQ(Of(EventType::kContactQueued)[0].contact, ContactOf(waiting.id));
  EXPECT_EQ(engine_->GetContact(ContactOf(waiting.id))->arrived_at, waiting.queued_since);
}

}  // namespace
}  // namespace ccengine::tickets
