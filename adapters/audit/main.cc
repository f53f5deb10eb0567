// ccengine-audit: the audit trail from the command line.
//
//   ccengine-audit keygen PRIVATE.pem PUBLIC.pem
//       a new Ed25519 key pair in two new files (the private key readable by its
//       owner only; an existing file or link is refused)
//   ccengine-audit verify LOG --public-key PUBLIC.pem [--head FILE] [--no-head]
//       checks the chain, the checkpoints' signatures and the head; prints
//       "LOG: intact: ..." and exits 0, or "LOG:LINE: PROBLEM" and exits 1
//   ccengine-audit show LOG --public-key PUBLIC.pem
//       the entries, one per line, tab-separated, once the whole log verified
//   ccengine-audit append LOG --key PRIVATE.pem --actor A --role R --action X
//         [--subject S] [--before B] [--after A] [--reason W]
//       appends one entry (for scripts: logins from PAM, changes made by hand)
//
// Exit status: 0 done, 1 the log does not verify, 2 bad usage or an error.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "ccengine/audit/audit_log.h"
#include "ccengine/audit/keys.h"
#include "fmt/format.h"

namespace {

using ccengine::audit::AuditEvent;
using ccengine::audit::AuditLog;
using ccengine::audit::AuditVerification;
using ccengine::audit::AuditVerifyOptions;
using ccengine::audit::SigningKey;
using ccengine::audit::VerifyKey;

constexpr int kUsage = 2;

int Usage() {
  std::cerr
      << "usage:\n"
         "  ccengine-audit keygen PRIVATE.pem PUBLIC.pem\n"
         "  ccengine-audit verify LOG --public-key PUBLIC.pem [--head FILE] [--no-head]\n"
         "  ccengine-audit show LOG --public-key PUBLIC.pem\n"
         "  ccengine-audit append LOG --key PRIVATE.pem --actor A --role R --action X\n"
         "      [--subject S] [--before B] [--after A] [--reason W]\n";
  return kUsage;
}

int Fail(const absl::Status& status) {
  std::cerr << "ccengine-audit: " << status.message() << "\n";
  return kUsage;
}

// "--name value" pairs after the positional arguments; "--no-head" alone.
bool ParseFlags(const std::vector<std::string>& args, size_t from,
                std::map<std::string, std::string>& flags) {
  for (size_t i = from; i < args.size(); ++i) {
    const std::string& name = args[i];
    if (name == "--no-head") {
      flags[name] = "";
      continue;
    }
    if (name.size() < 3 || name.substr(0, 2) != "--" || i + 1 >= args.size()) {
      std::cerr << "ccengine-audit: expected --flag VALUE, got \"" << name << "\"\n";
      return false;
    }
    flags[name] = args[++i];
  }
  return true;
}

// Creates `path` (never an existing file or a link) with `mode` and writes
// `text` to it.
absl::Status WriteNewFile(const std::string& path, const std::string& text, mode_t mode) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    return absl::ErrnoToStatus(errno,
                               fmt::format("cannot create {} (it must not exist)", path));
  }
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  const bool ok = done == text.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return absl::DataLossError(fmt::format("cannot write {}", path));
  return absl::OkStatus();
}

int Keygen(const std::vector<std::string>& args) {
  if (args.size() != 4) return Usage();
  absl::StatusOr<SigningKey> key = SigningKey::Generate();
  if (!key.ok()) return Fail(key.status());
  if (absl::Status s = WriteNewFile(args[2], key->PrivatePem(), 0600); !s.ok()) {
    return Fail(s);
  }
  if (absl::Status s = WriteNewFile(args[3], key->verify_key().PublicPem(), 0644);
      !s.ok()) {
    return Fail(s);
  }
  std::cout << "wrote " << args[2] << " (private) and " << args[3] << " (public)\n";
  return 0;
}

std::string Tsv(const std::string& text) {
  return absl::StrReplaceAll(
      text, {{"\\", "\\\\"}, {"\t", "\\t"}, {"\n", "\\n"}, {"\r", "\\r"}});
}

int Verify(const std::vector<std::string>& args, bool show) {
  if (args.size() < 3) return Usage();
  std::map<std::string, std::string> flags;
  if (!ParseFlags(args, 3, flags) || !flags.contains("--public-key")) return Usage();
  absl::StatusOr<VerifyKey> key = VerifyKey::ReadPemFile(flags["--public-key"]);
  if (!key.ok()) return Fail(key.status());
  AuditVerifyOptions options;
  if (flags.contains("--head")) options.head_path = flags["--head"];
  options.require_head = !flags.contains("--no-head");
  // `show` prints the entries only once the whole log has verified.
  std::string shown;
  if (show) {
    options.on_record = [&shown](const ccengine::audit::AuditRecord& r) {
      const AuditEvent& e = r.event;
      shown += fmt::format(
          "{}\t{}", r.seq,
          absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", r.time, absl::UTCTimeZone()));
      for (const std::string* field :
           {&e.actor, &e.role, &e.action, &e.subject, &e.before, &e.after, &e.reason}) {
        shown += "\t" + Tsv(*field);
      }
      shown += "\n";
    };
  }
  absl::StatusOr<AuditVerification> report = VerifyAuditLog(args[2], *key, options);
  if (!report.ok()) return Fail(report.status());
  std::ostream& out = show ? std::cerr : std::cout;
  if (!report->intact) {
    out << args[2] << ":" << report->problem_line << ": " << report->problem << " (byte "
        << report->problem_offset << ")\n";
    return 1;
  }
  out << args[2] << ": intact: " << report->entries
      << (report->entries == 1 ? " entry, " : " entries, ") << report->checkpoints
      << " signed checkpoints, the last at sequence number "
      << report->last_checkpoint_seq;
  if (report->unsigned_entries > 0) {
    out << "; " << report->unsigned_entries
        << " entries after it are chained but not signed, so not authenticated (a writer "
           "that "
           "stopped without closing, or someone without the key, wrote them)";
  }
  if (report->recovered_entries > 0) {
    out << "; " << report->recovered_entries
        << " entries were signed only when a later writer recovered the log (the same "
           "doubt)";
  }
  if (report->incomplete_tail_bytes > 0) {
    out << "; a last line of " << report->incomplete_tail_bytes
        << " bytes has no newline yet (a write in progress or torn) and was not read";
  }
  out << "\n";
  std::cout << shown;
  return 0;
}

int Append(const std::vector<std::string>& args) {
  if (args.size() < 3) return Usage();
  std::map<std::string, std::string> flags;
  if (!ParseFlags(args, 3, flags) || !flags.contains("--key")) return Usage();
  static const std::vector<std::string> kKnown = {"--key",    "--actor",   "--role",
                                                  "--action", "--subject", "--before",
                                                  "--after",  "--reason"};
  for (const auto& [name, value] : flags) {
    if (std::find(kKnown.begin(), kKnown.end(), name) == kKnown.end()) {
      std::cerr << "ccengine-audit: unknown flag " << name << "\n";
      return Usage();
    }
  }
  absl::StatusOr<SigningKey> key = SigningKey::ReadPemFile(flags["--key"]);
  if (!key.ok()) return Fail(key.status());
  // Closed after the entry, so every entry this command writes is signed.
  absl::StatusOr<std::unique_ptr<AuditLog>> log =
      AuditLog::Open(args[2], *std::move(key));
  if (!log.ok()) return Fail(log.status());
  absl::StatusOr<int64_t> seq = (*log)->Append(AuditEvent{
      .actor = flags["--actor"],
      .role = flags["--role"],
      .action = flags["--action"],
      .subject = flags["--subject"],
      .before = flags["--before"],
      .after = flags["--after"],
      .reason = flags["--reason"],
  });
  if (!seq.ok()) return Fail(seq.status());
  if (absl::Status s = (*log)->Close(); !s.ok()) return Fail(s);
  std::cout << *seq << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv, argv + argc);
  if (args.size() < 2) return Usage();
  if (args[1] == "keygen") return Keygen(args);
  if (args[1] == "verify") return Verify(args, false);
  if (args[1] == "show") return Verify(args, true);
  if (args[1] == "append") return Append(args);
  return Usage();
}
