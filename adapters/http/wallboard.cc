#include "wallboard.h"

#include <cmath>
#include <iterator>
#include <string>

#include "absl/time/time.h"
#include "ccengine/compliance/pii.h"
#include "ccengine/metrics/json.h"
#include "fmt/format.h"

namespace ccengine::http {

std::string WallboardJson(const metrics::Snapshot& s) {
  fmt::memory_buffer out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, R"({{"version":{},"at":{},"windows":[)", s.version,
                 metrics::JsonNumber(absl::ToDoubleSeconds(s.at - absl::UnixEpoch())));
  for (size_t i = 0; i < s.windows.size(); ++i) {
    fmt::format_to(it, "{}{}", i == 0 ? "" : ",",
                   metrics::JsonString(metrics::WindowLabel(s.windows[i])));
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
                   q == 0 ? "" : ",", metrics::JsonString(compliance::MaskPii(x.queue)),
                   x.waiting, metrics::JsonNumber(absl::ToDoubleSeconds(x.longest_wait)),
                   metrics::JsonNumber(x.sl_target),
                   metrics::JsonNumber(absl::ToDoubleSeconds(x.sl_threshold)),
                   metrics::JsonNumber(x.today.service_level),
                   metrics::JsonNumber(x.today.asa_s), x.today.counts.offered,
                   x.today.counts.answered, x.today.counts.abandoned);
    for (size_t w = 0; w < x.windows.size(); ++w) {
      fmt::format_to(it, "{}{}", w == 0 ? "" : ",",
                     metrics::JsonNumber(x.windows[w].service_level));
    }
    fmt::format_to(it, R"(],"alert":{}}})", alert ? "true" : "false");
  }
  out.append(std::string_view(R"(],"agents":{)"));
  for (int i = 1; i < kAgentStateCount; ++i) {
    fmt::format_to(it, "{}{}:{}", i == 1 ? "" : ",",
                   metrics::JsonString(AgentStateName(static_cast<AgentState>(i))),
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
