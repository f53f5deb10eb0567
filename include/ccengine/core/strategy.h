// -----------------------------------------------------------------------------
// File: ccengine/core/strategy.h
// -----------------------------------------------------------------------------
//
// Agent selection. When a contact can go to several eligible agents, the
// queue's `AgentStrategy` scores each and the highest score wins; equal
// scores go to the agent idle the longest, then to the lower agent id, so a
// decision never depends on memory layout. The engine finds the eligible
// agents through its indexes (skills, channel capacity, exclusions); the
// strategy only orders them.
//
// Built-in strategies, registered under these names in every engine:
//   "longest_idle"      the agent free the longest (classic ACD)
//   "least_occupied"    the lowest share of the load budget in use
//   "fewest_handled"    the fewest contacts accepted since login
//   "round_robin"       the agent offered a contact least recently
//   "random"            uniform (seeded by `EngineOptions::seed`)
//   "weighted_random"   proportional to `AgentConfig::weight` (seeded)
//   "best_proficiency"  highest summed level on the contact's skills
//   "composite"         weighted sum of proficiency, idle time, spare
//                       capacity and fewest handled (`CompositeWeights`)
//   "satisfaction"      learned quality (CSAT, first-contact resolution)
//                       first, while enough eligible agents are free; then
//                       proficiency, idle time and occupancy against a
//                       target (`SatisfactionWeights`, see below)
// A product adds its own with `Engine::RegisterStrategy`: subclass
// `AgentStrategy` (it may keep state; the router calls it on its thread
// only), or wrap a lambda in `FunctionStrategy`.
//
// Cost of a decision when a contact arrives (N agents, P eligible free
// agents; docs/architecture.md has the structures):
//   "longest_idle"     independent of P: a walk of at most 16 entries of the
//                      free list of the pool's rarest skill, or, for a pool
//                      that is a thin slice of that list, O(1) amortized from
//                      the rings the engine then keeps for its group
//   "least_occupied"   the same while no agent holding contacts (a chat
//                      agent below capacity) can be in the pool; else as below
//   "fewest_handled", "round_robin", "best_proficiency"
//                      independent of P, under the same condition: the top
//                      of a heap per (group, step) of free agents ordered by
//                      the score, which does not change while they are free;
//                      each freed agent costs O(log n) per such group
//   "random", "weighted_random"
//                      independent of P: O(N / 64) words of the skill and
//                      channel bitsets (the pool's members counted word by
//                      word), then a draw located by binary search on those
//                      counts; weighted: a uniform member kept with
//                      probability weight / the largest weight of any live
//                      agent (logged out or serving other queues included:
//                      one heavy agent anywhere makes draws fail more often),
//                      expected (largest / mean) draws, at most 64, then one
//                      pass over the pool's words and members (O(N / 64 + P))
//                      for the cumulative weights. The chosen agent
//                      depends only on the pool and the generator, never on
//                      the order in which agents became free, so a restored
//                      engine decides as the one that saved its state
//   every other strategy, built-in or registered: O(N / 64) words of the
//   skill and channel bitsets, and one `Score` call per eligible free agent
//   (P calls). A registered strategy should keep `Score` cheap: no
//   allocation, no locks, no calls into the engine.
//
// Thread safety: strategies are called on the router thread only; they need
// no locking unless the product shares state with other threads.
//
// Example:
//   engine->RegisterStrategy("senior_first",
//       std::make_unique<ccengine::FunctionStrategy>(
//           [](const ccengine::AgentView& a, const ccengine::ContactView& c,
//              ccengine::Micros now) { return a.Level(c.skills[0].skill); }));

#ifndef CCENGINE_CORE_STRATEGY_H_
#define CCENGINE_CORE_STRATEGY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ccengine/core/types.h"

namespace ccengine {

// What a strategy may read of an agent during a decision.
struct AgentView {
  AgentId id;
  absl::Span<const SkillLevel> skills;  // sorted by skill id
  Micros idle_since = 0;                // when the agent last became free for work
  uint64_t handled = 0;                 // contacts accepted since login
  uint64_t last_offer_seq = 0;          // engine-wide offer counter; 0 = never
  uint32_t load = 0;                    // load units in use
  uint32_t load_budget = 1;
  uint32_t active = 0;  // contacts offered or in service
  double weight = 1.0;
  // Filled only for strategies whose `UsesQuality()` is true: the agent's
  // estimated CSAT (1..5) and first-contact resolution (0..1), averaged over
  // the contact's skills (see quality.h), and its occupancy over the
  // engine's work window (`EngineOptions::work_window`).
  double csat = 0;
  double fcr = 0;
  double occupancy = 0;
  // The agent's level in `skill`, 0 if it lacks the skill.
  int Level(SkillId skill) const;
};

// What a strategy may read of the contact being placed.
struct ContactView {
  ContactId id;
  QueueId queue;
  Channel channel = Channel::kVoice;
  int priority = 0;  // effective class (contact + queue)
  // The requirements the agent is judged on: the queue's step-0 skills and
  // the contact's own.
  absl::Span<const SkillRequirement> skills;
  Micros arrived = 0;
  Micros queued_at = 0;  // entered its current queue
  // Eligible agents able to take the contact in this decision (set for
  // strategies whose `UsesQuality()` is true, and when explaining).
  int candidates = 0;
};

// One named term of a score, for explanation records. `name` points to a
// string with static storage.
struct ScoreTerm {
  const char* name;
  double value;
};

class AgentStrategy {
 public:
  virtual ~AgentStrategy() = default;
  // Higher is better. Must not call into the engine.
  virtual double Score(const AgentView& agent, const ContactView& contact,
                       Micros now) = 0;
  // Called once for each offer made with this strategy's choice, when
  // `ObservesOffers()`.
  virtual void OnOffered(const AgentView& /*agent*/, const ContactView& /*contact*/,
                         Micros /*now*/) {}
  // Whether `OnOffered` should be called. A strategy that ignores offers
  // returns false, and the engine then builds no views for its offers.
  virtual bool ObservesOffers() const { return true; }
  // The same score as `Score` (and the same state change, e.g. a random
  // draw), with its terms appended to `terms`; called instead of `Score`
  // when someone subscribed to explanation records. Default: one term.
  virtual double ScoreTerms(const AgentView& agent, const ContactView& contact,
                            Micros now, std::vector<ScoreTerm>& terms) {
    double s = Score(agent, contact, now);
    terms.push_back({"score", s});
    return s;
  }
  // True if the strategy reads the quality and occupancy fields of
  // `AgentView` and `ContactView::candidates` (the engine then fills them).
  virtual bool UsesQuality() const { return false; }
  // The rule that orders agents for this contact, for explanation records.
  virtual std::string Rule(const ContactView& /*contact*/) const {
    return "highest score";
  }
  // How long a contact may wait, from entering its queue, for a busy agent
  // that is clearly better than every free one (see `WorthWaitingFor`);
  // zero (the default): never.
  virtual absl::Duration MaxHold() const { return absl::ZeroDuration(); }
  // Whether `busy` (logged in, eligible, not free now) is worth waiting for
  // rather than giving the contact to `best_free` now. Quality fields set.
  virtual bool WorthWaitingFor(const AgentView& /*busy*/, const AgentView& /*best_free*/,
                               const ContactView& /*contact*/) const {
    return false;
  }
  // State snapshots (Engine::SaveState / LoadState). A strategy that keeps
  // state between decisions (a random generator, a rotation pointer) appends
  // it to `out` and reads the same bytes back, so a restored engine decides
  // as the saved one would have. Default: no state (writes nothing, and
  // accepts only nothing). LoadState returns InvalidArgument for bytes it did
  // not write, leaving the strategy as it was.
  virtual void SaveState(std::string& /*out*/) const {}
  virtual absl::Status LoadState(std::string_view state) {
    if (state.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError("strategy state: this strategy keeps none");
  }
};

class FunctionStrategy final : public AgentStrategy {
 public:
  using Fn = std::function<double(const AgentView&, const ContactView&, Micros)>;
  explicit FunctionStrategy(Fn fn) : fn_(std::move(fn)) {}
  double Score(const AgentView& agent, const ContactView& contact, Micros now) override {
    return fn_(agent, contact, now);
  }

 private:
  Fn fn_;
};

class LongestIdleStrategy final : public AgentStrategy {
 public:
  bool ObservesOffers() const override { return false; }
  double Score(const AgentView& a, const ContactView&, Micros now) override;
};
class LeastOccupiedStrategy final : public AgentStrategy {
 public:
  bool ObservesOffers() const override { return false; }
  double Score(const AgentView& a, const ContactView&, Micros now) override;
};
class FewestHandledStrategy final : public AgentStrategy {
 public:
  bool ObservesOffers() const override { return false; }
  double Score(const AgentView& a, const ContactView&, Micros now) override;
};
class RoundRobinStrategy final : public AgentStrategy {
 public:
  bool ObservesOffers() const override { return false; }
  double Score(const AgentView& a, const ContactView&, Micros now) override;
};
class BestProficiencyStrategy final : public AgentStrategy {
 public:
  bool ObservesOffers() const override { return false; }
  double Score(const AgentView& a, const ContactView& c, Micros now) override;
};

// The engine does not score agents for "random" and "weighted_random": it
// draws one member of the pool from the strategy's `generator()` (above,
// "Cost of a decision"); `Score` serves a strategy used on its own.
class RandomStrategy final : public AgentStrategy {
 public:
  bool ObservesOffers() const override { return false; }
  explicit RandomStrategy(uint64_t seed) : rng_(seed) {}
  double Score(const AgentView& a, const ContactView&, Micros now) override;
  void SaveState(std::string& out) const override;  // the generator's state
  absl::Status LoadState(std::string_view state) override;
  std::mt19937_64& generator() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

// Its `Score` gives Efraimidis–Spirakis keys: the maximum of u^(1/w) picks an
// agent with probability proportional to its weight. The engine draws by
// rejection instead (above), with the same distribution.
class WeightedRandomStrategy final : public AgentStrategy {
 public:
  bool ObservesOffers() const override { return false; }
  explicit WeightedRandomStrategy(uint64_t seed) : rng_(seed) {}
  double Score(const AgentView& a, const ContactView&, Micros now) override;
  void SaveState(std::string& out) const override;  // the generator's state
  absl::Status LoadState(std::string_view state) override;
  std::mt19937_64& generator() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

struct CompositeWeights {
  double proficiency = 1.0;     // mean level / 10 over the contact's skills
  double idle = 1.0;            // idle time / idle_scale, capped at 1
  double spare_capacity = 1.0;  // 1 - load / budget
  double fewest_handled = 0.0;  // 1 / (1 + handled)
  absl::Duration idle_scale = absl::Minutes(5);
};

class CompositeStrategy final : public AgentStrategy {
 public:
  bool ObservesOffers() const override { return false; }
  explicit CompositeStrategy(CompositeWeights w = {}) : w_(w) {}
  double Score(const AgentView& a, const ContactView& c, Micros now) override;

 private:
  CompositeWeights w_;
};

// The "satisfaction" strategy's score, each term in [0, 1] before weighting:
//   quality × q × gate × fade
//       q    = csat_share × (csat - 1) / 4 + (1 - csat_share) × fcr
//       gate = 1 while at least `min_idle_for_quality` eligible agents can
//              take the contact now, else 0: with fewer free agents quality
//              does not order them (the contact never waits for a better
//              agent: it goes to a free one at once)
//       fade = max(0, 1 - waited / quality_fade): the longer the contact
//              has waited, the less quality counts
// + proficiency × mean level / 10 over the contact's skills
// + idle × min(1, idle time / idle_scale)                (fairness)
// + occupancy × (occupancy_target - occupancy over the work window)
// Ties go to the agent idle the longest. Guards that apply to any strategy
// (occupancy cap, spread, exploration) are in `QueueConfig::guards`.
//
// Waiting for a better agent is off by default: a contact goes to a free
// agent at once. With `max_hold` > 0, a contact that finds only free agents
// whose q is more than `hold_margin` below a busy eligible agent's may wait —
// never longer than `max_hold` from entering the queue; then it goes to the
// best free agent. Any agent that frees up meanwhile takes it in line order.
struct SatisfactionWeights {
  double quality = 4.0;
  double csat_share = 0.5;  // in [0, 1]
  double proficiency = 0.5;
  double idle = 1.0;
  double occupancy = 1.0;
  double occupancy_target = 0.85;  // in [0, 1]
  absl::Duration idle_scale = absl::Minutes(5);
  int min_idle_for_quality = 2;  // >= 1
  absl::Duration quality_fade = absl::Minutes(2);
  absl::Duration max_hold = absl::ZeroDuration();  // >= 0, at most 1 hour
  double hold_margin = 0.15;                       // in [0, 1]
};

class SatisfactionStrategy final : public AgentStrategy {
 public:
  bool ObservesOffers() const override { return false; }
  explicit SatisfactionStrategy(SatisfactionWeights w = {}) : w_(w) {}
  // InvalidArgument unless every weight is finite and >= 0, the shares and
  // target are in [0, 1], the scales are positive and min idle >= 1.
  static absl::Status Validate(const SatisfactionWeights& w);
  double Score(const AgentView& a, const ContactView& c, Micros now) override;
  double ScoreTerms(const AgentView& a, const ContactView& c, Micros now,
                    std::vector<ScoreTerm>& terms) override;
  bool UsesQuality() const override { return true; }
  std::string Rule(const ContactView& c) const override;
  absl::Duration MaxHold() const override { return w_.max_hold; }
  bool WorthWaitingFor(const AgentView& busy, const AgentView& best_free,
                       const ContactView& contact) const override;
  const SatisfactionWeights& weights() const { return w_; }
  // q in [0, 1]: csat_share × (csat - 1) / 4 + (1 - csat_share) × fcr.
  double Quality(const AgentView& a) const;

 private:
  double Compute(const AgentView& a, const ContactView& c, Micros now,
                 std::vector<ScoreTerm>* terms) const;
  SatisfactionWeights w_;
};

}  // namespace ccengine

#endif  // CCENGINE_CORE_STRATEGY_H_
