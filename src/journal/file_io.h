// -----------------------------------------------------------------------------
// File: src/journal/file_io.h
// -----------------------------------------------------------------------------
//
// POSIX file helpers of the journal's files (segments, snapshots): errors as
// absl::Status naming the path and the system's reason, writes and reads that
// retry on EINTR, data and folder syncs.
//
// Thread safety: plain functions; an `Fd` belongs to its owner.

#ifndef CCENGINE_SRC_JOURNAL_FILE_IO_H_
#define CCENGINE_SRC_JOURNAL_FILE_IO_H_

#include <unistd.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ccengine/journal/file_journal.h"

namespace ccengine::journal::internal {

// The status of a failed system call: "<what> <path>: <strerror>", the code
// from errno.
absl::Status Errno(std::string_view what, const std::string& path, int err);

// An open file descriptor, closed with its last owner (the background syncer
// may hold the active segment's while a roll opens the next).
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Through `layer` when not null (FileJournalOptions::files), else the system.
absl::Status WriteAll(int fd, std::string_view data, const std::string& path,
                      FileLayer* layer = nullptr);
// fdatasync of the file; fsync of a folder (its entries: a new or renamed file).
absl::Status SyncFd(int fd, const std::string& path, FileLayer* layer = nullptr);
absl::Status SyncDir(const std::string& dir);
// At most `limit` bytes of the file.
absl::StatusOr<std::string> ReadFile(const std::string& path, size_t limit);

}  // namespace ccengine::journal::internal

#endif  // CCENGINE_SRC_JOURNAL_FILE_IO_H_
