// -----------------------------------------------------------------------------
// File: ccengine/metrics/intervals.h
// -----------------------------------------------------------------------------
//
// Persisted interval rows and the reports made from them. The collector
// keeps a queue's and an agent's counts per 15-minute interval (the
// counting rules of collector.h); `Collector::TakeChangedIntervals` hands
// over the rows that changed, an `IntervalStore` keeps them (in memory
// here; in SQLite with adapters/sqlite, so that a restart does not lose the
// day), `Collector::RestoreIntervals` brings them back after a restart, and
// the report functions sum stored rows into days, ISO weeks and months in
// the center's time zone — as CSV or JSON — however long ago they were
// counted, or as a chart (SVG).
//
// Rows are keyed by (start, queue name) and (start, agent id): writing a row
// again replaces it, since a contact's outcome counts in the interval it
// arrived in and so changes that interval's row after it has passed.
//
// Thread safety: the row types are values and the report functions pure;
// `MemoryIntervalStore` is thread-safe, as every `IntervalStore` must be.
#ifndef CCENGINE_METRICS_INTERVALS_H_
#define CCENGINE_METRICS_INTERVALS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/kpi.h"
#include "ccengine/core/types.h"
#include "ccengine/metrics/counts.h"
#include "ccengine/metrics/periods.h"

namespace ccengine::metrics {

// A queue's counts over one 15-minute interval.
struct QueueInterval {
  absl::Time start;  // a multiple of 15 minutes since the Unix epoch
  std::string queue;
  ServiceLevelDefinition sl_definition = ServiceLevelDefinition::kWithinOverOffered;
  QueueCounts counts;
};

// An agent's counts and time over one 15-minute interval.
struct AgentInterval {
  absl::Time start;
  AgentId agent;
  std::string group;  // empty unless assigned
  AgentCounts counts;
};

struct IntervalBatch {
  std::vector<QueueInterval> queues;
  std::vector<AgentInterval> agents;
};

// Where interval rows are kept. Implementations are thread-safe.
class IntervalStore {
 public:
  virtual ~IntervalStore() = default;
  // Stores every row of `batch`, replacing rows with the same key; all or
  // nothing. InvalidArgument for a row whose start is not on a 15-minute
  // boundary or is infinite (nothing stored).
  virtual absl::Status Write(const IntervalBatch& batch) = 0;
  // The rows whose start is in [from, to), by start, then queue name or
  // agent id. InvalidArgument when from > to or either is infinite.
  virtual absl::StatusOr<IntervalBatch> Read(absl::Time from, absl::Time to) const = 0;
  // Retention: removes the rows whose start is before `before` and returns
  // how many (queue and agent rows; an agent row's not-ready reasons go
  // with it); all or nothing. InvalidArgument for an infinite time.
  virtual absl::StatusOr<size_t> DropBefore(absl::Time before) = 0;
};

// Checks what every store checks (row starts, a range).
absl::Status CheckIntervalBatch(const IntervalBatch& batch);
absl::Status CheckIntervalRange(absl::Time from, absl::Time to);
absl::Status CheckDropBefore(absl::Time before);

// An IntervalStore in memory (tests, simulations, a process that need not
// survive a restart).
class MemoryIntervalStore : public IntervalStore {
 public:
  absl::Status Write(const IntervalBatch& batch) override;
  absl::StatusOr<IntervalBatch> Read(absl::Time from, absl::Time to) const override;
  absl::StatusOr<size_t> DropBefore(absl::Time before) override;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<absl::Time, std::string>, QueueInterval> queues_;
  std::map<std::pair<absl::Time, uint64_t>, AgentInterval> agents_;
};

// Reports: stored rows summed per period of `granularity` in `zone`, one
// row per period and queue (agent, group) that has something, in time then
// name (id) order. A queue's service level follows the definition of its
// latest row in the period.
std::vector<QueueRow> QueueReport(const std::vector<QueueInterval>& rows,
                                  Granularity granularity, const absl::TimeZone& zone);
std::vector<AgentRow> AgentReport(const std::vector<AgentInterval>& rows,
                                  Granularity granularity, const absl::TimeZone& zone);
std::vector<GroupRow> GroupReport(const std::vector<AgentInterval>& rows,
                                  Granularity granularity, const absl::TimeZone& zone);

// A report as CSV (RFC 4180: a header line, CRLF line ends, fields quoted
// where they need it; periods as local ISO 8601 times with their offset;
// figures with nothing to measure empty) or as a JSON array of objects
// (null for those figures). Agent rows carry not-ready seconds per reason
// (CSV: one `not_ready_s_<reason>` column per reason that occurs).
std::string QueueReportCsv(const std::vector<QueueRow>& rows, const absl::TimeZone& zone);
std::string QueueReportJson(const std::vector<QueueRow>& rows,
                            const absl::TimeZone& zone);
std::string AgentReportCsv(const std::vector<AgentRow>& rows, const absl::TimeZone& zone);
std::string AgentReportJson(const std::vector<AgentRow>& rows,
                            const absl::TimeZone& zone);
std::string GroupReportCsv(const std::vector<GroupRow>& rows, const absl::TimeZone& zone);
std::string GroupReportJson(const std::vector<GroupRow>& rows,
                            const absl::TimeZone& zone);

// A chart of a queue report as SVG: service level per period, a bar per
// queue (none where nothing was measured), against `target` as a dashed
// line (NaN: none); periods labelled in `zone` by `granularity` (times of
// day below a day, dates above). Self-contained: opens in a browser, embeds
// in HTML or a document.
std::string QueueReportSvg(const std::vector<QueueRow>& rows, Granularity granularity,
                           const absl::TimeZone& zone, double target);

}  // namespace ccengine::metrics

#endif  // CCENGINE_METRICS_INTERVALS_H_
