// TelephonyBridge::Reconcile: the engine's side crashes while the layer holds
// its calls; the engine comes back in the state it had (here: its saved state
// loaded into a fresh engine, which is what a journal recovery gives), and a
// new bridge settles every call against what the layer holds — without
// ringing a second agent.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "ccengine/telephony/telephony.h"
#include "gtest/gtest.h"
#include "testing/engine_fixture.h"

namespace ccengine {
namespace {

using test::At;

class Phones : public TelephonyPort {
 public:
  void Ring(const std::string& call_ref, const std::string& agent_address) override {
    rings.push_back(call_ref + " -> " + agent_address);
    ringing[call_ref] = agent_address;
  }
  void CancelRing(const std::string& call_ref, const std::string&) override {
    others.push_back("cancel " + call_ref);
  }
  void EndCall(const std::string& call_ref, CallOutcome) override {
    others.push_back("end " + call_ref);
  }
  std::vector<std::string> rings;
  std::vector<std::string> others;
  std::map<std::string, std::string> ringing;  // the last address rung, by call
};

InboundCall Inbound(std::string ref) {
  InboundCall call;
  call.call_ref = std::move(ref);
  call.queue = QueueId{0};
  return call;
}

std::string Address(uint64_t agent) {
  return "sip:agent" + std::to_string(agent) + "@pbx";
}

// One queue, six agents (no wrap-up), mapped and logged in.
std::unique_ptr<Engine> NewCenter() {
  auto e = Engine::Create({});
  EXPECT_TRUE(e.ok());
  const SkillId voice = *(*e)->AddSkill("voice");
  QueueConfig q;
  q.name = "line";
  q.skills = {{voice, 1}};
  q.offer_timeout = absl::Seconds(60);
  EXPECT_TRUE((*e)->AddQueue(q).ok());
  return *std::move(e);
}

void AddAgents(Engine& e) {
  for (uint64_t a = 1; a <= 6; ++a) {
    AgentConfig c;
    c.id = AgentId{a};
    c.skills = {{SkillId{0}, 5}};
    ASSERT_TRUE(e.AddAgent(c).ok());
    ASSERT_TRUE(e.Login(AgentId{a}).ok());
  }
}

void MapAgents(TelephonyBridge& bridge) {
  for (uint64_t a = 1; a <= 6; ++a)
    ASSERT_TRUE(bridge.MapAgent(AgentId{a}, Address(a)).ok());
}

ContactState StateOf(const Engine& e, ContactId id) {
  absl::StatusOr<ContactSnapshot> c = e.GetContact(id);
  return c.ok() ? c->state : ContactState::kCompleted;  // gone: completed or abandoned
}

TEST(ReconcileTest, EveryCallIsSettledAndNoSecondAgentIsRung) {
  // Before the crash: calls 1-3 connected, 4-6 ringing, 7-10 waiting.
  std::unique_ptr<Engine> before = NewCenter();
  Phones phones;
  auto bridge = std::make_unique<TelephonyBridge>(before.get(), &phones);
  MapAgents(*bridge);
  AddAgents(*before);
  for (int i = 1; i <= 10; ++i) {
    ASSERT_TRUE(bridge->OnInbound(Inbound("call-" + std::to_string(i))).ok());
  }
  ASSERT_TRUE(before->Poll(At(1)).ok());
  ASSERT_EQ(phones.rings.size(), 6u);
  for (int i = 1; i <= 3; ++i) {
    const std::string ref = "call-" + std::to_string(i);
    ASSERT_TRUE(bridge->OnAnswered(ref, phones.ringing[ref]).ok());
  }
  ASSERT_TRUE(before->Poll(At(2)).ok());
  std::string state;
  before->SaveState(state);
  const std::map<std::string, std::string> rang = phones.ringing;
  bridge.reset();

  // After: a fresh engine in the same state, a new bridge, and what the layer
  // holds now.
  std::unique_ptr<Engine> after = NewCenter();
  ASSERT_TRUE(after->LoadState(state).ok());
  Phones again;
  TelephonyBridge restored(after.get(), &again);
  MapAgents(restored);
  using S = HeldCall::State;
  const std::vector<HeldCall> held = {
      {"call-1", S::kConnected, rang.at("call-1")},  // kept
      {"call-2", S::kConnected, rang.at("call-2")},  // kept
      // call-3: hung up during the outage
      {"call-4", S::kRinging, rang.at("call-4")},    // still ringing: kept
      {"call-5", S::kWaiting, ""},                   // rang out: rung again
      {"call-6", S::kConnected, rang.at("call-6")},  // answered meanwhile
      {"call-7", S::kWaiting, ""},                   // kept
      // call-8: the caller left
      {"call-9", S::kConnected, Address(1)},  // connected to someone else
      {"call-10", S::kWaiting, ""},           // kept
      {"call-11", S::kWaiting, ""},           // never reached the engine
  };
  absl::StatusOr<ReconcileReport> report = restored.Reconcile(held);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->restored, 10u);
  EXPECT_EQ(report->kept, 5u);
  EXPECT_EQ(report->rung_again, 1u);
  EXPECT_EQ(report->answered, 1u);
  EXPECT_EQ(report->gone, 2u);
  EXPECT_EQ(report->mismatched, std::vector<std::string>{"call-9"});
  EXPECT_EQ(report->unknown, std::vector<std::string>{"call-11"});
  EXPECT_EQ(report->refused, 0u);
  // The commands are applied at once: call-3's agent, free again, is offered
  // the first waiting call (a new offer, rung as usual); then the one ring
  // again, call-5 at the agent the engine had offered it to.
  EXPECT_EQ(again.rings, (std::vector<std::string>{"call-7 -> " + rang.at("call-3"),
                                                   "call-5 -> " + rang.at("call-5")}));
  EXPECT_EQ(StateOf(*after, ContactId{6}), ContactState::kInService);

  ASSERT_TRUE(after->Poll(At(3)).ok());
  ASSERT_TRUE(after->CheckInvariants().ok());
  EXPECT_TRUE(after->GetAccounting().Balanced());
  EXPECT_TRUE(again.others.empty()) << again.others.front();
  EXPECT_EQ(restored.ContactFor("call-1"), ContactId{1});  // ids as before
  EXPECT_EQ(StateOf(*after, ContactId{1}), ContactState::kInService);
  EXPECT_EQ(StateOf(*after, ContactId{3}), ContactState::kCompleted);
  EXPECT_EQ(StateOf(*after, ContactId{4}), ContactState::kOffered);
  EXPECT_EQ(StateOf(*after, ContactId{5}), ContactState::kOffered);
  EXPECT_EQ(StateOf(*after, ContactId{6}), ContactState::kInService);
  EXPECT_EQ(StateOf(*after, ContactId{8}), ContactState::kCompleted);
  EXPECT_EQ(StateOf(*after, ContactId{9}), ContactState::kCompleted);
  EXPECT_EQ(after->GetAccounting().abandoned, 1u);
  EXPECT_EQ(after->GetAccounting().withdrawn, 1u);
  EXPECT_EQ(again.rings.size(), 2u);
  EXPECT_EQ(StateOf(*after, ContactId{7}), ContactState::kOffered);

  // The calls go on as usual; the new call gets the next contact id.
  EXPECT_TRUE(restored.OnAnswered("call-5", rang.at("call-5")).ok());
  EXPECT_TRUE(restored.OnAgentHangup("call-2", rang.at("call-2")).ok());
  absl::StatusOr<ContactId> c11 = restored.OnInbound(Inbound("call-11"));
  ASSERT_TRUE(c11.ok());
  EXPECT_EQ(*c11, ContactId{11});
  ASSERT_TRUE(after->Poll(At(4)).ok());
  ASSERT_TRUE(after->CheckInvariants().ok());
  EXPECT_EQ(StateOf(*after, ContactId{5}), ContactState::kInService);
  // call-2's agent takes the next waiting call.
  EXPECT_EQ(again.rings.size(), 3u);
  EXPECT_EQ(StateOf(*after, ContactId{10}), ContactState::kOffered);
  // 1, 4-7, 10 and 11; 2, 3, 8 and 9 have ended.
  EXPECT_EQ(restored.stats().live_calls, 7u);
}

TEST(ReconcileTest, BadInputChangesNothing) {
  std::unique_ptr<Engine> e = NewCenter();
  Phones phones;
  TelephonyBridge bridge(e.get(), &phones);
  EXPECT_EQ(bridge.Reconcile({{"", HeldCall::State::kWaiting, ""}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bridge
                .Reconcile({{"a", HeldCall::State::kWaiting, ""},
                            {"a", HeldCall::State::kWaiting, ""}})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(bridge.OnInbound(Inbound("x")).ok());
  EXPECT_EQ(bridge.Reconcile({}).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(bridge.stats().live_calls, 1u);
}

TEST(ReconcileTest, TheEngineListsItsLiveContactsAndTheCallRef) {
  std::unique_ptr<Engine> e = NewCenter();
  Phones phones;
  TelephonyBridge bridge(e.get(), &phones);
  for (const char* ref : {"a", "b", "c"})
    ASSERT_TRUE(bridge.OnInbound(Inbound(ref)).ok());
  ASSERT_TRUE(e->Poll(At(1)).ok());
  ASSERT_TRUE(bridge.OnCallerHangup("b").ok());
  ASSERT_TRUE(e->Poll(At(2)).ok());
  EXPECT_EQ(e->LiveContacts(), (std::vector<ContactId>{ContactId{1}, ContactId{3}}));
  const ContactSnapshot c = *e->GetContact(ContactId{3});
  ASSERT_EQ(c.attributes.size(), 1u);
  EXPECT_EQ(c.attributes[0].first, kCallRefAttribute);
  EXPECT_EQ(c.attributes[0].second, "c");
}

}  // namespace
}  // namespace ccengine
