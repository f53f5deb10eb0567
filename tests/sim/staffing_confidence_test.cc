// The staffing search's confidence rule (src/sim/staffing_confidence.h):
// Student-t quantiles against tabulated values, and the verdicts of one
// figure and of a queue's targets.

#include "sim/staffing_confidence.h"

#include <cmath>
#include <limits>
#include <vector>

#include "ccengine/sim/sim.h"
#include "ccengine/sim/staffing.h"
#include "gtest/gtest.h"

namespace ccengine::sim::internal {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(StudentQuantileTest, MatchesTheTables) {
  EXPECT_NEAR(StudentQuantile(0.975, 1), 12.7062, 1e-4);  // exact for 1 and 2
  EXPECT_NEAR(StudentQuantile(0.95, 2), 2.91999, 1e-5);
  EXPECT_NEAR(StudentQuantile(0.95, 5), 2.01505, 0.02 * 2.01505);
  EXPECT_NEAR(StudentQuantile(0.975, 10), 2.22814, 0.001 * 2.22814);
  EXPECT_NEAR(StudentQuantile(0.99, 30), 2.45726, 0.001 * 2.45726);
}

TEST(JudgeTest, BoundsDecideAndTheMeanDecidesLast) {
  // Mean 0.85, tight: meets 0.8 at 95%, fails 0.9.
  const std::vector<double> tight = {0.84, 0.85, 0.86, 0.85, 0.85};
  EXPECT_EQ(Judge(tight, 0.8, true, 0.95, false), Verdict::kMeets);
  EXPECT_EQ(Judge(tight, 0.9, true, 0.95, false), Verdict::kFails);
  // Wide: undecided until the last round, where the mean decides.
  const std::vector<double> wide = {0.6, 0.95, 0.7, 0.99};
  EXPECT_EQ(Judge(wide, 0.8, true, 0.95, false), Verdict::kUndecided);
  EXPECT_EQ(Judge(wide, 0.8, true, 0.95, true), Verdict::kMeets);  // mean 0.81
  // A cap: an undefined figure with contacts offered fails; nothing offered
  // anywhere meets.
  EXPECT_EQ(Judge({10, std::numeric_limits<double>::infinity()}, 30, false, 0.95, false),
            Verdict::kFails);
  EXPECT_EQ(Judge({kNaN, kNaN}, 30, false, 0.95, false), Verdict::kMeets);
}

TEST(JudgeQueueTest, EveryTargetAndStrandedCallers) {
  Samples s;
  Metrics m;
  m.offered = 10;
  m.answered = 9;
  m.abandoned = 1;
  m.service_level = 0.9;
  m.p_abandon = 0.1;
  m.asa = 12;
  m.occupancy = 0.7;
  for (int i = 0; i < 5; ++i) s.Add(m);
  QueueTargets t;
  t.service_level = 0.8;
  EXPECT_EQ(JudgeQueue(s, t, 0.95, false), Verdict::kMeets);
  t.max_abandon = 0.05;  // every replication abandons 10%
  EXPECT_EQ(JudgeQueue(s, t, 0.95, false), Verdict::kFails);
  Samples stranded;
  m.answered = 8;  // one caller neither answered nor gone
  stranded.Add(m);
  EXPECT_EQ(JudgeQueue(stranded, QueueTargets{}, 0.95, true), Verdict::kFails);
}

}  // namespace
}  // namespace ccengine::sim::internal
