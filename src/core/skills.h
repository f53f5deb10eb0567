// Skill-list helpers shared by the agent side (agents.cc) and the decisions
// (matching.cc). Private to src/core.

#ifndef CCENGINE_SRC_CORE_SKILLS_H_
#define CCENGINE_SRC_CORE_SKILLS_H_

#include "absl/types/span.h"
#include "ccengine/core/types.h"

namespace ccengine::internal {

// Both lists sorted by skill id: does `have` meet every entry of `need`?
// One merge pass, O(|have| + |need|).
inline bool MeetsAll(absl::Span<const SkillLevel> have,
                     absl::Span<const SkillRequirement> need) {
  auto h = have.begin();
  for (const SkillRequirement& r : need) {
    while (h != have.end() && h->skill < r.skill) ++h;
    if (h == have.end() || h->skill != r.skill || h->level < r.level) return false;
  }
  return true;
}

}  // namespace ccengine::internal

#endif  // CCENGINE_SRC_CORE_SKILLS_H_
