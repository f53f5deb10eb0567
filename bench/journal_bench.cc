// The cost of the command journal: routing throughput with every command
// journaled (EngineJournal on a FileJournal) against the same engine without
// a journal, in the same binary on the same center, for each fsync policy;
// and the bare FileJournal append, per policy, beside a bare loop of write(2)
// + fdatasync(2) of the same bytes (what kAlways is measured against).
//
// Workload: a center of 200 auto-accepting agents with 4 skills (20 skills
// in all, skewed: agent skills drawn with Zipf-like weights), 20 queues; each
// contact is two commands through Engine::Apply — AddContact (offered and
// accepted at once by the chosen agent) and CompleteContact — at a clock that
// moves 100 ms per contact. Counters: contacts/s (items_per_second) and the
// journal's bytes per contact. The files go to $TMPDIR (ext4 on the build
// machine); kAlways pays one fdatasync per command and says what the disk
// costs, not the engine.
//
// Thread safety: each benchmark builds its own engine and journal.

#include <fcntl.h>
#include <unistd.h>

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
#include "ccengine/journal/command_codec.h"
#include "ccengine/journal/engine_journal.h"
#include "ccengine/journal/file_journal.h"
#include "skewed_center.h"

namespace {

using ccengine::ContactId;
using ccengine::ContactSpec;
using ccengine::Engine;
using ccengine::QueueId;
using ccengine::journal::FileJournal;
using ccengine::journal::FsyncPolicy;

constexpr int kAgents = 200;

std::unique_ptr<Engine> NewCenter() {
  std::unique_ptr<Engine> e = ccbench::ConfiguredCenter();
  ccbench::AddSkewedAgents(*e, kAgents, /*auto_accept=*/true);
  return e;
}

void BM_Route_NoJournal(benchmark::State& state) {
  std::unique_ptr<Engine> e = NewCenter();
  ccbench::RunContacts(state, *e);
}
BENCHMARK(BM_Route_NoJournal);

void BM_Route_Journaled(benchmark::State& state) {
  const auto policy = static_cast<FsyncPolicy>(state.range(0));
  ccbench::TempDir dir("ccjournal_bench_");
  auto log = FileJournal::Open({.dir = dir.File("j"), .fsync = policy});
  if (!log.ok()) ccbench::Die(log.status());
  std::unique_ptr<Engine> e = NewCenter();
  {
    ccengine::journal::EngineJournal journal(*e, **log);
    ccbench::RunContacts(state, *e);
  }
  const uint64_t records = (*log)->last_sequence();
  uint64_t bytes = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir.File("j"))) {
    bytes += std::filesystem::file_size(f.path());
  }
  state.counters["bytes_per_contact"] =
      state.iterations() > 0 ? static_cast<double>(bytes) / state.iterations() : 0;
  state.counters["records"] = static_cast<double>(records);
  state.SetLabel(std::string(ccengine::journal::FsyncPolicyName(policy)));
}
BENCHMARK(BM_Route_Journaled)
    ->Arg(static_cast<int>(FsyncPolicy::kNever))
    ->Arg(static_cast<int>(FsyncPolicy::kBatch))
    ->Arg(static_cast<int>(FsyncPolicy::kAlways));

// Encoding the two commands of a contact (the journal's CPU share before the
// append), into one reused buffer as EngineJournal does.
void BM_EncodeContactCommands(benchmark::State& state) {
  ContactSpec s;
  s.id = ContactId{1};
  s.queue = QueueId{3};
  s.attributes = {{"intent", "refund"}};
  const ccengine::Command add = ccengine::cmd::AddContact{s};
  const ccengine::Command complete =
      ccengine::cmd::CompleteContact{ccengine::AgentId{17}, ContactId{1}, {}};
  std::string buffer;
  for (auto _ : state) {
    buffer.clear();
    if (!ccengine::journal::AppendCommandTo(add, {}, &buffer).ok() ||
        !ccengine::journal::AppendCommandTo(complete, {}, &buffer).ok()) {
      state.SkipWithError("encoding failed");
      return;
    }
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeContactCommands);

// The bare append of an encoded AddContact, for the journal's own share.
void BM_FileJournal_Append(benchmark::State& state) {
  const auto policy = static_cast<FsyncPolicy>(state.range(0));
  ccbench::TempDir dir("ccjournal_bench_");
  auto log = FileJournal::Open({.dir = dir.File("j"), .fsync = policy});
  if (!log.ok()) ccbench::Die(log.status());
  ContactSpec s;
  s.id = ContactId{1};
  s.attributes = {{"intent", "refund"}};
  const std::string payload =
      *ccengine::journal::EncodeCommand(ccengine::cmd::AddContact{s});
  absl::Time t = absl::UnixEpoch();
  for (auto _ : state) {
    t += absl::Milliseconds(1);
    if (!(*log)->Append(t, payload).ok()) {
      state.SkipWithError("append failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(ccengine::journal::FsyncPolicyName(policy)));
}
BENCHMARK(BM_FileJournal_Append)
    ->Arg(static_cast<int>(FsyncPolicy::kNever))
    ->Arg(static_cast<int>(FsyncPolicy::kBatch))
    ->Arg(static_cast<int>(FsyncPolicy::kAlways));

// The baseline of kAlways: a bare loop of write(2) + fdatasync(2) of as many
// bytes as the journal's record of the same AddContact takes, to a file in the
// same folder — what the disk allows one acknowledged record to cost.
void BM_BareWriteFdatasync(benchmark::State& state) {
  ccbench::TempDir dir("ccjournal_bench_");
  // The record's size on disk: the segment's growth by one append.
  size_t record_bytes = 0;
  {
    auto log =
        FileJournal::Open({.dir = dir.File("probe"), .fsync = FsyncPolicy::kNever});
    if (!log.ok()) ccbench::Die(log.status());
    ContactSpec s;
    s.id = ContactId{1};
    s.attributes = {{"intent", "refund"}};
    const std::string payload =
        *ccengine::journal::EncodeCommand(ccengine::cmd::AddContact{s});
    auto folder_bytes = [&] {
      uintmax_t n = 0;
      for (const auto& f : std::filesystem::directory_iterator(dir.File("probe"))) {
        if (f.path().extension() == ".ccj") n += std::filesystem::file_size(f.path());
      }
      return n;
    };
    const uintmax_t before = folder_bytes();
    if (!(*log)->Append(absl::UnixEpoch(), payload).ok() || !(*log)->Sync().ok()) {
      state.SkipWithError("probe append failed");
      return;
    }
    record_bytes = static_cast<size_t>(folder_bytes() - before);
  }
  const std::string path = dir.File("bare");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) ccbench::Die(absl::InternalError("open " + path));
  const std::string bytes(record_bytes, 'r');
  for (auto _ : state) {
    if (::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()) ||
        ::fdatasync(fd) != 0) {
      state.SkipWithError("write or fdatasync failed");
      break;
    }
  }
  ::close(fd);
  state.SetItemsProcessed(state.iterations());
  state.counters["record_bytes"] = static_cast<double>(record_bytes);
}
BENCHMARK(BM_BareWriteFdatasync);

}  // namespace
