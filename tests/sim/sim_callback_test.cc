// The simulator's virtual-hold option: an arrival stream with
// `callback_after_s` turns callers still waiting that long into callbacks
// (Engine::RequestCallback) instead of letting them abandon.

#include <cmath>
#include <string>

#include "ccengine/sim/sim.h"
#include "gtest/gtest.h"

namespace ccengine::sim {
namespace {

// Two agents, 1.8 erlangs: callers wait often and long.
Scenario Busy(double patience_s, double callback_after_s) {
  Scenario s;
  s.seed = 77;
  s.horizon_s = 40'000;
  s.interval_s = 40'000;
  s.skills = {"general"};
  QueueSpec q;
  q.name = "q";
  q.skills = {{"general", 1}};
  s.queues.push_back(q);
  AgentGroupSpec g;
  g.name = "agents";
  g.count = 2;
  g.skills = {{"general", 5}};
  s.agents.push_back(g);  // default capacity: 1 voice or 1 callback
  ArrivalSpec a;
  a.queue = "q";
  a.rate_per_s = 0.02;
  a.handle_time = Distribution::Exponential(90);
  a.patience = Distribution::Deterministic(patience_s);
  a.callback_after_s = callback_after_s;
  s.arrivals.push_back(a);
  return s;
}

TEST(SimCallbackTest, WaitingCallersAskForACallbackInsteadOfAbandoning) {
  auto without = Simulate(Busy(60, kInfinity));
  auto with = Simulate(Busy(60, 30));
  ASSERT_TRUE(without.ok()) << without.status();
  ASSERT_TRUE(with.ok()) << with.status();
  const Metrics& a = without->queues.at("q").value;
  const Metrics& b = with->queues.at("q").value;
  EXPECT_GT(a.abandoned, 50);  // the same customers, abandoning
  EXPECT_EQ(b.offered, a.offered);
  EXPECT_EQ(b.abandoned, 0);  // each asked at 30 s, before its patience ran out
  EXPECT_EQ(b.answered, b.offered);
  EXPECT_GT(b.asa, a.asa);  // callbacks wait on: the answer comes later
  EXPECT_TRUE(with->invariants_ok);
  EXPECT_TRUE(without->invariants_ok);
}

TEST(SimCallbackTest, CallersWhosePatienceRunsOutFirstStillAbandon) {
  auto without = Simulate(Busy(60, kInfinity));
  auto late = Simulate(Busy(60, 61));  // patience comes first: nobody asks
  ASSERT_TRUE(without.ok() && late.ok());
  const Metrics& a = without->queues.at("q").value;
  const Metrics& b = late->queues.at("q").value;
  EXPECT_EQ(b.offered, a.offered);
  EXPECT_EQ(b.abandoned, a.abandoned);
  EXPECT_EQ(b.answered, a.answered);
  EXPECT_EQ(b.asa, a.asa);
  // A tie goes to the callback.
  auto tie = Simulate(Busy(60, 60));
  ASSERT_TRUE(tie.ok());
  EXPECT_EQ(tie->queues.at("q").value.abandoned, 0);
}

TEST(SimCallbackTest, AgentsWithoutCallbackCapacityLeaveCallbacksWaiting) {
  Scenario s = Busy(60, 30);
  s.arrivals[0].patience = Distribution::None();
  s.agents[0].capacity.max_per_channel = {1, 0, 0, 0, 0, 0, 0};
  auto r = Simulate(s);
  ASSERT_TRUE(r.ok()) << r.status();
  const Metrics& m = r->queues.at("q").value;
  EXPECT_LT(m.answered, m.offered);  // those who asked are never called back
  EXPECT_EQ(m.abandoned, 0);
  EXPECT_TRUE(r->invariants_ok);
}

TEST(SimCallbackTest, RejectsAnInvalidCallbackOption) {
  Scenario negative = Busy(60, -1);
  auto r = Simulate(negative);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("arrivals[0].callback.after_s"), std::string::npos)
      << r.status();
  Scenario nan = Busy(60, std::nan(""));
  EXPECT_EQ(Simulate(nan).status().code(), absl::StatusCode::kInvalidArgument);
  Scenario chat = Busy(60, 30);
  chat.arrivals[0].channel = Channel::kChat;
  r = Simulate(chat);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("only voice and video"), std::string::npos)
      << r.status();
  Scenario video = Busy(60, 30);
  video.arrivals[0].channel = Channel::kVideo;
  EXPECT_TRUE(Simulate(video).ok());
}

}  // namespace
}  // namespace ccengine::sim
