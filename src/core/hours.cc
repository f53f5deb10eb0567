// Engine: hours of operation. Each queue with hours holds one live kHours
// timer for its next opening or closing; the open flag it keeps is what the
// arrival path reads (contacts.cc, EnterQueue), so no call polls calendars.

#include <algorithm>
#include <utility>
#include <vector>

#include "ccengine/core/engine.h"

namespace ccengine {

using internal::QueueRec;
using internal::TimerKind;

void Engine::SyncQueueHours(uint32_t queue) {
  QueueRec& q = queues_[queue];
  q.hours_token = timers_.NewToken();  // voids the timer of the previous hours
  if (!q.config.hours.has_value()) {
    q.open = true;
    return;
  }
  const HoursOfOperation& hours = *q.config.hours;
  absl::Time now = Now();
  q.open = hours.IsOpen(now);
  absl::Time next = hours.NextChange(now);
  if (next != absl::InfiniteFuture() && InTimeRange(next)) {
    Schedule(ToMicros(next), TimerKind::kHours, queue, q.hours_token);
  }
}

void Engine::OnQueueHours(uint32_t queue) {
  QueueRec& q = queues_[queue];
  bool was_open = q.open;
  SyncQueueHours(queue);
  if (was_open && !q.open && q.config.move_waiting_at_close) {
    MoveOutWaiting(queue);
  }
}

void Engine::MoveOutWaiting(uint32_t queue) {
  // Best first, so that they keep their order where they go.
  const QueueRec& q = queues_[queue];
  std::vector<std::pair<double, uint32_t>> order;
  for (uint32_t g : q.groups) {
    for (const auto& set : groups_[g].sets) {
      for (const internal::WaitKey& k : set) {
        order.emplace_back(-AgedScore(contacts_[k.slot], q), k.slot);
      }
    }
  }
  std::sort(order.begin(), order.end());
  for (const auto& [score, slot] : order) {
    RemoveWaiting(slot);
    Overflow(slot, EventReason::kClosed, 0);
  }
}

}  // namespace ccengine
