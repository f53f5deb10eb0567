// -----------------------------------------------------------------------------
// File: ccengine/core/quality.h
// -----------------------------------------------------------------------------
//
// Outcomes of service and what the engine learns from them.
//
// Completing a contact may carry an outcome (`ContactOutcome`): a CSAT score
// 1..5 when the customer answered the survey (most do not), and whether the
// issue was resolved at first contact. The engine keeps, for every agent and
// every skill the contact needed (the queue's step-0 skills and the contact's
// own), an estimate of CSAT and of first-contact resolution (FCR):
//
//   decay     every sample's weight halves every `half_life`:
//             w = 2^(-(now - t_sample) / half_life), so recent work counts
//             more and an agent's old record fades;
//   skill     the skill's mean over all agents, itself shrunk toward the
//   mean      default:  m = (Σ w·x + k·default) / (Σ w + k);
//   agent     shrunk toward the skill's mean, so that an agent with few
//   estimate  (or only old) samples sits near the mean:
//             est = (Σ_agent w·x + k·m) / (Σ_agent w + k),
//             with k = `prior_weight` pseudo-samples.
//
// An agent with no sample on a skill is estimated at the skill's mean; one
// with k recent samples sits halfway between its own mean and the skill's.
// The estimates feed the "satisfaction" strategy (see strategy.h).
//
// Memory: two decayed sums (3 doubles each) per (agent, skill) the agent has
// been scored on, and per skill.
//
// Thread safety: plain values; thread-compatible. The engine's store is read
// and written on the router thread only.
//
// Example:
//   engine->CompleteContact(agent, contact, {.csat = 5, .resolved = true});
//   ccengine::QualityEstimate q = engine->GetQuality(agent, policy).value();

#ifndef CCENGINE_CORE_QUALITY_H_
#define CCENGINE_CORE_QUALITY_H_

#include <cmath>
#include <optional>

#include "absl/time/time.h"
#include "ccengine/core/types.h"

namespace ccengine {

inline constexpr int kMinCsat = 1;
inline constexpr int kMaxCsat = 5;

// What the customer said and whether the issue was solved. Both optional.
struct ContactOutcome {
  std::optional<int> csat = std::nullopt;       // survey score 1..5
  std::optional<bool> resolved = std::nullopt;  // first-contact resolution
};

struct QualityOptions {
  // Samples lose half their weight every `half_life` (infinite: no decay).
  absl::Duration half_life = absl::Hours(7 * 24);
  // Shrinkage strength k, in pseudo-samples of the skill's mean; >= 0.
  double prior_weight = 10;
  // The skill's mean before any sample of that skill.
  double default_csat = 3.5;  // in [1, 5]
  double default_fcr = 0.7;   // in [0, 1]
};

// An agent's estimated CSAT and FCR on one skill, and the decayed sample
// weights behind them (0 = nothing known: the skill's mean).
struct QualityEstimate {
  double csat = 0;
  double fcr = 0;
  double csat_weight = 0;
  double fcr_weight = 0;
};

namespace internal {

// A sum of samples whose weights decay with age.
struct DecayedSum {
  double sum = 0;
  double weight = 0;
  Micros at = 0;  // time `sum` and `weight` refer to

  // Factor by which weights shrink over `dt` µs; half_life_us <= 0: none.
  static double Decay(Micros dt, double half_life_us) {
    if (half_life_us <= 0 || dt <= 0) return 1.0;
    return std::exp2(-static_cast<double>(dt) / half_life_us);
  }
  void Add(double x, Micros now, double half_life_us) {
    double f = Decay(now - at, half_life_us);
    sum = sum * f + x;
    weight = weight * f + 1.0;
    at = now;
  }
  // (Σ w·x + k·prior) / (Σ w + k), with weights decayed to `now`.
  double Shrunk(double prior, double k, Micros now, double half_life_us) const {
    double f = Decay(now - at, half_life_us);
    double w = weight * f;
    if (w + k <= 0) return prior;
    return (sum * f + k * prior) / (w + k);
  }
  double WeightAt(Micros now, double half_life_us) const {
    return weight * Decay(now - at, half_life_us);
  }
};

struct QualityCell {
  SkillId skill;
  DecayedSum csat;
  DecayedSum fcr;
};

}  // namespace internal
}  // namespace ccengine

#endif  // CCENGINE_CORE_QUALITY_H_
