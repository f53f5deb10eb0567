// -----------------------------------------------------------------------------
// File: tests/testing/random_world.h
// -----------------------------------------------------------------------------
//
// `RandomWorld`: the randomized invariant test's engine and its model of that
// engine. The model of every contact and agent is built from the event stream
// alone (plus the presence changes the test asked for); the world predicts
// each call's status from it, runs the call (directly or through the intake),
// and checks the status, the events and, for a refused call, that nothing
// changed. `CrossCheck()` compares the whole model with the engine.
//
// The world makes no random choices: `RandomHarness` (random_actions.h)
// creates the engine, fills in the model's configuration and drives it.
//
// The definitions are spread over three files:
//   random_world.cc         the cross-checks, the report and model helpers;
//   random_world_events.cc  the event stream (`OnEvent`);
//   random_world_calls.cc   predicting, running and checking one call.
//
// Thread safety: single-threaded, like the router thread it stands for.

#ifndef CCENGINE_TESTS_TESTING_RANDOM_WORLD_H_
#define CCENGINE_TESTS_TESTING_RANDOM_WORLD_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "testing/random_model.h"

namespace ccengine::test {

class RandomWorld {
 public:
  explicit RandomWorld(uint64_t seed) : seed_(seed) {}
  RandomWorld(const RandomWorld&) = delete;
  RandomWorld& operator=(const RandomWorld&) = delete;

  Engine& engine() { return *engine_; }
  const std::vector<std::string>& failures() const { return failures_; }

  // Compares the model with the engine: contacts, the Accounting, queue
  // stats and positions, agents, and work conservation. Records failures.
  void CrossCheck();
  // After the drain: nothing live, every contact that entered is terminal,
  // and the run exercised enough.
  void CheckDrained();
  // The failures, a replay line and the recent actions and events.
  std::string Report(int step) const;
  // One line of counters for the log.
  std::string Stats() const;

 protected:
  void Fail(std::string what);
  void Log(LogEntry entry);

  // Updates the model from one event and checks it (random_world_events.cc).
  void OnEvent(const Event& e);

  const MAgent* FindAgent(AgentId id) const;
  Code PredictSkills(const std::vector<SkillLevel>& skills) const;

  // Runs one command, directly or through Submit + Poll, and checks its
  // status against the model's prediction.
  void Apply(const Command& command, bool via_intake);
  // Fires timers that are already due, so that predictions hold.
  void FlushOverdueTimers();

  // Everything a refused call must leave as it was, and the check that it did.
  Observed Capture() const;
  void ExpectUnchanged(const Observed& a, const Observed& b, const std::string& what);

 private:
  // --- random_world.cc ---------------------------------------------------------
  static AgentState DerivedState(const MAgent& a, absl::Time now);
  std::vector<uint64_t> HeldBy(const MAgent& a) const;
  std::string WhyCannotTake(const MAgent& a, Channel channel, absl::Time now) const;
  bool ModelCanTake(const MAgent& a, Channel channel, absl::Time now) const;
  bool Qualifies(const MAgent& a, const MContact& c, int step) const;
  double AgedScore(const MContact& c, absl::Time now) const;
  bool Ahead(const MContact& a, const MContact& b, absl::Time now) const;
  void CheckBestContact(const Event& e, const MAgent& a, uint64_t offered,
                        const MContact& c);
  void CheckQueuePositions(absl::Time now);
  static bool IsExcluded(const MContact& c, AgentId a);
  void SetState(uint64_t id, MContact& c, MState s);
  void Terminate(uint64_t id);
  void StartWrapUp(MAgent& a, uint32_t queue, absl::Time now);

  // --- random_world_events.cc --------------------------------------------------
  MContact* LiveContact(const Event& e, const char* what);
  MAgent* KnownAgent(const Event& e, const char* what);
  bool CloseOffer(const Event& e, MContact& c, MAgent& a);

  // --- random_world_calls.cc ---------------------------------------------------
  const MContact* FindContact(ContactId id) const;
  size_t WaitingIn(uint32_t queue) const;
  Code Predict(const Command& command) const;
  void PreUpdate(const Command& command);
  std::optional<AgentId> FreedAgent(const Command& command) const;
  absl::Status Direct(const Command& command);

 protected:
  // The engine and the model. `RandomHarness` sets them up, picks its actions
  // from them, and updates them for the calls it checks itself.
  std::unique_ptr<Engine> engine_;
  uint64_t seed_;
  int rona_limit_ = 3;
  int step_ = -1;
  std::vector<QueueConfig> queues_;
  absl::Duration class_weight_;
  std::map<uint64_t, MAgent> agents_;
  std::map<uint64_t, MContact> contacts_;
  IdSet offered_, in_service_;
  std::deque<uint64_t> terminated_;
  std::vector<uint64_t> terminated_this_step_;

  // Set around one call.
  std::optional<AgentId> agent_side_;     // the call frees this agent up
  std::optional<uint64_t> contact_side_;  // just (re)entered the line
  int call_events_ = 0;

  std::vector<std::string> failures_;

 private:
  std::vector<MStats> stats_ = std::vector<MStats>(kQueues);
  uint64_t arrivals_ = 0;
  IdSet waiting_;

  // Set around one call.
  std::optional<ContactSpec> pending_add_;
  std::optional<bool> pending_keep_age_;
  std::pair<uint64_t, uint64_t> last_rescind_{0, 0};  // (contact, agent)
  std::vector<absl::Status> command_failures_;

  absl::Time last_event_time_ = absl::InfinitePast();
  uint64_t entered_ = 0, completed_ = 0, abandoned_ = 0, overflowed_ = 0, withdrawn_ = 0;
  uint64_t count_offered_ = 0, count_accepted_ = 0, count_rejected_ = 0,
           count_timed_out_ = 0, count_rescinded_ = 0, count_transferred_ = 0,
           count_best_checked_ = 0;
  uint64_t calls_ok_ = 0, calls_refused_ = 0, calls_via_intake_ = 0;

  std::deque<LogEntry> recent_;
};

}  // namespace ccengine::test

#endif  // CCENGINE_TESTS_TESTING_RANDOM_WORLD_H_
