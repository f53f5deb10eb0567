// Business time on a calendar: walk the openings with IsOpen / NextChange.

#include "ccengine/tickets/sla.h"

#include <algorithm>
#include <optional>

#include "absl/time/time.h"
#include "ccengine/core/calendar.h"

namespace ccengine::tickets {

absl::Duration BusinessTimeBetween(const std::optional<HoursOfOperation>& hours,
                                   absl::Time from, absl::Time to) {
  if (to <= from) return absl::ZeroDuration();
  if (!hours) return to - from;
  absl::Duration total = absl::ZeroDuration();
  absl::Time t = from;
  // Each step covers one open or one closed stretch.
  for (int step = 0; step < 2 * kMaxBusinessWalk && t < to; ++step) {
    const bool open = hours->IsOpen(t);
    const absl::Time change = std::min(hours->NextChange(t), to);
    if (open) total += change - t;
    t = change;
  }
  return total;
}

absl::Time AddBusinessTime(const std::optional<HoursOfOperation>& hours, absl::Time from,
                           absl::Duration amount) {
  if (amount <= absl::ZeroDuration()) return from;
  if (from == absl::InfiniteFuture() || amount == absl::InfiniteDuration()) {
    return absl::InfiniteFuture();
  }
  if (!hours) return from + amount;
  absl::Duration left = amount;
  absl::Time t = from;
  for (int step = 0; step < 2 * kMaxBusinessWalk; ++step) {
    const absl::Time change = hours->NextChange(t);
    if (hours->IsOpen(t)) {
      if (change == absl::InfiniteFuture() || change - t >= left) return t + left;
      left -= change - t;
    } else if (change == absl::InfiniteFuture()) {
      return absl::InfiniteFuture();  // closed from here on
    }
    t = change;
  }
  return absl::InfiniteFuture();
}

}  // namespace ccengine::tickets
