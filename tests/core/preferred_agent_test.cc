// Engine: preferred and last-agent routing — the preference window in both
// decisions, its ends (timeout, no preferred agent, rejection, logout, lost
// skills), the customer history behind "last agent", and invalid input.

#include <functional>
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
using test::Lvl;

class PreferredAgentTest : public test::JourneyFixture {
 protected:
  std::vector<EventReason> PreferenceEnds(uint64_t contact) const {
    std::vector<EventReason> out;
    for (const Event& e : EventsOf(EventType::kPreferenceEnded)) {
      if (e.contact == C(contact)) out.push_back(e.reason);
    }
    return out;
  }
};

// --- Input -----------------------------------------------------------------------

TEST_F(PreferredAgentTest, AddContactRejectsInvalidPreferenceAndChangesNothing) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(10, q);
  AdvanceTo(5);
  WatchContact(10);
  WatchContact(11);
  struct Case {
    const char* what;
    std::function<void(ContactSpec&)> mutate;
  };
  const std::vector<Case> cases = {
      {"duplicate agent",
       [](ContactSpec& c) {
         c.preferred_agents = {A(1), A(2), A(1)};
       }},
      {"too many agents",
       [](ContactSpec& c) {
         c.preferred_agents.clear();
         for (uint64_t i = 1; i <= kMaxPreferredAgents + 1; ++i) {
           c.preferred_agents.push_back(A(i));
         }
       }},
      {"negative wait", [](ContactSpec& c) { c.preferred_wait = absl::Seconds(-1); }},
      {"infinite wait",
       [](ContactSpec& c) { c.preferred_wait = absl::InfiniteDuration(); }},
      {"wait past 100 years",
       [](ContactSpec& c) { c.preferred_wait = kMaxDuration + absl::Seconds(1); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ContactSpec spec = Preferring(11, q, {1}, 30);
    c.mutate(spec);
    auto before = FreezeAll();
    CCENGINE_EXPECT_CODE(engine_->AddContact(spec), kInvalidArgument);
    ExpectAllUnchanged(before);
  }
  // The limit itself and unknown agent ids are fine.
  ContactSpec ok = Preferring(11, q, {}, 0);
  for (uint64_t i = 1; i <= kMaxPreferredAgents; ++i)
    ok.preferred_agents.push_back(A(100 + i));
  CCENGINE_EXPECT_OK(engine_->AddContact(ok));
  TrackContact(11);
}

TEST_F(PreferredAgentTest, ErrorMessagesNameTheContactAndTheProblem) {
  QueueId q = AddQueue("q");
  ContactSpec spec = Preferring(11, q, {4, 4}, 30);
  absl::Status st = engine_->AddContact(spec);
  EXPECT_EQ(st.message(), "contact 11: preferred agent 4 listed twice");
  spec = Preferring(11, q, {4}, -2);
  st = engine_->AddContact(spec);
  EXPECT_EQ(st.message(),
            "contact 11: preferred_wait must be >= 0 and finite (at most 100 "
            "years), got -2s");
}

// --- Contact → agent ---------------------------------------------------------------

TEST_F(PreferredAgentTest, PrefersTheNamedAgentOverALongerIdleOne) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AdvanceTo(5);
  AddAgent(2);
  AdvanceTo(10);
  AddContact(Preferring(10, q, {2}, 30));
  EXPECT_EQ(Holder(10), 2u);
  EXPECT_EQ(PreferredOf(10), std::vector<uint64_t>{2});  // still in force
  // Without a preference the longest-idle agent gets the next one.
  AddContact(11, q);
  EXPECT_EQ(Holder(11), 1u);
  Accept(2, 10);
  EXPECT_TRUE(PreferredOf(10).empty());  // honoured: no longer in force
  EXPECT_EQ(CountOf(EventType::kPreferenceEnded), 0u);
}

TEST_F(PreferredAgentTest, AmongSeveralPreferredTheQueueStrategyChooses) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AdvanceTo(1);
  AddAgent(2);
  AdvanceTo(2);
  AddAgent(3);
  AdvanceTo(3);
  AddContact(Preferring(10, q, {3, 2}, 30));
  EXPECT_EQ(Holder(10), 2u);  // longest idle of the two preferred
}

TEST_F(PreferredAgentTest, WaitsForABusyPreferredAgentThenFallsBack) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddAgent(2);
  AddContact(9, q);  // agent 1 (longest idle, lower id)
  AddContact(8, q);  // agent 2
  Accept(1, 9);
  Accept(2, 8);
  Complete(1, 9);  // agent 1 is free again
  AdvanceTo(10);
  AddContact(Preferring(10, q, {2}, 30));
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  CCENGINE_EXPECT_OK(engine_->CheckInvariants());  // 1 is free, but not owed it
  auto snap = engine_->GetContact(C(10));
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->preferred_until, At(40));
  AdvanceTo(39.999);
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  AdvanceTo(40);
  EXPECT_EQ(PreferenceEnds(10), std::vector<EventReason>{EventReason::kPreferredWait});
  EXPECT_EQ(Holder(10), 1u);
  auto ended = EventsOf(EventType::kPreferenceEnded);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].time, At(40));
  EXPECT_EQ(ended[0].queue, q);
  // The fallback comes before the offer.
  auto offered = EventsOf(EventType::kOffered);
  EXPECT_EQ(offered.back().contact, C(10));
  EXPECT_EQ(DescribeEvent(ended[0]),
            "preference_ended at 1970-01-01T00:00:40+00:00 contact=10 queue=0 "
            "reason=preferred_wait");
}

TEST_F(PreferredAgentTest, PreferredAgentFreeingUpWithinTheWindowTakesIt) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddAgent(2);
  AddContact(9, q);
  AddContact(8, q);
  Accept(1, 9);
  Accept(2, 8);
  Complete(1, 9);
  AddContact(Preferring(10, q, {2}, 30));
  AdvanceTo(12);
  Complete(2, 8);
  EXPECT_EQ(Holder(10), 2u);
  Accept(2, 10);
  AdvanceTo(100);  // the stale window timer does nothing
  EXPECT_EQ(Holder(10), 2u);
  EXPECT_EQ(CountOf(EventType::kPreferenceEnded), 0u);
}

TEST_F(PreferredAgentTest, ZeroWaitTakesAFreePreferredAgentElseAnyoneAtOnce) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AdvanceTo(1);
  AddAgent(2);
  AddContact(Preferring(10, q, {2}, 0));
  EXPECT_EQ(Holder(10), 2u);
  EXPECT_EQ(CountOf(EventType::kPreferenceEnded), 0u);
  AddContact(Preferring(11, q, {2}, 0));  // 2 is ringing
  EXPECT_EQ(Holder(11), 1u);
  EXPECT_EQ(PreferenceEnds(11), std::vector<EventReason>{EventReason::kPreferredWait});
  // A rejection at the same instant does not bring the preference back.
  CCENGINE_ASSERT_OK(engine_->RejectOffer(A(2), C(10)));
  EXPECT_EQ(PreferenceEnds(10), std::vector<EventReason>{EventReason::kNoPreferredAgent});
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
}

TEST_F(PreferredAgentTest, NoPreferredAgentLoggedInMeansNoWait) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddAgent(2, {}, /*login=*/false);
  AddContact(Preferring(10, q, {2, 77}, 60));  // 2 logged out, 77 unknown
  EXPECT_EQ(Holder(10), 1u);
  EXPECT_EQ(PreferenceEnds(10), std::vector<EventReason>{EventReason::kNoPreferredAgent});
  // The event comes after the contact is queued and before the offer.
  std::vector<EventType> order;
  for (const Event& e : events_) {
    if (e.has_contact && e.contact == C(10)) order.push_back(e.type);
  }
  EXPECT_EQ(order,
            (std::vector<EventType>{EventType::kContactQueued,
                                    EventType::kPreferenceEnded, EventType::kOffered}));
}

TEST_F(PreferredAgentTest, NotReadyPreferredAgentStillHoldsTheWindow) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddAgent(2);
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(2), 5));
  AddContact(Preferring(10, q, {2}, 30));
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  AdvanceTo(8);
  CCENGINE_ASSERT_OK(engine_->SetReady(A(2)));
  EXPECT_EQ(Holder(10), 2u);
}

TEST_F(PreferredAgentTest, PreferredAgentMustStillQualify) {
  SkillId tax = Skill("tax");
  QueueId q = AddQueue("q", {Lvl(tax, 5)});
  AddAgent(1, {Lvl(tax, 6)});
  AddAgent(2, {Lvl(tax, 3)});  // logged in, but cannot serve this queue
  AddContact(Preferring(10, q, {2}, 30));
  EXPECT_EQ(Holder(10), 1u);
  EXPECT_EQ(PreferenceEnds(10), std::vector<EventReason>{EventReason::kNoPreferredAgent});
}

TEST_F(PreferredAgentTest, PreferredAgentThatQualifiesOnlyAfterRelaxationWaitsForIt) {
  SkillId tax = Skill("tax");
  QueueConfig config = QueueSpec("q", {Lvl(tax, 8)});
  config.relaxation = {{absl::Seconds(20), {Lvl(tax, 3)}}};
  QueueId q = AddQueue(config);
  AddAgent(1, {Lvl(tax, 9)});
  AddAgent(2, {Lvl(tax, 4)});
  AddContact(Preferring(10, q, {2}, 60));
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);  // 1 is free but not owed it
  AdvanceTo(20);                                          // relaxed: 2 qualifies now
  EXPECT_EQ(Holder(10), 2u);
}

TEST_F(PreferredAgentTest, ChannelCapacityStillApplies) {
  QueueId q = AddQueue("q");
  AgentConfig chat_only = ChatAgentSpec(2);
  AddAgent(1);
  AddAgent(chat_only);
  AddContact(Preferring(10, q, {2}, 30));  // voice: 2 takes no voice at all
  EXPECT_EQ(Holder(10), 1u);
  EXPECT_EQ(PreferenceEnds(10), std::vector<EventReason>{EventReason::kNoPreferredAgent});
}

// --- Agent → contact -----------------------------------------------------------------

TEST_F(PreferredAgentTest, AgentFreeingUpSkipsAContactReservedForSomeoneElse) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddAgent(2);
  AddContact(8, q);
  AddContact(9, q);
  Accept(1, 8);
  Accept(2, 9);
  AdvanceTo(1);
  AddContact(Preferring(10, q, {2}, 60));  // older
  AdvanceTo(2);
  AddContact(11, q);  // younger, no preference
  EXPECT_EQ(Position(10), 1);
  AdvanceTo(3);
  Complete(1, 8);
  EXPECT_EQ(Holder(11), 1u);  // 10 is skipped: reserved for agent 2
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  AdvanceTo(4);
  Complete(2, 9);
  EXPECT_EQ(Holder(10), 2u);
}

TEST_F(PreferredAgentTest, PreferredAgentTakesContactsInAgedScoreOrder) {
  QueueId q = AddQueue("q");
  AddAgent(2);
  AddContact(8, q);
  Accept(2, 8);
  AdvanceTo(1);
  AddContact(10, q);  // older, no preference
  AdvanceTo(2);
  AddContact(Preferring(11, q, {2}, 60));
  AdvanceTo(3);
  AddContact(Preferring(12, q, {2}, 60));
  AdvanceTo(4);
  Complete(2, 8);
  EXPECT_EQ(Holder(10), 2u);  // the oldest wins, reserved or not
  Accept(2, 10);
  Complete(2, 10);
  EXPECT_EQ(Holder(11), 2u);
  Accept(2, 11);
  Complete(2, 11);
  EXPECT_EQ(Holder(12), 2u);
}

TEST_F(PreferredAgentTest, HigherClassReservedForSomeoneElseDoesNotBlockTheRest) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddAgent(2);
  AddContact(8, q);
  AddContact(9, q);
  Accept(1, 8);
  Accept(2, 9);
  ContactSpec vip = Preferring(10, q, {2}, 60);
  vip.priority = 3;
  AddContact(vip);
  AddContact(11, q);
  AddContact(12, q);
  Complete(1, 8);
  EXPECT_EQ(Holder(11), 1u);
  Accept(1, 11);
  Complete(1, 11);
  EXPECT_EQ(Holder(12), 1u);
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
}

// --- The end of a preference ---------------------------------------------------------

TEST_F(PreferredAgentTest, RejectionByTheOnlyPreferredAgentEndsTheWait) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddAgent(2);
  AddContact(8, q);
  Accept(1, 8);
  AddContact(Preferring(10, q, {2}, 60));
  EXPECT_EQ(Holder(10), 2u);
  Complete(1, 8);  // 1 is free; 10 rings at 2
  CCENGINE_ASSERT_OK(engine_->RejectOffer(A(2), C(10)));
  EXPECT_EQ(PreferenceEnds(10), std::vector<EventReason>{EventReason::kNoPreferredAgent});
  EXPECT_EQ(Holder(10), 1u);
}

TEST_F(PreferredAgentTest, RejectionKeepsWaitingForAnotherPreferredAgent) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddAgent(2);
  AddAgent(3);
  AddContact(7, q);
  Accept(1, 7);
  AddContact(8, q);
  Accept(2, 8);
  AddContact(Preferring(10, q, {2, 3}, 60));
  EXPECT_EQ(Holder(10), 3u);
  Complete(1, 7);
  CCENGINE_ASSERT_OK(engine_->RejectOffer(A(3), C(10)));
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);  // 2 is still to come
  EXPECT_EQ(PreferredOf(10), (std::vector<uint64_t>{2, 3}));
  Complete(2, 8);
  EXPECT_EQ(Holder(10), 2u);
}

TEST_F(PreferredAgentTest, WindowClosingWhileRingingEndsItWhenTheContactComesBack) {
  QueueConfig config = QueueSpec("q");
  config.offer_timeout = absl::Seconds(50);
  QueueId q = AddQueue(config);
  AddAgent(1);
  AddAgent(2);
  AddAgent(3);
  AddContact(7, q);
  Accept(1, 7);
  AddContact(Preferring(10, q, {2, 3}, 30));
  EXPECT_EQ(Holder(10), 2u);
  Complete(1, 7);
  AdvanceTo(40);  // the window closed while 10 rang at 2
  EXPECT_EQ(CountOf(EventType::kPreferenceEnded), 0u);
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(2)));
  EXPECT_EQ(PreferenceEnds(10), std::vector<EventReason>{EventReason::kPreferredWait});
  EXPECT_EQ(Holder(10), 1u);  // longest idle: 3 is no longer owed it
}

TEST_F(PreferredAgentTest, LastPreferredAgentLoggingOutEndsTheWait) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddAgent(2);
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(2)));
  AddContact(Preferring(10, q, {2}, 60));
  AddContact(Preferring(11, q, {2}, 60));
  AddContact(8, q);  // takes agent 1
  EXPECT_EQ(Holder(8), 1u);
  Accept(1, 8);
  Complete(1, 8);  // 1 frees up and skips 10 and 11
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  AdvanceTo(5);
  CCENGINE_ASSERT_OK(engine_->Logout(A(2)));
  EXPECT_EQ(PreferenceEnds(10), std::vector<EventReason>{EventReason::kNoPreferredAgent});
  EXPECT_EQ(PreferenceEnds(11), std::vector<EventReason>{EventReason::kNoPreferredAgent});
  EXPECT_EQ(Holder(10), 1u);  // the older one first
  EXPECT_EQ(ContactStateOf(11), ContactState::kWaiting);
}

TEST_F(PreferredAgentTest, PreferredAgentLosingTheSkillEndsTheWait) {
  SkillId tax = Skill("tax");
  QueueId q = AddQueue("q", {Lvl(tax, 5)});
  AddAgent(1, {Lvl(tax, 6)});
  AddAgent(2, {Lvl(tax, 6)});
  AddContact(8, q);
  Accept(1, 8);
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(2)));
  AddContact(Preferring(10, q, {2}, 60));
  Complete(1, 8);
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  CCENGINE_ASSERT_OK(engine_->SetAgentSkills(A(2), {Lvl(tax, 2)}));
  EXPECT_EQ(PreferenceEnds(10), std::vector<EventReason>{EventReason::kNoPreferredAgent});
  EXPECT_EQ(Holder(10), 1u);
}

TEST_F(PreferredAgentTest, QueueRulesThatShutOutThePreferredAgentEndTheWait) {
  SkillId tax = Skill("tax");
  QueueId q = AddQueue("q", {Lvl(tax, 2)});
  AddAgent(1, {Lvl(tax, 9)});
  AddAgent(2, {Lvl(tax, 3)});
  AddContact(8, q);
  Accept(1, 8);
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(2)));
  AddContact(Preferring(10, q, {2}, 60));
  Complete(1, 8);
  EXPECT_EQ(ContactStateOf(10), ContactState::kWaiting);
  CCENGINE_ASSERT_OK(engine_->UpdateQueue(q, QueueSpec("q", {Lvl(tax, 8)})));
  EXPECT_EQ(PreferenceEnds(10), std::vector<EventReason>{EventReason::kNoPreferredAgent});
  EXPECT_EQ(Holder(10), 1u);
}

TEST_F(PreferredAgentTest, TransferKeepsTheWindowAndReviewsItInTheNewQueue) {
  SkillId tax = Skill("tax");
  QueueId q = AddQueue("q");
  QueueId taxq = AddQueue("tax", {Lvl(tax, 5)});
  AddAgent(1, {Lvl(tax, 9)});
  AddAgent(2);
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(2)));
  AddContact(8, q);
  Accept(1, 8);
  AddContact(Preferring(10, q, {1, 2}, 60));
  AdvanceTo(10);
  CCENGINE_ASSERT_OK(engine_->Transfer(C(10), taxq));
  EXPECT_EQ(PreferredOf(10), (std::vector<uint64_t>{1, 2}));  // 1 serves tax
  Complete(1, 8);
  EXPECT_EQ(Holder(10), 1u);
}

TEST_F(PreferredAgentTest, WithdrawingAReservedContactForgetsItsPreference) {
  QueueId q = AddQueue("q");
  AddAgent(2);
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(2)));
  AddContact(Preferring(10, q, {2}, 60));
  CCENGINE_ASSERT_OK(engine_->Withdraw(C(10)));
  AdvanceTo(100);  // the window timer finds nothing
  EXPECT_EQ(CountOf(EventType::kPreferenceEnded), 0u);
}

// --- Last agent and the customer history ---------------------------------------------

TEST_F(PreferredAgentTest, LastAgentIsInheritedAcrossChannels) {
  QueueId voice = AddQueue("voice");
  QueueId chat = AddQueue("chat");
  AddAgent(1);
  AdvanceTo(1);
  AddAgent(2);
  // A chat served by agent 2 …
  ContactSpec first = ContactSpecFor(10, chat, Channel::kChat);
  first.customer_id = "cust-7";
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(1)));
  AddContact(first);
  Accept(2, 10);
  AdvanceTo(60);
  Complete(2, 10);
  CCENGINE_ASSERT_OK(engine_->SetReady(A(1)));
  EXPECT_EQ(engine_->LastAgent("cust-7"), A(2));
  auto history = engine_->CustomerHistory("cust-7");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].contact, C(10));
  EXPECT_EQ((*history)[0].agent, A(2));
  EXPECT_EQ((*history)[0].channel, Channel::kChat);
  EXPECT_EQ((*history)[0].queue, chat);
  EXPECT_EQ((*history)[0].ended_at, At(60));
  // … then a call: agent 1 has been idle longer, yet 2 gets it.
  AdvanceTo(3600);
  AddContact(PreferringLast(11, voice, "cust-7", 30));
  EXPECT_EQ(Holder(11), 2u);
  // Another customer, or none, inherits nothing and does not wait.
  AddContact(PreferringLast(12, voice, "cust-8", 30));
  EXPECT_EQ(Holder(12), 1u);
  EXPECT_EQ(PreferenceEnds(12), std::vector<EventReason>{EventReason::kNoPreferredAgent});
  EXPECT_EQ(engine_->LastAgent("cust-8"), std::nullopt);
  EXPECT_EQ(engine_->LastAgent(""), std::nullopt);
  CCENGINE_EXPECT_CODE(engine_->CustomerHistory(""), kInvalidArgument);
  EXPECT_TRUE(engine_->CustomerHistory("nobody").value().empty());
}

TEST_F(PreferredAgentTest, LastAgentJoinsTheNamedOnes) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddAgent(2);
  AddAgent(3);
  ContactSpec first = ContactSpecFor(10, q);
  first.customer_id = "c";
  AddContact(first);
  Accept(1, 10);
  Complete(1, 10);
  ContactSpec next = PreferringLast(11, q, "c", 30);
  next.preferred_agents = {A(3)};
  AddContact(next);
  EXPECT_EQ(PreferredOf(11), (std::vector<uint64_t>{3, 1}));
  // Named already: not listed twice.
  ContactSpec again = PreferringLast(12, q, "c", 30);
  again.preferred_agents = {A(1)};
  AddContact(again);
  EXPECT_EQ(PreferredOf(12), std::vector<uint64_t>{1});
}

TEST_F(PreferredAgentTest, HistoryRecordsEveryEndOfServiceNewestFirst) {
  QueueId q = AddQueue("q");
  QueueId other = AddQueue("other");
  AddAgent(1);
  AddAgent(2);
  auto serve = [&](uint64_t id, uint64_t agent, double at) {
    ContactSpec c = ContactSpecFor(id, q);
    c.customer_id = "c";
    AddContact(c);
    ASSERT_EQ(Holder(id), agent);
    Accept(agent, id);
    AdvanceTo(at);
  };
  serve(10, 1, 10);
  Complete(1, 10);  // completed by the agent
  serve(11, 2, 20);
  CCENGINE_ASSERT_OK(engine_->Abandon(C(11)));  // hung up in service
  serve(12, 1, 30);
  CCENGINE_ASSERT_OK(engine_->Transfer(C(12), other));  // transferred on
  EXPECT_EQ(Holder(12), 2u);
  Accept(2, 12);
  AdvanceTo(40);
  CCENGINE_ASSERT_OK(engine_->ForceAgentState(A(2), AgentState::kLoggedOut));
  EXPECT_EQ(HistoryAgents("c"), (std::vector<uint64_t>{2, 1, 2, 1}));
  auto h = engine_->CustomerHistory("c").value();
  EXPECT_EQ(h[0].queue, other);
  EXPECT_EQ(h[0].ended_at, At(40));
  EXPECT_EQ(h[1].contact, C(12));
  EXPECT_EQ(engine_->customer_history_entries(), 4u);
}

TEST_F(PreferredAgentTest, AnErasedCustomerIsForgottenOnceNoContactOfTheirsIsLive) {
  const std::string kPhone = "13800138000";
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddAgent(2);
  auto serve = [&](uint64_t id, const std::string& customer) {
    ContactSpec c = ContactSpecFor(id, q);
    c.customer_id = customer;
    AddContact(c);
    const uint64_t agent = Holder(id).value();
    Accept(agent, id);
    Complete(agent, id);
  };
  serve(10, kPhone);
  serve(11, "other");
  serve(12, kPhone);
  ASSERT_EQ(engine_->customer_history_entries(), 3u);
  // A contact of theirs is live: refused, nothing changes.
  ContactSpec live = ContactSpecFor(13, q);
  live.customer_id = kPhone;
  AddContact(live);
  std::string before;
  engine_->SaveState(before);
  const absl::Status refused = engine_->EraseCustomer(kPhone);
  CCENGINE_EXPECT_CODE(refused, kFailedPrecondition);
  EXPECT_NE(refused.message().find("1 live contact(s) (13)"), std::string_view::npos)
      << refused;
  std::string after;
  engine_->SaveState(after);
  EXPECT_EQ(after, before);
  CCENGINE_ASSERT_OK(engine_->Withdraw(C(13)));
  // Erased: the history and the last agent forget them; the other customer
  // keeps theirs, and the invariants hold.
  CCENGINE_ASSERT_OK(engine_->Apply(cmd::EraseCustomer{kPhone}));
  EXPECT_TRUE(engine_->CustomerHistory(kPhone).value().empty());
  EXPECT_EQ(engine_->LastAgent(kPhone), std::nullopt);
  EXPECT_EQ(engine_->customer_history_entries(), 1u);
  EXPECT_EQ(engine_->CustomerHistory("other").value().size(), 1u);
  CCENGINE_EXPECT_OK(engine_->CheckInvariants());
  std::string state;
  engine_->SaveState(state);
  EXPECT_EQ(state.find(kPhone), std::string::npos) << "the snapshot keeps no trace";
  // Again, or for a customer never seen: nothing to do, not an error.
  CCENGINE_EXPECT_OK(engine_->EraseCustomer(kPhone));
  CCENGINE_EXPECT_OK(engine_->EraseCustomer("nobody"));
  CCENGINE_EXPECT_CODE(engine_->EraseCustomer(""), kInvalidArgument);
  // A new contact of theirs starts a new history.
  serve(14, kPhone);
  EXPECT_EQ(engine_->CustomerHistory(kPhone).value().size(), 1u);
}

TEST_F(PreferredAgentTest, ContactsWithoutACustomerLeaveNoHistory) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(10, q);
  Accept(1, 10);
  Complete(1, 10);
  EXPECT_EQ(engine_->customer_history_entries(), 0u);
}

TEST_F(PreferredAgentTest, HistoryIsBoundedPerCustomerInTotalAndInAge) {
  EngineOptions options;
  options.customer_history_size = 2;
  options.customer_history_retention = absl::Seconds(100);
  options.customer_history_max_entries = 3;
  Reset(options);
  QueueId q = AddQueue("q");
  AddAgent(1);
  uint64_t next = 10;
  auto serve = [&](const std::string& customer) {
    ContactSpec c = ContactSpecFor(next, q);
    c.customer_id = customer;
    AddContact(c);
    Accept(1, next);
    Complete(1, next);
    ++next;
  };
  serve("a");  // 10 at t=0
  AdvanceTo(10);
  serve("a");  // 11
  AdvanceTo(20);
  serve("a");  // 12: only the newest two of "a" are kept
  auto a = engine_->CustomerHistory("a").value();
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].contact, C(12));
  EXPECT_EQ(a[1].contact, C(11));
  EXPECT_EQ(engine_->customer_history_entries(), 2u);
  AdvanceTo(30);
  serve("b");  // 13: 4 recorded, at most 3 remembered: 10 (superseded) goes
  EXPECT_EQ(engine_->customer_history_entries(), 3u);
  AdvanceTo(40);
  serve("c");  // 14: 11 goes
  EXPECT_EQ(engine_->CustomerHistory("a").value().size(), 1u);
  EXPECT_EQ(engine_->customer_history_entries(), 3u);
  CCENGINE_EXPECT_OK(engine_->CheckInvariants());
  // Age: 12 ended at 20 and is forgotten at 120.
  AdvanceTo(119.999);
  EXPECT_EQ(engine_->LastAgent("a"), A(1));
  AdvanceTo(120);
  EXPECT_EQ(engine_->LastAgent("a"), std::nullopt);
  EXPECT_EQ(engine_->customer_history_entries(), 2u);
  AdvanceTo(1000);
  EXPECT_EQ(engine_->customer_history_entries(), 0u);
  EXPECT_TRUE(engine_->CustomerHistory("b").value().empty());
  // A customer whose history expired does not wait for anyone.
  AddContact(PreferringLast(20, q, "a", 30));
  EXPECT_EQ(Holder(20), 1u);
}

TEST_F(PreferredAgentTest, ZeroHistorySizeOrRetentionKeepsNothing) {
  for (int variant = 0; variant < 2; ++variant) {
    EngineOptions options;
    if (variant == 0) options.customer_history_size = 0;
    if (variant == 1) options.customer_history_retention = absl::ZeroDuration();
    Reset(options);
    QueueId q = AddQueue("q");
    AddAgent(1);
    ContactSpec c = ContactSpecFor(10, q);
    c.customer_id = "a";
    AddContact(c);
    Accept(1, 10);
    Complete(1, 10);
    EXPECT_EQ(engine_->customer_history_entries(), 0u);
    EXPECT_EQ(engine_->LastAgent("a"), std::nullopt);
  }
}

TEST(PreferredAgentOptionsTest, RejectsInvalidHistoryRetention) {
  EngineOptions o;
  o.customer_history_retention = absl::Seconds(-1);
  CCENGINE_EXPECT_CODE(Engine::Create(o), kInvalidArgument);
  o.customer_history_retention = absl::InfiniteDuration();
  CCENGINE_EXPECT_CODE(Engine::Create(o), kInvalidArgument);
  o.customer_history_retention = kMaxDuration;
  CCENGINE_EXPECT_OK(Engine::Create(o));
}

// --- Through the intake ----------------------------------------------------------------

TEST_F(PreferredAgentTest, SubmittedContactKeepsItsPreference) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AdvanceTo(1);
  AddAgent(2);
  TrackContact(10);
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::AddContact{Preferring(10, q, {2}, 30)}));
  ContactSpec bad = Preferring(11, q, {2, 2}, 30);
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::AddContact{bad}));
  ASSERT_TRUE(engine_->Poll(At(2)).ok());
  EXPECT_EQ(Holder(10), 2u);
  auto failed = EventsOf(EventType::kCommandFailed);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].status, engine_->AddContact(bad));
}

}  // namespace
}  // namespace ccengine
