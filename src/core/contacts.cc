// Engine: contact lifecycle, waiting groups and the customer journey
// (abandon, transfer, overflow, relaxation, supervisor actions).

#include <algorithm>
#include <iterator>
#include <new>
#include <string>
#include <utility>

#include "ccengine/core/engine.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace ccengine {

using internal::AgentRec;
using internal::ContactRec;
using internal::GroupRec;
using internal::kNoSlot;
using internal::QueueRec;
using internal::TimerKind;
using internal::WaitKey;

namespace {

// Overflow chains (A full → B full → C …) stop after this many hops.
constexpr int kMaxOverflowHops = 8;

int ClassOf(const ContactRec& c, const QueueRec& q) {
  return c.priority + q.config.priority;
}

}  // namespace

// --- Waiting groups ------------------------------------------------------------

uint32_t Engine::GroupFor(uint32_t queue, Channel channel,
                          const std::vector<SkillRequirement>& own) {
  QueueRec& q = queues_[queue];
  for (uint32_t g : q.groups) {
    if (groups_[g].channel == channel && groups_[g].own == own) return g;
  }
  uint32_t g = static_cast<uint32_t>(groups_.size());
  GroupRec& rec = groups_.emplace_back();
  rec.queue = queue;
  rec.channel = channel;
  rec.own = own;
  rec.Resize(q.step_after.size());
  q.groups.push_back(g);
  // Its agents are looked up from now on.
  agent_index_.IndexChannel(channel,
                            [this](uint32_t slot) { return agents_[slot].channel_mask; });
  // A new eligibility class: tell every agent that can serve it.
  for (uint32_t slot = 0; slot < agents_.size(); ++slot) {
    AgentRec& a = agents_[slot];
    if (!a.live) continue;
    int step = MinStep(a, groups_[g]);
    if (step >= 0) a.served.emplace_back(g, static_cast<uint8_t>(step));
  }
  return g;
}

void Engine::InsertWaiting(uint32_t contact) {
  ContactRec& c = contacts_[contact];
  GroupRec& g = groups_[c.group];
  int cls = ClassOf(c, queues_[c.queue]);
  g.Set(c.step, cls).insert(WaitKey{c.arrived, c.seq, contact});
  g.nonempty[c.step] |= 1u << cls;
  g.size++;
  queues_[c.queue].waiting++;
  c.in_group = true;
}

void Engine::RemoveFromGroup(uint32_t contact) {
  ContactRec& c = contacts_[contact];
  GroupRec& g = groups_[c.group];
  int cls = ClassOf(c, queues_[c.queue]);
  g.Set(c.step, cls).erase(WaitKey{c.arrived, c.seq, contact});
  if (g.Set(c.step, cls).empty()) g.nonempty[c.step] &= ~(1u << cls);
  g.size--;
  queues_[c.queue].waiting--;
  c.in_group = false;
}

int Engine::StepAt(const QueueRec& q, Micros queued_at, Micros now) const {
  int step = 0;
  while (step + 1 < static_cast<int>(q.step_after.size()) &&
         now - queued_at >= q.step_after[step + 1]) {
    ++step;
  }
  return step;
}

void Engine::ScheduleWaitTimers(uint32_t contact) {
  ContactRec& c = contacts_[contact];
  const QueueRec& q = queues_[c.queue];
  c.wait_token = timers_.NewToken();
  if (c.step + 1 < static_cast<int>(q.step_after.size())) {
    Schedule(c.queued_at + q.step_after[c.step + 1], TimerKind::kRelax, contact,
             c.wait_token);
  }
  if (q.config.max_wait != absl::InfiniteDuration()) {
    Schedule(c.queued_at + ToMicros(q.config.max_wait), TimerKind::kMaxWait, contact,
             c.wait_token);
  }
  // The end of a hold for a better agent is handled like a relaxation step:
  // OnRelax tries to place the contact again.
  if (c.hold_until > now_)
    Schedule(c.hold_until, TimerKind::kRelax, contact, c.wait_token);
}

// --- State and accounting --------------------------------------------------------

void Engine::SetContactState(ContactRec& c, ContactState state) {
  ledger_.Move(c.state, state);
  c.state = state;
}

void Engine::FinishContact(uint32_t contact, ContactState terminal) {
  ContactRec& c = contacts_[contact];
  RemoveWaiting(contact);
  if (c.preferring) preferring_.erase(contact);
  SetContactState(c, terminal);
  contact_ids_.erase(c.id.value());
  // Back to a fresh record: destroyed and built in place, which is cheaper
  // than assigning a temporary member by member.
  c.~ContactRec();
  new (&c) ContactRec();
  free_contact_slots_.push_back(contact);
}

// Enters `queue` (the first time, on transfer or on overflow): offered at once
// if an agent is free, else waits, else overflows.
void Engine::EnterQueue(uint32_t contact, uint32_t queue, int hops) {
  ContactRec& c = contacts_[contact];
  QueueRec& q = queues_[queue];
  c.queue = queue;
  c.queued_at = now_;
  c.step = static_cast<uint8_t>(StepAt(q, c.queued_at, now_));
  c.group = GroupFor(queue, c.channel, c.skills);
  q.stats.entered++;
  if (Wants(EventType::kContactQueued)) {
    Event e = MakeContactEvent(EventType::kContactQueued, c);
    e.queue = QueueId(queue);
    e.channel = c.channel;
    e.priority = c.priority;
    e.step = c.step;
    Emit(e);
  }
  if (!q.open) {
    Overflow(contact, EventReason::kClosed, hops);
    return;
  }
  bool grace = false;
  if (c.preferring) [[unlikely]] {
    grace = std::exchange(c.pref_grace, false);
    ReviewPreference(contact, grace);
  }
  if (TryMatchContact(contact)) return;
  if (grace && c.preferring) [[unlikely]] {
    // A zero preferred_wait: no preferred agent was free, so anyone, now.
    EndPreference(contact, EventReason::kPreferredWait);
    if (TryMatchContact(contact)) return;
  }
  if (q.config.max_size > 0 && q.waiting >= q.config.max_size) {
    Overflow(contact, EventReason::kQueueFull, hops);
    return;
  }
  InsertWaiting(contact);
  ScheduleWaitTimers(contact);
}

void Engine::Overflow(uint32_t contact, EventReason reason, int hops) {
  ContactRec& c = contacts_[contact];
  QueueRec& q = queues_[c.queue];
  q.stats.overflowed++;
  if (reason == EventReason::kClosed) q.stats.closed++;
  Event e = MakeContactEvent(EventType::kOverflowed, c);
  e.reason = reason;
  const auto& target = q.config.overflow_queue;
  if (target.has_value() && hops < kMaxOverflowHops) {
    e.to_queue = *target;
    Emit(e);
    c.excluded.clear();
    EnterQueue(contact, target->value(), hops + 1);
    return;
  }
  e.to_queue = QueueId(c.queue);
  FinishContact(contact, ContactState::kOverflowed);
  Emit(e);
}

void Engine::ReturnToLine(uint32_t contact) {
  ContactRec& c = contacts_[contact];
  SetContactState(c, ContactState::kWaiting);
  if (c.fallback_due) [[unlikely]] {  // its target's time ran out while ringing
    TakeFallback(contact);
    return;
  }
  const QueueRec& q = queues_[c.queue];
  c.step = static_cast<uint8_t>(StepAt(q, c.queued_at, now_));
  if (!q.open && q.config.move_waiting_at_close) {
    Overflow(contact, EventReason::kClosed, 0);  // it closed while ringing
    return;
  }
  if (c.preferring) [[unlikely]]
    ReviewPreference(contact, /*grace=*/false);
  if (TryMatchContact(contact)) return;
  if (q.config.max_wait != absl::InfiniteDuration() &&
      now_ >= c.queued_at + ToMicros(q.config.max_wait)) {
    Overflow(contact, EventReason::kMaxWait, 0);  // its time ran out while ringing
    return;
  }
  // Same (arrived, seq) key: the contact regains its original place.
  InsertWaiting(contact);
  ScheduleWaitTimers(contact);
}

// --- Timers ----------------------------------------------------------------------

void Engine::OnOfferTimeout(uint32_t contact) {
  ContactRec& c = contacts_[contact];
  uint32_t agent = c.agent;
  AgentRec& a = agents_[agent];
  Event e = MakeContactEvent(EventType::kOfferTimedOut, c, agent);
  DetachContact(agent, contact);
  c.excluded.push_back(a.id);
  a.consecutive_no_answers++;
  Emit(e);
  bool rona = options_.rona_limit > 0 &&
              a.consecutive_no_answers >= static_cast<uint32_t>(options_.rona_limit);
  if (rona) {
    a.ready = false;
    a.reason = kReasonRona;
  }
  SyncAgent(agent, rona ? EventReason::kRona : EventReason::kNone);
  ReturnToLine(contact);
  TryMatchAgent(agent);
}

void Engine::OnRelax(uint32_t contact) {
  ContactRec& c = contacts_[contact];
  int step = StepAt(queues_[c.queue], c.queued_at, now_);
  if (step != c.step) {
    RemoveWaiting(contact);
    c.step = static_cast<uint8_t>(step);
    InsertWaiting(contact);
    Event e = MakeContactEvent(EventType::kRelaxed, c);
    e.step = step;
    Emit(e);
  }
  if (TryMatchContact(contact)) return;
  ScheduleWaitTimers(contact);
}

void Engine::OnMaxWait(uint32_t contact) {
  RemoveWaiting(contact);
  Overflow(contact, EventReason::kMaxWait, 0);
}

// --- Public contact calls ----------------------------------------------------------

absl::Status Engine::AddContact(ContactSpec spec) {
  if (contact_ids_.contains(spec.id.value())) {
    return absl::AlreadyExistsError(
        fmt::format("contact {} already exists", spec.id.value()));
  }
  if (spec.queue.value() >= queues_.size()) {
    return absl::NotFoundError(fmt::format("contact {}: unknown queue id {}",
                                           spec.id.value(), spec.queue.value()));
  }
  if (static_cast<int>(spec.channel) >= kChannelCount) {
    return absl::InvalidArgumentError(
        fmt::format("contact {}: unknown channel", spec.id.value()));
  }
  if (spec.priority < kMinPriority || spec.priority > kMaxPriority) {
    return absl::InvalidArgumentError(fmt::format(
        "contact {}: priority must be in 0..9, got {}", spec.id.value(), spec.priority));
  }
  if (!spec.skills.empty()) {  // most contacts need only their queue's skills
    CCENGINE_RETURN_IF_ERROR(ValidateSkills(
        spec.skills, [&] { return fmt::format("contact {}", spec.id.value()); }));
  }
  const bool prefers = !spec.preferred_agents.empty() || spec.prefer_last_agent;
  if (prefers || spec.preferred_wait != absl::ZeroDuration()) [[unlikely]] {
    CCENGINE_RETURN_IF_ERROR(ValidatePreference(spec));
  }
  if (!spec.fallbacks.empty()) [[unlikely]] {
    CCENGINE_RETURN_IF_ERROR(ValidateFallbacks(spec));
  }
  if (spec.arrived_at.has_value() && !InTimeRange(*spec.arrived_at)) {
    return absl::InvalidArgumentError(
        fmt::format("contact {}: arrived_at {} is out of range", spec.id.value(),
                    absl::FormatTime(*spec.arrived_at)));
  }
  Micros arrived = spec.arrived_at.has_value() ? ToMicros(*spec.arrived_at) : now_;
  if (arrived > now_) {
    return absl::InvalidArgumentError(fmt::format(
        "contact {}: arrived_at {} is after the engine's time {}", spec.id.value(),
        absl::FormatTime(*spec.arrived_at), absl::FormatTime(Now())));
  }

  for (const SkillRequirement& r : spec.skills) EnsureSkillSet(r);  // an index
  uint32_t slot;
  if (!free_contact_slots_.empty()) {
    slot = free_contact_slots_.back();
    free_contact_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(contacts_.size());
    contacts_.emplace_back();
  }
  ContactRec& c = contacts_[slot];
  c.live = true;
  c.id = spec.id;
  c.channel = spec.channel;
  c.original_channel = spec.channel;
  c.priority = static_cast<int8_t>(spec.priority);
  c.skills = std::move(spec.skills);
  std::sort(c.skills.begin(), c.skills.end(),
            [](const auto& a, const auto& b) { return a.skill < b.skill; });
  c.customer_id = std::move(spec.customer_id);
  c.attributes = std::move(spec.attributes);
  c.arrived = arrived;
  c.seq = ++arrival_seq_;
  c.state = ContactState::kWaiting;
  contact_ids_.emplace(spec.id.value(), slot);
  ledger_.Enter();
  if (prefers) [[unlikely]]
    SetUpPreference(slot, spec);
  if (!spec.fallbacks.empty()) [[unlikely]]
    SetUpFallbacks(slot, spec.fallbacks);
  EnterQueue(slot, spec.queue.value(), 0);
  return absl::OkStatus();
}

namespace {

absl::Status NotOfferedError(ContactId contact, AgentId agent) {
  return absl::FailedPreconditionError(fmt::format(
      "contact {} is not offered to agent {}", contact.value(), agent.value()));
}

absl::Status StaleOfferError(ContactId contact, uint64_t offer, uint64_t latest) {
  return absl::FailedPreconditionError(
      fmt::format("offer {} of contact {} is not its latest (offer {})", offer,
                  contact.value(), latest));
}

}  // namespace

absl::Status Engine::AcceptOffer(AgentId agent, ContactId contact, uint64_t offer) {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t aslot, LoggedInAgentSlot(agent));
  CCENGINE_ASSIGN_OR_RETURN(uint32_t cslot, LiveContactSlot(contact));
  const ContactRec& c = contacts_[cslot];
  if (offer != 0) {
    if (c.offer_id != offer) return StaleOfferError(contact, offer, c.offer_id);
    // Accepted already (a retry): nothing to do.
    if (c.state == ContactState::kInService && c.agent == aslot) return absl::OkStatus();
  }
  if (c.state != ContactState::kOffered || c.agent != aslot) {
    return NotOfferedError(contact, agent);
  }
  Connect(aslot, cslot);
  return absl::OkStatus();
}

void Engine::Connect(uint32_t aslot, uint32_t cslot) {
  ContactRec& c = contacts_[cslot];
  AgentRec& a = agents_[aslot];
  QueueRec& q = queues_[c.queue];
  SetContactState(c, ContactState::kInService);
  c.answered_at = now_;
  if (c.preferring) {  // honoured (or the window closed while it rang)
    c.preferring = false;
    c.preferred.clear();
    preferring_.erase(cslot);
  }
  if (!c.fallbacks.empty()) [[unlikely]]
    DropFallbacks(c);  // its route ends once answered
  a.offer = kNoSlot;
  a.handled++;
  a.consecutive_no_answers = 0;
  Micros waited_here = now_ - c.queued_at;
  q.stats.answered++;
  if (waited_here <= q.sl_threshold_us) q.stats.answered_within_sl++;
  q.total_answer_wait_us += waited_here;
  if (Wants(EventType::kAccepted)) {
    Event e = MakeChannelEvent(EventType::kAccepted, c, aslot);
    e.wait = DurationFromMicros(now_ - c.arrived);
    Emit(e);
  }
  SyncAgent(aslot);
  // A multi-chat agent may take more (a voice agent has no room now).
  if (a.channel_mask != 0) TryMatchAgent(aslot);
}

absl::Status Engine::RejectOffer(AgentId agent, ContactId contact, uint64_t offer) {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t aslot, LoggedInAgentSlot(agent));
  CCENGINE_ASSIGN_OR_RETURN(uint32_t cslot, LiveContactSlot(contact));
  ContactRec& c = contacts_[cslot];
  if (offer != 0 && c.offer_id != offer)
    return StaleOfferError(contact, offer, c.offer_id);
  if (c.state != ContactState::kOffered || c.agent != aslot) {
    return NotOfferedError(contact, agent);
  }
  Event e = MakeContactEvent(EventType::kRejected, c, aslot);
  DetachContact(aslot, cslot);
  c.excluded.push_back(agent);
  Emit(e);
  SyncAgent(aslot);
  ReturnToLine(cslot);
  TryMatchAgent(aslot);
  return absl::OkStatus();
}

absl::Status Engine::CompleteContact(AgentId agent, ContactId contact,
                                     ContactOutcome outcome) {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t aslot, LiveAgentSlot(agent));
  CCENGINE_ASSIGN_OR_RETURN(uint32_t cslot, LiveContactSlot(contact));
  ContactRec& c = contacts_[cslot];
  if (c.state != ContactState::kInService || c.agent != aslot) {
    return absl::FailedPreconditionError(fmt::format(
        "contact {} is not in service with agent {}", contact.value(), agent.value()));
  }
  if (outcome.csat.has_value() &&
      (*outcome.csat < kMinCsat || *outcome.csat > kMaxCsat)) {
    return absl::InvalidArgumentError(fmt::format(
        "contact {}: csat must be in 1..5, got {}", contact.value(), *outcome.csat));
  }
  const QueueRec& q = queues_[c.queue];
  RecordOutcome(aslot, cslot, outcome);
  EndService(aslot, cslot, EventReason::kNone, outcome);
  StartWrapUpOrFree(aslot, q);
  TryMatchAgent(aslot);
  return absl::OkStatus();
}

void Engine::EndService(uint32_t agent, uint32_t contact, EventReason reason,
                        const ContactOutcome& outcome) {
  ContactRec& c = contacts_[contact];
  QueueRec& q = queues_[c.queue];
  Micros handle = now_ - c.answered_at;
  q.stats.completed++;
  q.total_handle_us += handle;
  std::optional<Event> e;  // built (before the record is cleared) only if wanted
  if (Wants(EventType::kCompleted)) {
    e = MakeChannelEvent(EventType::kCompleted, c, agent);
    e->outcome = outcome;
    e->reason = reason;
    e->handle = DurationFromMicros(handle);
  }
  RecordHistory(c, agents_[agent].id);
  DetachContact(agent, contact);
  FinishContact(contact, ContactState::kCompleted);
  if (e.has_value()) Emit(*e);
}

absl::Status Engine::Abandon(ContactId contact) {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t cslot, LiveContactSlot(contact));
  ContactRec& c = contacts_[cslot];
  if (c.callback && c.state != ContactState::kInService) {
    return absl::FailedPreconditionError(
        fmt::format("contact {} is a callback: its customer is no longer on the line "
                    "(withdraw it to cancel the callback)",
                    contact.value()));
  }
  if (c.state == ContactState::kInService) {
    uint32_t agent = c.agent;
    const QueueRec& q = queues_[c.queue];
    EndService(agent, cslot, EventReason::kCustomerHangup);
    StartWrapUpOrFree(agent, q);
    TryMatchAgent(agent);
    return absl::OkStatus();
  }
  // Waiting or ringing.
  uint32_t agent = c.agent;
  QueueRec& q = queues_[c.queue];
  q.stats.abandoned++;
  if (now_ - c.queued_at < q.short_abandon_us) q.stats.short_abandoned++;
  Event e = MakeContactEvent(EventType::kAbandoned, c);
  e.channel = c.channel;
  e.wait = DurationFromMicros(now_ - c.arrived);
  if (agent != kNoSlot) {
    e.agent = agents_[agent].id;
    e.has_agent = true;
    RescindOffer(agent, /*requeue=*/false);
  }
  FinishContact(cslot, ContactState::kAbandoned);
  Emit(e);
  if (agent != kNoSlot) TryMatchAgent(agent);
  return absl::OkStatus();
}

absl::Status Engine::Transfer(ContactId contact, QueueId to, bool keep_age) {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t cslot, LiveContactSlot(contact));
  if (to.value() >= queues_.size()) {
    return absl::NotFoundError(fmt::format("transfer of contact {}: unknown queue id {}",
                                           contact.value(), to.value()));
  }
  ContactRec& c = contacts_[cslot];
  const QueueRec& target = queues_[to.value()];
  if (c.state == ContactState::kWaiting && c.queue == to.value()) {
    return absl::InvalidArgumentError(fmt::format(
        "contact {} already waits in queue '{}'", contact.value(), target.config.name));
  }
  if (target.config.max_size > 0 && target.waiting >= target.config.max_size) {
    return absl::FailedPreconditionError(
        fmt::format("transfer of contact {}: queue '{}' is full ({} waiting)",
                    contact.value(), target.config.name, target.waiting));
  }
  uint32_t agent = c.agent;
  QueueRec& from = queues_[c.queue];
  from.stats.transferred_out++;
  Event e = MakeContactEvent(EventType::kTransferred, c);
  e.to_queue = to;
  e.channel = c.channel;
  if (c.state == ContactState::kInService) {
    e.agent = agents_[agent].id;
    e.has_agent = true;
    RecordHistory(c, e.agent);
    DetachContact(agent, cslot);
    Emit(e);
    StartWrapUpOrFree(agent, from);
  } else if (c.state == ContactState::kOffered) {
    RescindOffer(agent, /*requeue=*/false);
    Emit(e);
  } else {
    RemoveWaiting(cslot);
    Emit(e);
  }
  SetContactState(c, ContactState::kWaiting);
  c.excluded.clear();
  DropFallbacks(c);  // where it goes now is the transfer's decision
  if (!keep_age) {
    c.arrived = now_;
    c.seq = ++arrival_seq_;  // behind contacts that arrived at the same instant
  }
  EnterQueue(cslot, to.value(), 0);
  if (agent != kNoSlot) TryMatchAgent(agent);
  return absl::OkStatus();
}

absl::Status Engine::Withdraw(ContactId contact) {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t cslot, LiveContactSlot(contact));
  ContactRec& c = contacts_[cslot];
  if (c.state == ContactState::kInService) {
    return absl::FailedPreconditionError(
        fmt::format("contact {} is in service; only waiting or ringing contacts can be "
                    "withdrawn",
                    contact.value()));
  }
  uint32_t agent = c.agent;
  Event e = MakeContactEvent(EventType::kWithdrawn, c);
  e.reason = EventReason::kSupervisor;
  if (agent != kNoSlot) RescindOffer(agent, /*requeue=*/false);
  FinishContact(cslot, ContactState::kWithdrawn);
  Emit(e);
  if (agent != kNoSlot) TryMatchAgent(agent);
  return absl::OkStatus();
}

absl::Status Engine::SetPriority(ContactId contact, int priority) {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t cslot, LiveContactSlot(contact));
  if (priority < kMinPriority || priority > kMaxPriority) {
    return absl::InvalidArgumentError(fmt::format(
        "contact {}: priority must be in 0..9, got {}", contact.value(), priority));
  }
  ContactRec& c = contacts_[cslot];
  if (c.state == ContactState::kInService) {
    return absl::FailedPreconditionError(fmt::format(
        "contact {} is in service; its priority no longer matters", contact.value()));
  }
  bool was_in_group = c.in_group;
  RemoveWaiting(cslot);
  c.priority = static_cast<int8_t>(priority);
  if (was_in_group) InsertWaiting(cslot);
  Event e = MakeContactEvent(EventType::kPriorityChanged, c);
  e.priority = priority;
  Emit(e);
  return absl::OkStatus();
}

}  // namespace ccengine
