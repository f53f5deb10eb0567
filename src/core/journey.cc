// Engine: the journey options that change who may take a contact and how —
// preferred / last agent (with the customer history behind "last agent") and
// callbacks (virtual hold). The decisions themselves live in matching.cc
// (`TryMatchPreferred`, and the skip in `TryMatchAgent`); the hooks into the
// contact lifecycle in contacts.cc. Rules: docs/journey.md.

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "ccengine/core/engine.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace ccengine {

using internal::AgentRec;
using internal::ContactRec;
using internal::kNoSlot;
using internal::QueueRec;
using internal::TimerKind;

// --- Preferred / last agent ------------------------------------------------------

// The preference calls sit off the common path (a contact without a
// preference never makes them): out of line and cold.
[[gnu::cold, gnu::noinline]] absl::Status Engine::ValidatePreference(
    const ContactSpec& spec) const {
  const uint64_t id = spec.id.value();
  if (spec.preferred_agents.size() > kMaxPreferredAgents) {
    return absl::InvalidArgumentError(
        fmt::format("contact {}: at most {} preferred agents, got {}", id,
                    kMaxPreferredAgents, spec.preferred_agents.size()));
  }
  for (size_t i = 0; i < spec.preferred_agents.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (spec.preferred_agents[j] == spec.preferred_agents[i]) {
        return absl::InvalidArgumentError(
            fmt::format("contact {}: preferred agent {} listed twice", id,
                        spec.preferred_agents[i].value()));
      }
    }
  }
  const absl::Duration wait = spec.preferred_wait;
  if (wait < absl::ZeroDuration() || wait == absl::InfiniteDuration() ||
      wait > kMaxDuration) {
    return absl::InvalidArgumentError(
        fmt::format("contact {}: preferred_wait must be >= 0 and finite (at most 100 "
                    "years), got {}",
                    id, absl::FormatDuration(wait)));
  }
  return absl::OkStatus();
}

[[gnu::cold, gnu::noinline]] void Engine::SetUpPreference(uint32_t contact,
                                                          const ContactSpec& spec) {
  ContactRec& c = contacts_[contact];
  c.preferred.assign(spec.preferred_agents.begin(), spec.preferred_agents.end());
  if (spec.prefer_last_agent) {
    std::optional<AgentId> last = LastAgent(c.customer_id);
    if (last.has_value() && !Prefers(c, *last)) c.preferred.push_back(*last);
  }
  // In force from now; EnterQueue ends it at once if no preferred agent can
  // take the contact (an empty list included).
  c.preferring = true;
  c.pref_until = now_ + ToMicros(spec.preferred_wait);
  c.pref_grace = c.pref_until == now_;
  preferring_.insert(contact);
  if (!c.pref_grace) {
    c.pref_token = timers_.NewToken();
    Schedule(c.pref_until, TimerKind::kPreferredWait, contact, c.pref_token);
  }
}

bool Engine::Prefers(const ContactRec& c, AgentId agent) const {
  return std::find(c.preferred.begin(), c.preferred.end(), agent) != c.preferred.end();
}

bool Engine::PreferenceViable(const ContactRec& c) const {
  const int ch = static_cast<int>(c.channel);
  for (AgentId id : c.preferred) {
    uint32_t slot = AgentSlot(id);
    if (slot == kNoSlot) continue;
    const AgentRec& a = agents_[slot];
    if (!a.logged_in || a.capacity.max_per_channel[ch] == 0) continue;
    if (std::find(c.excluded.begin(), c.excluded.end(), id) != c.excluded.end()) {
      continue;
    }
    if (MinStep(a, groups_[c.group]) >= 0) return true;
  }
  return false;
}

[[gnu::noinline]] void Engine::EndPreference(uint32_t contact, EventReason reason) {
  ContactRec& c = contacts_[contact];
  c.preferring = false;
  c.pref_grace = false;
  c.preferred.clear();
  preferring_.erase(contact);
  if (Wants(EventType::kPreferenceEnded)) {
    Event e = MakeChannelEvent(EventType::kPreferenceEnded, c);
    e.reason = reason;
    Emit(e);
  }
}

[[gnu::noinline]] bool Engine::ReviewPreference(uint32_t contact, bool grace) {
  const ContactRec& c = contacts_[contact];
  if (!PreferenceViable(c)) {
    EndPreference(contact, EventReason::kNoPreferredAgent);
    return true;
  }
  if (!grace && now_ >= c.pref_until) {
    EndPreference(contact, EventReason::kPreferredWait);
    return true;
  }
  return false;
}

void Engine::RecheckPreferences() {
  if (preferring_.empty()) return;
  std::vector<std::pair<double, uint32_t>> ended;
  for (uint32_t slot : preferring_) {
    const ContactRec& c = contacts_[slot];
    if (c.state == ContactState::kWaiting && !PreferenceViable(c)) {
      ended.emplace_back(-AgedScore(c, queues_[c.queue]), slot);
    }
  }
  // Best first, as if each had just arrived.
  std::sort(ended.begin(), ended.end(), [this](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return contacts_[a.second].seq < contacts_[b.second].seq;
  });
  for (const auto& [score, slot] : ended) {
    EndPreference(slot, EventReason::kNoPreferredAgent);
  }
  for (const auto& [score, slot] : ended) {
    if (contacts_[slot].in_group) TryMatchContact(slot);
  }
}

void Engine::OnPreferredWait(uint32_t contact) {
  EndPreference(contact, EventReason::kPreferredWait);
  TryMatchContact(contact);
}

// --- Fallback targets -------------------------------------------------------------

[[gnu::cold, gnu::noinline]] absl::Status Engine::ValidateFallbacks(
    const ContactSpec& spec) const {
  const uint64_t id = spec.id.value();
  if (spec.fallbacks.size() > kMaxFallbacks) {
    return absl::InvalidArgumentError(
        fmt::format("contact {}: at most {} fallback targets, got {}", id, kMaxFallbacks,
                    spec.fallbacks.size()));
  }
  for (size_t i = 0; i < spec.fallbacks.size(); ++i) {
    const FallbackTarget& f = spec.fallbacks[i];
    // Kept in whole microseconds, the engine's clock.
    if (f.after < absl::Microseconds(1) || f.after == absl::InfiniteDuration() ||
        f.after > kMaxDuration) {
      return absl::InvalidArgumentError(fmt::format(
          "contact {}: fallback {}: after must be at least 1 microsecond and finite (at "
          "most 100 years), got {}",
          id, i, absl::FormatDuration(f.after)));
    }
    if (f.queue.value() >= queues_.size()) {
      return absl::NotFoundError(fmt::format(
          "contact {}: fallback {}: unknown queue id {}", id, i, f.queue.value()));
    }
    if (f.priority < kMinPriority || f.priority > kMaxPriority) {
      return absl::InvalidArgumentError(
          fmt::format("contact {}: fallback {}: priority must be in 0..9, got {}", id, i,
                      f.priority));
    }
    if (!f.skills.empty()) {
      CCENGINE_RETURN_IF_ERROR(ValidateSkills(
          f.skills, [&] { return fmt::format("contact {}: fallback {}", id, i); }));
    }
  }
  return absl::OkStatus();
}

[[gnu::cold, gnu::noinline]] void Engine::SetUpFallbacks(
    uint32_t contact, std::vector<FallbackTarget>& targets) {
  ContactRec& c = contacts_[contact];
  c.fallbacks.reserve(targets.size());
  for (FallbackTarget& f : targets) {
    internal::FallbackRec r;
    r.after = ToMicros(f.after);
    r.queue = f.queue.value();
    r.priority = static_cast<int8_t>(f.priority);
    r.skills = std::move(f.skills);
    std::sort(r.skills.begin(), r.skills.end(),
              [](const auto& a, const auto& b) { return a.skill < b.skill; });
    c.fallbacks.push_back(std::move(r));
  }
  c.fallback_next = 0;
  ArmFallback(c, contact);
}

// The timer of the next target, counted from now (the contact's entry into
// its current target); none once every target was taken.
void Engine::ArmFallback(ContactRec& c, uint32_t contact) {
  c.fallback_due = false;
  if (c.fallback_next >= c.fallbacks.size()) {
    DropFallbacks(c);
    return;
  }
  c.fallback_at = now_ + c.fallbacks[c.fallback_next].after;
  c.fallback_token = timers_.NewToken();
  Schedule(c.fallback_at, TimerKind::kFallback, contact, c.fallback_token);
}

void Engine::DropFallbacks(ContactRec& c) {
  c.fallbacks.clear();
  c.fallback_next = 0;
  c.fallback_due = false;
  c.fallback_at = 0;
  c.fallback_token = 0;
}

void Engine::OnFallback(uint32_t contact) {
  ContactRec& c = contacts_[contact];
  if (c.state == ContactState::kOffered) {
    c.fallback_due = true;  // ReturnToLine takes it if the offer fails
    return;
  }
  RemoveWaiting(contact);
  TakeFallback(contact);
}

// Moves a contact that is out of its waiting set (and not ringing) on to
// its next target.
void Engine::TakeFallback(uint32_t contact) {
  ContactRec& c = contacts_[contact];
  internal::FallbackRec& f = c.fallbacks[c.fallback_next++];
  const uint32_t to = f.queue;
  // A target in its own queue changes it in place: it keeps its entry into
  // the queue and its place in line, and nothing overflows (kOverflowed into
  // its own queue means leaving the engine).
  const bool in_place = to == c.queue;
  if (!in_place) {
    queues_[c.queue].stats.overflowed++;
    Event e = MakeContactEvent(EventType::kOverflowed, c);
    e.reason = EventReason::kTargetTimeout;
    e.to_queue = QueueId(to);
    Emit(e);
    c.excluded.clear();
  }
  c.priority = f.priority;
  c.skills = std::move(f.skills);
  for (const SkillRequirement& s : c.skills) EnsureSkillSet(s);  // as AddContact
  // Before EnterQueue, which may end the contact (and reuse its record).
  ArmFallback(c, contact);
  if (!in_place) {
    EnterQueue(contact, to, 0);
    return;
  }
  c.group = GroupFor(c.queue, c.channel, c.skills);
  Event e = MakeContactEvent(EventType::kPriorityChanged, c);
  e.priority = c.priority;
  e.reason = EventReason::kTargetTimeout;
  Emit(e);
  ReturnToLine(contact);  // back in line as after a failed offer
}

// --- Customer history -------------------------------------------------------------

void Engine::RecordHistory(const ContactRec& c, AgentId agent) {
  if (c.customer_id.empty() || !history_.enabled()) return;
  CustomerContact entry;
  entry.contact = c.id;
  entry.agent = agent;
  entry.channel = c.channel;
  entry.queue = QueueId(c.queue);
  entry.ended_at = Now();
  history_.Record(c.customer_id, entry, now_);
}

absl::StatusOr<std::vector<CustomerContact>> Engine::CustomerHistory(
    std::string_view customer_id) const {
  if (customer_id.empty()) {
    return absl::InvalidArgumentError("customer id is empty");
  }
  return history_.Get(customer_id);
}

std::optional<AgentId> Engine::LastAgent(std::string_view customer_id) const {
  if (customer_id.empty()) return std::nullopt;
  return history_.Last(customer_id);
}

absl::Status Engine::EraseCustomer(std::string_view customer_id) {
  if (customer_id.empty()) {
    return absl::InvalidArgumentError("customer id is empty");
  }
  std::vector<uint64_t> live;
  for (uint32_t slot = 0; slot < contacts_.size(); ++slot) {
    const ContactRec& c = contacts_[slot];
    if (c.customer_id == customer_id && ContactSlot(c.id) == slot) {
      live.push_back(c.id.value());
    }
  }
  if (!live.empty()) {
    std::sort(live.begin(), live.end());
    const size_t shown = std::min<size_t>(live.size(), 10);
    return absl::FailedPreconditionError(fmt::format(
        "the customer has {} live contact(s) ({}{}): erase after they end", live.size(),
        fmt::join(live.begin(), live.begin() + static_cast<ptrdiff_t>(shown), ", "),
        live.size() > shown ? ", ..." : ""));
  }
  history_.Erase(customer_id);
  return absl::OkStatus();
}

// --- Callback (virtual hold) ------------------------------------------------------

absl::Status Engine::RequestCallback(ContactId contact) {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t cslot, LiveContactSlot(contact));
  ContactRec& c = contacts_[cslot];
  if (c.callback) {
    return absl::FailedPreconditionError(
        fmt::format("contact {} already asked for a callback", contact.value()));
  }
  if (c.channel == Channel::kCallback) {
    return absl::FailedPreconditionError(
        fmt::format("contact {} is already a callback", contact.value()));
  }
  if (c.state != ContactState::kWaiting) {
    return absl::FailedPreconditionError(
        fmt::format("contact {} is {}, not waiting; only a waiting caller can ask for a "
                    "callback",
                    contact.value(), ContactStateName(c.state)));
  }
  if (c.channel != Channel::kVoice && c.channel != Channel::kVideo) {
    return absl::FailedPreconditionError(
        fmt::format("contact {} is on {}; only voice and video callers can ask for a "
                    "callback",
                    contact.value(), ChannelName(c.channel)));
  }
  // Same queue, step and (arrived, seq) key: the same place, on another
  // channel's waiting group.
  RemoveWaiting(cslot);
  c.channel = Channel::kCallback;
  c.callback = true;
  c.callback_at = now_;
  c.group = GroupFor(c.queue, c.channel, c.skills);
  InsertWaiting(cslot);
  QueueRec& q = queues_[c.queue];
  q.stats.callbacks_requested++;
  if (Wants(EventType::kCallbackRequested)) {
    Event e = MakeChannelEvent(EventType::kCallbackRequested, c);
    e.priority = c.priority;
    e.wait = DurationFromMicros(now_ - c.arrived);
    Emit(e);
  }
  if (c.preferring) ReviewPreference(cslot, /*grace=*/false);
  // Agents with callback capacity but none for the call may take it now.
  TryMatchContact(cslot);
  return absl::OkStatus();
}

}  // namespace ccengine
