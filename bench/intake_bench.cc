// -----------------------------------------------------------------------------
// File: bench/intake_bench.cc
// -----------------------------------------------------------------------------
//
// Intake throughput: N producer threads push command-sized records while one
// consumer thread (the router's stand-in) drains them, through
// `ccengine::internal::MpscQueue` and through the baseline every ACD starts
// with, a `std::mutex` + `std::deque`. Both queues are bounded to the same
// capacity, producers retry with a yield while full, and the consumer drains
// in batches of up to 256 (the mutex consumer moves a batch out under one lock
// and processes it unlocked, the strongest simple form of that baseline).
// items_per_second is the producers' combined push rate; in steady state it is
// also what the consumer sustains. `full_per_push` is the average number of
// "queue full" retries per successful push.
//
// The consumer thread is started by a `Setup()` callback before the producer
// threads start, and stopped by `Teardown()` after they finish; with 4
// producers on a 2-core machine the threads are oversubscribed, which is the
// point: it shows how each queue degrades when producers outnumber cores.
//
// The engine path, end to end (`BM_Engine_Submit`): N producer threads call
// `Engine::Submit` with real commands (each producer toggles its own 64
// agents between not ready and ready, so every command is valid and cheap to
// apply) while the engine's own `RouterLoop` polls on its thread (spin, then
// park on the semaphore that `Submit` releases). The baseline next to it
// (`BM_MutexDequeApply_Submit`) carries the same `Command`s through a
// `std::mutex` + `std::deque` with a condition variable, the router draining a
// batch under the lock and calling `Engine::Apply` on each, unlocked.
// items_per_second is the producers' submit rate; `drain_per_s` is what the
// router applied per second from the first submit until the last command of
// the run was applied (the engine's throughput; with 2 cores and 4
// producers the router competes with them for a core).
// `BM_Engine_SubmitWhenFull` times the back-pressure path: a `Submit` refused
// because the intake is full.
//
// Run:  intake_bench --benchmark_min_time=0.01    (Google Benchmark 1.7.1
//       takes a plain number of seconds there)

#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>

#include "ccengine/core/clock.h"
#include "ccengine/core/engine.h"
#include "ccengine/core/internal/mpsc_queue.h"
#include "ccengine/core/router_loop.h"

namespace {

// Shaped like an intake command: ids, a timestamp, routing attributes and a
// small inline skill requirement list. Trivially copyable, 80 bytes.
struct Command {
  std::uint64_t contact_id;
  std::uint64_t tenant_id;
  std::int64_t enqueued_at_ns;
  std::uint32_t kind;
  std::uint32_t queue_id;
  std::uint32_t priority;
  std::uint32_t channel;
  std::array<std::uint32_t, 10> required_skills;
};
static_assert(sizeof(Command) >= 64 && sizeof(Command) <= 96);
static_assert(std::is_trivially_copyable_v<Command>);

Command MakeCommand(std::uint64_t i, int producer) {
  Command c{};
  c.contact_id = i;
  c.tenant_id = static_cast<std::uint64_t>(producer);
  c.enqueued_at_ns = static_cast<std::int64_t>(i) * 1000;
  c.kind = static_cast<std::uint32_t>(i & 7);
  c.queue_id = static_cast<std::uint32_t>(i & 63);
  c.priority = static_cast<std::uint32_t>(i & 3);
  c.channel = static_cast<std::uint32_t>(i & 1);
  for (std::size_t s = 0; s < c.required_skills.size(); ++s) {
    c.required_skills[s] = static_cast<std::uint32_t>(i + s);
  }
  return c;
}

// What the consumer does with each command: cheap, but it reads the record so
// the data really crosses cores.
inline std::uint64_t Digest(const Command& c) {
  return c.contact_id ^ c.tenant_id ^ c.required_skills[9];
}

constexpr std::size_t kDrainBatch = 256;

// --- The two queues behind one interface -------------------------------------

class MpscIntake {
 public:
  explicit MpscIntake(std::size_t capacity) : queue_(capacity) {}
  bool TryPush(Command&& c) { return queue_.TryPush(std::move(c)); }
  template <class F>
  std::size_t Drain(F&& f) {
    return queue_.Drain(std::forward<F>(f), kDrainBatch);
  }

 private:
  ccengine::internal::MpscQueue<Command> queue_;
};

class MutexDequeIntake {
 public:
  explicit MutexDequeIntake(std::size_t capacity) : capacity_(capacity) {}
  bool TryPush(Command&& c) {
    std::lock_guard<std::mutex> lock(mu_);
    if (deque_.size() >= capacity_) return false;
    deque_.push_back(std::move(c));
    return true;
  }
  template <class F>
  std::size_t Drain(F&& f) {
    std::size_t n = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      while (n < kDrainBatch && !deque_.empty()) {
        batch_[n++] = std::move(deque_.front());
        deque_.pop_front();
      }
    }
    for (std::size_t i = 0; i < n; ++i) f(std::move(batch_[i]));
    return n;
  }

 private:
  const std::size_t capacity_;
  std::mutex mu_;
  std::deque<Command> deque_;
  std::array<Command, kDrainBatch> batch_{};  // Consumer-only scratch.
};

// --- Harness: one queue and its consumer thread per benchmark run ------------

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// What the consumer does when it finds the queue empty. Polling the head cell
// (or the mutex) in a tight loop steals its cache line from the producer about
// to write it and slows both queues; a short pause burst keeps the consumer
// responsive without hammering the line, and the yield lets producers run when
// threads outnumber cores. (A consumer that only yields slows MpscQueue with
// one producer and leaves the mutex queue as it is.)
inline void IdleBackoff() {
  for (int k = 0; k < 32; ++k) CpuRelax();
  std::this_thread::yield();
}

template <class Queue>
struct Harness {
  explicit Harness(std::size_t capacity) : queue(capacity) {
    consumer = std::thread([this] {
      std::uint64_t sink = 0;
      while (!stop.load(std::memory_order_acquire)) {
        const std::size_t n = queue.Drain([&](Command&& c) { sink += Digest(c); });
        if (n == 0) IdleBackoff();
      }
      benchmark::DoNotOptimize(sink);
    });
  }
  ~Harness() {
    stop.store(true, std::memory_order_release);
    consumer.join();
  }

  Queue queue;
  std::atomic<bool> stop{false};
  std::thread consumer;
};

// Set by Setup() before the producer threads exist, cleared by Teardown()
// after they have all finished, so producers read it without synchronisation.
template <class Queue>
std::unique_ptr<Harness<Queue>> g_harness;

template <class Queue>
void StartConsumer(const benchmark::State& state) {
  g_harness<Queue> =
      std::make_unique<Harness<Queue>>(static_cast<std::size_t>(state.range(0)));
}

template <class Queue>
void StopConsumer(const benchmark::State&) {
  g_harness<Queue>.reset();
}

template <class Queue>
void BM_Push(benchmark::State& state) {
  Queue& queue = g_harness<Queue>->queue;
  const int producer = state.thread_index();
  std::uint64_t i = 0;
  std::uint64_t full = 0;
  for (auto _ : state) {
    Command c = MakeCommand(i++, producer);
    while (!queue.TryPush(std::move(c))) {
      ++full;
      std::this_thread::yield();
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["full_per_push"] =
      benchmark::Counter(static_cast<double>(full), benchmark::Counter::kAvgIterations);
}

void BM_MpscQueue_Push(benchmark::State& state) { BM_Push<MpscIntake>(state); }
void BM_MutexDeque_Push(benchmark::State& state) { BM_Push<MutexDequeIntake>(state); }

void IntakeArgs(benchmark::internal::Benchmark* b) {
  b->ArgName("capacity")
      ->Arg(64)
      ->Arg(4096)
      ->Threads(1)
      ->Threads(2)
      ->Threads(4)
      ->UseRealTime();
}

BENCHMARK(BM_MpscQueue_Push)
    ->Apply(IntakeArgs)
    ->Setup(StartConsumer<MpscIntake>)
    ->Teardown(StopConsumer<MpscIntake>);
BENCHMARK(BM_MutexDeque_Push)
    ->Apply(IntakeArgs)
    ->Setup(StartConsumer<MutexDequeIntake>)
    ->Teardown(StopConsumer<MutexDequeIntake>);

// --- Uncontended cost: push then pop on one thread, no consumer thread -------

template <class Queue>
void BM_PushPopSameThread(benchmark::State& state) {
  Queue queue(1024);
  std::uint64_t i = 0;
  std::uint64_t sink = 0;
  for (auto _ : state) {
    if (!queue.TryPush(MakeCommand(i++, 0))) state.SkipWithError("full");
    queue.Drain([&](Command&& c) { sink += Digest(c); });
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations());
}

void BM_MpscQueue_PushPopSameThread(benchmark::State& state) {
  BM_PushPopSameThread<MpscIntake>(state);
}
void BM_MutexDeque_PushPopSameThread(benchmark::State& state) {
  BM_PushPopSameThread<MutexDequeIntake>(state);
}
BENCHMARK(BM_MpscQueue_PushPopSameThread);
BENCHMARK(BM_MutexDeque_PushPopSameThread);

// --- The engine path: Engine::Submit -> RouterLoop -> Poll -> Apply --------------

constexpr int kAgentsPerProducer = 64;
constexpr int kMaxProducers = 4;

std::unique_ptr<ccengine::Engine> MakeIntakeEngine() {
  auto engine = ccengine::Engine::Create().value();
  ccengine::SkillId skill = engine->AddSkill("general").value();
  ccengine::QueueConfig q;
  q.name = "general";
  q.skills = {{skill, 1}};
  (void)engine->AddQueue(q).value();
  for (int i = 0; i < kAgentsPerProducer * kMaxProducers; ++i) {
    ccengine::AgentConfig a;
    a.id = ccengine::AgentId(static_cast<std::uint64_t>(i + 1));
    a.skills = {{skill, 5}};
    if (!engine->AddAgent(std::move(a)).ok() ||
        !engine->Login(ccengine::AgentId(static_cast<std::uint64_t>(i + 1))).ok()) {
      std::abort();
    }
  }
  return engine;
}

// Producer `p`'s command number `i`: agent p*64 + (i/2)%64 goes not ready
// (even i), then ready again (odd i). Valid in every order the router sees,
// since each producer's commands stay in order.
ccengine::Command ToggleCommand(std::uint64_t i, int producer) {
  const ccengine::AgentId agent(
      static_cast<std::uint64_t>(producer * kAgentsPerProducer +
                                 static_cast<int>((i / 2) % kAgentsPerProducer) + 1));
  if (i % 2 == 0) return ccengine::cmd::SetNotReady{agent};
  return ccengine::cmd::SetReady{agent};
}

struct EngineIntake {
  EngineIntake() : engine(MakeIntakeEngine()), loop(engine.get(), &clock) {
    if (!loop.Start().ok()) std::abort();
  }
  ~EngineIntake() { loop.Stop(); }
  bool TrySubmit(ccengine::Command&& c) { return engine->Submit(std::move(c)).ok(); }
  std::uint64_t Applied() const { return loop.commands_applied(); }

  std::unique_ptr<ccengine::Engine> engine;
  ccengine::RealClock clock;
  ccengine::RouterLoop loop;
};

// The classic intake in front of the same engine: producers lock, push and
// notify; the router swaps out a batch under the lock and applies it unlocked.
struct MutexDequeApplyIntake {
  explicit MutexDequeApplyIntake(std::size_t capacity = std::size_t{1} << 16)
      : capacity_(capacity), engine(MakeIntakeEngine()) {
    router = std::thread([this] {
      std::deque<ccengine::Command> batch;
      for (;;) {
        {
          std::unique_lock<std::mutex> lock(mu_);
          if (deque_.empty() && !stop_) {
            cv_.wait_for(lock, std::chrono::milliseconds(50));
          }
          if (deque_.empty() && stop_) break;
          batch.swap(deque_);
        }
        for (const ccengine::Command& c : batch) (void)engine->Apply(c);
        applied_.fetch_add(batch.size(), std::memory_order_relaxed);
        batch.clear();
      }
    });
  }
  ~MutexDequeApplyIntake() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    router.join();
  }
  bool TrySubmit(ccengine::Command&& c) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (deque_.size() >= capacity_) return false;
      deque_.push_back(std::move(c));
    }
    cv_.notify_one();
    return true;
  }
  std::uint64_t Applied() const { return applied_.load(std::memory_order_relaxed); }

 private:
  const std::size_t capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<ccengine::Command> deque_;
  bool stop_ = false;
  std::atomic<std::uint64_t> applied_{0};

 public:
  std::unique_ptr<ccengine::Engine> engine;
  std::thread router;
};

template <class Intake>
std::unique_ptr<Intake> g_engine_intake;

template <class Intake>
void StartIntake(const benchmark::State&) {
  g_engine_intake<Intake> = std::make_unique<Intake>();
}
template <class Intake>
void StopIntake(const benchmark::State&) {
  g_engine_intake<Intake>.reset();
}

template <class Intake>
void BM_EngineIntake(benchmark::State& state) {
  Intake& intake = *g_engine_intake<Intake>;
  const int producer = state.thread_index();
  const bool main = producer == 0;
  // Every producer runs exactly max_iterations pushes; the previous run was
  // drained before it returned, so this is the baseline for this run.
  const std::uint64_t applied_before = main ? intake.Applied() : 0;
  const auto t0 = std::chrono::steady_clock::now();
  std::uint64_t i = 0;
  std::uint64_t full = 0;
  for (auto _ : state) {
    ccengine::Command c = ToggleCommand(i++, producer);
    while (!intake.TrySubmit(std::move(c))) {
      ++full;
      std::this_thread::yield();
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["full_per_push"] =
      benchmark::Counter(static_cast<double>(full), benchmark::Counter::kAvgIterations);
  if (main) {
    // The stop barrier has passed: every producer's pushes are in.
    const std::uint64_t total = static_cast<std::uint64_t>(state.max_iterations) *
                                static_cast<std::uint64_t>(state.threads());
    while (intake.Applied() - applied_before < total) std::this_thread::yield();
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.counters["drain_per_s"] = static_cast<double>(total) / s;
  }
}

void BM_Engine_Submit(benchmark::State& state) { BM_EngineIntake<EngineIntake>(state); }
void BM_MutexDequeApply_Submit(benchmark::State& state) {
  BM_EngineIntake<MutexDequeApplyIntake>(state);
}

// The back-pressure path: what a producer pays for each refused `Submit` on a
// full intake (the router is not running). Compare with a successful push.
void BM_Engine_SubmitWhenFull(benchmark::State& state) {
  ccengine::EngineOptions options;
  options.intake_capacity = 2;
  auto engine = ccengine::Engine::Create(options).value();
  while (engine->Submit(ccengine::cmd::SetReady{ccengine::AgentId(1)}).ok()) {
  }
  std::uint64_t refused = 0;
  for (auto _ : state) {
    absl::Status st = engine->Submit(ccengine::cmd::SetReady{ccengine::AgentId(1)});
    refused += st.ok() ? 0 : 1;
    benchmark::DoNotOptimize(st);
  }
  state.counters["refused_share"] = benchmark::Counter(
      static_cast<double>(refused), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_Engine_SubmitWhenFull);

BENCHMARK(BM_MutexDequeApply_Submit)
    ->Threads(1)
    ->Threads(2)
    ->Threads(4)
    ->UseRealTime()
    ->Setup(StartIntake<MutexDequeApplyIntake>)
    ->Teardown(StopIntake<MutexDequeApplyIntake>);
BENCHMARK(BM_Engine_Submit)
    ->Threads(1)
    ->Threads(2)
    ->Threads(4)
    ->UseRealTime()
    ->Setup(StartIntake<EngineIntake>)
    ->Teardown(StopIntake<EngineIntake>);

}  // namespace
