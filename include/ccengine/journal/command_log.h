// -----------------------------------------------------------------------------
// File: ccengine/journal/command_log.h
// -----------------------------------------------------------------------------
//
// The command journal's port. The router applies commands one at a time on
// one thread, so the engine's state is a function of the command sequence:
// a log of every applied command, each with its sequence number and the engine
// time it was applied at, is enough to rebuild the state after a crash
// (replayed on top of the newest snapshot that covers a prefix of it).
//
// `CommandLog` is what the engine needs of such a log; the payload of a record
// is opaque here (the engine's command encoding). `FileJournal`
// (file_journal.h) keeps it in checksummed segment files on a local disk. A
// replicated log can take the file's place behind the same interface: Append
// is a publish whose sequence is the stream's, AwaitDurable waits for the
// replicas' acknowledgement, Read is a replay from a sequence and DropBefore a
// purge below the snapshot's sequence (docs/journal.md).
//
// Sequences are consecutive: the first record of an empty log has
// `first_sequence()` (1 unless the log was created to continue another) and
// every Append gives the next.
//
// Thread safety: implementations state their own; `FileJournal`'s methods may
// be called from any thread.

#ifndef CCENGINE_JOURNAL_COMMAND_LOG_H_
#define CCENGINE_JOURNAL_COMMAND_LOG_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ccengine::journal {

// Largest payload of one record (bytes); larger is InvalidArgument.
inline constexpr size_t kMaxRecordPayloadBytes = size_t{16} << 20;

// When an appended record reaches the disk (as Redis' appendfsync).
enum class FsyncPolicy {
  // Every Append returns only after the record is on disk (fdatasync): a
  // command acknowledged after Append is never lost.
  kAlways,
  // Group commit: records gather in memory and a background thread writes
  // and syncs them every `batch_interval`. Append returns at once; a crash
  // (of the process or the machine) loses at most the records of the last
  // interval (plus one fdatasync). AwaitDurable(sequence) acknowledges a
  // command only once it is on disk.
  kBatch,
  // Never synced by the journal: records gather in memory and are written
  // every `batch_interval`; the operating system puts them on disk when it
  // will. A process crash loses at most the last interval's records, a machine
  // crash what the OS had not written (on Linux typically up to 30 s).
  kNever,
};

std::string_view FsyncPolicyName(FsyncPolicy policy);

struct LogRecord {
  uint64_t sequence = 0;
  absl::Time engine_time;  // when the router applied the command
  std::string payload;
};

class CommandLog {
 public:
  virtual ~CommandLog() = default;

  // Appends one record and returns its sequence (`last_sequence() + 1`).
  // InvalidArgument for a payload over kMaxRecordPayloadBytes or an infinite
  // time; Unavailable for an I/O error: after a failed write the log is left
  // as it was (the partial record cut off again); after a failed sync, or a
  // write that cannot be undone, the record may be in the file or not, and
  // the log refuses every later Append and Sync, and AwaitDurable of what it
  // had not confirmed, with Unavailable until it is opened again.
  virtual absl::StatusOr<uint64_t> Append(absl::Time engine_time,
                                          std::string_view payload) = 0;

  // Appends one record whose payload `encode` writes: it appends the payload
  // to the string it is given (which may hold other bytes before it, not to
  // be touched) and returns OK, or returns an error having appended nothing.
  // The result and errors are Append's, and `encode`'s error as it is (no
  // record appended). The default encodes into a string of its own and calls
  // Append; a log with a write buffer encodes straight into it (FileJournal),
  // so that a command is copied once. `encode` must not call the log.
  virtual absl::StatusOr<uint64_t> AppendEncoded(
      absl::Time engine_time, absl::FunctionRef<absl::Status(std::string*)> encode) {
    std::string payload;
    if (absl::Status s = encode(&payload); !s.ok()) return s;
    return Append(engine_time, payload);
  }

  // Every record up to `last_sequence()` on disk now, whatever the policy.
  virtual absl::Status Sync() = 0;

  // Blocks until every record up to `sequence` is on disk; DeadlineExceeded
  // after `timeout`; InvalidArgument for a sequence not yet appended. Under
  // kNever it syncs itself rather than wait forever.
  virtual absl::Status AwaitDurable(uint64_t sequence, absl::Duration timeout) = 0;

  // The oldest record kept (after DropBefore), and the newest appended;
  // `last_sequence() == first_sequence() - 1` for an empty log.
  virtual uint64_t first_sequence() const = 0;
  virtual uint64_t last_sequence() const = 0;
  // The newest record known to be on disk.
  virtual uint64_t durable_sequence() const = 0;

  // Calls `fn` with every record from `from` (at least first_sequence()) to
  // last_sequence() in order; stops at fn's first error and returns it.
  // OutOfRange for `from` below first_sequence(); DataLoss for a record that
  // no longer reads back (naming the segment and offset).
  virtual absl::Status Read(
      uint64_t from, absl::FunctionRef<absl::Status(const LogRecord&)> fn) const = 0;

  // Forgets records below `sequence` (a snapshot covers them). A log may keep
  // more than asked (whole segments are dropped); it never drops the segment
  // it appends to, so it keeps the newest record unless Rotate came after it.
  // first_sequence() tells what is left.
  virtual absl::Status DropBefore(uint64_t sequence) = 0;

  // Ends the segment records are appended to (first making what it holds
  // durable, unless the policy is kNever): the next record starts a new one,
  // so that DropBefore(last_sequence() + 1) can forget every record appended
  // so far while the numbering goes on. Nothing to do when the segment holds
  // no record. Unavailable for an I/O error: a failed write or sync stops
  // the log as it does in Append; a segment that could not be created leaves
  // the current one in use.
  virtual absl::Status Rotate() = 0;
};

}  // namespace ccengine::journal

#endif  // CCENGINE_JOURNAL_COMMAND_LOG_H_
