// -----------------------------------------------------------------------------
// File: bench/skewed_center.h
// -----------------------------------------------------------------------------
//
// The small center the journal and recovery benchmarks route through: 20
// skills and 20 queues (queue q needs skill q at level 1), agents with 4
// skills each drawn with Zipf-like popularity (weight 1/(s+1)), every queue
// served (agent a holds skill a % 20 at level 5), all logged in.
//
// Thread safety: plain functions; each benchmark builds its own engine.

#ifndef CCENGINE_BENCH_SKEWED_CENTER_H_
#define CCENGINE_BENCH_SKEWED_CENTER_H_

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bench_util.h"
#include "benchmark/benchmark.h"
#include "ccengine/core/engine.h"

namespace ccbench {

inline constexpr int kCenterSkills = 20;
inline constexpr int kCenterQueues = 20;

// Skills and queues only: what an application configures at start-up.
inline std::unique_ptr<ccengine::Engine> ConfiguredCenter(
    ccengine::EngineOptions options = {}) {
  auto created = ccengine::Engine::Create(options);
  if (!created.ok()) Die(created.status());
  ccengine::Engine& e = **created;
  for (int s = 0; s < kCenterSkills; ++s) (void)e.AddSkill("skill" + std::to_string(s));
  for (int q = 0; q < kCenterQueues; ++q) {
    ccengine::QueueConfig c;
    c.name = "queue" + std::to_string(q);
    c.skills = {{ccengine::SkillId{static_cast<uint32_t>(q % kCenterSkills)}, 1}};
    if (!e.AddQueue(c).ok()) Die(absl::InternalError("AddQueue"));
  }
  return std::move(created).value();
}

// Agents 1..`agents`, logged in and ready.
inline void AddSkewedAgents(ccengine::Engine& e, int agents, bool auto_accept) {
  std::mt19937_64 rng(5);
  std::vector<double> weights;
  weights.reserve(kCenterSkills);
  for (int s = 0; s < kCenterSkills; ++s) weights.push_back(1.0 / (s + 1));
  std::discrete_distribution<int> skill(weights.begin(), weights.end());
  for (int a = 0; a < agents; ++a) {
    ccengine::AgentConfig c;
    c.id = ccengine::AgentId{static_cast<uint64_t>(a + 1)};
    c.auto_accept = auto_accept;
    c.skills.push_back({ccengine::SkillId{static_cast<uint32_t>(a % kCenterSkills)}, 5});
    while (c.skills.size() < 4) {
      const ccengine::SkillId s{static_cast<uint32_t>(skill(rng))};
      bool have = false;
      for (const auto& k : c.skills) have |= k.skill == s;
      if (!have) c.skills.push_back({s, 5});
    }
    if (!e.AddAgent(c).ok() || !e.Login(c.id).ok()) Die(absl::InternalError("agent"));
  }
}

// One contact through `e` on a clock that moves 100 ms per contact, each
// command through Engine::Apply: AddContact to a random queue (offered and
// accepted at once by an auto-accepting agent), then CompleteContact with
// `outcome`, both sent with `origin` (its actor, for access control). False
// when a command failed or nobody served it.
inline bool RouteOneContact(ccengine::Engine& e, uint64_t id, std::mt19937_64& rng,
                            const ccengine::ContactOutcome& outcome = {},
                            ccengine::CommandOrigin origin = {}) {
  ccengine::ContactSpec s;
  s.id = ccengine::ContactId{id};
  s.queue = ccengine::QueueId{static_cast<uint32_t>(rng() % kCenterQueues)};
  s.attributes = {{"intent", "refund"}};
  if (!e.AdvanceTo(e.Now() + absl::Milliseconds(100)).ok() ||
      !e.Apply(ccengine::cmd::AddContact{s}, origin).ok()) {
    return false;
  }
  const auto c = e.GetContact(s.id);
  return c.ok() && c->agent.has_value() &&
         e.Apply(ccengine::cmd::CompleteContact{*c->agent, s.id, outcome}, origin).ok();
}

// RouteOneContact until the benchmark stops; contacts/s as items.
inline void RunContacts(benchmark::State& state, ccengine::Engine& e,
                        const ccengine::ContactOutcome& outcome = {},
                        ccengine::CommandOrigin origin = {}) {
  uint64_t next = 1;
  std::mt19937_64 rng(9);
  for (auto _ : state) {
    if (!RouteOneContact(e, next++, rng, outcome, origin)) {
      state.SkipWithError("the contact was not served");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace ccbench

#endif  // CCENGINE_BENCH_SKEWED_CENTER_H_
