// OptimizeStaffing against closed forms and against padding: on single-skill
// M/M/c+M intervals it must return Erlang A's exact answer (a table computed
// here with ErlangAMetricsFor, cases where the answer clears the target and
// one agent fewer misses it by at least 0.03 — 0.02 for the two largest, run
// longer — so that the replications can tell them apart), from the Erlang start and from starts far above and below;
// on a day whose peak leaves a backlog it must meet every interval with no
// more agent-hours than the Erlang plan padded until it does; and on two
// skills it must keep most of the pooling gain with few generalists.

#include "ccengine/sim/staffing.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "ccengine/erlang/erlang.h"
#include "gtest/gtest.h"

namespace ccengine::sim {
namespace {

struct Case {
  double rate, aht, patience, target;
  double hours = 2;  // counted, after the warm-up
  int replications = 24;
};

StaffingOptions OptionsFor(const Case& c) {
  StaffingOptions o;
  o.max_replications = c.replications;
  return o;
}

// One queue of one skill and one group of agents ("agents", to be planned).
Scenario OneQueue(const std::string& queue, double sl_seconds) {
  Scenario s;
  s.skills = {"general"};
  QueueSpec q;
  q.name = queue;
  q.skills = {{"general", 1}};
  q.sl_seconds = sl_seconds;
  s.queues.push_back(q);
  AgentGroupSpec g;
  g.name = "agents";
  g.count = 1;
  g.skills = {{"general", 5}};
  s.agents.push_back(g);
  return s;
}

// One long steady interval: the counted hours follow a half-hour warm-up.
Scenario SteadyInterval(const Case& c) {
  Scenario s = OneQueue("general", 20);
  s.seed = 41;
  s.warmup_s = 1800;
  s.horizon_s = s.warmup_s + std::max(c.hours * 3600, 2500 / c.rate);
  s.interval_s = s.horizon_s;
  ArrivalSpec a;
  a.queue = "general";
  a.rate_per_s = c.rate;
  a.handle_time = Distribution::Exponential(c.aht);
  a.patience = Distribution::Exponential(c.patience);
  s.arrivals.push_back(a);
  return s;
}

int ErlangAnswer(const Case& c) {
  const int n = AgentsForServiceLevel(c.rate, c.aht, c.target, 20, c.patience).value();
  const double at = ErlangAMetricsFor(c.rate, c.aht, c.patience, n, 20)->service_level;
  const double below =
      ErlangAMetricsFor(c.rate, c.aht, c.patience, n - 1, 20)->service_level;
  // The table holds only cases a simulation can resolve: a margin of 0.03,
  // or 0.02 with longer runs and more replications.
  const double margin = c.replications > 24 ? 0.02 : 0.03;
  EXPECT_GE(at - c.target, margin) << c.rate << " " << c.aht;
  EXPECT_GE(c.target - below, margin) << c.rate << " " << c.aht;
  return n;
}

const Case kTable[] = {
    {0.02, 120, 180, 0.8},        {0.02, 300, 600, 0.7}, {0.05, 60, 180, 0.8},
    {0.05, 180, 600, 0.8},        {0.1, 60, 600, 0.9},   {0.1, 120, 600, 0.8},
    {0.2, 60, 180, 0.7},          {0.2, 60, 600, 0.7},   {0.2, 180, 600, 0.8, 12, 48},
    {0.5, 180, 600, 0.7, 12, 48},
};

TEST(OptimizeStaffing, SingleSkillIntervalsGetErlangAsExactAnswer) {
  for (const Case& c : kTable) {
    const int exact = ErlangAnswer(c);
    Scenario s = SteadyInterval(c);
    StaffingResult r =
        OptimizeStaffing(s, {{"general", {.service_level = c.target}}}, OptionsFor(c))
            .value();
    ASSERT_EQ(r.groups.at("agents").size(), 1u);
    EXPECT_EQ(r.groups.at("agents")[0], exact)
        << "rate " << c.rate << " aht " << c.aht << " patience " << c.patience;
    // The start is Erlang A itself (the plan's own computation of it).
    EXPECT_EQ(r.erlang_groups.at("agents")[0], exact);
    EXPECT_TRUE(r.met.at("general")[0]);
    EXPECT_GE(r.achieved.queues.at("general").value.service_level, c.target - 0.01);
  }
}

TEST(OptimizeStaffing, FarStartsReachTheSameAnswer) {
  for (const Case& c : {kTable[3], kTable[6]}) {
    const int exact = ErlangAnswer(c);
    for (int start : {exact + 9, std::max(1, exact - 6), 0}) {
      StaffingOptions o = OptionsFor(c);
      o.start["agents"] = {start};
      StaffingResult r = OptimizeStaffing(SteadyInterval(c),
                                          {{"general", {.service_level = c.target}}}, o)
                             .value();
      EXPECT_EQ(r.groups.at("agents")[0], exact) << "from " << start;
    }
  }
}

// A day of half hours with a sharp peak: callers are patient, so the
// backlog a short-staffed peak leaves spills into the next interval.
Scenario PeakDay() {
  Scenario s = OneQueue("policy", 30);
  s.seed = 9;
  s.interval_s = 1800;
  s.horizon_s = 8 * 1800;
  ArrivalSpec a;
  a.queue = "policy";
  a.rates_per_interval = {0.03, 0.05, 0.12, 0.2, 0.2, 0.08, 0.05, 0.03};
  a.handle_time = Distribution::Lognormal(240, 180);
  a.patience = Distribution::Lognormal(600, 400);
  s.arrivals.push_back(a);
  return s;
}

TEST(OptimizeStaffing, MeetsEveryIntervalOfADayWithCarryOverCheaperThanPadding) {
  StaffingOptions o;
  o.pad_erlang_plan = true;
  int reported = 0;
  o.control.progress = [&](int done, int total) {
    EXPECT_EQ(done, reported + 1);
    EXPECT_EQ(total, 8);
    reported = done;
  };
  const QueueTargets target{.service_level = 0.8, .max_abandon = 0.05};
  StaffingResult r = OptimizeStaffing(PeakDay(), {{"policy", target}}, o).value();
  EXPECT_EQ(reported, 8);
  const std::vector<int>& plan = r.groups.at("agents");
  ASSERT_EQ(plan.size(), 8u);
  for (bool met : r.met.at("policy")) EXPECT_TRUE(met);
  for (bool met : r.padded_met.at("policy")) EXPECT_TRUE(met);
  // The day is one Erlang misjudges: the backlog the peak leaves.
  const std::vector<bool>& erlang = r.erlang_met.at("policy");
  EXPECT_NE(std::count(erlang.begin(), erlang.end(), false), 0);
  // Each interval's figures, as the result reports them, are on target.
  for (const Row& row : r.achieved.queue_intervals.at("policy")) {
    EXPECT_GE(row.value.service_level, 0.8 - row.half_width.service_level);
    EXPECT_LE(row.value.p_abandon, 0.05 + row.half_width.p_abandon);
  }
  EXPECT_LE(r.agent_hours, r.padded_agent_hours);
  const double hours = std::accumulate(plan.begin(), plan.end(), 0.0) * 1800 /
                       3600;  // every interval 30 min
  EXPECT_DOUBLE_EQ(r.agent_hours, hours);
  EXPECT_GT(r.replications_run, 8u * 6u);
}

// Two skills at 1:1 load, specialists of each and generalists of both; a
// generalist costs 10% more than a specialist. Service level 90% in 10 s.
Scenario TwoSkills() {
  Scenario s;
  s.seed = 3;
  s.warmup_s = 1800;
  s.horizon_s = s.warmup_s + 4 * 3600;
  s.interval_s = s.horizon_s;
  s.skills = {"a", "b"};
  for (const char* name : {"a", "b"}) {
    QueueSpec q;
    q.name = name;
    q.skills = {{name, 1}};
    q.sl_seconds = 10;
    s.queues.push_back(q);
    ArrivalSpec arrive;
    arrive.queue = name;
    arrive.rate_per_s = 0.05;
    arrive.handle_time = Distribution::Exponential(180);
    arrive.patience = Distribution::Exponential(300);
    s.arrivals.push_back(arrive);
    AgentGroupSpec g;
    g.name = std::string("only_") + name;
    g.count = 1;
    g.skills = {{name, 5}};
    s.agents.push_back(g);
  }
  AgentGroupSpec both;
  both.name = "both";
  both.count = 1;
  both.skills = {{"a", 5}, {"b", 5}};
  s.agents.push_back(both);
  return s;
}

TEST(OptimizeStaffing, TwoSkillsKeepMostOfThePoolingGainWithFewGeneralists) {
  StaffingOptions o;
  o.group_cost = {{"both", 1.1}};
  const QueueTargets target{.service_level = 0.9};
  StaffingResult r =
      OptimizeStaffing(TwoSkills(), {{"a", target}, {"b", target}}, o).value();
  const int a = r.groups.at("only_a")[0], b = r.groups.at("only_b")[0],
            both = r.groups.at("both")[0];
  const int total = a + b + both;
  // Bounds from Erlang A: two separate queues, and one pooled queue of
  // twice the load.
  const int separate = 2 * AgentsForServiceLevel(0.05, 180, 0.9, 10, 300.0).value();
  const int pooled = AgentsForServiceLevel(0.1, 180, 0.9, 10, 300.0).value();
  ASSERT_LT(pooled + 2, separate);
  EXPECT_TRUE(r.met.at("a")[0] && r.met.at("b")[0]);
  EXPECT_GE(total, pooled);
  // Most of the gain kept, by a minority of generalists.
  EXPECT_GE(separate - total, (separate - pooled) / 2) << a << " " << b << " " << both;
  EXPECT_GT(both, 0);
  EXPECT_LE(both, total / 2) << a << " " << b << " " << both;
  // Cheaper than specialists alone, per hour of the horizon.
  EXPECT_LT(r.cost / (TwoSkills().horizon_s / 3600), separate);
}

TEST(OptimizeStaffing, CapsAloneDoNotLeaveCallersUnserved) {
  // Callers who never give up: nobody abandons whatever the staffing, so a
  // plan of no agents would meet max_abandon if callers left waiting did not
  // count. They do: every caller is answered in the end.
  Scenario s = PeakDay();
  s.arrivals[0].patience = Distribution::None();
  StaffingOptions o;
  o.start["agents"] = std::vector<int>(8, 0);
  StaffingResult r = OptimizeStaffing(s, {{"policy", {.max_abandon = 0.05}}}, o).value();
  for (bool met : r.met.at("policy")) EXPECT_TRUE(met);
  EXPECT_GT(r.groups.at("agents").back(), 0);
  for (const Row& row : r.achieved.queue_intervals.at("policy")) {
    EXPECT_EQ(row.value.offered, row.value.answered);
  }
  // An ASA cap alone cannot be met by answering nobody: every interval is
  // staffed.
  r = OptimizeStaffing(s, {{"policy", {.max_asa = 60}}}, o).value();
  for (int n : r.groups.at("agents")) EXPECT_GT(n, 0);
  for (const Row& row : r.achieved.queue_intervals.at("policy")) {
    EXPECT_LE(row.value.asa, 60 + row.half_width.asa);
  }
}

TEST(OptimizeStaffing, BadTargetsAndOptionsAreRefused) {
  const Scenario s = PeakDay();
  auto message = [&](const std::map<std::string, QueueTargets>& t,
                     const StaffingOptions& o = {}) {
    return std::string(OptimizeStaffing(s, t, o).status().message());
  };
  EXPECT_EQ(message({{"nope", {.service_level = 0.8}}}),
            "targets['nope']: unknown queue");
  EXPECT_EQ(
      message({{"policy", {}}}),
      "targets['policy']: give at least one of service_level, max_abandon, max_asa, "
      "max_occupancy");
  EXPECT_EQ(message({{"policy", {.service_level = 1.5}}}),
            "targets['policy'].service_level: must be in (0, 1]");
  StaffingOptions o;
  o.confidence = 1;
  EXPECT_EQ(message({{"policy", {.max_abandon = 0.1}}}, o),
            "confidence: must be in (0.5, 1), got 1");
  o = {};
  o.start["agents"] = {1, 2};
  EXPECT_EQ(message({{"policy", {.max_abandon = 0.1}}}, o),
            "start['agents']: needs one count per interval (8), got 2");
  o = {};
  o.group_cost["ghosts"] = 2;
  EXPECT_EQ(message({{"policy", {.max_abandon = 0.1}}}, o),
            "group_cost: unknown agent group 'ghosts'");
  Scenario shifts = s;
  shifts.agents[0].count = 0;
  Shift shift;
  shift.end_s = 3600;
  shift.count = 3;
  shifts.agents[0].shifts = {shift};
  EXPECT_EQ(
      std::string(OptimizeStaffing(shifts, {{"policy", {.service_level = 0.8}}})
                      .status()
                      .message()),
      "agents[0]: a group staffed by shifts cannot be planned; give count or counts");
}

TEST(OptimizeStaffing, AnInterruptStopsTheSearch) {
  StaffingOptions o;
  int calls = 0;
  o.control.check_every_s = 0.001;
  o.control.interrupt = [&] {
    return ++calls < 4 ? absl::OkStatus() : absl::CancelledError("enough");
  };
  EXPECT_EQ(OptimizeStaffing(PeakDay(), {{"policy", {.service_level = 0.8}}}, o)
                .status()
                .code(),
            absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace ccengine::sim
