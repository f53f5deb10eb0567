// What a routing file costs to load and to reload on a live engine
// (ccengine/config/routing_versions.h), against one routing decision of the
// same engine.
//
// Workload: a file of 200 skills, 1,000 queues (each with a relaxation step
// and a priority class), 10,000 agent profiles and an entry flow of 100
// rules; two versions A and B differ in every queue's priority and
// relaxation time. The engine holds 10,000 agents logged in but not ready
// and 20,000 contacts waiting (20 per queue), so a reload re-evaluates them
// all.
//   BM_LoadFile   LoadRoutingJson of the file (parse, check, compile; off
//                 the router thread)
//   BM_Reload     RoutingVersions::Reload, A and B in turn: the time the
//                 router thread is taken, which is the longest stall a
//                 contact arriving meanwhile sees
//   BM_Decision   one decision on the same engine: a contact added to a
//                 queue (it waits: nobody is ready) and withdrawn again
// Times per iteration; the stall in decisions is BM_Reload over BM_Decision.
//
// Thread safety: single-threaded.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bench_util.h"
#include "benchmark/benchmark.h"
#include "ccengine/config/routing_versions.h"
#include "ccengine/core/engine.h"
#include "fmt/format.h"

namespace {

namespace config = ccengine::config;

constexpr int kSkills = 200;
constexpr int kQueues = 1000;
constexpr int kProfiles = 10000;
constexpr int kWaitingPerQueue = 20;

std::string File(bool b) {
  std::string skills, queues, profiles, rules;
  for (int s = 0; s < kSkills; ++s) skills += fmt::format("{}\"s{}\"", s ? ", " : "", s);
  for (int q = 0; q < kQueues; ++q) {
    queues += fmt::format(
        R"({}{{"name": "q{}", "skills": {{"s{}": 5}}, "priority": {},
           "relaxation": [{{"after_s": {}, "skills": {{"s{}": 3}}}}], "sl_seconds": 20}})",
        q ? ", " : "", q, q % kSkills, (q + (b ? 1 : 0)) % 3, b ? 30 : 60, q % kSkills);
  }
  for (int p = 0; p < kProfiles; ++p) {
    profiles += fmt::format(
        R"({}{{"name": "p{}", "skills": {{"s{}": 7, "s{}": 4}}, "capacity": {{"voice": 1}}}})",
        p ? ", " : "", p, p % kSkills, (p * 7 + 1) % kSkills);
  }
  for (int r = 0; r < 100; ++r) {
    rules +=
        fmt::format(R"({}{{"name": "r{}", "if": "ivr.choice == '{}'", "queue": "q{}"}})",
                    r ? ", " : "", r, r, r * 7 % kQueues);
  }
  return fmt::format(
      R"({{"skills": [{}], "queues": [{}], "agent_profiles": [{}],
          "attributes": {{"ivr.choice": "string"}},
          "flows": [{{"name": "main", "default": {{"queue": "q0"}}, "rules": [{}]}}]}})",
      skills, queues, profiles, rules);
}

config::RoutingConfig Load(const std::string& text) {
  absl::StatusOr<config::RoutingConfig> loaded = config::LoadRoutingJson(text);
  if (!loaded.ok()) ccbench::Die(loaded.status());
  return *std::move(loaded);
}

struct World {
  std::string text_a = File(false);
  config::RoutingConfig a = Load(text_a);
  config::RoutingConfig b = Load(File(true));
  std::unique_ptr<ccengine::Engine> engine;
  std::unique_ptr<config::RoutingVersions> versions;
  bool on_b = false;
};

World& Get() {
  static World* world = [] {
    auto* w = new World();
    w->engine = ccengine::Engine::Create().value();
    absl::StatusOr<std::unique_ptr<config::RoutingVersions>> started =
        config::RoutingVersions::Start(*w->engine, w->a);
    if (!started.ok()) ccbench::Die(started.status());
    w->versions = *std::move(started);
    for (int i = 0; i < kProfiles; ++i) {
      const ccengine::AgentId id(static_cast<uint64_t>(i + 1));
      const config::AgentProfile& p = w->a.agent_profiles()[static_cast<size_t>(i)];
      if (absl::Status s = w->engine->AddAgent(w->a.MakeAgent(id, p.name, p)); !s.ok()) {
        ccbench::Die(s);
      }
      if (absl::Status s = w->engine->Login(id, /*ready=*/false); !s.ok())
        ccbench::Die(s);
    }
    uint64_t contact = 1;
    for (int q = 0; q < kQueues; ++q) {
      for (int k = 0; k < kWaitingPerQueue; ++k) {
        ccengine::ContactSpec spec;
        spec.id = ccengine::ContactId(contact++);
        spec.queue = ccengine::QueueId(static_cast<uint32_t>(q));
        if (absl::Status s = w->engine->AddContact(spec); !s.ok()) ccbench::Die(s);
      }
    }
    return w;
  }();
  return *world;
}

void BM_LoadFile(benchmark::State& state) {
  World& w = Get();
  for (auto _ : state) benchmark::DoNotOptimize(Load(w.text_a));
  state.counters["bytes"] = static_cast<double>(w.text_a.size());
}

void BM_Decision(benchmark::State& state) {
  World& w = Get();
  uint64_t id = 1'000'000;
  for (auto _ : state) {
    ccengine::ContactSpec spec;
    spec.id = ccengine::ContactId(id++);
    spec.queue = ccengine::QueueId(static_cast<uint32_t>(id % kQueues));
    if (absl::Status s = w.engine->AddContact(spec); !s.ok()) ccbench::Die(s);
    if (absl::Status s = w.engine->Withdraw(spec.id); !s.ok()) ccbench::Die(s);
  }
}

void BM_Reload(benchmark::State& state) {
  World& w = Get();
  for (auto _ : state) {
    state.PauseTiming();
    config::RoutingConfig next = w.on_b ? w.a : w.b;  // the copy is not the reload
    state.ResumeTiming();
    if (absl::Status s = w.versions->Reload(std::move(next)); !s.ok()) ccbench::Die(s);
    w.on_b = !w.on_b;
  }
  if (w.engine->LiveContacts().size() !=
      static_cast<size_t>(kQueues) * kWaitingPerQueue) {
    ccbench::Die(absl::InternalError("a reload lost or moved waiting contacts"));
  }
}

BENCHMARK(BM_LoadFile)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Decision)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Reload)->Unit(benchmark::kMillisecond);

}  // namespace
