// Calendar reports of a simulation (Scenario::report_start): the 15-minute
// rows replication 0 keeps, summed by the same report functions as a live
// center's, checked against the simulator's own per-interval counters (a
// separate path: the simulator counts from its own records, the collector
// from the engine's events), against the calendar (an agent logged in all
// day has 24 hours in its day row) and against Erlang C; the rows travel
// with a replication's bytes; bad settings are refused.

#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ccengine/erlang/erlang.h"
#include "ccengine/metrics/intervals.h"
#include "ccengine/sim/sim.h"
#include "ccengine/sim/staffing.h"
#include "gtest/gtest.h"
#include "sim/sim_internal.h"
#include "testing/time_zone.h"

namespace ccengine::sim {
namespace {

using ::ccengine::testing::Zone;
using metrics::Granularity;

constexpr double kDay = 86400;

// Midnight of 2026-12-07 (a Monday) in Shanghai.
absl::Time ShanghaiMonday() {
  return absl::FromCivil(absl::CivilDay(2026, 12, 7), Zone("Asia/Shanghai"));
}

// One queue served by two groups of agents logged in from time 0 to the end;
// callers with patience.
Scenario TwoGroups(double horizon_s) {
  Scenario s;
  s.seed = 77;
  s.horizon_s = horizon_s;
  s.interval_s = 900;
  s.skills = {"general"};
  QueueSpec q;
  q.name = "general";
  q.skills = {{"general", 1}};
  q.sl_seconds = 20;
  s.queues.push_back(q);
  AgentGroupSpec a;
  a.name = "day team";
  a.count = 6;
  a.skills = {{"general", 5}};
  s.agents.push_back(a);
  AgentGroupSpec b = a;
  b.name = "generalists";
  b.count = 3;
  s.agents.push_back(b);
  ArrivalSpec arr;
  arr.queue = "general";
  arr.rate_per_s = 0.04;
  arr.handle_time = Distribution::Exponential(180);
  arr.patience = Distribution::Exponential(120);
  s.arrivals.push_back(arr);
  s.report_start = ShanghaiMonday();
  return s;
}

TEST(SimReportTest, QueueRowsEqualTheSimulatorsOwnIntervalCounts) {
  const Scenario s = TwoGroups(2 * kDay);
  const Result r = Simulate(s).value();
  ASSERT_TRUE(r.invariants_ok);
  // One collector row per 15-minute interval that had an arrival.
  std::map<absl::Time, metrics::QueueCounts> rows;
  for (const metrics::QueueInterval& q : r.intervals.queues) {
    EXPECT_EQ(q.queue, "general");
    EXPECT_TRUE(rows.emplace(q.start, q.counts).second);
  }
  const std::vector<Row>& sim = r.queue_intervals.at("general");
  ASSERT_EQ(sim.size(), 192u);
  double offered = 0;
  for (size_t i = 0; i < sim.size(); ++i) {
    const absl::Time start = *s.report_start + absl::Seconds(900 * i);
    const Metrics& m = sim[i].value;
    metrics::QueueCounts c;
    if (auto it = rows.find(start); it != rows.end()) c = it->second;
    EXPECT_EQ(static_cast<double>(c.offered), m.offered) << "interval " << i;
    EXPECT_EQ(static_cast<double>(c.answered), m.answered) << "interval " << i;
    EXPECT_EQ(static_cast<double>(c.abandoned), m.abandoned) << "interval " << i;
    if (c.offered > 0) {
      EXPECT_DOUBLE_EQ(static_cast<double>(c.answered_within) / c.offered,
                       m.service_level)
          << "interval " << i;
    }
    offered += m.offered;
  }
  EXPECT_GT(offered, 5000);
  EXPECT_EQ(rows.size(), r.intervals.queues.size());
  EXPECT_EQ(offered, r.queues.at("general").value.offered);

  // The daily report: two Shanghai days, each the sum of its 96 intervals.
  const std::vector<metrics::QueueRow> days =
      metrics::QueueReport(r.intervals.queues, Granularity::kDay, Zone("Asia/Shanghai"));
  ASSERT_EQ(days.size(), 2u);
  for (size_t d = 0; d < 2; ++d) {
    EXPECT_EQ(days[d].start, *s.report_start + absl::Hours(24 * d));
    double day_offered = 0, day_answered = 0;
    for (size_t i = 96 * d; i < 96 * (d + 1); ++i) {
      day_offered += sim[i].value.offered;
      day_answered += sim[i].value.answered;
    }
    EXPECT_EQ(static_cast<double>(days[d].figures.counts.offered), day_offered);
    EXPECT_EQ(static_cast<double>(days[d].figures.counts.answered), day_answered);
  }
}

TEST(SimReportTest, AgentAndGroupRowsFollowTheCalendarAndTheQueue) {
  const Scenario s = TwoGroups(kDay);
  const Result r = Simulate(s).value();
  const absl::TimeZone tz = Zone("Asia/Shanghai");
  const std::vector<metrics::AgentRow> agents =
      metrics::AgentReport(r.intervals.agents, Granularity::kDay, tz);
  // Every agent is logged in from midnight: its day row holds the whole day.
  std::map<std::string, int> per_group;
  uint64_t answered = 0;
  for (const metrics::AgentRow& a : agents) {
    if (a.start != *s.report_start) continue;  // the run past midnight
    EXPECT_DOUBLE_EQ(a.figures.logged_in_s, kDay) << a.agent.value();
    ++per_group[a.group];
    answered += a.figures.counts.answered;
  }
  EXPECT_EQ(per_group, (std::map<std::string, int>{{"day team", 6}, {"generalists", 3}}));
  // Every answer of the day's contacts went to some agent (answers after
  // midnight of contacts that arrived before it fall in the next day's row).
  uint64_t queue_answered = 0;
  for (const metrics::QueueInterval& q : r.intervals.queues) {
    queue_answered += q.counts.answered;
  }
  uint64_t all_answered = 0;
  for (const metrics::AgentRow& a : agents) all_answered += a.figures.counts.answered;
  EXPECT_EQ(all_answered, queue_answered);
  EXPECT_LE(answered, queue_answered);
  EXPECT_GE(answered + 9, queue_answered);  // at most one in hand per agent

  const std::vector<metrics::GroupRow> groups =
      metrics::GroupReport(r.intervals.agents, Granularity::kDay, tz);
  uint64_t group_answered = 0;
  for (const metrics::GroupRow& g : groups) group_answered += g.figures.counts.answered;
  EXPECT_EQ(group_answered, queue_answered);
  ASSERT_GE(groups.size(), 2u);
  EXPECT_EQ(groups[0].group, "day team");
  EXPECT_EQ(groups[1].group, "generalists");
  EXPECT_DOUBLE_EQ(groups[0].figures.logged_in_s, 6 * kDay);
}

// M/M/c over a simulated week: the weekly report's service level against
// Erlang C (P(wait <= 20 s)), and the same week as one row of each calendar
// period.
TEST(SimReportTest, AWeeksReportAgreesWithErlangC) {
  Scenario s = TwoGroups(7 * kDay);  // made M/M/c: one group, no patience
  s.seed = 4242;
  s.interval_s = 3600;
  s.agents.resize(1);
  s.agents[0].count = 22;
  s.arrivals[0].rate_per_s = 0.1;
  s.arrivals[0].patience = Distribution();
  const Result r = Simulate(s).value();
  const absl::TimeZone tz = Zone("Asia/Shanghai");
  const std::vector<metrics::QueueRow> weeks =
      metrics::QueueReport(r.intervals.queues, Granularity::kWeek, tz);
  ASSERT_EQ(weeks.size(), 1u);
  EXPECT_EQ(weeks[0].start, *s.report_start);
  const ErlangCMetrics exact = ErlangCMetricsFor(0.1, 180, 22, 20).value();
  // About 60,000 contacts; waits are correlated over minutes, so the
  // tolerance is a few times the binomial standard error.
  EXPECT_NEAR(weeks[0].figures.service_level, exact.service_level, 0.02);
  EXPECT_NEAR(weeks[0].figures.asa_s, exact.asa, 1.5);
  EXPECT_NEAR(weeks[0].figures.aht_s, 180, 3.0);
  EXPECT_EQ(metrics::QueueReport(r.intervals.queues, Granularity::kDay, tz).size(), 7u);
  EXPECT_EQ(metrics::QueueReport(r.intervals.queues, Granularity::kMonth, tz).size(), 1u);
  // The chart of the days: one bar per day.
  const std::string svg = metrics::QueueReportSvg(
      metrics::QueueReport(r.intervals.queues, Granularity::kDay, tz), Granularity::kDay,
      tz, 0.8);
  size_t bars = 0;
  for (size_t at = svg.find("<rect class=\"bar\""); at != std::string::npos;
       at = svg.find("<rect class=\"bar\"", at + 1)) {
    ++bars;
  }
  EXPECT_EQ(bars, 7u);
}

TEST(SimReportTest, RowsAreReplicationZerosAndTravelWithItsBytes) {
  Scenario one = TwoGroups(6 * 3600);
  const Result single = Simulate(one).value();
  Scenario three = one;
  three.replications = 3;
  const Result many = Simulate(three).value();
  const absl::TimeZone tz = Zone("Asia/Shanghai");
  auto csv = [&](const Result& r) {
    return metrics::QueueReportCsv(
               metrics::QueueReport(r.intervals.queues, Granularity::k15Minutes, tz),
               tz) +
           metrics::AgentReportCsv(
               metrics::AgentReport(r.intervals.agents, Granularity::k15Minutes, tz), tz);
  };
  ASSERT_FALSE(single.intervals.queues.empty());
  EXPECT_EQ(csv(many), csv(single));

  std::vector<std::string> parts;
  for (int rep = 0; rep < 3; ++rep)
    parts.push_back(SimulateReplication(three, rep).value());
  const Result combined = CombineReplications(three, parts).value();
  EXPECT_EQ(csv(combined), csv(many));
  EXPECT_EQ(combined.queues.at("general").value.offered,
            many.queues.at("general").value.offered);

  // Bytes made with another report_start (or none) are refused.
  Scenario plain = three;
  plain.report_start.reset();
  absl::StatusOr<Result> refused = CombineReplications(plain, parts);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find(
                "report_start is 2026-12-06T16:00:00+00:00, the scenario's is none"),
            std::string::npos)
      << refused.status();
  Scenario later = three;
  later.report_start = *three.report_start + absl::Hours(24 * 365);
  refused = CombineReplications(later, parts);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(
      refused.status().message().find("the scenario's is 2027-12-06T16:00:00+00:00"),
      std::string::npos)
      << refused.status();
  std::vector<std::string> plain_parts;
  for (int rep = 0; rep < 3; ++rep)
    plain_parts.push_back(SimulateReplication(plain, rep).value());
  refused = CombineReplications(three, plain_parts);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("report_start is none"), std::string::npos)
      << refused.status();
  // Without report_start nothing is kept.
  EXPECT_TRUE(Simulate(plain).value().intervals.queues.empty());
}

// Rows that could not have come from the scenario are refused, naming why.
TEST(SimReportTest, RowsThatDoNotFitTheScenarioAreRefused) {
  const Scenario s = TwoGroups(3600);
  const internal::Resolved resolved = internal::Resolve(s).value();
  const std::string bytes = SimulateReplication(s, 0).value();
  internal::ReplicationTotals good;
  ASSERT_TRUE(internal::DecodeReplication(s, resolved, 0, bytes, good).ok());
  ASSERT_GE(good.intervals.queues.size(), 2u);
  ASSERT_GE(good.intervals.agents.size(), 2u);
  auto refusal = [&](const std::function<void(metrics::IntervalBatch&)>& tamper) {
    internal::ReplicationTotals t = good;
    tamper(t.intervals);
    internal::ReplicationTotals back;
    const absl::Status st = internal::DecodeReplication(
        s, resolved, 0, internal::EncodeReplication(s, 0, t), back);
    return std::string(st.message());
  };
  using metrics::IntervalBatch;
  EXPECT_NE(refusal([](IntervalBatch& b) {
              b.queues.push_back(b.queues.back());
            }).find("out of order or repeated"),
            std::string::npos);
  EXPECT_NE(refusal([](IntervalBatch& b) {
              b.queues[0].queue = "tax";
            }).find("queue row 0: no queue 'tax' in the scenario"),
            std::string::npos);
  EXPECT_NE(refusal([](IntervalBatch& b) {
              b.queues[0].sl_definition = ServiceLevelDefinition::kWithinOverAnswered;
            }).find("queue row 0: not the service level definition of 'general'"),
            std::string::npos);
  EXPECT_NE(refusal([&](IntervalBatch& b) {
              b.queues[0].start = *s.report_start - absl::Minutes(15);
            }).find("queue row 0 starts before report_start"),
            std::string::npos);
  const std::string moved =
      refusal([](IntervalBatch& b) { std::swap(b.agents[0], b.agents[1]); });
  EXPECT_NE(moved.find("agent row 1 out of order or repeated"), std::string::npos)
      << moved;
  EXPECT_NE(refusal([](IntervalBatch& b) {
              b.agents.back().agent = AgentId(999);
            }).find("no agent 999 in the scenario (9 agents)"),
            std::string::npos);
  EXPECT_NE(refusal([](IntervalBatch& b) {
              b.agents[0].group = "generalists";
            }).find("agent row 0: agent 0 is not in group 'generalists'"),
            std::string::npos);
}

// A drain past the horizon that would keep more rows than allowed stops
// the run; the staffing search ignores report_start and its bound.
TEST(SimReportTest, TheRowBoundHoldsWhileTheRunDrains) {
  Scenario s = TwoGroups(3600);
  s.agents.resize(1);
  s.agents[0].count = 1;
  s.arrivals[0].rate_per_s = 0.05;
  s.arrivals[0].patience = Distribution();  // hours of drain for one agent
  s.max_report_rows = 50;
  ASSERT_TRUE(CheckScenario(s).ok());  // (1 + 1) × 5 quarter hours before the run
  const absl::Status st = Simulate(s).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(st.message().find("(the horizon is 3600 s; the run goes on until the last "
                              "outcome) the report could hold 52 interval rows, more "
                              "than max_report_rows 50"),
            std::string::npos)
      << st;
  s.max_report_rows = 0;
  EXPECT_EQ(CheckScenario(s).message(), "max_report_rows: must be > 0, got 0");

  Scenario day = TwoGroups(1800);
  day.interval_s = 1800;
  day.max_report_rows = 1;  // the report could not run; the search keeps none
  StaffingOptions o;
  o.min_replications = 3;
  o.max_replications = 3;
  o.warmup_intervals = 0;
  QueueTargets target;
  target.service_level = 0.5;
  EXPECT_TRUE(OptimizeStaffing(day, {{"general", target}}, o).ok());
}

TEST(SimReportTest, BadSettingsAreRefusedBeforeTheRun) {
  Scenario s = TwoGroups(3600);
  s.report_start = ShanghaiMonday() + absl::Minutes(5);
  absl::Status st = CheckScenario(s);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      st.message(),
      "report_start: must be on a 15-minute boundary, got 2026-12-06T16:05:00+00:00");
  s.report_start = absl::InfiniteFuture();
  EXPECT_EQ(CheckScenario(s).message(),
            "report_start: must be in the years 1 to 9998, got infinite-future");
  // A month of 3,000 agents would keep about 8.6 million rows.
  s = TwoGroups(30 * kDay);
  s.agents[0].count = 3000;
  s.arrivals[0].rate_per_s = 1;
  st = Simulate(s).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(st.message().find("report_start: a report of 3003 agents and 1 queues"),
            std::string::npos)
      << st;
  s.report_start.reset();
  EXPECT_TRUE(CheckScenario(s).ok());
}

}  // namespace
}  // namespace ccengine::sim
