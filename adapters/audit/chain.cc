#include "chain.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fmt/format.h"
#include "record.h"

namespace ccengine::audit::internal {
namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

absl::StatusOr<File> OpenForReading(const std::string& path, std::string_view what) {
  std::FILE* file = std::fopen(path.c_str(), "rbe");
  if (file == nullptr) {
    const int err = errno;
    return absl::ErrnoToStatus(err, fmt::format("cannot read {} {}", what, path));
  }
  return File(file);
}

// Reads a file line by line, a line at most kMaxAuditLineBytes long.
class LineReader {
 public:
  explicit LineReader(std::FILE* file) : file_(file) {}

  enum class Result { kLine, kEnd, kIncomplete, kTooLong, kError };

  // The next line, without its "\n". kIncomplete: the file ends inside a
  // line (`line` holds what there is).
  Result Next(std::string& line) {
    line.clear();
    while (true) {
      if (pos_ == filled_) {
        if (!Fill())
          return error_         ? Result::kError
                 : line.empty() ? Result::kEnd
                                : Result::kIncomplete;
      }
      const char* start = buffer_.data() + pos_;
      const void* newline = std::memchr(start, '\n', filled_ - pos_);
      const size_t take =
          newline == nullptr ? filled_ - pos_ : static_cast<const char*>(newline) - start;
      if (line.size() + take > kMaxAuditLineBytes) return Result::kTooLong;
      line.append(start, take);
      pos_ += take;
      if (newline != nullptr) {
        ++pos_;
        return Result::kLine;
      }
    }
  }

 private:
  bool Fill() {
    filled_ = std::fread(buffer_.data(), 1, buffer_.size(), file_);
    pos_ = 0;
    if (filled_ == 0 && std::ferror(file_) != 0) error_ = true;
    return filled_ > 0;
  }

  std::FILE* file_;
  std::vector<char> buffer_ = std::vector<char>(64 * 1024);
  size_t pos_ = 0;
  size_t filled_ = 0;
  bool error_ = false;
};

struct Problem {
  AuditVerification& report;
  int64_t line = 0;
  int64_t offset = 0;
  AuditVerification& Set(std::string text) const {
    report.intact = false;
    report.problem_line = line;
    report.problem_offset = offset;
    report.problem = std::move(text);
    return report;
  }
};

}  // namespace

absl::StatusOr<std::string> Link(std::string_view previous, std::string_view body) {
  // SHA-256 fetched once, and a digest context per thread reused for every
  // line: setting them up costs more than hashing a line.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Context context;
  std::string out(kLinkBytes, '\0');
  unsigned int size = 0;
  EVP_MD_CTX* ctx = context.ctx;
  const bool ok =
      ctx != nullptr && kSha256 != nullptr &&
      EVP_DigestInit_ex2(ctx, kSha256, nullptr) == 1 &&
      EVP_DigestUpdate(ctx, previous.data(), previous.size()) == 1 &&
      EVP_DigestUpdate(ctx, body.data(), body.size()) == 1 &&
      EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()), &size) == 1;
  if (!ok || size != kLinkBytes) {
    ERR_clear_error();
    return absl::InternalError("libcrypto: SHA-256 failed");
  }
  return out;
}

std::string DefaultHeadPath(const std::string& log_path) { return log_path + ".head"; }

}  // namespace ccengine::audit::internal

namespace ccengine::audit {

using internal::CheckpointMessage;
using internal::CheckpointState;
using internal::Head;
using internal::kLinkBytes;
using internal::LineKind;
using internal::ParsedLine;
using internal::ParseHead;
using internal::ParseLine;
using internal::ToHex;

absl::StatusOr<AuditVerification> VerifyAuditLog(const std::string& path,
                                                 const VerifyKey& key,
                                                 const AuditVerifyOptions& options) {
  AuditVerification report;
  const AuditCursor start = options.resume_from.value_or(AuditCursor{});
  if (options.resume_from &&
      (start.offset <= 0 || start.seq < 1 || start.link.size() != kLinkBytes ||
       start.last_checkpoint_seq < 1 || start.last_checkpoint_seq > start.seq ||
       start.last_checkpoint_link.size() != kLinkBytes || start.unsigned_entries < 0 ||
       start.unsigned_entries > start.seq)) {
    return absl::InvalidArgumentError(
        "resume_from is not a cursor of a verified audit log");
  }
  absl::StatusOr<internal::File> log = internal::OpenForReading(path, "audit log");
  if (!log.ok()) return log.status();
  // Lines before the first one read here.
  const int64_t before = options.resume_from ? start.seq + 1 : 0;
  report.last_checkpoint_seq = start.last_checkpoint_seq;
  report.unsigned_entries = start.unsigned_entries;
  std::string last_checkpoint_link = start.last_checkpoint_link;
  // Whether the line before is a closing checkpoint.
  bool closed = start.closed;

  // The head: the log must reach the checkpoint it names. It carries a
  // signature of its own, which the log does not hold.
  const std::string head_path =
      options.head_path.empty() ? internal::DefaultHeadPath(path) : options.head_path;
  std::optional<Head> head;
  std::string head_problem;
  {
    absl::StatusOr<internal::File> file =
        internal::OpenForReading(head_path, "audit head");
    if (file.ok()) {
      internal::LineReader reader(file->get());
      std::string line;
      internal::LineReader::Result result = reader.Next(line);
      if (result == internal::LineReader::Result::kError) {
        return absl::DataLossError(fmt::format("cannot read audit head {}", head_path));
      }
      std::string rest;
      const bool one_line = result == internal::LineReader::Result::kLine &&
                            reader.Next(rest) == internal::LineReader::Result::kEnd;
      absl::StatusOr<Head> parsed =
          one_line ? ParseHead(line + "\n") : absl::InvalidArgumentError("not one line");
      if (!parsed.ok()) {
        head_problem = fmt::format("the head {} is damaged: {}", head_path,
                                   std::string(parsed.status().message()));
      } else if (!key.Verify(
                     internal::HeadMessage(parsed->seq, parsed->time, parsed->link),
                     parsed->signature)) {
        head_problem = fmt::format("the head {}'s signature does not verify", head_path);
      } else {
        head = *std::move(parsed);
      }
    } else if (absl::IsNotFound(file.status())) {
      if (options.require_head) {
        head_problem = fmt::format(
            "the head {} is missing: a cut after a checkpoint cannot be ruled out",
            head_path);
      }
    } else {
      return file.status();
    }
  }
  bool head_seen = false;
  if (head && head->seq < before) {
    // The head names a checkpoint before the cursor: the last one verified
    // then, or it was rolled back.
    if (head->seq != start.last_checkpoint_seq ||
        head->link != start.last_checkpoint_link) {
      return internal::Problem{report, before + 1, start.offset}.Set(
          fmt::format("the signed head names checkpoint {}, but checkpoint {} was "
                      "verified before: the head "
                      "was rolled back",
                      head->seq, start.last_checkpoint_seq));
    }
    head_seen = true;
  }

  std::string link = options.resume_from ? start.link : std::string(kLinkBytes, '\0');
  int64_t offset = start.offset;
  if (offset > 0) {
    struct stat st {};
    if (::fstat(::fileno(log->get()), &st) != 0 ||
        ::fseeko(log->get(), static_cast<off_t>(offset), SEEK_SET) != 0) {
      return absl::DataLossError(
          fmt::format("cannot seek in audit log {} to byte {}", path, offset));
    }
    if (st.st_size < offset) {
      return internal::Problem{report, before + 1, st.st_size}.Set(fmt::format(
          "the log is {} bytes, shorter than the {} verified before: it was cut short",
          st.st_size, offset));
    }
  }
  internal::LineReader reader(log->get());
  std::string line;
  while (true) {
    // The line about to be read: its sequence number and 1-based line.
    const int64_t seq = before + report.lines;
    const internal::Problem problem{report, seq + 1, offset};
    const internal::LineReader::Result result = reader.Next(line);
    if (result == internal::LineReader::Result::kEnd) break;
    if (result == internal::LineReader::Result::kError) {
      return absl::DataLossError(
          fmt::format("cannot read audit log {} at byte {}", path, offset));
    }
    if (result == internal::LineReader::Result::kTooLong) {
      return problem.Set(
          fmt::format("the line is longer than {} bytes", kMaxAuditLineBytes));
    }
    if (result == internal::LineReader::Result::kIncomplete) {
      // A write in progress, or one a crash tore: not verified, and not a
      // problem by itself (a cut is found against the head) — if it can be
      // the start of the line that belongs here.
      const std::string entry = fmt::format("E\t{}\t", seq);
      const std::string checkpoint = fmt::format("C\t{}\t", seq);
      auto starts = [&line](std::string_view expected) {
        return line.size() <= expected.size()
                   ? expected.starts_with(line)
                   : std::string_view(line).starts_with(expected);
      };
      if (seq > 1 && !starts(checkpoint) && (closed || !starts(entry))) {
        return problem.Set(fmt::format(
            "the last line has no newline and cannot be the start of line {}", seq + 1));
      }
      report.incomplete_tail_bytes = static_cast<int64_t>(line.size());
      break;
    }
    absl::StatusOr<ParsedLine> parsed = ParseLine(line);
    if (!parsed.ok()) return problem.Set(std::string(parsed.status().message()));
    const bool is_checkpoint = parsed->kind == LineKind::kCheckpoint;
    const CheckpointState state = parsed->state;
    if (seq == 0) {
      if (parsed->kind != LineKind::kHeader)
        return problem.Set("the first line is not the header");
      if (parsed->public_key !=
          std::string_view(reinterpret_cast<const char*>(key.raw().data()),
                           key.raw().size())) {
        return problem.Set(
            fmt::format("the log is signed by public key {}..., not by the key given",
                        ToHex(parsed->public_key).substr(0, 16)));
      }
    } else if (parsed->kind == LineKind::kHeader) {
      return problem.Set("a second header");
    } else if (parsed->seq != seq) {
      return problem.Set(
          fmt::format("sequence number {} where {} belongs: a line is missing, repeated "
                      "or out of order",
                      parsed->seq, seq));
    } else if ((seq == 1) != (is_checkpoint && state == CheckpointState::kCreated)) {
      return problem.Set(seq == 1 ? "the line after the header is not the signed creation"
                                  : "a creation checkpoint after the start");
    } else if (closed && !(is_checkpoint && state == CheckpointState::kReopened)) {
      return problem.Set(
          "a line after the log was closed that is not a signed reopening: added without "
          "the "
          "key");
    } else if (!closed && is_checkpoint && state == CheckpointState::kReopened) {
      return problem.Set("a reopening of a log that was not closed");
    }
    const std::string_view body = std::string_view(line).substr(0, parsed->body_size);
    absl::StatusOr<std::string> next = internal::Link(link, body);
    if (!next.ok()) return next.status();
    if (*next != parsed->link) {
      return problem.Set("the link hash does not match the line: the line was changed");
    }
    if (is_checkpoint) {
      if (!key.Verify(CheckpointMessage(link, seq, parsed->time, state),
                      parsed->signature)) {
        return problem.Set("the checkpoint's signature does not verify");
      }
      if (state == CheckpointState::kRecovered) {
        report.recovered_entries += report.unsigned_entries;
      }
      ++report.checkpoints;
      report.last_checkpoint_seq = seq;
      report.unsigned_entries = 0;
      last_checkpoint_link = *next;
    } else if (parsed->kind == LineKind::kEntry) {
      ++report.entries;
      ++report.unsigned_entries;
      if (options.on_record) {
        options.on_record(AuditRecord{seq, parsed->time, std::move(parsed->event)});
      }
    }
    if (head && head->seq == seq) {
      if (!is_checkpoint || head->time != parsed->time || head->link != *next) {
        return problem.Set(
            "the line is not the checkpoint the signed head names: the log was rewritten "
            "up to "
            "here");
      }
      head_seen = true;
    }
    closed = is_checkpoint && state == CheckpointState::kClosed;
    link = *std::move(next);
    ++report.lines;
    offset += static_cast<int64_t>(line.size()) + 1;
  }
  const int64_t lines = before + report.lines;
  const internal::Problem at_end{report, lines + 1, offset};
  if (lines == 0) return at_end.Set("the log holds no complete line");
  if (lines == 1)
    return at_end.Set("the log ends after its header, before its creation was signed");
  if (!head_problem.empty()) return at_end.Set(head_problem);
  if (head && !head_seen) {
    return at_end.Set(
        fmt::format("the log ends at sequence number {} but its signed head names "
                    "checkpoint {}: the log "
                    "was cut short",
                    lines - 1, head->seq));
  }
  report.intact = true;
  report.cursor = AuditCursor{offset,
                              lines - 1,
                              std::move(link),
                              report.last_checkpoint_seq,
                              std::move(last_checkpoint_link),
                              closed,
                              report.unsigned_entries};
  return report;
}

}  // namespace ccengine::audit
