// -----------------------------------------------------------------------------
// File: ccengine/metrics/collector.h
// -----------------------------------------------------------------------------
//
// `ccengine::metrics::Collector` turns a running engine's events into the
// figures supervisors run a center on: per queue, per agent and per agent
// group, over calendar intervals (15 and 30 minutes, hour, day, week, month
// in the center's time zone) and over sliding windows (by default the last
// 5, 15 and 60 minutes). The formulas are those of ccengine/core/kpi.h, the
// ones the simulator uses, and a queue's service level follows its own
// `QueueConfig::sl_definition`; docs/metrics.md has every definition.
//
// Counting rules (the simulator's, so that one center gives one number):
//   - A contact counts in every queue it enters (arrival, overflow,
//     transfer): offered there once per entry. Its part in a queue ends as
//     answered (then completed or transferred), abandoned, overflowed
//     (moved on to the overflow queue or out of the engine) or withdrawn.
//   - Calendar intervals: everything about a contact counts in the interval
//     in which it first arrived, whenever it happens; until its outcome it
//     is only offered there.
//   - Sliding windows: a contact's part in a queue counts, whole, in the
//     minute its outcome happened (answered, abandoned, overflowed,
//     withdrawn); completions in the minute they happened. A window of k
//     minutes is the current minute and the k - 1 before it.
//   - Waits are from the contact's arrival in the engine (Event::wait);
//     answered within = wait <= the queue's sl_threshold; a short abandon
//     waited less than the queue's short_abandon.
//   - Agent time is split exactly at interval boundaries; occupancy =
//     (reserved + busy + wrap-up) / (available + reserved + busy + wrap-up),
//     utilization = (reserved + busy + wrap-up) / logged-in time (kpi.h).
//
// Attach the collector before agents log in and after any Engine::LoadState
// or journal recovery: an agent's time counts from its first state change
// the collector sees, and contacts that arrived before Attach are not
// counted. Time logged out is not kept (an agent's rows cover its logged-in
// time).
//
// Memory: one row per queue and per logged-in agent that had something in
// each 15-minute interval, kept for `MetricsOptions::retain` (older
// intervals are dropped as time passes, checked at the first event of each
// interval; outcomes of contacts that arrived in a dropped interval count in
// the windows only), one entry per contact in the engine and per logged-in
// agent, and one row per queue per minute of the longest window.
//
// Thread safety: thread-compatible, like the engine: the engine calls it on
// the router thread, and its queries must be made there too (or while the
// router is stopped).
//
// Example:
//   auto collector = ccengine::metrics::Collector::Attach(engine, {}).value();
//   ... engine runs ...
//   auto today = collector->QueueRows(ccengine::metrics::Granularity::kDay,
//                                     day_start, day_start + absl::Hours(24));
#ifndef CCENGINE_METRICS_COLLECTOR_H_
#define CCENGINE_METRICS_COLLECTOR_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/agent.h"
#include "ccengine/core/engine.h"
#include "ccengine/core/events.h"
#include "ccengine/core/kpi.h"
#include "ccengine/core/types.h"
#include "ccengine/metrics/counts.h"
#include "ccengine/metrics/intervals.h"
#include "ccengine/metrics/periods.h"
#include "ccengine/metrics/snapshot.h"

namespace ccengine::metrics {

struct MetricsOptions {
  absl::TimeZone time_zone = absl::UTCTimeZone();  // the center's
  // Sliding windows, in whole minutes, each in [1 min, 24 h], no two alike.
  std::vector<absl::Duration> windows = {absl::Minutes(5), absl::Minutes(15),
                                         absl::Minutes(60)};
  // How long 15-minute rows are kept; at least one hour.
  absl::Duration retain = absl::Hours(24 * 7);
};

// A queue right now.
struct QueueNow {
  std::string queue;
  size_t waiting = 0;
  absl::Duration longest_wait;
  double sl_target = 0;
  // One per MetricsOptions::windows, in that order.
  std::vector<QueueFigures> windows;
};

class Collector {
 public:
  // Subscribes to `engine`, which must outlive the collector (the destructor
  // unsubscribes). InvalidArgument for bad options.
  static absl::StatusOr<std::unique_ptr<Collector>> Attach(Engine& engine,
                                                           MetricsOptions options);
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // Agent groups (teams) for group rows; an agent has at most one. Empty:
  // none.
  void AssignGroup(AgentId agent, std::string group);

  // Calendar rows of the periods that overlap [from, to) (from the period
  // containing `from` to the one containing the instant before `to`), one
  // per queue (or agent, group) and period that has something, in time
  // order. InvalidArgument when from > to or either is infinite. Rows older
  // than `retain` are gone.
  absl::StatusOr<std::vector<QueueRow>> QueueRows(Granularity granularity,
                                                  absl::Time from, absl::Time to) const;
  absl::StatusOr<std::vector<AgentRow>> AgentRows(Granularity granularity,
                                                  absl::Time from, absl::Time to) const;
  absl::StatusOr<std::vector<GroupRow>> GroupRows(Granularity granularity,
                                                  absl::Time from, absl::Time to) const;
  // A queue's totals over the 15-minute intervals that overlap [from, to).
  absl::StatusOr<QueueFigures> QueueTotal(QueueId queue, absl::Time from,
                                          absl::Time to) const;

  // Each queue now: waiting, longest wait, the sliding windows at the
  // engine's time.
  std::vector<QueueNow> Now() const;
  // Logged-in agents by state and, for not ready, by reason, now.
  // Persistence (intervals.h). The 15-minute rows written since the last
  // call — a row changes after its interval has passed, when contacts that
  // arrived in it get their outcome — with every logged-in agent's time
  // booked up to the engine's time first. Hand them to an IntervalStore
  // (on any thread: the batch is a copy), e.g. each minute and at shutdown.
  IntervalBatch TakeChangedIntervals();
  // After a restart: puts stored rows back (those within `retain`; queues
  // found by name, rows of unknown queues skipped), so today's rows, the
  // snapshot's "today" and reports continue where they stopped. Call it
  // right after Attach (FailedPrecondition once the collector has seen an
  // event); the rows it puts back are not handed out again until they
  // change. Contacts in flight at the restart are not carried over (their
  // arrival counted before, their outcome is not counted after). The
  // number of rows restored; InvalidArgument for a bad row start.
  absl::StatusOr<size_t> RestoreIntervals(const IntervalBatch& batch);

  using AgentsNow = AgentsByState;
  AgentsNow AgentStates() const;

  // The live picture at the engine's time (snapshot.h), for a
  // SnapshotPublisher: O(queues x (longest window in minutes + the day's
  // 15-minute rows, up to 96) + logged-in agents). "Today" comes from the
  // kept 15-minute rows, so with `retain` under a day it starts no earlier
  // than they do.
  Snapshot TakeSnapshot() const;

  // The start of the period of `granularity` containing `t`, in the
  // center's time zone, and the start of the period after it.
  absl::Time PeriodStart(Granularity granularity, absl::Time t) const;
  absl::Time NextPeriodStart(Granularity granularity, absl::Time t) const;

  const MetricsOptions& options() const { return options_; }

 private:
  struct ContactTrack {
    int64_t slot = 0;            // the arrival's 15-minute interval
    uint32_t queue = 0;          // the queue it is in
    bool answered_here = false;  // answered in that queue
  };
  struct AgentTrack {
    AgentState state = AgentState::kLoggedOut;
    int32_t reason = kReasonNone;
    absl::Time since;
    bool seen = false;  // a state change was seen
    // The agent's row of interval `slot`, the one used last.
    int64_t slot = INT64_MIN;
    AgentCounts* counts = nullptr;
  };
  struct Minute {
    int64_t minute = INT64_MIN;
    QueueCounts counts;
  };
  // Since Attach, for counters (Snapshot::QueueSnapshot::total).
  struct QueueTotals {
    QueueCounts counts;
    WaitHistogram answer_wait;
    WaitHistogram abandon_wait;
  };

  Collector(Engine& engine, MetricsOptions options);
  void OnEvent(const Event& e);
  QueueCounts& QueueAt(uint32_t queue, int64_t slot);
  AgentCounts& AgentAt(AgentId agent, int64_t slot);
  AgentCounts& CountsOf(AgentTrack& track, AgentId agent, int64_t slot);
  QueueCounts& WindowAt(uint32_t queue, absl::Time t);
  QueueTotals& TotalsOf(uint32_t queue);
  // The sum of queue's last `minutes` minutes up to `minute`.
  QueueCounts WindowSum(uint32_t queue, int64_t minute, int64_t minutes) const;
  // Books the track's state from `since` to `until` (rows and totals) and
  // moves `since` to `until`.
  void BookAgentTime(AgentId agent, AgentTrack& track, absl::Time until);
  // Drops cached row pointers, so the next write finds (and marks) its row.
  void ForgetRowPointers();
  // [from, until) of the track's state, split at 15-minute boundaries into
  // row_of(slot).
  template <typename RowOf>
  void SplitAgentTime(const AgentTrack& track, absl::Time from, absl::Time until,
                      RowOf row_of) const;
  void Prune(absl::Time now);
  ServiceLevelTerms TermsOf(uint32_t queue) const;
  absl::Status CheckRange(Granularity granularity, absl::Time from, absl::Time to) const;
  // [start of the period containing from, end of the period containing the
  // instant before to).
  std::pair<absl::Time, absl::Time> Periods(Granularity granularity, absl::Time from,
                                            absl::Time to) const;

  Engine& engine_;
  MetricsOptions options_;
  Engine::SubscriptionId subscription_{};
  int64_t window_minutes_ = 0;  // the longest window
  absl::flat_hash_map<uint64_t, ContactTrack> contacts_;
  absl::flat_hash_map<uint64_t, AgentTrack> agents_;
  absl::flat_hash_map<uint64_t, std::string> groups_;
  // 15-minute rows: slot -> queue -> counts; slot -> agent -> counts.
  std::map<int64_t, std::vector<std::optional<QueueCounts>>> queue_slots_;
  // (Nodes, so that an agent's track may point at its row.)
  std::map<int64_t, absl::node_hash_map<uint64_t, AgentCounts>> agent_slots_;
  std::vector<std::vector<Minute>> minutes_;                // [queue][minute % ring size]
  std::vector<QueueTotals> totals_;                         // [queue]
  std::array<int64_t, kAgentStateCount> agent_state_us_{};  // booked spans
  absl::flat_hash_set<int64_t> changed_;  // intervals written since TakeChangedIntervals
  bool events_seen_ = false;
  int64_t pruned_below_ = INT64_MIN;
  int64_t last_slot_ = INT64_MIN;  // of the last event
  // The rows of the interval used last (map nodes do not move).
  struct QueueCache {
    int64_t slot = INT64_MIN;
    std::vector<std::optional<QueueCounts>>* rows = nullptr;
  } queue_cache_;
  struct AgentCache {
    int64_t slot = INT64_MIN;
    absl::node_hash_map<uint64_t, AgentCounts>* rows = nullptr;
  } agent_cache_;
};

}  // namespace ccengine::metrics

#endif  // CCENGINE_METRICS_COLLECTOR_H_
