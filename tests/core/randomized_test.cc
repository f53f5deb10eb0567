// -----------------------------------------------------------------------------
// File: tests/core/randomized_test.cc
// -----------------------------------------------------------------------------
//
// Randomized invariant test of `ccengine::Engine`. A seeded driver builds an
// engine (6 skills, 4 queues with relaxation steps, size and wait limits,
// overflow targets, wrap-up and varied strategies, 30 agents with random
// skills and capacities, a fifth of them auto-accepting) and runs random
// steps against it: time advances,
// contacts arriving (sometimes with invalid input), offers accepted, rejected
// or left to time out, completions, abandons, transfers, withdrawals,
// priority changes, agent presence changes, queue updates, and now and then
// the same commands through `Submit` + `Poll` instead of the direct call.
//
// The driver keeps its own model of every contact and agent, built from the
// event stream alone (plus the presence changes it asked for), and after
// every step checks:
//   * `Engine::CheckInvariants()` and `Accounting::Balanced()`;
//   * the event stream: an agent never has two outstanding offers; every
//     kOffered is closed by exactly one of accepted / rejected / timed out /
//     rescinded before the contact is offered again; offers go only to
//     agents that are logged in, ready, out of wrap-up, within capacity,
//     qualified at the contact's routing step and not excluded; outcomes
//     refer to contacts in the right state;
//   * an agent that frees up (accept, complete, reject, login, ready, end of
//     wrap-up…) is offered the best waiting contact it may take: none it
//     could serve has a higher aged score;
//   * the model against the engine: contact and agent snapshots, agent
//     states, per-queue stats (waiting, longest wait, entered, answered,
//     abandoned, overflowed, transferred, completed, handle and answer
//     times), queue positions, the Accounting (terminal outcomes counted
//     from events), no contact waiting past its max wait, and work
//     conservation recomputed from the model;
//   * every call's status against the status the model predicts; a refused
//     call changes nothing (Accounting, agent and contact snapshots, queue
//     stats and configs) and emits no event (through the intake: exactly one
//     kCommandFailed carrying the same status).
// Each seed ends with a drain: every live contact is abandoned and the books
// must show nothing waiting, offered or in service.
//
// Replaying a failure: every failure message names its seed and step and
// prints the last actions and events, e.g.
//   CCENGINE_RANDOM_SEED=12345 CCENGINE_RANDOM_STEPS=678
//       ./randomized_test --gtest_filter='*EnvSeed*'
// (a run is deterministic for a given seed and standard library).
//
// The pieces live in tests/testing/: random_model.h (the model's records,
// formatting and comparison helpers), random_world.h (the engine and the
// model built from its events: predictions and cross-checks) and
// random_actions.h (the seeded set-up and the random actions).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "absl/status/status.h"
#include "ccengine/core/engine.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "testing/random_actions.h"
#include "testing/sanitized.h"

namespace ccengine {
namespace {

using Harness = test::RandomHarness;

constexpr uint64_t kSeeds[] = {1, 20240611, 0x5eedf00d, 777767777, 31337};
#ifdef CCENGINE_TEST_SANITIZED
constexpr int kStepsPerSeed = 10'000;  // ASan+UBSan make each step much slower
#else
constexpr int kStepsPerSeed = 25'000;  // 5 seeds: 125,000 steps
#endif

std::optional<long long> EnvNumber(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::strtoll(v, nullptr, 0);
}

void RunSeed(uint64_t seed, int steps) {
  SCOPED_TRACE(
      fmt::format("seed={} (replay: CCENGINE_RANDOM_SEED={} "
                  "./randomized_test --gtest_filter='*EnvSeed*')",
                  seed, seed));
  Harness h(seed);
  ASSERT_NO_FATAL_FAILURE(h.Setup());
  for (int i = 0; i < steps; ++i) {
    h.Step(i);
    ASSERT_TRUE(h.failures().empty()) << h.Report(i);
    absl::Status invariants = h.engine().CheckInvariants();
    ASSERT_TRUE(invariants.ok()) << invariants << h.Report(i);
    ASSERT_TRUE(h.engine().GetAccounting().Balanced()) << h.Report(i);
    h.CrossCheck();
    ASSERT_TRUE(h.failures().empty()) << h.Report(i);
  }
  h.Drain();
  ASSERT_TRUE(h.failures().empty()) << h.Report(steps);
  absl::Status invariants = h.engine().CheckInvariants();
  ASSERT_TRUE(invariants.ok()) << invariants << h.Report(steps);
  h.CrossCheck();
  h.CheckDrained();
  ASSERT_TRUE(h.failures().empty()) << h.Report(steps);
  std::printf("%s\n", h.Stats().c_str());
}

int StepsPerSeed() {
  std::optional<long long> steps = EnvNumber("CCENGINE_RANDOM_STEPS");
  return steps && *steps > 0 ? static_cast<int>(*steps) : kStepsPerSeed;
}

class RandomizedTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(RandomizedTest, InvariantsHoldAfterEveryStep) {
  RunSeed(GetParam(), StepsPerSeed());
}

INSTANTIATE_TEST_SUITE_P(FixedSeeds, RandomizedTest, ::testing::ValuesIn(kSeeds));

TEST(RandomizedEnvSeed, InvariantsHoldAfterEveryStep) {
  std::optional<long long> seed = EnvNumber("CCENGINE_RANDOM_SEED");
  if (!seed) GTEST_SKIP() << "set CCENGINE_RANDOM_SEED to run another seed";
  RunSeed(static_cast<uint64_t>(*seed), StepsPerSeed());
}

}  // namespace
}  // namespace ccengine
