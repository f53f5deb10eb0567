// What recovery costs. Engine::SaveState and LoadState of a busy center by
// size (the price of a checkpoint, and of loading one); and recovering a
// journaled stretch of work by replaying the whole journal against loading
// the newest snapshot and replaying the 1,000 records after it.
//
// The busy center: N agents with 4 skills each (20 skills, skewed popularity)
// and 20 queues; a third of the agents hold a call in service, the rest are
// not ready, and W calls wait (N/10, and 100,000 at 10,000 agents). Counters: bytes of state (per agent), the
// records replayed and their rate. The journaled stretch (50,000 and 500,000
// contacts, some 100,000 and 1,000,000 records): 200 auto-accepting agents, each
// contact an AddContact and a CompleteContact (two records), the clock moving
// 100 ms per contact; journal files of 1 MiB segments in $TMPDIR, fsync never.
//
// Thread safety: each benchmark builds its own engines and files.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bench_util.h"
#include "benchmark/benchmark.h"
#include "ccengine/core/engine.h"
#include "ccengine/journal/engine_journal.h"
#include "ccengine/journal/file_journal.h"
#include "ccengine/journal/snapshot.h"
#include "skewed_center.h"

namespace {

using ccengine::AgentConfig;
using ccengine::AgentId;
using ccengine::ContactId;
using ccengine::ContactSpec;
using ccengine::Engine;
using ccengine::QueueId;
using ccengine::SkillId;
using ccengine::journal::FileJournal;
using ccengine::journal::FsyncPolicy;

constexpr int kQueues = ccbench::kCenterQueues;
// Segments of 1 MiB (some 17,000 records): a checkpoint lets all but the
// newest few go.
constexpr size_t kSegmentBytes = size_t{1} << 20;

void Check(const absl::Status& s) {
  if (!s.ok()) ccbench::Die(s);
}

std::unique_ptr<Engine> Configured() {
  ccengine::EngineOptions options;
  options.intake_capacity = 1024;
  return ccbench::ConfiguredCenter(options);
}

std::unique_ptr<Engine> BusyCenter(int agents, int waiting) {
  std::unique_ptr<Engine> e = Configured();
  ccbench::AddSkewedAgents(*e, agents, /*auto_accept=*/true);
  uint64_t next = 1;
  for (int i = 0; i < agents / 3; ++i) {
    ContactSpec s;
    s.id = ContactId{next++};
    s.queue = QueueId{static_cast<uint32_t>(i % kQueues)};
    s.customer_id = "c" + std::to_string(i);
    s.attributes = {{"intent", "refund"}};
    Check(e->AddContact(s));
  }
  for (int a = 1; a <= agents; ++a) {
    if (e->GetAgent(AgentId{static_cast<uint64_t>(a)})->contacts.empty()) {
      Check(e->SetNotReady(AgentId{static_cast<uint64_t>(a)}, 1));
    }
  }
  for (int i = 0; i < waiting; ++i) {
    ContactSpec s;
    s.id = ContactId{next++};
    s.queue = QueueId{static_cast<uint32_t>(i % kQueues)};
    Check(e->AddContact(s));
  }
  Check(e->AdvanceTo(e->Now() + absl::Seconds(30)));
  return e;
}

// The centers whose state is written and loaded: (agents, calls waiting).
void StateSizes(benchmark::internal::Benchmark* b) {
  b->Args({1000, 100})->Args({10000, 1000})->Args({40000, 4000})->Args({10000, 100000});
  b->Unit(benchmark::kMillisecond);
}

// range(0): agents; range(1): calls waiting.
void BM_SaveState(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(0));
  std::unique_ptr<Engine> e = BusyCenter(agents, static_cast<int>(state.range(1)));
  std::string bytes;
  for (auto _ : state) {
    e->SaveState(bytes);
    benchmark::DoNotOptimize(bytes.data());
  }
  state.counters["state_bytes"] = static_cast<double>(bytes.size());
  state.counters["bytes_per_agent"] = static_cast<double>(bytes.size()) / agents;
}
BENCHMARK(BM_SaveState)->Apply(StateSizes);

void BM_LoadState(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(0));
  std::string bytes;
  BusyCenter(agents, static_cast<int>(state.range(1)))->SaveState(bytes);
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<Engine> fresh = Configured();
    state.ResumeTiming();
    Check(fresh->LoadState(bytes));
    state.PauseTiming();
    fresh.reset();  // not timed
    state.ResumeTiming();
  }
  state.counters["state_bytes"] = static_cast<double>(bytes.size());
}
BENCHMARK(BM_LoadState)->Apply(StateSizes);

// Journals `contacts` contacts (two records each) into `journal_dir`; with
// `snapshots` set, a checkpoint there 500 contacts (1,000 records) before the
// end.
void JournalStretch(const std::string& journal_dir, const std::string& snapshots,
                    int contacts) {
  auto log = FileJournal::Open(
      {.dir = journal_dir, .fsync = FsyncPolicy::kNever, .segment_bytes = kSegmentBytes});
  if (!log.ok()) ccbench::Die(log.status());
  std::unique_ptr<Engine> e = Configured();
  ccengine::journal::EngineJournal journal(*e, **log);
  std::mt19937_64 rng(9);
  for (int a = 0; a < 200; ++a) {
    AgentConfig c;
    c.id = AgentId{static_cast<uint64_t>(a + 1)};
    c.auto_accept = true;
    c.skills = {{SkillId{static_cast<uint32_t>(a % ccbench::kCenterSkills)}, 5}};
    Check(e->Apply(ccengine::cmd::AddAgent{c}));
    Check(e->Apply(ccengine::cmd::Login{c.id}));
  }
  for (int i = 1; i <= contacts; ++i) {
    if (!snapshots.empty() && i == contacts - 500) {
      auto written = ccengine::journal::Checkpoint(*e, **log, snapshots);
      if (!written.ok()) ccbench::Die(written.status());
    }
    ContactSpec s;
    s.id = ContactId{static_cast<uint64_t>(i)};
    s.queue = QueueId{static_cast<uint32_t>(rng() % kQueues)};
    s.attributes = {{"intent", "refund"}};
    Check(e->AdvanceTo(e->Now() + absl::Milliseconds(100)));
    Check(e->Apply(ccengine::cmd::AddContact{s}));
    const auto c = e->GetContact(s.id);
    if (!c.ok() || !c->agent.has_value()) ccbench::Die(absl::InternalError("not served"));
    Check(e->Apply(ccengine::cmd::CompleteContact{*c->agent, s.id, {}}));
  }
}

// range(0): contacts journaled; range(1): 0 = replay all, 1 = snapshot + tail.
void BM_Recover(benchmark::State& state) {
  const int contacts = static_cast<int>(state.range(0));
  const bool from_snapshot = state.range(1) == 1;
  ccbench::TempDir dir("ccrecovery_bench_");
  const std::string snapshots = dir.File("snapshots");
  std::filesystem::create_directories(snapshots);
  // The full journal for replay, a second one that checkpoints (and so
  // drops old segments) for the snapshot.
  const std::string journal_dir = dir.File(from_snapshot ? "checkpointed" : "full");
  JournalStretch(journal_dir, from_snapshot ? snapshots : "", contacts);
  uint64_t records = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<Engine> e = Configured();
    state.ResumeTiming();
    auto log = FileJournal::Open({.dir = journal_dir,
                                  .fsync = FsyncPolicy::kNever,
                                  .segment_bytes = kSegmentBytes});
    if (!log.ok()) ccbench::Die(log.status());
    if (from_snapshot) {
      auto r = ccengine::journal::Recover(**log, snapshots, *e);
      if (!r.ok()) ccbench::Die(r.status());
      records = r->replay.records;
    } else {
      auto r = ccengine::journal::ReplayJournal(**log, *e);
      if (!r.ok()) ccbench::Die(r.status());
      records = r->records;
    }
    state.PauseTiming();
    e.reset();
    log->reset();
    state.ResumeTiming();
  }
  state.counters["records_replayed"] = static_cast<double>(records);
  state.counters["records_per_second"] = benchmark::Counter(
      static_cast<double>(records), benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(from_snapshot ? "snapshot + tail" : "whole journal");
}
BENCHMARK(BM_Recover)
    ->Args({50000, 0})
    ->Args({50000, 1})
    ->Args({500000, 0})
    ->Unit(benchmark::kMillisecond);

}  // namespace
