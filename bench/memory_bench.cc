// -----------------------------------------------------------------------------
// File: bench/memory_bench.cc
// -----------------------------------------------------------------------------
//
// Memory per agent and per waiting contact, measured: this program replaces
// the global operator new/delete with counting versions (alloc_counter.h),
// reads the live heap bytes before and after adding N agents or N waiting
// contacts to an engine, and divides. The figures include everything the
// engine allocates for them (records, indexes, hash maps, bitsets, btree
// nodes, the allocator's rounding) and the slack of containers that grow by
// doubling (vectors, hash tables): the value at one N may sit anywhere
// between "just grown" and "about to grow", which is why several N are shown.
//
//   BM_Memory_PerAgent/agents:N/skills:S    N agents (8 skills each, logged
//       in, ready) added to an engine with S skills and its queues (each
//       with a waiting group, so the per-agent "groups served" lists exist).
//       engine_bytes_per_agent, plus the engine's fixed cost before agents.
//   BM_Memory_PerAgentShaped/skewed:K/agents:N   the same on the populations
//       that do not flatter (bench_common.h: 100 skills of skewed or uniform
//       popularity, 400 queues of 1-3 requirements, every agent free), after
//       ten contacts have arrived in each queue and been withdrawn, so the
//       longest-idle decision has made its free lists and tracked the groups
//       whose pools are thin slices of them (their rings count here).
//       K = 1: skewed popularity, 0: uniform. engine_bytes_per_agent.
//   BM_Memory_PerWaitingContact/waiting:N/attrs:A   N contacts waiting in an
//       engine with 10,000 agents (none ready), 200 skills; with A = 1 each
//       contact also carries a customer id and two attributes (language,
//       case number) of typical length, as a product would send them (their
//       strings count where the engine keeps them).
//       engine_bytes_per_contact.
//
// The time reported is the time to build (items = agents or contacts added);
// each benchmark runs once (Iterations(1)): the measure is the memory.
//
// Run:  memory_bench --benchmark_min_time=0.01

#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

#include "alloc_counter.h"
#include "bench_common.h"

namespace ccbench {
namespace {

void PerAgent(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int skills = static_cast<int>(state.range(1));
  double per_agent = 0, fixed = 0, allocs_per_agent = 0;
  for (auto _ : state) {
    state.PauseTiming();
    // The same center with no agents: the fixed cost.
    CenterParams p;
    p.agents = n;
    p.skills = skills;
    p.ready_pct = 100;
    Population pop = MakePopulation(p);
    const auto base = alloc::Take();
    ccengine::EngineOptions options;
    options.start = StartTime();
    auto engine = CheckValue(ccengine::Engine::Create(options), "Create");
    for (int s = 0; s < skills; ++s)
      CheckValue(engine->AddSkill("s" + std::to_string(s)), "AddSkill");
    std::vector<QueueId> queues;
    for (int q = 0; q < pop.queues; ++q) {
      ccengine::QueueConfig qc;
      qc.name = "q" + std::to_string(q);
      qc.skills = pop.queue_reqs[q];
      queues.push_back(CheckValue(engine->AddQueue(qc), "AddQueue"));
    }
    // One contact through each queue, so its waiting group exists (and the
    // per-(skill, level) sets its requirements use).
    for (int q = 0; q < pop.queues; ++q) {
      ccengine::ContactSpec c;
      c.id = ContactId(static_cast<uint64_t>(q + 1));
      c.queue = queues[q];
      Check(engine->AddContact(std::move(c)), "AddContact");
      Check(engine->Withdraw(ContactId(static_cast<uint64_t>(q + 1))), "Withdraw");
    }
    const auto before = alloc::Take();
    state.ResumeTiming();
    for (int i = 0; i < n; ++i) {
      ccengine::AgentConfig a;
      a.id = AgentIdOf(i);
      a.name = "agent-" + std::to_string(i);  // as a product would name them
      a.skills = pop.agent_skills[i];
      Check(engine->AddAgent(std::move(a)), "AddAgent");
      Check(engine->Login(AgentIdOf(i)), "Login");
    }
    state.PauseTiming();
    const auto after = alloc::Take();
    per_agent = static_cast<double>(after.live_bytes - before.live_bytes) / n;
    allocs_per_agent = static_cast<double>(after.allocs - before.allocs) / n;
    fixed = static_cast<double>(before.live_bytes - base.live_bytes);
    engine.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["engine_bytes_per_agent"] = per_agent;
  state.counters["allocs_per_agent"] = allocs_per_agent;
  state.counters["fixed_bytes_before_agents"] = fixed;
}

void PerAgentShaped(benchmark::State& state) {
  const bool skewed = state.range(0) != 0;
  const int n = static_cast<int>(state.range(1));
  constexpr int kQueues = 400;
  double per_agent = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Population pop = MakeSkewedPopulation(
        n, kQueues, skewed ? Popularity::kSkewed : Popularity::kUniform, 100);
    ccengine::EngineOptions options;
    options.start = StartTime();
    auto engine = CheckValue(ccengine::Engine::Create(options), "Create");
    for (int s = 0; s < pop.params.skills; ++s)
      CheckValue(engine->AddSkill("s" + std::to_string(s)), "AddSkill");
    std::vector<QueueId> queues;
    for (int q = 0; q < pop.queues; ++q) {
      ccengine::QueueConfig qc;
      qc.name = "q" + std::to_string(q);
      qc.skills = pop.queue_reqs[q];
      queues.push_back(CheckValue(engine->AddQueue(qc), "AddQueue"));
    }
    uint64_t next = 1;
    auto route_each_queue = [&](int rounds) {
      for (int r = 0; r < rounds; ++r) {
        for (int q = 0; q < pop.queues; ++q) {
          ccengine::ContactSpec c;
          c.id = ContactId(next);
          c.queue = queues[q];
          Check(engine->AddContact(std::move(c)), "AddContact");
          Check(engine->Withdraw(ContactId(next++)), "Withdraw");
        }
      }
    };
    route_each_queue(1);  // the waiting groups and skill sets exist
    const auto before = alloc::Take();
    state.ResumeTiming();
    for (int i = 0; i < n; ++i) {
      ccengine::AgentConfig a;
      a.id = AgentIdOf(i);
      a.name = "agent-" + std::to_string(i);
      a.skills = pop.agent_skills[i];
      Check(engine->AddAgent(std::move(a)), "AddAgent");
      Check(engine->Login(AgentIdOf(i)), "Login");
    }
    route_each_queue(10);
    state.PauseTiming();
    const auto after = alloc::Take();
    per_agent = static_cast<double>(after.live_bytes - before.live_bytes) / n;
    engine.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["engine_bytes_per_agent"] = per_agent;
}

void PerWaitingContact(benchmark::State& state) {
  const int64_t n = state.range(0);
  const bool attrs = state.range(1) != 0;
  double per_contact = 0, allocs_per_contact = 0;
  for (auto _ : state) {
    state.PauseTiming();
    CenterParams p;
    p.agents = 10000;
    p.skills = 200;
    p.ready_pct = 0;
    Population pop = MakePopulation(p);
    EngineCenter ec = BuildEngine(pop);
    ccengine::Engine& e = *ec.engine;
    // Each spec is built inside the count: what the engine keeps of it
    // (moved strings, attribute vectors) stays live, the rest is freed.
    const Micros now = e.NowMicros();
    const auto before = alloc::Take();
    state.ResumeTiming();
    for (int64_t j = 0; j < n; ++j) {
      ccengine::ContactSpec s = WaitingSpec(ec, pop, j, n, now);
      if (attrs) {
        s.customer_id = "cust-" + std::to_string(10000000 + j);
        s.attributes = {{"language", "en-GB"},
                        {"case", "CASE-2026-" + std::to_string(100000 + j)}};
      }
      Check(e.AddContact(std::move(s)), "AddContact");
    }
    state.PauseTiming();
    const auto after = alloc::Take();
    per_contact = static_cast<double>(after.live_bytes - before.live_bytes) /
                  static_cast<double>(n);
    allocs_per_contact =
        static_cast<double>(after.allocs - before.allocs) / static_cast<double>(n);
    state.counters["waiting"] = static_cast<double>(e.GetAccounting().waiting);
    ec.engine.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["engine_bytes_per_contact"] = per_contact;
  state.counters["allocs_per_contact"] = allocs_per_contact;
}

BENCHMARK(PerAgent)
    ->Name("BM_Memory_PerAgent")
    ->ArgNames({"agents", "skills"})
    ->Args({1000, 200})
    ->Args({10000, 200})
    ->Args({100000, 200})
    ->Args({10000, 1000})
    ->Args({100000, 1000})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

BENCHMARK(PerAgentShaped)
    ->Name("BM_Memory_PerAgentShaped")
    ->ArgNames({"skewed", "agents"})
    ->Args({1, 10000})
    ->Args({1, 40000})
    ->Args({0, 10000})
    ->Args({0, 40000})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

BENCHMARK(PerWaitingContact)
    ->Name("BM_Memory_PerWaitingContact")
    ->ArgNames({"waiting", "attrs"})
    ->Args({10000, 0})
    ->Args({100000, 0})
    ->Args({1000000, 0})
    ->Args({100000, 1})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ccbench
