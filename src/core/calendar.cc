// HoursOfOperation: validation, IsOpen / NextChange, and the text forms of
// weekdays, times of day and dates.

#include "ccengine/core/calendar.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fmt/format.h"

namespace ccengine {

namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = int64_t{kSecondsPerDay} * kMicrosPerSecond;
// Keeps `micros + offset` and day arithmetic far from int64 overflow; about
// ±146,000 years, beyond any time the engine accepts.
constexpr int64_t kMicrosClamp = int64_t{1} << 62;

constexpr std::string_view kWeekdays[7] = {"mon", "tue", "wed", "thu",
                                           "fri", "sat", "sun"};

const absl::CivilDay kEpochDay(1970, 1, 1);

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Local (day, microsecond of day) of `t`.
struct LocalPoint {
  absl::CivilDay day;
  int64_t micros = 0;  // 0 .. kMicrosPerDay - 1
};

LocalPoint Split(absl::Time t, int32_t offset_s) {
  int64_t us = absl::ToUnixMicros(t);  // saturates for infinite times
  us = std::clamp(us, -kMicrosClamp, kMicrosClamp);
  us += int64_t{offset_s} * kMicrosPerSecond;
  int64_t day = FloorDiv(us, kMicrosPerDay);
  return LocalPoint{kEpochDay + day, us - day * kMicrosPerDay};
}

absl::Time Join(absl::CivilDay day, int32_t second, int32_t offset_s) {
  int64_t days = day - kEpochDay;
  return absl::FromUnixMicros(days * kMicrosPerDay +
                              (int64_t{second} - offset_s) * kMicrosPerSecond);
}

int WeekdayIndex(absl::CivilDay day) {
  return static_cast<int>(absl::GetWeekday(day));  // monday == 0
}

bool InWindows(const std::vector<TimeWindow>& windows, int64_t micros) {
  for (const TimeWindow& w : windows) {
    if (int64_t{w.open_s} * kMicrosPerSecond <= micros &&
        micros < int64_t{w.close_s} * kMicrosPerSecond) {
      return true;
    }
  }
  return false;
}

std::string Window(const TimeWindow& w) {
  return fmt::format("{}-{}", FormatTimeOfDay(w.open_s), FormatTimeOfDay(w.close_s));
}

absl::Status ValidateWindows(const std::vector<TimeWindow>& windows,
                             const std::string& field) {
  for (size_t i = 0; i < windows.size(); ++i) {
    const TimeWindow& w = windows[i];
    if (w.open_s < 0 || w.open_s >= kSecondsPerDay || w.close_s <= 0 ||
        w.close_s > kSecondsPerDay) {
      return absl::InvalidArgumentError(fmt::format(
          "{}[{}]: window {}..{} s is out of the day (open in [0, 86400), close "
          "in (0, 86400])",
          field, i, w.open_s, w.close_s));
    }
    if (w.close_s <= w.open_s) {
      return absl::InvalidArgumentError(
          fmt::format("{}[{}]: window {} closes before it opens", field, i, Window(w)));
    }
    for (size_t j = 0; j < i; ++j) {
      const TimeWindow& v = windows[j];
      if (w.open_s < v.close_s && v.open_s < w.close_s) {
        return absl::InvalidArgumentError(
            fmt::format("{}[{}]: window {} overlaps {}", field, i, Window(w), Window(v)));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateDate(absl::CivilDay day, const std::string& field) {
  if (day.year() < 1 || day.year() > 9999) {
    return absl::InvalidArgumentError(
        fmt::format("{}: year must be in 1..9999, got {}", field, day.year()));
  }
  return absl::OkStatus();
}

const std::vector<TimeWindow>& NoWindows() {
  static const std::vector<TimeWindow>* const kNone = new std::vector<TimeWindow>();
  return *kNone;
}

}  // namespace

// --- Validation ------------------------------------------------------------------

absl::Status HoursOfOperation::Validate() const {
  if (utc_offset_s < -kMaxUtcOffsetSeconds || utc_offset_s > kMaxUtcOffsetSeconds) {
    return absl::InvalidArgumentError(
        fmt::format("utc_offset_s must be within ±50400 (±14 h), got {}", utc_offset_s));
  }
  for (int d = 0; d < 7; ++d) {
    absl::Status st = ValidateWindows(weekly[d], fmt::format("weekly[{}]", kWeekdays[d]));
    if (!st.ok()) return st;
  }
  std::vector<absl::CivilDay> seen;
  for (size_t i = 0; i < holidays.size(); ++i) {
    std::string field = fmt::format("holidays[{}]", i);
    absl::Status st = ValidateDate(holidays[i], field);
    if (!st.ok()) return st;
    if (std::find(seen.begin(), seen.end(), holidays[i]) != seen.end()) {
      return absl::InvalidArgumentError(
          fmt::format("{}: {} is listed twice", field, FormatDate(holidays[i])));
    }
    seen.push_back(holidays[i]);
  }
  for (size_t i = 0; i < special.size(); ++i) {
    const SpecialHours& s = special[i];
    std::string field = fmt::format("special[{}]", FormatDate(s.date));
    absl::Status st = ValidateDate(s.date, fmt::format("special[{}]", i));
    if (!st.ok()) return st;
    if (std::find(seen.begin(), seen.end(), s.date) != seen.end()) {
      return absl::InvalidArgumentError(
          fmt::format("{}: {} is listed twice (as a holiday or special date)", field,
                      FormatDate(s.date)));
    }
    seen.push_back(s.date);
    st = ValidateWindows(s.windows, field);
    if (!st.ok()) return st;
  }
  return absl::OkStatus();
}

// --- Queries ---------------------------------------------------------------------

const std::vector<TimeWindow>& HoursOfOperation::WindowsOn(absl::CivilDay date) const {
  for (const SpecialHours& s : special) {
    if (s.date == date) return s.windows;
  }
  for (const absl::CivilDay& h : holidays) {
    if (h == date) return NoWindows();
  }
  return weekly[WeekdayIndex(date)];
}

bool HoursOfOperation::IsOpen(absl::Time t) const {
  LocalPoint p = Split(t, utc_offset_s);
  return InWindows(WindowsOn(p.day), p.micros);
}

absl::Time HoursOfOperation::NextChange(absl::Time t) const {
  if (t == absl::InfiniteFuture()) return absl::InfiniteFuture();
  const bool state = IsOpen(t);
  LocalPoint p = Split(t, utc_offset_s);
  auto is_exception = [this](absl::CivilDay d) {
    for (const SpecialHours& s : special) {
      if (s.date == d) return true;
    }
    return std::find(holidays.begin(), holidays.end(), d) != holidays.end();
  };
  // The state is constant between candidate points: the opens and closes of
  // a day and midnight (where the next day's rules take over). Walk the days
  // forward; once a full week of ordinary days passes without a change, the
  // weekly pattern can change nothing more, so jump to the next holiday or
  // special date (or give up when there is none).
  absl::CivilDay day = p.day;
  int64_t after = p.micros;  // candidates strictly after this, in the day
  int ordinary_streak = 0;
  std::vector<int32_t> points;
  while (true) {
    const std::vector<TimeWindow>& windows = WindowsOn(day);
    points.clear();
    for (const TimeWindow& w : windows) {
      points.push_back(w.open_s);
      points.push_back(w.close_s);
    }
    points.push_back(kSecondsPerDay);
    std::sort(points.begin(), points.end());
    for (int32_t s : points) {
      if (int64_t{s} * kMicrosPerSecond <= after) continue;
      bool open = s >= kSecondsPerDay ? InWindows(WindowsOn(day + 1), 0)
                                      : InWindows(windows, int64_t{s} * kMicrosPerSecond);
      if (open != state) return Join(day, s, utc_offset_s);
    }
    ++day;
    after = 0;  // midnight itself was a candidate of the day before
    if (is_exception(day)) {
      ordinary_streak = 0;
      continue;
    }
    if (++ordinary_streak < 8) continue;
    std::optional<absl::CivilDay> next;
    for (const SpecialHours& s : special) {
      if (s.date > day && (!next || s.date < *next)) next = s.date;
    }
    for (const absl::CivilDay& h : holidays) {
      if (h > day && (!next || h < *next)) next = h;
    }
    if (!next.has_value()) return absl::InfiniteFuture();
    // Look at the midnight that starts the exception, then at its own day.
    day = *next - 1;
    after = kMicrosPerDay - 1;
    ordinary_streak = 0;
  }
}

// --- Text forms ------------------------------------------------------------------

std::string_view WeekdayName(int day) {
  return day >= 0 && day < 7 ? kWeekdays[day] : std::string_view("?");
}

std::optional<int> ParseWeekday(std::string_view name) {
  for (int d = 0; d < 7; ++d) {
    if (kWeekdays[d] == name) return d;
  }
  return std::nullopt;
}

std::string FormatTimeOfDay(int32_t seconds) {
  if (seconds < 0 || seconds > kSecondsPerDay) return fmt::format("{}s", seconds);
  int h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60;
  return s == 0 ? fmt::format("{:02}:{:02}", h, m)
                : fmt::format("{:02}:{:02}:{:02}", h, m, s);
}

absl::StatusOr<int32_t> ParseTimeOfDay(std::string_view text) {
  auto bad = [&] {
    return absl::InvalidArgumentError(
        fmt::format("'{}' is not a time of day (expected \"hh:mm\" or \"hh:mm:ss\", "
                    "00:00..24:00)",
                    text));
  };
  int parts[3] = {0, 0, 0};
  int count = 0;
  size_t i = 0;
  while (count < 3) {
    size_t start = i;
    int value = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 2) {
      value = value * 10 + (text[i] - '0');
      ++i;
    }
    size_t digits = i - start;
    if (digits == 0 || (count > 0 && digits != 2)) return bad();
    parts[count++] = value;
    if (i == text.size()) break;
    if (text[i] != ':') return bad();
    ++i;
  }
  if (i != text.size() || count < 2) return bad();
  if (parts[1] > 59 || parts[2] > 59) return bad();
  int32_t seconds = TimeOfDay(parts[0], parts[1], parts[2]);
  if (seconds > kSecondsPerDay) return bad();
  return seconds;
}

std::string FormatDate(absl::CivilDay day) {
  return fmt::format("{:04}-{:02}-{:02}", day.year(), day.month(), day.day());
}

absl::StatusOr<absl::CivilDay> ParseDate(std::string_view text) {
  auto bad = [&] {
    return absl::InvalidArgumentError(
        fmt::format("'{}' is not a date (expected \"YYYY-MM-DD\")", text));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  auto number = [&](size_t from, size_t len, int* out) {
    int v = 0;
    for (size_t k = from; k < from + len; ++k) {
      if (text[k] < '0' || text[k] > '9') return false;
      v = v * 10 + (text[k] - '0');
    }
    *out = v;
    return true;
  };
  int y = 0, m = 0, d = 0;
  if (!number(0, 4, &y) || !number(5, 2, &m) || !number(8, 2, &d)) return bad();
  absl::CivilDay day(y, m, d);  // normalizes 2026-02-30 to March
  if (y < 1 || day.year() != y || day.month() != m || day.day() != d) return bad();
  return day;
}

}  // namespace ccengine
