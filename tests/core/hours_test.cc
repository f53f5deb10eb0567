// Engine: hours of operation — arrivals before, during and after hours,
// closing with and without moving the line out, transfers and overflows into
// a closed queue, hours changed by UpdateQueue, bad hours leaving the engine
// untouched, and a randomized run that opens and closes queues while
// contacts flow, checking the invariants and the books after every step.

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "ccengine/core/calendar.h"
#include "ccengine/core/engine.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "testing/engine_fixture.h"

namespace ccengine {
namespace {

using test::A;
using test::At;
using test::C;

constexpr double kHour = 3600;

// Every day 09:00-17:00 UTC (the engine starts at the Unix epoch, 00:00).
HoursOfOperation NineToFive() {
  HoursOfOperation h;
  for (auto& day : h.weekly) day = {{TimeOfDay(9, 0), TimeOfDay(17, 0)}};
  return h;
}

class HoursTest : public test::EngineFixture {
 protected:
  QueueId AddHoursQueue(const std::string& name, HoursOfOperation hours,
                        std::optional<QueueId> overflow = std::nullopt,
                        bool move = false) {
    QueueConfig q = QueueSpec(name);
    q.hours = std::move(hours);
    q.overflow_queue = overflow;
    q.move_waiting_at_close = move;
    q.offer_timeout = absl::InfiniteDuration();  // offers ring until answered
    return AddQueue(q);
  }
  std::vector<Event> ClosedOverflows() const {
    std::vector<Event> out;
    for (const Event& e : EventsOf(EventType::kOverflowed)) {
      if (e.reason == EventReason::kClosed) out.push_back(e);
    }
    return out;
  }
  // World() plus what it does not show: each queue's hours and open flag.
  std::string WorldWithHours() const {
    std::string s = World();
    for (uint32_t i = 0; i < engine_->queue_count(); ++i) {
      QueueConfig c = engine_->GetQueueConfig(QueueId{i}).value();
      s += fmt::format("queue {} open={} closed={} move={} hours={}\n", i,
                       engine_->GetQueueStats(QueueId{i})->open,
                       engine_->GetQueueStats(QueueId{i})->closed,
                       c.move_waiting_at_close, c.hours.has_value());
      if (c.hours.has_value()) {
        for (int d = 0; d < 7; ++d) {
          for (const TimeWindow& w : c.hours->weekly[d]) {
            s += fmt::format(" {}:{}-{}", d, w.open_s, w.close_s);
          }
        }
        s += fmt::format(" off={} holidays={}\n", c.hours->utc_offset_s,
                         c.hours->holidays.size());
      }
    }
    return s;
  }
};

TEST_F(HoursTest, ArrivalBeforeHoursLeavesAtOnceWithReasonClosed) {
  QueueId q = AddHoursQueue("q", NineToFive());
  AddAgent(1);
  EXPECT_FALSE(Stats(q).open);
  AddContact(1, q);  // 00:00: closed, though agent 1 is free
  EXPECT_EQ(ContactStateOf(1), std::nullopt);
  auto closed = ClosedOverflows();
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].contact, C(1));
  EXPECT_EQ(closed[0].queue, q);
  EXPECT_EQ(closed[0].to_queue, q);  // left the engine
  EXPECT_EQ(closed[0].time, At(0));
  EXPECT_EQ(CountOf(EventType::kOffered), 0u);
  EXPECT_EQ(Stats(q).overflowed, 1u);
  EXPECT_EQ(Stats(q).closed, 1u);
  EXPECT_EQ(Stats(q).entered, 1u);
  EXPECT_EQ(engine_->GetAccounting().overflowed, 1u);
  EXPECT_EQ(EventReasonName(EventReason::kClosed), "closed");
}

TEST_F(HoursTest, ArrivalDuringHoursIsRoutedAndAfterHoursGoesToVoicemail) {
  QueueId vm = AddQueue("voicemail");
  QueueId q = AddHoursQueue("q", NineToFive(), vm);
  // The hours timer is the engine's next timer: 09:00.
  EXPECT_EQ(engine_->NextTimerAt(), At(9 * kHour));
  AdvanceTo(9 * kHour);
  EXPECT_TRUE(Stats(q).open);
  EXPECT_EQ(engine_->NextTimerAt(), At(17 * kHour));
  AddAgent(1);
  AddContact(1, q);
  Accept(1, 1);
  AdvanceTo(17 * kHour);
  EXPECT_FALSE(Stats(q).open);
  AddContact(2, q);
  EXPECT_EQ(ContactStateOf(2), ContactState::kWaiting);
  EXPECT_EQ(engine_->GetContact(C(2))->queue, vm);
  auto closed = ClosedOverflows();
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].to_queue, vm);
  EXPECT_EQ(Stats(q).closed, 1u);
  EXPECT_EQ(Stats(vm).entered, 1u);
  // Next morning it opens again.
  AdvanceTo(33 * kHour);
  EXPECT_TRUE(Stats(q).open);
  Complete(1, 1);  // agent 1 takes the voicemail contact now
  EXPECT_EQ(Holder(2), 1u);
}

TEST_F(HoursTest, ClosingServesTheLineByDefault) {
  QueueId q = AddHoursQueue("q", NineToFive());
  AdvanceTo(16 * kHour);
  AddContact(1, q);
  AddContact(2, q);
  AdvanceTo(17 * kHour + 60);
  EXPECT_FALSE(Stats(q).open);
  EXPECT_EQ(ContactStateOf(1), ContactState::kWaiting);
  EXPECT_EQ(ContactStateOf(2), ContactState::kWaiting);
  EXPECT_TRUE(ClosedOverflows().empty());
  AddContact(3, q);  // the door is closed
  EXPECT_EQ(ContactStateOf(3), std::nullopt);
  AddAgent(1);  // the line is still served, oldest first
  EXPECT_EQ(Holder(1), 1u);
  Accept(1, 1);
  Complete(1, 1);
  EXPECT_EQ(Holder(2), 1u);
}

TEST_F(HoursTest, ClosingMovesTheLineOutWhenAsked) {
  QueueId vm = AddQueue("voicemail");
  QueueId q = AddHoursQueue("q", NineToFive(), vm, /*move=*/true);
  AdvanceTo(16 * kHour);
  AddContact(1, q);
  AdvanceTo(16 * kHour + 10);
  AddContact(2, q, Channel::kVoice, /*priority=*/3);
  AdvanceTo(17 * kHour - 1);
  EXPECT_EQ(ContactStateOf(1), ContactState::kWaiting);
  ClearEvents();
  AdvanceTo(18 * kHour);
  auto closed = ClosedOverflows();
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[0].contact, C(2));  // best first: the higher class
  EXPECT_EQ(closed[1].contact, C(1));
  for (const Event& e : closed) {
    EXPECT_EQ(e.time, At(17 * kHour));
    EXPECT_EQ(e.to_queue, vm);
  }
  EXPECT_EQ(engine_->GetContact(C(1))->queue, vm);
  EXPECT_EQ(Stats(q).waiting, 0u);
  EXPECT_EQ(Stats(q).closed, 2u);
  EXPECT_EQ(Stats(vm).waiting, 2u);
  // They keep their age in the voicemail queue.
  EXPECT_EQ(engine_->GetContact(C(1))->arrived_at, At(16 * kHour));
}

TEST_F(HoursTest, ClosingWithoutATargetEndsTheWaitingContacts) {
  QueueId q = AddHoursQueue("q", NineToFive(), std::nullopt, /*move=*/true);
  AdvanceTo(16 * kHour);
  AddContact(1, q);
  AdvanceTo(17 * kHour);
  EXPECT_EQ(ContactStateOf(1), std::nullopt);
  EXPECT_EQ(engine_->GetAccounting().overflowed, 1u);
  EXPECT_EQ(engine_->GetAccounting().waiting, 0u);
}

TEST_F(HoursTest, AContactRingingAtClosingIsMovedOutIfItComesBack) {
  QueueId vm = AddQueue("voicemail");
  QueueId q = AddHoursQueue("q", NineToFive(), vm, /*move=*/true);
  AdvanceTo(16 * kHour);
  AddAgent(1);
  AddContact(1, q);
  EXPECT_EQ(Holder(1), 1u);  // ringing through closing time
  AdvanceTo(17 * kHour + 5);
  CCENGINE_ASSERT_OK(engine_->RejectOffer(A(1), C(1)));
  EXPECT_EQ(engine_->GetContact(C(1))->queue, vm);
  ASSERT_EQ(ClosedOverflows().size(), 1u);
  EXPECT_EQ(Stats(q).closed, 1u);
}

TEST_F(HoursTest, AContactRingingAtClosingRegainsItsPlaceWhenTheLineIsServed) {
  QueueId q = AddHoursQueue("q", NineToFive());
  AdvanceTo(16 * kHour);
  AddAgent(1);
  AddContact(1, q);
  EXPECT_EQ(Holder(1), 1u);
  AdvanceTo(17 * kHour + 5);
  CCENGINE_ASSERT_OK(engine_->RejectOffer(A(1), C(1)));
  EXPECT_EQ(ContactStateOf(1), ContactState::kWaiting);
  EXPECT_EQ(engine_->GetContact(C(1))->queue, q);
  EXPECT_TRUE(ClosedOverflows().empty());
}

TEST_F(HoursTest, TransferIntoAClosedQueueIsTreatedLikeAnArrival) {
  QueueId a = AddQueue("a");
  QueueId vm = AddQueue("voicemail");
  QueueId b = AddHoursQueue("b", NineToFive());
  QueueId c = AddHoursQueue("c", NineToFive(), vm);
  AddAgent(1);
  AddContact(1, a);
  Accept(1, 1);
  AdvanceTo(60);
  // In service -> closed b without a target: it leaves, the agent is free.
  CCENGINE_ASSERT_OK(engine_->Transfer(C(1), b));
  EXPECT_EQ(ContactStateOf(1), std::nullopt);
  EXPECT_EQ(StateOf(1), AgentState::kAvailable);
  EXPECT_EQ(Stats(a).transferred_out, 1u);
  EXPECT_EQ(Stats(b).closed, 1u);
  // Waiting -> closed c: on to c's voicemail.
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(1)));
  AddContact(2, a);
  CCENGINE_ASSERT_OK(engine_->Transfer(C(2), c));
  EXPECT_EQ(engine_->GetContact(C(2))->queue, vm);
  EXPECT_EQ(Stats(c).closed, 1u);
  EXPECT_EQ(ClosedOverflows().size(), 2u);
}

TEST_F(HoursTest, OverflowIntoAClosedQueueMovesOnAgain) {
  QueueId b = AddHoursQueue("b", NineToFive());
  QueueConfig ac = QueueSpec("a");
  ac.max_size = 1;
  ac.overflow_queue = b;
  QueueId a = AddQueue(ac);
  AddContact(1, a);
  AddContact(2, a);  // a is full -> b, which is closed -> out
  EXPECT_EQ(ContactStateOf(2), std::nullopt);
  auto overflows = EventsOf(EventType::kOverflowed);
  ASSERT_EQ(overflows.size(), 2u);
  EXPECT_EQ(overflows[0].reason, EventReason::kQueueFull);
  EXPECT_EQ(overflows[0].to_queue, b);
  EXPECT_EQ(overflows[1].reason, EventReason::kClosed);
  EXPECT_EQ(overflows[1].queue, b);
  EXPECT_EQ(overflows[1].to_queue, b);
  // Two closed queues that overflow into each other end after a few hops.
  QueueId x = AddHoursQueue("x", NineToFive());
  QueueId y = AddHoursQueue("y", NineToFive(), x);
  QueueConfig xc = engine_->GetQueueConfig(x).value();
  xc.overflow_queue = y;
  CCENGINE_ASSERT_OK(engine_->UpdateQueue(x, xc));
  AddContact(3, x);
  EXPECT_EQ(ContactStateOf(3), std::nullopt);
  EXPECT_EQ(Stats(x).closed + Stats(y).closed, 9u);  // 1 + 8 hops
}

TEST_F(HoursTest, UpdateQueueChangesTheHoursNow) {
  QueueId vm = AddQueue("voicemail");
  QueueConfig qc = QueueSpec("q");
  qc.overflow_queue = vm;
  QueueId q = AddQueue(qc);
  AddContact(1, q);
  AddContact(2, q);
  EXPECT_TRUE(Stats(q).open);
  // Closed hours, serving the line: they stay.
  qc.hours = NineToFive();
  CCENGINE_ASSERT_OK(engine_->UpdateQueue(q, qc));
  EXPECT_FALSE(Stats(q).open);
  EXPECT_EQ(Stats(q).waiting, 2u);
  // The same hours, moving the line out: they go now.
  qc.move_waiting_at_close = true;
  CCENGINE_ASSERT_OK(engine_->UpdateQueue(q, qc));
  EXPECT_EQ(Stats(q).waiting, 0u);
  EXPECT_EQ(Stats(vm).waiting, 2u);
  EXPECT_EQ(ClosedOverflows().size(), 2u);
  // No hours: open again; the old 09:00 timer is void.
  qc.hours.reset();
  CCENGINE_ASSERT_OK(engine_->UpdateQueue(q, qc));
  EXPECT_TRUE(Stats(q).open);
  AdvanceTo(9 * kHour + 1);
  AdvanceTo(17 * kHour + 1);
  EXPECT_TRUE(Stats(q).open);
  AddContact(3, q);
  EXPECT_EQ(ContactStateOf(3), ContactState::kWaiting);
  EXPECT_EQ(engine_->GetQueueConfig(q)->hours, std::nullopt);
}

TEST_F(HoursTest, TheHotlineRunsOnUtcPlus8WithAHoliday) {
  HoursOfOperation h;
  h.utc_offset_s = 8 * 3600;
  for (int d = 0; d < 5; ++d) {
    h.weekly[d] = {{TimeOfDay(8, 30), TimeOfDay(12, 0)},
                   {TimeOfDay(13, 30), TimeOfDay(18, 0)}};
  }
  h.holidays = {absl::CivilDay(2026, 10, 1)};
  auto local = [](int d, int hh, int mm) {
    return absl::ToDoubleSeconds(absl::FromCivil(absl::CivilSecond(2026, 9, d, hh, mm, 0),
                                                 absl::FixedTimeZone(8 * 3600)) -
                                 absl::UnixEpoch());
  };
  AdvanceTo(local(30, 8, 0));  // Wednesday 08:00 local = 00:00 UTC
  QueueId q = AddHoursQueue("hotline", h);
  EXPECT_FALSE(Stats(q).open);
  EXPECT_EQ(engine_->NextTimerAt(), At(local(30, 8, 30)));
  AdvanceTo(local(30, 12, 30));  // lunch
  EXPECT_FALSE(Stats(q).open);
  AdvanceTo(local(30, 14, 0));
  EXPECT_TRUE(Stats(q).open);
  AdvanceTo(local(30, 18, 0));
  // Thursday is National Day: the next opening is Friday 08:30.
  EXPECT_EQ(engine_->NextTimerAt(), At(local(30, 18, 0) + 38.5 * kHour));
  AdvanceTo(local(30, 18, 0) + 16 * kHour);  // Thursday 10:00
  EXPECT_FALSE(Stats(q).open);
  AddContact(1, q);
  EXPECT_EQ(ClosedOverflows().size(), 1u);
}

TEST_F(HoursTest, BadHoursAreRefusedAndChangeNothing) {
  QueueId q = AddHoursQueue("q", NineToFive());
  AddContact(1, q);  // closed at 00:00: it leaves
  AdvanceTo(10 * kHour);
  AddContact(2, q);
  TrackContact(3);
  QueueConfig bad = engine_->GetQueueConfig(q).value();
  bad.hours->weekly[0].push_back({TimeOfDay(16, 0), TimeOfDay(18, 0)});
  std::string before_world = WorldWithHours();
  auto before = Freeze();
  absl::Status st = engine_->UpdateQueue(q, bad);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(st.message()),
            "queue 'q': hours: weekly[mon][1]: window 16:00-18:00 overlaps 09:00-17:00");
  bad.hours = NineToFive();
  bad.hours->utc_offset_s = 20 * 3600;
  CCENGINE_EXPECT_CODE(engine_->UpdateQueue(q, bad), kInvalidArgument);
  bad.hours = NineToFive();
  bad.hours->holidays = {absl::CivilDay(0, 1, 1)};
  CCENGINE_EXPECT_CODE(engine_->UpdateQueue(q, bad), kInvalidArgument);
  QueueConfig fresh = QueueSpec("r");
  fresh.hours = NineToFive();
  fresh.hours->weekly[3] = {{TimeOfDay(12, 0), TimeOfDay(11, 0)}};
  CCENGINE_EXPECT_CODE(engine_->AddQueue(fresh), kInvalidArgument);
  ExpectUnchanged(before);
  EXPECT_EQ(WorldWithHours(), before_world);
  EXPECT_EQ(engine_->GetQueueConfig(q)->hours, NineToFive());
}

// --- Randomized: queues open and close while contacts flow ----------------------

// Random calendars with short windows in the first hours of each day, so that
// a run of a few hours crosses many openings and closings.
HoursOfOperation RandomHours(std::mt19937_64& rng) {
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  HoursOfOperation h;
  for (auto& day : h.weekly) {
    int at = pick(0, 600);
    while (at < 6 * 3600) {
      int open = at;
      int close = open + pick(60, 1800);
      day.push_back({open, close});
      at = close + pick(0, 1200);
    }
  }
  if (pick(0, 3) == 0) h.holidays = {absl::CivilDay(1970, 1, 1 + pick(0, 1))};
  return h;
}

TEST_F(HoursTest, RandomizedOpeningAndClosingKeepsTheInvariants) {
  uint64_t seed = 4242;
  if (const char* env = std::getenv("CCENGINE_HOURS_SEED"))
    seed = std::strtoull(env, nullptr, 10);
  SCOPED_TRACE(fmt::format("seed={} (replay: CCENGINE_HOURS_SEED={})", seed, seed));
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  constexpr int kQueues = 4;
  std::vector<QueueId> queues;
  for (int i = 0; i < kQueues; ++i) {
    QueueConfig qc = QueueSpec(fmt::format("q{}", i));
    if (i > 0) qc.hours = RandomHours(rng);
    qc.move_waiting_at_close = pick(0, 1) == 1;
    if (i > 0 && pick(0, 2) > 0)
      qc.overflow_queue = QueueId{static_cast<uint32_t>(pick(0, i - 1))};
    qc.offer_timeout = absl::Seconds(pick(5, 30));
    queues.push_back(AddQueue(qc));
  }
  for (uint64_t a = 1; a <= 6; ++a) AddAgent(a, {}, /*login=*/pick(0, 1) == 1);
  std::vector<uint64_t> contacts;
  uint64_t next_contact = 1;
  double now = 0;
  int closed_arrivals = 0;
  for (int step = 0; step < 4000; ++step) {
    SCOPED_TRACE(fmt::format("step {}", step));
    std::erase_if(contacts, [&](uint64_t id) { return !ContactStateOf(id).has_value(); });
    int action = pick(0, 13);
    if (action > 11) action = action == 12 ? 3 : 5;  // answer and finish more
    uint64_t agent = static_cast<uint64_t>(pick(1, 6));
    uint64_t contact =
        contacts.empty() ? 0 : contacts[pick(0, static_cast<int>(contacts.size()) - 1)];
    QueueId queue = queues[pick(0, kQueues - 1)];
    // Mostly act on the agent that holds the contact, so offers get answered.
    if (std::optional<uint64_t> holder = Holder(contact); holder && pick(0, 3) > 0) {
      agent = *holder;
    }
    switch (action) {
      case 0:
      case 1: {  // arrival
        bool open = engine_->GetQueueStats(queue)->open;
        size_t closed_before = ClosedOverflows().size();
        contacts.push_back(next_contact);
        AddContact(next_contact++, queue);
        if (!open) {
          ++closed_arrivals;
          EXPECT_GT(ClosedOverflows().size(), closed_before) << "closed arrival kept";
        }
        break;
      }
      case 2:
        now += pick(0, 120);
        AdvanceTo(now);
        break;
      case 3:  // some agent answers its ringing offer
        for (uint64_t live : contacts) {
          if (ContactStateOf(live) == ContactState::kOffered && pick(0, 1) == 0) {
            CCENGINE_ASSERT_OK(engine_->AcceptOffer(A(*Holder(live)), C(live)));
            break;
          }
        }
        break;
      case 4: (void)engine_->RejectOffer(A(agent), C(contact)); break;
      case 5:  // some agent completes a contact
        for (uint64_t live : contacts) {
          if (ContactStateOf(live) == ContactState::kInService && pick(0, 1) == 0) {
            CCENGINE_ASSERT_OK(engine_->CompleteContact(A(*Holder(live)), C(live)));
            break;
          }
        }
        break;
      case 6: (void)engine_->Transfer(C(contact), queue, pick(0, 1) == 1); break;
      case 7: (void)engine_->Abandon(C(contact)); break;
      case 8:
        (void)(pick(0, 1) ? engine_->Login(A(agent)) : engine_->Logout(A(agent)));
        (void)engine_->SetReady(A(agent));
        break;
      case 9: (void)engine_->SetNotReady(A(agent)); break;
      case 10: {  // new hours or a new closing rule
        if (queue.value() == 0) break;
        QueueConfig qc = engine_->GetQueueConfig(queue).value();
        if (pick(0, 2) == 0) {
          qc.move_waiting_at_close = !qc.move_waiting_at_close;
        } else if (pick(0, 4) == 0) {
          qc.hours.reset();
        } else {
          qc.hours = RandomHours(rng);
        }
        CCENGINE_ASSERT_OK(engine_->UpdateQueue(queue, qc));
        break;
      }
      case 11: {  // a refused update changes nothing
        if (queue.value() == 0) break;
        QueueConfig qc = engine_->GetQueueConfig(queue).value();
        qc.hours = NineToFive();
        qc.hours->weekly[pick(0, 6)].push_back({TimeOfDay(8, 0), TimeOfDay(10, 0)});
        std::string before = WorldWithHours();
        CCENGINE_EXPECT_CODE(engine_->UpdateQueue(queue, qc), kInvalidArgument);
        EXPECT_EQ(WorldWithHours(), before);
        break;
      }
    }
    absl::Status st = engine_->CheckInvariants();
    ASSERT_TRUE(st.ok()) << st << "\n" << EventLog();
    ASSERT_TRUE(engine_->GetAccounting().Balanced());
  }
  // The run crossed many openings and closings and turned contacts away.
  EXPECT_GT(closed_arrivals, 20);
  EXPECT_GT(ClosedOverflows().size(), 20u);
  EXPECT_GT(CountOf(EventType::kAccepted), 20u);
}

}  // namespace
}  // namespace ccengine
