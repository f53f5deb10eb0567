#include "ccengine/audit/audit_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ccengine/compliance/pii.h"
#include "chain.h"
#include "fmt/format.h"
#include "record.h"

namespace ccengine::audit {
namespace {

absl::Status ErrnoStatus(int err, std::string_view what, const std::string& path) {
  return absl::ErrnoToStatus(err, fmt::format("{} {}", what, path));
}

// Writes all of `data` at `offset`.
absl::Status WriteAll(int fd, std::string_view data, int64_t offset,
                      const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::pwrite(fd, data.data(), data.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot write audit log", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
    offset += n;
  }
  return absl::OkStatus();
}

absl::Status SyncData(int fd, const std::string& path) {
  if (::fdatasync(fd) != 0) return ErrnoStatus(errno, "cannot flush audit log", path);
  return absl::OkStatus();
}

// Replaces `path` with `text`: a fresh temporary file beside it (mkstemp:
// never an existing file or link), flushed, renamed over it, and the
// directory flushed, so the head is always whole.
absl::Status ReplaceFile(const std::string& path, std::string_view text) {
  std::string temp = path + ".XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return ErrnoStatus(errno, "cannot write audit head beside", path);
  absl::Status status;
  if (::fchmod(fd, 0640) != 0)
    status = ErrnoStatus(errno, "cannot set the mode of", temp);
  if (status.ok()) status = WriteAll(fd, text, 0, temp);
  if (status.ok() && ::fsync(fd) != 0) {
    status = ErrnoStatus(errno, "cannot flush audit head", temp);
  }
  ::close(fd);
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    status = ErrnoStatus(errno, "cannot rename audit head to", path);
  }
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return absl::OkStatus();
}

bool IsActionChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '.' || c == ':' || c == '-';
}

absl::Status CheckEvent(const AuditEvent& event) {
  if (event.actor.empty())
    return absl::InvalidArgumentError("an audit event needs an actor");
  if (event.role.empty())
    return absl::InvalidArgumentError("an audit event needs a role");
  if (event.action.empty())
    return absl::InvalidArgumentError("an audit event needs an action");
  for (const char c : event.action) {
    if (!IsActionChar(c)) {
      return absl::InvalidArgumentError(
          fmt::format("an audit action is made of A-Z a-z 0-9 _ . : -, got \"{}\"",
                      event.action.substr(0, 64)));
    }
  }
  return absl::OkStatus();
}

// The clock's time, to the microsecond the log records.
absl::StatusOr<absl::Time> ReadClock(const std::function<absl::Time()>& clock) {
  const absl::Time time = clock();
  if (!internal::InAuditYears(time)) {
    return absl::InvalidArgumentError(
        fmt::format("the audit clock's time {} is outside the years 1000-9999",
                    absl::FormatTime(time)));
  }
  return absl::FromUnixMicros(absl::ToUnixMicros(time));
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// A log that holds no entry and is no longer than a header and its
// creation checkpoint: what a creation that stopped half-way leaves.
bool IsUnfinishedCreation(int fd, int64_t size) {
  constexpr int64_t kCreationBytes = 512;
  if (size > kCreationBytes) return false;
  std::string text(static_cast<size_t>(size), '\0');
  if (::pread(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    return false;
  }
  constexpr std::string_view kHeaderStart = "CCAUDIT\t";
  const bool header = text.starts_with(kHeaderStart) || kHeaderStart.starts_with(text);
  return header && !absl::StrContains(text, "\nE\t");
}

}  // namespace

AuditLog::AuditLog(std::string path, SigningKey key, AuditLogOptions options, int fd)
    : path_(std::move(path)),
      key_(std::move(key)),
      options_(std::move(options)),
      fd_(fd) {}

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path,
                                                         SigningKey key,
                                                         AuditLogOptions options) {
  if (options.checkpoint_every < 1) {
    return absl::InvalidArgumentError(
        fmt::format("checkpoint_every must be >= 1, got {}", options.checkpoint_every));
  }
  if (options.head_path.empty()) options.head_path = internal::DefaultHeadPath(path);
  if (!options.clock) options.clock = [] { return absl::Now(); };
  if (!Exists(path) && Exists(options.head_path)) {
    return absl::FailedPreconditionError(
        fmt::format("audit log {} is missing but its head {} exists: refusing to start a "
                    "new chain over "
                    "the history it names",
                    path, options.head_path));
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return ErrnoStatus(errno, "cannot open audit log", path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return absl::FailedPreconditionError(
          fmt::format("audit log {} is open for appending elsewhere", path));
    }
    return ErrnoStatus(err, "cannot lock audit log", path);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoStatus(err, "cannot stat audit log", path);
  }
  std::unique_ptr<AuditLog> log(
      new AuditLog(path, std::move(key), std::move(options), fd));
  std::lock_guard lock(log->mu_);
  const bool head_exists = Exists(log->options_.head_path);
  if (st.st_size == 0 || (!head_exists && IsUnfinishedCreation(fd, st.st_size))) {
    if (head_exists) {
      return absl::FailedPreconditionError(
          fmt::format("audit log {} is empty but its head {} exists: refusing to start a "
                      "new chain over "
                      "the history it names",
                      path, log->options_.head_path));
    }
    // A new log: its header, then the creation checkpoint, which writes
    // the head. A failure leaves an empty file, which the next Open starts
    // again.
    if (::ftruncate(fd, 0) != 0)
      return ErrnoStatus(errno, "cannot truncate audit log", path);
    // The header is line 0: the line before it, none.
    log->link_.assign(internal::kLinkBytes, '\0');
    log->seq_ = -1;
    absl::StatusOr<absl::Time> now = ReadClock(log->options_.clock);
    absl::Status status = now.status();
    const auto& raw = log->key_.verify_key().raw();
    if (status.ok()) {
      status = log->WriteLineLocked(internal::HeaderBody(
          *now, {reinterpret_cast<const char*>(raw.data()), raw.size()}));
    }
    if (status.ok()) {
      status =
          log->CheckpointLocked(static_cast<int>(internal::CheckpointState::kCreated));
    }
    if (!status.ok()) {
      if (::ftruncate(fd, 0) != 0) log->broken_ = true;
      return status;
    }
    log->opened_ = true;
    return log;
  }
  AuditVerifyOptions verify;
  verify.head_path = log->options_.head_path;
  absl::StatusOr<AuditVerification> report =
      VerifyAuditLog(path, log->key_.verify_key(), verify);
  if (!report.ok()) return report.status();
  if (!report->intact) {
    return absl::FailedPreconditionError(fmt::format(
        "audit log {} does not verify at line {} (byte {}): {}; refusing to append "
        "to a broken chain",
        path, report->problem_line, report->problem_offset, report->problem));
  }
  AuditCursor& end = report->cursor;
  if (end.offset + report->incomplete_tail_bytes != st.st_size) {
    return absl::FailedPreconditionError(
        fmt::format("audit log {} changed while it was verified", path));
  }
  // A last line a crash tore is cut off; it was never acknowledged.
  if (report->incomplete_tail_bytes > 0 && ::ftruncate(fd, end.offset) != 0) {
    return ErrnoStatus(errno, "cannot cut the torn last line of audit log", path);
  }
  log->seq_ = end.seq;
  log->link_ = std::move(end.link);
  log->size_ = end.offset;
  log->since_checkpoint_ = end.unsigned_entries;
  // This writer's start, signed: a reopening after a close, else a recovery
  // that signs what the writer before it left unsigned.
  const internal::CheckpointState state = end.closed
                                              ? internal::CheckpointState::kReopened
                                              : internal::CheckpointState::kRecovered;
  if (absl::Status s = log->CheckpointLocked(static_cast<int>(state)); !s.ok()) return s;
  log->opened_ = true;
  return log;
}

AuditLog::~AuditLog() {
  bool close = false;
  {
    std::lock_guard lock(mu_);
    if (fd_ >= 0 && !opened_) {
      // Open failed: release the file as it is, without a closing line.
      ::close(fd_);
      fd_ = -1;
    }
    close = fd_ >= 0;
  }
  if (close) Close().IgnoreError();
}

absl::Status AuditLog::UsableLocked() const {
  if (fd_ < 0) return absl::FailedPreconditionError("the audit log is closed");
  if (broken_) {
    return absl::FailedPreconditionError(fmt::format(
        "audit log {} stopped after a failed flush or a change behind its back", path_));
  }
  return absl::OkStatus();
}

absl::Status AuditLog::WriteLineLocked(std::string_view body) {
  absl::StatusOr<std::string> link = internal::Link(link_, body);
  if (!link.ok()) return link.status();
  const std::string line = internal::FormatLine(body, *link);
  if (line.size() > kMaxAuditLineBytes) {
    return absl::InvalidArgumentError(
        fmt::format("an audit line of {} bytes is over the limit of {}", line.size(),
                    kMaxAuditLineBytes));
  }
  if (absl::Status status = WriteAll(fd_, line, size_, path_); !status.ok()) {
    // Undo a partial line, so that the file ends where the chain does.
    if (::ftruncate(fd_, size_) != 0) broken_ = true;
    return status;
  }
  if (options_.sync == AuditSync::kEveryEntry) {
    // After a failed flush the kernel may have dropped the pages and
    // forgotten the error: nothing written since can be trusted to be on
    // disk, so the writer stops.
    if (absl::Status status = SyncData(fd_, path_); !status.ok()) {
      broken_ = true;
      return status;
    }
  }
  size_ += static_cast<int64_t>(line.size());
  ++seq_;
  link_ = *std::move(link);
  return absl::OkStatus();
}

absl::Status AuditLog::CheckpointLocked(int state_value) {
  const auto state = static_cast<internal::CheckpointState>(state_value);
  // Nothing written behind the writer's back is ever signed: the file must
  // end where the chain does (checked here rather than at every entry, which
  // would cost a system call each).
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || st.st_size != size_) {
    broken_ = true;
    return absl::FailedPreconditionError(
        fmt::format("audit log {} changed size behind the writer's back", path_));
  }
  const int64_t seq = seq_ + 1;
  absl::StatusOr<absl::Time> clock_time = ReadClock(options_.clock);
  if (!clock_time.ok()) return clock_time.status();
  const absl::Time time = *clock_time;
  absl::StatusOr<std::string> signature =
      key_.Sign(internal::CheckpointMessage(link_, seq, time, state));
  if (!signature.ok()) return signature.status();
  if (absl::Status s =
          WriteLineLocked(internal::CheckpointBody(seq, time, state, *signature));
      !s.ok()) {
    return s;
  }
  since_checkpoint_ = 0;
  // The checkpoint is on disk before the head names it.
  if (options_.sync != AuditSync::kEveryEntry) {
    if (absl::Status s = SyncData(fd_, path_); !s.ok()) {
      broken_ = true;
      return s;
    }
  }
  absl::StatusOr<std::string> head_signature =
      key_.Sign(internal::HeadMessage(seq, time, link_));
  if (!head_signature.ok()) return head_signature.status();
  pending_head_ = internal::FormatHead(internal::Head{seq, time, link_, *head_signature});
  return WriteHeadLocked();
}

absl::Status AuditLog::WriteHeadLocked() {
  if (pending_head_.empty()) return absl::OkStatus();
  if (absl::Status s = ReplaceFile(options_.head_path, pending_head_); !s.ok()) return s;
  pending_head_.clear();
  return absl::OkStatus();
}

absl::StatusOr<int64_t> AuditLog::Append(const AuditEvent& event) {
  if (absl::Status s = CheckEvent(event); !s.ok()) return s;
  AuditEvent masked;
  const AuditEvent* written = &event;
  if (options_.mask_personal_data) {
    masked = event;
    for (std::string* field :
         {&masked.subject, &masked.before, &masked.after, &masked.reason}) {
      *field = compliance::MaskPii(*field);
    }
    written = &masked;
  }
  std::lock_guard lock(mu_);
  if (absl::Status s = UsableLocked(); !s.ok()) return s;
  // A head or checkpoint that failed after the last entry is tried again
  // first.
  if (absl::Status s = WriteHeadLocked(); !s.ok()) return s;
  if (since_checkpoint_ >= options_.checkpoint_every) {
    if (absl::Status s =
            CheckpointLocked(static_cast<int>(internal::CheckpointState::kPeriodic));
        !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<absl::Time> time = ReadClock(options_.clock);
  if (!time.ok()) return time.status();
  if (absl::Status s = WriteLineLocked(internal::EntryBody(seq_ + 1, *time, *written));
      !s.ok()) {
    return s;
  }
  const int64_t seq = seq_;
  ++since_checkpoint_;
  if (since_checkpoint_ >= options_.checkpoint_every) {
    // The entry is written; a failed checkpoint is retried by the next call.
    CheckpointLocked(static_cast<int>(internal::CheckpointState::kPeriodic))
        .IgnoreError();
  }
  return seq;
}

absl::Status AuditLog::Checkpoint() {
  std::lock_guard lock(mu_);
  if (absl::Status s = UsableLocked(); !s.ok()) return s;
  return CheckpointLocked(static_cast<int>(internal::CheckpointState::kPeriodic));
}

absl::Status AuditLog::Close() {
  std::lock_guard lock(mu_);
  absl::Status status = UsableLocked();
  // A head that failed before is written first; the closing checkpoint
  // writes its own.
  if (status.ok()) status = WriteHeadLocked();
  if (status.ok()) {
    status = CheckpointLocked(static_cast<int>(internal::CheckpointState::kClosed));
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  return status;
}

int64_t AuditLog::last_seq() const {
  std::lock_guard lock(mu_);
  return seq_;
}

}  // namespace ccengine::audit
