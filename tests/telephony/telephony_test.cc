// Tests of ccengine/telephony/telephony.h: TelephonyBridge against a simulated layer.
#include "ccengine/telephony/telephony.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ccengine/compliance/access.h"
#include "gtest/gtest.h"
#include "testing/engine_fixture.h"

namespace ccengine {
namespace {

using test::At;
using test::Lvl;

// The simulated telephony layer: records what the engine asked of it. It is
// the in-process twin of the Kamailio adapter (which turns the same calls
// into evapi messages).
class SimulatedPhones : public TelephonyPort {
 public:
  struct Request {
    std::string kind;  // "ring", "cancel", "end"
    std::string call_ref;
    std::string address;  // ring / cancel
    CallOutcome outcome = CallOutcome::kNoAgent;
  };
  void Ring(const std::string& call_ref, const std::string& agent_address) override {
    requests.push_back({"ring", call_ref, agent_address});
  }
  void CancelRing(const std::string& call_ref,
                  const std::string& agent_address) override {
    requests.push_back({"cancel", call_ref, agent_address});
  }
  void EndCall(const std::string& call_ref, CallOutcome outcome) override {
    requests.push_back({"end", call_ref, "", outcome});
  }
  // The address last rung for `call_ref`, "" if none.
  std::string Ringing(const std::string& call_ref) const {
    for (auto it = requests.rbegin(); it != requests.rend(); ++it) {
      if (it->call_ref == call_ref && it->kind == "ring") return it->address;
    }
    return "";
  }
  int Count(const std::string& kind) const {
    int n = 0;
    for (const auto& r : requests) n += r.kind == kind;
    return n;
  }
  std::vector<Request> requests;
};

InboundCall Inbound(std::string ref, QueueId queue) {
  InboundCall call;
  call.call_ref = std::move(ref);
  call.queue = queue;
  return call;
}

class TelephonyTest : public test::EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    sales_ = Skill("sales");
    support_ = Skill("support");
    QueueConfig q = QueueSpec("sales", {Lvl(sales_, 1)});
    q.wrap_up = absl::Seconds(5);
    q.offer_timeout = absl::Seconds(20);
    q.max_wait = absl::Seconds(30);
    queue_ = AddQueue(q);
    bridge_ = std::make_unique<TelephonyBridge>(engine_.get(), &phones_);
  }
  void TearDown() override {
    bridge_.reset();
    EngineFixture::TearDown();
  }

  // An agent with the sales skill at `level`, logged in and mapped.
  std::string Agent(uint64_t id, int level = 5, std::vector<SkillLevel> skills = {}) {
    if (skills.empty()) skills = {Lvl(sales_, level)};
    std::string address = "sip:agent" + std::to_string(id) + "@127.0.0.1";
    EXPECT_TRUE(bridge_->MapAgent(AgentId{id}, address).ok());
    AddAgent(id, skills);  // logs in: may be offered a waiting call at once
    return address;
  }

  // Applies what the bridge submitted, then checks the engine.
  void Step(double seconds) {
    now_ = std::max(now_, seconds);
    auto applied = engine_->Poll(At(now_));
    ASSERT_TRUE(applied.ok()) << applied.status();
    absl::Status st = engine_->CheckInvariants();
    ASSERT_TRUE(st.ok()) << st << "\n" << EventLog();
  }
  void Step() { Step(now_); }

  ContactId Call(const std::string& ref) {
    auto id = bridge_->OnInbound(Inbound(ref, queue_));
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or(ContactId{});
  }

  SimulatedPhones phones_;
  std::unique_ptr<TelephonyBridge> bridge_;
  SkillId sales_, support_;
  QueueId queue_;
  double now_ = 0;
};

TEST_F(TelephonyTest, InboundCallRingsTheAgentAndAnswerConnects) {
  std::string a1 = Agent(1);
  ContactId c = Call("call-1");
  Step(1);
  EXPECT_EQ(phones_.Ringing("call-1"), a1);
  EXPECT_EQ(StateOf(1), AgentState::kReserved);
  CCENGINE_EXPECT_OK(bridge_->OnRinging("call-1", a1));
  CCENGINE_EXPECT_OK(bridge_->OnAnswered("call-1", a1));
  Step(2);
  EXPECT_EQ(StateOf(1), AgentState::kBusy);
  EXPECT_EQ(ContactStateOf(c.value()), ContactState::kInService);
  EXPECT_EQ(bridge_->stats().live_calls, 1u);
}

TEST_F(TelephonyTest, UnmappedAddressAndDuplicateMappingAreRefused) {
  Agent(1);
  CCENGINE_EXPECT_CODE(bridge_->MapAgent(AgentId{1}, "sip:other@x"), kAlreadyExists);
  CCENGINE_EXPECT_CODE(bridge_->MapAgent(AgentId{2}, "sip:agent1@127.0.0.1"),
                       kAlreadyExists);
  CCENGINE_EXPECT_CODE(bridge_->MapAgent(AgentId{2}, ""), kInvalidArgument);
  CCENGINE_EXPECT_CODE(bridge_->FindAgent("sip:nobody@x"), kNotFound);
  CCENGINE_EXPECT_CODE(bridge_->OnInbound(Inbound("", queue_)), kInvalidArgument);
}

TEST_F(TelephonyTest, DuplicateAndLateReportsAreDroppedAndCounted) {
  std::string a1 = Agent(1);
  std::string a2 = Agent(2);
  Call("call-1");
  Step(1);
  std::string ringing = phones_.Ringing("call-1");
  std::string other = ringing == a1 ? a2 : a1;
  CCENGINE_EXPECT_CODE(bridge_->OnInbound(Inbound("call-1", queue_)), kAlreadyExists);
  // An answer from the agent that is not ringing.
  CCENGINE_EXPECT_CODE(bridge_->OnAnswered("call-1", other), kFailedPrecondition);
  CCENGINE_EXPECT_OK(bridge_->OnAnswered("call-1", ringing));
  CCENGINE_EXPECT_CODE(bridge_->OnAnswered("call-1", ringing),
                       kFailedPrecondition);  // duplicate
  CCENGINE_EXPECT_CODE(bridge_->OnRejected("call-1", ringing),
                       kFailedPrecondition);  // late busy
  Step(2);
  CCENGINE_EXPECT_OK(bridge_->OnAgentHangup("call-1", ringing));
  CCENGINE_EXPECT_CODE(bridge_->OnAgentHangup("call-1", ringing),
                       kNotFound);  // duplicate BYE
  CCENGINE_EXPECT_CODE(bridge_->OnCallerHangup("call-1"), kNotFound);
  CCENGINE_EXPECT_CODE(bridge_->OnAnswered("nope", ringing), kNotFound);
  CCENGINE_EXPECT_CODE(bridge_->OnAnswered("call-1", "sip:ghost@x"), kNotFound);
  Step(3);
  TelephonyStats s = bridge_->stats();
  EXPECT_EQ(s.reports_dropped, 8u);
  EXPECT_EQ(s.reports_accepted, 3u);  // add, accept, complete
  EXPECT_EQ(s.commands_failed, 0u);
  EXPECT_EQ(engine_->GetAccounting().completed, 1u);
  EXPECT_EQ(StateOf(1) == AgentState::kWrapUp || StateOf(2) == AgentState::kWrapUp, true);
}

// Every report is matched to its call the same way: an unknown call, an
// unmapped address and a report that does not fit the call's state are
// refused alike, whichever report it is, and change nothing.
TEST_F(TelephonyTest, EveryReportRefusesWhatFitsNoCall) {
  std::string a1 = Agent(1);
  ContactId c = Call("call-1");
  Step(1);
  ASSERT_EQ(phones_.Ringing("call-1"), a1);
  std::string a2 = Agent(2);  // mapped, but not the one ringing
  const TelephonyStats before = bridge_->stats();

  CCENGINE_EXPECT_CODE(bridge_->OnRinging("nope", a1), kNotFound);
  CCENGINE_EXPECT_CODE(bridge_->OnAnswered("nope", a1), kNotFound);
  CCENGINE_EXPECT_CODE(bridge_->OnRejected("nope", a1), kNotFound);
  CCENGINE_EXPECT_CODE(bridge_->OnNoAnswer("nope", a1), kNotFound);
  CCENGINE_EXPECT_CODE(bridge_->OnCallerHangup("nope"), kNotFound);
  CCENGINE_EXPECT_CODE(bridge_->OnAgentHangup("nope", a1), kNotFound);
  CCENGINE_EXPECT_CODE(bridge_->OnTransfer("nope", queue_), kNotFound);
  CCENGINE_EXPECT_CODE(bridge_->OnWithdrawn("nope"), kNotFound);

  const std::string ghost = "sip:ghost@x";
  CCENGINE_EXPECT_CODE(bridge_->OnRinging("call-1", ghost), kNotFound);
  CCENGINE_EXPECT_CODE(bridge_->OnAnswered("call-1", ghost), kNotFound);
  CCENGINE_EXPECT_CODE(bridge_->OnRejected("call-1", ghost), kNotFound);
  CCENGINE_EXPECT_CODE(bridge_->OnNoAnswer("call-1", ghost), kNotFound);
  CCENGINE_EXPECT_CODE(bridge_->OnAgentHangup("call-1", ghost), kNotFound);

  CCENGINE_EXPECT_CODE(bridge_->OnRinging("call-1", a2), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(bridge_->OnAnswered("call-1", a2), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(bridge_->OnRejected("call-1", a2), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(bridge_->OnNoAnswer("call-1", a2), kFailedPrecondition);
  CCENGINE_EXPECT_CODE(bridge_->OnAgentHangup("call-1", a1),
                       kFailedPrecondition);  // ringing, not connected

  TelephonyStats after = bridge_->stats();
  EXPECT_EQ(after.reports_dropped - before.reports_dropped, 18u);
  EXPECT_EQ(after.reports_accepted, before.reports_accepted);
  Step(2);
  EXPECT_EQ(StateOf(1), AgentState::kReserved);
  EXPECT_EQ(StateOf(2), AgentState::kAvailable);
  EXPECT_EQ(ContactStateOf(c.value()), ContactState::kOffered);
  // The call itself still answers.
  CCENGINE_EXPECT_OK(bridge_->OnAnswered("call-1", a1));
  Step(3);
  EXPECT_EQ(ContactStateOf(c.value()), ContactState::kInService);
}

TEST_F(TelephonyTest, BusyAgentMakesTheEngineOfferTheNextOne) {
  std::string a1 = Agent(1);
  std::string a2 = Agent(2);
  Call("call-1");
  Step(1);
  std::string first = phones_.Ringing("call-1");
  ASSERT_FALSE(first.empty());
  CCENGINE_EXPECT_OK(bridge_->OnRejected("call-1", first));  // 486
  Step(2);
  std::string second = phones_.Ringing("call-1");
  EXPECT_NE(second, first);
  EXPECT_EQ(phones_.Count("ring"), 2);
  // No answer from the second either: the call waits (both excluded).
  CCENGINE_EXPECT_OK(bridge_->OnNoAnswer("call-1", second));
  Step(3);
  EXPECT_EQ(phones_.Count("ring"), 2);
  EXPECT_EQ(StateOf(1), AgentState::kAvailable);
  EXPECT_EQ(StateOf(2), AgentState::kAvailable);
  // A new agent comes: offered there.
  std::string a3 = Agent(3);
  Step(4);
  EXPECT_EQ(phones_.Ringing("call-1"), a3);
}

TEST_F(TelephonyTest, OnlyAgentsWithTheSkillAreRung) {
  Agent(1, 0, {Lvl(support_, 9)});
  std::string a2 = Agent(2, 3);
  Call("call-1");
  Step(1);
  EXPECT_EQ(phones_.Ringing("call-1"), a2);
}

TEST_F(TelephonyTest, APreferredAgentIsRungFirstThenAnyoneAfterTheWait) {
  const std::string a1 = Agent(1, 9);
  const std::string a2 = Agent(2, 3);
  InboundCall first = Inbound("call-1", queue_);
  first.preferred_agents = {AgentId{2}};
  first.preferred_wait = absl::Seconds(10);
  ASSERT_TRUE(bridge_->OnInbound(first).ok());
  Step(1);
  EXPECT_EQ(phones_.Ringing("call-1"), a2);
  CCENGINE_EXPECT_OK(bridge_->OnAnswered("call-1", a2));
  Step(2);
  // Agent 2 is on call-1: call-2 waits for it although agent 1 is free,
  // until its preference ends.
  InboundCall second = Inbound("call-2", queue_);
  second.preferred_agents = {AgentId{2}};
  second.preferred_wait = absl::Seconds(5);
  ASSERT_TRUE(bridge_->OnInbound(second).ok());
  Step(3);
  EXPECT_EQ(phones_.Ringing("call-2"), "");
  Step(7.5);
  EXPECT_EQ(phones_.Ringing("call-2"), "");
  Step(8.5);
  EXPECT_EQ(phones_.Ringing("call-2"), a1);
}

TEST_F(TelephonyTest, AgentOnACallIsNotRungForASecond) {
  std::string a1 = Agent(1);
  Call("call-1");
  Step(1);
  CCENGINE_EXPECT_OK(bridge_->OnAnswered("call-1", a1));
  Step(2);
  Call("call-2");
  Step(3);
  EXPECT_EQ(phones_.Ringing("call-2"), "");
  CCENGINE_EXPECT_OK(bridge_->OnAgentHangup("call-1", a1));
  Step(4);
  EXPECT_EQ(StateOf(1), AgentState::kWrapUp);
  EXPECT_EQ(phones_.Ringing("call-2"), "");
  Step(9.5);  // wrap-up (5 s) over
  EXPECT_EQ(phones_.Ringing("call-2"), a1);
}

TEST_F(TelephonyTest, CallerHangupsFreeTheAgent) {
  std::string a1 = Agent(1);
  Call("ringing");
  Step(1);
  ASSERT_EQ(phones_.Ringing("ringing"), a1);
  CCENGINE_EXPECT_OK(bridge_->OnCallerHangup("ringing"));  // CANCEL
  Step(2);
  EXPECT_EQ(StateOf(1), AgentState::kAvailable);
  EXPECT_EQ(engine_->GetAccounting().abandoned, 1u);
  // A late 487 from the agent for the cancelled call is dropped.
  CCENGINE_EXPECT_CODE(bridge_->OnRejected("ringing", a1), kNotFound);

  Call("talking");
  Step(3);
  CCENGINE_EXPECT_OK(bridge_->OnAnswered("talking", a1));
  Step(4);
  CCENGINE_EXPECT_OK(bridge_->OnCallerHangup("talking"));  // BYE
  Step(5);
  EXPECT_EQ(StateOf(1), AgentState::kWrapUp);
  EXPECT_EQ(engine_->GetAccounting().completed, 1u);
  Step(11);
  EXPECT_EQ(StateOf(1), AgentState::kAvailable);
  EXPECT_EQ(bridge_->stats().live_calls, 0u);
}

// The layer's own wait limit (Kamailio's CC_WAIT_LIMIT_MS) ended calls no
// agent answered: they leave the engine withdrawn, not abandoned, a ringing
// agent is freed, and nothing is asked of the port (the layer answered).
TEST_F(TelephonyTest, CallsTheLayerEndsItselfAreWithdrawn) {
  ContactId waiting = Call("waiting");
  Step(1);
  CCENGINE_EXPECT_OK(bridge_->OnWithdrawn("waiting"));
  Step(2);
  EXPECT_EQ(ContactStateOf(waiting.value()), std::nullopt);  // left the engine
  EXPECT_EQ(engine_->GetAccounting().withdrawn, 1u);
  CCENGINE_EXPECT_CODE(bridge_->OnWithdrawn("waiting"), kNotFound);  // duplicate

  std::string a1 = Agent(1);
  ContactId ringing = Call("ringing");
  Step(3);
  ASSERT_EQ(phones_.Ringing("ringing"), a1);
  CCENGINE_EXPECT_OK(bridge_->OnWithdrawn("ringing"));
  Step(4);
  EXPECT_EQ(ContactStateOf(ringing.value()), std::nullopt);
  EXPECT_EQ(StateOf(1), AgentState::kAvailable);
  // A late 408 from the agent's branch is dropped.
  CCENGINE_EXPECT_CODE(bridge_->OnNoAnswer("ringing", a1), kNotFound);

  ContactId talking = Call("talking");
  Step(5);
  CCENGINE_EXPECT_OK(bridge_->OnAnswered("talking", a1));
  Step(6);
  CCENGINE_EXPECT_CODE(bridge_->OnWithdrawn("talking"), kFailedPrecondition);
  Step(7);
  EXPECT_EQ(ContactStateOf(talking.value()), ContactState::kInService);

  const Accounting acc = engine_->GetAccounting();
  EXPECT_EQ(acc.withdrawn, 2u);
  EXPECT_EQ(acc.abandoned, 0u);
  EXPECT_EQ(phones_.Count("end"), 0);
  EXPECT_EQ(bridge_->stats().live_calls, 1u);
  EXPECT_EQ(bridge_->stats().commands_failed, 0u);
}

TEST_F(TelephonyTest, NoAgentEndsTheCallWithNoAgentAfterMaxWait) {
  Call("lonely");
  Step(1);
  EXPECT_EQ(phones_.Count("end"), 0);
  Step(31);
  ASSERT_EQ(phones_.Count("end"), 1);
  EXPECT_EQ(phones_.requests.back().outcome, CallOutcome::kNoAgent);
  EXPECT_EQ(bridge_->stats().live_calls, 0u);
  EXPECT_EQ(engine_->GetAccounting().overflowed, 1u);
}

TEST_F(TelephonyTest, EngineOfferTimeoutCancelsTheRing) {
  std::string a1 = Agent(1);
  Call("call-1");
  Step(1);
  Step(22);  // the queue's 20 s offer timeout fires first
  ASSERT_GE(phones_.Count("cancel"), 1);
  EXPECT_EQ(phones_.requests[1].kind, "cancel");
  // The layer's answer comes too late: dropped.
  CCENGINE_EXPECT_CODE(bridge_->OnAnswered("call-1", a1), kFailedPrecondition);
}

TEST_F(TelephonyTest, TransferPutsTheCallInTheOtherQueue) {
  QueueId support = AddQueue("support", {Lvl(support_, 1)});
  std::string a1 = Agent(1);
  std::string a2 = Agent(2, 0, {Lvl(support_, 5)});
  Call("call-1");
  Step(1);
  ASSERT_EQ(phones_.Ringing("call-1"), a1);
  CCENGINE_EXPECT_OK(bridge_->OnAnswered("call-1", a1));
  Step(2);
  CCENGINE_EXPECT_OK(bridge_->OnTransfer("call-1", support));
  Step(3);
  EXPECT_EQ(phones_.Ringing("call-1"), a2);
  EXPECT_EQ(StateOf(1), AgentState::kWrapUp);
  CCENGINE_EXPECT_CODE(bridge_->OnAgentHangup("call-1", a1), kFailedPrecondition);
}

// A fallback target in another queue (a routing file's `fallbacks`): the
// call moves there unanswered after `after`, stays bridged, and that queue's
// agent is rung; answered, it completes as any call.
TEST_F(TelephonyTest, AFallbackTargetMovesTheCallToAnotherQueueAndRingsItsAgent) {
  QueueId support = AddQueue("support", {Lvl(support_, 1)});
  const std::string a2 = Agent(2, 0, {Lvl(support_, 5)});  // no sales agent at all
  InboundCall call = Inbound("call-1", queue_);
  call.fallbacks = {FallbackTarget{absl::Seconds(5), support, 2, {}}};
  auto id = bridge_->OnInbound(call);
  ASSERT_TRUE(id.ok()) << id.status();
  Step(1);  // enters sales at 1 s: the fallback is due at 6 s
  absl::StatusOr<ContactSnapshot> c = engine_->GetContact(*id);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->fallbacks_left, 1u);
  Step(5.5);
  EXPECT_EQ(phones_.Ringing("call-1"), "");
  Step(6.5);
  EXPECT_EQ(phones_.Ringing("call-1"), a2);
  EXPECT_EQ(phones_.Count("end"), 0);
  c = engine_->GetContact(*id);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->queue, support);
  EXPECT_EQ(c->priority, 2);
  EXPECT_EQ(c->fallbacks_left, 0u);
  bool moved = false;
  for (const Event& e : events_) {
    moved |= e.type == EventType::kOverflowed && e.contact == *id && e.queue == queue_ &&
             e.to_queue == support && e.reason == EventReason::kTargetTimeout;
  }
  EXPECT_TRUE(moved) << EventLog();

  CCENGINE_EXPECT_OK(bridge_->OnAnswered("call-1", a2));
  Step(7);
  EXPECT_EQ(ContactStateOf(id->value()), ContactState::kInService);
  CCENGINE_EXPECT_OK(bridge_->OnAgentHangup("call-1", a2));
  Step(8);
  const TelephonyStats s = bridge_->stats();
  EXPECT_EQ(s.rings, 1u);
  EXPECT_EQ(s.ended, 0u);
  EXPECT_EQ(s.reports_dropped, 0u);
  EXPECT_EQ(s.commands_failed, 0u);
  EXPECT_EQ(s.live_calls, 0u);
  const Accounting acc = engine_->GetAccounting();
  EXPECT_EQ(acc.completed, 1u);
  EXPECT_EQ(acc.overflowed, 0u);  // moved on, never left the engine
}

// A route answered before its fallback time ends the route: the call is not
// moved. One still ringing at that time moves only once the ring fails.
TEST_F(TelephonyTest, AFallbackTargetDoesNotMoveAnAnsweredCallAndWaitsForARing) {
  QueueId support = AddQueue("support", {Lvl(support_, 1)});
  const std::string a1 = Agent(1);
  InboundCall call = Inbound("answered", queue_);
  call.fallbacks = {FallbackTarget{absl::Seconds(5), support, 0, {}}};
  auto answered = bridge_->OnInbound(call);
  ASSERT_TRUE(answered.ok()) << answered.status();
  Step(1);
  ASSERT_EQ(phones_.Ringing("answered"), a1);
  absl::StatusOr<ContactSnapshot> c = engine_->GetContact(*answered);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->fallbacks_left, 1u);
  CCENGINE_EXPECT_OK(bridge_->OnAnswered("answered", a1));
  Step(2);
  const std::string a2 = Agent(2, 0, {Lvl(support_, 5)});  // free in support
  // Well past the fallback time.
  Step(10);
  c = engine_->GetContact(*answered);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->state, ContactState::kInService);
  EXPECT_EQ(c->queue, queue_);
  EXPECT_EQ(c->fallbacks_left, 0u);
  EXPECT_EQ(phones_.Count("ring"), 1);
  EXPECT_EQ(phones_.Count("cancel"), 0);
  CCENGINE_EXPECT_OK(bridge_->OnAgentHangup("answered", a1));
  Step(11);

  // Ringing agent 1 (wrap-up over at 16 s) when the fallback falls due at
  // 22 s: it keeps ringing; the no-answer at 25 s moves it to support.
  call.call_ref = "ringing";
  auto ringing = bridge_->OnInbound(call);
  ASSERT_TRUE(ringing.ok()) << ringing.status();
  Step(17);
  ASSERT_EQ(phones_.Ringing("ringing"), a1);
  Step(23);
  EXPECT_EQ(phones_.Ringing("ringing"), a1);
  EXPECT_EQ(phones_.Count("cancel"), 0);
  EXPECT_EQ(ContactStateOf(ringing->value()), ContactState::kOffered);
  CCENGINE_EXPECT_OK(bridge_->OnNoAnswer("ringing", a1));
  Step(25);
  EXPECT_EQ(phones_.Ringing("ringing"), a2);
  CCENGINE_EXPECT_OK(bridge_->OnAnswered("ringing", a2));
  Step(26);
  c = engine_->GetContact(*ringing);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->state, ContactState::kInService);
  EXPECT_EQ(c->queue, support);
  EXPECT_EQ(bridge_->stats().reports_dropped, 0u);
  EXPECT_EQ(bridge_->stats().ended, 0u);
}

TEST_F(TelephonyTest, DisconnectEndsEveryCallInFlightWithAClearOutcome) {
  std::string a1 = Agent(1);
  std::string a2 = Agent(2);
  Call("talking");
  Step(1);
  std::string talker = phones_.Ringing("talking");
  CCENGINE_EXPECT_OK(bridge_->OnAnswered("talking", talker));
  Step(2);
  Call("ringing");
  Step(3);
  std::string ringer = phones_.Ringing("ringing");
  ASSERT_FALSE(ringer.empty());
  Call("waiting");
  Step(4);
  EXPECT_EQ(bridge_->OnDisconnected(), 3u);
  Step(5);
  Accounting acc = engine_->GetAccounting();
  EXPECT_EQ(acc.withdrawn, 2u);  // waiting + ringing
  EXPECT_EQ(acc.completed, 1u);  // connected
  EXPECT_EQ(acc.waiting + acc.offered + acc.in_service, 0u);
  EXPECT_EQ(bridge_->stats().live_calls, 0u);
  EXPECT_EQ(bridge_->stats().lost_on_disconnect, 3u);
  // Late reports about the lost calls change nothing.
  CCENGINE_EXPECT_CODE(bridge_->OnAnswered("ringing", ringer), kNotFound);
  CCENGINE_EXPECT_CODE(bridge_->OnAgentHangup("talking", talker), kNotFound);
  // After wrap-up both agents take new calls again.
  Step(11);
  Call("after");
  Step(12);
  EXPECT_FALSE(phones_.Ringing("after").empty());
}

// With an access control on the engine, the bridge's commands carry its
// actor: a bridge holding the system role routes calls; one whose actor may
// not add contacts (or that names none) has each call refused by the engine,
// and the layer is told at once instead of waiting for its own limit.
TEST_F(TelephonyTest, UnderAccessControlTheBridgeSendsAsItsActorAndRefusedCallsEnd) {
  std::string a1 = Agent(1);
  compliance::AccessControl access(compliance::AccessPolicy::BuiltIn());
  compliance::ActorSpec system;
  system.id = "sip-bridge";
  system.roles = {{"system"}};
  compliance::ActorSpec agent;
  agent.id = "li.lei";
  agent.agent = AgentId{1};
  agent.roles = {{"agent"}};
  TelephonyBridgeOptions as_system;
  as_system.actor = access.AddActor(system).value();
  TelephonyBridgeOptions as_agent;
  as_agent.actor = access.AddActor(agent).value();
  as_agent.first_contact_id = 100;
  TelephonyBridgeOptions as_nobody;
  as_nobody.first_contact_id = 200;
  bridge_.reset();
  bridge_ = std::make_unique<TelephonyBridge>(engine_.get(), &phones_, as_system);
  CCENGINE_ASSERT_OK(bridge_->MapAgent(AgentId{1}, a1));
  access.Attach(*engine_);

  Call("allowed");
  Step(1);
  EXPECT_EQ(phones_.Ringing("allowed"), a1);
  CCENGINE_EXPECT_OK(bridge_->OnAnswered("allowed", a1));
  Step(2);
  EXPECT_EQ(StateOf(1), AgentState::kBusy);

  for (const TelephonyBridgeOptions& options : {as_agent, as_nobody}) {
    SimulatedPhones phones;
    TelephonyBridge bridge(engine_.get(), &phones, options);
    const Accounting before = engine_->GetAccounting();
    ASSERT_TRUE(bridge.OnInbound(Inbound("refused", queue_)).ok());
    Step();
    ASSERT_EQ(phones.requests.size(), 1u);
    EXPECT_EQ(phones.requests[0].kind, "end");
    EXPECT_EQ(phones.requests[0].outcome, CallOutcome::kRefused);
    EXPECT_EQ(bridge.stats().live_calls, 0u);
    EXPECT_EQ(bridge.stats().commands_failed, 1u);
    EXPECT_EQ(engine_->GetAccounting().entered, before.entered);
    // A report about the ended call is refused as for any unknown call.
    CCENGINE_EXPECT_CODE(bridge.OnCallerHangup("refused"), kNotFound);
  }
  compliance::AccessControl::Detach(*engine_);
}

// Random reports — right, duplicated, late or wrong — never break the
// engine's invariants, and every call ends once everything hangs up.
class TelephonyRandomTest : public TelephonyTest,
                            public ::testing::WithParamInterface<uint64_t> {};

// Fixed seeds, so that CI is repeatable; CCENGINE_RANDOM_SEED tries another.
TEST_P(TelephonyRandomTest, RandomReportsKeepInvariants) {
  uint64_t seed = GetParam();
  if (const char* env = std::getenv("CCENGINE_RANDOM_SEED"))
    seed = std::strtoull(env, nullptr, 10);
  SCOPED_TRACE(testing::Message()
               << "seed=" << seed << " (replay: CCENGINE_RANDOM_SEED=" << seed << ")");
  std::mt19937_64 rng(seed);
  std::vector<std::string> agents;
  for (uint64_t i = 1; i <= 4; ++i) agents.push_back(Agent(i));
  std::vector<std::string> refs;
  for (int step = 0; step < 2000; ++step) {
    int op = static_cast<int>(rng() % 8);
    const std::string& agent = agents[rng() % agents.size()];
    std::string ref = refs.empty() ? "none" : refs[rng() % refs.size()];
    switch (op) {
      case 0:
        refs.push_back("c" + std::to_string(step));
        (void)bridge_->OnInbound(Inbound(refs.back(), queue_));
        break;
      case 1: {
        std::string rung = phones_.Ringing(ref);
        (void)bridge_->OnAnswered(ref, rng() % 4 ? rung : agent);
        break;
      }
      case 2: (void)bridge_->OnRejected(ref, phones_.Ringing(ref)); break;
      case 3: (void)bridge_->OnNoAnswer(ref, agent); break;
      case 4: (void)bridge_->OnCallerHangup(ref); break;
      case 5: (void)bridge_->OnAgentHangup(ref, phones_.Ringing(ref)); break;
      case 6:
        if (rng() % 50 == 0) (void)bridge_->OnDisconnected();
        break;
      default: break;
    }
    Step(now_ + 0.5);
    if (HasFatalFailure()) return;
  }
  for (const std::string& ref : refs) (void)bridge_->OnCallerHangup(ref);
  Step(now_ + 100);
  EXPECT_EQ(bridge_->stats().live_calls, 0u);
  Accounting acc = engine_->GetAccounting();
  EXPECT_EQ(acc.waiting + acc.offered + acc.in_service, 0u);
  // A report can cross a decision (a hang-up submitted while the max-wait
  // timer that ends the call is due; an answer or a busy submitted while the
  // engine's own offer timeout takes the ring away): the engine refuses that
  // command with kCommandFailed and nothing else changes.
  for (const Event& e : events_) {
    if (e.type != EventType::kCommandFailed) continue;
    EXPECT_TRUE(e.status.code() == absl::StatusCode::kNotFound ||
                e.status.code() == absl::StatusCode::kFailedPrecondition)
        << DescribeEvent(e);
  }
}

INSTANTIATE_TEST_SUITE_P(FixedSeeds, TelephonyRandomTest,
                         ::testing::Values(1, 7, 42, 219543896, 20261122));

}  // namespace
}  // namespace ccengine
