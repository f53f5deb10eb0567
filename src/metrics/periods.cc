#include "ccengine/metrics/periods.h"

#include <array>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "fmt/format.h"

namespace ccengine::metrics {

namespace {
constexpr std::array<std::string_view, 6> kGranularityNames = {"15min", "30min", "hour",
                                                               "day",   "week",  "month"};
}  // namespace

std::string_view GranularityName(Granularity granularity) {
  const auto i = static_cast<size_t>(granularity);
  return i < kGranularityNames.size() ? kGranularityNames[i]
                                      : std::string_view("unknown");
}

absl::StatusOr<Granularity> ParseGranularity(std::string_view name) {
  for (size_t i = 0; i < kGranularityNames.size(); ++i) {
    if (kGranularityNames[i] == name) return static_cast<Granularity>(i);
  }
  return absl::InvalidArgumentError(fmt::format(
      "unknown granularity '{}' (known: {})", name, fmt::join(kGranularityNames, ", ")));
}

namespace {

// The instant at which the local time `start` began, for the period that
// contains `t` (start <= t in local time). When clocks go forward over
// `start`, the period begins at the transition. When they go back, `start`
// happens twice: for hours and half hours the second pass is a period of
// its own (the one if it is not after `t`); a day, week or month begins at
// the first.
absl::Time PeriodBegin(absl::CivilSecond start, absl::Time t, const absl::TimeZone& tz,
                       bool second_pass_is_a_period) {
  const absl::TimeZone::TimeInfo info = tz.At(start);
  switch (info.kind) {
    case absl::TimeZone::TimeInfo::UNIQUE: return info.pre;
    case absl::TimeZone::TimeInfo::SKIPPED: return info.trans;
    case absl::TimeZone::TimeInfo::REPEATED:
      return second_pass_is_a_period && info.post <= t ? info.post : info.pre;
  }
  return info.pre;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

absl::Time PeriodStart(Granularity granularity, absl::Time t,
                       const absl::TimeZone& zone) {
  const absl::TimeZone& tz = zone;
  switch (granularity) {
    case Granularity::k15Minutes:
      return absl::FromUnixSeconds(FloorDiv(absl::ToUnixSeconds(t), kIntervalSeconds) *
                                   kIntervalSeconds);
    case Granularity::k30Minutes: {
      const absl::CivilMinute m = absl::ToCivilMinute(t, tz);
      return PeriodBegin(absl::CivilMinute(m.year(), m.month(), m.day(), m.hour(),
                                           m.minute() - m.minute() % 30),
                         t, tz, true);
    }
    case Granularity::kHour: return PeriodBegin(absl::ToCivilHour(t, tz), t, tz, true);
    case Granularity::kDay: return PeriodBegin(absl::ToCivilDay(t, tz), t, tz, false);
    case Granularity::kWeek: {
      const absl::CivilDay d = absl::ToCivilDay(t, tz);
      return PeriodBegin(absl::PrevWeekday(d + 1, absl::Weekday::monday), t, tz, false);
    }
    case Granularity::kMonth: return PeriodBegin(absl::ToCivilMonth(t, tz), t, tz, false);
  }
  return t;
}

absl::Time NextPeriodStart(Granularity granularity, absl::Time t,
                           const absl::TimeZone& zone) {
  const absl::TimeZone& tz = zone;
  // Past the period's end by less than the shortest next period, whatever
  // daylight saving does to its length, then back to that period's start.
  const absl::Time start = PeriodStart(granularity, t, tz);
  switch (granularity) {
    case Granularity::k15Minutes: return start + absl::Minutes(15);
    case Granularity::k30Minutes:
      return PeriodStart(granularity, start + absl::Minutes(45), tz);
    case Granularity::kHour:
      return PeriodStart(granularity, start + absl::Minutes(90), tz);
    case Granularity::kDay: return PeriodStart(granularity, start + absl::Hours(36), tz);
    case Granularity::kWeek:
      return PeriodStart(granularity, start + absl::Hours(24 * 7 + 12), tz);
    case Granularity::kMonth:
      return PeriodStart(granularity, start + absl::Hours(24 * 45), tz);
  }
  return start;
}

}  // namespace ccengine::metrics
