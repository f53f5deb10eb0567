#include "daemon_output.h"

#include <algorithm>
#include <cstdio>
#include <mutex>

#include "absl/strings/match.h"
#include "ccengine/compliance/pii.h"
#include "fmt/format.h"

namespace ccengine::kamailio {
namespace {
std::mutex g_out_mu;
}  // namespace

void Line(const std::string& line) {
  const bool verbatim = absl::StartsWith(line, "RING ") || absl::StartsWith(line, "END ");
  const std::string s = verbatim ? line : compliance::MaskPii(line);
  std::lock_guard<std::mutex> lock(g_out_mu);
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

void LogLines(const std::string& prefix, std::string_view text) {
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    Line(fmt::format("LOG {}{}", prefix, text.substr(start, end - start)));
    start = end + 1;
  }
}

}  // namespace ccengine::kamailio
