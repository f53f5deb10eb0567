// Private to src/core: what the two files of the contact-arrives decision
// share — matching.cc (the decisions) and free_agents.cc (the free lists,
// rings and heaps some strategies decide from).

#ifndef CCENGINE_SRC_CORE_DECISION_H_
#define CCENGINE_SRC_CORE_DECISION_H_

#include <algorithm>
#include <cstdint>

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
                          kRoundRobin = 3, kBestProficiency = 6;

// After an indexed decision could not answer (an agent holding contacts may
// be in the pool), a queue's next decisions this many scan straight away.
inline constexpr uint32_t kIdleWalkBackoff = 16;

// Whether the contact refuses the agent (it rejected or missed it).
inline bool Excludes(const ContactRec& c, AgentId agent) {
  return std::find(c.excluded.begin(), c.excluded.end(), agent) != c.excluded.end();
}

}  // namespace ccengine::internal

#endif  // CCENGINE_SRC_CORE_DECISION_H_
