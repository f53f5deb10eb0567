// Helpers shared by the audit trail's tests: files read and written whole,
// a clock that moves one second per reading, and a log opened for a test
// (a scratch directory is sqlite/temp_dir.h's TempDir).
#ifndef CCENGINE_TESTS_AUDIT_AUDIT_TEST_UTIL_H_
#define CCENGINE_TESTS_AUDIT_AUDIT_TEST_UTIL_H_

#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ccengine/audit/audit_log.h"
#include "ccengine/audit/keys.h"

namespace ccengine::audit::testing {

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void WriteAll(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// 2026-12-06 08:00:00 UTC, then one second later at every call.
inline std::function<absl::Time()> SteppingClock() {
  auto next = std::make_shared<absl::Time>(absl::FromUnixSeconds(1796544000));
  return [next] {
    const absl::Time now = *next;
    *next += absl::Seconds(1);
    return now;
  };
}

// A log at `path` signed by `key`, not synced (tests need no power-cut
// safety), its lines stamped by a SteppingClock.
inline absl::StatusOr<std::unique_ptr<AuditLog>> OpenTestLog(const std::string& path,
                                                             const SigningKey& key) {
  AuditLogOptions options;
  options.clock = SteppingClock();
  options.sync = AuditSync::kNone;
  return AuditLog::Open(path, key, options);
}

// The entries of the closed log at `path`, verified with `key`; an error
// naming the line when the chain does not verify whole.
inline absl::StatusOr<std::vector<AuditRecord>> VerifiedRecords(const std::string& path,
                                                                const VerifyKey& key) {
  std::vector<AuditRecord> records;
  AuditVerifyOptions options;
  options.on_record = [&](const AuditRecord& r) { records.push_back(r); };
  absl::StatusOr<AuditVerification> verified = VerifyAuditLog(path, key, options);
  if (!verified.ok()) return verified.status();
  if (!verified->intact) {
    return absl::DataLossError(
        absl::StrCat("line ", verified->problem_line, ": ", verified->problem));
  }
  return records;
}

}  // namespace ccengine::audit::testing

#endif  // CCENGINE_TESTS_AUDIT_AUDIT_TEST_UTIL_H_
