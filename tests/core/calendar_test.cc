// HoursOfOperation: window boundaries, midnight, holidays and special dates,
// the UTC offset, NextChange against a brute-force scan, validation messages
// and the text forms.

#include "ccengine/core/calendar.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace ccengine {
namespace {

constexpr int32_t kUtc8 = 8 * 3600;

// The hotline's week: Monday to Friday 08:30-12:00 and 13:30-18:00 (UTC+8),
// closed on National Day.
HoursOfOperation Hotline() {
  HoursOfOperation h;
  h.utc_offset_s = kUtc8;
  for (int d = 0; d < 5; ++d) {
    h.weekly[d] = {{TimeOfDay(8, 30), TimeOfDay(12, 0)},
                   {TimeOfDay(13, 30), TimeOfDay(18, 0)}};
  }
  h.holidays = {absl::CivilDay(2026, 10, 1)};
  return h;
}

// Local wall time of a calendar with offset `offset_s`.
absl::Time Local(int y, int mo, int d, int h, int mi, int s = 0,
                 int32_t offset_s = kUtc8) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s),
                         absl::FixedTimeZone(offset_s));
}

TEST(CalendarTest, WindowsAreHalfOpenAtTheirBoundaries) {
  HoursOfOperation h = Hotline();
  ASSERT_TRUE(h.Validate().ok());
  // 2026-09-28 is a Monday.
  absl::Time opens = Local(2026, 9, 28, 8, 30);
  EXPECT_FALSE(h.IsOpen(opens - absl::Microseconds(1)));
  EXPECT_TRUE(h.IsOpen(opens));
  EXPECT_TRUE(h.IsOpen(Local(2026, 9, 28, 11, 59, 59)));
  EXPECT_FALSE(h.IsOpen(Local(2026, 9, 28, 12, 0)));
  EXPECT_FALSE(h.IsOpen(Local(2026, 9, 28, 13, 29, 59)));
  EXPECT_TRUE(h.IsOpen(Local(2026, 9, 28, 13, 30)));
  EXPECT_FALSE(h.IsOpen(Local(2026, 9, 28, 18, 0)));
  EXPECT_FALSE(h.IsOpen(Local(2026, 9, 27, 10, 0)));  // Sunday
  EXPECT_FALSE(h.IsOpen(Local(2026, 10, 3, 10, 0)));  // Saturday
}

TEST(CalendarTest, NextChangeWalksTheDayTheWeekendAndTheHoliday) {
  HoursOfOperation h = Hotline();
  EXPECT_EQ(h.NextChange(Local(2026, 9, 28, 7, 0)), Local(2026, 9, 28, 8, 30));
  EXPECT_EQ(h.NextChange(Local(2026, 9, 28, 8, 30)), Local(2026, 9, 28, 12, 0));
  EXPECT_EQ(h.NextChange(Local(2026, 9, 28, 12, 0)), Local(2026, 9, 28, 13, 30));
  EXPECT_EQ(h.NextChange(Local(2026, 9, 28, 17, 59, 59)), Local(2026, 9, 28, 18, 0));
  // Wednesday evening: Thursday is National Day, so Friday morning.
  EXPECT_EQ(h.NextChange(Local(2026, 9, 30, 18, 0)), Local(2026, 10, 2, 8, 30));
  EXPECT_FALSE(h.IsOpen(Local(2026, 10, 1, 10, 0)));
  // Friday evening: Monday morning.
  EXPECT_EQ(h.NextChange(Local(2026, 10, 2, 18, 0)), Local(2026, 10, 5, 8, 30));
}

TEST(CalendarTest, UtcOffsetShiftsTheLocalDay) {
  HoursOfOperation h = Hotline();
  // 00:30 UTC on Monday is 08:30 in UTC+8: open.
  absl::Time t =
      absl::FromCivil(absl::CivilSecond(2026, 9, 28, 0, 30, 0), absl::UTCTimeZone());
  EXPECT_TRUE(h.IsOpen(t));
  // Sunday 23:00 UTC is Monday 07:00 local: closed until 08:30 local.
  absl::Time sunday =
      absl::FromCivil(absl::CivilSecond(2026, 9, 27, 23, 0, 0), absl::UTCTimeZone());
  EXPECT_FALSE(h.IsOpen(sunday));
  EXPECT_EQ(h.NextChange(sunday), t);
  h.utc_offset_s = 0;  // the same instant in a UTC calendar: closed
  EXPECT_FALSE(h.IsOpen(t));
  // A negative offset and a time before the Unix epoch.
  HoursOfOperation west;
  west.utc_offset_s = -5 * 3600;
  west.weekly[2] = {{TimeOfDay(9, 0), TimeOfDay(17, 0)}};      // Wednesdays
  absl::Time t1969 = Local(1969, 12, 31, 9, 0, 0, -5 * 3600);  // a Wednesday
  EXPECT_TRUE(west.IsOpen(t1969));
  EXPECT_FALSE(west.IsOpen(t1969 - absl::Seconds(1)));
  EXPECT_EQ(west.NextChange(t1969), Local(1969, 12, 31, 17, 0, 0, -5 * 3600));
}

TEST(CalendarTest, ThereIsNoDaylightSavingJump) {
  // A fixed offset: 02:30 local exists every day of the year, and a 24-hour
  // opening is exactly 24 hours long in March and in October alike.
  HoursOfOperation h;
  h.utc_offset_s = 3600;
  h.weekly[6] = {{0, kSecondsPerDay}};  // Sundays
  for (absl::CivilDay sunday :
       {absl::CivilDay(2026, 3, 29), absl::CivilDay(2026, 10, 25)}) {
    absl::Time start = Local(sunday.year(), sunday.month(), sunday.day(), 0, 0, 0, 3600);
    EXPECT_TRUE(h.IsOpen(start + absl::Hours(2) + absl::Minutes(30)));
    EXPECT_EQ(h.NextChange(start), start + absl::Hours(24));
  }
}

TEST(CalendarTest, MidnightJoinsAWindowToTheNextDaysWindow) {
  HoursOfOperation h;
  h.weekly[0] = {{TimeOfDay(22, 0), TimeOfDay(24, 0)}};  // Monday night
  h.weekly[1] = {{TimeOfDay(0, 0), TimeOfDay(6, 0)}};    // Tuesday early
  ASSERT_TRUE(h.Validate().ok());
  absl::Time monday = Local(2026, 9, 28, 0, 0, 0, 0);
  EXPECT_TRUE(h.IsOpen(monday + absl::Hours(24) - absl::Microseconds(1)));
  EXPECT_TRUE(h.IsOpen(monday + absl::Hours(24)));
  EXPECT_EQ(h.NextChange(monday + absl::Hours(23)), monday + absl::Hours(30));
  EXPECT_EQ(h.NextChange(monday), monday + absl::Hours(22));
  // Closing at midnight into a closed day is a change at midnight.
  h.weekly[1].clear();
  EXPECT_EQ(h.NextChange(monday + absl::Hours(23)), monday + absl::Hours(24));
}

TEST(CalendarTest, TouchingWindowsAreOneOpening) {
  HoursOfOperation h;
  h.weekly[0] = {{TimeOfDay(12, 0), TimeOfDay(13, 0)},
                 {TimeOfDay(8, 0), TimeOfDay(12, 0)}};  // any order
  ASSERT_TRUE(h.Validate().ok());
  absl::Time monday = Local(2026, 9, 28, 0, 0, 0, 0);
  EXPECT_TRUE(h.IsOpen(monday + absl::Hours(12)));
  EXPECT_EQ(h.NextChange(monday + absl::Hours(9)), monday + absl::Hours(13));
}

TEST(CalendarTest, AlwaysOpenOrAlwaysClosedNeverChangesExceptOnItsDates) {
  HoursOfOperation open;
  for (auto& day : open.weekly) day = {{0, kSecondsPerDay}};
  absl::Time t = Local(2026, 9, 28, 10, 0);
  EXPECT_TRUE(open.IsOpen(t));
  EXPECT_EQ(open.NextChange(t), absl::InfiniteFuture());
  HoursOfOperation closed;
  EXPECT_FALSE(closed.IsOpen(t));
  EXPECT_EQ(closed.NextChange(t), absl::InfiniteFuture());
  EXPECT_EQ(closed.NextChange(absl::InfiniteFuture()), absl::InfiniteFuture());
  // A holiday years ahead is found without walking every day.
  open.holidays = {absl::CivilDay(2100, 1, 1)};
  EXPECT_EQ(open.NextChange(t), Local(2100, 1, 1, 0, 0, 0, 0));
  EXPECT_EQ(open.NextChange(Local(2100, 1, 1, 0, 0, 0, 0)),
            Local(2100, 1, 2, 0, 0, 0, 0));
  EXPECT_EQ(open.NextChange(Local(2100, 1, 2, 0, 0, 0, 0)), absl::InfiniteFuture());
  // Special hours on an otherwise closed calendar.
  closed.special = {
      {absl::CivilDay(2026, 12, 24), {{TimeOfDay(9, 0), TimeOfDay(12, 0)}}}};
  EXPECT_EQ(closed.NextChange(t), Local(2026, 12, 24, 9, 0, 0, 0));
  EXPECT_TRUE(closed.IsOpen(Local(2026, 12, 24, 11, 0, 0, 0)));
}

TEST(CalendarTest, SpecialHoursReplaceTheWeekday) {
  HoursOfOperation h = Hotline();
  // Christmas Eve 2026 is a Thursday: mornings only.
  h.special = {{absl::CivilDay(2026, 12, 24), {{TimeOfDay(9, 0), TimeOfDay(12, 0)}}},
               {absl::CivilDay(2026, 12, 26), {{TimeOfDay(10, 0), TimeOfDay(14, 0)}}}};
  ASSERT_TRUE(h.Validate().ok());
  EXPECT_FALSE(h.IsOpen(Local(2026, 12, 24, 8, 45)));
  EXPECT_TRUE(h.IsOpen(Local(2026, 12, 24, 9, 0)));
  EXPECT_FALSE(h.IsOpen(Local(2026, 12, 24, 14, 0)));
  EXPECT_EQ(h.NextChange(Local(2026, 12, 24, 12, 0)), Local(2026, 12, 25, 8, 30));
  EXPECT_TRUE(h.IsOpen(Local(2026, 12, 26, 13, 0)));  // a Saturday, opened
  EXPECT_EQ(h.WindowsOn(absl::CivilDay(2026, 10, 1)).size(), 0u);
  EXPECT_EQ(h.WindowsOn(absl::CivilDay(2026, 9, 28)).size(), 2u);
}

// NextChange against a minute-by-minute scan, on random calendars whose
// windows fall on whole minutes.
TEST(CalendarTest, NextChangeMatchesABruteForceScan) {
  const uint64_t seed = 20261001;
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937_64 rng(seed);
  auto minute = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  const absl::CivilDay base(2026, 9, 1);
  for (int round = 0; round < 60; ++round) {
    HoursOfOperation h;
    h.utc_offset_s = minute(-14 * 60, 14 * 60) * 60;
    for (auto& day : h.weekly) {
      int at = 0;
      while (at < 1440 && minute(0, 3) != 0) {
        int open = minute(at, std::min(1439, at + 600));
        int close = minute(open + 1, std::min(1440, open + 600));
        day.push_back({open * 60, close * 60});
        at = close + minute(0, 1);  // touching windows now and then
        if (at >= 1440) break;
      }
    }
    for (int k = minute(0, 3); k > 0; --k) {
      absl::CivilDay d = base + minute(0, 40);
      if (std::find(h.holidays.begin(), h.holidays.end(), d) == h.holidays.end()) {
        h.holidays.push_back(d);
      }
    }
    ASSERT_TRUE(h.Validate().ok()) << h.Validate();
    for (int probe = 0; probe < 20; ++probe) {
      absl::Time t = absl::FromCivil(absl::CivilMinute(base), absl::UTCTimeZone()) +
                     absl::Minutes(minute(0, 30 * 1440)) + absl::Seconds(minute(0, 59));
      bool state = h.IsOpen(t);
      absl::Time want = absl::InfiniteFuture();
      absl::Time m = absl::FromUnixSeconds(absl::ToUnixSeconds(t) / 60 * 60 + 60);
      for (int i = 0; i < 60 * 24 * 10; ++i, m += absl::Minutes(1)) {
        if (h.IsOpen(m) != state) {
          want = m;
          break;
        }
      }
      absl::Time got = h.NextChange(t);
      if (want == absl::InfiniteFuture()) {
        EXPECT_GT(got, t + absl::Hours(24 * 9)) << "round " << round;
      } else {
        EXPECT_EQ(got, want) << "round " << round << " probe " << probe;
      }
    }
  }
}

TEST(CalendarTest, ValidateNamesTheFieldAndTheProblem) {
  auto error = [](const HoursOfOperation& h) {
    return std::string(h.Validate().message());
  };
  HoursOfOperation h = Hotline();
  h.weekly[0].push_back({TimeOfDay(11, 0), TimeOfDay(13, 0)});
  EXPECT_EQ(error(h), "weekly[mon][2]: window 11:00-13:00 overlaps 08:30-12:00");
  h = Hotline();
  h.weekly[2] = {{TimeOfDay(18, 0), TimeOfDay(9, 0)}};
  EXPECT_EQ(error(h), "weekly[wed][0]: window 18:00-09:00 closes before it opens");
  h.weekly[2] = {{TimeOfDay(9, 0), TimeOfDay(9, 0)}};
  EXPECT_EQ(h.Validate().code(), absl::StatusCode::kInvalidArgument);
  h.weekly[2] = {{-60, TimeOfDay(9, 0)}};
  EXPECT_NE(error(h).find("weekly[wed][0]: window -60..32400 s is out of the day"),
            std::string::npos);
  h.weekly[2] = {{TimeOfDay(9, 0), kSecondsPerDay + 1}};
  EXPECT_EQ(h.Validate().code(), absl::StatusCode::kInvalidArgument);
  h = Hotline();
  h.utc_offset_s = 15 * 3600;
  EXPECT_EQ(error(h), "utc_offset_s must be within ±50400 (±14 h), got 54000");
  h = Hotline();
  h.holidays.push_back(absl::CivilDay(2026, 10, 1));
  EXPECT_EQ(error(h), "holidays[1]: 2026-10-01 is listed twice");
  h = Hotline();
  h.special = {{absl::CivilDay(2026, 10, 1), {}}};
  EXPECT_EQ(error(h),
            "special[2026-10-01]: 2026-10-01 is listed twice (as a holiday or "
            "special date)");
  h = Hotline();
  h.special = {
      {absl::CivilDay(2026, 12, 24),
       {{TimeOfDay(9, 0), TimeOfDay(12, 0)}, {TimeOfDay(10, 0), TimeOfDay(11, 0)}}}};
  EXPECT_EQ(error(h), "special[2026-12-24][1]: window 10:00-11:00 overlaps 09:00-12:00");
  h = Hotline();
  h.holidays = {absl::CivilDay(10000, 1, 1)};
  EXPECT_EQ(error(h), "holidays[0]: year must be in 1..9999, got 10000");
  EXPECT_TRUE(Hotline().Validate().ok());
  EXPECT_TRUE(HoursOfOperation().Validate().ok());  // always closed is valid
}

TEST(CalendarTest, TextFormsRoundTrip) {
  EXPECT_EQ(ParseTimeOfDay("08:30").value_or(-1), TimeOfDay(8, 30));
  EXPECT_EQ(ParseTimeOfDay("8:30").value_or(-1), TimeOfDay(8, 30));
  EXPECT_EQ(ParseTimeOfDay("24:00").value_or(-1), kSecondsPerDay);
  EXPECT_EQ(ParseTimeOfDay("00:00").value_or(-1), 0);
  EXPECT_EQ(ParseTimeOfDay("13:30:15").value_or(-1), TimeOfDay(13, 30, 15));
  for (const char* bad : {"24:01", "25:00", "08:60", "08:3", "0830", "08:30:", "",
                          "08:30:60", "a8:30", "08:30 ", "-1:00", "008:30"}) {
    EXPECT_EQ(ParseTimeOfDay(bad).status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(std::string(ParseTimeOfDay("8h").status().message()),
            "'8h' is not a time of day (expected \"hh:mm\" or \"hh:mm:ss\", "
            "00:00..24:00)");
  EXPECT_EQ(FormatTimeOfDay(TimeOfDay(8, 30)), "08:30");
  EXPECT_EQ(FormatTimeOfDay(kSecondsPerDay), "24:00");
  EXPECT_EQ(FormatTimeOfDay(TimeOfDay(13, 30, 15)), "13:30:15");
  EXPECT_EQ(ParseDate("2026-10-01").value_or(absl::CivilDay()),
            absl::CivilDay(2026, 10, 1));
  EXPECT_EQ(ParseDate("2028-02-29").value_or(absl::CivilDay()),
            absl::CivilDay(2028, 2, 29));
  for (const char* bad : {"2026-02-30", "2026-13-01", "2026-1-01", "26-10-01",
                          "2026/10/01", "0000-01-01", ""}) {
    EXPECT_EQ(ParseDate(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(FormatDate(absl::CivilDay(2026, 10, 1)), "2026-10-01");
  for (int d = 0; d < 7; ++d) EXPECT_EQ(ParseWeekday(WeekdayName(d)), d);
  EXPECT_EQ(ParseWeekday("monday"), std::nullopt);
}

}  // namespace
}  // namespace ccengine
