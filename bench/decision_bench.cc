// -----------------------------------------------------------------------------
// File: bench/decision_bench.cc
// -----------------------------------------------------------------------------
//
// Routing decision latency, both directions, each next to its baselines on
// the same generated center (see bench_common.h for the center's shape):
//
//   BM_ContactArrives_*  a contact arrives and idle eligible agents exist: it
//                        is offered to the best one. Timed: `AddContact`
//                        (validation, indexes, the decision, the offer and its
//                        event). Restored untimed: `Withdraw`, which frees the
//                        agent again. 20% of the agents are ready; the
//                        `waiting` contacts sit in a backlog queue that no
//                        agent can serve (they cost memory, not decisions).
//   BM_AgentFrees_*      an agent frees up and takes the best of the
//                        `waiting` contacts it can serve (all agents are not
//                        ready; contacts spread over the queues, 10% in class
//                        1, arrivals over the last hour). Timed: `SetReady`.
//                        Restored untimed: `SetNotReady`, which puts the
//                        contact back in its original place.
//
// Baselines (same binary, same center, run just before the engine row):
//   *_Linear  the classic PBX queue: a std::mutex-protected std::vector of
//             agent records scanned on every decision (availability, then
//             skills with levels, longest idle wins); when an agent frees
//             up, a std::deque of waiting contacts scanned for the best aged
//             score among those it can serve (which queues it can serve is
//             computed once per decision, not per contact).
//   *_Kernel  the bare matching kernel, the floor: AND of the per-(skill,
//             level) bitsets with the availability bitset, then scoring the
//             candidates (longest idle) from a flat array; when an agent
//             frees up, the heads of per-(queue, class) FIFOs of the queues
//             it serves. No events, no bookkeeping, no timers.
//   *_KernelFatRecord  (arrivals only) the same kernel reading each
//             candidate's idle time from a 240-byte record, the size of the
//             engine's AgentRec, instead of a dense array: how much of the
//             engine's distance to the kernel is memory layout alone.
//
// Every iteration is one decision, timed alone with steady_clock (the median
// cost of a clock pair is subtracted and reported as clock_ns); the time
// Google Benchmark reports is the mean of those (manual time). Counters:
// p50/p99/p99.9/max per decision, allocs_per_decision (heap allocations
// inside the timed calls, counted by the replaced operator new, in the
// steady state: each center first runs 8,192 untimed decisions, and what
// those allocated — the timer heap growing to the pending offer timeouts,
// hash tables, free lists — is reported as warmup_allocs), offer_rate
// (decisions that made an offer), and on the engine rows x_linear (linear
// mean / engine mean: how many times faster than the PBX scan) and x_kernel
// (engine mean / kernel mean: how many times slower than the floor), from
// the baseline rows measured just before on the same center; x_linear_p50
// and x_kernel_p50 are the same ratios of medians, which a shared, noisy
// machine disturbs less than means. A start-up cross-check verifies that the
// engine, the PBX scan and the kernel choose the same agent / contact
// (cross_check_mismatches). The baselines are in decision_baselines.h.
//
// The engine's offer timeout timers would pile up while the clock stands
// still, so every 4,096 decisions the clock moves 21 s (untimed), which fires
// them as no-ops; every waited and idle time grows alike, so no order changes.
//
// Run:  decision_bench --benchmark_min_time=0.01

#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "alloc_counter.h"
#include "bench_common.h"
#include "decision_baselines.h"

namespace ccbench {
namespace {

using ccengine::Engine;

constexpr int64_t kDrainEvery = 4096;

// --- Worlds ------------------------------------------------------------------------

struct Key {
  int agents = 0, skills = 0, reqs = 0;
  int64_t waiting = 0;
  bool operator==(const Key&) const = default;
};

CenterParams ParamsOf(const Key& k) {
  CenterParams p;
  p.agents = k.agents;
  p.skills = k.skills;
  p.reqs = k.reqs;
  return p;
}

Key KeyOf(const benchmark::State& state) {
  return Key{static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
             static_cast<int>(state.range(2)), state.range(3)};
}

struct Measured {
  double mean_ns = 0;
  double p50_ns = 0;
};

Measured MeasuredOf(Samples& samples) {
  return Measured{samples.Mean(), samples.Percentile(0.5)};
}

// One center, in the engine and in both baselines, shared by the rows of one
// parameter set (the engine row reads what its baselines measured).
struct World {
  Key key;
  Population pop;
  EngineCenter ec;
  std::unique_ptr<ClassicPbx> pbx;
  std::unique_ptr<BareKernel> kernel;
  uint64_t next_id = 1;  // the arrival rows' next contact id
  int64_t since_drain = 0;
  int mismatches = 0;
  int64_t warmup_allocs = 0;
  Measured linear, kernel_m;

  // Called after every engine decision: see "offer timeout timers" above.
  void DrainStaleTimers() {
    if (++since_drain < kDrainEvery) return;
    since_drain = 0;
    Check(ec.engine->AdvanceTo(ec.engine->Now() + absl::Seconds(21)), "AdvanceTo");
  }

  // Warm-up to the steady state: two rounds of the stale-timer drain, each
  // step one engine decision and its undoing, so that the timer heap, the hash
  // maps and the free lists have grown to what this load needs. Its
  // allocations are reported as warmup_allocs.
  template <typename Step>
  void WarmUp(Step step) {
    const auto a0 = alloc::Take().allocs;
    for (int64_t i = 0; i < 2 * kDrainEvery; ++i) {
      step(i);
      DrainStaleTimers();
    }
    warmup_allocs = alloc::Take().allocs - a0;
  }
};

std::unique_ptr<World> BuildArrivalWorld(const Key& k) {
  auto w = std::make_unique<World>();
  w->key = k;
  w->pop = MakePopulation(ParamsOf(k));
  w->ec = BuildEngine(w->pop);
  AddBacklog(w->ec, k.waiting);
  w->pbx = std::make_unique<ClassicPbx>(w->pop);
  w->kernel = std::make_unique<BareKernel>(w->pop);
  // Cross-check: one contact per queue through all three.
  Engine& e = *w->ec.engine;
  for (int q = 0; q < w->pop.queues; ++q) {
    ccengine::ContactSpec spec;
    spec.id = ContactId(w->next_id++);
    spec.queue = w->ec.queues[q];
    uint64_t before = w->ec.tap->offers;
    Check(e.AddContact(spec), "AddContact");
    int64_t engine_agent =
        w->ec.tap->offers > before ? static_cast<int64_t>(w->ec.tap->agent.value()) : -1;
    Check(e.Withdraw(spec.id), "Withdraw");
    int pa = w->pbx->OfferContact(q, e.NowMicros());
    int64_t pbx_agent = pa >= 0 ? static_cast<int64_t>(w->pbx->AgentId(pa)) : -1;
    if (pa >= 0) w->pbx->Unring(pa);
    int ka = w->kernel->Decide(q, e.NowMicros());
    int64_t kernel_agent = ka >= 0 ? static_cast<int64_t>(AgentIdOf(ka).value()) : -1;
    if (ka >= 0) w->kernel->Release(ka);
    if (engine_agent != pbx_agent || engine_agent != kernel_agent) ++w->mismatches;
  }
  w->WarmUp([&](int64_t i) {
    ccengine::ContactSpec spec;
    spec.id = ContactId(w->next_id++);
    spec.queue = w->ec.queues[i % w->pop.queues];
    Check(e.AddContact(std::move(spec)), "AddContact");
    Check(e.Withdraw(ContactId(w->next_id - 1)), "Withdraw");
  });
  return w;
}

std::unique_ptr<World> BuildFreeWorld(const Key& k) {
  auto w = std::make_unique<World>();
  w->key = k;
  CenterParams p = ParamsOf(k);
  p.ready_pct = 0;
  w->pop = MakePopulation(p);
  w->ec = BuildEngine(w->pop);
  AddWaiting(w->ec, w->pop, k.waiting);
  w->pbx = std::make_unique<ClassicPbx>(w->pop);
  w->pbx->SetAllNotReady();
  w->kernel = std::make_unique<BareKernel>(w->pop);
  w->kernel->SetAllUnavailable();
  const Micros now = w->ec.engine->NowMicros();
  for (int64_t j = 0; j < k.waiting; ++j) {
    int q = WaitingQueue(j, w->pop.queues);
    int c = WaitingClass(j);
    Micros arrived = WaitingArrival(j, k.waiting, now);
    w->pbx->AddWaiting(WaitingContactId(j).value(), q, c, arrived, j);
    w->kernel->AddWaiting(q, c, arrived, j, j);
  }
  // Cross-check on a sample of agents.
  Engine& e = *w->ec.engine;
  const int sample = std::min(k.agents, 64);
  for (int s = 0; s < sample; ++s) {
    int i = static_cast<int>((static_cast<int64_t>(s) * 7919) % k.agents);
    uint64_t before = w->ec.tap->offers;
    Check(e.SetReady(AgentIdOf(i)), "SetReady");
    int64_t engine_c = w->ec.tap->offers > before
                           ? static_cast<int64_t>(w->ec.tap->contact.value())
                           : -1;
    Check(e.SetNotReady(AgentIdOf(i)), "SetNotReady");
    int64_t pk = w->pbx->AgentFree(i, e.NowMicros());
    int64_t pbx_c = pk >= 0 ? static_cast<int64_t>(w->pbx->WaitingId(pk)) : -1;
    w->pbx->UndoAgentFree(i, pk);
    int64_t kj = w->kernel->AgentFree(i, e.NowMicros());
    int64_t kernel_c = kj >= 0 ? static_cast<int64_t>(WaitingContactId(kj).value()) : -1;
    if (kj >= 0) w->kernel->UndoAgentFree();
    if (engine_c != pbx_c || engine_c != kernel_c) ++w->mismatches;
  }
  w->WarmUp([&](int64_t i) {
    const AgentId agent = AgentIdOf(static_cast<int>((i * 7919) % k.agents));
    Check(e.SetReady(agent), "SetReady");
    Check(e.SetNotReady(agent), "SetNotReady");
  });
  return w;
}

LastWorld<World, Key> g_arrival;
LastWorld<World, Key> g_free;

// The populations: the world of this row's parameter set.
World& ArrivalWorld(const benchmark::State& state) {
  const Key key = KeyOf(state);
  return g_arrival.Get(key, [&] { return BuildArrivalWorld(key); });
}
World& FreeWorld(const benchmark::State& state) {
  const Key key = KeyOf(state);
  return g_free.Get(key, [&] { return BuildFreeWorld(key); });
}

// --- The measured loop -----------------------------------------------------------

// One row's iteration as the row sees it: `Time` makes the decision, timed
// alone, with the heap allocations inside it counted; what the row does
// before and after it is untimed.
class Decision {
 public:
  explicit Decision(benchmark::State& state) : state_(state) {
    samples_.Reserve(state.max_iterations);
  }

  // Returns what `decide()` returns.
  template <typename F>
  auto Time(F&& decide) {
    decltype(decide()) result{};
    const auto a0 = alloc::Take().allocs;
    const int64_t ns = TimeNs([&] { result = decide(); });
    allocs_ += alloc::Take().allocs - a0;
    state_.SetIterationTime(static_cast<double>(ns) * 1e-9);
    samples_.Add(ns);
    return result;
  }
  // An engine call: CCBENCH_TRACE_ALLOCS also prints its allocations.
  template <typename F>
  auto TimeEngine(F&& decide) {
    alloc::TraceScope trace;
    return Time(std::forward<F>(decide));
  }
  void Offered() { ++offers_; }

  // The common tail of every row; returns the samples for the row's ratios.
  Samples Finish() && {
    const double n = static_cast<double>(std::max<int64_t>(1, samples_.count()));
    samples_.Report(state_);
    state_.counters["mean_ns"] = samples_.Mean();
    state_.counters["allocs_per_decision"] = static_cast<double>(allocs_) / n;
    state_.counters["offer_rate"] = static_cast<double>(offers_) / n;
    state_.counters["clock_ns"] = static_cast<double>(ClockOverheadNs());
    state_.SetItemsProcessed(samples_.count());
    return std::move(samples_);
  }

 private:
  benchmark::State& state_;
  Samples samples_;
  int64_t allocs_ = 0, offers_ = 0;
};

// The body of every row: `step(d, i)` makes the row's i-th decision through
// `d`, restores the center for the next one, and returns false to end the row
// early (after `SkipWithError`).
template <typename Step>
Samples MeasureDecisions(benchmark::State& state, Step step) {
  Decision d(state);
  int64_t i = 0;
  for (auto _ : state) {
    if (!step(d, i++)) break;
  }
  return std::move(d).Finish();
}

// Engine rows: how many times faster than the PBX scan (x_linear), how many
// times slower than the bare kernel (x_kernel), by mean and by median.
void ReportRatios(benchmark::State& state, Samples& samples, const World& w) {
  state.counters["warmup_allocs"] = static_cast<double>(w.warmup_allocs);
  const double mean = samples.Mean();
  const double p50 = samples.Percentile(0.5);
  if (w.linear.mean_ns > 0 && mean > 0) {
    state.counters["x_linear"] = w.linear.mean_ns / mean;
    if (p50 > 0) state.counters["x_linear_p50"] = w.linear.p50_ns / p50;
  }
  if (w.kernel_m.mean_ns > 0) state.counters["x_kernel"] = mean / w.kernel_m.mean_ns;
  if (w.kernel_m.p50_ns > 0) state.counters["x_kernel_p50"] = p50 / w.kernel_m.p50_ns;
  state.counters["cross_check_mismatches"] = w.mismatches;
}

// Bytes a kernel decision reads: the availability and requirement bitsets.
int64_t KernelBytes(const World& w) {
  return static_cast<int64_t>(w.kernel->words() * 8 * (w.key.reqs + 1));
}

// --- (a) A contact arrives -------------------------------------------------------------
//
// Row i offers a contact of queue i mod Q.

int QueueOf(const World& w, int64_t i) { return static_cast<int>(i % w.pop.queues); }

void ContactArrivesLinear(benchmark::State& state) {
  World& w = ArrivalWorld(state);
  const Micros now = w.ec.engine->NowMicros();
  Samples samples = MeasureDecisions(state, [&](Decision& d, int64_t i) {
    const int q = QueueOf(w, i);
    const int agent = d.Time([&] { return w.pbx->OfferContact(q, now); });
    if (agent >= 0) {
      d.Offered();
      w.pbx->Unring(agent);
    }
    return true;
  });
  state.SetBytesProcessed(samples.count() * static_cast<int64_t>(w.key.agents) *
                          static_cast<int64_t>(w.pbx->agent_bytes()));
  w.linear = MeasuredOf(samples);
}

// `fat`: the kernel reads idle times from engine-sized agent records.
void ContactArrivesKernel(benchmark::State& state, bool fat) {
  World& w = ArrivalWorld(state);
  const Micros now = w.ec.engine->NowMicros();
  Samples samples = MeasureDecisions(state, [&](Decision& d, int64_t i) {
    const int q = QueueOf(w, i);
    const int agent = d.Time([&] { return w.kernel->Decide(q, now, fat); });
    if (agent >= 0) {
      d.Offered();
      w.kernel->Release(agent);
    }
    return true;
  });
  state.SetBytesProcessed(samples.count() * KernelBytes(w));
  if (!fat) {
    w.kernel_m = MeasuredOf(samples);
  } else if (w.kernel_m.mean_ns > 0) {
    state.counters["x_kernel"] = samples.Mean() / w.kernel_m.mean_ns;
    state.counters["x_kernel_p50"] = samples.Percentile(0.5) / w.kernel_m.p50_ns;
  }
}

void ContactArrivesEngine(benchmark::State& state, const std::string& strategy) {
  World& w = ArrivalWorld(state);
  Engine& e = *w.ec.engine;
  for (QueueId q : w.ec.queues) {
    ccengine::QueueConfig qc = CheckValue(e.GetQueueConfig(q), "GetQueueConfig");
    if (qc.strategy != strategy) {
      qc.strategy = strategy;
      Check(e.UpdateQueue(q, qc), "UpdateQueue");
    }
  }
  Samples samples = MeasureDecisions(state, [&](Decision& d, int64_t i) {
    ccengine::ContactSpec spec;
    spec.id = ContactId(w.next_id++);
    spec.queue = w.ec.queues[QueueOf(w, i)];
    const uint64_t before = w.ec.tap->offers;
    const absl::Status st = d.TimeEngine([&] { return e.AddContact(std::move(spec)); });
    if (!st.ok()) {
      state.SkipWithError("AddContact failed");
      return false;
    }
    if (w.ec.tap->offers > before) d.Offered();
    Check(e.Withdraw(ContactId(w.next_id - 1)), "Withdraw");
    w.DrainStaleTimers();
    return true;
  });
  state.SetBytesProcessed(samples.count() * KernelBytes(w));
  ReportRatios(state, samples, w);
}

// --- (b) An agent frees up -------------------------------------------------------------
//
// Row i frees agent (i × 7919) mod N: a walk that visits every agent.

int AgentOf(const World& w, int64_t i) {
  return static_cast<int>((i * 7919) % w.key.agents);
}

void AgentFreesLinear(benchmark::State& state) {
  World& w = FreeWorld(state);
  const Micros now = w.ec.engine->NowMicros();
  Samples samples = MeasureDecisions(state, [&](Decision& d, int64_t i) {
    const int agent = AgentOf(w, i);
    const int64_t taken = d.Time([&] { return w.pbx->AgentFree(agent, now); });
    if (taken >= 0) d.Offered();
    w.pbx->UndoAgentFree(agent, taken);
    return true;
  });
  state.SetBytesProcessed(samples.count() * w.key.waiting *
                          static_cast<int64_t>(sizeof(ClassicPbx::Waiting)));
  w.linear = MeasuredOf(samples);
}

void AgentFreesKernel(benchmark::State& state) {
  World& w = FreeWorld(state);
  const Micros now = w.ec.engine->NowMicros();
  Samples samples = MeasureDecisions(state, [&](Decision& d, int64_t i) {
    const int agent = AgentOf(w, i);
    const int64_t taken = d.Time([&] { return w.kernel->AgentFree(agent, now); });
    if (taken >= 0) {
      d.Offered();
      w.kernel->UndoAgentFree();
    }
    return true;
  });
  w.kernel_m = MeasuredOf(samples);
}

void AgentFreesEngine(benchmark::State& state) {
  World& w = FreeWorld(state);
  Engine& e = *w.ec.engine;
  Samples samples = MeasureDecisions(state, [&](Decision& d, int64_t i) {
    const AgentId agent = AgentIdOf(AgentOf(w, i));
    const uint64_t before = w.ec.tap->offers;
    const absl::Status st = d.TimeEngine([&] { return e.SetReady(agent); });
    if (!st.ok()) {
      state.SkipWithError("SetReady failed");
      return false;
    }
    if (w.ec.tap->offers > before) d.Offered();
    Check(e.SetNotReady(agent), "SetNotReady");
    w.DrainStaleTimers();
    return true;
  });
  ReportRatios(state, samples, w);
}

// --- Registration ------------------------------------------------------------------
//
// Baselines and engine are registered per parameter set, adjacent, so they
// share one world and the engine row can report the ratios. One dimension
// moves at a time around a base of 10,000 agents, 200 skills, 2 requirements;
// the design point (docs/design.md) adds 100,000 waiting contacts.

const std::vector<std::string> kStrategies = {
    "longest_idle", "least_occupied",  "fewest_handled",   "round_robin",
    "random",       "weighted_random", "best_proficiency", "composite"};

void Name(benchmark::internal::Benchmark* b, std::vector<int64_t> args) {
  b->Args(std::move(args))
      ->ArgNames({"agents", "skills", "reqs", "waiting"})
      ->UseManualTime();
}

const bool kRegistered = [] {
  const std::vector<std::vector<int64_t>> arrives = {
      {100, 200, 2, 0},        {1000, 200, 2, 0},  {10000, 200, 2, 0},
      {100000, 200, 2, 0},     {10000, 10, 2, 0},  {10000, 100, 2, 0},
      {10000, 1000, 2, 0},     {10000, 200, 1, 0}, {10000, 200, 3, 0},
      {10000, 200, 2, 100000},  // design point, last: the strategies reuse it
  };
  for (const auto& args : arrives) {
    Name(benchmark::RegisterBenchmark("BM_ContactArrives_Linear", ContactArrivesLinear),
         args);
    Name(benchmark::RegisterBenchmark("BM_ContactArrives_Kernel", ContactArrivesKernel,
                                      false),
         args);
    Name(benchmark::RegisterBenchmark("BM_ContactArrives_KernelFatRecord",
                                      ContactArrivesKernel, true),
         args);
    Name(benchmark::RegisterBenchmark("BM_ContactArrives_Engine/strategy:longest_idle",
                                      ContactArrivesEngine, std::string("longest_idle")),
         args);
  }
  for (size_t s = 1; s < kStrategies.size(); ++s) {
    Name(benchmark::RegisterBenchmark(
             ("BM_ContactArrives_Engine/strategy:" + kStrategies[s]).c_str(),
             ContactArrivesEngine, kStrategies[s]),
         arrives.back());
  }
  const std::vector<std::vector<int64_t>> frees = {
      {10000, 200, 2, 0},      {10000, 200, 2, 1000},    {10000, 200, 2, 1000000},
      {100, 200, 2, 100000},   {1000, 200, 2, 100000},   {100000, 200, 2, 100000},
      {10000, 10, 2, 100000},  {10000, 1000, 2, 100000}, {10000, 200, 1, 100000},
      {10000, 200, 3, 100000}, {10000, 200, 2, 100000},  // design point
  };
  for (const auto& args : frees) {
    Name(benchmark::RegisterBenchmark("BM_AgentFrees_Linear", AgentFreesLinear), args);
    Name(benchmark::RegisterBenchmark("BM_AgentFrees_Kernel", AgentFreesKernel), args);
    Name(benchmark::RegisterBenchmark("BM_AgentFrees_Engine", AgentFreesEngine), args);
  }
  return true;
}();

}  // namespace
}  // namespace ccbench
