// -----------------------------------------------------------------------------
// File: bench/bench_util.h
// -----------------------------------------------------------------------------
//
// Small helpers of every benchmark program, Google Benchmark or not (this
// header needs no Google Benchmark, unlike bench_common.h, which includes it):
//
//   Die          ends a program that cannot go on, naming it
//   TempDir      a fresh directory under $TMPDIR, removed with its files
//   NearestRank  the nearest-rank percentile of sorted values; `Percentile`
//                of unsorted ones
//
// Thread safety: functions without state are thread-safe; a `TempDir` is
// used by one thread.

#ifndef CCENGINE_BENCH_BENCH_UTIL_H_
#define CCENGINE_BENCH_BENCH_UTIL_H_

#include <errno.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "absl/status/status.h"

namespace ccbench {

// Ends a program that cannot go on: "<program>: <status>" on stderr, exit
// status 2.
[[noreturn]] inline void Die(const absl::Status& status) {
  std::fprintf(stderr, "%s: %s\n", program_invocation_short_name,
               status.ToString().c_str());
  std::exit(2);
}

// A fresh directory under $TMPDIR ("<prefix>XXXXXX"), removed with everything
// in it when the object goes. A program that cannot make it `Die`s.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "XXXXXX"))
            .string();
    if (mkdtemp(pattern.data()) == nullptr) Die(absl::InternalError("mkdtemp"));
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  std::string File(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The nearest-rank percentile of `sorted` (ascending), p in [0, 1]; 0 when
// there are no values.
template <typename T>
double NearestRank(const std::vector<T>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank =
      static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return static_cast<double>(sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1]);
}

// The nearest-rank percentile of `values`, p in [0, 1].
inline double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return NearestRank(values, p);
}

}  // namespace ccbench

#endif  // CCENGINE_BENCH_BENCH_UTIL_H_
