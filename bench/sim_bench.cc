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
#include <string>
#include <utility>
#include <vector>

#include "ccengine/sim/sim.h"

namespace {

using ccengine::sim::Distribution;
using ccengine::sim::Scenario;

// Small builders: the scenario structs have many defaulted fields, so
// designated initializers would warn about each one left out.
ccengine::sim::QueueSpec Queue(std::string name,
                               std::vector<ccengine::sim::SkillNeed> skills,
                               std::vector<ccengine::sim::Relaxation> relaxation = {}) {
  ccengine::sim::QueueSpec q;
  q.name = std::move(name);
  q.skills = std::move(skills);
  q.relaxation = std::move(relaxation);
  return q;
}

ccengine::sim::AgentGroupSpec Group(std::string name, int count,
                                    std::vector<ccengine::sim::SkillNeed> skills) {
  ccengine::sim::AgentGroupSpec g;
  g.name = std::move(name);
  g.count = count;
  g.skills = std::move(skills);
  return g;
}

ccengine::sim::ArrivalSpec Arrivals(std::string queue, double rate, Distribution handle,
                                    Distribution patience, double vip_fraction = 0) {
  ccengine::sim::ArrivalSpec a;
  a.queue = std::move(queue);
  a.rate_per_s = rate;
  a.handle_time = std::move(handle);
  a.patience = std::move(patience);
  a.priority_fraction = vip_fraction;
  return a;
}

Scenario MMc() {
  Scenario s;
  s.seed = 7;
  s.horizon_s = 36000;
  s.interval_s = 1800;
  s.skills = {"general"};
  s.queues.push_back(Queue("general", {{"general", 1}}));
  s.agents.push_back(Group("agents", 100, {{"general", 5}}));
  s.arrivals.push_back(Arrivals("general", 1.5, Distribution::Exponential(60),
                                Distribution::Exponential(120)));
  return s;
}

// The same center without patience (nobody abandons): the shape of the
// plain SimPy model.
Scenario MMcNoPatience() {
  Scenario s = MMc();
  s.arrivals[0].patience = Distribution::None();
  return s;
}

Scenario MultiSkill() {
  Scenario s;
  s.seed = 11;
  s.horizon_s = 36000;
  s.interval_s = 1800;
  s.skills = {"sales", "support", "billing"};
  s.queues.push_back(Queue("sales", {{"sales", 5}}, {{30, {{"sales", 1}}}}));
  s.queues.push_back(Queue("support", {{"support", 6}},
                           {{45, {{"support", 3}}}, {90, {{"billing", 5}}}}));
  s.queues.push_back(Queue("billing", {{"billing", 5}}, {{60, {{"billing", 2}}}}));
  s.agents.push_back(Group("sales_team", 30, {{"sales", 7}}));
  s.agents.push_back(Group("support_team", 40, {{"support", 7}, {"billing", 3}}));
  s.agents.push_back(Group("billing_team", 20, {{"billing", 7}}));
  s.agents.push_back(
      Group("blended", 25, {{"sales", 4}, {"support", 4}, {"billing", 4}}));
  s.arrivals.push_back(Arrivals("sales", 0.15, Distribution::Exponential(180),
                                Distribution::Exponential(180)));
  s.arrivals.push_back(Arrivals("support", 0.2, Distribution::Lognormal(240, 120),
                                Distribution::Exponential(240), 0.1));
  s.arrivals.push_back(Arrivals("billing", 0.1, Distribution::Exponential(200),
                                Distribution::Exponential(300)));
  return s;
}

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

BENCHMARK(BM_Simulate_MMc)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Simulate_MMc_NoPatience)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Simulate_MultiSkill)->Unit(benchmark::kMillisecond);

}  // namespace
