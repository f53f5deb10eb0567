// Engine: agent lifecycle, capacity and the agent-side indexes.

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>
#include <utility>

#include "ccengine/core/engine.h"
#include "common/status_macros.h"
#include "core/skills.h"
#include "fmt/format.h"

namespace ccengine {

using internal::AgentRec;
using internal::ContactRec;
using internal::GroupRec;
using internal::kNoSlot;
using internal::MeetsAll;
using internal::QueueRec;
using internal::TimerKind;

namespace {

std::vector<SkillLevel> SortedSkills(std::vector<SkillLevel> skills) {
  std::sort(skills.begin(), skills.end(),
            [](const auto& a, const auto& b) { return a.skill < b.skill; });
  return skills;
}

absl::Status ValidateCapacity(const AgentConfig& config) {
  const Capacity& c = config.capacity;
  if (c.load_budget == 0) {
    return absl::InvalidArgumentError(
        fmt::format("agent {}: load_budget must be > 0", config.id.value()));
  }
  for (Channel ch : kAllChannels) {
    int i = static_cast<int>(ch);
    if (c.max_per_channel[i] > 0 && c.load_per_contact[i] > c.load_budget) {
      return absl::InvalidArgumentError(fmt::format(
          "agent {}: a {} contact costs {} load units, more than the budget {}",
          config.id.value(), ChannelName(ch), c.load_per_contact[i], c.load_budget));
    }
  }
  if (!(config.weight > 0) || !std::isfinite(config.weight)) {
    return absl::InvalidArgumentError(
        fmt::format("agent {}: weight must be positive and finite, got {}",
                    config.id.value(), config.weight));
  }
  return absl::OkStatus();
}

}  // namespace

int AgentView::Level(SkillId skill) const {
  auto it =
      std::lower_bound(skills.begin(), skills.end(), skill,
                       [](const SkillLevel& s, SkillId id) { return s.skill < id; });
  return (it != skills.end() && it->skill == skill) ? it->level : 0;
}

// --- Indexes -------------------------------------------------------------------

bool Engine::CanTake(const AgentRec& a, Channel channel) const {
  int ch = static_cast<int>(channel);
  const Capacity& cap = a.capacity;
  return a.live && a.logged_in && a.ready && a.offer == kNoSlot && a.wrap_until == 0 &&
         !a.exclusive_active && a.active[ch] < cap.max_per_channel[ch] &&
         a.load + cap.load_per_contact[ch] <= cap.load_budget &&
         (!cap.exclusive[ch] || a.contacts.empty());
}

AgentState Engine::DerivedState(const AgentRec& a) const {
  if (!a.logged_in) return AgentState::kLoggedOut;
  size_t in_service = a.contacts.size() - (a.offer != kNoSlot ? 1 : 0);
  if (in_service > 0) return AgentState::kBusy;
  if (a.offer != kNoSlot) return AgentState::kReserved;
  if (a.wrap_until != 0) return AgentState::kWrapUp;
  if (!a.ready) return AgentState::kNotReady;
  return AgentState::kAvailable;
}

// The channels the agent can take one more contact of now (SyncAgent).
uint32_t Engine::FreeChannelMask(const AgentRec& a) const {
  if (!(a.live && a.logged_in && a.ready && a.offer == kNoSlot && a.wrap_until == 0 &&
        !a.exclusive_active)) {
    return 0;
  }
  if (a.contacts.empty()) return a.idle_channel_mask;  // nothing active, no load
  uint32_t mask = 0;
  const Capacity& cap = a.capacity;
  for (int ch = 0; ch < kChannelCount; ++ch) {
    if (a.active[ch] < cap.max_per_channel[ch] &&
        a.load + cap.load_per_contact[ch] <= cap.load_budget && !cap.exclusive[ch]) {
      mask |= 1u << ch;
    }
  }
  return mask;
}

void Engine::SyncAgent(uint32_t slot, EventReason reason) {
  AgentRec& a = agents_[slot];
  const uint32_t mask = FreeChannelMask(a);
  // A free agent (able to take work, holding nothing) is listed in the idle
  // order; one that can take more while holding contacts is counted instead.
  const uint32_t epoch = agent_index_.idle_epoch(slot);
  agent_index_.UpdateState(slot, a.id.value(), a.channel_mask, mask, a.idle_since,
                           /*free=*/mask != 0 && a.contacts.empty(),
                           /*loaded=*/mask != 0 && !a.contacts.empty(),
                           /*logged_in=*/a.live && a.logged_in);
  if (tracked_groups_ != 0 && agent_index_.idle_epoch(slot) != epoch &&
      agent_index_.idle_order().Contains(slot)) {
    PushFree(slot);
  }
  if (draw_groups_ != 0 && mask != a.channel_mask)
    SyncDraws(slot, a.channel_mask, mask, /*all=*/false);
  a.channel_mask = mask;
  if (track_work_) TrackWork(a);
  AgentState state = DerivedState(a);
  if (state != a.reported) {
    a.state_time[static_cast<int>(a.reported)] += now_ - a.reported_since;
    a.reported_since = now_;
    a.reported = state;
    if (Wants(EventType::kAgentStateChanged)) {  // the simulator does not listen
      Event e = MakeEvent(EventType::kAgentStateChanged);
      e.agent = a.id;
      e.has_agent = true;
      e.agent_state = state;
      e.agent_reason = (a.logged_in && !a.ready) ? a.reason : kReasonNone;
      e.reason = reason;
      Emit(e);
    }
  }
}

int Engine::MinStep(const AgentRec& a, const GroupRec& g) const {
  if (!MeetsAll(a.skills, g.own)) return -1;
  const QueueRec& q = queues_[g.queue];
  for (size_t i = 0; i < q.step_skills.size(); ++i) {
    if (MeetsAll(a.skills, q.step_skills[i])) return static_cast<int>(i);
  }
  return -1;
}

void Engine::EnsureSkillSet(SkillRequirement r) {
  agent_index_.EnsureSkillSet(r, [this](uint32_t slot) {
    return agents_[slot].live ? &agents_[slot].skills : nullptr;
  });
}

void Engine::ComputeServed(uint32_t slot) {
  AgentRec& a = agents_[slot];
  // Out of the draw sets of the groups it served, into those of the groups
  // it serves now.
  if (draw_groups_ != 0) SyncDraws(slot, a.channel_mask, 0, /*all=*/true);
  a.served.clear();
  for (uint32_t g = 0; g < groups_.size(); ++g) {
    int step = MinStep(a, groups_[g]);
    if (step >= 0) a.served.emplace_back(g, static_cast<uint8_t>(step));
  }
  if (draw_groups_ != 0) SyncDraws(slot, 0, a.channel_mask, /*all=*/true);
}

void Engine::RefreshServed(const std::vector<uint32_t>& groups) {
  std::vector<uint32_t> changed(groups);
  std::sort(changed.begin(), changed.end());
  for (AgentRec& a : agents_) {
    if (!a.live) continue;
    std::erase_if(a.served, [&](const std::pair<uint32_t, uint8_t>& e) {
      return std::binary_search(changed.begin(), changed.end(), e.first);
    });
    // Kept in ascending group order, as ComputeServed makes it.
    for (uint32_t g : changed) {
      const int step = MinStep(a, groups_[g]);
      if (step < 0) continue;
      a.served.emplace(a.ServedFrom(g), g, static_cast<uint8_t>(step));
    }
  }
}

AgentView Engine::ViewOf(const AgentRec& a) const {
  AgentView v;
  v.id = a.id;
  v.skills = a.skills;
  v.idle_since = a.idle_since;
  v.handled = a.handled;
  v.last_offer_seq = a.last_offer_seq;
  v.load = a.load;
  v.load_budget = a.capacity.load_budget;
  v.active = static_cast<uint32_t>(a.contacts.size());
  v.weight = a.weight;
  return v;
}

// --- Work in progress ----------------------------------------------------------

void Engine::AttachContact(uint32_t agent, uint32_t contact) {
  AgentRec& a = agents_[agent];
  ContactRec& c = contacts_[contact];
  int ch = static_cast<int>(c.channel);
  a.contacts.push_back(contact);
  a.active[ch]++;
  a.load += a.capacity.load_per_contact[ch];
  if (a.capacity.exclusive[ch]) a.exclusive_active = true;
  c.agent = agent;
}

void Engine::DetachContact(uint32_t agent, uint32_t contact) {
  AgentRec& a = agents_[agent];
  ContactRec& c = contacts_[contact];
  int ch = static_cast<int>(c.channel);
  a.active[ch]--;
  a.load -= a.capacity.load_per_contact[ch];
  a.exclusive_active = false;
  if (a.contacts.size() == 1 && a.contacts[0] == contact) {  // the usual voice call
    a.contacts.pop_back();
  } else {
    auto it = std::find(a.contacts.begin(), a.contacts.end(), contact);
    if (it != a.contacts.end()) a.contacts.erase(it);
    for (uint32_t other : a.contacts) {
      if (a.capacity.exclusive[static_cast<int>(contacts_[other].channel)]) {
        a.exclusive_active = true;
      }
    }
  }
  if (a.offer == contact) a.offer = kNoSlot;
  c.agent = kNoSlot;
}

void Engine::StartWrapUpOrFree(uint32_t agent, const QueueRec& q) {
  AgentRec& a = agents_[agent];
  Micros wrap = q.wrap_up_us;
  if (wrap > 0 && a.logged_in) {
    a.wrap_until = std::max(a.wrap_until, now_ + wrap);
    a.wrap_token = timers_.NewToken();
    Schedule(a.wrap_until, TimerKind::kWrapUp, agent, a.wrap_token);
  } else if (a.contacts.empty()) {
    a.idle_since = now_;
  }
  SyncAgent(agent);
}

void Engine::RescindOffer(uint32_t agent, bool requeue) {
  AgentRec& a = agents_[agent];
  uint32_t contact = a.offer;
  if (contact == kNoSlot) return;
  Event e = MakeContactEvent(EventType::kOfferRescinded, contacts_[contact], agent);
  DetachContact(agent, contact);
  Emit(e);
  SyncAgent(agent);
  if (requeue) ReturnToLine(contact);
}

void Engine::LogoutNow(uint32_t agent) {
  AgentRec& a = agents_[agent];
  a.logged_in = false;
  a.ready = false;
  a.wrap_until = 0;
  RescindOffer(agent, /*requeue=*/true);
  SyncAgent(agent);
  RecheckPreferences();  // contacts that were waiting only for this agent
}

// --- Public agent calls --------------------------------------------------------

absl::Status Engine::AddAgent(AgentConfig config) {
  if (agent_ids_.contains(config.id.value())) {
    return absl::AlreadyExistsError(
        fmt::format("agent {} already exists", config.id.value()));
  }
  CCENGINE_RETURN_IF_ERROR(ValidateSkills(
      config.skills, [&] { return fmt::format("agent {}", config.id.value()); }));
  CCENGINE_RETURN_IF_ERROR(ValidateCapacity(config));
  uint32_t slot;
  if (!free_agent_slots_.empty()) {
    slot = free_agent_slots_.back();
    free_agent_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(agents_.size());
    agents_.emplace_back();
    agent_index_.Resize(agents_.size());
    draw_sets_.Resize(agents_.size());
  }
  AgentRec& a = agents_[slot];
  a = AgentRec();
  a.live = true;
  a.id = config.id;
  a.name = std::move(config.name);
  a.skills = SortedSkills(std::move(config.skills));
  a.capacity = config.capacity;
  a.idle_channel_mask = internal::IdleChannelMask(a.capacity);
  a.weight = config.weight;
  if (max_weight_known_) max_weight_ = std::max(max_weight_, a.weight);
  a.auto_accept = config.auto_accept;
  a.idle_since = now_;
  a.reported_since = now_;
  agent_index_.UpdateSkills(slot, a.skills, true);
  agent_ids_.emplace(config.id.value(), slot);
  ComputeServed(slot);
  SyncAgent(slot);
  return absl::OkStatus();
}

absl::Status Engine::RemoveAgent(AgentId agent) {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LiveAgentSlot(agent));
  AgentRec& a = agents_[slot];
  if (a.logged_in) {
    return absl::FailedPreconditionError(fmt::format(
        "agent {} is logged in; log it out before removing it", agent.value()));
  }
  agent_index_.UpdateSkills(slot, a.skills, false);
  agent_ids_.erase(agent.value());
  if (a.weight >= max_weight_) max_weight_known_ = false;
  a = AgentRec();
  SyncAgent(slot);  // clears the bits; a dead slot reports nothing new
  free_agent_slots_.push_back(slot);
  return absl::OkStatus();
}

absl::Status Engine::SetAgentSkills(AgentId agent, std::vector<SkillLevel> skills) {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LiveAgentSlot(agent));
  CCENGINE_RETURN_IF_ERROR(
      ValidateSkills(skills, [&] { return fmt::format("agent {}", agent.value()); }));
  AgentRec& a = agents_[slot];
  agent_index_.UpdateSkills(slot, a.skills, false);
  a.skills = SortedSkills(std::move(skills));
  agent_index_.UpdateSkills(slot, a.skills, true);
  ComputeServed(slot);
  if (tracked_groups_ != 0 && agent_index_.idle_order().Contains(slot)) PushFree(slot);
  RecheckPreferences();  // it may no longer serve contacts waiting for it
  TryMatchAgent(slot);
  return absl::OkStatus();
}

absl::Status Engine::Login(AgentId agent, bool ready, int32_t reason) {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LiveAgentSlot(agent));
  AgentRec& a = agents_[slot];
  if (a.logged_in) {
    return absl::FailedPreconditionError(
        fmt::format("agent {} is already logged in", agent.value()));
  }
  a.logged_in = true;
  a.ready = ready;
  a.reason = ready ? kReasonNone : reason;
  a.handled = 0;
  a.consecutive_no_answers = 0;
  a.idle_since = now_;
  SyncAgent(slot);
  TryMatchAgent(slot);
  return absl::OkStatus();
}

absl::Status Engine::Logout(AgentId agent) {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LoggedInAgentSlot(agent));
  AgentRec& a = agents_[slot];
  size_t in_service = a.contacts.size() - (a.offer != kNoSlot ? 1 : 0);
  if (in_service > 0) {
    return absl::FailedPreconditionError(fmt::format(
        "agent {} has {} contact(s) in service; complete or transfer them first",
        agent.value(), in_service));
  }
  LogoutNow(slot);
  return absl::OkStatus();
}

absl::Status Engine::SetReady(AgentId agent) {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LoggedInAgentSlot(agent));
  AgentRec& a = agents_[slot];
  if (!a.ready && a.contacts.empty() && a.wrap_until == 0) a.idle_since = now_;
  a.ready = true;
  a.reason = kReasonNone;
  a.consecutive_no_answers = 0;
  SyncAgent(slot);
  TryMatchAgent(slot);
  return absl::OkStatus();
}

absl::Status Engine::SetNotReady(AgentId agent, int32_t reason) {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LoggedInAgentSlot(agent));
  AgentRec& a = agents_[slot];
  // A new reason while not ready is announced too: time by reason counts
  // from it.
  const bool reason_changes =
      a.reported == AgentState::kNotReady && !a.ready && a.reason != reason;
  a.ready = false;
  a.reason = reason;
  SyncAgent(slot);
  if (reason_changes && a.reported == AgentState::kNotReady &&
      Wants(EventType::kAgentStateChanged)) {
    Event e = MakeEvent(EventType::kAgentStateChanged);
    e.agent = a.id;
    e.has_agent = true;
    e.agent_state = AgentState::kNotReady;
    e.agent_reason = reason;
    Emit(e);
  }
  RescindOffer(slot, /*requeue=*/true);
  return absl::OkStatus();
}

absl::Status Engine::EndWrapUp(AgentId agent) {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LoggedInAgentSlot(agent));
  AgentRec& a = agents_[slot];
  if (a.wrap_until == 0) {
    return absl::FailedPreconditionError(
        fmt::format("agent {} is not in wrap-up", agent.value()));
  }
  a.wrap_until = 0;
  if (a.contacts.empty()) a.idle_since = now_;
  SyncAgent(slot);
  TryMatchAgent(slot);
  return absl::OkStatus();
}

absl::Status Engine::ForceAgentState(AgentId agent, AgentState state, int32_t reason) {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LiveAgentSlot(agent));
  AgentRec& a = agents_[slot];
  switch (state) {
    case AgentState::kLoggedOut: {
      if (!a.logged_in) return absl::OkStatus();
      a.ready = false;  // so that the ringing contact is not offered back
      a.reason = reason;
      SyncAgent(slot);
      RescindOffer(slot, /*requeue=*/true);
      while (!a.contacts.empty()) {
        EndService(slot, a.contacts.back(), EventReason::kForcedLogout);
      }
      LogoutNow(slot);
      return absl::OkStatus();
    }
    case AgentState::kNotReady:
      if (!a.logged_in) {
        return absl::FailedPreconditionError(
            fmt::format("agent {} is not logged in", agent.value()));
      }
      return SetNotReady(agent, reason);
    case AgentState::kAvailable:
      if (!a.logged_in) return Login(agent, /*ready=*/true);
      a.wrap_until = 0;
      if (a.contacts.empty()) a.idle_since = now_;
      return SetReady(agent);
    default:
      return absl::InvalidArgumentError(fmt::format(
          "agent {}: can only force logged_out, not_ready or available, not {}",
          agent.value(), AgentStateName(state)));
  }
}

}  // namespace ccengine
