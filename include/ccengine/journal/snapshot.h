// -----------------------------------------------------------------------------
// File: ccengine/journal/snapshot.h
// -----------------------------------------------------------------------------
//
// Snapshots: the engine's whole state (`Engine::SaveState`) in a file, so that
// recovery replays only the journal records after it and old records can go.
//
// `Checkpoint` syncs the log, writes the state as of the log's last record
// atomically (a temporary file written and synced, renamed into place, the
// folder synced), keeps the newest `keep` snapshots, and drops the journal
// segments no kept snapshot needs. `Recover` loads the newest snapshot that
// reads back whole into a freshly configured engine, then replays the journal
// records after it (`ReplayJournal`); with no snapshot it replays the whole
// journal. The result is the state of the crashed engine right after its last
// journaled command: `Engine::SaveState` gives the same bytes (a state
// digest) as the crashed engine gave then.
//
// A snapshot file, `snapshot-<sequence, 20 digits>.ccs`:
//   8 bytes magic "CCSNAP\r\n" | u32 format version | u64 sequence (the last
//   journal record the state includes) | i64 engine time (Unix ns) | u64 state
//   length | u32 CRC-32C of the state | u32 CRC-32C of the 40 bytes before it
//   | the state
// (integers little-endian).
//
// Errors. A snapshot whose checksums fail, or that is cut short, is passed
// over in favour of the next older one (`RecoveryReport::passed_over` names
// it and why) — a crash during a checkpoint leaves only a temporary file, so
// a damaged snapshot means a damaged disk, and the older snapshot plus a
// longer tail gives the same state. A snapshot of another file format version
// or engine state version is refused (FailedPrecondition), as is one that
// the engine refuses (another configuration: its message); a log that no
// longer holds the records after the snapshot used is DataLoss. Errors of
// the file system carry the path and the system's reason.
//
// Thread safety: `Checkpoint` runs on the router thread (it reads the engine)
// between commands; `Recover` on the thread that owns the engine, before it
// routes. Two processes must not checkpoint into one folder (the journal's
// folder lock keeps them apart when snapshots live beside the journal).
//
// Example (the router loop):
//   if (records_since_checkpoint > 100000) {
//     auto written = ccengine::journal::Checkpoint(*engine, *log, dir);
//   }
//   // After a crash:
//   auto engine = ccengine::Engine::Create(options);
//   ConfigureCenter(**engine);
//   auto recovered = ccengine::journal::Recover(**log, dir, **engine);

#ifndef CCENGINE_JOURNAL_SNAPSHOT_H_
#define CCENGINE_JOURNAL_SNAPSHOT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "ccengine/journal/command_log.h"
#include "ccengine/journal/engine_journal.h"

namespace ccengine::journal {

inline constexpr uint32_t kSnapshotFormatVersion = 1;

struct SnapshotInfo {
  uint64_t sequence = 0;  // the last journal record the state includes
  absl::Time engine_time;
  std::string path;
  size_t bytes = 0;  // of the file
};

// Writes `engine`'s state as of journal record `sequence` into `dir` (which
// must exist) as a new snapshot file, atomically.
absl::StatusOr<SnapshotInfo> WriteSnapshot(const std::string& dir, uint64_t sequence,
                                           const Engine& engine);

// Reads the snapshot file at `path` into `engine` (Engine::LoadState).
// DataLoss for a file that does not read back whole (naming what failed), or
// whose header names another record than `expected_sequence` (its file
// name's, when recovery reads it).
absl::StatusOr<SnapshotInfo> LoadSnapshot(const std::string& path, Engine& engine,
                                          std::optional<uint64_t> expected_sequence = {});

// The snapshot files in `dir`, newest first, by name (nothing is read).
absl::StatusOr<std::vector<SnapshotInfo>> ListSnapshots(const std::string& dir);

struct CheckpointOptions {
  // The newest snapshots kept (>= 1).
  int keep = 2;
  // Retention by age (personal data kept no longer than a period): a kept
  // snapshot whose engine time is more than `max_age` before the engine's
  // now is removed too — never the one just written — and the log starts a
  // new segment at the checkpoint (CommandLog::Rotate), so that dropping the
  // records before the oldest kept snapshot leaves none older than it. With
  // checkpoints at least every `interval`, no snapshot or record older than
  // `max_age + interval` stays. A snapshot whose header does not read back
  // is left to the `keep` rule. Infinite: no age rule, no rotation.
  absl::Duration max_age = absl::InfiniteDuration();
};

// Syncs `log`, snapshots `engine` as of `log.last_sequence()` into `dir`,
// removes the snapshots `options` does not keep and leftover temporary
// files, and drops the log's records before the oldest kept snapshot's.
// The engine must have applied every record appended (the router thread,
// between commands). InvalidArgument for `keep` < 1 or a `max_age` not above
// zero.
absl::StatusOr<SnapshotInfo> Checkpoint(const Engine& engine, CommandLog& log,
                                        const std::string& dir,
                                        const CheckpointOptions& options);
absl::StatusOr<SnapshotInfo> Checkpoint(const Engine& engine, CommandLog& log,
                                        const std::string& dir, int keep = 2);

struct RecoveryReport {
  std::optional<SnapshotInfo> snapshot;  // the one loaded, if any
  std::vector<std::string> passed_over;  // damaged snapshots: path and reason
  ReplayReport replay;                   // the journal tail after it
};

// Loads the newest whole snapshot in `dir` (if any) into `engine` — created
// with the same options and configured as before, nothing else done — and
// replays the records of `log` after it.
absl::StatusOr<RecoveryReport> Recover(const CommandLog& log, const std::string& dir,
                                       Engine& engine);

}  // namespace ccengine::journal

#endif  // CCENGINE_JOURNAL_SNAPSHOT_H_
