// Business time on a calendar: worked examples, and random calendars checked
// against a minute-by-minute count and the functions' own contract.

#include "ccengine/tickets/sla.h"

#include <cstdint>
#include <optional>
#include <random>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ccengine/core/calendar.h"
#include "gtest/gtest.h"
#include "ticket_test_util.h"

namespace ccengine::tickets {
namespace {

using testing::Local;
using testing::OfficeHours;

TEST(SlaTest, WorkedExamples) {
  const std::optional<HoursOfOperation> office = OfficeHours();
  // Friday 16:00 + 4 business hours: Monday 11:00.
  EXPECT_EQ(AddBusinessTime(office, Local(2026, 12, 11, 16, 0), absl::Hours(4)),
            Local(2026, 12, 14, 11, 0));
  // Created during lunch: the clock starts at 13:00.
  EXPECT_EQ(AddBusinessTime(office, Local(2026, 12, 14, 12, 30), absl::Minutes(30)),
            Local(2026, 12, 14, 13, 30));
  // Exactly at a close: the next opening.
  EXPECT_EQ(AddBusinessTime(office, Local(2026, 12, 14, 9, 0), absl::Hours(3)),
            Local(2026, 12, 14, 12, 0));
  EXPECT_EQ(
      BusinessTimeBetween(office, Local(2026, 12, 11, 17, 0), Local(2026, 12, 14, 10, 0)),
      absl::Hours(2));
  // A holiday Monday pushes it to Tuesday.
  HoursOfOperation with_holiday = OfficeHours();
  with_holiday.holidays = {absl::CivilDay(2026, 12, 14)};
  EXPECT_EQ(AddBusinessTime(with_holiday, Local(2026, 12, 11, 16, 0), absl::Hours(4)),
            Local(2026, 12, 15, 11, 0));
  // Around the clock without a calendar.
  EXPECT_EQ(AddBusinessTime(std::nullopt, Local(2026, 12, 11, 16, 0), absl::Hours(4)),
            Local(2026, 12, 11, 20, 0));
  // Never open: never due.
  HoursOfOperation closed;
  EXPECT_EQ(AddBusinessTime(closed, Local(2026, 12, 11, 16, 0), absl::Hours(1)),
            absl::InfiniteFuture());
  EXPECT_EQ(
      BusinessTimeBetween(closed, Local(2026, 12, 11, 16, 0), Local(2027, 1, 1, 0, 0)),
      absl::ZeroDuration());
  EXPECT_EQ(AddBusinessTime(office, Local(2026, 12, 11, 16, 0), absl::ZeroDuration()),
            Local(2026, 12, 11, 16, 0));
}

HoursOfOperation RandomCalendar(std::mt19937_64& rng) {
  HoursOfOperation h;
  h.utc_offset_s = testing::kUtcOffset;
  for (int d = 0; d < 7; ++d) {
    int t = 0;
    const int windows = static_cast<int>(rng() % 3);
    for (int w = 0; w < windows; ++w) {
      const int open = t + 15 * static_cast<int>(rng() % 40);
      const int close = open + 15 * (1 + static_cast<int>(rng() % 40));
      if (close > 24 * 60) break;
      h.weekly[d].push_back({open * 60, close * 60});
      t = close + 15;
    }
  }
  if (rng() % 2)
    h.holidays.push_back(absl::CivilDay(2026, 12, 1 + static_cast<int>(rng() % 20)));
  return h;
}

// Open minutes in [from, to), counted one minute at a time.
absl::Duration CountMinutes(const HoursOfOperation& h, absl::Time from, absl::Time to) {
  absl::Duration total;
  for (absl::Time t = from; t < to; t += absl::Minutes(1)) {
    if (h.IsOpen(t)) total += absl::Minutes(1);
  }
  return total;
}

TEST(SlaTest, RandomCalendarsAgreeWithAMinuteCount) {
  std::mt19937_64 rng(20261204);
  for (int round = 0; round < 60; ++round) {
    const std::optional<HoursOfOperation> h = RandomCalendar(rng);
    ASSERT_TRUE(h->Validate().ok()) << h->Validate();
    const absl::Time from =
        Local(2026, 12, 1, 0, 0) + absl::Minutes(rng() % (10 * 24 * 60));
    const absl::Time to = from + absl::Minutes(rng() % (4 * 24 * 60));
    const absl::Duration open = BusinessTimeBetween(h, from, to);
    ASSERT_EQ(open, CountMinutes(*h, from, to)) << "round " << round;
    // Add is the inverse of Between, and the earliest such instant.
    const absl::Duration amount = absl::Minutes(1 + rng() % (3 * 24 * 60));
    const absl::Time due = AddBusinessTime(h, from, amount);
    if (due == absl::InfiniteFuture()) {
      EXPECT_LT(BusinessTimeBetween(h, from, from + absl::Hours(24 * 400)), amount);
      continue;
    }
    EXPECT_EQ(BusinessTimeBetween(h, from, due), amount) << "round " << round;
    EXPECT_LT(BusinessTimeBetween(h, from, due - absl::Microseconds(1)), amount);
    // Between is additive over a split point.
    const absl::Time mid = from + (to - from) / 3;
    EXPECT_EQ(BusinessTimeBetween(h, from, mid) + BusinessTimeBetween(h, mid, to), open);
  }
}

}  // namespace
}  // namespace ccengine::tickets
