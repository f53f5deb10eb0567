// -----------------------------------------------------------------------------
// File: ccengine/core/internal/quality_model.h
// -----------------------------------------------------------------------------
//
// `QualityModel`: what the engine learns from outcomes (quality.h). Per
// skill it keeps the decayed CSAT and FCR sums over every agent (the skill's
// mean); per agent and skill, the cells an agent record carries. An agent's
// estimate on a skill is its own decayed mean shrunk toward the skill's mean
// by `prior_weight` pseudo-samples, so an agent with few samples scores near
// the mean and one with many scores near its own record; the skill's mean is
// itself shrunk toward the configured default.
//
// Thread safety: none; the router thread owns it.
//
// Example:
//   QualityModel model(options.quality);
//   model.AddSkill();
//   model.Record(agent.quality, skill, {.csat = 5, .resolved = true}, now);
//   QualityEstimate e = model.Estimate(agent.quality, skill, now);

#ifndef CCENGINE_CORE_INTERNAL_QUALITY_MODEL_H_
#define CCENGINE_CORE_INTERNAL_QUALITY_MODEL_H_

#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "ccengine/core/quality.h"
#include "ccengine/core/types.h"

namespace ccengine::internal {

class QualityModel {
 public:
  explicit QualityModel(const QualityOptions& options);

  void AddSkill() { skills_.emplace_back(); }
  size_t skill_count() const { return skills_.size(); }

  // One outcome on `skill` (a known skill): into the agent's `cells` (kept
  // sorted by skill) and the skill's mean. An outcome with neither a score
  // nor a resolution records nothing.
  void Record(std::vector<QualityCell>& cells, SkillId skill,
              const ContactOutcome& outcome, Micros now);
  // The agent's estimate on `skill` at `now`.
  QualityEstimate Estimate(const std::vector<QualityCell>& cells, SkillId skill,
                           Micros now) const;
  // The mean (CSAT, FCR) estimate over `skills`; the defaults when empty.
  std::pair<double, double> Mean(const std::vector<QualityCell>& cells,
                                 absl::Span<const SkillRequirement> skills,
                                 Micros now) const;

  // Snapshots: each skill's decayed sums (the configuration is not written).
  template <typename Writer>
  void Save(Writer& w) const {
    w.Count(skills_.size());
    for (const SkillSums& s : skills_) {
      for (const DecayedSum* d : {&s.csat, &s.fcr}) {
        w.Double(d->sum);
        w.Double(d->weight);
        w.Signed(d->at);
      }
    }
  }
  // False when the count of skills differs from this model's.
  template <typename Reader>
  bool Load(Reader& r) {
    if (r.Count() != skills_.size()) return false;
    for (SkillSums& s : skills_) {
      for (DecayedSum* d : {&s.csat, &s.fcr}) {
        r.Double(d->sum);
        r.Double(d->weight);
        r.Signed(d->at);
      }
    }
    return true;
  }

 private:
  struct SkillSums {
    DecayedSum csat;
    DecayedSum fcr;
  };
  QualityOptions options_;
  double half_life_us_ = 0;  // 0: no decay
  std::vector<SkillSums> skills_;
};

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_QUALITY_MODEL_H_
