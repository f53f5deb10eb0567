// -----------------------------------------------------------------------------
// File: ccengine/tickets/sla.h
// -----------------------------------------------------------------------------
//
// Business time for SLA clocks: how much open time lies between two instants
// on a calendar (`HoursOfOperation`: working days, holidays, special dates),
// and the instant at which a given amount of open time has passed. Without a
// calendar (`std::nullopt`) every instant is open: business time is wall time.
//
// A ticket's deadline is `AddBusinessTime(hours, created, target)`: a 4-hour
// target on a desk open 09:00–17:00 for a ticket created at 16:00 on a Friday
// is due at 12:00 on Monday (or Tuesday after a Monday holiday). Created while
// closed, the clock starts at the next opening.
//
// Both functions walk the calendar's openings and cost a few steps per
// opening crossed; a walk that would cross more than `kMaxBusinessWalk`
// openings gives up: `AddBusinessTime` then returns InfiniteFuture (never due)
// and `BusinessTimeBetween` the open time counted so far. A calendar that is
// never open gives InfiniteFuture for any positive amount.
//
// Thread safety: pure functions.

#ifndef CCENGINE_TICKETS_SLA_H_
#define CCENGINE_TICKETS_SLA_H_

#include <optional>

#include "absl/time/time.h"
#include "ccengine/core/calendar.h"

namespace ccengine::tickets {

// About five years of two openings a day.
inline constexpr int kMaxBusinessWalk = 4000;

// Open time in [from, to); zero when to <= from.
absl::Duration BusinessTimeBetween(const std::optional<HoursOfOperation>& hours,
                                   absl::Time from, absl::Time to);

// The earliest instant t >= from with BusinessTimeBetween(from, t) == amount
// (amount <= 0 gives `from`). Amounts are counted to the microsecond.
absl::Time AddBusinessTime(const std::optional<HoursOfOperation>& hours, absl::Time from,
                           absl::Duration amount);

}  // namespace ccengine::tickets

#endif  // CCENGINE_TICKETS_SLA_H_
