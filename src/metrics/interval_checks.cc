// The checks every IntervalStore makes (intervals.h), apart from the rest
// of the module so that readers of rows elsewhere (the simulator's
// replication bytes) can make them without the report code.

#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/metrics/intervals.h"
#include "fmt/format.h"

namespace ccengine::metrics {

namespace {

absl::Status CheckStart(absl::Time start, std::string_view what) {
  if (start == absl::InfinitePast() || start == absl::InfiniteFuture() ||
      absl::ToUnixSeconds(start) % kIntervalSeconds != 0 ||
      absl::FromUnixSeconds(absl::ToUnixSeconds(start)) != start) {
    return absl::InvalidArgumentError(
        fmt::format("metrics: {} starts at {}, not on a 15-minute boundary", what,
                    absl::FormatTime(start)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckIntervalBatch(const IntervalBatch& batch) {
  for (const QueueInterval& q : batch.queues) {
    if (absl::Status st = CheckStart(q.start, fmt::format("queue '{}' row", q.queue));
        !st.ok()) {
      return st;
    }
  }
  for (const AgentInterval& a : batch.agents) {
    if (absl::Status st =
            CheckStart(a.start, fmt::format("agent {} row", a.agent.value()));
        !st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckIntervalRange(absl::Time from, absl::Time to) {
  if (from > to || from == absl::InfinitePast() || to == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError(
        fmt::format("metrics: the range must be finite with from <= to, got [{}, {})",
                    absl::FormatTime(from), absl::FormatTime(to)));
  }
  return absl::OkStatus();
}

absl::Status CheckDropBefore(absl::Time before) {
  if (before == absl::InfinitePast() || before == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError(
        fmt::format("metrics: rows are dropped before a finite time, got {}",
                    absl::FormatTime(before)));
  }
  return absl::OkStatus();
}

}  // namespace ccengine::metrics
