// -----------------------------------------------------------------------------
// File: tests/text/fuzz/fuzz_check.h
// -----------------------------------------------------------------------------
//
// The check the fuzz targets use: a violated invariant prints where and why and
// aborts, which libFuzzer reports as a crash (and saves the input).
//
// Thread safety: a macro; no state.
//
// Example:
//   FUZZ_CHECK(t.start < t.end, "empty token");

#ifndef CCENGINE_TESTS_TEXT_FUZZ_FUZZ_CHECK_H_
#define CCENGINE_TESTS_TEXT_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition, what)                                                  \
  do {                                                                               \
    if (!(condition)) {                                                              \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: %s\n", __FILE__, __LINE__, \
                   #condition, what);                                                \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)

#endif  // CCENGINE_TESTS_TEXT_FUZZ_FUZZ_CHECK_H_
