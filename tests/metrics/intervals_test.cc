// Interval rows kept outside the collector (metrics/intervals.h): a restart
// in the middle of a randomized day loses nothing that was handed over (the
// stored day equals the two engines' own counters together); reports from
// stored rows equal the collector's own rows for every granularity across a
// daylight-saving change; the in-memory store replaces rows by key and
// refuses bad rows whole; CSV and JSON of a small report, byte for byte.

#include "ccengine/metrics/intervals.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ccengine/compliance/pii.h"
#include "ccengine/core/engine.h"
#include "ccengine/metrics/collector.h"
#include "gtest/gtest.h"
#include "testing/engine_day.h"
#include "testing/time_zone.h"

namespace ccengine::metrics {
namespace {

using ::ccengine::testing::Zone;

// Rows as comparable text: period, queue, the counts that matter (sorted:
// the collector lists queues by id, reports by name).
std::vector<std::string> Describe(const std::vector<QueueRow>& rows) {
  std::vector<std::string> out;
  for (const QueueRow& r : rows) {
    const QueueCounts& c = r.figures.counts;
    out.push_back(absl::StrCat(absl::FormatTime(r.start), " ", r.queue, " o", c.offered,
                               " a", c.answered, " w", c.answered_within, " ab",
                               c.abandoned, " ov", c.overflowed, " t", c.transferred,
                               " wd", c.withdrawn, " c", c.completed, " h", c.handle_us,
                               " q", c.wait_answered_us));
  }
  std::sort(out.begin(), out.end());
  return out;
}
std::vector<std::string> Describe(const std::vector<AgentRow>& rows) {
  std::vector<std::string> out;
  for (const AgentRow& r : rows) {
    const AgentCounts& c = r.figures.counts;
    std::string s = absl::StrCat(absl::FormatTime(r.start), " ", r.agent.value(), " a",
                                 c.answered, " c", c.completed, " h", c.handle_us);
    for (int64_t us : c.state_us) absl::StrAppend(&s, " ", us);
    for (const auto& [reason, us] : c.not_ready_us)
      absl::StrAppend(&s, " r", reason, ":", us);
    out.push_back(s);
  }
  return out;
}

TEST(IntervalsTest, ARestartLosesNothingThatWasHandedOver) {
  MemoryIntervalStore store;
  std::map<std::string, uint64_t> offered, answered, abandoned,
      completed;  // engines' own
  auto count_engine = [&](const Engine& e) {
    for (uint32_t q = 0; q < e.queue_count(); ++q) {
      const QueueStats s = e.GetQueueStats(QueueId(q)).value();
      const std::string name = e.GetQueueConfig(QueueId(q))->name;
      offered[name] += s.entered;
      answered[name] += s.answered;
      abandoned[name] += s.abandoned;
      completed[name] += s.completed;
    }
  };
  // Before the crash: half a day, handed over every 50 steps and at the end.
  std::unique_ptr<Engine> first = test::NewDayCenter();
  const absl::Time day = first->Now() - absl::Hours(8);
  auto before = Collector::Attach(*first, {}).value();
  test::DayDriver driver(21);
  for (int step = 1; step <= 700; ++step) {
    ASSERT_NO_FATAL_FAILURE(driver.Step({first.get()}));
    if (step % 50 == 0) {
      ASSERT_TRUE(store.Write(before->TakeChangedIntervals()).ok());
    }
  }
  ASSERT_TRUE(store.Write(before->TakeChangedIntervals()).ok());
  const std::vector<QueueRow> rows_before =
      before->QueueRows(Granularity::k15Minutes, day, day + absl::Hours(24)).value();
  const std::vector<AgentRow> agents_before =
      before->AgentRows(Granularity::k15Minutes, day, day + absl::Hours(24)).value();
  // Everything handed over is what the collector holds.
  IntervalBatch stored = store.Read(day, day + absl::Hours(24)).value();
  EXPECT_EQ(
      Describe(QueueReport(stored.queues, Granularity::k15Minutes, absl::UTCTimeZone())),
      Describe(rows_before));
  EXPECT_EQ(
      Describe(AgentReport(stored.agents, Granularity::k15Minutes, absl::UTCTimeZone())),
      Describe(agents_before));
  count_engine(*first);

  // The restart: a fresh engine with the same configuration and a fresh
  // collector that gets the stored rows back, then the rest of the day.
  std::unique_ptr<Engine> second = test::NewDayCenter();
  ASSERT_TRUE(second->AdvanceTo(first->Now() + absl::Minutes(2)).ok());
  before.reset();
  first.reset();
  auto after = Collector::Attach(*second, {}).value();
  const size_t restored = after->RestoreIntervals(stored).value();
  EXPECT_EQ(restored, stored.queues.size() + stored.agents.size());
  EXPECT_EQ(
      Describe(
          after->QueueRows(Granularity::k15Minutes, day, day + absl::Hours(24)).value()),
      Describe(rows_before));
  // Nothing restored is handed out again until it changes.
  EXPECT_TRUE(after->TakeChangedIntervals().queues.empty());
  test::DayDriver driver2(22);
  for (int step = 1; step <= 700; ++step) {
    ASSERT_NO_FATAL_FAILURE(driver2.Step({second.get()}));
    if (step % 50 == 0) {
      ASSERT_TRUE(store.Write(after->TakeChangedIntervals()).ok());
    }
  }
  ASSERT_TRUE(store.Write(after->TakeChangedIntervals()).ok());
  count_engine(*second);

  // The stored day is both engines' counters together.
  stored = store.Read(day, day + absl::Hours(48)).value();
  const std::vector<QueueRow> whole =
      QueueReport(stored.queues, Granularity::kMonth, absl::UTCTimeZone());
  ASSERT_FALSE(whole.empty());
  std::map<std::string, QueueCounts> by_queue;
  for (const QueueRow& r : whole) by_queue[r.queue] += r.figures.counts;
  for (const auto& [name, n] : offered) {
    EXPECT_EQ(by_queue[name].offered, n) << name;
    EXPECT_EQ(by_queue[name].answered, answered[name]) << name;
    EXPECT_EQ(by_queue[name].abandoned, abandoned[name]) << name;
    EXPECT_EQ(by_queue[name].completed, completed[name]) << name;
  }
  EXPECT_GT(by_queue["general"].offered, 0u);
}

TEST(IntervalsTest, ReportsFromStoredRowsEqualTheCollectorsRows) {
  const absl::TimeZone new_york = Zone("America/New_York");
  // Two days either side of the clocks going back (1 November 2026).
  EngineOptions options;
  options.start = absl::FromCivil(absl::CivilHour(2026, 10, 31, 6), new_york);
  std::unique_ptr<Engine> engine = Engine::Create(options).value();
  MetricsOptions mo;
  mo.time_zone = new_york;
  mo.retain = absl::Hours(24 * 5);
  auto collector = Collector::Attach(*engine, mo).value();
  const SkillId skill = engine->AddSkill("s").value();
  for (const char* name : {"sales", "support"}) {
    QueueConfig q;
    q.name = name;
    q.skills = {{skill, 1}};
    ASSERT_TRUE(engine->AddQueue(q).ok());
  }
  for (uint64_t id = 1; id <= 3; ++id) {
    AgentConfig a;
    a.id = AgentId(id);
    a.skills = {{skill, 1}};
    a.auto_accept = true;
    ASSERT_TRUE(engine->AddAgent(a).ok());
    ASSERT_TRUE(engine->Login(a.id).ok());
    collector->AssignGroup(a.id, id == 3 ? "night" : "day");
  }
  MemoryIntervalStore store;
  uint64_t next = 1;
  std::vector<std::pair<AgentId, ContactId>> talking;
  for (int i = 0; i < 48 * 6; ++i) {  // every 10 minutes for two days
    ASSERT_TRUE(engine->AdvanceTo(engine->Now() + absl::Minutes(10)).ok());
    for (const auto& [agent, contact] : talking) {
      ASSERT_TRUE(engine->CompleteContact(agent, contact).ok());
    }
    talking.clear();
    if (i % 17 == 5) {
      ASSERT_TRUE(engine->SetNotReady(AgentId(2), 1 + i % 3).ok());
    }
    if (i % 17 == 9) {
      ASSERT_TRUE(engine->SetReady(AgentId(2)).ok());
    }
    for (int k = 0; k < 1 + i % 3; ++k) {
      ContactSpec c;
      c.id = ContactId(next++);
      c.queue = QueueId(static_cast<uint32_t>(k % 2));
      ASSERT_TRUE(engine->AddContact(c).ok());
      const ContactSnapshot got = engine->GetContact(c.id).value();
      if (got.agent.has_value()) talking.emplace_back(*got.agent, c.id);
    }
    if (i % 30 == 0) {
      ASSERT_TRUE(store.Write(collector->TakeChangedIntervals()).ok());
    }
  }
  ASSERT_TRUE(store.Write(collector->TakeChangedIntervals()).ok());
  const absl::Time from = options.start - absl::Hours(24),
                   to = engine->Now() + absl::Hours(1);
  const IntervalBatch rows = store.Read(from, to).value();
  for (Granularity g :
       {Granularity::k15Minutes, Granularity::k30Minutes, Granularity::kHour,
        Granularity::kDay, Granularity::kWeek, Granularity::kMonth}) {
    SCOPED_TRACE(GranularityName(g));
    EXPECT_EQ(Describe(QueueReport(rows.queues, g, new_york)),
              Describe(collector->QueueRows(g, from, to).value()));
    EXPECT_EQ(Describe(AgentReport(rows.agents, g, new_york)),
              Describe(collector->AgentRows(g, from, to).value()));
    const std::vector<GroupRow> groups = GroupReport(rows.agents, g, new_york);
    const std::vector<GroupRow> live = collector->GroupRows(g, from, to).value();
    ASSERT_EQ(groups.size(), live.size());
    for (size_t i = 0; i < groups.size(); ++i) {
      EXPECT_EQ(groups[i].group, live[i].group);
      EXPECT_EQ(groups[i].figures.counts.state_us, live[i].figures.counts.state_us);
    }
  }
  // The day the clocks went back has 25 hours of rows.
  const std::vector<QueueRow> hours =
      QueueReport(rows.queues, Granularity::kHour, new_york);
  int on_the_long_day = 0;
  for (const QueueRow& r : hours) {
    const absl::CivilDay d = absl::ToCivilDay(r.start, new_york);
    if (d == absl::CivilDay(2026, 11, 1) && r.queue == "sales") ++on_the_long_day;
  }
  EXPECT_EQ(on_the_long_day, 25);
}

TEST(IntervalsTest, StoreReplacesByKeyAndRefusesBadRowsWhole) {
  MemoryIntervalStore store;
  const absl::Time t = absl::FromUnixSeconds(1'800'000'000);  // on a quarter hour
  QueueInterval q{t, "sales", ServiceLevelDefinition::kWithinOverOffered, {}};
  q.counts.offered = 3;
  ASSERT_TRUE(store.Write({{q}, {}}).ok());
  q.counts.offered = 5;  // the same interval, later
  ASSERT_TRUE(store.Write({{q}, {}}).ok());
  IntervalBatch back = store.Read(t, t + absl::Minutes(15)).value();
  ASSERT_EQ(back.queues.size(), 1u);
  EXPECT_EQ(back.queues[0].counts.offered, 5u);

  QueueInterval bad = q;
  bad.queue = "other";
  bad.start = t + absl::Minutes(7);
  QueueInterval good = q;
  good.queue = "third";
  absl::Status st = store.Write({{good, bad}, {}});
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(st.message()).find("queue 'other' row"), std::string::npos) << st;
  EXPECT_EQ(store.Read(t, t + absl::Hours(1))->queues.size(),
            1u);  // nothing of it stored
  EXPECT_EQ(store.Read(t + absl::Hours(1), t).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(store.Read(t + absl::Minutes(15), t + absl::Hours(1))->queues.empty());
}

TEST(IntervalsTest, CsvAndJsonOfASmallReport) {
  const absl::TimeZone shanghai = Zone("Asia/Shanghai");
  const absl::Time t = absl::FromCivil(absl::CivilMinute(2026, 12, 7, 8, 0), shanghai);
  QueueInterval a{t, "policy, 政策", ServiceLevelDefinition::kWithinOverAnswered, {}};
  a.counts.offered = 4;
  a.counts.answered = 2;
  a.counts.answered_within = 1;
  a.counts.abandoned = 1;
  a.counts.wait_answered_us = 30'000'000;
  QueueInterval b = a;
  b.start = t + absl::Minutes(15);
  b.counts = {};
  b.counts.offered = 1;
  const std::vector<QueueRow> day = QueueReport({a, b}, Granularity::kDay, shanghai);
  EXPECT_EQ(
      QueueReportCsv(day, shanghai),
      "period_start,queue,offered,answered,answered_within,abandoned,short_abandoned,"
      "overflowed,transferred,withdrawn,completed,service_level,sl_definition,"
      "abandon_rate,asa_s,aht_s,csat,fcr\r\n"
      "2026-12-07T00:00:00+08:00,\"policy, 政策\",5,2,1,1,0,0,0,0,0,0.5,"
      "within_answered,0.2,15,,,\r\n");
  EXPECT_EQ(QueueReportJson(day, shanghai),
            R"([{"period_start":"2026-12-07T00:00:00+08:00","queue":"policy, 政策",)"
            R"("offered":5,"answered":2,"answered_within":1,"abandoned":1,)"
            R"("short_abandoned":0,"overflowed":0,"transferred":0,"withdrawn":0,)"
            R"("completed":0,"service_level":0.5,"sl_definition":"within_answered",)"
            R"("abandon_rate":0.2,"asa_s":15,"aht_s":null,"csat":null,"fcr":null}])");

  AgentInterval x{t, AgentId(7), "team \"A\"", {}};
  x.counts.completed = 1;
  x.counts.handle_us = 120'000'000;
  x.counts.state_us[static_cast<int>(AgentState::kBusy)] = 120'000'000;
  x.counts.state_us[static_cast<int>(AgentState::kAvailable)] = 600'000'000;
  x.counts.state_us[static_cast<int>(AgentState::kNotReady)] = 180'000'000;
  x.counts.not_ready_us[2] = 180'000'000;
  const std::vector<AgentRow> agents = AgentReport({x}, Granularity::kHour, shanghai);
  EXPECT_EQ(AgentReportCsv(agents, shanghai),
            "period_start,agent,group,answered,completed,aht_s,occupancy,utilization,"
            "logged_in_s,available_s,reserved_s,busy_s,wrap_up_s,not_ready_s,csat,fcr,"
            "not_ready_s_2\r\n"
            "2026-12-07T08:00:00+08:00,7,\"team \"\"A\"\"\",0,1,120,0.16666666666666666,"
            "0.13333333333333333,900,600,0,120,0,180,,,180\r\n");
  EXPECT_EQ(GroupReportJson(GroupReport({x}, Granularity::kHour, shanghai), shanghai),
            R"([{"period_start":"2026-12-07T08:00:00+08:00","group":"team \"A\"",)"
            R"("answered":0,"completed":1,"aht_s":120,"occupancy":0.16666666666666666,)"
            R"("utilization":0.13333333333333333,"logged_in_s":900,"available_s":600,)"
            R"("reserved_s":0,"busy_s":120,"wrap_up_s":0,"not_ready_s":180,)"
            R"("not_ready_by_reason_s":{"2":180},"csat":null,"fcr":null}])");
}

TEST(IntervalsTest, SvgChartOfServiceLevel) {
  const absl::TimeZone shanghai = Zone("Asia/Shanghai");
  const absl::Time t = absl::FromCivil(absl::CivilMinute(2026, 12, 7, 8, 0), shanghai);
  QueueInterval a{t, "policy <A&B>", ServiceLevelDefinition::kWithinOverOffered, {}};
  a.counts.offered = 4;
  a.counts.answered = 2;
  a.counts.answered_within = 2;  // 50%
  QueueInterval b{t + absl::Hours(24), "policy <A&B>", a.sl_definition, {}};
  b.counts.offered = 4;
  b.counts.answered_within = 3;                      // 75%
  QueueInterval c{t, "empty", a.sl_definition, {}};  // nothing offered: no bar
  const std::string svg =
      QueueReportSvg(QueueReport({a, b, c}, Granularity::kDay, shanghai),
                     Granularity::kDay, shanghai, 0.8);
  size_t bars = 0;
  for (size_t at = svg.find("class=\"bar\""); at != std::string::npos;
       at = svg.find("class=\"bar\"", at + 1)) {
    ++bars;
  }
  EXPECT_EQ(bars, 2u);
  EXPECT_NE(svg.find("height=\"100\" fill"), std::string::npos) << svg;  // 50% of 200 px
  EXPECT_NE(svg.find("height=\"150\" fill"), std::string::npos) << svg;  // 75%
  EXPECT_NE(svg.find("policy &lt;A&amp;B&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<A&B>"), std::string::npos);  // never raw
  EXPECT_NE(svg.find("2026-12-08"), std::string::npos);
  EXPECT_NE(svg.find("class=\"target\""), std::string::npos);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

// Queue and group names that hold personal data leave masked in every
// report format, the chart's legend included.
TEST(IntervalsTest, PersonalDataInANameIsMaskedInEveryReport) {
  const absl::TimeZone shanghai = Zone("Asia/Shanghai");
  const absl::Time t = absl::FromCivil(absl::CivilMinute(2026, 12, 7, 8, 0), shanghai);
  QueueInterval a{t, "回拨 13812345678", ServiceLevelDefinition::kWithinOverOffered, {}};
  a.counts.offered = 2;
  a.counts.answered_within = 1;
  AgentInterval x{t, AgentId(7), "组 110105199003071239", {}};
  x.counts.completed = 1;
  const std::vector<QueueRow> day = QueueReport({a}, Granularity::kDay, shanghai);
  const std::vector<AgentRow> agents = AgentReport({x}, Granularity::kHour, shanghai);
  const std::vector<GroupRow> groups = GroupReport({x}, Granularity::kHour, shanghai);
  for (const std::string& out :
       {QueueReportCsv(day, shanghai), QueueReportJson(day, shanghai),
        QueueReportSvg(day, Granularity::kDay, shanghai, 0.8),
        AgentReportCsv(agents, shanghai), AgentReportJson(agents, shanghai),
        GroupReportCsv(groups, shanghai), GroupReportJson(groups, shanghai)}) {
    EXPECT_EQ(out.find("13812345678"), std::string::npos) << out;
    EXPECT_EQ(out.find("110105199003071239"), std::string::npos) << out;
    EXPECT_TRUE(compliance::FindPii(out).empty()) << out;
    EXPECT_TRUE(out.find("138****5678") != std::string::npos ||
                out.find("110***********1239") != std::string::npos)
        << out;
  }
}

TEST(IntervalsTest, RestoreOnlyBeforeTheFirstEvent) {
  std::unique_ptr<Engine> engine = Engine::Create().value();
  auto collector = Collector::Attach(*engine, {}).value();
  const SkillId skill = engine->AddSkill("s").value();
  QueueConfig q;
  q.name = "known";
  q.skills = {{skill, 1}};
  ASSERT_TRUE(engine->AddQueue(q).ok());
  const absl::Time t = absl::FromUnixSeconds(absl::ToUnixSeconds(engine->Now()) /
                                             kIntervalSeconds * kIntervalSeconds);
  IntervalBatch batch;
  batch.queues.push_back({t, "known", ServiceLevelDefinition::kWithinOverOffered, {}});
  batch.queues.push_back({t, "gone", ServiceLevelDefinition::kWithinOverOffered, {}});
  batch.queues[0].counts.offered = 9;
  // An agent whose group changed: the latest row's group comes back.
  batch.agents.push_back({t - absl::Minutes(15), AgentId(5), "old team", {}});
  batch.agents.push_back({t, AgentId(5), "new team", {}});
  batch.agents.back().counts.answered = 1;
  EXPECT_EQ(collector->RestoreIntervals(batch).value(), 3u);  // "gone" skipped
  const std::vector<AgentRow> agents =
      collector->AgentRows(Granularity::kHour, t - absl::Hours(1), t + absl::Hours(1))
          .value();
  ASSERT_FALSE(agents.empty());
  EXPECT_EQ(agents.back().group, "new team");
  EXPECT_EQ(collector->QueueTotal(QueueId(0), t, t + absl::Hours(1))->counts.offered, 9u);
  ContactSpec c;
  c.id = ContactId(1);
  c.queue = QueueId(0);
  ASSERT_TRUE(engine->AddContact(c).ok());
  EXPECT_EQ(collector->RestoreIntervals(batch).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(collector->QueueTotal(QueueId(0), t, t + absl::Hours(1))->counts.offered,
            10u);
}

}  // namespace
}  // namespace ccengine::metrics
