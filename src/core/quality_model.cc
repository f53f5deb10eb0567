// QualityModel (see ccengine/core/internal/quality_model.h).

#include "ccengine/core/internal/quality_model.h"

#include <algorithm>

#include "absl/time/time.h"

namespace ccengine::internal {

namespace {

auto FindCell(const std::vector<QualityCell>& cells, SkillId skill) {
  return std::lower_bound(
      cells.begin(), cells.end(), skill,
      [](const QualityCell& cell, SkillId s) { return cell.skill < s; });
}

}  // namespace

QualityModel::QualityModel(const QualityOptions& options)
    : options_(options),
      half_life_us_(options.half_life == absl::InfiniteDuration()
                        ? 0.0
                        : static_cast<double>(ToMicros(options.half_life))) {}

void QualityModel::Record(std::vector<QualityCell>& cells, SkillId skill,
                          const ContactOutcome& outcome, Micros now) {
  if (!outcome.csat.has_value() && !outcome.resolved.has_value()) return;
  auto it = cells.begin() + (FindCell(cells, skill) - cells.cbegin());
  if (it == cells.end() || it->skill != skill)
    it = cells.insert(it, QualityCell{skill, {}, {}});
  SkillSums& all = skills_[skill.value()];
  if (outcome.csat.has_value()) {
    double x = *outcome.csat;
    it->csat.Add(x, now, half_life_us_);
    all.csat.Add(x, now, half_life_us_);
  }
  if (outcome.resolved.has_value()) {
    double x = *outcome.resolved ? 1.0 : 0.0;
    it->fcr.Add(x, now, half_life_us_);
    all.fcr.Add(x, now, half_life_us_);
  }
}

QualityEstimate QualityModel::Estimate(const std::vector<QualityCell>& cells,
                                       SkillId skill, Micros now) const {
  const QualityOptions& o = options_;
  const SkillSums& all = skills_[skill.value()];
  double mean_csat = all.csat.Shrunk(o.default_csat, o.prior_weight, now, half_life_us_);
  double mean_fcr = all.fcr.Shrunk(o.default_fcr, o.prior_weight, now, half_life_us_);
  QualityEstimate e{mean_csat, mean_fcr, 0, 0};
  auto it = FindCell(cells, skill);
  if (it != cells.end() && it->skill == skill) {
    e.csat = it->csat.Shrunk(mean_csat, o.prior_weight, now, half_life_us_);
    e.fcr = it->fcr.Shrunk(mean_fcr, o.prior_weight, now, half_life_us_);
    e.csat_weight = it->csat.WeightAt(now, half_life_us_);
    e.fcr_weight = it->fcr.WeightAt(now, half_life_us_);
  }
  return e;
}

std::pair<double, double> QualityModel::Mean(const std::vector<QualityCell>& cells,
                                             absl::Span<const SkillRequirement> skills,
                                             Micros now) const {
  if (skills.empty()) return {options_.default_csat, options_.default_fcr};
  double csat = 0, fcr = 0;
  for (const SkillRequirement& r : skills) {
    QualityEstimate e = Estimate(cells, r.skill, now);
    csat += e.csat;
    fcr += e.fcr;
  }
  const double n = static_cast<double>(skills.size());
  return {csat / n, fcr / n};
}

}  // namespace ccengine::internal
