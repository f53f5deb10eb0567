// Engine: fallback targets (ContactSpec::fallbacks) — a contact unanswered
// after a while in its target moves on to the next target's queue, priority
// and skills, keeping its age; the move while ringing, the end of the route
// on answer and transfer, the snapshot, a state saved and loaded mid-route,
// and invalid input.

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

class FallbackTest : public test::JourneyFixture {
 protected:
  // Contact `id` in `queue`, then each target in order.
  static ContactSpec Routed(uint64_t id, QueueId queue,
                            std::vector<FallbackTarget> then) {
    ContactSpec c = ContactSpecFor(id, queue);
    c.fallbacks = std::move(then);
    return c;
  }
  // The fallback moves of `contact`: (time in seconds, to queue), in its
  // own queue as well (kPriorityChanged).
  std::vector<std::pair<double, uint32_t>> Moves(uint64_t contact) const {
    std::vector<std::pair<double, uint32_t>> out;
    for (const Event& e : events_) {
      if (e.contact != C(contact) || e.reason != EventReason::kTargetTimeout) continue;
      if (e.type == EventType::kOverflowed || e.type == EventType::kPriorityChanged) {
        out.emplace_back(absl::ToDoubleSeconds(e.time - absl::UnixEpoch()),
                         e.type == EventType::kOverflowed ? e.to_queue.value()
                                                          : e.queue.value());
      }
    }
    return out;
  }
};

TEST_F(FallbackTest, AnUnansweredContactMovesOnAfterEachTargetsTimeout) {
  const SkillId english = Skill("english");
  QueueId general = AddQueue("general");
  QueueId senior = AddQueue("senior");
  QueueId english_line = AddQueue("english_line");
  AddContact(Routed(10, general,
                    {{absl::Seconds(30), senior, 2, {}},
                     {absl::Seconds(20), english_line, 5, {Lvl(english, 4)}}}));
  auto s = engine_->GetContact(C(10)).value();
  EXPECT_EQ(s.fallbacks_left, 2u);
  EXPECT_EQ(s.next_fallback_at, At(30));

  AdvanceTo(29.999);
  EXPECT_TRUE(Moves(10).empty());
  AdvanceTo(30);
  EXPECT_EQ(Moves(10), (std::vector<std::pair<double, uint32_t>>{{30, senior.value()}}));
  s = engine_->GetContact(C(10)).value();
  EXPECT_EQ(s.queue, senior);
  EXPECT_EQ(s.priority, 2);
  EXPECT_EQ(s.arrived_at, At(0)) << "its age is kept";
  EXPECT_EQ(s.queued_at, At(30));
  EXPECT_EQ(s.fallbacks_left, 1u);
  EXPECT_EQ(s.next_fallback_at, At(50)) << "counted from its entry into 'senior'";

  AdvanceTo(50);
  EXPECT_EQ(Moves(10).size(), 2u);
  s = engine_->GetContact(C(10)).value();
  EXPECT_EQ(s.queue, english_line);
  EXPECT_EQ(s.priority, 5);
  EXPECT_EQ(s.skills, (std::vector<SkillRequirement>{Lvl(english, 4)}));
  EXPECT_EQ(s.fallbacks_left, 0u);
  EXPECT_EQ(s.next_fallback_at, std::nullopt);
  EXPECT_EQ(Stats(general).overflowed, 1u);
  EXPECT_EQ(Stats(senior).overflowed, 1u);

  // Only an agent with the last target's skill takes it there.
  AddAgent(1);
  EXPECT_EQ(Holder(10), std::nullopt);
  AddAgent(2, {Lvl(english, 5)});
  EXPECT_EQ(Holder(10), 2u);
  AdvanceTo(1000);
  EXPECT_EQ(Moves(10).size(), 2u);
}

TEST_F(FallbackTest, AContactRingingWhenItsTimeComesMovesOnlyIfTheOfferFails) {
  QueueConfig first = QueueSpec("first");
  first.offer_timeout = absl::Seconds(60);
  QueueId q0 = AddQueue(first);
  QueueId q1 = AddQueue("second");
  AgentConfig ringing = AgentSpec(1);
  AddAgent(ringing);
  AddContact(Routed(10, q0, {{absl::Seconds(10), q1, 0, {}}}));
  EXPECT_EQ(Holder(10), 1u);  // ringing at agent 1
  AdvanceTo(15);
  EXPECT_TRUE(Moves(10).empty()) << "not while it rings";
  EXPECT_EQ(ContactStateOf(10), ContactState::kOffered);
  CCENGINE_ASSERT_OK(engine_->RejectOffer(A(1), C(10)));
  EXPECT_EQ(Moves(10), (std::vector<std::pair<double, uint32_t>>{{15, q1.value()}}));
  EXPECT_EQ(engine_->GetContact(C(10))->queue, q1);

  // Answered before its time: the rest of its route is dropped.
  AddContact(Routed(11, q0, {{absl::Seconds(10), q1, 0, {}}}));
  AddAgent(2);
  ASSERT_TRUE(Holder(11).has_value());
  Accept(*Holder(11), 11);
  auto s = engine_->GetContact(C(11)).value();
  EXPECT_EQ(s.fallbacks_left, 0u);
  EXPECT_EQ(s.next_fallback_at, std::nullopt);
  AdvanceTo(100);
  EXPECT_TRUE(Moves(11).empty());
}

TEST_F(FallbackTest, ATargetInItsOwnQueueChangesItInPlace) {
  const SkillId senior = Skill("senior");
  QueueId q = AddQueue("q");
  AddContact(10, q);  // ahead in line
  AddContact(Routed(11, q, {{absl::Seconds(30), q, 4, {Lvl(senior, 2)}}}));
  const QueueStats before = Stats(q);
  AdvanceTo(30);
  EXPECT_EQ(Moves(11), (std::vector<std::pair<double, uint32_t>>{{30, q.value()}}));
  EXPECT_EQ(CountOf(EventType::kOverflowed), 0u) << "into its own queue is no overflow";
  const std::vector<Event> changed = EventsOf(EventType::kPriorityChanged);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].priority, 4);
  const ContactSnapshot s = engine_->GetContact(C(11)).value();
  EXPECT_EQ(s.queue, q);
  EXPECT_EQ(s.priority, 4);
  EXPECT_EQ(s.queued_at, At(0)) << "its entry into the queue is kept";
  EXPECT_EQ(s.skills, (std::vector<SkillRequirement>{Lvl(senior, 2)}));
  EXPECT_EQ(Stats(q).entered, before.entered);
  EXPECT_EQ(Stats(q).overflowed, 0u);
  // Its new class puts it first for an agent who qualifies.
  AddAgent(1, {Lvl(senior, 3)});
  EXPECT_EQ(Holder(11), 1u);
  EXPECT_EQ(Holder(10), std::nullopt);
}

TEST_F(FallbackTest, ATransferEndsTheRoute) {
  QueueId q0 = AddQueue("first");
  QueueId q1 = AddQueue("second");
  QueueId q2 = AddQueue("third");
  AddContact(Routed(10, q0, {{absl::Seconds(10), q1, 0, {}}}));
  AdvanceTo(5);
  CCENGINE_ASSERT_OK(engine_->Transfer(C(10), q2));
  EXPECT_EQ(engine_->GetContact(C(10))->fallbacks_left, 0u);
  AdvanceTo(100);
  EXPECT_TRUE(Moves(10).empty());
  EXPECT_EQ(engine_->GetContact(C(10))->queue, q2);
}

TEST_F(FallbackTest, ASavedStateCarriesTheRouteOnExactly) {
  QueueId q0 = AddQueue("first");
  QueueId q1 = AddQueue("second");
  QueueId q2 = AddQueue("third");
  AddContact(
      Routed(10, q0, {{absl::Seconds(10), q1, 1, {}}, {absl::Seconds(10), q2, 3, {}}}));
  AdvanceTo(12);  // in 'second', one target left
  std::string state;
  engine_->SaveState(state);

  EngineOptions options;
  options.start = absl::UnixEpoch();
  std::unique_ptr<Engine> copy = Engine::Create(options).value();
  for (const char* name : {"first", "second", "third"}) {
    ASSERT_TRUE(copy->AddQueue(QueueSpec(name)).ok());
  }
  CCENGINE_ASSERT_OK(copy->LoadState(state));
  std::vector<Event> copied;
  copy->Subscribe([&](const Event& e) { copied.push_back(e); });
  const size_t before = events_.size();
  AdvanceTo(30);
  CCENGINE_ASSERT_OK(copy->AdvanceTo(At(30)));
  ASSERT_EQ(events_.size() - before, copied.size());
  for (size_t i = 0; i < copied.size(); ++i) {
    EXPECT_EQ(DescribeEvent(events_[before + i]), DescribeEvent(copied[i]));
  }
  EXPECT_EQ(copy->GetContact(C(10))->queue, q2);
  EXPECT_EQ(copy->GetContact(C(10))->priority, 3);
  std::string a, b;
  engine_->SaveState(a);
  copy->SaveState(b);
  EXPECT_EQ(a, b);
}

TEST_F(FallbackTest, InvalidTargetsAreRefusedWithAReasonAndChangeNothing) {
  QueueId q0 = AddQueue("first");
  QueueId q1 = AddQueue("second");
  AddContact(10, q0);
  WatchContact(10);
  struct Case {
    std::vector<FallbackTarget> targets;
    absl::StatusCode code;
    std::string message;
  };
  std::vector<FallbackTarget> too_many(kMaxFallbacks + 1,
                                       FallbackTarget{absl::Seconds(1), q1, 0, {}});
  const std::vector<Case> cases = {
      {{{absl::ZeroDuration(), q1, 0, {}}},
       absl::StatusCode::kInvalidArgument,
       "contact 11: fallback 0: after must be at least 1 microsecond and finite (at most "
       "100 "
       "years), got 0"},
      {{{absl::Seconds(5), q1, 0, {}}, {absl::InfiniteDuration(), q1, 0, {}}},
       absl::StatusCode::kInvalidArgument,
       "contact 11: fallback 1: after must be at least 1 microsecond and finite (at most "
       "100 "
       "years), got inf"},
      {{{absl::Nanoseconds(999), q1, 0, {}}},
       absl::StatusCode::kInvalidArgument,
       "contact 11: fallback 0: after must be at least 1 microsecond and finite (at most "
       "100 "
       "years), got 999ns"},
      {{{absl::Seconds(5), QueueId{9}, 0, {}}},
       absl::StatusCode::kNotFound,
       "contact 11: fallback 0: unknown queue id 9"},
      {{{absl::Seconds(5), q1, 10, {}}},
       absl::StatusCode::kInvalidArgument,
       "contact 11: fallback 0: priority must be in 0..9, got 10"},
      {{{absl::Seconds(5), q1, 0, {Lvl(SkillId{77}, 3)}}},
       absl::StatusCode::kNotFound,
       "contact 11: fallback 0"},
      {too_many, absl::StatusCode::kInvalidArgument,
       "contact 11: at most 8 fallback targets, got 9"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    auto before = FreezeAll();
    const absl::Status st = engine_->AddContact(Routed(11, q0, c.targets));
    EXPECT_EQ(st.code(), c.code) << st;
    EXPECT_EQ(std::string(st.message()).rfind(c.message, 0), 0u) << st;
    ExpectAllUnchanged(before);
  }
  // The limit itself is fine.
  too_many.pop_back();
  AddContact(Routed(11, q0, too_many));
  EXPECT_EQ(engine_->GetContact(C(11))->fallbacks_left, kMaxFallbacks);
}

}  // namespace
}  // namespace ccengine
