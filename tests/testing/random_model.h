// -----------------------------------------------------------------------------
// File: tests/testing/random_model.h
// -----------------------------------------------------------------------------
//
// The plain pieces of the randomized invariant test (tests/core/randomized_test.cc):
// the shape of the engine it builds, the model's records of contacts, agents
// and queues (`MContact`, `MAgent`, `MStats`), an id set with reproducible
// random picks, what a refused call must leave as it was (`Observed`), and
// the helpers that format and compare engine snapshots for failure reports.
// The stateful model lives in random_world.h, the action generators in
// random_actions.h.
//
// Thread safety: none needed; the test is single-threaded.

#ifndef CCENGINE_TESTS_TESTING_RANDOM_MODEL_H_
#define CCENGINE_TESTS_TESTING_RANDOM_MODEL_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"

namespace ccengine::test {

using Code = absl::StatusCode;

// The engine the test builds: 6 skills, 4 queues, 30 agents.
inline constexpr int kSkills = 6;
inline constexpr int kQueues = 4;
inline constexpr int kAgents = 30;
inline constexpr uint64_t kFirstAgent = 1001;

// Ids in insertion order with O(1) erase, so random picks are reproducible.
class IdSet {
 public:
  void Insert(uint64_t id) {
    if (pos_.emplace(id, ids_.size()).second) ids_.push_back(id);
  }
  void Erase(uint64_t id) {
    auto it = pos_.find(id);
    if (it == pos_.end()) return;
    size_t p = it->second;
    pos_.erase(it);
    uint64_t last = ids_.back();
    ids_.pop_back();
    if (last != id) {
      ids_[p] = last;
      pos_[last] = p;
    }
  }
  bool Contains(uint64_t id) const { return pos_.contains(id); }
  size_t size() const { return ids_.size(); }
  bool empty() const { return ids_.empty(); }
  const std::vector<uint64_t>& ids() const { return ids_; }

 private:
  std::vector<uint64_t> ids_;
  std::map<uint64_t, size_t> pos_;
};

enum class MState { kWaiting, kOffered, kInService, kTransit };

const char* MStateName(MState s);

struct MContact {
  MState state = MState::kTransit;
  uint32_t queue = 0;
  Channel channel = Channel::kVoice;
  int priority = 0;
  std::vector<SkillRequirement> skills;  // sorted by skill id
  std::string customer_id;
  absl::Time arrived;
  absl::Time queued_at;
  absl::Time offered_at;
  absl::Duration offer_timeout;
  absl::Time answered_at;
  int step = 0;
  uint64_t order = 0;  // arrival order: breaks ties of equal aged scores
  std::optional<AgentId> agent;
  std::vector<AgentId> excluded;
};

struct MAgent {
  AgentConfig config;  // skills sorted by skill id
  bool logged_in = false;
  bool ready = false;
  int32_t reason = kReasonNone;
  std::optional<absl::Time> wrap_until;
  std::optional<uint64_t> offer;
  std::vector<uint64_t> in_service;
  uint32_t no_answers = 0;
  uint64_t handled = 0;  // accepted since login
  AgentState reported = AgentState::kLoggedOut;
  int32_t reported_reason = kReasonNone;  // as the last state event gave it
  // From the state events: time in each state in earlier spells, and when
  // the current one began (the agent's creation at first).
  AgentStateTimes time_in_state{};
  absl::Time reported_since;
};

// A queue's figures as the events tell them.
struct MStats {
  uint64_t entered = 0, answered = 0, answered_within_sl = 0, abandoned = 0,
           overflowed = 0, transferred_out = 0, completed = 0;
  absl::Duration total_answer_wait, total_handle;
};

// Everything a refused call must leave as it was.
struct Observed {
  Accounting accounting;
  absl::Time now;
  std::optional<absl::Time> next_timer;
  std::vector<std::pair<uint64_t, absl::StatusOr<AgentSnapshot>>> agents;
  std::vector<std::pair<uint64_t, absl::StatusOr<ContactSnapshot>>> contacts;
  std::vector<QueueStats> stats;
  std::vector<QueueConfig> configs;
};

// One line of the failure report's history: an action, a call or an event,
// formatted only when a report is printed.
struct LogEntry {
  std::variant<std::string, Command, Event> what;
  bool intake = false;
};

std::vector<SkillLevel> Sorted(std::vector<SkillLevel> v);

inline bool Meets(const std::vector<SkillLevel>& have,
                  const std::vector<SkillRequirement>& need) {
  for (const SkillRequirement& r : need) {
    auto it = std::find_if(have.begin(), have.end(),
                           [&](const SkillLevel& s) { return s.skill == r.skill; });
    if (it == have.end() || it->level < r.level) return false;
  }
  return true;
}

// The routing step in force: relaxation counts from entering the queue.
inline int ModelStep(const QueueConfig& q, absl::Time queued_at, absl::Time now) {
  Micros waited = ToMicros(now) - ToMicros(queued_at);
  int step = 0;
  while (step < static_cast<int>(q.relaxation.size()) &&
         waited >= ToMicros(q.relaxation[step].after)) {
    ++step;
  }
  return step;
}

// --- Text for failure reports ------------------------------------------------

std::string SkillsText(const std::vector<SkillLevel>& v);
std::string Describe(const Command& command);
// Empty when equal, else "accounting <a> -> <b>".
std::string DiffAccounting(const Accounting& a, const Accounting& b);
std::string AgentText(const absl::StatusOr<AgentSnapshot>& s);
std::string ContactText(const absl::StatusOr<ContactSnapshot>& s);
std::string StatsText(const QueueStats& s);
std::string ConfigText(const QueueConfig& c);

// --- Field-by-field comparison of engine snapshots ---------------------------

bool Same(const AgentSnapshot& a, const AgentSnapshot& b);
bool Same(const ContactSnapshot& a, const ContactSnapshot& b);
bool Same(const QueueStats& a, const QueueStats& b);
bool Same(const QueueConfig& a, const QueueConfig& b);

template <class T>
bool Same(const absl::StatusOr<T>& a, const absl::StatusOr<T>& b) {
  if (a.ok() != b.ok()) return false;
  return a.ok() ? Same(*a, *b) : a.status() == b.status();
}

}  // namespace ccengine::test

#endif  // CCENGINE_TESTS_TESTING_RANDOM_MODEL_H_
