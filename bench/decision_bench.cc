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
//   …/pop:*/queues:*/free:*/…  the same two decisions on the populations of
//                        MakeSkewedPopulation (skewed or uniform skill
//                        popularity, all or 5% of the agents free; see
//                        "Populations that do not flatter" below), with
//                        eligible_free (arrivals) and queues_served /
//                        eligible_waiting (frees) beside the times.
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

#include <cstdint>
#include <cstdlib>
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

// The shape of a row's population: `kBlocks` is `MakePopulation` (skill
// blocks, home queues, 20% ready; its rows carry agents, skills, reqs and
// waiting as arguments); the others are `MakeSkewedPopulation` with `queues`
// queues and `ready_pct` of the agents ready (their rows carry agents, and
// for "an agent frees up" waiting, as arguments).
struct Shape {
  Popularity pop = Popularity::kBlocks;
  int queues = 0;
  int ready_pct = 0;
  bool operator==(const Shape&) const = default;
};

struct Key {
  int agents = 0, skills = 0, reqs = 0;
  int64_t waiting = 0;
  Shape shape;
  bool operator==(const Key&) const = default;
};

CenterParams ParamsOf(const Key& k) {
  CenterParams p;
  p.agents = k.agents;
  p.skills = k.skills;
  p.reqs = k.reqs;
  return p;
}

// `ready_pct` < 0: the shape's own (for kBlocks, CenterParams' default).
Population PopulationOf(const Key& k, int ready_pct = -1) {
  if (k.shape.pop == Popularity::kBlocks) {
    CenterParams p = ParamsOf(k);
    if (ready_pct >= 0) p.ready_pct = ready_pct;
    return MakePopulation(p);
  }
  return MakeSkewedPopulation(k.agents, k.shape.queues, k.shape.pop,
                              ready_pct >= 0 ? ready_pct : k.shape.ready_pct);
}

Key KeyOf(const benchmark::State& state, const Shape& shape, bool with_waiting) {
  if (shape.pop == Popularity::kBlocks) {
    return Key{static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
               static_cast<int>(state.range(2)), state.range(3), shape};
  }
  return Key{static_cast<int>(state.range(0)), kPopSkills, 0,
             with_waiting ? state.range(1) : 0, shape};
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
  // Seconds to build the population, the engine and the baselines (after
  // RebuildArrivalEngine: the engine alone).
  double setup_s = 0;
  Measured linear, kernel_m;
  // Arrivals: per queue, the agents that are ready and eligible (the pool a
  // decision chooses from). Frees: per agent, the queues it serves and the
  // waiting contacts it could take.
  std::vector<int> eligible_free;
  std::vector<int> queues_served;
  std::vector<int64_t> eligible_waiting;

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

// The arrival rows' warm-up: a contact of each queue in turn, withdrawn.
void WarmUpArrivals(World& w) {
  Engine& e = *w.ec.engine;
  w.WarmUp([&](int64_t i) {
    ccengine::ContactSpec spec;
    spec.id = ContactId(w.next_id++);
    spec.queue = w.ec.queues[i % w.pop.queues];
    Check(e.AddContact(std::move(spec)), "AddContact");
    Check(e.Withdraw(ContactId(w.next_id - 1)), "Withdraw");
  });
}

std::unique_ptr<World> BuildArrivalWorld(const Key& k) {
  const int64_t t0 = NowNs();
  auto w = std::make_unique<World>();
  w->key = k;
  w->pop = PopulationOf(k);
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
    w->eligible_free.push_back(w->kernel->Eligible(q));
  }
  WarmUpArrivals(*w);
  w->setup_s = static_cast<double>(NowNs() - t0) * 1e-9;
  return w;
}

// A shaped world's engine, built again with every queue on `strategy`
// (UpdateQueue on each of 400 queues costs more than building the engine anew:
// it recomputes the queues every agent serves). The population, the baselines
// and what they measured stay.
void RebuildArrivalEngine(World& w, const std::string& strategy) {
  const int64_t t0 = NowNs();
  w.ec = EngineCenter{};  // the old engine is freed first
  w.pop.params.strategy = strategy;
  w.ec = BuildEngine(w.pop);
  AddBacklog(w.ec, w.key.waiting);
  WarmUpArrivals(w);
  w.setup_s = static_cast<double>(NowNs() - t0) * 1e-9;
}

std::unique_ptr<World> BuildFreeWorld(const Key& k) {
  const int64_t t0 = NowNs();
  auto w = std::make_unique<World>();
  w->key = k;
  w->pop = PopulationOf(k, /*ready_pct=*/0);
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
  for (int i = 0; i < k.agents; ++i) {
    w->queues_served.push_back(w->kernel->QueuesServed(i));
    w->eligible_waiting.push_back(w->kernel->EligibleWaiting(i));
  }
  w->WarmUp([&](int64_t i) {
    const AgentId agent = AgentIdOf(static_cast<int>((i * 7919) % k.agents));
    Check(e.SetReady(agent), "SetReady");
    Check(e.SetNotReady(agent), "SetNotReady");
  });
  w->setup_s = static_cast<double>(NowNs() - t0) * 1e-9;
  return w;
}

LastWorld<World, Key> g_arrival;
LastWorld<World, Key> g_free;

// The populations: the world of this row's parameter set.
World& ArrivalWorld(const benchmark::State& state, const Shape& shape) {
  const Key key = KeyOf(state, shape, /*with_waiting=*/false);
  return g_arrival.Get(key, [&] { return BuildArrivalWorld(key); });
}
World& FreeWorld(const benchmark::State& state, const Shape& shape) {
  const Key key = KeyOf(state, shape, /*with_waiting=*/true);
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
  state.counters["setup_s"] = w.setup_s;
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

// Bytes a kernel decision reads: the availability and requirement bitsets
// (requirements averaged over the queues).
int64_t KernelBytes(const World& w) {
  size_t reqs = 0;
  for (const auto& r : w.pop.queue_reqs) reqs += r.size();
  const size_t q = std::max<size_t>(1, w.pop.queue_reqs.size());
  return static_cast<int64_t>(w.kernel->words() * 8 * ((reqs + q / 2) / q + 1));
}

// The mean of `per[index(i)]` over the row's `n` decisions, as counter `name`.
template <typename T, typename Index>
void ReportPool(benchmark::State& state, const char* name, const std::vector<T>& per,
                int64_t n, Index index) {
  if (per.empty() || n <= 0) return;
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(per[index(i)]);
  state.counters[name] = sum / static_cast<double>(n);
}

// --- (a) A contact arrives -------------------------------------------------------------
//
// Row i offers a contact of queue i mod Q.

int QueueOf(const World& w, int64_t i) { return static_cast<int>(i % w.pop.queues); }

// eligible_free: the mean number of ready eligible agents of the row's
// contacts (the pool each decision chooses from).
void ReportArrivalPool(benchmark::State& state, const World& w, const Samples& samples) {
  ReportPool(state, "eligible_free", w.eligible_free, samples.count(),
             [&](int64_t i) { return QueueOf(w, i); });
}

void ContactArrivesLinear(benchmark::State& state, Shape shape) {
  World& w = ArrivalWorld(state, shape);
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
  ReportArrivalPool(state, w, samples);
  w.linear = MeasuredOf(samples);
}

// `fat`: the kernel reads idle times from engine-sized agent records.
void ContactArrivesKernel(benchmark::State& state, bool fat, Shape shape) {
  World& w = ArrivalWorld(state, shape);
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
  ReportArrivalPool(state, w, samples);
  if (!fat) {
    w.kernel_m = MeasuredOf(samples);
  } else if (w.kernel_m.mean_ns > 0) {
    state.counters["x_kernel"] = samples.Mean() / w.kernel_m.mean_ns;
    state.counters["x_kernel_p50"] = samples.Percentile(0.5) / w.kernel_m.p50_ns;
  }
}

// The baselines score longest idle only: rows of other strategies are
// compared with them (their x_linear / x_kernel), as their label says.
void ContactArrivesEngine(benchmark::State& state, const std::string& strategy,
                          Shape shape) {
  World& w = ArrivalWorld(state, shape);
  if (shape.pop != Popularity::kBlocks && w.pop.params.strategy != strategy) {
    RebuildArrivalEngine(w, strategy);
  }
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
  ReportArrivalPool(state, w, samples);
  ReportRatios(state, samples, w);
  if (strategy != "longest_idle") state.SetLabel("baselines: longest_idle");
}

// --- (b) An agent frees up -------------------------------------------------------------
//
// Row i frees agent (i × 7919) mod N: a walk that visits every agent.

int AgentOf(const World& w, int64_t i) {
  return static_cast<int>((i * 7919) % w.key.agents);
}

// queues_served / eligible_waiting: the mean number of queues the row's
// agents serve, and of waiting contacts they could take.
void ReportFreePool(benchmark::State& state, const World& w, const Samples& samples) {
  const auto agent = [&](int64_t i) { return AgentOf(w, i); };
  ReportPool(state, "queues_served", w.queues_served, samples.count(), agent);
  ReportPool(state, "eligible_waiting", w.eligible_waiting, samples.count(), agent);
}

void AgentFreesLinear(benchmark::State& state, Shape shape) {
  World& w = FreeWorld(state, shape);
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
  ReportFreePool(state, w, samples);
  w.linear = MeasuredOf(samples);
}

void AgentFreesKernel(benchmark::State& state, Shape shape) {
  World& w = FreeWorld(state, shape);
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
  ReportFreePool(state, w, samples);
  w.kernel_m = MeasuredOf(samples);
}

void AgentFreesEngine(benchmark::State& state, Shape shape) {
  World& w = FreeWorld(state, shape);
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
  ReportFreePool(state, w, samples);
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
    Name(benchmark::RegisterBenchmark("BM_ContactArrives_Linear", ContactArrivesLinear,
                                      Shape{}),
         args);
    Name(benchmark::RegisterBenchmark("BM_ContactArrives_Kernel", ContactArrivesKernel,
                                      false, Shape{}),
         args);
    Name(benchmark::RegisterBenchmark("BM_ContactArrives_KernelFatRecord",
                                      ContactArrivesKernel, true, Shape{}),
         args);
    Name(benchmark::RegisterBenchmark("BM_ContactArrives_Engine/strategy:longest_idle",
                                      ContactArrivesEngine, std::string("longest_idle"),
                                      Shape{}),
         args);
  }
  for (size_t s = 1; s < kStrategies.size(); ++s) {
    Name(benchmark::RegisterBenchmark(
             ("BM_ContactArrives_Engine/strategy:" + kStrategies[s]).c_str(),
             ContactArrivesEngine, kStrategies[s], Shape{}),
         arrives.back());
  }
  const std::vector<std::vector<int64_t>> frees = {
      {10000, 200, 2, 0},      {10000, 200, 2, 1000},    {10000, 200, 2, 1000000},
      {100, 200, 2, 100000},   {1000, 200, 2, 100000},   {100000, 200, 2, 100000},
      {10000, 10, 2, 100000},  {10000, 1000, 2, 100000}, {10000, 200, 1, 100000},
      {10000, 200, 3, 100000}, {10000, 200, 2, 100000},  // design point
  };
  for (const auto& args : frees) {
    Name(benchmark::RegisterBenchmark("BM_AgentFrees_Linear", AgentFreesLinear, Shape{}),
         args);
    Name(benchmark::RegisterBenchmark("BM_AgentFrees_Kernel", AgentFreesKernel, Shape{}),
         args);
    Name(benchmark::RegisterBenchmark("BM_AgentFrees_Engine", AgentFreesEngine, Shape{}),
         args);
  }
  return true;
}();

// --- Populations that do not flatter ----------------------------------------------
//
// MakeSkewedPopulation's shapes (bench_common.h), named in the rows as
// pop:{skewed,uniform}/queues:{few,many}/free:{all,5pct,none}. A contact
// arrives: every shape at 1,000, 10,000 and 40,000 agents (100,000 for the
// many-queue, all-free shapes), the strategies that score no pool member
// (IndexedStrategy);
// every built-in strategy on the worst shape (skewed, many, all free) at
// 10,000.
// An agent frees up: the skewed shapes, nobody ready, 10,000 contacts waiting
// over the queues (10% in class 1), at each size.
//
// CCBENCH_SHAPED_MAX_AGENTS=N leaves out the shaped rows above N agents (the
// every-strategy rows move to the largest size left if 10,000 is gone): the
// 40,000- and 100,000-agent worlds take seconds each to build, so the CI smoke
// run (scripts/test.sh) sets it to 1000.

const std::vector<std::string> kAllStrategies = {
    "longest_idle",    "least_occupied",   "fewest_handled", "round_robin", "random",
    "weighted_random", "best_proficiency", "composite",      "satisfaction"};

// The strategies whose decision does not score each member of the pool (the
// free lists, rings and heaps; the random draws: docs/architecture.md) run on
// every shaped population and size; the others (a scan of the pool) on the
// worst population at 10,000 agents only.
bool IndexedStrategy(const std::string& s) {
  return s == "longest_idle" || s == "least_occupied" || s == "fewest_handled" ||
         s == "round_robin" || s == "best_proficiency" || s == "random" ||
         s == "weighted_random";
}

std::string ShapeName(const Shape& s) {
  std::string name = s.pop == Popularity::kSkewed ? "pop:skewed" : "pop:uniform";
  name += s.queues >= 400 ? "/queues:many" : "/queues:few";
  name += s.ready_pct >= 100 ? "/free:all"
          : s.ready_pct > 0  ? "/free:" + std::to_string(s.ready_pct) + "pct"
                             : "/free:none";
  return name;
}

void NameShaped(benchmark::internal::Benchmark* b, std::vector<int64_t> args) {
  std::vector<std::string> names = {"agents", "waiting"};
  names.resize(args.size());
  b->Args(std::move(args))->ArgNames(names)->UseManualTime();
}

// The sizes of a shaped population's rows, CCBENCH_SHAPED_MAX_AGENTS applied.
std::vector<int64_t> ShapedSizes(bool with_100k) {
  const char* env = std::getenv("CCBENCH_SHAPED_MAX_AGENTS");
  const int64_t max = env != nullptr && *env != '\0' ? std::atoll(env) : INT64_MAX;
  std::vector<int64_t> sizes;
  for (int64_t n : {1000, 10000, 40000, 100000}) {
    if (n <= max && (n < 100000 || with_100k)) sizes.push_back(n);
  }
  return sizes;
}

const bool kRegisteredShapes = [] {
  const Shape worst{Popularity::kSkewed, 400, 100};
  for (Popularity pop : {Popularity::kSkewed, Popularity::kUniform}) {
    for (int queues : {400, 20}) {
      for (int ready : {100, 5}) {
        const Shape shape{pop, queues, ready};
        const std::string sn = "/" + ShapeName(shape);
        const std::vector<int64_t> sizes = ShapedSizes(queues == 400 && ready == 100);
        const int64_t all_at = sizes.empty() ? 0 : std::min<int64_t>(10000, sizes.back());
        for (int64_t agents : sizes) {
          const std::vector<int64_t> args = {agents};
          NameShaped(
              benchmark::RegisterBenchmark(("BM_ContactArrives_Linear" + sn).c_str(),
                                           ContactArrivesLinear, shape),
              args);
          NameShaped(
              benchmark::RegisterBenchmark(("BM_ContactArrives_Kernel" + sn).c_str(),
                                           ContactArrivesKernel, false, shape),
              args);
          const bool all = shape == worst && agents == all_at;
          for (const std::string& strategy : kAllStrategies) {
            if (!all && !IndexedStrategy(strategy)) continue;
            NameShaped(
                benchmark::RegisterBenchmark(
                    ("BM_ContactArrives_Engine" + sn + "/strategy:" + strategy).c_str(),
                    ContactArrivesEngine, strategy, shape),
                args);
          }
        }
      }
    }
  }
  for (int queues : {400, 20}) {
    const Shape shape{Popularity::kSkewed, queues, 0};
    const std::string sn = "/" + ShapeName(shape);
    for (int64_t agents : ShapedSizes(queues == 400)) {
      const std::vector<int64_t> args = {agents, 10000};
      NameShaped(benchmark::RegisterBenchmark(("BM_AgentFrees_Linear" + sn).c_str(),
                                              AgentFreesLinear, shape),
                 args);
      NameShaped(benchmark::RegisterBenchmark(("BM_AgentFrees_Kernel" + sn).c_str(),
                                              AgentFreesKernel, shape),
                 args);
      NameShaped(benchmark::RegisterBenchmark(("BM_AgentFrees_Engine" + sn).c_str(),
                                              AgentFreesEngine, shape),
                 args);
    }
  }
  return true;
}();

}  // namespace
}  // namespace ccbench
