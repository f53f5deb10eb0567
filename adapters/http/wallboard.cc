#include "wallboard.h"

#include <cmath>
#include <iterator>
#include <string>

#include "absl/time/time.h"
#include "fmt/format.h"

namespace ccengine::http {

namespace {

// A number, or null for NaN and infinities (JSON has neither).
std::string Number(double v) { return std::isfinite(v) ? fmt::format("{}", v) : "null"; }

std::string WindowName(absl::Duration w) {
  const int64_t minutes = absl::ToInt64Minutes(w);
  return minutes % 60 == 0 ? fmt::format("{}h", minutes / 60)
                           : fmt::format("{}m", minutes);
}

}  // namespace

std::string JsonString(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;  // UTF-8 passes through
        }
    }
  }
  out += '"';
  return out;
}

std::string WallboardJson(const metrics::Snapshot& s) {
  fmt::memory_buffer out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, R"({{"version":{},"at":{},"windows":[)", s.version,
                 Number(absl::ToDoubleSeconds(s.at - absl::UnixEpoch())));
  for (size_t i = 0; i < s.windows.size(); ++i) {
    fmt::format_to(it, "{}{}", i == 0 ? "" : ",", JsonString(WindowName(s.windows[i])));
  }
  out.append(std::string_view(R"(],"queues":[)"));
  for (size_t q = 0; q < s.queues.size(); ++q) {
    const metrics::QueueSnapshot& x = s.queues[q];
    const bool alert =
        std::isfinite(x.today.service_level) && x.today.service_level < x.sl_target;
    fmt::format_to(it,
                   R"({}{{"name":{},"waiting":{},"longest_wait_s":{},"sl_target":{},)"
                   R"("sl_threshold_s":{},"sl_today":{},"asa_today_s":{},)"
                   R"("offered_today":{},"answered_today":{},"abandoned_today":{},)"
                   R"("sl_windows":[)",
                   q == 0 ? "" : ",", JsonString(x.queue), x.waiting,
                   Number(absl::ToDoubleSeconds(x.longest_wait)), Number(x.sl_target),
                   Number(absl::ToDoubleSeconds(x.sl_threshold)),
                   Number(x.today.service_level), Number(x.today.asa_s),
                   x.today.counts.offered, x.today.counts.answered,
                   x.today.counts.abandoned);
    for (size_t w = 0; w < x.windows.size(); ++w) {
      fmt::format_to(it, "{}{}", w == 0 ? "" : ",", Number(x.windows[w].service_level));
    }
    fmt::format_to(it, R"(],"alert":{}}})", alert ? "true" : "false");
  }
  out.append(std::string_view(R"(],"agents":{)"));
  for (int i = 1; i < kAgentStateCount; ++i) {
    fmt::format_to(it, "{}{}:{}", i == 1 ? "" : ",",
                   JsonString(AgentStateName(static_cast<AgentState>(i))),
                   s.agents.by_state[i]);
  }
  out.append(std::string_view(R"(},"not_ready_by_reason":{)"));
  bool first = true;
  for (const auto& [reason, n] : s.agents.not_ready_by_reason) {
    fmt::format_to(it, "{}\"{}\":{}", first ? "" : ",", reason, n);
    first = false;
  }
  out.append(std::string_view("}}"));
  return fmt::to_string(out);
}

}  // namespace ccengine::http
