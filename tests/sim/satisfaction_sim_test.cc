// The proof in simulation (docs/satisfaction.md): in a center
// of equally skilled agents whose true quality differs, the "satisfaction"
// strategy — learning each agent's CSAT and first-contact resolution from the
// simulated outcomes — raises mean CSAT with statistical significance over
// longest-idle on the same seeds, from light to heavy load, while ASA grows by
// no more than 10% and the per-agent occupancy spread stays within the
// configured guard.

#include <cmath>
#include <string>
#include <vector>

#include "ccengine/sim/sim.h"
#include "gtest/gtest.h"

namespace ccengine::sim {
namespace {

constexpr double kSpreadBound = 0.25;

Scenario Center(double load, const std::string& strategy) {
  Scenario s;
  s.seed = 2026;
  s.horizon_s = 24 * 3600;
  s.warmup_s = 3600;
  s.interval_s = 3600;
  s.replications = 1;
  s.skills = {"general"};
  QueueSpec q;
  q.name = "general";
  q.skills = {{"general", 1}};
  q.strategy = strategy;
  q.survey_rate = 0.3;
  if (strategy == "satisfaction") q.guards.max_occupancy_spread = kSpreadBound;
  s.queues = {q};
  struct Group {
    const char* name;
    double csat, fcr;
  };
  for (Group g : {Group{"good", 4.6, 0.85}, Group{"average", 3.8, 0.72},
                  Group{"poor", 3.0, 0.55}}) {
    AgentGroupSpec a;
    a.name = g.name;
    a.count = 10;
    a.skills = {{"general", 5}};
    a.csat_mean = g.csat;
    a.fcr_rate = g.fcr;
    s.agents.push_back(a);
  }
  ArrivalSpec arr;
  arr.queue = "general";
  arr.rate_per_s = load * 30 / 300.0;
  arr.handle_time = Distribution::Exponential(300);
  arr.patience = Distribution::Exponential(180);
  s.arrivals = {arr};
  return s;
}

// Student t, two-sided 95%, 19 degrees of freedom.
constexpr double kT975Df19 = 2.093;

// Twenty pairs of runs, one seed per pair (ten were too few at the heaviest
// load: when the simulator's exponential sampler changed, seeds 1-10 gave a
// gain of 0.024 +- 0.025 at 0.85; over 90 seeds the mean gain there is 0.042
// with the new sampler and 0.050 with the old, and each misses with 10 seeds
// on one set of the nine): both strategies see the same
// customers (arrival times, handle times, patience), so the paired CSAT
// difference isolates the routing (common random numbers); its 95%
// confidence interval must lie above zero.
TEST(SatisfactionSimTest, RaisesCsatWithoutCostingAsaAndKeepsTheSpreadBound) {
  for (double load : {0.5, 0.7, 0.85}) {
    SCOPED_TRACE(load);
    std::vector<double> diff;
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      Scenario li_s = Center(load, "longest_idle");
      Scenario sat_s = Center(load, "satisfaction");
      li_s.seed = sat_s.seed = seed;
      auto li = Simulate(li_s);
      auto sat = Simulate(sat_s);
      ASSERT_TRUE(li.ok()) << li.status();
      ASSERT_TRUE(sat.ok()) << sat.status();
      ASSERT_TRUE(li->invariants_ok && sat->invariants_ok);
      const Metrics& a = li->queues.at("general").value;
      const Metrics& b = sat->queues.at("general").value;
      ASSERT_EQ(a.offered, b.offered);  // the same customers
      EXPECT_LE(b.asa, 1.10 * a.asa + 1e-9);
      EXPECT_LE(b.occupancy_spread, kSpreadBound);
      // The good agents did more of the work than the poor ones.
      EXPECT_GT(sat->groups.at("good").value.occupancy,
                sat->groups.at("poor").value.occupancy);
      diff.push_back(b.csat_mean - a.csat_mean);
    }
    double mean = 0, ss = 0;
    for (double d : diff) mean += d / static_cast<double>(diff.size());
    for (double d : diff) ss += (d - mean) * (d - mean);
    double half_width = kT975Df19 * std::sqrt(ss / static_cast<double>(diff.size() - 1)) /
                        std::sqrt(static_cast<double>(diff.size()));
    EXPECT_GT(mean - half_width, 0) << "CSAT gain " << mean << " ± " << half_width;
  }
}

TEST(SatisfactionSimTest, ScenarioKeysAreChecked) {
  Scenario s = Center(0.5, "longest_idle");
  s.queues[0].survey_rate = 1.5;
  EXPECT_EQ(Simulate(s).status().message(),
            "queues[0].survey_rate: must be in [0, 1], got 1.5");
  s = Center(0.5, "longest_idle");
  s.agents[1].csat_mean = 7;
  EXPECT_EQ(Simulate(s).status().message(),
            "agents[1].csat_mean: must be in [1, 5], got 7");
  s = Center(0.5, "longest_idle");
  s.agents[0].fcr_rate = -0.1;
  EXPECT_EQ(Simulate(s).status().message(),
            "agents[0].fcr_rate: must be in [0, 1], got -0.1");
  s = Center(0.5, "longest_idle");
  s.queues[0].satisfaction = SatisfactionWeights{};
  EXPECT_EQ(
      Simulate(s).status().message(),
      "queues[0].satisfaction: weights need strategy 'satisfaction', got 'longest_idle'");
  s = Center(0.5, "satisfaction");
  s.queues[0].satisfaction = SatisfactionWeights{};
  s.queues[0].satisfaction->min_idle_for_quality = 0;
  EXPECT_EQ(Simulate(s).status().code(), absl::StatusCode::kInvalidArgument);
  s = Center(0.5, "satisfaction");
  s.queues[0].guards.exploration = 2;
  EXPECT_EQ(Simulate(s).status().code(), absl::StatusCode::kInvalidArgument);
  s = Center(0.5, "satisfaction");
  s.quality.prior_weight = -1;
  EXPECT_EQ(Simulate(s).status().message(),
            "scenario: quality.prior_weight must be finite and >= 0, got -1");
  s = Center(0.5, "no_such_strategy");
  EXPECT_FALSE(Simulate(s).ok());
}

TEST(SatisfactionSimTest, CustomWeightsAndExplorationRunAndAreReproducible) {
  Scenario s = Center(0.6, "satisfaction");
  s.replications = 2;
  s.queues[0].satisfaction = SatisfactionWeights{};
  s.queues[0].satisfaction->quality = 8;
  s.queues[0].guards.exploration = 0.05;
  auto a = Simulate(s);
  auto b = Simulate(s);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->queues.at("general").value.csat_mean,
            b->queues.at("general").value.csat_mean);
  EXPECT_TRUE(a->invariants_ok);
}

}  // namespace
}  // namespace ccengine::sim
