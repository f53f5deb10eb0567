// -----------------------------------------------------------------------------
// File: ccengine/queue.h
// -----------------------------------------------------------------------------
//
// A queue (队列 / 技能组 entry point): the skills its contacts need, how those
// requirements relax as a contact waits, its priority, service-level target,
// size and wait limits with an overflow target, wrap-up and offer timeout, and
// the agent-selection strategy it uses.
//
// Relaxation. `skills` is step 0. Each `RoutingStep` in `relaxation` starts
// once a contact has waited `after` in this queue (counted from entering it,
// also after a transfer or overflow) and widens the pool: a
// contact at step i may go to any agent that meets step 0, or 1, …, or i
// (e.g. policy ≥ 8 at once, policy ≥ 5 after 30 s, the backup skill after
// 60 s). The contact's own skills (language, say) apply at every step.
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

#ifndef CCENGINE_QUEUE_H_
#define CCENGINE_QUEUE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ccengine/types.h"

namespace ccengine {

struct RoutingStep {
  absl::Duration after;                 // waited in the queue; > 0, increasing
  std::vector<SkillRequirement> skills;  // who may take it from then on
};

struct QueueConfig {
  std::string name;  // unique, non-empty
  std::vector<SkillRequirement> skills;
  std::vector<RoutingStep> relaxation;
  int priority = 0;           // added to each contact's class, 0..9
  double aging_weight = 1.0;  // > 0; scales waited time across queues
  absl::Duration sl_threshold = absl::Seconds(20);
  double sl_target = 0.8;  // fraction answered within sl_threshold
  size_t max_size = 0;     // waiting contacts; 0 = unlimited
  absl::Duration max_wait = absl::InfiniteDuration();
  // Where contacts go when the queue is full or max_wait passes. Unset: they
  // leave the engine as kOverflowed (voicemail, another site…).
  std::optional<QueueId> overflow_queue;
  absl::Duration wrap_up = absl::ZeroDuration();
  // How long an offer rings before it counts as not answered; infinite: it
  // rings until accepted, rejected or rescinded.
  absl::Duration offer_timeout = absl::Seconds(20);
  std::string strategy = "longest_idle";  // a registered strategy's name
  // Used for estimated wait until the queue has measured handle times.
  absl::Duration expected_handle_time = absl::Seconds(180);
};

// Real-time figures of one queue since it was created (or last reset).
struct QueueStats {
  QueueId queue;
  size_t waiting = 0;
  absl::Duration longest_wait;  // of the contacts waiting now
  uint64_t entered = 0;         // contacts that entered this queue
  uint64_t answered = 0;        // offers accepted
  uint64_t answered_within_sl = 0;
  uint64_t abandoned = 0;  // left while waiting or ringing
  uint64_t callbacks_requested = 0;  // waiting callers that asked for one
  uint64_t overflowed = 0;  // moved on by max size / max wait
  uint64_t transferred_out = 0;
  uint64_t completed = 0;
  absl::Duration total_answer_wait;  // sum over answered contacts
  absl::Duration total_handle;       // sum over completed contacts
  // answered_within_sl / (answered + abandoned); 1 when nothing happened yet.
  double ServiceLevel() const;
  absl::Duration AverageSpeedOfAnswer() const;  // over answered contacts
  absl::Duration AverageHandleTime() const;     // over completed contacts
};

}  // namespace ccengine

#endif  // CCENGINE_QUEUE_H_
