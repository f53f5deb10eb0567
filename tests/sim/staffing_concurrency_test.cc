// OptimizeStaffing's replications on several threads (label `concurrency`,
// run under TSan): the same plan and the same figures as on one thread, and
// an interrupt seen by the calling thread stops the workers.

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "ccengine/sim/staffing.h"
#include "gtest/gtest.h"

namespace ccengine::sim {
namespace {

Scenario SmallDay() {
  Scenario s;
  s.seed = 17;
  s.interval_s = 1800;
  s.horizon_s = 3 * 1800;
  s.skills = {"general", "tax"};
  for (const char* name : {"general", "tax"}) {
    QueueSpec q;
    q.name = name;
    q.skills = {{name, 1}};
    s.queues.push_back(q);
    ArrivalSpec a;
    a.queue = name;
    a.rates_per_interval = {0.02, 0.05, 0.03};
    a.handle_time = Distribution::Exponential(200);
    a.patience = Distribution::Exponential(300);
    s.arrivals.push_back(a);
  }
  AgentGroupSpec front;
  front.name = "front";
  front.count = 1;
  front.skills = {{"general", 5}};
  s.agents.push_back(front);
  AgentGroupSpec both;
  both.name = "both";
  both.count = 1;
  both.skills = {{"general", 3}, {"tax", 5}};
  s.agents.push_back(both);
  return s;
}

const std::map<std::string, QueueTargets> kTargets = {{"general", {.service_level = 0.8}},
                                                      {"tax", {.service_level = 0.7}}};

TEST(StaffingConcurrency, ThreadsGiveTheSamePlanAndFigures) {
  StaffingOptions one;
  one.threads = 1;
  one.max_replications = 8;
  one.min_replications = 4;
  StaffingOptions four = one;
  four.threads = 4;
  StaffingResult a = OptimizeStaffing(SmallDay(), kTargets, one).value();
  StaffingResult b = OptimizeStaffing(SmallDay(), kTargets, four).value();
  EXPECT_EQ(a.groups, b.groups);
  EXPECT_EQ(a.met, b.met);
  EXPECT_EQ(a.replications_run, b.replications_run);
  for (const auto& [name, rows] : a.achieved.queue_intervals) {
    const auto& other = b.achieved.queue_intervals.at(name);
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(rows[i].value.service_level, other[i].value.service_level) << name << i;
      EXPECT_EQ(rows[i].value.offered, other[i].value.offered) << name << i;
    }
  }
}

TEST(StaffingConcurrency, TheCallersInterruptStopsTheWorkers) {
  StaffingOptions o;
  o.threads = 3;
  o.min_replications = 200;  // long candidates, so the interrupt comes mid-way
  o.max_replications = 400;
  o.control.check_every_s = 0.001;
  std::atomic<int> calls{0};
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> other_thread{false};
  o.control.interrupt = [&] {
    if (std::this_thread::get_id() != caller) other_thread = true;
    return ++calls < 5 ? absl::OkStatus() : absl::CancelledError("stop");
  };
  absl::Status st = OptimizeStaffing(SmallDay(), kTargets, o).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kCancelled) << st;
  EXPECT_EQ(calls.load(), 5);
  EXPECT_FALSE(other_thread.load());
}

}  // namespace
}  // namespace ccengine::sim
