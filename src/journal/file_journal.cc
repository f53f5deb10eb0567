#include "ccengine/journal/file_journal.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "fmt/format.h"
#include "journal/file_io.h"
#include "journal/segment.h"

namespace ccengine::journal {
namespace {

using internal::Errno;
using internal::Fd;
using internal::ReadFile;
using internal::ScanResult;
using internal::ScanSegment;
using internal::SegmentFileName;
using internal::SyncDir;
using internal::SyncFd;
using internal::WriteAll;

struct Segment {
  uint64_t first = 0;
  std::string path;
};

// No segment written with any options is larger: the largest segment size, or
// a header and one record of the largest payload. A segment is read whole
// whatever the options now (they may have changed since it was written).
constexpr size_t kMaxSegmentFileBytes = (size_t{1} << 30) +
                                        internal::kSegmentHeaderBytes +
                                        internal::RecordBytes(kMaxRecordPayloadBytes);

// The whole segment file; DataLoss for a file larger than any segment.
absl::StatusOr<std::string> ReadSegment(const std::string& path, std::string_view name) {
  absl::StatusOr<std::string> data = ReadFile(path, kMaxSegmentFileBytes + 1);
  if (data.ok() && data->size() > kMaxSegmentFileBytes) {
    return absl::DataLossError(
        fmt::format("journal segment {} is larger than any segment can be ({} bytes)",
                    name, kMaxSegmentFileBytes));
  }
  return data;
}

absl::Status TooLarge(size_t payload_bytes) {
  return absl::InvalidArgumentError(
      fmt::format("journal record of {} bytes, more than the limit {}", payload_bytes,
                  kMaxRecordPayloadBytes));
}

}  // namespace

std::string_view FsyncPolicyName(FsyncPolicy policy) {
  switch (policy) {
    case FsyncPolicy::kAlways: return "always";
    case FsyncPolicy::kBatch: return "batch";
    case FsyncPolicy::kNever: return "never";
  }
  return "unknown";
}

// Under kBatch and kNever, records gather in memory and are written when this
// much has gathered, at every batch interval, and before a sync, a read, a
// roll or the close.
constexpr size_t kWriteBufferBytes = size_t{64} << 10;

struct FileJournal::State {
  FileJournalOptions options;
  std::unique_ptr<Fd> lock;  // the folder's flock

  mutable std::mutex mu;
  std::condition_variable durable_cv;  // durable or stop changed
  std::vector<Segment> segments;       // oldest first; the last is active
  std::shared_ptr<Fd> active;
  size_t file_bytes = 0;    // of the active segment, written to the file
  size_t active_bytes = 0;  // the same and `pending`
  std::string pending;      // whole records not yet written
  uint64_t first = 1;
  uint64_t last = 0;
  uint64_t durable = 0;
  uint64_t syncs = 0;
  // Unavailable once what is on disk is unknown (a failed sync, a failed write
  // that could not be undone): every later append and sync is refused.
  absl::Status broken;
  bool stop = false;
  std::thread syncer;

  // With `mu` held: the journal stops after the I/O error `io`.
  absl::Status Stop(const absl::Status& io) {
    broken = absl::UnavailableError(
        fmt::format("journal stopped after an I/O error (open it again to recover): {}",
                    std::string(io.message())));
    durable_cv.notify_all();
    return broken;
  }

  // With `mu` held: writes `pending`. A failed write is cut off the file
  // again; the records in it were acknowledged by Append, so the journal
  // stops unless `undo` says they were not.
  absl::Status Flush(bool undo = false) {
    if (pending.empty()) return absl::OkStatus();
    const std::string& path = segments.back().path;
    if (absl::Status s = WriteAll(active->get(), pending, path, options.files); !s.ok()) {
      const bool cut = ::ftruncate(active->get(), static_cast<off_t>(file_bytes)) == 0;
      active_bytes = file_bytes;
      pending.clear();
      if (!cut || !undo) return Stop(s);
      return absl::UnavailableError(std::string(s.message()));
    }
    file_bytes += pending.size();
    pending.clear();
    return absl::OkStatus();
  }

  // With `mu` held: everything appended, on disk.
  absl::Status SyncActive() {
    if (absl::Status s = Flush(); !s.ok()) return s;
    if (absl::Status s = SyncFd(active->get(), segments.back().path, options.files);
        !s.ok()) {
      return Stop(s);  // written, but whether it is on disk is unknown
    }
    ++syncs;
    durable = last;
    durable_cv.notify_all();
    return absl::OkStatus();
  }

  // Opens the segment whose first record will be `first_sequence`: its
  // header, then (unless kNever) the file and the folder synced.
  absl::Status StartSegment(uint64_t first_sequence) {
    const std::string path = options.dir + "/" + SegmentFileName(first_sequence);
    const int fd =
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return Errno("create", path, errno);
    auto file = std::make_shared<Fd>(fd);
    const std::string header = internal::EncodeSegmentHeader(first_sequence);
    absl::Status s = WriteAll(fd, header, path, options.files);
    if (s.ok() && options.fsync != FsyncPolicy::kNever)
      s = SyncFd(fd, path, options.files);
    if (s.ok() && options.fsync != FsyncPolicy::kNever) s = SyncDir(options.dir);
    if (!s.ok()) {
      ::unlink(path.c_str());
      return s;
    }
    segments.push_back(Segment{first_sequence, path});
    active = std::move(file);
    file_bytes = active_bytes = header.size();
    return absl::OkStatus();
  }

  // Closes the active segment, complete on disk (unless kNever), and starts
  // the next one at the next sequence.
  absl::Status NextSegment() {
    absl::Status done =
        options.fsync == FsyncPolicy::kNever || durable == last ? Flush() : SyncActive();
    if (!done.ok()) return done;
    if (absl::Status s = StartSegment(last + 1); !s.ok()) {
      return absl::UnavailableError(std::string(s.message()));
    }
    return absl::OkStatus();
  }

  void SyncLoop() {
    std::unique_lock<std::mutex> l(mu);
    const auto interval = absl::ToChronoNanoseconds(options.batch_interval);
    while (!stop) {
      durable_cv.wait_for(l, interval, [&] { return stop; });
      if (stop || !broken.ok()) continue;
      if (!Flush().ok()) continue;
      if (options.fsync != FsyncPolicy::kBatch || durable == last) continue;
      // fdatasync without the lock, so that appends go on meanwhile: the file
      // stays open while this holds it, even across a roll.
      const std::shared_ptr<Fd> file = active;
      const std::string path = segments.back().path;
      const uint64_t target = last;
      l.unlock();
      const absl::Status s = SyncFd(file->get(), path, options.files);
      l.lock();
      if (!s.ok()) {
        (void)Stop(s);  // what is not on disk cannot be promised any more
        continue;
      }
      ++syncs;
      durable = std::max(durable, target);
      durable_cv.notify_all();
    }
  }
};

FileJournal::FileJournal(std::unique_ptr<State> state) : state_(std::move(state)) {}

FileJournal::~FileJournal() {
  {
    std::lock_guard<std::mutex> l(state_->mu);
    state_->stop = true;
    state_->durable_cv.notify_all();
  }
  if (state_->syncer.joinable()) state_->syncer.join();
  std::lock_guard<std::mutex> l(state_->mu);
  if (!state_->broken.ok()) return;
  // Nothing to report a failure to.
  if (state_->options.fsync == FsyncPolicy::kNever) {
    (void)state_->Flush();
  } else if (state_->durable < state_->last) {
    (void)state_->SyncActive();
  }
}

absl::StatusOr<std::unique_ptr<FileJournal>> FileJournal::Open(
    const FileJournalOptions& options, OpenReport* report) {
  if (options.dir.empty()) return absl::InvalidArgumentError("journal dir is empty");
  if (options.segment_bytes < 4096 || options.segment_bytes > (size_t{1} << 30)) {
    return absl::InvalidArgumentError(fmt::format(
        "journal segment_bytes {} is outside 4096 .. 1073741824", options.segment_bytes));
  }
  if (options.batch_interval < absl::Milliseconds(1) ||
      options.batch_interval > absl::Seconds(10)) {
    return absl::InvalidArgumentError(
        fmt::format("journal batch_interval {} is outside 1ms .. 10s",
                    absl::FormatDuration(options.batch_interval)));
  }
  if (options.first_sequence == 0) {
    return absl::InvalidArgumentError("journal first_sequence must be at least 1");
  }
  if (::mkdir(options.dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Errno("mkdir", options.dir, errno);
  }
  auto state = std::make_unique<State>();
  state->options = options;
  const std::string lock_path = options.dir + "/LOCK";
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0) return Errno("open", lock_path, errno);
  state->lock = std::make_unique<Fd>(lock_fd);
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return absl::FailedPreconditionError(
          fmt::format("journal folder {} is open in another journal", options.dir));
    }
    return Errno("flock", lock_path, errno);
  }

  std::vector<Segment> found;
  {
    DIR* dir = ::opendir(options.dir.c_str());
    if (dir == nullptr) return Errno("opendir", options.dir, errno);
    while (const dirent* e = ::readdir(dir)) {
      if (const auto first = internal::ParseSegmentFileName(e->d_name)) {
        found.push_back(Segment{*first, options.dir + "/" + e->d_name});
      }
    }
    ::closedir(dir);
  }
  std::sort(found.begin(), found.end(),
            [](const Segment& a, const Segment& b) { return a.first < b.first; });

  OpenReport seen;
  uint64_t next_first = options.first_sequence;
  uint64_t last = options.first_sequence - 1;
  for (size_t i = 0; i < found.size(); ++i) {
    const Segment& seg = found[i];
    const std::string name = seg.path.substr(options.dir.size() + 1);
    if (seg.first == 0) {
      return absl::DataLossError(fmt::format("journal segment {}: sequence 0", name));
    }
    if (i > 0 && seg.first != last + 1) {
      return absl::DataLossError(fmt::format(
          "journal segment {} starts at sequence {}; the segment before ends at {}", name,
          seg.first, last));
    }
    const bool newest = i + 1 == found.size();
    absl::StatusOr<std::string> data = ReadSegment(seg.path, name);
    if (!data.ok()) return data.status();
    absl::StatusOr<ScanResult> scan =
        ScanSegment(name, *data, seg.first, newest,
                    [](const internal::RecordView&) { return absl::OkStatus(); });
    if (!scan.ok()) return scan.status();
    seen.records += scan->records;
    last = scan->last_sequence;
    next_first = last + 1;
    if (!scan->torn) continue;
    if (scan->valid_bytes == 0) {
      if (::unlink(seg.path.c_str()) != 0) return Errno("unlink", seg.path, errno);
      seen.removed_empty_segment = true;
      seen.truncated_bytes += data->size();
      found.pop_back();
      continue;
    }
    if (::truncate(seg.path.c_str(), static_cast<off_t>(scan->valid_bytes)) != 0) {
      return Errno("truncate", seg.path, errno);
    }
    seen.truncated_bytes += data->size() - scan->valid_bytes;
  }

  state->segments = found;
  state->last = last;
  if (found.empty()) {
    if (absl::Status s = state->StartSegment(next_first); !s.ok()) return s;
  } else {
    const std::string& path = found.back().path;
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return Errno("open", path, errno);
    state->active = std::make_shared<Fd>(fd);
    struct stat st;
    if (::fstat(fd, &st) != 0) return Errno("stat", path, errno);
    state->file_bytes = state->active_bytes = static_cast<size_t>(st.st_size);
    // What a crashed process left in the page cache is on disk from here on.
    if (absl::Status s = SyncFd(fd, path, options.files); !s.ok()) return s;
    if (absl::Status s = SyncDir(options.dir); !s.ok()) return s;
  }
  state->first = state->segments.front().first;
  state->durable = state->last;
  seen.segments = state->segments.size();
  if (report != nullptr) *report = seen;
  if (options.fsync != FsyncPolicy::kAlways) {
    State* raw = state.get();
    state->syncer = std::thread([raw] { raw->SyncLoop(); });
  }
  return std::unique_ptr<FileJournal>(new FileJournal(std::move(state)));
}

absl::StatusOr<uint64_t> FileJournal::Append(absl::Time engine_time,
                                             std::string_view payload) {
  // Refused before the copy; AppendEncoded would refuse it after.
  if (payload.size() > kMaxRecordPayloadBytes) return TooLarge(payload.size());
  return AppendEncoded(engine_time, [payload](std::string* out) {
    out->append(payload);
    return absl::OkStatus();
  });
}

absl::StatusOr<uint64_t> FileJournal::AppendEncoded(
    absl::Time engine_time, absl::FunctionRef<absl::Status(std::string*)> encode) {
  if (engine_time == absl::InfiniteFuture() || engine_time == absl::InfinitePast()) {
    return absl::InvalidArgumentError("journal record with an infinite engine time");
  }
  const int64_t time_ns = absl::ToUnixNanos(engine_time);
  State& st = *state_;
  std::lock_guard<std::mutex> l(st.mu);
  if (!st.broken.ok()) return st.broken;
  // The payload is encoded in place, after room for the record's header.
  size_t start = st.pending.size();
  st.pending.resize(start + internal::RecordBytes(0));
  if (absl::Status s = encode(&st.pending); !s.ok()) {
    st.pending.resize(start);
    return s;
  }
  const size_t bytes = st.pending.size() - start;
  const size_t payload_bytes = bytes - internal::RecordBytes(0);
  if (payload_bytes > kMaxRecordPayloadBytes) {
    st.pending.resize(start);
    return TooLarge(payload_bytes);
  }
  if (st.active_bytes > internal::kSegmentHeaderBytes &&
      st.active_bytes + bytes > st.options.segment_bytes) {
    // The segment is full: what came before the record goes to it, the record
    // to the next.
    std::string record = st.pending.substr(start);
    st.pending.resize(start);
    if (absl::Status s = st.NextSegment(); !s.ok()) return s;
    start = st.pending.size();
    st.pending += record;
  }
  const uint64_t sequence = st.last + 1;
  internal::SealRecord(sequence, time_ns, payload_bytes, st.pending.data() + start);
  st.active_bytes += bytes;
  if (st.options.fsync == FsyncPolicy::kAlways) {
    // Only this record is pending: a failed write is undone and refused.
    if (absl::Status s = st.Flush(/*undo=*/true); !s.ok()) return s;
    st.last = sequence;
    if (absl::Status s = st.SyncActive(); !s.ok()) return s;
    return sequence;
  }
  st.last = sequence;
  if (st.pending.size() >= kWriteBufferBytes) {
    if (absl::Status s = st.Flush(); !s.ok()) return s;
  }
  return sequence;
}

absl::Status FileJournal::Sync() {
  std::lock_guard<std::mutex> l(state_->mu);
  if (!state_->broken.ok()) return state_->broken;
  if (state_->durable == state_->last) return absl::OkStatus();
  return state_->SyncActive();
}

absl::Status FileJournal::AwaitDurable(uint64_t sequence, absl::Duration timeout) {
  State& st = *state_;
  std::unique_lock<std::mutex> l(st.mu);
  if (sequence > st.last) {
    return absl::InvalidArgumentError(fmt::format(
        "journal sequence {} is not appended yet (last {})", sequence, st.last));
  }
  if (st.durable >= sequence) return absl::OkStatus();
  if (!st.broken.ok()) return st.broken;
  if (st.options.fsync != FsyncPolicy::kBatch) return st.SyncActive();
  const bool done = st.durable_cv.wait_for(l, absl::ToChronoNanoseconds(timeout), [&] {
    return st.durable >= sequence || !st.broken.ok() || st.stop;
  });
  if (st.durable >= sequence) return absl::OkStatus();
  if (!st.broken.ok()) return st.broken;
  if (!done) {
    return absl::DeadlineExceededError(
        fmt::format("journal sequence {} not on disk after {}", sequence,
                    absl::FormatDuration(timeout)));
  }
  return absl::CancelledError("journal closing");
}

uint64_t FileJournal::first_sequence() const {
  std::lock_guard<std::mutex> l(state_->mu);
  return state_->first;
}

uint64_t FileJournal::last_sequence() const {
  std::lock_guard<std::mutex> l(state_->mu);
  return state_->last;
}

uint64_t FileJournal::durable_sequence() const {
  std::lock_guard<std::mutex> l(state_->mu);
  return state_->durable;
}

size_t FileJournal::segment_count() const {
  std::lock_guard<std::mutex> l(state_->mu);
  return state_->segments.size();
}

uint64_t FileJournal::sync_count() const {
  std::lock_guard<std::mutex> l(state_->mu);
  return state_->syncs;
}

absl::Status FileJournal::Read(
    uint64_t from, absl::FunctionRef<absl::Status(const LogRecord&)> fn) const {
  State& st = *state_;  // a read writes what is pending first
  std::lock_guard<std::mutex> l(st.mu);
  if (from < st.first) {
    return absl::OutOfRangeError(fmt::format(
        "journal sequence {} was dropped; the oldest kept is {}", from, st.first));
  }
  // Appended records are read from the file: write them first.
  if (absl::Status s = st.Flush(); !s.ok()) return s;
  LogRecord record;
  for (size_t i = 0; i < st.segments.size(); ++i) {
    const Segment& seg = st.segments[i];
    const bool newest = i + 1 == st.segments.size();
    if (!newest && st.segments[i + 1].first <= from) continue;
    const std::string name = seg.path.substr(st.options.dir.size() + 1);
    // The newest only as far as this journal wrote it.
    absl::StatusOr<std::string> data =
        newest ? ReadFile(seg.path, st.file_bytes) : ReadSegment(seg.path, name);
    if (!data.ok()) return data.status();
    // Everything here was valid when written: read strictly (never "torn").
    absl::StatusOr<ScanResult> scan =
        ScanSegment(name, *data, seg.first, /*newest=*/false,
                    [&](const internal::RecordView& r) -> absl::Status {
                      if (r.sequence < from) return absl::OkStatus();
                      record.sequence = r.sequence;
                      record.engine_time = absl::FromUnixNanos(r.time_ns);
                      record.payload.assign(r.payload);
                      return fn(record);
                    });
    if (!scan.ok()) return scan.status();
  }
  return absl::OkStatus();
}

absl::Status FileJournal::Rotate() {
  State& st = *state_;
  std::lock_guard<std::mutex> l(st.mu);
  if (!st.broken.ok()) return st.broken;
  if (st.active_bytes <= internal::kSegmentHeaderBytes) return absl::OkStatus();
  return st.NextSegment();
}

absl::Status FileJournal::DropBefore(uint64_t sequence) {
  State& st = *state_;
  std::lock_guard<std::mutex> l(st.mu);
  size_t drop = 0;
  while (drop + 1 < st.segments.size() && st.segments[drop + 1].first <= sequence) {
    ++drop;
  }
  if (drop == 0) return absl::OkStatus();
  for (size_t i = 0; i < drop; ++i) {
    const std::string& path = st.segments[i].path;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      st.segments.erase(st.segments.begin(), st.segments.begin() + i);
      st.first = st.segments.front().first;
      return Errno("unlink", path, errno);
    }
  }
  st.segments.erase(st.segments.begin(), st.segments.begin() + drop);
  st.first = st.segments.front().first;
  if (st.options.fsync != FsyncPolicy::kNever) return SyncDir(st.options.dir);
  return absl::OkStatus();
}

}  // namespace ccengine::journal
