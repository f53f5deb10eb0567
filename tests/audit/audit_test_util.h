// Helpers shared by the audit trail's tests: files read and written whole,
// and a clock that moves one second per reading (a scratch directory is
// sqlite/temp_dir.h's TempDir).
#ifndef CCENGINE_TESTS_AUDIT_AUDIT_TEST_UTIL_H_
#define CCENGINE_TESTS_AUDIT_AUDIT_TEST_UTIL_H_

#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>

#include "absl/time/time.h"

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

}  // namespace ccengine::audit::testing

#endif  // CCENGINE_TESTS_AUDIT_AUDIT_TEST_UTIL_H_
