// A named time zone for tests, failing the test (not aborting) when the
// system's tzdata lacks it.
//
// Thread safety: safe from any thread (absl::LoadTimeZone is).
#ifndef CCENGINE_TESTS_TESTING_TIME_ZONE_H_
#define CCENGINE_TESTS_TESTING_TIME_ZONE_H_

#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace ccengine::testing {

inline absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone(name, &tz)) << name << " (is tzdata installed?)";
  return tz;
}

}  // namespace ccengine::testing

#endif  // CCENGINE_TESTS_TESTING_TIME_ZONE_H_
