// -----------------------------------------------------------------------------
// File: ccengine/core/calendar.h
// -----------------------------------------------------------------------------
//
// `ccengine::HoursOfOperation`: when a queue is open. A weekly calendar —
// for each weekday a list of open windows (several per day, e.g. 08:30–12:00
// and 13:30–18:00) — plus holidays (civil dates closed all day) and special
// dates with their own windows (a short Christmas Eve), all in the calendar's
// own local time, a fixed offset from UTC. A fixed offset keeps the engine
// free of tzdata and of daylight-saving jumps (the hotline this was written
// for is UTC+8 all year); a site that observes DST updates the queue's hours
// at the switch.
//
// Windows are half-open, [open, close): open at 08:30:00, closed again at
// 12:00:00 exactly. Times are seconds of the local day, 0..86400; a close of
// 86400 (24:00) runs to midnight, and a window ending at 24:00 followed by one
// starting at 00:00 the next day is one continuous opening (a 24-hour desk).
// Windows of a day must not overlap; touching windows (…–12:00, 12:00–…) are
// one opening. A date listed in `special` uses its own windows instead of the
// weekday's (empty: closed all day); a date in `holidays` is closed all day.
//
// `Validate()` returns InvalidArgument naming the field ("weekly[mon][1]:
// 11:00-13:00 overlaps 08:30-12:00"); the engine validates a queue's hours
// when the queue is added or updated. `IsOpen` and `NextChange` are defined
// for any value (they do not require a valid calendar), and cost a few
// windows per day looked at.
//
// Thread safety: a plain value; thread-compatible.
//
// Example:
//   ccengine::HoursOfOperation h;
//   h.utc_offset_s = 8 * 3600;  // UTC+8
//   for (int d = 0; d < 5; ++d) {  // Monday..Friday
//     h.weekly[d] = {{ccengine::TimeOfDay(8, 30), ccengine::TimeOfDay(12, 0)},
//                    {ccengine::TimeOfDay(13, 30), ccengine::TimeOfDay(18, 0)}};
//   }
//   h.holidays = {absl::CivilDay(2026, 10, 1)};
//   bool open = h.IsOpen(absl::Now());

#ifndef CCENGINE_CORE_CALENDAR_H_
#define CCENGINE_CORE_CALENDAR_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace ccengine {

inline constexpr int32_t kSecondsPerDay = 86400;
// Offsets beyond ±14 h exist nowhere on Earth.
inline constexpr int32_t kMaxUtcOffsetSeconds = 14 * 3600;

// Seconds of the day for hh:mm[:ss]; TimeOfDay(24, 0) == 86400.
constexpr int32_t TimeOfDay(int hours, int minutes, int seconds = 0) {
  return hours * 3600 + minutes * 60 + seconds;
}

// One opening of a day: [open_s, close_s) in seconds of the local day,
// 0 <= open_s < close_s <= 86400.
struct TimeWindow {
  int32_t open_s = 0;
  int32_t close_s = kSecondsPerDay;
  friend bool operator==(const TimeWindow&, const TimeWindow&) = default;
};

// A date with hours of its own (empty `windows`: closed all day).
struct SpecialHours {
  absl::CivilDay date;
  std::vector<TimeWindow> windows;
  friend bool operator==(const SpecialHours&, const SpecialHours&) = default;
};

struct HoursOfOperation {
  // Local time = UTC + utc_offset_s; |offset| <= 14 h. 28800 is UTC+8.
  int32_t utc_offset_s = 0;
  // Indexed Monday = 0 … Sunday = 6 (as `absl::Weekday`). An empty day is
  // closed.
  std::array<std::vector<TimeWindow>, 7> weekly;
  std::vector<absl::CivilDay> holidays;  // closed all day
  std::vector<SpecialHours> special;     // replace the weekday's windows

  friend bool operator==(const HoursOfOperation&, const HoursOfOperation&) = default;

  // InvalidArgument for an offset out of range, a window out of 0..86400 or
  // reversed or empty, overlapping windows on one day, a date listed twice
  // (in holidays, in special, or in both) or a year outside 1..9999.
  absl::Status Validate() const;

  // Whether `t` falls inside an opening (local time, half-open windows).
  bool IsOpen(absl::Time t) const;
  // The first instant after `t` at which IsOpen changes; InfiniteFuture()
  // when it never does (always open, always closed, or only within dates
  // that are all behind `t`).
  absl::Time NextChange(absl::Time t) const;

  // The windows in force on a local date (special, holiday or weekday).
  const std::vector<TimeWindow>& WindowsOn(absl::CivilDay date) const;
};

// "mon", "tue", … "sun" for 0..6; parsing accepts exactly these.
std::string_view WeekdayName(int day);
std::optional<int> ParseWeekday(std::string_view name);
// "08:30", "24:00", or "08:30:15" when the seconds are not zero.
std::string FormatTimeOfDay(int32_t seconds);
// "hh:mm" or "hh:mm:ss", 00:00..24:00 (InvalidArgument otherwise).
absl::StatusOr<int32_t> ParseTimeOfDay(std::string_view text);
// "2026-10-01" <-> the civil day (InvalidArgument for anything else).
std::string FormatDate(absl::CivilDay day);
absl::StatusOr<absl::CivilDay> ParseDate(std::string_view text);

}  // namespace ccengine

#endif  // CCENGINE_CORE_CALENDAR_H_
