// -----------------------------------------------------------------------------
// File: tests/testing/engine_day.h
// -----------------------------------------------------------------------------
//
// A randomized day for tests that compare two engines (a journal replay, a
// restored snapshot): a small center of four queues (`NewDayCenter`), a
// driver that picks random commands from the first engine's state and gives
// each to every engine the same way (`DayDriver`: Apply, or Submit + Poll;
// some refused on purpose), and everything an engine shows about its state
// as text (`DescribeState`), to compare.
//
// Thread safety: single-threaded, like the router thread.

#ifndef CCENGINE_TESTS_TESTING_ENGINE_DAY_H_
#define CCENGINE_TESTS_TESTING_ENGINE_DAY_H_

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ccengine/core/engine.h"

namespace ccengine::test {

// Skills tax, medical, english; queues general (weighted random, wrap-up),
// tax (relaxation, overflow to general, max size and wait), medical
// (random), english (satisfaction). Seed 7, starting at 08:00.
std::unique_ptr<Engine> NewDayCenter();

// Clock, next timer, books, every queue's counters, and every listed agent's
// and contact's state, as text.
std::string DescribeState(const Engine& e, const std::vector<AgentId>& agents,
                          const std::vector<ContactId>& contacts);

// The engine's state bytes (Engine::SaveState): its state digest.
std::string SavedState(const Engine& e);

// Every event `e` emits from now on, described (DescribeEvent), to compare two
// engines' futures. The list must outlive the engine's emitting.
std::unique_ptr<std::vector<std::string>> RecordEvents(Engine& e);

class DayDriver {
 public:
  explicit DayDriver(uint64_t seed) : rng_(seed) {}

  // Every agent and contact id used so far.
  std::vector<AgentId> agents;
  std::vector<ContactId> contacts;
  // The latest 64 commands sent with an origin (producer 1), oldest first.
  std::vector<std::pair<Command, CommandOrigin>> originated;

  // One step: time moves on, or one command or a batch is given to every
  // engine. Fails the test (ASSERT) when an engine refuses a Submit or Poll.
  void Step(const std::vector<Engine*>& engines);

  // One random command chosen from `e`'s state (new agents and contacts get
  // the next ids; some are refused on purpose), without an origin: for a
  // producer that sends commands itself.
  Command Pick(const Engine& e);

  int Uniform(int lo, int hi);
  bool Chance(double p);

 private:
  AgentId SomeAgent();
  ContactId SomeContact(const Engine& e);

  std::mt19937_64 rng_;
  uint64_t next_agent_ = 1;
  uint64_t next_contact_ = 1;
  uint64_t next_sequence_ = 1;
};

}  // namespace ccengine::test

#endif  // CCENGINE_TESTS_TESTING_ENGINE_DAY_H_
