// Private to src/core: what the files of the contact-arrives decision share
// — matching.cc (the decisions), free_agents.cc (the free lists, rings and
// heaps some strategies decide from) and random_pick.cc (the draws of the
// random strategies).

#ifndef CCENGINE_SRC_CORE_DECISION_H_
#define CCENGINE_SRC_CORE_DECISION_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>

#include "ccengine/core/internal/records.h"
#include "ccengine/core/types.h"

// The candidate visitor is called once per eligible agent from several
// kernels; GCC would rather call it than copy it into each, and the call
// costs more than the usual early return inside it.
#if defined(__GNUC__) || defined(__clang__)
#define CCENGINE_INLINE_LAMBDA __attribute__((always_inline))
#else
#define CCENGINE_INLINE_LAMBDA
#endif

namespace ccengine::internal {

// The built-in strategies' ids: their order of registration (Engine::Engine).
inline constexpr uint32_t kLongestIdle = 0, kLeastOccupied = 1, kFewestHandled = 2,
                          kRoundRobin = 3, kRandom = 4, kWeightedRandom = 5,
                          kBestProficiency = 6;

// After an indexed decision could not answer (an agent holding contacts may
// be in the pool), a queue's next decisions this many scan straight away.
inline constexpr uint32_t kIdleWalkBackoff = 16;

// Whether the contact refuses the agent (it rejected or missed it).
inline bool Excludes(const ContactRec& c, AgentId agent) {
  return std::find(c.excluded.begin(), c.excluded.end(), agent) != c.excluded.end();
}

// Word `w` of a contact's pool: the AND of the sets in `all` (the channel's
// "can take one more", the contact's own skills) with the OR, over the
// routing steps in force, of each step's AND; `steps` lists each step's sets
// and a null after each step.
template <typename All, typename Steps>
uint64_t PoolWord(size_t w, const All& all, const Steps& steps) {
  uint64_t base = ~uint64_t{0};
  for (const uint64_t* set : all) base &= set[w];
  if (base == 0) return 0;
  uint64_t pool = 0, step_bits = base;
  for (const uint64_t* set : steps) {
    if (set == nullptr) {
      pool |= step_bits;
      step_bits = base;
    } else {
      step_bits &= set[w];
    }
  }
  return pool;
}

// A uniform draw in [0, n), n > 0. The remainder's bias is below n / 2^64.
inline uint64_t DrawBelow(std::mt19937_64& rng, uint64_t n) { return rng() % n; }

// A uniform draw in [0, 1).
inline double DrawUnit(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

// The random strategies' draw among `n` > 0 agents in slot order: `nth(i)`
// the i-th's slot, `each(f)` calls f(slot) on each in order until f returns
// true. Shared by the indexed decision (the pool's bits) and the full one
// (its candidates) so that both pick the same agent from the same pool.
// `random` (`top` == 0): one uniform draw. `weighted_random`: a member drawn
// uniformly is kept with probability weight(slot) / `top`, `top` being the
// largest weight of any live agent (so at least every member's), up to
// kMaxWeightedDraws times (expected top / mean weight draws); then one walk
// of the cumulative weights, two passes of `each`.
inline constexpr int kMaxWeightedDraws = 64;
template <typename Nth, typename Each, typename Weight>
uint32_t DrawAgent(std::mt19937_64& rng, uint64_t n, double top, Nth&& nth, Each&& each,
                   Weight&& weight) {
  if (top <= 0) return nth(DrawBelow(rng, n));
  for (int draw = 0; draw < kMaxWeightedDraws; ++draw) {
    const uint32_t slot = nth(DrawBelow(rng, n));
    if (DrawUnit(rng) * top < weight(slot)) return slot;
  }
  // Weights relative to `top` (each at most 1): the total stays finite.
  double total = 0;
  each([&](uint32_t slot) {
    total += weight(slot) / top;
    return false;
  });
  double x = DrawUnit(rng) * total;
  uint32_t chosen = kNoSlot;
  each([&](uint32_t slot) {
    chosen = slot;  // the last member when rounding leaves x >= 0
    x -= weight(slot) / top;
    return x < 0;
  });
  return chosen;
}

}  // namespace ccengine::internal

#endif  // CCENGINE_SRC_CORE_DECISION_H_
