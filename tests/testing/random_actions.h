// -----------------------------------------------------------------------------
// File: tests/testing/random_actions.h
// -----------------------------------------------------------------------------
//
// `RandomHarness`: the randomized invariant test's driver. From one seed it
// builds an engine (6 skills, 4 queues with relaxation steps, size and wait
// limits, overflow targets, wrap-up and varied strategies, 30 agents with
// random skills and capacities) and then, one step at a time, picks a random
// action: time advances, contacts arriving (sometimes with invalid input),
// offers accepted, rejected or left to time out, completions, abandons,
// transfers, withdrawals, priority changes, agent presence changes, queue
// updates, skill changes, agents added and removed. Every call goes through
// `RandomWorld` (random_world.h), which predicts and checks it.
//
// All randomness comes from one `std::mt19937_64` seeded with the seed, in a
// fixed order, so a run is deterministic for a given seed and standard
// library.
//
// Thread safety: single-threaded.
//
// Example:
//   RandomHarness h(seed);
//   h.Setup();
//   for (int i = 0; i < steps; ++i) {
//     h.Step(i);
//     h.CrossCheck();
//     ASSERT_TRUE(h.failures().empty()) << h.Report(i);
//   }

#ifndef CCENGINE_TESTS_TESTING_RANDOM_ACTIONS_H_
#define CCENGINE_TESTS_TESTING_RANDOM_ACTIONS_H_

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "testing/random_world.h"

namespace ccengine::test {

class RandomHarness : public RandomWorld {
 public:
  explicit RandomHarness(uint64_t seed) : RandomWorld(seed), rng_(seed) {}

  // Creates the engine and the model's configuration; logs in about 70% of
  // the agents. Uses GoogleTest assertions: wrap in ASSERT_NO_FATAL_FAILURE.
  void Setup();
  // One random action, numbered `step` in failure reports.
  void Step(int step);
  // Abandons every live contact; afterwards nothing may be waiting, offered
  // or in service (see `CheckDrained()`).
  void Drain();

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <class V>
  auto Pick(const V& v) {
    return v[static_cast<size_t>(Uniform(0, static_cast<int>(v.size()) - 1))];
  }
  absl::Duration Millis(int lo, int hi) { return absl::Milliseconds(Uniform(lo, hi)); }

  std::vector<SkillLevel> RandomSkills(int min_count, int max_count, int lo, int hi);
  QueueConfig RandomQueueConfig(std::string name, int existing_queues);
  AgentConfig RandomAgentConfig(AgentId id);

  // Runs one command, directly or (15%) through Submit + Poll.
  void RunCommand(const Command& command) { Apply(command, Chance(0.15)); }

  // The steps.
  void TimeStep();
  ContactId AnyContactId();
  AgentId AnyAgentId();
  void AddContactStep();
  void OfferResponseStep(bool accept);
  void CompleteStep();
  void AbandonStep();
  void TransferStep();
  void WithdrawStep();
  void PriorityStep();
  void AgentStep();
  void AddRemoveAgentStep();
  void SetSkillsStep();
  void UpdateQueueStep();

  std::mt19937_64 rng_;
  uint64_t next_contact_ = 1;
};

}  // namespace ccengine::test

#endif  // CCENGINE_TESTS_TESTING_RANDOM_ACTIONS_H_
