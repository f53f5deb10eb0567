// -----------------------------------------------------------------------------
// File: ccengine/sqlite/interval_store.h
// -----------------------------------------------------------------------------
//
// The metrics module's interval rows (ccengine/metrics/intervals.h) in an
// SQLite file, so that a restart does not lose the day and monthly reports
// span restarts: `OpenSqliteIntervalStore` returns a `metrics::IntervalStore`.
//
// The file holds three tables, readable with any SQLite client:
//   queue_intervals (start_s, queue, sl_definition, offered, answered,
//                    answered_within, abandoned, short_abandoned, overflowed,
//                    transferred, withdrawn, completed, wait_answered_us,
//                    handle_us, surveys, csat_sum, outcomes, resolved)
//   agent_intervals (start_s, agent, grp, answered, completed, handle_us,
//                    not_ready_us, available_us, reserved_us, busy_us,
//                    wrap_up_us, surveys, csat_sum, outcomes, resolved)
//   agent_not_ready (start_s, agent, reason, us)
// keyed by (start_s, queue) and (start_s, agent); start_s is the interval's
// start in Unix seconds. A write is one transaction: a row written again
// replaces the old one (its not-ready reasons too).
//
// Thread safety: the store is thread-safe (one connection behind a mutex);
// several stores, in one process or many, may share a file (WAL).
//
// Example:
//   auto store = ccengine::sqlite::OpenSqliteIntervalStore({"metrics.db"}).value();
//   collector->RestoreIntervals(store->Read(day_start, now).value());
//   ... each minute: store->Write(collector->TakeChangedIntervals());
#ifndef CCENGINE_ADAPTERS_SQLITE_INCLUDE_CCENGINE_SQLITE_INTERVAL_STORE_H_
#define CCENGINE_ADAPTERS_SQLITE_INCLUDE_CCENGINE_SQLITE_INTERVAL_STORE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/metrics/intervals.h"

namespace ccengine::sqlite {

struct SqliteIntervalStoreOptions {
  // The database file; created (with the schema) when missing. ":memory:" is
  // refused (use metrics::MemoryIntervalStore).
  std::string path;
  // As SqliteTicketStoreOptions (ticket_store.h): lock wait, how hard a
  // commit is pushed to disk, the file's size limit (0: none).
  absl::Duration busy_timeout = absl::Seconds(5);
  enum class Sync { kFull, kNormal, kOff };
  Sync sync = Sync::kNormal;
  int64_t max_database_bytes = 0;
};

// Opens (or creates) the store. InvalidArgument for bad options;
// FailedPrecondition naming the path for a file that is not an interval
// store (another SQLite file, a newer schema); Unavailable when the file
// cannot be opened.
absl::StatusOr<std::unique_ptr<metrics::IntervalStore>> OpenSqliteIntervalStore(
    const SqliteIntervalStoreOptions& options);

}  // namespace ccengine::sqlite

#endif  // CCENGINE_ADAPTERS_SQLITE_INCLUDE_CCENGINE_SQLITE_INTERVAL_STORE_H_
