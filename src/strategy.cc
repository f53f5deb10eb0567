// The built-in agent-selection strategies.

#include "ccengine/strategy.h"

#include <algorithm>
#include <cmath>

namespace ccengine {

namespace {

// Uniform in (0, 1], never 0 so that log() stays finite.
double Uniform(std::mt19937_64& rng) {
  return (static_cast<double>(rng() >> 11) + 1.0) * 0x1.0p-53;
}

double MeanLevel(const AgentView& a, const ContactView& c) {
  if (c.skills.empty()) return 0;
  double sum = 0;
  for (const SkillRequirement& r : c.skills) sum += a.Level(r.skill);
  return sum / static_cast<double>(c.skills.size());
}

}  // namespace

double LongestIdleStrategy::Score(const AgentView& a, const ContactView&,
                                  Micros now) {
  return static_cast<double>(now - a.idle_since);
}

double LeastOccupiedStrategy::Score(const AgentView& a, const ContactView&,
                                    Micros) {
  return -static_cast<double>(a.load) / std::max<uint32_t>(a.load_budget, 1);
}

double FewestHandledStrategy::Score(const AgentView& a, const ContactView&,
                                    Micros) {
  return -static_cast<double>(a.handled);
}

double RoundRobinStrategy::Score(const AgentView& a, const ContactView&,
                                 Micros) {
  return -static_cast<double>(a.last_offer_seq);
}

double BestProficiencyStrategy::Score(const AgentView& a, const ContactView& c,
                                      Micros) {
  double sum = 0;
  for (const SkillRequirement& r : c.skills) sum += a.Level(r.skill);
  return sum;
}

double RandomStrategy::Score(const AgentView&, const ContactView&, Micros) {
  return Uniform(rng_);
}

double WeightedRandomStrategy::Score(const AgentView& a, const ContactView&,
                                     Micros) {
  // max u^(1/w)  <=>  max log(u) / w
  return std::log(Uniform(rng_)) / a.weight;
}

double CompositeStrategy::Score(const AgentView& a, const ContactView& c,
                                Micros now) {
  double idle_scale =
      std::max<double>(1.0, static_cast<double>(absl::ToInt64Microseconds(w_.idle_scale)));
  double idle = std::min(1.0, static_cast<double>(now - a.idle_since) / idle_scale);
  double spare =
      1.0 - static_cast<double>(a.load) / std::max<uint32_t>(a.load_budget, 1);
  return w_.proficiency * MeanLevel(a, c) / kMaxProficiency + w_.idle * idle +
         w_.spare_capacity * spare +
         w_.fewest_handled / (1.0 + static_cast<double>(a.handled));
}

}  // namespace ccengine
