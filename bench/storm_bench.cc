// -----------------------------------------------------------------------------
// File: bench/storm_bench.cc
// -----------------------------------------------------------------------------
//
// Event storms, the moments that hurt real ACDs, each next to the same work
// done one decision at a time (docs/design.md: a storm must be matched within 2×
// of N × the single-decision time). The center is bench_common.h's: 10,000
// agents, 200 skills, 2 requirements per contact, 40 queues.
//
//   BM_Storm_ShiftStart_Single   one agent becomes ready (`SetReady`) with
//                                100,000 contacts waiting and takes the best;
//                                restored untimed with `SetNotReady`. The
//                                reference single decision.
//   BM_Storm_ShiftStart_Direct   all 10,000 agents become ready, one call
//                                after another on the router thread; timed
//                                until the last is matched. Restored untimed.
//   BM_Storm_ShiftStart_ViaPoll  the same storm as 10,000 `SetReady` commands
//                                submitted to the intake (untimed), then one
//                                `Poll` that applies them all (timed).
//   BM_Storm_Relax_Trickle       100,000 contacts queued 0.5 ms apart whose
//                                relaxation step (level 8 → level 5 after
//                                60 s) expires one at a time: each
//                                `AdvanceTo` fires one relaxation, timed
//                                alone. 10,000 ready agents hold only levels
//                                5..7, so the first 10,000 relaxed contacts
//                                are offered, the rest wait at step 1. The
//                                reference: 100,000 single relaxations.
//   BM_Storm_Relax_Storm         the same 100,000 contacts queued at the same
//                                instant: one `AdvanceTo` across the step
//                                fires all 100,000 relaxations (timed).
//
// Each storm row reports x_single = storm time / (N × the single row's mean)
// (≤ 2 is the target) and also against the single row's p50. Every
// iteration rebuilds the storm's starting state untimed (manual time), so an
// iteration is one whole storm.
//
// Run:  storm_bench --benchmark_min_time=0.01

#include <benchmark/benchmark.h>

#include <memory>
#include <utility>
#include <vector>

#include "alloc_counter.h"
#include "bench_common.h"

namespace ccbench {
namespace {

using ccengine::Engine;

constexpr int kAgents = 10000;
constexpr int kSkills = 200;
constexpr int kReqs = 2;
constexpr int64_t kWaiting = 100000;

// The center both storms run on: kAgents agents, kSkills skills, kReqs
// requirements per queue; each storm sets who is ready and the levels.
CenterParams StormCenter() {
  CenterParams p;
  p.agents = kAgents;
  p.skills = kSkills;
  p.reqs = kReqs;
  return p;
}

struct Reference {
  double mean_ns = 0;
  double p50_ns = 0;
};

void ReportVsSingle(benchmark::State& state, double storm_ns, int64_t decisions,
                    const Reference& ref) {
  state.counters["storm_ms"] = storm_ns * 1e-6;
  state.counters["decisions"] = static_cast<double>(decisions);
  state.counters["per_decision_ns"] = storm_ns / static_cast<double>(decisions);
  if (ref.mean_ns > 0) {
    state.counters["n_x_single_ms"] = ref.mean_ns * static_cast<double>(decisions) * 1e-6;
    state.counters["x_single"] =
        storm_ns / (ref.mean_ns * static_cast<double>(decisions));
    state.counters["x_single_p50"] =
        storm_ns / (ref.p50_ns * static_cast<double>(decisions));
  }
}

// --- Shift start ---------------------------------------------------------------------

struct ShiftWorld {
  Population pop;
  EngineCenter ec;
  Reference single;
};

ShiftWorld& Shift() {
  static std::unique_ptr<ShiftWorld> w = [] {
    auto w = std::make_unique<ShiftWorld>();
    CenterParams p = StormCenter();
    p.ready_pct = 0;
    w->pop = MakePopulation(p);
    w->ec = BuildEngine(w->pop);
    AddWaiting(w->ec, w->pop, kWaiting);
    return w;
  }();
  return *w;
}

void RestoreShift(ShiftWorld& w) {
  Engine& e = *w.ec.engine;
  for (int i = 0; i < kAgents; ++i) Check(e.SetNotReady(AgentIdOf(i)), "SetNotReady");
  // Fire the stale offer timeouts (no-ops); every wait grows alike.
  Check(e.AdvanceTo(e.Now() + absl::Seconds(21)), "AdvanceTo");
}

void ShiftStartSingle(benchmark::State& state) {
  ShiftWorld& w = Shift();
  Engine& e = *w.ec.engine;
  Samples samples;
  samples.Reserve(state.max_iterations);
  int64_t next = 0, offers = 0, allocs = 0, since = 0;
  for (auto _ : state) {
    const AgentId agent = AgentIdOf(static_cast<int>((next++ * 7919) % kAgents));
    const uint64_t before = w.ec.tap->offers;
    auto a0 = alloc::Take().allocs;
    int64_t ns = TimeNs([&] { Check(e.SetReady(agent), "SetReady"); });
    allocs += alloc::Take().allocs - a0;
    state.SetIterationTime(static_cast<double>(ns) * 1e-9);
    samples.Add(ns);
    offers += w.ec.tap->offers > before ? 1 : 0;
    Check(e.SetNotReady(agent), "SetNotReady");
    if (++since == 4096) {
      since = 0;
      Check(e.AdvanceTo(e.Now() + absl::Seconds(21)), "AdvanceTo");
    }
  }
  samples.Report(state);
  state.counters["mean_ns"] = samples.Mean();
  state.counters["offer_rate"] =
      static_cast<double>(offers) / static_cast<double>(samples.count());
  state.counters["allocs_per_decision"] =
      static_cast<double>(allocs) / static_cast<double>(samples.count());
  state.SetItemsProcessed(samples.count());
  w.single.mean_ns = samples.Mean();
  w.single.p50_ns = samples.Percentile(0.5);
}

void ShiftStartDirect(benchmark::State& state) {
  ShiftWorld& w = Shift();
  Engine& e = *w.ec.engine;
  double total_ns = 0;
  int64_t storms = 0, offers = 0, allocs = 0;
  for (auto _ : state) {
    const uint64_t before = w.ec.tap->offers;
    auto a0 = alloc::Take().allocs;
    int64_t ns = TimeNs([&] {
      for (int i = 0; i < kAgents; ++i) Check(e.SetReady(AgentIdOf(i)), "SetReady");
    });
    allocs += alloc::Take().allocs - a0;
    state.SetIterationTime(static_cast<double>(ns) * 1e-9);
    total_ns += static_cast<double>(ns);
    ++storms;
    offers += static_cast<int64_t>(w.ec.tap->offers - before);
    RestoreShift(w);
  }
  state.SetItemsProcessed(storms * kAgents);
  state.counters["matched_per_storm"] =
      static_cast<double>(offers) / static_cast<double>(storms);
  state.counters["allocs_per_decision"] =
      static_cast<double>(allocs) / static_cast<double>(storms * kAgents);
  ReportVsSingle(state, total_ns / static_cast<double>(storms), kAgents, w.single);
}

void ShiftStartViaPoll(benchmark::State& state) {
  ShiftWorld& w = Shift();
  Engine& e = *w.ec.engine;
  double total_ns = 0;
  int64_t storms = 0, offers = 0, applied = 0;
  for (auto _ : state) {
    for (int i = 0; i < kAgents; ++i) {
      Check(e.Submit(ccengine::cmd::SetReady{AgentIdOf(i)}), "Submit");
    }
    const uint64_t before = w.ec.tap->offers;
    size_t n = 0;
    int64_t ns = TimeNs([&] { n = CheckValue(e.Poll(e.Now()), "Poll"); });
    state.SetIterationTime(static_cast<double>(ns) * 1e-9);
    total_ns += static_cast<double>(ns);
    applied += static_cast<int64_t>(n);
    ++storms;
    offers += static_cast<int64_t>(w.ec.tap->offers - before);
    RestoreShift(w);
  }
  state.SetItemsProcessed(applied);
  state.counters["matched_per_storm"] =
      static_cast<double>(offers) / static_cast<double>(storms);
  ReportVsSingle(state, total_ns / static_cast<double>(storms), kAgents, w.single);
}

// --- Relaxation ------------------------------------------------------------------------

struct RelaxWorld {
  Population pop;
  EngineCenter ec;
  uint64_t next_id = 1;
  std::vector<ContactId> live;  // the current batch
  Reference single;
};

RelaxWorld& Relax() {
  static std::unique_ptr<RelaxWorld> w = [] {
    auto w = std::make_unique<RelaxWorld>();
    CenterParams p = StormCenter();
    p.ready_pct = 100;
    p.home_lo = 5;
    p.home_hi = 7;
    p.extra_lo = 1;
    p.extra_hi = 7;
    p.req_level = 8;
    p.relax_level = 5;
    p.relax_after_s = 60;
    p.ring_forever = true;  // no offer timeouts inside the trickle's window
    w->pop = MakePopulation(p);
    w->ec = BuildEngine(w->pop);
    return w;
  }();
  return *w;
}

// Withdraws the last batch (offered or waiting; an agent freed by a
// withdrawal may take another of the batch, which is withdrawn later), then
// queues `kWaiting` fresh contacts at step 0, `spacing` apart. Returns the
// time at which the first one relaxes.
absl::Time QueueBatch(RelaxWorld& w, absl::Duration spacing) {
  Engine& e = *w.ec.engine;
  for (ContactId id : w.live) Check(e.Withdraw(id), "Withdraw");
  w.live.clear();
  Check(e.AdvanceTo(e.Now() + absl::Seconds(1)), "AdvanceTo");
  const absl::Time first = e.Now();
  for (int64_t j = 0; j < kWaiting; ++j) {
    if (spacing > absl::ZeroDuration() && j > 0) {
      Check(e.AdvanceTo(first + spacing * j), "AdvanceTo");
    }
    ccengine::ContactSpec spec;
    spec.id = ContactId(w.next_id++);
    spec.queue = w.ec.queues[WaitingQueue(j, w.pop.queues)];
    spec.priority = WaitingClass(j);
    Check(e.AddContact(std::move(spec)), "AddContact");
    w.live.push_back(ContactId(w.next_id - 1));
  }
  return first + absl::Seconds(w.pop.params.relax_after_s);
}

void RelaxTrickle(benchmark::State& state) {
  RelaxWorld& w = Relax();
  Engine& e = *w.ec.engine;
  const absl::Duration spacing = absl::Microseconds(500);
  Samples samples;
  samples.Reserve(static_cast<size_t>(kWaiting) * 4);
  double total_ns = 0;
  int64_t storms = 0, offers = 0, allocs = 0;
  for (auto _ : state) {
    const absl::Time first = QueueBatch(w, spacing);
    const uint64_t before = w.ec.tap->offers;
    int64_t batch_ns = 0;
    for (int64_t j = 0; j < kWaiting; ++j) {
      const absl::Time t = first + spacing * j;
      int64_t ns;
      auto a0 = alloc::Take().allocs;
      {
        alloc::TraceScope trace;
        ns = TimeNs([&] { Check(e.AdvanceTo(t), "AdvanceTo"); });
      }
      allocs += alloc::Take().allocs - a0;
      samples.Add(ns);
      batch_ns += ns;
    }
    state.SetIterationTime(static_cast<double>(batch_ns) * 1e-9);
    total_ns += static_cast<double>(batch_ns);
    offers += static_cast<int64_t>(w.ec.tap->offers - before);
    ++storms;
  }
  samples.Report(state);
  state.counters["mean_ns"] = samples.Mean();
  state.counters["relaxed_per_run"] = static_cast<double>(kWaiting);
  state.counters["matched_per_run"] =
      static_cast<double>(offers) / static_cast<double>(storms);
  state.counters["allocs_per_decision"] =
      static_cast<double>(allocs) / static_cast<double>(storms * kWaiting);
  state.SetItemsProcessed(storms * kWaiting);
  w.single.mean_ns = samples.Mean();
  w.single.p50_ns = samples.Percentile(0.5);
}

void RelaxStorm(benchmark::State& state) {
  RelaxWorld& w = Relax();
  Engine& e = *w.ec.engine;
  double total_ns = 0;
  int64_t storms = 0, offers = 0, allocs = 0;
  for (auto _ : state) {
    const absl::Time relax_at = QueueBatch(w, absl::ZeroDuration());
    const uint64_t before = w.ec.tap->offers;
    auto a0 = alloc::Take().allocs;
    int64_t ns = TimeNs([&] { Check(e.AdvanceTo(relax_at), "AdvanceTo"); });
    allocs += alloc::Take().allocs - a0;
    state.SetIterationTime(static_cast<double>(ns) * 1e-9);
    total_ns += static_cast<double>(ns);
    offers += static_cast<int64_t>(w.ec.tap->offers - before);
    ++storms;
  }
  state.SetItemsProcessed(storms * kWaiting);
  state.counters["matched_per_storm"] =
      static_cast<double>(offers) / static_cast<double>(storms);
  state.counters["allocs_per_decision"] =
      static_cast<double>(allocs) / static_cast<double>(storms * kWaiting);
  ReportVsSingle(state, total_ns / static_cast<double>(storms), kWaiting, w.single);
}

// Singles first: the storm rows read their result.
BENCHMARK(ShiftStartSingle)->Name("BM_Storm_ShiftStart_Single")->UseManualTime();
BENCHMARK(ShiftStartDirect)
    ->Name("BM_Storm_ShiftStart_Direct")
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(ShiftStartViaPoll)
    ->Name("BM_Storm_ShiftStart_ViaPoll")
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(RelaxTrickle)
    ->Name("BM_Storm_Relax_Trickle")
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(RelaxStorm)
    ->Name("BM_Storm_Relax_Storm")
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ccbench
