// Engine: outcomes, learned quality estimates and the agents' work windows.

#include <algorithm>

#include "ccengine/core/engine.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace ccengine {

using internal::AgentRec;
using internal::ContactRec;
using internal::QualityCell;

void Engine::RecordOutcome(uint32_t agent, uint32_t contact,
                           const ContactOutcome& outcome) {
  if (!outcome.csat.has_value() && !outcome.resolved.has_value()) return;
  AgentRec& a = agents_[agent];
  const ContactRec& c = contacts_[contact];
  const auto& queue_skills = queues_[c.queue].step_skills[0];
  auto record = [&](SkillId skill) {
    auto it = std::lower_bound(
        a.quality.begin(), a.quality.end(), skill,
        [](const QualityCell& cell, SkillId s) { return cell.skill < s; });
    if (it == a.quality.end() || it->skill != skill) {
      it = a.quality.insert(it, QualityCell{skill, {}, {}});
    }
    SkillQuality& all = skill_quality_[skill.value()];
    if (outcome.csat.has_value()) {
      double x = *outcome.csat;
      it->csat.Add(x, now_, half_life_us_);
      all.csat.Add(x, now_, half_life_us_);
    }
    if (outcome.resolved.has_value()) {
      double x = *outcome.resolved ? 1.0 : 0.0;
      it->fcr.Add(x, now_, half_life_us_);
      all.fcr.Add(x, now_, half_life_us_);
    }
  };
  for (const SkillRequirement& r : queue_skills) record(r.skill);
  for (const SkillRequirement& r : c.skills) {
    bool dup = std::any_of(queue_skills.begin(), queue_skills.end(),
                           [&](const SkillRequirement& q) { return q.skill == r.skill; });
    if (!dup) record(r.skill);
  }
}

QualityEstimate Engine::EstimateQuality(const AgentRec& a, SkillId skill) const {
  const QualityOptions& o = options_.quality;
  const SkillQuality& all = skill_quality_[skill.value()];
  double mean_csat = all.csat.Shrunk(o.default_csat, o.prior_weight, now_, half_life_us_);
  double mean_fcr = all.fcr.Shrunk(o.default_fcr, o.prior_weight, now_, half_life_us_);
  QualityEstimate e{mean_csat, mean_fcr, 0, 0};
  auto it = std::lower_bound(
      a.quality.begin(), a.quality.end(), skill,
      [](const QualityCell& cell, SkillId s) { return cell.skill < s; });
  if (it != a.quality.end() && it->skill == skill) {
    e.csat = it->csat.Shrunk(mean_csat, o.prior_weight, now_, half_life_us_);
    e.fcr = it->fcr.Shrunk(mean_fcr, o.prior_weight, now_, half_life_us_);
    e.csat_weight = it->csat.WeightAt(now_, half_life_us_);
    e.fcr_weight = it->fcr.WeightAt(now_, half_life_us_);
  }
  return e;
}

void Engine::FillQuality(const AgentRec& a, absl::Span<const SkillRequirement> skills,
                         AgentView& view) const {
  if (skills.empty()) {
    view.csat = options_.quality.default_csat;
    view.fcr = options_.quality.default_fcr;
    return;
  }
  double csat = 0, fcr = 0;
  for (const SkillRequirement& r : skills) {
    QualityEstimate e = EstimateQuality(a, r.skill);
    csat += e.csat;
    fcr += e.fcr;
  }
  view.csat = csat / static_cast<double>(skills.size());
  view.fcr = fcr / static_cast<double>(skills.size());
}

void Engine::TrackWork(AgentRec& a) {
  internal::WorkWindow& w = a.work;
  w.Advance(now_, work_bucket_);
  bool working = !a.contacts.empty() || a.wrap_until != 0;
  w.is_staffed = a.live && a.logged_in && (a.ready || working);
  if (!w.is_staffed) {
    w.busy_share = 0;
  } else if (a.wrap_until != 0) {
    w.busy_share = 1;
  } else {
    w.busy_share = std::min(
        1.0f, static_cast<float>(a.load) /
                  static_cast<float>(std::max<uint32_t>(a.capacity.load_budget, 1)));
  }
}

double Engine::WindowOccupancy(AgentRec& a) {
  a.work.Advance(now_, work_bucket_);
  return a.work.Occupancy();
}

absl::StatusOr<QualityEstimate> Engine::GetQuality(AgentId agent, SkillId skill) const {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LiveAgentSlot(agent));
  if (skill.value() >= skill_names_.size()) {
    return absl::NotFoundError(fmt::format("unknown skill id {}", skill.value()));
  }
  return EstimateQuality(agents_[slot], skill);
}

absl::StatusOr<double> Engine::GetWindowOccupancy(AgentId agent) {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LiveAgentSlot(agent));
  AgentRec& a = agents_[slot];
  if (!track_work_) {
    // Not tracked until a queue needs it: start now, so later calls measure.
    track_work_ = true;
    for (AgentRec& other : agents_) {
      if (other.live) TrackWork(other);
    }
  }
  return WindowOccupancy(a);
}

}  // namespace ccengine
