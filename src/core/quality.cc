// Engine: outcomes, learned quality estimates and the agents' work windows.

#include <algorithm>
#include <tuple>

#include "ccengine/core/engine.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace ccengine {

using internal::AgentRec;
using internal::ContactRec;

void Engine::RecordOutcome(uint32_t agent, uint32_t contact,
                           const ContactOutcome& outcome) {
  if (!outcome.csat.has_value() && !outcome.resolved.has_value()) return;
  AgentRec& a = agents_[agent];
  const ContactRec& c = contacts_[contact];
  // The queue's skills, then the contact's own that the queue does not name.
  const auto& queue_skills = queues_[c.queue].step_skills[0];
  for (const SkillRequirement& r : queue_skills)
    quality_.Record(a.quality, r.skill, outcome, now_);
  for (const SkillRequirement& r : c.skills) {
    bool dup = std::any_of(queue_skills.begin(), queue_skills.end(),
                           [&](const SkillRequirement& q) { return q.skill == r.skill; });
    if (!dup) quality_.Record(a.quality, r.skill, outcome, now_);
  }
}

void Engine::FillQuality(const AgentRec& a, absl::Span<const SkillRequirement> skills,
                         AgentView& view) const {
  std::tie(view.csat, view.fcr) = quality_.Mean(a.quality, skills, now_);
}

void Engine::TrackWork(AgentRec& a) const {
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

double Engine::WindowOccupancy(AgentRec& a) const {
  a.work.Advance(now_, work_bucket_);
  return a.work.Occupancy();
}

absl::StatusOr<QualityEstimate> Engine::GetQuality(AgentId agent, SkillId skill) const {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LiveAgentSlot(agent));
  if (skill.value() >= skill_names_.size()) {
    return absl::NotFoundError(fmt::format("unknown skill id {}", skill.value()));
  }
  return quality_.Estimate(agents_[slot].quality, skill, now_);
}

absl::StatusOr<double> Engine::GetWindowOccupancy(AgentId agent) const {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LiveAgentSlot(agent));
  if (!track_work_) {
    return absl::FailedPreconditionError(
        "occupancy over the work window is kept only while a queue has guards or a "
        "quality strategy");
  }
  // On a copy: a query must not change the state (the windows' sums depend
  // on the instants they are brought up to date at).
  internal::WorkWindow w = agents_[slot].work;
  w.Advance(now_, work_bucket_);
  return w.Occupancy();
}

}  // namespace ccengine
