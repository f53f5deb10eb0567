// The built-in agent-selection strategies.

#include "ccengine/core/strategy.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include "ccengine/core/quality.h"
#include "fmt/format.h"

namespace ccengine {

namespace {

// Uniform in (0, 1], never 0 so that log() stays finite.
double Uniform(std::mt19937_64& rng) {
  return (static_cast<double>(rng() >> 11) + 1.0) * 0x1.0p-53;
}

// A generator's state is the standard's text form of it: 312 numbers.
void SaveGenerator(const std::mt19937_64& rng, std::string& out) {
  std::ostringstream text;
  text << rng;
  out += text.str();
}

absl::Status LoadGenerator(std::string_view state, std::mt19937_64& rng) {
  std::istringstream text{std::string(state)};
  std::mt19937_64 loaded;
  text >> loaded;
  if (text.fail() || !(text >> std::ws).eof()) {
    return absl::InvalidArgumentError(
        "strategy state: not the state of a 64-bit Mersenne Twister");
  }
  rng = loaded;
  return absl::OkStatus();
}

double MeanLevel(const AgentView& a, const ContactView& c) {
  if (c.skills.empty()) return 0;
  double sum = 0;
  for (const SkillRequirement& r : c.skills) sum += a.Level(r.skill);
  return sum / static_cast<double>(c.skills.size());
}

}  // namespace

double LongestIdleStrategy::Score(const AgentView& a, const ContactView&, Micros now) {
  return static_cast<double>(now - a.idle_since);
}

double LeastOccupiedStrategy::Score(const AgentView& a, const ContactView&, Micros) {
  return -static_cast<double>(a.load) / std::max<uint32_t>(a.load_budget, 1);
}

double FewestHandledStrategy::Score(const AgentView& a, const ContactView&, Micros) {
  return -static_cast<double>(a.handled);
}

double RoundRobinStrategy::Score(const AgentView& a, const ContactView&, Micros) {
  return -static_cast<double>(a.last_offer_seq);
}

double BestProficiencyStrategy::Score(const AgentView& a, const ContactView& c, Micros) {
  double sum = 0;
  for (const SkillRequirement& r : c.skills) sum += a.Level(r.skill);
  return sum;
}

double RandomStrategy::Score(const AgentView&, const ContactView&, Micros) {
  return Uniform(rng_);
}

void RandomStrategy::SaveState(std::string& out) const { SaveGenerator(rng_, out); }
absl::Status RandomStrategy::LoadState(std::string_view state) {
  return LoadGenerator(state, rng_);
}

void WeightedRandomStrategy::SaveState(std::string& out) const {
  SaveGenerator(rng_, out);
}
absl::Status WeightedRandomStrategy::LoadState(std::string_view state) {
  return LoadGenerator(state, rng_);
}

double WeightedRandomStrategy::Score(const AgentView& a, const ContactView&, Micros) {
  // max u^(1/w)  <=>  max log(u) / w
  return std::log(Uniform(rng_)) / a.weight;
}

double CompositeStrategy::Score(const AgentView& a, const ContactView& c, Micros now) {
  double idle_scale = std::max<double>(1.0, static_cast<double>(ToMicros(w_.idle_scale)));
  double idle = std::min(1.0, static_cast<double>(now - a.idle_since) / idle_scale);
  double spare = 1.0 - static_cast<double>(a.load) / std::max<uint32_t>(a.load_budget, 1);
  return w_.proficiency * MeanLevel(a, c) / kMaxProficiency + w_.idle * idle +
         w_.spare_capacity * spare +
         w_.fewest_handled / (1.0 + static_cast<double>(a.handled));
}

absl::Status SatisfactionStrategy::Validate(const SatisfactionWeights& w) {
  for (auto [name, x] :
       {std::pair{"quality", w.quality}, std::pair{"proficiency", w.proficiency},
        std::pair{"idle", w.idle}, std::pair{"occupancy", w.occupancy}}) {
    if (!(x >= 0) || !std::isfinite(x)) {
      return absl::InvalidArgumentError(fmt::format(
          "satisfaction weight '{}' must be finite and >= 0, got {}", name, x));
    }
  }
  for (auto [name, x] : {std::pair{"csat_share", w.csat_share},
                         std::pair{"occupancy_target", w.occupancy_target}}) {
    if (!(x >= 0 && x <= 1)) {
      return absl::InvalidArgumentError(
          fmt::format("satisfaction {} must be in [0, 1], got {}", name, x));
    }
  }
  for (auto [name, d] : {std::pair{"idle_scale", w.idle_scale},
                         std::pair{"quality_fade", w.quality_fade}}) {
    if (d <= absl::ZeroDuration() || d == absl::InfiniteDuration()) {
      return absl::InvalidArgumentError(
          fmt::format("satisfaction {} must be positive and finite, got {}", name,
                      absl::FormatDuration(d)));
    }
  }
  if (w.max_hold < absl::ZeroDuration() || w.max_hold > absl::Hours(1)) {
    return absl::InvalidArgumentError(
        fmt::format("satisfaction max_hold must be in [0, 1h], got {}",
                    absl::FormatDuration(w.max_hold)));
  }
  if (!(w.hold_margin >= 0 && w.hold_margin <= 1)) {
    return absl::InvalidArgumentError(
        fmt::format("satisfaction hold_margin must be in [0, 1], got {}", w.hold_margin));
  }
  if (w.min_idle_for_quality < 1) {
    return absl::InvalidArgumentError(
        fmt::format("satisfaction min_idle_for_quality must be >= 1, got {}",
                    w.min_idle_for_quality));
  }
  return absl::OkStatus();
}

double SatisfactionStrategy::Compute(const AgentView& a, const ContactView& c, Micros now,
                                     std::vector<ScoreTerm>* terms) const {
  double q = Quality(a);
  double gate = c.candidates >= w_.min_idle_for_quality ? 1.0 : 0.0;
  double fade_us = static_cast<double>(ToMicros(w_.quality_fade));
  double fade = std::max(0.0, 1.0 - static_cast<double>(now - c.queued_at) / fade_us);
  double idle_us = static_cast<double>(ToMicros(w_.idle_scale));
  double idle = std::min(1.0, static_cast<double>(now - a.idle_since) / idle_us);
  double quality = w_.quality * q * gate * fade;
  double proficiency = w_.proficiency * MeanLevel(a, c) / kMaxProficiency;
  double fairness = w_.idle * idle;
  double occupancy = w_.occupancy * (w_.occupancy_target - a.occupancy);
  if (terms != nullptr) {
    terms->push_back({"csat", a.csat});
    terms->push_back({"fcr", a.fcr});
    terms->push_back({"quality", quality});
    terms->push_back({"proficiency", proficiency});
    terms->push_back({"idle", fairness});
    terms->push_back({"occupancy", occupancy});
  }
  return quality + proficiency + fairness + occupancy;
}

double SatisfactionStrategy::Quality(const AgentView& a) const {
  return w_.csat_share * (a.csat - kMinCsat) / (kMaxCsat - kMinCsat) +
         (1 - w_.csat_share) * a.fcr;
}

bool SatisfactionStrategy::WorthWaitingFor(const AgentView& busy,
                                           const AgentView& best_free,
                                           const ContactView&) const {
  return Quality(busy) > Quality(best_free) + w_.hold_margin;
}

double SatisfactionStrategy::Score(const AgentView& a, const ContactView& c, Micros now) {
  return Compute(a, c, now, nullptr);
}

double SatisfactionStrategy::ScoreTerms(const AgentView& a, const ContactView& c,
                                        Micros now, std::vector<ScoreTerm>& terms) {
  double s = Compute(a, c, now, &terms);
  terms.push_back({"score", s});
  return s;
}

std::string SatisfactionStrategy::Rule(const ContactView& c) const {
  if (c.candidates >= w_.min_idle_for_quality) {
    return fmt::format("satisfaction: quality orders agents ({} eligible free >= {})",
                       c.candidates, w_.min_idle_for_quality);
  }
  return fmt::format("satisfaction: quality off, too few eligible free agents ({} < {})",
                     c.candidates, w_.min_idle_for_quality);
}

}  // namespace ccengine
