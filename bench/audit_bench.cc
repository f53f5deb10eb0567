// The audit trail's costs (adapters/audit): appending an entry to the
// hash-chained, signed log against appending the same bytes to a plain
// file, under each flush policy; and verifying a log.
//
// Workload: supervisor actions as a center writes them — actor, role, an
// action of five kinds, an agent or queue as the subject, before and after
// states, a reason of 0-40 characters, one in ten holding a callback number
// (masked); 164-200 bytes a line. Files live in $TMPDIR (default /tmp).
//   BM_BareAppend/<sync>      the baseline: the same lines, already formatted,
//                             written with pwrite (and fdatasync per line for
//                             sync 0) to a plain file
//   BM_AuditAppend/<sync>/<mask>
//                             AuditLog::Append: masking (mask 1), the link
//                             hash, the line, the write, a signed checkpoint
//                             every 1,000 entries
//   BM_Verify                 VerifyAuditLog of a closed 10,000-entry log
//                             (signatures every 1,000 entries)
//   BM_Route_*                routing with access control and the audit
//                             trail on against off: the center of
//                             metrics_bench (200 auto-accepting agents, 20
//                             queues, skewed skills), each contact
//                             AddContact + CompleteContact through
//                             Engine::Apply —
//     NoAccess                no access control (the baseline)
//     SystemActor             every command authorized, sent by the
//                             telephony bridge's actor (role system, scope
//                             all: not audited, decided without the lock)
//     TenantActor             every command authorized in full (a role of
//                             tenant scope, no decision sink): the locked
//                             path that people's commands take
//     AuditedActor/<sync>     every command authorized for an actor whose
//                             tenant-wide role makes each one an audit
//                             entry (AccessAuditSink)
// <sync>: 0 fdatasync after every line (AuditSync::kEveryEntry, the
// default), 1 at checkpoints (kAtCheckpoint), 2 never (kNone).
// Counters: items_per_second (entries), by wall-clock time (the flushes
// wait on the disk, not on the CPU).
//
// Thread safety: each benchmark uses its own files.

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "ccengine/audit/access_audit.h"
#include "ccengine/audit/audit_log.h"
#include "ccengine/audit/keys.h"
#include "ccengine/compliance/access.h"
#include "fmt/format.h"
#include "skewed_center.h"

namespace {

using ccengine::audit::AuditEvent;
using ccengine::audit::AuditLog;
using ccengine::audit::AuditLogOptions;
using ccengine::audit::AuditSync;
using ccengine::audit::SigningKey;

const std::vector<AuditEvent>& Events() {
  static const std::vector<AuditEvent> events = [] {
    std::mt19937_64 rng(2026);
    const std::vector<std::string> actions = {"agent.force_state", "queue.change",
                                              "routing.publish", "ticket.state",
                                              "session.login"};
    const std::vector<std::string> reasons = {"", "stuck call", "客户要求升级处理",
                                              "shift change at 14:00", "误操作恢复"};
    std::vector<AuditEvent> out;
    for (int i = 0; i < 4096; ++i) {
      AuditEvent e;
      e.actor = fmt::format("lead{:03}", rng() % 200);
      e.role = rng() % 10 == 0 ? "administrator" : "supervisor";
      e.action = actions[rng() % actions.size()];
      e.subject = rng() % 4 == 0 ? fmt::format("queue:q{}", rng() % 300)
                                 : fmt::format("agent:{}", 1000 + rng() % 9000);
      e.before = "busy";
      e.after = "away";
      e.reason = reasons[rng() % reasons.size()];
      if (rng() % 10 == 0) e.reason += fmt::format(" 回电 13{:09}", rng() % 1000000000);
      out.push_back(std::move(e));
    }
    return out;
  }();
  return events;
}

const SigningKey& Key() {
  static const SigningKey key = *SigningKey::Generate();
  return key;
}

std::string Scratch(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  const std::string path = fmt::format("{}/ccengine-audit-bench-{}-{}",
                                       dir != nullptr ? dir : "/tmp", ::getpid(), name);
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".head");
  return path;
}

AuditSync SyncOf(int64_t arg) {
  return arg == 0   ? AuditSync::kEveryEntry
         : arg == 1 ? AuditSync::kAtCheckpoint
                    : AuditSync::kNone;
}

// The lines an audit log writes for Events(), formatted once.
const std::vector<std::string>& Lines() {
  static const std::vector<std::string> lines = [] {
    const std::string path = Scratch("lines");
    AuditLogOptions options;
    options.sync = AuditSync::kNone;
    {
      auto log = AuditLog::Open(path, Key(), options);
      for (const AuditEvent& e : Events()) (*log)->Append(e).IgnoreError();
    }
    std::vector<std::string> out;
    std::string line;
    FILE* file = std::fopen(path.c_str(), "r");
    char buffer[70000];
    while (std::fgets(buffer, sizeof buffer, file) != nullptr) {
      if (buffer[0] == 'E') out.emplace_back(buffer);
    }
    std::fclose(file);
    std::filesystem::remove(path);
    std::filesystem::remove(path + ".head");
    return out;
  }();
  return lines;
}

void BM_BareAppend(benchmark::State& state) {
  const AuditSync sync = SyncOf(state.range(0));
  const std::vector<std::string>& lines = Lines();
  const std::string path = Scratch("bare");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  off_t offset = 0;
  size_t i = 0;
  for (auto _ : state) {
    const std::string& line = lines[i++ % lines.size()];
    if (::pwrite(fd, line.data(), line.size(), offset) !=
        static_cast<ssize_t>(line.size())) {
      state.SkipWithError("write failed");
      break;
    }
    offset += static_cast<off_t>(line.size());
    if (sync == AuditSync::kEveryEntry ||
        (sync == AuditSync::kAtCheckpoint && i % 1000 == 0)) {
      ::fdatasync(fd);
    }
  }
  ::close(fd);
  std::filesystem::remove(path);
  state.SetItemsProcessed(state.iterations());
}

void BM_AuditAppend(benchmark::State& state) {
  const std::string path = Scratch("append");
  AuditLogOptions options;
  options.sync = SyncOf(state.range(0));
  options.mask_personal_data = state.range(1) != 0;
  const std::vector<AuditEvent>& events = Events();
  auto log = AuditLog::Open(path, Key(), options);
  size_t i = 0;
  for (auto _ : state) {
    if (!(*log)->Append(events[i++ % events.size()]).ok()) {
      state.SkipWithError("append failed");
      break;
    }
  }
  log->reset();
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".head");
  state.SetItemsProcessed(state.iterations());
}

void BM_Verify(benchmark::State& state) {
  const std::string path = Scratch("verify");
  AuditLogOptions options;
  options.sync = AuditSync::kNone;
  {
    auto log = AuditLog::Open(path, Key(), options);
    for (int i = 0; i < 10000; ++i) {
      (*log)->Append(Events()[static_cast<size_t>(i) % Events().size()]).IgnoreError();
    }
  }
  int64_t entries = 0;
  for (auto _ : state) {
    auto report = ccengine::audit::VerifyAuditLog(path, Key().verify_key());
    if (!report.ok() || !report->intact) {
      state.SkipWithError("the log did not verify");
      break;
    }
    entries += report->entries;
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".head");
  state.SetItemsProcessed(entries);
}

// --- routing with access control and the audit trail ------------------------

std::unique_ptr<ccengine::Engine> NewCenter() {
  std::unique_ptr<ccengine::Engine> e = ccbench::ConfiguredCenter();
  ccbench::AddSkewedAgents(*e, 200, /*auto_accept=*/true);
  return e;
}

void BM_Route_NoAccess(benchmark::State& state) {
  std::unique_ptr<ccengine::Engine> e = NewCenter();
  ccbench::RunContacts(state, *e);
}

void BM_Route_SystemActor(benchmark::State& state) {
  std::unique_ptr<ccengine::Engine> e = NewCenter();
  ccengine::compliance::AccessControl access(
      ccengine::compliance::AccessPolicy::BuiltIn());
  ccengine::compliance::ActorSpec bridge;
  bridge.id = "sip-bridge";
  bridge.roles = {{"system"}};
  ccengine::CommandOrigin origin;
  origin.actor = access.AddActor(bridge).value();
  access.Attach(*e);
  ccbench::RunContacts(state, *e, {}, origin);
}

// A role granting a contact's two commands tenant-wide, so that each
// decision is made in full (and audited when a sink is set), and an actor
// holding it; returns the actor's number.
uint32_t AddDeskActor(ccengine::compliance::AccessControl& access) {
  ccengine::compliance::ActorSpec desk;
  desk.id = "desk";
  desk.roles = {{"desk"}};
  return access.AddActor(desk).value();
}

ccengine::compliance::AccessPolicy DeskPolicy() {
  using ccengine::compliance::Permission;
  using ccengine::compliance::Scope;
  return ccengine::compliance::AccessPolicy::Create(
             {{"desk",
               {{Permission::kContactAdd, Scope::kTenant},
                {Permission::kContactComplete, Scope::kTenant}}}},
             {})
      .value();
}

void BM_Route_TenantActor(benchmark::State& state) {
  std::unique_ptr<ccengine::Engine> e = NewCenter();
  ccengine::compliance::AccessControl access(DeskPolicy());
  ccengine::CommandOrigin origin;
  origin.actor = AddDeskActor(access);
  access.Attach(*e);
  ccbench::RunContacts(state, *e, {}, origin);
  access.Detach(*e);
}

void BM_Route_AuditedActor(benchmark::State& state) {
  std::unique_ptr<ccengine::Engine> e = NewCenter();
  ccengine::compliance::AccessControl access(DeskPolicy());
  ccengine::CommandOrigin origin;
  origin.actor = AddDeskActor(access);
  const std::string path = Scratch("route");
  AuditLogOptions options;
  options.sync = SyncOf(state.range(0));
  auto log = AuditLog::Open(path, Key(), options);
  access.SetDecisionSink(ccengine::audit::AccessAuditSink(**log));
  access.Attach(*e);
  ccbench::RunContacts(state, *e, {}, origin);
  access.Detach(*e);
  log->reset();
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".head");
}

// Worst first: a flush per entry.
BENCHMARK(BM_BareAppend)->Arg(0)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_AuditAppend)
    ->Args({0, 1})
    ->Args({1, 1})
    ->Args({2, 1})
    ->Args({2, 0})
    ->UseRealTime();
BENCHMARK(BM_Verify)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Route_AuditedActor)->Arg(0)->Arg(2)->UseRealTime();
BENCHMARK(BM_Route_TenantActor);
BENCHMARK(BM_Route_SystemActor);
BENCHMARK(BM_Route_NoAccess);

}  // namespace
