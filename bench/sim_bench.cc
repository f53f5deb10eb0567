// -----------------------------------------------------------------------------
// File: bench/sim_bench.cc
// -----------------------------------------------------------------------------
//
// Simulation throughput: simulated contacts per second of
// `ccengine::sim::Simulate`, whose router is the real engine.
//
//   BM_Simulate_MMc         M/M/c+M: 100 agents, Poisson 1.5 contacts/s,
//                           exponential handle time (mean 60 s) and patience
//                           (mean 120 s); 10 simulated hours (~54,000
//                           contacts). The same center as bench/simpy_compare.py.
//   BM_Simulate_MMc_NoPatience  the same without abandonment (M/M/c).
//   BM_Simulate_MultiSkill  3 queues with relaxation steps, 4 agent groups
//                           (three specialist teams and a blended one with
//                           lower levels), 10% VIP on one queue; 10 hours.
//   BM_Simulate_LargeMultiSkill  5,000 agents in 50 teams, 20 skills, 40
//                           queues with relaxation, 14 contacts/s; one hour
//                           (~50,000 contacts). Its contacts per second
//                           against BM_Simulate_MMc's: does the simulator keep
//                           pace as the center grows?
//   BM_Simulate_MMc_RoutingFile  BM_Simulate_MMc's center from a routing
//                           file: the same queue, agents and customers, with
//                           every command of the day authorized under the
//                           file's roles as the simulator's actor. Against
//                           BM_Simulate_MMc: what the roles cost a run.
//
// items_per_second = simulated contacts per second of wall time (warm-up and
// replications included); counters: events per contact, and the answered
// and abandoned shares, to show that the run is a real, loaded center.
//
// Run:  sim_bench --benchmark_min_time=0.01
// The Python comparison with SimPy: /usr/bin/python3 bench/simpy_compare.py

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ccengine/config/routing_file.h"
#include "ccengine/sim/sim.h"
#include "sim_scenarios.h"

namespace {

using ccengine::bench::LargeMultiSkill;
using ccengine::bench::MMc;
using ccengine::bench::MMcNoPatience;
using ccengine::bench::MultiSkill;
using ccengine::sim::Scenario;

// Small builders: the scenario structs have many defaulted fields, so
// designated initializers would warn about each one left out.
void RunScenario(benchmark::State& state, const Scenario& s) {
  uint64_t contacts = 0, events = 0;
  double offered = 0, answered = 0, abandoned = 0;
  for (auto _ : state) {
    auto r = ccengine::sim::Simulate(s);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    contacts += r->contacts;
    events += r->events;
    offered = answered = abandoned = 0;
    for (const auto& [name, row] : r->queues) {
      offered += row.value.offered;
      answered += row.value.answered;
      abandoned += row.value.abandoned;
    }
    if (!r->invariants_ok) state.SkipWithError("engine invariants broken");
  }
  state.SetItemsProcessed(static_cast<int64_t>(contacts));
  state.counters["contacts_per_run"] =
      static_cast<double>(contacts) / static_cast<double>(state.iterations());
  state.counters["events_per_contact"] =
      static_cast<double>(events) / static_cast<double>(contacts);
  state.counters["answered_share"] = offered > 0 ? answered / offered : 0;
  state.counters["abandoned_share"] = offered > 0 ? abandoned / offered : 0;
}

void BM_Simulate_MMc(benchmark::State& state) { RunScenario(state, MMc()); }
void BM_Simulate_MMc_NoPatience(benchmark::State& state) {
  RunScenario(state, MMcNoPatience());
}
void BM_Simulate_MultiSkill(benchmark::State& state) { RunScenario(state, MultiSkill()); }
void BM_Simulate_LargeMultiSkill(benchmark::State& state) {
  RunScenario(state, LargeMultiSkill());
}

Scenario MMcFromRoutingFile() {
  auto routing = ccengine::config::LoadRoutingJson(
      R"({"format": 1, "skills": ["general"],
          "queues": [{"name": "general", "skills": {"general": 1}}],
          "agent_profiles": [{"name": "agent", "skills": {"general": 5}}]})");
  if (!routing.ok()) {
    std::fprintf(stderr, "%s\n", std::string(routing.status().message()).c_str());
    std::exit(1);
  }
  Scenario s = MMc();
  s.skills.clear();
  s.queues.clear();
  s.agents[0].skills.clear();
  s.agents[0].profile = "agent";
  auto routed = ccengine::sim::WithRouting(
      std::move(s),
      std::make_shared<const ccengine::config::RoutingConfig>(*std::move(routing)));
  if (!routed.ok()) {
    std::fprintf(stderr, "%s\n", std::string(routed.status().message()).c_str());
    std::exit(1);
  }
  return *std::move(routed);
}

void BM_Simulate_MMc_RoutingFile(benchmark::State& state) {
  RunScenario(state, MMcFromRoutingFile());
}

BENCHMARK(BM_Simulate_MMc)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Simulate_MMc_RoutingFile)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Simulate_MMc_NoPatience)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Simulate_MultiSkill)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Simulate_LargeMultiSkill)->Unit(benchmark::kMillisecond);

}  // namespace
