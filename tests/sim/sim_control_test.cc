// Watching and bounding a run: the caller's interrupt, the bounds on
// expected arrivals and backlog (before and during the run), and
// replications run one at a time and combined into exactly Simulate's result.

#include <array>
#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "ccengine/sim/sim.h"
#include "gtest/gtest.h"

namespace ccengine::sim {
namespace {

Scenario Center(double rate, int agents, double horizon_s) {
  Scenario s;
  s.seed = 77;
  s.horizon_s = horizon_s;
  s.interval_s = 1800;
  s.skills = {"general", "tax"};
  QueueSpec q;
  q.name = "general";
  q.skills = {{"general", 1}};
  s.queues.push_back(q);
  AgentGroupSpec g;
  g.name = "agents";
  g.count = agents;
  g.skills = {{"general", 5}};
  s.agents.push_back(g);
  ArrivalSpec a;
  a.queue = "general";
  a.rate_per_s = rate;
  a.handle_time = Distribution::Exponential(180);
  a.patience = Distribution::Exponential(120);
  s.arrivals.push_back(a);
  return s;
}

std::string Message(const absl::Status& st) { return std::string(st.message()); }

TEST(SimControl, InterruptStopsTheRunWithTheCallersStatus) {
  Scenario s = Center(2.0, 400, 8 * 3600.0);
  s.replications = 50;
  int calls = 0;
  RunControl control;
  control.check_every_s = 0.001;
  control.interrupt = [&] {
    return ++calls < 5 ? absl::OkStatus() : absl::CancelledError("stop, please");
  };
  absl::StatusOr<Result> r = Simulate(s, control);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kCancelled) << r.status();
  EXPECT_EQ(Message(r.status()), "stop, please");
  EXPECT_EQ(calls, 5);
}

TEST(SimControl, InterruptIsCheckedDuringAReplication) {
  // One long replication: the check must come from inside it, not only
  // between replications.
  Scenario s = Center(2.0, 400, 100 * 3600.0);
  int calls = 0;
  RunControl control;
  control.check_every_s = 0.001;
  control.interrupt = [&] {
    return ++calls < 3 ? absl::OkStatus() : absl::CancelledError("interrupted");
  };
  EXPECT_EQ(SimulateReplication(s, 0, control).status().code(),
            absl::StatusCode::kCancelled);
  EXPECT_EQ(calls, 3);
}

TEST(SimControl, CheckIntervalMustBePositive) {
  RunControl control;
  control.check_every_s = 0;
  absl::Status st = Simulate(Center(0.1, 5, 3600), control).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(st), "check_every_s: must be in (0, 3600], got 0");
}

TEST(SimBounds, AnAbsurdRateIsRefusedAtOnce) {
  Scenario s = Center(1e12, 10, 3600);
  absl::Status st = Simulate(s).status();
  ASSERT_EQ(st.code(), absl::StatusCode::kResourceExhausted) << st;
  EXPECT_NE(Message(st).find("arrivals[0] (queue 'general'): about 3.6e+15 contacts"),
            std::string::npos)
      << st;
  EXPECT_NE(Message(st).find("max_expected_contacts"), std::string::npos);
}

TEST(SimBounds, ExpectedContactsAddUpOverStreamsAndIntervals) {
  Scenario s = Center(1.0, 10, 3600);
  s.arrivals[0].rate_per_s = 0;
  s.arrivals[0].rates_per_interval = {0.5, 0.25};  // 900 + 450 arrivals expected
  s.max_expected_contacts = 1349;
  EXPECT_EQ(Simulate(s).status().code(), absl::StatusCode::kResourceExhausted);
  s.max_expected_contacts = 1351;
  EXPECT_TRUE(Simulate(s).ok());
  s.max_expected_contacts = 0;
  EXPECT_EQ(Simulate(s).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SimBounds, AQueueNobodyServesWithCallersWhoNeverLeaveIsRefused) {
  Scenario s = Center(5.0, 10, 2 * 3600.0);
  s.queues[0].skills = {{"tax", 1}};  // the agents have only "general"
  s.arrivals[0].patience = Distribution::None();
  s.max_backlog = 10000;
  absl::Status st = Simulate(s).status();
  ASSERT_EQ(st.code(), absl::StatusCode::kResourceExhausted) << st;
  EXPECT_NE(Message(st).find("queues[0] 'general': about 3.6e+04 contacts waiting"),
            std::string::npos)
      << st;
  // The same queue with callers who give up holds about rate × patience.
  s.arrivals[0].patience = Distribution::Exponential(60);
  EXPECT_TRUE(Simulate(s).ok());
  // A size limit holds it too.
  s.arrivals[0].patience = Distribution::None();
  s.queues[0].max_size = 3000;
  EXPECT_TRUE(Simulate(s).ok());
}

TEST(SimBounds, TheBacklogIsWatchedWhileTheRunGoesOn) {
  // Load 0.99 on 10 agents: the fluid estimate sees no backlog, the queue
  // still grows past 50 over ten hours.
  Scenario s = Center(10 * 0.99 / 180, 10, 36000);
  s.arrivals[0].patience = Distribution::None();
  s.max_backlog = 50;
  absl::Status st = Simulate(s).status();
  ASSERT_EQ(st.code(), absl::StatusCode::kResourceExhausted) << st;
  EXPECT_NE(Message(st).find("more than 50 contacts waiting at once"), std::string::npos)
      << st;
  s.max_backlog = 1e6;
  EXPECT_TRUE(Simulate(s).ok());
}

// A row's figures as the bits of its doubles (NaN equals NaN).
using RowBits = std::array<uint64_t, sizeof(Row) / sizeof(double)>;
static_assert(sizeof(Row) % sizeof(double) == 0, "a Row is doubles only");

void ExpectSameRows(const std::vector<Row>& a, const std::vector<Row>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(std::bit_cast<RowBits>(a[i]) == std::bit_cast<RowBits>(b[i]))
        << "row " << i;
  }
}

void ExpectSameResult(const Result& a, const Result& b) {
  ASSERT_EQ(a.queues.size(), b.queues.size());
  for (const auto& [name, row] : a.queues) {
    ExpectSameRows({row}, {b.queues.at(name)});
    ExpectSameRows(a.queue_intervals.at(name), b.queue_intervals.at(name));
  }
  ASSERT_EQ(a.groups.size(), b.groups.size());
  for (const auto& [name, row] : a.groups) {
    ExpectSameRows({row}, {b.groups.at(name)});
    ExpectSameRows(a.group_intervals.at(name), b.group_intervals.at(name));
  }
  EXPECT_EQ(a.interval_start_s, b.interval_start_s);
  EXPECT_EQ(a.contacts, b.contacts);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.invariants_ok, b.invariants_ok);
}

Scenario TwoGroups() {
  Scenario s = Center(0.3, 0, 4 * 3600.0);
  s.replications = 5;
  s.warmup_s = 600;
  s.agents[0].count = 0;
  s.agents[0].counts = {40, 55, 50, 45};
  AgentGroupSpec tax;
  tax.name = "tax";
  tax.count = 6;
  tax.skills = {{"tax", 3}, {"general", 1}};
  tax.csat_mean = 4.2;
  s.agents.push_back(tax);
  QueueSpec q;
  q.name = "tax";
  q.skills = {{"tax", 2}};
  q.survey_rate = 0.5;
  s.queues.push_back(q);
  ArrivalSpec a;
  a.queue = "tax";
  a.rate_per_s = 0.02;
  a.handle_time = Distribution::Lognormal(300, 200);
  s.arrivals.push_back(a);
  return s;
}

TEST(SimReplications, CombinedEqualSimulateFigureForFigure) {
  Scenario s = TwoGroups();
  absl::StatusOr<Result> whole = Simulate(s);
  ASSERT_TRUE(whole.ok()) << whole.status();
  std::vector<std::string> parts(5);
  // Out of order, as a pool of workers would finish them.
  for (int r : {3, 0, 4, 1, 2}) {
    absl::StatusOr<std::string> part = SimulateReplication(s, r);
    ASSERT_TRUE(part.ok()) << part.status();
    parts[r] = *part;
  }
  absl::StatusOr<Result> combined = CombineReplications(s, parts);
  ASSERT_TRUE(combined.ok()) << combined.status();
  ExpectSameResult(*whole, *combined);
  EXPECT_GT(combined->wall_seconds, 0);
}

TEST(SimReplications, ForeignOrDamagedBytesAreRefused) {
  Scenario s = TwoGroups();
  s.replications = 2;
  std::vector<std::string> parts = {SimulateReplication(s, 0).value(),
                                    SimulateReplication(s, 1).value()};
  ASSERT_TRUE(CombineReplications(s, parts).ok());
  auto refused = [&](const std::vector<std::string>& p) {
    absl::Status st = CombineReplications(s, p).status();
    return st.code() == absl::StatusCode::kInvalidArgument ? Message(st) : st.ToString();
  };
  EXPECT_EQ(refused({parts[1], parts[0]}),
            "replications[0] at byte offset 27: the replication number is 1, the "
            "scenario's is 0");
  EXPECT_EQ(refused({parts[0]}), "replications: the scenario has 2, got 1");
  Scenario other = s;
  other.seed = 78;
  EXPECT_EQ(refused({SimulateReplication(other, 0).value(), parts[1]}),
            "replications[0] at byte offset 26: the seed is 78, the scenario's is 77");
  Scenario shorter = s;
  shorter.horizon_s = 3600;
  EXPECT_EQ(
      refused({SimulateReplication(shorter, 0).value(), parts[1]}),
      "replications[0] at byte offset 30: the number of intervals is 2, the scenario's "
      "is 8");
  // Every cut is refused, and so is anything added at the end.
  for (size_t n = 0; n < parts[0].size(); ++n) {
    EXPECT_EQ(CombineReplications(s, {parts[0].substr(0, n), parts[1]}).status().code(),
              absl::StatusCode::kInvalidArgument)
        << "cut at " << n;
  }
  EXPECT_NE(refused({parts[0] + "x", parts[1]}).find("bytes after the end"),
            std::string::npos);
  EXPECT_EQ(SimulateReplication(s, 2).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ccengine::sim
