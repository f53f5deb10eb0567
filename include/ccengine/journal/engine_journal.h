// -----------------------------------------------------------------------------
// File: ccengine/journal/engine_journal.h
// -----------------------------------------------------------------------------
//
// The engine and its command log. `EngineJournal` writes ahead: every command
// the router carries out through `Engine::Apply` or `Engine::Poll` is encoded
// (command_codec.h) and appended to the log, with the engine time it is
// applied at, before the engine applies it; a command that cannot be appended
// is not applied (its error is the command's result). Commands the engine
// then refuses are in the log too, and are refused again on replay.
//
// `ReplayJournal` rebuilds the state: into an engine created with the same
// options and given the same configuration in the same order (skills,
// strategies, queues — the application's start-up, not journaled) and no
// command yet, it replays every record: the clock advanced to the record's
// time (timers fire as they did), then the command applied. The engine is
// then in the state the crashed one was in right after its last journaled
// command; advancing it to the present fires the timers that fell due since.
//
// What is not journaled, and so must not change a journaled engine: direct
// router-thread calls (`Engine::Login`, `AddContact`, ..., which bypass
// `Apply`), `UpdateQueue`, `SetAgentSkills` and other configuration changes
// after start-up. A replay from the start needs the log's first record
// (`first_sequence()` must be 1); after a snapshot, `Recover` (snapshot.h)
// loads it and replays from the record after it.
//
// Thread safety: `EngineJournal` lives on the router thread (the hook runs
// there); the log itself may be read by other threads. `ReplayJournal` runs
// on the thread that owns the engine, before the engine routes.
//
// Example:
//   auto log = ccengine::journal::FileJournal::Open({.dir = dir});
//   auto engine = ccengine::Engine::Create(options);
//   ConfigureCenter(**engine);                                // skills, queues
//   auto replayed = ccengine::journal::ReplayJournal(**log, **engine);
//   ccengine::journal::EngineJournal journal(**engine, **log);  // from now on
//   (*engine)->AdvanceTo(absl::Now());

#ifndef CCENGINE_JOURNAL_ENGINE_JOURNAL_H_
#define CCENGINE_JOURNAL_ENGINE_JOURNAL_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "ccengine/journal/command_log.h"

namespace ccengine::journal {

class EngineJournal {
 public:
  // Sets `engine`'s command hook; `engine` and `log` must outlive this object,
  // whose destructor removes the hook.
  EngineJournal(Engine& engine, CommandLog& log);
  ~EngineJournal();
  EngineJournal(const EngineJournal&) = delete;
  EngineJournal& operator=(const EngineJournal&) = delete;

  // Commands appended, and commands not applied because they could not be
  // (an encoding refused, an I/O error).
  uint64_t appended() const { return appended_; }
  uint64_t refused() const { return refused_; }

 private:
  Engine& engine_;
  CommandLog& log_;
  uint64_t appended_ = 0;
  uint64_t refused_ = 0;
};

struct ReplayReport {
  uint64_t records = 0;
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;  // first_sequence - 1 for an empty log
  // Commands the engine refused on replay (it refused them when they were
  // journaled, too).
  uint64_t refused = 0;
  absl::Time engine_time;  // the engine's clock after the replay
};

// Errors: FailedPrecondition for an engine that already has a command hook
// or an authorizer (the journal does not keep a command's actor: replay,
// then attach access control), or a log whose first record is later than `first_sequence` (the records
// before it were dropped); a record that does not decode (InvalidArgument or
// FailedPrecondition naming its sequence); a record time before the engine's
// clock (InvalidArgument: not the engine this log belongs to); a read error of
// the log as it is (DataLoss). The engine is left as far as the replay got.
absl::StatusOr<ReplayReport> ReplayJournal(const CommandLog& log, Engine& engine,
                                           uint64_t first_sequence = 1);

}  // namespace ccengine::journal

#endif  // CCENGINE_JOURNAL_ENGINE_JOURNAL_H_
