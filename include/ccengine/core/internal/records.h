// -----------------------------------------------------------------------------
// File: ccengine/core/internal/records.h
// -----------------------------------------------------------------------------
//
// The router's private records: agents, contacts, queues and waiting
// groups. Visible so that `Engine` can hold them by value; not API.
//
// A waiting group holds the waiting contacts that share a queue, a channel and
// the contact's own skill set, so they share eligibility. Inside a group,
// contacts sit in one ordered set per (routing step, priority class), ordered
// by (wait start, arrival sequence): the head of a set is its oldest contact,
// and a contact put back after a reject or no-answer regains its original
// place. A relaxation timer moves a contact to the next step's set.
//
// Thread safety: router thread only.

#ifndef CCENGINE_CORE_INTERNAL_RECORDS_H_
#define CCENGINE_CORE_INTERNAL_RECORDS_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/inlined_vector.h"
#include "ccengine/core/agent.h"
#include "ccengine/core/contact.h"
#include "ccengine/core/internal/free_heap.h"
#include "ccengine/core/internal/free_ring.h"
#include "ccengine/core/internal/work_window.h"
#include "ccengine/core/quality.h"
#include "ccengine/core/queue.h"
#include "ccengine/core/strategy.h"
#include "ccengine/core/types.h"

namespace ccengine::internal {

inline constexpr uint32_t kNoSlot = std::numeric_limits<uint32_t>::max();
// Effective class = contact priority + queue priority.
inline constexpr int kPriorityClasses = 2 * kMaxPriority + 1;

// Ordered by use: the fields every offer, acceptance and completion reads or
// writes come first, on one cache-line-aligned span (~3 lines), so an agent
// idle or busy for a minute costs few cache misses when its turn comes; the
// name, skills, quality cells and work window follow.
struct AgentRec {
  AgentId id;
  bool live = false;         // slot in use
  bool auto_accept = false;  // offers are accepted as they are made
  bool logged_in = false;
  bool ready = false;  // presence; meaningful only when logged in
  bool exclusive_active = false;
  AgentState reported = AgentState::kLoggedOut;  // last state announced
  uint32_t offer = kNoSlot;                      // contact slot of the ringing offer
  uint32_t load = 0;
  uint32_t channel_mask =
      0;  // bit c: can take channel c now (in can_take_[c] once indexed)
  // bit c: with nothing in progress, the agent can take a contact of channel c
  // (from the capacity alone; SyncAgent's mask when it holds no contact).
  uint32_t idle_channel_mask = 0;
  std::array<uint8_t, kChannelCount> active{};
  absl::InlinedVector<uint32_t, 4> contacts;  // offered + in service
  Micros wrap_until = 0;                      // 0: not in wrap-up
  Micros idle_since = 0;
  Micros reported_since = 0;  // when `reported` was entered
  uint64_t handled = 0;
  uint64_t last_offer_seq = 0;
  uint32_t consecutive_no_answers = 0;
  int32_t reason = kReasonNone;
  // (group, lowest routing step at which this agent qualifies), ascending by
  // group.
  std::vector<std::pair<uint32_t, uint8_t>> served;
  // The first entry of `served` whose group is `g` or later.
  auto ServedFrom(uint32_t g) const {
    return std::lower_bound(
        served.begin(), served.end(), g,
        [](const std::pair<uint32_t, uint8_t>& e, uint32_t x) { return e.first < x; });
  }
  Capacity capacity;
  std::array<Micros, kAgentStateCount> state_time{};  // in earlier spells
  uint64_t wrap_token = 0;
  double weight = 1.0;

  std::string name;
  std::vector<SkillLevel> skills;    // sorted by skill id
  std::vector<QualityCell> quality;  // sorted by skill; scored skills only
  WorkWindow work;                   // kept while Engine::track_work_
};

// ContactSpec's FallbackTarget as the engine keeps it (skills sorted).
struct FallbackRec {
  Micros after = 0;
  uint32_t queue = 0;
  int8_t priority = 0;
  std::vector<SkillRequirement> skills;
};

// The channels an idle agent of this capacity can take a contact on (a
// channel with room for one: max_per_channel > 0 and the load fits).
inline uint32_t IdleChannelMask(const Capacity& capacity) {
  uint32_t mask = 0;
  for (int ch = 0; ch < kChannelCount; ++ch) {
    if (capacity.max_per_channel[ch] > 0 &&
        capacity.load_per_contact[ch] <= capacity.load_budget) {
      mask |= 1u << ch;
    }
  }
  return mask;
}

struct ContactRec {
  ContactId id;
  bool live = false;
  uint32_t queue = 0;
  Channel channel = Channel::kVoice;
  int8_t priority = 0;  // the contact's own class
  ContactState state = ContactState::kWaiting;
  uint8_t step = 0;
  std::vector<SkillRequirement> skills;  // sorted by skill id
  std::string customer_id;
  std::vector<std::pair<std::string, std::string>> attributes;
  Micros arrived = 0;    // wait start (age)
  Micros queued_at = 0;  // entered the current queue
  Micros answered_at = 0;
  uint64_t seq = 0;  // arrival order, breaks ties of `arrived`
  uint32_t group = kNoSlot;
  bool in_group = false;  // sits in groups_[group] (waiting, not matched)
  uint32_t agent = kNoSlot;
  absl::InlinedVector<AgentId, 2> excluded;
  // Waiting for a better busy agent until then (satisfaction max_hold);
  // work conservation does not apply before it.
  Micros hold_until = 0;
  uint64_t wait_token = 0;   // valid relax / max-wait / hold timers carry it
  uint64_t offer_token = 0;  // the valid offer timeout carries it
  // The id of its latest offer (Event::offer): ringing, or answered while in
  // service; 0 before its first.
  uint64_t offer_id = 0;
  // Preference in force: offered only to `preferred` until `pref_until`
  // (then, or once no preferred agent can take it, `preferring` clears).
  bool preferring = false;
  absl::InlinedVector<AgentId, 2> preferred;
  Micros pref_until = 0;
  bool pref_grace = false;  // zero wait: one attempt at arrival
  uint64_t pref_token = 0;  // the valid preferred-wait timer carries it
  // Virtual hold: the caller left the line; routed on kCallback since
  // `callback_at`.
  bool callback = false;
  Micros callback_at = 0;
  Channel original_channel = Channel::kVoice;
  // Fallback targets (ContactSpec::fallbacks) still ahead, `fallback_next`
  // the next; its timer (at `fallback_at`) carries `fallback_token`, 0 once
  // none is left. `fallback_due`: the time came while it rang.
  std::vector<FallbackRec> fallbacks;
  uint8_t fallback_next = 0;
  bool fallback_due = false;
  Micros fallback_at = 0;
  uint64_t fallback_token = 0;
};

struct WaitKey {
  Micros arrived;
  uint64_t seq;
  uint32_t slot;
  friend bool operator<(const WaitKey& a, const WaitKey& b) {
    if (a.arrived != b.arrived) return a.arrived < b.arrived;
    return a.seq < b.seq;
  }
};

struct GroupRec {
  uint32_t queue = 0;
  Channel channel = Channel::kVoice;
  std::vector<SkillRequirement> own;  // sorted; the contacts' own skills
  // sets[step * kPriorityClasses + class]
  std::vector<absl::btree_set<WaitKey>> sets;
  std::vector<uint32_t> nonempty;  // per step, bit c: that class is not empty
  size_t size = 0;
  // Per step, the free agents that qualify from that step on, once a
  // decision tracks the group (Engine::TrackGroup): in the longest-idle
  // order (`free`), or in the order of a strategy whose score does not
  // change while an agent is free (`keyed`). Both empty while untracked.
  std::vector<FreeRing> free;
  std::vector<FreeHeap> keyed;
  bool tracked() const { return !free.empty() || !keyed.empty(); }
  absl::btree_set<WaitKey>& Set(int step, int cls) {
    return sets[static_cast<size_t>(step) * kPriorityClasses + cls];
  }
  const absl::btree_set<WaitKey>& Set(int step, int cls) const {
    return sets[static_cast<size_t>(step) * kPriorityClasses + cls];
  }
  void Resize(size_t steps) {
    sets.resize(steps * kPriorityClasses);
    nonempty.resize(steps, 0);
  }
};

struct QueueRec {
  QueueConfig config;
  StrategyId strategy;
  std::vector<Micros> step_after;  // [0] = 0, then each relaxation step
  std::vector<std::vector<SkillRequirement>> step_skills;  // sorted each
  std::vector<uint32_t> groups;
  QueueStats stats;  // its two totals are kept below, in microseconds
  Micros total_answer_wait_us = 0;
  Micros total_handle_us = 0;
  size_t waiting = 0;
  // Longest-idle decisions left that go straight to the scan of the pool's
  // bits after the idle order could not answer (rarer skills, chat agents
  // below capacity): a miss costs a walk, so a queue that misses stops trying
  // for a while.
  uint32_t idle_walk_backoff = 0;
  // Decide through Engine::ChooseAmongCandidates: guards are on or the
  // strategy reads quality.
  bool full_decision = false;
  // config's durations in microseconds (absl's conversions are calls);
  // offer_timeout_us is kNever when infinite.
  Micros sl_threshold_us = 0;
  Micros short_abandon_us = 0;
  Micros wrap_up_us = 0;
  Micros offer_timeout_us = 0;
  bool open = true;          // by config.hours at the engine's time
  uint64_t hours_token = 0;  // the valid kHours timer carries it
};

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_RECORDS_H_
