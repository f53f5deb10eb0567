// Snapshot files, checkpoints and recovery (see ccengine/journal/snapshot.h).

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/journal/snapshot.h"
#include "fmt/format.h"
#include "journal/file_io.h"
#include "journal/segment.h"

namespace ccengine::journal {
namespace {

using internal::Crc32c;
using internal::Errno;
using internal::Fd;
using internal::GetU32;
using internal::GetU64;
using internal::PutU32;
using internal::PutU64;

constexpr std::string_view kMagic = "CCSNAP\r\n";
constexpr std::string_view kPrefix = "snapshot-";
constexpr std::string_view kSuffix = ".ccs";
constexpr std::string_view kTempSuffix = ".tmp";
constexpr size_t kHeaderBytes = 44;
// Far above any engine's state (millions of agents and contacts), and a bound
// on what a damaged length field can make the reader allocate.
constexpr size_t kMaxSnapshotBytes = size_t{16} << 30;

std::string FileName(uint64_t sequence) {
  return fmt::format("{}{:020}{}", kPrefix, sequence, kSuffix);
}

std::string Join(const std::string& dir, std::string_view name) {
  return dir + "/" + std::string(name);
}

// What is wrong with the magic or the checksum of a header (`data` at least
// kHeaderBytes long); empty when both are right.
std::string_view HeaderDamage(std::string_view data) {
  if (data.substr(0, kMagic.size()) != kMagic) return "not a snapshot file";
  if (GetU32(data, 40) != Crc32c(data.substr(0, 40))) {
    return "the header's checksum does not match";
  }
  return {};
}

// The file's bytes checked: the state, or DataLoss naming what failed, or
// FailedPrecondition for another format version.
absl::StatusOr<std::string_view> CheckFile(const std::string& path, std::string_view data,
                                           SnapshotInfo& info) {
  auto damaged = [&](std::string_view what) {
    return absl::DataLossError(fmt::format("snapshot {}: {}", path, what));
  };
  if (data.size() < kHeaderBytes) return damaged("shorter than its header");
  if (const std::string_view what = HeaderDamage(data); !what.empty())
    return damaged(what);
  const uint32_t version = GetU32(data, 8);
  if (version != kSnapshotFormatVersion) {
    return absl::FailedPreconditionError(fmt::format(
        "snapshot {} is of file format version {}; this build reads version {}", path,
        version, kSnapshotFormatVersion));
  }
  info.sequence = GetU64(data, 12);
  info.engine_time = absl::FromUnixNanos(static_cast<int64_t>(GetU64(data, 20)));
  const uint64_t length = GetU64(data, 28);
  if (length != data.size() - kHeaderBytes) {
    return damaged(fmt::format("the header says {} bytes of state, the file holds {}",
                               length, data.size() - kHeaderBytes));
  }
  const std::string_view state = data.substr(kHeaderBytes);
  if (GetU32(data, 36) != Crc32c(state))
    return damaged("the state's checksum does not match");
  info.bytes = data.size();
  return state;
}

// The engine time in a snapshot's header, when the header reads back whole.
std::optional<absl::Time> HeaderTime(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  const Fd holder(fd);
  std::string header(kHeaderBytes, '\0');
  if (::pread(fd, header.data(), kHeaderBytes, 0) != static_cast<ssize_t>(kHeaderBytes) ||
      !HeaderDamage(header).empty()) {
    return std::nullopt;
  }
  return absl::FromUnixNanos(static_cast<int64_t>(GetU64(header, 20)));
}

absl::Status RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("unlink", path, errno);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SnapshotInfo> WriteSnapshot(const std::string& dir, uint64_t sequence,
                                           const Engine& engine) {
  std::string state;
  engine.SaveState(state);
  std::string file(kMagic);
  PutU32(kSnapshotFormatVersion, &file);
  PutU64(sequence, &file);
  PutU64(static_cast<uint64_t>(absl::ToUnixNanos(engine.Now())), &file);
  PutU64(state.size(), &file);
  PutU32(Crc32c(state), &file);
  PutU32(Crc32c(file), &file);
  file += state;

  SnapshotInfo info;
  info.sequence = sequence;
  info.engine_time = engine.Now();
  info.path = Join(dir, FileName(sequence));
  info.bytes = file.size();
  const std::string temp = info.path + std::string(kTempSuffix);
  {
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Errno("open", temp, errno);
    const Fd holder(fd);
    absl::Status s = internal::WriteAll(fd, file, temp);
    if (s.ok()) s = internal::SyncFd(fd, temp);
    if (!s.ok()) {
      (void)RemoveFile(temp);
      return s;
    }
  }
  if (::rename(temp.c_str(), info.path.c_str()) != 0) {
    const absl::Status s = Errno("rename", temp, errno);
    (void)RemoveFile(temp);
    return s;
  }
  if (absl::Status s = internal::SyncDir(dir); !s.ok()) return s;
  return info;
}

absl::StatusOr<SnapshotInfo> LoadSnapshot(const std::string& path, Engine& engine,
                                          std::optional<uint64_t> expected_sequence) {
  absl::StatusOr<std::string> data = internal::ReadFile(path, kMaxSnapshotBytes + 1);
  if (!data.ok()) return data.status();
  SnapshotInfo info;
  info.path = path;
  absl::StatusOr<std::string_view> state = CheckFile(path, *data, info);
  if (!state.ok()) return state.status();
  if (expected_sequence && info.sequence != *expected_sequence) {
    return absl::DataLossError(
        fmt::format("snapshot {}: its header says record {}", path, info.sequence));
  }
  if (absl::Status s = engine.LoadState(*state); !s.ok()) {
    return absl::Status(s.code(),
                        fmt::format("snapshot {}: {}", path, std::string(s.message())));
  }
  return info;
}

absl::StatusOr<std::vector<SnapshotInfo>> ListSnapshots(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Errno("opendir", dir, errno);
  std::vector<SnapshotInfo> found;
  while (const dirent* entry = ::readdir(d)) {
    const std::optional<uint64_t> sequence =
        internal::ParseSequenceFileName(entry->d_name, kPrefix, kSuffix);
    if (!sequence) continue;
    SnapshotInfo& info = found.emplace_back();
    info.sequence = *sequence;
    info.path = Join(dir, entry->d_name);
  }
  ::closedir(d);
  std::sort(found.begin(), found.end(), [](const SnapshotInfo& a, const SnapshotInfo& b) {
    return a.sequence > b.sequence;
  });
  return found;
}

absl::StatusOr<SnapshotInfo> Checkpoint(const Engine& engine, CommandLog& log,
                                        const std::string& dir, int keep) {
  return Checkpoint(engine, log, dir, CheckpointOptions{.keep = keep});
}

absl::StatusOr<SnapshotInfo> Checkpoint(const Engine& engine, CommandLog& log,
                                        const std::string& dir,
                                        const CheckpointOptions& options) {
  const int keep = options.keep;
  if (keep < 1) {
    return absl::InvalidArgumentError(
        fmt::format("keep must be at least 1, got {}", keep));
  }
  const bool by_age = options.max_age != absl::InfiniteDuration();
  if (options.max_age <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(fmt::format("max_age must be above zero, got {}",
                                                  absl::FormatDuration(options.max_age)));
  }
  // The records the snapshot includes are on disk before it is: a snapshot
  // ahead of the durable log would make the log reuse its sequence numbers.
  if (absl::Status s = log.Sync(); !s.ok()) return s;
  // A snapshot ahead of this journal (a stray, a backup put back) would be
  // the one recovery loads: refused rather than kept or pruned in its favour.
  absl::StatusOr<std::vector<SnapshotInfo>> existing = ListSnapshots(dir);
  if (!existing.ok()) return existing.status();
  if (!existing->empty() && existing->front().sequence > log.last_sequence()) {
    return absl::FailedPreconditionError(
        fmt::format("snapshot {} is ahead of the journal, which ends at record {}",
                    existing->front().path, log.last_sequence()));
  }
  absl::StatusOr<SnapshotInfo> written = WriteSnapshot(dir, log.last_sequence(), engine);
  if (!written.ok()) return written.status();
  // The records after the snapshot start a segment of their own, so that the
  // segments before it can go whole once it is the oldest kept.
  if (by_age) {
    if (absl::Status s = log.Rotate(); !s.ok()) return s;
  }
  absl::StatusOr<std::vector<SnapshotInfo>> all = ListSnapshots(dir);
  if (!all.ok()) return all.status();
  size_t kept = std::min(all->size(), static_cast<size_t>(keep));
  if (by_age) {
    // Newest first: the first one past the age ends what is kept (the new
    // one, first, always stays).
    const absl::Time oldest_allowed = engine.Now() - options.max_age;
    for (size_t i = 1; i < kept; ++i) {
      const std::optional<absl::Time> time = HeaderTime((*all)[i].path);
      if (time.has_value() && *time < oldest_allowed) {
        kept = i;
        break;
      }
    }
  }
  for (size_t i = kept; i < all->size(); ++i) {
    if (absl::Status s = RemoveFile((*all)[i].path); !s.ok()) return s;
  }
  // Temporary files of checkpoints that a crash interrupted.
  if (DIR* d = ::opendir(dir.c_str())) {
    std::vector<std::string> leftovers;
    while (const dirent* entry = ::readdir(d)) {
      const std::string_view name = entry->d_name;
      if (name.size() > kTempSuffix.size() &&
          name.substr(name.size() - kTempSuffix.size()) == kTempSuffix &&
          internal::ParseSequenceFileName(
              name.substr(0, name.size() - kTempSuffix.size()), kPrefix, kSuffix)) {
        leftovers.push_back(Join(dir, name));
      }
    }
    ::closedir(d);
    for (const std::string& path : leftovers) (void)RemoveFile(path);
  }
  // The oldest kept snapshot must still find the records after it.
  const uint64_t oldest = (*all)[kept - 1].sequence;
  if (absl::Status s = log.DropBefore(oldest + 1); !s.ok()) return s;
  return written;
}

absl::StatusOr<RecoveryReport> Recover(const CommandLog& log, const std::string& dir,
                                       Engine& engine) {
  absl::StatusOr<std::vector<SnapshotInfo>> all = ListSnapshots(dir);
  if (!all.ok()) return all.status();
  RecoveryReport report;
  for (const SnapshotInfo& candidate : *all) {
    absl::StatusOr<SnapshotInfo> loaded =
        LoadSnapshot(candidate.path, engine,
                     /*expected_sequence=*/candidate.sequence);
    if (loaded.ok()) {
      report.snapshot = *loaded;
      break;
    }
    if (loaded.status().code() != absl::StatusCode::kDataLoss) return loaded.status();
    report.passed_over.push_back(std::string(loaded.status().message()));
  }
  const uint64_t from = report.snapshot ? report.snapshot->sequence + 1 : 1;
  if (log.first_sequence() > from) {
    return absl::DataLossError(fmt::format(
        "the journal starts at record {}, but {} the records from {} on are needed",
        log.first_sequence(),
        report.snapshot ? "after snapshot " + report.snapshot->path
                        : std::string("with no snapshot readable"),
        from));
  }
  if (from > log.last_sequence() + 1) {
    return absl::DataLossError(fmt::format(
        "snapshot {} includes journal records up to {}, but the journal ends at {}",
        report.snapshot->path, from - 1, log.last_sequence()));
  }
  absl::StatusOr<ReplayReport> replayed = ReplayJournal(log, engine, from);
  if (!replayed.ok()) return replayed.status();
  report.replay = *replayed;
  return report;
}

}  // namespace ccengine::journal
