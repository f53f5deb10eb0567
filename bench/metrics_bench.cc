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
// The HTTP side's costs are timed on a large center (10,000 agents in 50
// groups, 1,000 queues over 200 skills of Zipf-like popularity, 20,000
// contacts routed): taking a snapshot on the router thread, and rendering
// it in Prometheus' text format (bytes of the exposition as a counter).
//
// Thread safety: each benchmark builds its own engine.

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bench_util.h"
#include "benchmark/benchmark.h"
#include "ccengine/core/engine.h"
#include "ccengine/metrics/collector.h"
#include "ccengine/metrics/prometheus.h"
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

// 10,000 agents (4 skills each, 200 skills, Zipf-like), 1,000 queues,
// 20,000 contacts routed and completed, collector attached throughout.
struct LargeCenter {
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Collector> collector;
};
LargeCenter NewLargeCenter() {
  constexpr int kSkills = 200, kLargeQueues = 1000, kLargeAgents = 10'000;
  LargeCenter c;
  c.engine = Engine::Create({}).value();
  Engine& e = *c.engine;
  c.collector = Collector::Attach(e, {}).value();
  for (int s = 0; s < kSkills; ++s) (void)e.AddSkill("skill" + std::to_string(s));
  for (int q = 0; q < kLargeQueues; ++q) {
    ccengine::QueueConfig qc;
    qc.name = "queue" + std::to_string(q);
    qc.skills = {{ccengine::SkillId{static_cast<uint32_t>(q % kSkills)}, 1}};
    if (!e.AddQueue(qc).ok()) ccbench::Die(absl::InternalError("AddQueue"));
  }
  std::mt19937_64 rng(5);
  std::vector<double> weights;
  for (int s = 0; s < kSkills; ++s) weights.push_back(1.0 / (s + 1));
  std::discrete_distribution<int> skill(weights.begin(), weights.end());
  for (int a = 0; a < kLargeAgents; ++a) {
    ccengine::AgentConfig ac;
    ac.id = ccengine::AgentId{static_cast<uint64_t>(a + 1)};
    ac.auto_accept = true;
    ac.skills.push_back({ccengine::SkillId{static_cast<uint32_t>(a % kSkills)}, 5});
    while (ac.skills.size() < 4) {
      const ccengine::SkillId sk{static_cast<uint32_t>(skill(rng))};
      bool have = false;
      for (const auto& k : ac.skills) have |= k.skill == sk;
      if (!have) ac.skills.push_back({sk, 5});
    }
    if (!e.AddAgent(ac).ok() || !e.Login(ac.id).ok()) {
      ccbench::Die(absl::InternalError("agent"));
    }
    c.collector->AssignGroup(ac.id, "team" + std::to_string(a % 50));
  }
  for (uint64_t i = 1; i <= 20'000; ++i) {
    ccengine::ContactSpec spec;
    spec.id = ccengine::ContactId{i};
    spec.queue = ccengine::QueueId{static_cast<uint32_t>(rng() % kLargeQueues)};
    if (!e.AdvanceTo(e.Now() + absl::Milliseconds(100)).ok() ||
        !e.AddContact(spec).ok()) {
      ccbench::Die(absl::InternalError("contact"));
    }
    const auto got = e.GetContact(spec.id);
    if (!got.ok() || !got->agent.has_value() ||
        !e.CompleteContact(*got->agent, spec.id).ok()) {
      ccbench::Die(absl::InternalError("the contact was not served"));
    }
  }
  return c;
}

void BM_Snapshot_Take_10kAgents_1kQueues(benchmark::State& state) {
  LargeCenter c = NewLargeCenter();
  for (auto _ : state) {
    ccengine::metrics::Snapshot s = c.collector->TakeSnapshot();
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_Snapshot_Take_10kAgents_1kQueues)->Unit(benchmark::kMillisecond);

void BM_Prometheus_Render_10kAgents_1kQueues(benchmark::State& state) {
  LargeCenter c = NewLargeCenter();
  const ccengine::metrics::Snapshot s = c.collector->TakeSnapshot();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text = ccengine::metrics::RenderPrometheus(s);
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_Prometheus_Render_10kAgents_1kQueues)->Unit(benchmark::kMillisecond);

}  // namespace
