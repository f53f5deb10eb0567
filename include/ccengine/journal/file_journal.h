// -----------------------------------------------------------------------------
// File: ccengine/journal/file_journal.h
// -----------------------------------------------------------------------------
//
// `FileJournal`: the `CommandLog` on a local disk. Records go to segment files
// in one folder (journal-<first sequence>.ccj), each a checksummed header and
// length-prefixed records with CRC-32C checksums (ISA-L); a segment is closed
// and the next one started when a record would take it past
// `segment_bytes`. The folder is locked (flock) while a journal is open, so
// two processes never append to one journal.
//
// Opening reads every segment back. What a crash during an append leaves at
// the end of the newest segment — a record cut short, or zero bytes where the
// file grew but was not written — is cut off (reported in `OpenReport`);
// damage anywhere else stops the open with DataLoss naming the segment and the
// byte offset, and a segment of an unknown format version with
// FailedPrecondition. Nothing valid before the newest segment's tail is ever
// cut. A folder without segments is an empty journal.
//
// Durability follows `FsyncPolicy` (command_log.h). A new segment's file and
// the folder are synced before its first record (except under kNever), so a
// synced record is found again after a crash of the machine.
//
// Write and sync failures are `Unavailable`, with the system's reason. A
// record whose write failed is cut off the file again and the journal goes
// on (under kAlways nothing was acknowledged). After a failed fdatasync — or
// a write that cannot be cut off, or a background write of records already
// acknowledged (kBatch, kNever) — what is on disk is unknown: the journal
// stops, and every later Append and Sync, and AwaitDurable of a record it had
// not confirmed, is `Unavailable` until the folder is opened again (which
// reads back what is there). A failed sync
// is never retried: the kernel may have dropped the pages it could not write.
//
// Thread safety: every method may be called from any thread; appends are
// serialized by a mutex (the router appends from its one thread). Under
// kBatch and kNever a background thread of the journal writes what gathered
// (kBatch: and syncs it); it stops in the destructor, which writes and,
// unless kNever, syncs what is left.
//
// Example:
//   absl::StatusOr<std::unique_ptr<ccengine::journal::FileJournal>> journal =
//       ccengine::journal::FileJournal::Open({.dir = "/var/lib/ccengine/journal",
//                                             .fsync = FsyncPolicy::kBatch});
//   if (!journal.ok()) return journal.status();
//   absl::StatusOr<uint64_t> seq = (*journal)->Append(engine_time, encoded_command);

#ifndef CCENGINE_JOURNAL_FILE_JOURNAL_H_
#define CCENGINE_JOURNAL_FILE_JOURNAL_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/journal/command_log.h"

namespace ccengine::journal {

// The system calls through which a journal writes and syncs its segments.
// The default passes them on; tests give a layer that fails them as a disk
// does (a full disk, a short write, an fdatasync that reports EIO). Both
// return as the system call would (-1 with errno set on failure).
class FileLayer {
 public:
  virtual ~FileLayer() = default;
  virtual ssize_t Write(int fd, const void* data, size_t bytes);  // write(2)
  virtual int DataSync(int fd);                                   // fdatasync(2)
};

struct FileJournalOptions {
  std::string dir;  // created if missing (not its parents)
  FsyncPolicy fsync = FsyncPolicy::kAlways;
  // kBatch, kNever: how often the background thread writes (and, kBatch,
  // syncs) what gathered (1 ms .. 10 s).
  absl::Duration batch_interval = absl::Milliseconds(10);
  // A segment is closed when the next record would take it past this size
  // (a record larger than a segment gets a segment of its own). 4 KiB .. 1 GiB.
  size_t segment_bytes = size_t{64} << 20;
  // The sequence of the first record when the folder holds no segment (≥ 1).
  uint64_t first_sequence = 1;
  // Null: the system's calls. Otherwise it must outlive the journal and be
  // safe to call from the journal's background thread.
  FileLayer* files = nullptr;
};

// What opening found.
struct OpenReport {
  size_t segments = 0;
  uint64_t records = 0;
  // The newest segment's torn tail, cut off: its bytes (0 when none), and
  // whether a newest segment shorter than its header was removed.
  uint64_t truncated_bytes = 0;
  bool removed_empty_segment = false;
};

class FileJournal final : public CommandLog {
 public:
  // InvalidArgument for options out of range; FailedPrecondition when another
  // journal holds the folder or a segment has another format version;
  // DataLoss as above; other I/O errors with the path.
  static absl::StatusOr<std::unique_ptr<FileJournal>> Open(
      const FileJournalOptions& options, OpenReport* report = nullptr);

  ~FileJournal() override;
  FileJournal(const FileJournal&) = delete;
  FileJournal& operator=(const FileJournal&) = delete;

  absl::StatusOr<uint64_t> Append(absl::Time engine_time,
                                  std::string_view payload) override;
  absl::StatusOr<uint64_t> AppendEncoded(
      absl::Time engine_time,
      absl::FunctionRef<absl::Status(std::string*)> encode) override;
  absl::Status Sync() override;
  absl::Status AwaitDurable(uint64_t sequence, absl::Duration timeout) override;
  uint64_t first_sequence() const override;
  uint64_t last_sequence() const override;
  uint64_t durable_sequence() const override;
  absl::Status Read(uint64_t from,
                    absl::FunctionRef<absl::Status(const LogRecord&)> fn) const override;
  absl::Status DropBefore(uint64_t sequence) override;
  absl::Status Rotate() override;

  // Segment files now in the folder, and fdatasync calls made since Open.
  size_t segment_count() const;
  uint64_t sync_count() const;

 private:
  struct State;
  explicit FileJournal(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace ccengine::journal

#endif  // CCENGINE_JOURNAL_FILE_JOURNAL_H_
