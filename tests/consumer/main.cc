// Consumer check: compiles and links against an *installed* ccengine, through
// the CMake package (tests/consumer/CMakeLists.txt) or through pkg-config:
//
//   g++ -std=c++20 main.cc $(pkg-config --cflags --libs ccengine)
//
// Besides the version, it calls into Abseil and fmt without naming them to the
// build: those come only from ccengine's exported link interface / Requires.
#include <cstdio>
#include <string>

#include <absl/status/status.h>
#include <fmt/format.h>

#include <ccengine/ccengine.h>

int main() {
  const absl::Status status = absl::OkStatus();
  const std::string line =
      fmt::format("ccengine {} ({})", ccengine::kVersionString, status.ToString());
  std::puts(line.c_str());
  return status.ok() ? 0 : 1;
}
