// metrics::Collector: calendar periods in the center's time zone (weeks from
// Monday, a 45-minute offset), sliding windows, agent time by state and
// not-ready reason, transfers and withdrawals, retention, bad options; and a
// randomized day whose counts must match the engine's own queue counters
// after every step.

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "ccengine/metrics/collector.h"
#include "gtest/gtest.h"
#include "testing/engine_day.h"
#include "testing/time_zone.h"

namespace ccengine::metrics {
namespace {

using ::ccengine::testing::Zone;

class CollectorTest : public ::testing::Test {
 protected:
  // One queue "q" (skill s, SL 20 s), agents 1 and 2 (not logged in).
  void Build(MetricsOptions options, absl::Time start) {
    EngineOptions eo;
    eo.start = start;
    engine_ = Engine::Create(eo).value();
    collector_ = Collector::Attach(*engine_, std::move(options)).value();
    skill_ = engine_->AddSkill("s").value();
    QueueConfig q;
    q.name = "q";
    q.skills = {SkillLevel{skill_, 1}};
    q.offer_timeout = absl::InfiniteDuration();
    queue_ = engine_->AddQueue(q).value();
    q.name = "r";
    other_ = engine_->AddQueue(q).value();
    for (uint64_t id : {1, 2}) {
      AgentConfig a;
      a.id = AgentId(id);
      a.skills = {SkillLevel{skill_, 1}};
      a.auto_accept = true;
      ASSERT_TRUE(engine_->AddAgent(a).ok());
    }
  }
  void At(absl::Time t) { ASSERT_TRUE(engine_->AdvanceTo(t).ok()); }
  void Arrive(uint64_t id, QueueId queue) {
    ContactSpec c;
    c.id = ContactId(id);
    c.queue = queue;
    ASSERT_TRUE(engine_->AddContact(c).ok());
  }

  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Collector> collector_;
  SkillId skill_;
  QueueId queue_, other_;
};

TEST_F(CollectorTest, CalendarPeriodsFollowTheCentersTimeZone) {
  const absl::TimeZone shanghai = Zone("Asia/Shanghai");
  MetricsOptions o;
  o.time_zone = shanghai;
  o.retain = absl::Hours(24 * 40);
  // Sunday 29 November 2026, 23:50 in Shanghai; the next contact comes on
  // Monday at 00:10 and one on Tuesday 1 December at 09:40.
  const absl::Time sunday =
      absl::FromCivil(absl::CivilMinute(2026, 11, 29, 23, 50), shanghai);
  Build(o, sunday);
  Arrive(1, queue_);
  At(sunday + absl::Minutes(20));
  Arrive(2, queue_);
  const absl::Time tuesday =
      absl::FromCivil(absl::CivilMinute(2026, 12, 1, 9, 40), shanghai);
  At(tuesday);
  Arrive(3, queue_);
  const absl::Time from = sunday - absl::Hours(24 * 30),
                   to = tuesday + absl::Hours(24 * 40);
  auto starts = [&](Granularity g) {
    const std::vector<QueueRow> rows = collector_->QueueRows(g, from, to).value();
    std::vector<std::string> out;
    out.reserve(rows.size());
    for (const QueueRow& r : rows) {
      out.push_back(absl::StrCat(absl::FormatTime("%Y-%m-%d %H:%M", r.start, shanghai),
                                 " ", r.figures.counts.offered));
    }
    return out;
  };
  EXPECT_EQ(starts(Granularity::kDay),
            (std::vector<std::string>{"2026-11-29 00:00 1", "2026-11-30 00:00 1",
                                      "2026-12-01 00:00 1"}));
  EXPECT_EQ(starts(Granularity::kWeek),  // ISO weeks start on Monday
            (std::vector<std::string>{"2026-11-23 00:00 1", "2026-11-30 00:00 2"}));
  EXPECT_EQ(starts(Granularity::kMonth),
            (std::vector<std::string>{"2026-11-01 00:00 2", "2026-12-01 00:00 1"}));
  EXPECT_EQ(starts(Granularity::kHour),
            (std::vector<std::string>{"2026-11-29 23:00 1", "2026-11-30 00:00 1",
                                      "2026-12-01 09:00 1"}));
  EXPECT_EQ(starts(Granularity::k30Minutes),
            (std::vector<std::string>{"2026-11-29 23:30 1", "2026-11-30 00:00 1",
                                      "2026-12-01 09:30 1"}));
  EXPECT_EQ(starts(Granularity::k15Minutes),
            (std::vector<std::string>{"2026-11-29 23:45 1", "2026-11-30 00:00 1",
                                      "2026-12-01 09:30 1"}));
}

TEST_F(CollectorTest, HoursStartAtTheLocalHourWhereTheOffsetIsNotWhole) {
  const absl::TimeZone kathmandu = Zone("Asia/Kathmandu");  // UTC+05:45
  MetricsOptions o;
  o.time_zone = kathmandu;
  const absl::Time t = absl::FromCivil(absl::CivilMinute(2026, 12, 5, 10, 20), kathmandu);
  Build(o, t);
  Arrive(1, queue_);
  EXPECT_EQ(collector_->PeriodStart(Granularity::kHour, t),
            absl::FromCivil(absl::CivilHour(2026, 12, 5, 10), kathmandu));
  EXPECT_EQ(collector_->PeriodStart(Granularity::k15Minutes, t),
            absl::FromCivil(absl::CivilMinute(2026, 12, 5, 10, 15), kathmandu));
  const std::vector<QueueRow> rows =
      collector_->QueueRows(Granularity::kHour, t - absl::Hours(1), t + absl::Hours(1))
          .value();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(absl::FormatTime("%H:%M", rows[0].start, kathmandu), "10:00");
}

TEST_F(CollectorTest, DaylightSavingChangesGiveWholePeriods) {
  const absl::TimeZone new_york = Zone("America/New_York");
  MetricsOptions o;
  o.time_zone = new_york;
  // 3 November 2024: at 06:00 UTC clocks go back from 02:00 EDT to 01:00 EST,
  // so 01:00-02:00 happens twice.
  const absl::Time first_pass = absl::FromUnixSeconds(1730610600);  // 05:10Z, 01:10 EDT
  Build(o, first_pass);
  Arrive(1, queue_);
  At(first_pass + absl::Hours(1));  // 06:10Z, 01:10 EST
  Arrive(2, queue_);
  At(first_pass + absl::Hours(2));  // 07:10Z, 02:10 EST
  Arrive(3, queue_);
  const absl::Time z5 = absl::FromUnixSeconds(1730610000);  // 05:00Z
  const std::vector<QueueRow> hours =
      collector_->QueueRows(Granularity::kHour, z5 - absl::Hours(1), z5 + absl::Hours(3))
          .value();
  ASSERT_EQ(hours.size(), 3u);
  EXPECT_EQ(hours[0].start, z5);
  EXPECT_EQ(hours[1].start, z5 + absl::Hours(1));  // 01:00 again, EST
  EXPECT_EQ(hours[2].start, z5 + absl::Hours(2));
  for (const QueueRow& r : hours) EXPECT_EQ(r.figures.counts.offered, 1u);
  EXPECT_EQ(absl::FormatTime("%H:%M %Z", hours[1].start, new_york), "01:00 EST");
  EXPECT_EQ(collector_->NextPeriodStart(Granularity::kHour, z5), z5 + absl::Hours(1));
  EXPECT_EQ(collector_->NextPeriodStart(Granularity::k30Minutes, z5 + absl::Minutes(30)),
            z5 + absl::Hours(1));
  // Only the repeated hour asked for: its second pass alone.
  const std::vector<QueueRow> second =
      collector_->QueueRows(Granularity::kHour, z5 + absl::Hours(1), z5 + absl::Hours(2))
          .value();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].start, z5 + absl::Hours(1));
  // The day has 25 hours and one row.
  const absl::Time midnight = absl::FromUnixSeconds(1730606400);  // 04:00Z
  EXPECT_EQ(collector_->PeriodStart(Granularity::kDay, first_pass + absl::Hours(1)),
            midnight);
  EXPECT_EQ(collector_->NextPeriodStart(Granularity::kDay, midnight) - midnight,
            absl::Hours(25));
  const std::vector<QueueRow> days =
      collector_->QueueRows(Granularity::kDay, midnight, midnight + absl::Hours(25))
          .value();
  ASSERT_EQ(days.size(), 1u);
  EXPECT_EQ(days[0].figures.counts.offered, 3u);
  // 10 March 2024: at 07:00 UTC clocks go from 02:00 EST to 03:00 EDT.
  const absl::Time spring = absl::FromUnixSeconds(1710054000);  // 07:00Z, 03:00 EDT
  const absl::Time spring_midnight = absl::FromUnixSeconds(1710046800);  // 05:00Z
  EXPECT_EQ(collector_->PeriodStart(Granularity::kHour, spring + absl::Minutes(10)),
            spring);
  EXPECT_EQ(collector_->NextPeriodStart(Granularity::kHour, spring - absl::Minutes(30)),
            spring);
  EXPECT_EQ(collector_->NextPeriodStart(Granularity::kDay, spring) - spring_midnight,
            absl::Hours(23));
}

TEST_F(CollectorTest, SlidingWindowsCountEachOutcomeInItsMinute) {
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);  // a whole minute
  Build({}, t0);
  ASSERT_TRUE(engine_->Login(AgentId(1)).ok());
  Arrive(1, queue_);  // answered at once: minute 0
  Arrive(2, queue_);  // waits
  At(t0 + absl::Minutes(7));
  ASSERT_TRUE(engine_->Abandon(ContactId(2)).ok());  // minute 7, after 7 min
  At(t0 + absl::Minutes(20) + absl::Seconds(30));
  ASSERT_TRUE(engine_->CompleteContact(AgentId(1), ContactId(1)).ok());  // minute 20
  Arrive(3, queue_);  // answered, minute 20
  std::vector<QueueNow> now = collector_->Now();
  ASSERT_EQ(now.size(), 2u);
  EXPECT_EQ(now[0].queue, "q");
  ASSERT_EQ(now[0].windows.size(), 3u);  // 5, 15, 60 minutes
  const QueueFigures& w5 = now[0].windows[0];
  const QueueFigures& w15 = now[0].windows[1];
  const QueueFigures& w60 = now[0].windows[2];
  EXPECT_EQ(w5.counts.offered, 1u);  // contact 3
  EXPECT_EQ(w5.counts.answered, 1u);
  EXPECT_EQ(w5.counts.completed, 1u);  // contact 1's completion
  EXPECT_DOUBLE_EQ(w5.aht_s, 20 * 60 + 30);
  EXPECT_EQ(w15.counts.offered, 2u);  // 3 and 2 (abandoned at minute 7)
  EXPECT_EQ(w15.counts.abandoned, 1u);
  EXPECT_DOUBLE_EQ(w15.service_level, 0.5);  // within / offered
  EXPECT_EQ(w60.counts.offered, 3u);
  EXPECT_EQ(w60.counts.answered, 2u);
  // An hour later the windows are empty; waiting and longest wait are now.
  At(t0 + absl::Minutes(90));
  Arrive(4, queue_);  // agent 1 is busy with 3
  At(t0 + absl::Minutes(91));
  now = collector_->Now();
  EXPECT_EQ(now[0].windows[2].counts.offered, 0u);
  EXPECT_TRUE(std::isnan(now[0].windows[2].service_level));
  EXPECT_EQ(now[0].waiting, 1u);
  EXPECT_EQ(now[0].longest_wait, absl::Minutes(1));
  EXPECT_DOUBLE_EQ(now[0].sl_target, 0.8);
}

TEST_F(CollectorTest, AgentTimeByStateAndNotReadyReasonIsSplitAtIntervals) {
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000 - 1'800'000'000 % 900);
  Build({}, t0);
  collector_->AssignGroup(AgentId(1), "tax team");
  ASSERT_TRUE(engine_->Login(AgentId(1)).ok());  // available from 0
  At(t0 + absl::Minutes(10));
  ASSERT_TRUE(engine_->SetNotReady(AgentId(1), 3).ok());  // lunch 10..20
  At(t0 + absl::Minutes(20));
  ASSERT_TRUE(engine_->SetNotReady(AgentId(1), 4).ok());  // training 20..25
  At(t0 + absl::Minutes(25));
  ASSERT_TRUE(engine_->SetReady(AgentId(1)).ok());
  Arrive(1, queue_);  // busy 25..29
  At(t0 + absl::Minutes(29));
  ASSERT_TRUE(engine_->CompleteContact(AgentId(1), ContactId(1), {5, true}).ok());
  At(t0 + absl::Minutes(30));
  Collector::AgentsNow states = collector_->AgentStates();
  EXPECT_EQ(states.by_state[static_cast<int>(AgentState::kAvailable)], 1u);

  const std::vector<AgentRow> rows =
      collector_->AgentRows(Granularity::k15Minutes, t0, t0 + absl::Minutes(30)).value();
  ASSERT_EQ(rows.size(), 2u);
  const AgentCounts& first = rows[0].figures.counts;   // 0..15
  const AgentCounts& second = rows[1].figures.counts;  // 15..30
  EXPECT_EQ(rows[0].group, "tax team");
  EXPECT_EQ(first.state_us[static_cast<int>(AgentState::kAvailable)], 600'000'000);
  EXPECT_EQ(first.not_ready_us.at(3), 300'000'000);
  EXPECT_EQ(second.not_ready_us.at(3), 300'000'000);
  EXPECT_EQ(second.not_ready_us.at(4), 300'000'000);
  EXPECT_EQ(second.state_us[static_cast<int>(AgentState::kBusy)], 240'000'000);
  EXPECT_EQ(second.state_us[static_cast<int>(AgentState::kAvailable)], 60'000'000);
  const AgentFigures& f = rows[1].figures;
  EXPECT_DOUBLE_EQ(f.occupancy, 240.0 / 300.0);
  EXPECT_DOUBLE_EQ(f.utilization, 240.0 / 900.0);
  EXPECT_DOUBLE_EQ(f.aht_s, 240);
  EXPECT_DOUBLE_EQ(f.csat, 5);
  EXPECT_DOUBLE_EQ(f.fcr, 1);
  const std::vector<GroupRow> groups =
      collector_->GroupRows(Granularity::kHour, t0, t0 + absl::Hours(1)).value();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].group, "tax team");
  EXPECT_EQ(groups[0].figures.counts.not_ready_us.at(3), 600'000'000);
  EXPECT_DOUBLE_EQ(groups[0].figures.logged_in_s, 1800);
}

TEST_F(CollectorTest, TransfersAndWithdrawalsEndAPartInAQueue) {
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  Build({}, t0);
  ASSERT_TRUE(engine_->Login(AgentId(1)).ok());
  Arrive(1, queue_);  // answered by agent 1
  Arrive(2, queue_);  // waits
  Arrive(3, queue_);  // waits
  // Not ready once contact 1 is gone, so that contact 2 is not answered.
  ASSERT_TRUE(engine_->SetNotReady(AgentId(1)).ok());
  At(t0 + absl::Seconds(30));
  ASSERT_TRUE(engine_->Transfer(ContactId(1), other_).ok());  // in service: q -> r
  ASSERT_TRUE(engine_->Transfer(ContactId(2), other_).ok());  // waiting: q -> r
  ASSERT_TRUE(engine_->Withdraw(ContactId(3)).ok());
  const QueueFigures q =
      collector_->QueueTotal(queue_, t0 - absl::Hours(1), t0 + absl::Hours(1)).value();
  EXPECT_EQ(q.counts.offered, 3u);
  EXPECT_EQ(q.counts.answered, 1u);
  EXPECT_EQ(q.counts.transferred, 2u);
  EXPECT_EQ(q.counts.withdrawn, 1u);
  const QueueFigures r =
      collector_->QueueTotal(other_, t0 - absl::Hours(1), t0 + absl::Hours(1)).value();
  EXPECT_EQ(r.counts.offered, 2u);  // both entered r
  const QueueStats stats = engine_->GetQueueStats(queue_).value();
  EXPECT_EQ(q.counts.offered, stats.entered);
  EXPECT_EQ(q.counts.transferred, stats.transferred_out);
}

TEST_F(CollectorTest, RowsOlderThanRetainAreDropped) {
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  MetricsOptions o;
  o.retain = absl::Hours(2);
  Build(o, t0);
  Arrive(1, queue_);
  At(t0 + absl::Hours(1));
  Arrive(2, queue_);
  const absl::Time from = t0 - absl::Hours(1), to = t0 + absl::Hours(5);
  EXPECT_EQ(collector_->QueueTotal(queue_, from, to)->counts.offered, 2u);
  At(t0 + absl::Hours(3));
  Arrive(3, queue_);  // the first hour is gone now
  EXPECT_EQ(collector_->QueueTotal(queue_, from, to)->counts.offered, 2u);
  // Contact 1 is answered now: its arrival interval is gone, so it counts
  // in the windows only (no row with an answer and nothing offered).
  ASSERT_TRUE(engine_->Login(AgentId(1)).ok());
  const QueueFigures total = collector_->QueueTotal(queue_, from, to).value();
  EXPECT_EQ(total.counts.offered, 2u);
  EXPECT_EQ(total.counts.answered, 0u);  // the agent took contact 1, the oldest
  EXPECT_EQ(collector_->Now()[0].windows[0].counts.answered, 1u);
}

TEST_F(CollectorTest, LoggedOutAgentsHaveNoRows) {
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  Build({}, t0);
  ASSERT_TRUE(engine_->Login(AgentId(1)).ok());
  ASSERT_TRUE(engine_->Login(AgentId(2)).ok());
  At(t0 + absl::Minutes(10));
  ASSERT_TRUE(engine_->Logout(AgentId(2)).ok());
  At(t0 + absl::Hours(3));
  const std::vector<AgentRow> rows =
      collector_->AgentRows(Granularity::kHour, t0, t0 + absl::Hours(3)).value();
  size_t of_two = 0;
  for (const AgentRow& r : rows) {
    if (r.agent == AgentId(2)) {
      ++of_two;
      EXPECT_DOUBLE_EQ(r.figures.logged_in_s, 600);
    }
  }
  EXPECT_EQ(of_two, 1u);       // its first hour only
  EXPECT_EQ(rows.size(), 4u);  // agent 1's three hours and agent 2's one
  const Collector::AgentsNow now = collector_->AgentStates();
  EXPECT_EQ(now.by_state[static_cast<int>(AgentState::kAvailable)], 1u);
  EXPECT_EQ(now.by_state[static_cast<int>(AgentState::kLoggedOut)], 0u);
}

TEST_F(CollectorTest, SnapshotCountsWhenThingsHappenAndTodayFromMidnight) {
  const absl::TimeZone shanghai = Zone("Asia/Shanghai");
  MetricsOptions o;
  o.time_zone = shanghai;
  const absl::Time t0 = absl::FromCivil(absl::CivilMinute(2026, 12, 5, 23, 50), shanghai);
  Build(o, t0);
  collector_->AssignGroup(AgentId(1), "team");
  ASSERT_TRUE(engine_->Login(AgentId(1)).ok());
  Arrive(1, queue_);  // answered at once by agent 1
  Arrive(2, queue_);  // waits: agent 2 is not logged in
  At(t0 + absl::Seconds(30));
  ASSERT_TRUE(engine_->Abandon(ContactId(2)).ok());
  At(t0 + absl::Seconds(60));
  ContactOutcome outcome;
  outcome.csat = 4;
  ASSERT_TRUE(engine_->CompleteContact(AgentId(1), ContactId(1), outcome).ok());
  // After midnight, one contact in the other queue, answered at once.
  At(t0 + absl::Minutes(15));
  Arrive(3, other_);
  At(t0 + absl::Minutes(16));

  const Snapshot s = collector_->TakeSnapshot();
  EXPECT_EQ(s.at, t0 + absl::Minutes(16));
  ASSERT_EQ(s.queues.size(), 2u);
  const QueueSnapshot& q = s.queues[0];
  const QueueSnapshot& r = s.queues[1];
  EXPECT_EQ(q.queue, "q");
  EXPECT_EQ(q.total.offered, 2u);
  EXPECT_EQ(q.total.answered, 1u);
  EXPECT_EQ(q.total.abandoned, 1u);
  EXPECT_EQ(q.total.short_abandoned, 0u);  // 30 s is not short
  EXPECT_EQ(q.total.completed, 1u);
  EXPECT_EQ(q.total.csat_sum, 4);
  EXPECT_EQ(q.total.handle_us, 60'000'000);
  // Waits: the answer at 0 s is in the first bucket (<= 1 s), the abandon
  // at 30 s in the bucket whose upper bound is 30 s.
  EXPECT_EQ(q.answer_wait.count, 1u);
  EXPECT_EQ(q.answer_wait.counts[0], 1u);
  EXPECT_EQ(q.abandon_wait.count, 1u);
  EXPECT_DOUBLE_EQ(q.abandon_wait.sum_s, 30);
  EXPECT_EQ(q.abandon_wait.counts[5], 1u);
  EXPECT_EQ(kWaitBucketsSeconds[5], 30);
  // Today began at midnight in Shanghai: q had nothing since, r one answer.
  EXPECT_EQ(q.today.counts.offered, 0u);
  EXPECT_TRUE(std::isnan(q.today.service_level));
  EXPECT_EQ(r.today.counts.offered, 1u);
  EXPECT_EQ(r.today.counts.answered, 1u);
  EXPECT_DOUBLE_EQ(r.today.service_level, 1.0);
  EXPECT_EQ(r.total.offered, 1u);
  // The 5-minute window holds r's answer (00:05) and not q's (23:50).
  ASSERT_EQ(q.windows.size(), 3u);
  EXPECT_EQ(q.windows[0].counts.offered, 0u);
  EXPECT_EQ(r.windows[0].counts.answered, 1u);
  EXPECT_EQ(q.windows[1].counts.offered, 0u);  // 15 minutes: from 23:52
  EXPECT_EQ(q.windows[2].counts.offered, 2u);  // the hour: both parts ended
  EXPECT_EQ(q.sl_threshold, absl::Seconds(20));
  // Agent 1: busy 23:50-23:51 and since 00:05, available in between.
  EXPECT_EQ(s.agents.by_state[static_cast<int>(AgentState::kBusy)], 1u);
  EXPECT_EQ(s.groups.at("team").by_state[static_cast<int>(AgentState::kBusy)], 1u);
  EXPECT_DOUBLE_EQ(s.agent_state_seconds[static_cast<int>(AgentState::kBusy)], 120);
  EXPECT_DOUBLE_EQ(s.agent_state_seconds[static_cast<int>(AgentState::kAvailable)], 840);
}

TEST(CollectorOptionsTest, BadOptionsAndRangesAreRefused) {
  std::unique_ptr<Engine> engine = Engine::Create().value();
  MetricsOptions o;
  o.retain = absl::Minutes(30);
  absl::Status st = Collector::Attach(*engine, o).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(st.message()),
            "metrics: retain must be at least 1h and finite, got 30m");
  o = MetricsOptions{};
  o.windows = {absl::Minutes(5), absl::Seconds(90)};
  st = Collector::Attach(*engine, o).status();
  EXPECT_EQ(
      std::string(st.message()),
      "metrics: windows[1] must be a whole number of minutes in [1m, 24h], got 1m30s");
  o.windows = {absl::Hours(25)};
  EXPECT_FALSE(Collector::Attach(*engine, o).ok());
  o.windows = {absl::Minutes(60), absl::Hours(1)};  // one series twice
  EXPECT_EQ(std::string(Collector::Attach(*engine, o).status().message()),
            "metrics: windows[0] and windows[1] are both 1h");
  auto collector = Collector::Attach(*engine, {}).value();
  const absl::Time t = absl::UnixEpoch();
  st = collector->QueueRows(Granularity::kDay, t + absl::Hours(1), t).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(collector->QueueTotal(QueueId(7), t, t).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(
      ParseGranularity("fortnight").status().message(),
      "unknown granularity 'fortnight' (known: 15min, 30min, hour, day, week, month)");
  EXPECT_EQ(GranularityName(ParseGranularity("week").value()), "week");
}

// The engine keeps its own per-queue counters; the collector's totals over
// all time must equal them after every step of a randomized day (arrivals,
// answers, rejects, hang-ups, transfers, overflows, withdrawals, logouts).
TEST(CollectorRandomTest, TotalsMatchTheEnginesCountersAfterEveryStep) {
  for (uint64_t seed : {1, 2, 3}) {
    std::unique_ptr<Engine> engine = test::NewDayCenter();
    auto collector = Collector::Attach(*engine, {}).value();
    test::DayDriver driver(seed);
    const absl::Time start = engine->Now() - absl::Hours(1);
    for (int step = 0; step < 1500; ++step) {
      ASSERT_NO_FATAL_FAILURE(driver.Step({engine.get()}));
      if (step % 7 != 0 && step < 1400) continue;
      for (uint32_t q = 0; q < engine->queue_count(); ++q) {
        const QueueStats s = engine->GetQueueStats(QueueId(q)).value();
        const QueueCounts c =
            collector->QueueTotal(QueueId(q), start, engine->Now() + absl::Hours(1))
                ->counts;
        ASSERT_EQ(c.offered, s.entered)
            << "seed " << seed << " step " << step << " q" << q;
        ASSERT_EQ(c.answered, s.answered) << "step " << step;
        ASSERT_EQ(c.abandoned, s.abandoned) << "step " << step;
        ASSERT_EQ(c.overflowed, s.overflowed) << "step " << step;
        ASSERT_EQ(c.transferred, s.transferred_out) << "step " << step;
        ASSERT_EQ(c.completed, s.completed) << "step " << step;
      }
    }
  }
}

}  // namespace
}  // namespace ccengine::metrics
