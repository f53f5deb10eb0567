// -----------------------------------------------------------------------------
// File: ccengine/metrics/snapshot.h
// -----------------------------------------------------------------------------
//
// A `metrics::Snapshot` is the whole live picture of a center at one engine
// instant — every queue's waiting contacts, longest wait, counters since the
// collector was attached, wait-time histograms, today's and the sliding
// windows' figures, agents by state — as a plain value. The router thread
// takes it (`Collector::TakeSnapshot`) and hands it to a
// `SnapshotPublisher`; HTTP threads, exporters and wallboards read the
// latest one from there and never touch the engine, so a slow reader cannot
// stall routing.
//
// Thread safety: `Snapshot` is a value (immutable once published).
// `SnapshotPublisher` is thread-safe: any thread may publish or read.
//
// Example (on a RouterLoop):
//   ccengine::metrics::SnapshotPublisher published;
//   ccengine::RouterLoopOptions loop_options;
//   loop_options.on_tick = [&] { published.Publish(collector->TakeSnapshot()); };
//   ... elsewhere, any thread:
//   std::shared_ptr<const ccengine::metrics::Snapshot> s = published.Latest();
#ifndef CCENGINE_METRICS_SNAPSHOT_H_
#define CCENGINE_METRICS_SNAPSHOT_H_

#include <array>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ccengine/core/agent.h"
#include "ccengine/core/kpi.h"
#include "ccengine/metrics/counts.h"

namespace ccengine::metrics {

// Upper bounds, in seconds, of the wait-time histograms' buckets (an
// implicit last bucket holds everything above): spaced around the service
// level thresholds centers use (10 to 60 s) and out to the half hour a
// caller may wait on a busy hotline.
inline constexpr std::array<double, 12> kWaitBucketsSeconds = {
    1, 5, 10, 15, 20, 30, 45, 60, 120, 300, 600, 1800};

// Observations in the buckets of kWaitBucketsSeconds.
struct WaitHistogram {
  // counts[i]: observations v with bound[i-1] < v <= bound[i]; the last entry
  // counts those above the last bound.
  std::array<uint64_t, kWaitBucketsSeconds.size() + 1> counts{};
  double sum_s = 0;
  uint64_t count = 0;
  void Observe(double seconds);
};

// Logged-in agents by state and, for not ready, by reason.
struct AgentsByState {
  std::array<size_t, kAgentStateCount> by_state{};
  std::map<int32_t, size_t> not_ready_by_reason;
};

struct QueueSnapshot {
  std::string queue;
  size_t waiting = 0;
  absl::Duration longest_wait;
  double sl_target = 0;
  absl::Duration sl_threshold;
  ServiceLevelDefinition sl_definition = ServiceLevelDefinition::kWithinOverOffered;
  // Since the collector was attached, each counted when it happened (offered
  // on entry, answered on answer, ...): what a monotonic counter needs.
  QueueCounts total;
  WaitHistogram answer_wait;   // waits of answered contacts
  WaitHistogram abandon_wait;  // waits of abandoned contacts
  // The calendar day so far in the center's time zone (contacts that
  // arrived today, by the calendar rows' rules).
  QueueFigures today;
  // One per MetricsOptions::windows, in that order.
  std::vector<QueueFigures> windows;
};

struct Snapshot {
  uint64_t version = 0;  // set by SnapshotPublisher::Publish: 1, 2, ...
  absl::Time at;         // the engine's time when it was taken
  std::vector<absl::Duration> windows;
  std::vector<QueueSnapshot> queues;  // by queue id
  AgentsByState agents;
  std::map<std::string, AgentsByState> groups;  // assigned groups only
  // Seconds all agents spent in each state since the collector was attached.
  std::array<double, kAgentStateCount> agent_state_seconds{};
};

// A sliding window's short name, as Prometheus' `period` label and the
// wallboard show it: "5m", "15m", "1h", "90m" (whole hours in hours).
std::string WindowLabel(absl::Duration window);

class SnapshotPublisher {
 public:
  // Makes `snapshot` the latest, numbering it, and wakes WaitNewer.
  void Publish(Snapshot snapshot);
  // The latest snapshot; null before the first Publish.
  std::shared_ptr<const Snapshot> Latest() const;
  // The latest snapshot once its version is above `seen`, waiting at most
  // `timeout` (then the latest, which may be older or null); an infinite
  // timeout waits for a newer one.
  std::shared_ptr<const Snapshot> WaitNewer(uint64_t seen, absl::Duration timeout) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::shared_ptr<const Snapshot> latest_;
  uint64_t version_ = 0;
};

}  // namespace ccengine::metrics

#endif  // CCENGINE_METRICS_SNAPSHOT_H_
