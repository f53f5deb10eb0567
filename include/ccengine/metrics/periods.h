// -----------------------------------------------------------------------------
// File: ccengine/metrics/periods.h
// -----------------------------------------------------------------------------
//
// Calendar periods in a center's time zone — 15 and 30 minutes, hour, day,
// ISO week (from Monday), month — for live rows and stored reports alike.
// Daylight saving is followed: when clocks go back, the repeated hour (and
// half hours) are periods of their own and a day begins at the first pass
// of its midnight; a period whose start is skipped begins at the change.
//
// Thread safety: pure functions.
#ifndef CCENGINE_METRICS_PERIODS_H_
#define CCENGINE_METRICS_PERIODS_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ccengine::metrics {

enum class Granularity : uint8_t {
  k15Minutes = 0,
  k30Minutes,
  kHour,
  kDay,
  kWeek,  // ISO weeks, from Monday 00:00
  kMonth,
};
// "15min", "30min", "hour", "day", "week", "month".
std::string_view GranularityName(Granularity granularity);
absl::StatusOr<Granularity> ParseGranularity(std::string_view name);

// The start of the period of `granularity` containing `t` in `zone`, and
// the start of the period after it.
absl::Time PeriodStart(Granularity granularity, absl::Time t, const absl::TimeZone& zone);
absl::Time NextPeriodStart(Granularity granularity, absl::Time t,
                           const absl::TimeZone& zone);

// The 15-minute intervals rows are kept in: every time zone in use today is
// offset from UTC by a multiple of 15 minutes, so they are the center's
// local quarter hours too.
inline constexpr int64_t kIntervalSeconds = 15 * 60;

}  // namespace ccengine::metrics

#endif  // CCENGINE_METRICS_PERIODS_H_
