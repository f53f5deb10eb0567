// Recovery after a crash: an engine writes every command to its journal
// before applying it and takes a checkpoint (a snapshot of its state; the
// journal records before it may go); the process "crashes" (the engine is
// dropped with two calls in service and one waiting); a new engine, configured
// the same way, loads the snapshot, replays the journal records after it,
// lands in the same state — the same state digest — and goes on routing.
//
//   build/release/examples/journal_recovery [FOLDER]   (default: a temp folder)
#include <ccengine/ccengine.h>
#include <ccengine/journal/engine_journal.h>
#include <ccengine/journal/file_journal.h>
#include <ccengine/journal/snapshot.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

using namespace ccengine;

namespace {

// The application's start-up configuration: the same before and after.
std::unique_ptr<Engine> StartCenter() {
  EngineOptions options;
  options.start = absl::FromUnixSeconds(1'700'000'000);
  auto engine = Engine::Create(options).value();
  const SkillId tax = engine->AddSkill("tax").value();
  QueueConfig q;
  q.name = "tax_hotline";
  q.skills = {{tax, 5}};
  (void)engine->AddQueue(q).value();
  return engine;
}

void Show(const char* when, const Engine& engine) {
  std::printf("%s at %s:\n", when, absl::FormatTime(engine.Now()).c_str());
  for (uint64_t id = 1; id <= 2; ++id) {
    AgentSnapshot a = engine.GetAgent(AgentId{id}).value();
    std::printf("  agent %llu %s, %zu contact(s), %llu handled\n",
                static_cast<unsigned long long>(id),
                std::string(AgentStateName(a.state)).c_str(), a.contacts.size(),
                static_cast<unsigned long long>(a.handled));
  }
  for (uint64_t id = 101; id <= 103; ++id) {
    auto c = engine.GetContact(ContactId{id});  // gone once it has ended
    std::printf("  contact %llu %s\n", static_cast<unsigned long long>(id),
                c.ok() ? std::string(ContactStateName(c->state)).c_str() : "ended");
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : "";
  std::string temp;  // removed at the end when this program made it
  if (dir.empty()) {
    char pattern[] = "/tmp/ccengine_journal_XXXXXX";
    if (mkdtemp(pattern) == nullptr) return 1;
    temp = pattern;
    dir = temp + "/journal";
  }
  const std::string snapshots = dir + "/snapshots";
  std::filesystem::create_directories(snapshots);
  const journal::FileJournalOptions options{.dir = dir,
                                            .fsync = journal::FsyncPolicy::kBatch};
  absl::Time crash_time;
  std::string digest_at_crash;  // the engine's whole state, as bytes
  {
    auto log = journal::FileJournal::Open(options).value();
    auto engine = StartCenter();
    journal::EngineJournal journaling(*engine, *log);
    const SkillId tax = engine->FindSkill("tax").value();
    for (uint64_t id = 1; id <= 2; ++id) {
      AgentConfig a;
      a.id = AgentId{id};
      a.skills = {{tax, 8}};
      (void)engine->Apply(cmd::AddAgent{a});
      (void)engine->Apply(cmd::Login{AgentId{id}});
    }
    for (uint64_t id = 101; id <= 103; ++id) {
      ContactSpec call;
      call.id = ContactId{id};
      call.queue = engine->FindQueue("tax_hotline").value();
      (void)engine->Apply(cmd::AddContact{call});  // 101 and 102 ring, 103 waits
    }
    (void)engine->AdvanceTo(engine->Now() + absl::Seconds(4));
    (void)engine->Apply(cmd::AcceptOffer{AgentId{1}, ContactId{101}});
    // A checkpoint: the state as of the last record, written atomically;
    // snapshots and journal records older than 30 days (the retention
    // period of personal data) are removed at each one.
    auto snapshot =
        journal::Checkpoint(*engine, *log, snapshots,
                            journal::CheckpointOptions{.max_age = absl::Hours(24 * 30)})
            .value();
    std::printf("checkpoint at record %llu: %s\n",
                static_cast<unsigned long long>(snapshot.sequence),
                snapshot.path.c_str());
    (void)engine->Apply(cmd::AcceptOffer{AgentId{2}, ContactId{102}});
    // A command is acknowledged to its producer once it is on disk.
    (void)log->AwaitDurable(log->last_sequence(), absl::Seconds(5));
    engine->SaveState(digest_at_crash);
    (void)engine->AdvanceTo(engine->Now() + absl::Seconds(2));
    Show("before the crash", *engine);
    crash_time = engine->Now();
  }  // the crash: nothing is shut down in order

  {
    journal::OpenReport found;  // what opening found: records, a torn tail cut
    auto log = journal::FileJournal::Open(options, &found).value();
    auto engine = StartCenter();
    auto recovered = journal::Recover(*log, snapshots, *engine).value();
    std::printf(
        "snapshot of record %llu loaded, replayed %llu records (%llu refused, as "
        "they were live) from %s, %llu torn bytes cut\n",
        static_cast<unsigned long long>(recovered.snapshot->sequence),
        static_cast<unsigned long long>(recovered.replay.records),
        static_cast<unsigned long long>(recovered.replay.refused), dir.c_str(),
        static_cast<unsigned long long>(found.truncated_bytes));
    std::string digest;
    engine->SaveState(digest);
    std::printf("state digest after the last record: %s\n",
                digest == digest_at_crash ? "the same as before the crash" : "DIFFERENT");
    (void)engine->AdvanceTo(crash_time);
    Show("after recovery", *engine);

    journal::EngineJournal journaling(*engine, *log);  // journal again, then go on
    (void)engine->Apply(cmd::CompleteContact{AgentId{1}, ContactId{101}});
    Show("and on", *engine);
  }
  if (!temp.empty()) std::filesystem::remove_all(temp);
  return 0;
}
