// POSIX file helpers (see journal/file_io.h).

#include "journal/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fmt/format.h"

namespace ccengine::journal {

ssize_t FileLayer::Write(int fd, const void* data, size_t bytes) {
  return ::write(fd, data, bytes);
}

int FileLayer::DataSync(int fd) { return ::fdatasync(fd); }

namespace internal {

absl::Status Errno(std::string_view what, const std::string& path, int err) {
  return absl::Status(absl::ErrnoToStatusCode(err),
                      fmt::format("{} {}: {}", what, path, std::strerror(err)));
}

absl::Status WriteAll(int fd, std::string_view data, const std::string& path,
                      FileLayer* layer) {
  while (!data.empty()) {
    const ssize_t n = layer != nullptr ? layer->Write(fd, data.data(), data.size())
                                       : ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write", path, errno);
    }
    if (n == 0)
      return absl::InternalError(fmt::format("write {}: nothing written", path));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status SyncFd(int fd, const std::string& path, FileLayer* layer) {
  while ((layer != nullptr ? layer->DataSync(fd) : ::fdatasync(fd)) != 0) {
    if (errno != EINTR) return Errno("fdatasync", path, errno);
  }
  return absl::OkStatus();
}

absl::Status SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open", dir, errno);
  const Fd holder(fd);
  while (::fsync(fd) != 0) {
    if (errno != EINTR) return Errno("fsync", dir, errno);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path, size_t limit) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open", path, errno);
  const Fd holder(fd);
  std::string data;
  // Room for the file as it is now, so that a large segment is not copied
  // as the string grows; it may still grow or shrink while it is read.
  struct stat info {};
  if (::fstat(fd, &info) == 0 && info.st_size > 0) {
    data.reserve(std::min(static_cast<size_t>(info.st_size), limit));
  }
  char buffer[1 << 16];
  while (data.size() < limit) {
    const ssize_t n = ::read(fd, buffer, std::min(sizeof(buffer), limit - data.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("read", path, errno);
    }
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
  }
  return data;
}

}  // namespace internal
}  // namespace ccengine::journal
