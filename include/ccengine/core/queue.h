// -----------------------------------------------------------------------------
// File: ccengine/core/queue.h
// -----------------------------------------------------------------------------
//
// A queue (队列 / 技能组 entry point): the skills its contacts need, how those
// requirements relax as a contact waits, its priority, service-level target,
// size and wait limits with an overflow target, wrap-up and offer timeout, and
// the agent-selection strategy it uses, and its hours of operation.
//
// Relaxation. `skills` is step 0. Each `RoutingStep` in `relaxation` starts
// once a contact has waited `after` in this queue (counted from entering it,
// also after a transfer or overflow) and widens the pool: a
// contact at step i may go to any agent that meets step 0, or 1, …, or i
// (e.g. policy ≥ 8 at once, policy ≥ 5 after 30 s, the backup skill after
// 60 s). The contact's own skills (language, say) apply at every step.
//
// Hours. A queue with `hours` takes contacts only while open (see
// ccengine/core/calendar.h). A contact that arrives while it is closed — or is
// transferred or overflows into it — is moved on at once, like one that finds
// the queue full: to `overflow_queue` if set, else it leaves the engine as
// kOverflowed; the kOverflowed event carries reason kClosed. At closing time
// the contacts already waiting stay and are served ("close the door, serve the
// line"), or, with `move_waiting_at_close`, are moved on the same way. The
// engine keeps one timer per queue for its next opening or closing; nothing
// polls.
//
// Thread safety: plain values; thread-compatible.
//
// Example:
//   ccengine::QueueConfig q;
//   q.name = "policy";
//   q.skills = {{policy, 8}};
//   q.relaxation = {{absl::Seconds(30), {{policy, 5}}},
//                   {absl::Seconds(60), {{backup, 1}}}};
//   q.sl_threshold = absl::Seconds(20);  q.sl_target = 0.8;

#ifndef CCENGINE_CORE_QUEUE_H_
#define CCENGINE_CORE_QUEUE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/calendar.h"
#include "ccengine/core/kpi.h"
#include "ccengine/core/types.h"

namespace ccengine {

struct RoutingStep {
  absl::Duration after;                  // waited in the queue; > 0, increasing
  std::vector<SkillRequirement> skills;  // who may take it from then on
};

// Fairness and well-being guards, applied when an agent is chosen for a
// contact, whatever the strategy. Each guard only passes agents over while
// another eligible agent remains, so no guard ever makes a contact wait.
// Occupancy is measured over the engine's sliding work window
// (`EngineOptions::work_window`; see internal/work_window.h).
struct FairnessGuards {
  // Agents at or above this occupancy are passed over. 1 = off.
  double occupancy_cap = 1.0;
  // Agents whose occupancy exceeds the lowest occupancy among the equally
  // skilled candidates (same mean level on the contact's skills) by more
  // than this are passed over: it bounds the spread of work — contacts
  // handled, weighted by their handle time — among equals. 1 = off.
  double max_occupancy_spread = 1.0;
  // Probability, per decision, of choosing uniformly among the eligible
  // agents instead (seeded by `EngineOptions::seed`), so new agents get
  // traffic and their quality estimates converge. In [0, 1).
  double exploration = 0.0;
  bool active() const {
    return occupancy_cap < 1.0 || max_occupancy_spread < 1.0 || exploration > 0;
  }
  // InvalidArgument naming the field ("guards.occupancy_cap must be in
  // (0, 1], got 0") when a value is out of range.
  absl::Status Validate() const;
};

struct QueueConfig {
  std::string name;  // unique, non-empty
  std::vector<SkillRequirement> skills;
  std::vector<RoutingStep> relaxation;
  int priority = 0;           // added to each contact's class, 0..9
  double aging_weight = 1.0;  // > 0; scales waited time across queues
  absl::Duration sl_threshold = absl::Seconds(20);
  double sl_target = 0.8;  // fraction answered within sl_threshold
  // How the service level is formed (kpi.h), here and wherever this queue's
  // figures are reported.
  ServiceLevelDefinition sl_definition = ServiceLevelDefinition::kWithinOverOffered;
  // A contact that abandons after waiting less than this is a short abandon
  // (kpi.h); zero: none is.
  absl::Duration short_abandon = absl::Seconds(5);
  size_t max_size = 0;  // waiting contacts; 0 = unlimited
  absl::Duration max_wait = absl::InfiniteDuration();
  // Where contacts go when the queue is full or max_wait passes. Unset: they
  // leave the engine as kOverflowed (voicemail, another site…).
  std::optional<QueueId> overflow_queue;
  // When the queue is open (validated with the rest); unset: always open.
  std::optional<HoursOfOperation> hours;
  // At closing time: false (default) keeps the waiting contacts to be
  // served; true moves them on as if they had arrived while closed. A
  // contact that comes back to line (rejected, not answered) in a closed
  // queue with this set is moved on too.
  bool move_waiting_at_close = false;
  absl::Duration wrap_up = absl::ZeroDuration();
  // How long an offer rings before it counts as not answered; infinite: it
  // rings until accepted, rejected or rescinded.
  absl::Duration offer_timeout = absl::Seconds(20);
  std::string strategy = "longest_idle";  // a registered strategy's name
  FairnessGuards guards;
  // Used for estimated wait until the queue has measured handle times.
  absl::Duration expected_handle_time = absl::Seconds(180);
};

// What a queue's service level is measured by (QueueConfig's fields).
struct ServiceLevelTerms {
  absl::Duration threshold;  // sl_threshold
  ServiceLevelDefinition definition = ServiceLevelDefinition::kWithinOverOffered;
  absl::Duration short_abandon;
  double target = 0;  // sl_target
};

// Real-time figures of one queue since it was added (figures per interval
// and sliding window: ccengine/metrics/collector.h).
struct QueueStats {
  QueueId queue;
  size_t waiting = 0;
  absl::Duration longest_wait;  // of the contacts waiting now
  uint64_t entered = 0;         // contacts that entered this queue
  uint64_t answered = 0;        // offers accepted
  uint64_t answered_within_sl = 0;
  uint64_t abandoned = 0;            // left while waiting or ringing
  uint64_t short_abandoned = 0;      // of abandoned: waited < short_abandon here
  uint64_t callbacks_requested = 0;  // waiting callers that asked for one
  uint64_t overflowed = 0;           // moved on by max size / max wait / closed
  uint64_t closed = 0;               // of overflowed: moved on because it was closed
  bool open = true;                  // open now (by its hours)
  uint64_t transferred_out = 0;
  uint64_t completed = 0;
  absl::Duration total_answer_wait;  // sum over answered contacts
  absl::Duration total_handle;       // sum over completed contacts
  ServiceLevelDefinition sl_definition = ServiceLevelDefinition::kWithinOverOffered;
  // By the queue's definition (kpi.h), offered being `entered`, waits being
  // measured in this queue; NaN while its denominator is zero.
  double ServiceLevel() const;
  absl::Duration AverageSpeedOfAnswer() const;  // over answered contacts
  absl::Duration AverageHandleTime() const;     // over completed contacts
};

}  // namespace ccengine

#endif  // CCENGINE_CORE_QUEUE_H_
