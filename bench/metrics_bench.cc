// The cost of live metrics: routing throughput with a metrics::Collector
// attached against the same engine without one, in the same binary on the
// same center, and the cost of the reports a wallboard or a supervisor asks
// for.
//
// Workload (as journal_bench): a center of 200 auto-accepting agents with 4
// skills (20 skills in all, Zipf-like popularity), 20 queues; each contact
// is AddContact (offered and accepted at once) and CompleteContact through
// Engine::Apply, at a clock that moves 100 ms per contact — so the
// collector sees every event type a routed contact makes, agent state
// changes included (which the engine builds only while someone subscribes).
// Counters: contacts/s (items_per_second). The reports are timed after a
// day of such contacts: the 30-minute queue rows of the day and the live
// view (`Now`, every queue's sliding windows).
//
// Thread safety: each benchmark builds its own engine.

#include <cstdint>
#include <memory>
#include <random>

#include "absl/time/time.h"
#include "bench_util.h"
#include "benchmark/benchmark.h"
#include "ccengine/core/engine.h"
#include "ccengine/metrics/collector.h"
#include "skewed_center.h"

namespace {

using ccengine::Engine;
using ccengine::metrics::Collector;

constexpr int kAgents = 200;
// The types the collector subscribes to (collector.cc).
constexpr uint32_t kCollectorTypes =
    ccengine::EventBit(ccengine::EventType::kContactQueued) |
    ccengine::EventBit(ccengine::EventType::kAccepted) |
    ccengine::EventBit(ccengine::EventType::kAbandoned) |
    ccengine::EventBit(ccengine::EventType::kOverflowed) |
    ccengine::EventBit(ccengine::EventType::kTransferred) |
    ccengine::EventBit(ccengine::EventType::kWithdrawn) |
    ccengine::EventBit(ccengine::EventType::kCompleted) |
    ccengine::EventBit(ccengine::EventType::kAgentStateChanged);
constexpr int kQueues = ccbench::kCenterQueues;

std::unique_ptr<Engine> NewCenter() {
  std::unique_ptr<Engine> e = ccbench::ConfiguredCenter();
  ccbench::AddSkewedAgents(*e, kAgents, /*auto_accept=*/true);
  return e;
}

void BM_Route_NoMetrics(benchmark::State& state) {
  std::unique_ptr<Engine> e = NewCenter();
  ccbench::RunContacts(state, *e, {4, true});
}
BENCHMARK(BM_Route_NoMetrics);

// The engine's own share: a subscriber to the collector's event types that
// does nothing, so the engine builds and delivers the same events.
void BM_Route_EmptySubscriber(benchmark::State& state) {
  std::unique_ptr<Engine> e = NewCenter();
  int64_t seen = 0;
  e->Subscribe([&seen](const ccengine::Event&) { ++seen; }, kCollectorTypes);
  ccbench::RunContacts(state, *e, {4, true});
  benchmark::DoNotOptimize(seen);
}
BENCHMARK(BM_Route_EmptySubscriber);

// A telephony adapter's subscription (offers to ring, rescinds, agent
// states for the phones' lamps), with and without the collector beside it.
constexpr uint32_t kAdapterTypes =
    ccengine::EventBit(ccengine::EventType::kOffered) |
    ccengine::EventBit(ccengine::EventType::kOfferRescinded) |
    ccengine::EventBit(ccengine::EventType::kAgentStateChanged);

void BM_Route_AdapterOnly(benchmark::State& state) {
  std::unique_ptr<Engine> e = NewCenter();
  int64_t seen = 0;
  e->Subscribe([&seen](const ccengine::Event&) { ++seen; }, kAdapterTypes);
  ccbench::RunContacts(state, *e, {4, true});
  benchmark::DoNotOptimize(seen);
}
BENCHMARK(BM_Route_AdapterOnly);

void BM_Route_AdapterWithMetrics(benchmark::State& state) {
  std::unique_ptr<Engine> e = NewCenter();
  int64_t seen = 0;
  e->Subscribe([&seen](const ccengine::Event&) { ++seen; }, kAdapterTypes);
  auto collector = Collector::Attach(*e, {});
  if (!collector.ok()) ccbench::Die(collector.status());
  ccbench::RunContacts(state, *e, {4, true});
  benchmark::DoNotOptimize(seen);
}
BENCHMARK(BM_Route_AdapterWithMetrics);

void BM_Route_WithMetrics(benchmark::State& state) {
  std::unique_ptr<Engine> e = NewCenter();
  auto collector = Collector::Attach(*e, {});
  if (!collector.ok()) ccbench::Die(collector.status());
  ccbench::RunContacts(state, *e, {4, true});
}
BENCHMARK(BM_Route_WithMetrics);

// A day (86,400 contacts, one per second) routed with metrics on.
std::unique_ptr<Engine> DayWithMetrics(std::unique_ptr<Collector>& collector) {
  std::unique_ptr<Engine> e = NewCenter();
  collector = Collector::Attach(*e, {}).value();
  std::mt19937_64 rng(9);
  for (uint64_t i = 1; i <= 86'400; ++i) {
    if (!e->AdvanceTo(e->Now() + absl::Milliseconds(900)).ok() ||
        !ccbench::RouteOneContact(*e, i, rng, {4, true})) {
      ccbench::Die(absl::InternalError("the day's contact was not served"));
    }
  }
  return e;
}

void BM_Report_DayHalfHours(benchmark::State& state) {
  std::unique_ptr<Collector> collector;
  std::unique_ptr<Engine> e = DayWithMetrics(collector);
  size_t rows = 0;
  for (auto _ : state) {
    auto r = collector->QueueRows(ccengine::metrics::Granularity::k30Minutes,
                                  e->Now() - absl::Hours(24), e->Now());
    rows = r->size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_Report_DayHalfHours)->Unit(benchmark::kMicrosecond);

void BM_Report_Now(benchmark::State& state) {
  std::unique_ptr<Collector> collector;
  std::unique_ptr<Engine> e = DayWithMetrics(collector);
  for (auto _ : state) {
    auto now = collector->Now();
    benchmark::DoNotOptimize(now);
  }
  state.counters["queues"] = kQueues;
}
BENCHMARK(BM_Report_Now)->Unit(benchmark::kMicrosecond);

}  // namespace
