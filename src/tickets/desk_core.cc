// The desk's machinery: one mutation with retries and its effects, engine
// commands, SLA clock steps, and the helpers the transitions share.

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "ccengine/core/commands.h"
#include "ccengine/tickets/sla.h"
#include "desk_internal.h"
#include "fmt/format.h"

namespace ccengine::tickets {

bool StateIn(TicketState s, std::initializer_list<TicketState> states) {
  return std::find(states.begin(), states.end(), s) != states.end();
}

absl::Status NotAllowed(const Ticket& t, const std::string& action,
                        std::initializer_list<TicketState> allowed) {
  std::string names;
  for (TicketState s : allowed) {
    if (!names.empty()) names += " or ";
    names += TicketStateName(s);
  }
  return absl::FailedPreconditionError(fmt::format(
      "ticket {} is {}; {} needs {}", t.id, TicketStateName(t.state), action, names));
}

std::optional<AgentId> AssigneeAgent(const std::string& assignee) {
  uint64_t value = 0;
  const char* end = assignee.data() + assignee.size();
  auto [ptr, ec] = std::from_chars(assignee.data(), end, value);
  if (assignee.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return AgentId{value};
}

TicketEvent MakeEvent(TicketEventType type, const Ticket& t, absl::Time at,
                      const std::string& actor, std::string detail) {
  TicketEvent e;
  e.type = type;
  e.ticket = t.id;
  e.master = t.duplicate_of != 0 ? t.duplicate_of : t.parent;
  e.category = t.category;
  e.department = t.department;
  e.from = t.state;
  e.to = t.state;
  e.at = at;
  e.actor = actor;
  e.detail = std::move(detail);
  return e;
}

absl::StatusOr<const TicketCategory*> TicketDesk::State::CategoryLocked(
    const std::string& name) const {
  auto it = categories.find(name);
  if (it == categories.end()) {
    return absl::InvalidArgumentError(
        fmt::format("unknown ticket category \"{}\"", name));
  }
  return &it->second;
}

absl::Status TicketDesk::State::WithRetries(
    const std::function<absl::Status()>& op) const {
  absl::Duration backoff = options.retry_backoff;
  absl::Status status;
  for (int attempt = 0; attempt < std::max(1, options.max_attempts); ++attempt) {
    status = op();
    if (status.code() == absl::StatusCode::kUnavailable) {
      absl::SleepFor(backoff);
      backoff *= 2;
      continue;
    }
    if (status.code() != absl::StatusCode::kAborted) return status;
  }
  return status;
}

absl::StatusOr<Ticket> TicketDesk::State::MutateLocked(TicketId id,
                                                       const std::string& actor,
                                                       const std::string& action,
                                                       const Change& change,
                                                       std::vector<TicketEvent>& out) {
  Ticket before;
  Ticket written;
  Effects fx;
  HistoryEntry last_entry;  // of the try that was written
  absl::Status status = WithRetries([&]() -> absl::Status {
    absl::StatusOr<Ticket> read = store->Get(id);
    if (!read.ok()) return read.status();
    before = *read;
    Ticket next = before;
    fx = Effects{};
    const absl::Time now = Now();
    HistoryEntry entry;
    entry.at = now;
    entry.actor = actor;
    entry.action = action;
    entry.from = before.state;
    if (absl::Status s = change(next, entry, fx); !s.ok()) return s;
    entry.to = next.state;
    last_entry = entry;
    next.updated_at = now;
    UpdateNextCheck(next);
    if (fx.also.has_value()) {
      UpdateNextCheck(*fx.also);
      absl::StatusOr<std::vector<Ticket>> both =
          store->UpdateMany({next, *fx.also}, {entry, *fx.also_entry});
      if (!both.ok()) return both.status();
      written = (*both)[0];
      fx.also = (*both)[1];
      return absl::OkStatus();
    }
    absl::StatusOr<Ticket> w = store->Update(next, entry);
    if (!w.ok()) return w.status();
    written = *w;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  ApplyLocked(before, written, fx, out, last_entry);
  return written;
}

void TicketDesk::State::ApplyLocked(const Ticket& before, const Ticket& after,
                                    Effects& fx, std::vector<TicketEvent>& out,
                                    const HistoryEntry& entry) {
  for (Command& c : fx.commands) {
    if (const auto* w = std::get_if<cmd::Withdraw>(&c);
        w != nullptr && options.engine != nullptr) {
      ++own_withdrawals[w->contact.value()];
    }
    SendLocked(std::move(c));
  }
  // Written since the desk opened: no longer a re-dispatch candidate.
  redispatch.erase(std::remove(redispatch.begin(), redispatch.end(), after.id),
                   redispatch.end());
  // The duplicate index holds open tickets that could be someone's master.
  const bool indexable = IsOpen(after.state) && after.parent == 0;
  if (indexable) {
    if (!index.Contains(after.id) || before.text != after.text ||
        before.address != after.address) {
      // Text was valid when the ticket was written; a failure leaves it out.
      (void)index.Add(after);
    }
  } else {
    index.Remove(after.id);
  }
  DepartmentCounters& c = counters[after.department];
  const DepartmentCounters& d = fx.counters;
  c.created += d.created;
  c.duplicates += d.duplicates;
  c.first_response_breaches += d.first_response_breaches;
  c.resolution_breaches += d.resolution_breaches;
  c.warnings += d.warnings;
  c.escalations += d.escalations;
  if (after.state != before.state) {
    if (after.state == TicketState::kResolved) {
      ++c.resolved;
      if (!after.resolution.breached) ++c.resolved_within_sla;
    }
    if (after.state == TicketState::kReturned) ++c.returned;
    if (after.reopen_count > before.reopen_count) ++c.reopened;
    TicketEvent e = MakeEvent(TicketEventType::kStateChanged, after, after.updated_at,
                              entry.actor, entry.reason);
    e.from = before.state;
    out.push_back(std::move(e));
  }
  for (TicketEvent& e : fx.events) {
    e.to = after.state;
    out.push_back(std::move(e));
  }
  if (fx.also.has_value()) {
    const Ticket& master = *fx.also;
    if (!IsOpen(master.state)) index.Remove(master.id);
    if (master.state == TicketState::kResolved) {
      DepartmentCounters& mc = counters[master.department];
      ++mc.resolved;
      if (!master.resolution.breached) ++mc.resolved_within_sla;
    }
    TicketEvent e = MakeEvent(TicketEventType::kStateChanged, master, master.updated_at,
                              "desk", "all children resolved");
    e.from = fx.also_entry->from;
    out.push_back(std::move(e));
  }
}

void TicketDesk::State::SendLocked(Command command) {
  if (options.engine == nullptr) return;
  unsent.push_back(std::move(command));
  FlushUnsentLocked();
}

void TicketDesk::State::FlushUnsentLocked() {
  while (!unsent.empty()) {
    // Submit moves the command in only when it accepts it.
    Command copy = unsent.front();
    CommandOrigin origin;
    origin.actor = options.actor;
    if (!options.engine->Submit(std::move(copy), origin).ok()) return;  // intake full
    unsent.pop_front();
  }
}

Command TicketDesk::State::DispatchCommand(const Ticket& t, const TicketCategory& c,
                                           std::optional<AgentId> prefer) const {
  ContactSpec spec;
  spec.id = ContactOf(t.id);
  spec.queue = c.queue.value_or(QueueId{});
  spec.channel = Channel::kTicket;
  spec.priority = t.priority;
  spec.skills = c.skills;
  spec.customer_id = t.customer_id;
  spec.arrived_at = t.queued_since;
  spec.attributes = {{"ticket", std::to_string(t.id)}, {"category", t.category}};
  if (prefer.has_value()) {
    spec.preferred_agents = {*prefer};
    spec.preferred_wait = options.resume_preferred_wait;
  }
  return cmd::AddContact{std::move(spec)};
}

void TicketDesk::State::ReleaseContact(const Ticket& t, Effects& fx) const {
  if (t.state == TicketState::kQueued) {
    fx.commands.push_back(cmd::Withdraw{ContactOf(t.id)});
    return;
  }
  if (StateIn(t.state, {TicketState::kAssigned, TicketState::kInProgress})) {
    if (std::optional<AgentId> agent = AssigneeAgent(t.assignee)) {
      fx.commands.push_back(cmd::CompleteContact{*agent, ContactOf(t.id)});
    }
  }
}

namespace {

void StartClock(SlaClock& clock, const TicketCategory& c, absl::Duration target,
                absl::Time from) {
  clock = SlaClock{};
  if (target <= absl::ZeroDuration()) return;
  clock.due = AddBusinessTime(c.hours, from, target);
  if (c.warn_share < 1) {
    clock.warn_at = AddBusinessTime(c.hours, from, target * c.warn_share);
  }
}

bool Running(const SlaClock& clock) {
  return clock.due.has_value() && !clock.stopped && !clock.paused;
}

}  // namespace

void TicketDesk::State::StartClocks(Ticket& t, const TicketCategory& c, absl::Time from,
                                    bool first_response) const {
  if (first_response) StartClock(t.first_response, c, c.first_response, from);
  StartClock(t.resolution, c, c.resolution, from);
}

void TicketDesk::State::StopClock(SlaClock& clock, absl::Time now) {
  if (!clock.due.has_value() && !clock.paused) return;
  if (clock.stopped) return;
  if (clock.due.has_value() && now >= *clock.due) clock.breached = true;
  clock.stopped = true;
  clock.stopped_at = now;
}

void TicketDesk::State::EndClocks(Ticket& t, absl::Time now) {
  for (SlaClock* clock : {&t.first_response, &t.resolution}) {
    if (clock->stopped || (!clock->due.has_value() && !clock->paused)) continue;
    clock->stopped = true;
    clock->stopped_at = now;
    clock->paused = false;
  }
}

absl::Status TicketDesk::State::ResolveMasterIfDone(const Ticket& child,
                                                    Effects& fx) const {
  if (child.parent == 0) return absl::OkStatus();
  absl::StatusOr<Ticket> master = store->Get(child.parent);
  if (!master.ok()) return master.status();
  if (master->state != TicketState::kInProgress || !master->is_master)
    return absl::OkStatus();
  absl::StatusOr<std::vector<Ticket>> children = store->Children(child.parent);
  if (!children.ok()) return children.status();
  auto answered = [](TicketState st) {
    return st == TicketState::kResolved || st == TicketState::kClosed;
  };
  bool any_answered = answered(child.state);
  for (const Ticket& c : *children) {
    if (c.id == child.id) continue;
    if (IsOpen(c.state) && c.state != TicketState::kResolved) return absl::OkStatus();
    any_answered = any_answered || answered(c.state);
  }
  // Every child cancelled or merged: the master goes back to no one; it
  // stays with its dispatcher.
  if (!any_answered) return absl::OkStatus();
  const absl::Time now = Now();
  Ticket m = *master;
  HistoryEntry me;
  me.at = now;
  me.actor = "desk";
  me.action = "resolve";
  me.from = m.state;
  me.to = TicketState::kResolved;
  me.reason = fmt::format("all {} children done", children->size());
  ReleaseContact(m, fx);
  StopClock(m.first_response, now);
  StopClock(m.resolution, now);
  m.state = TicketState::kResolved;
  m.updated_at = now;
  fx.also = m;
  fx.also_entry = me;
  return absl::OkStatus();
}

void TicketDesk::State::PauseClocks(Ticket& t, absl::Time now) const {
  const TicketCategory* c = nullptr;
  if (auto it = categories.find(t.category); it != categories.end()) c = &it->second;
  for (SlaClock* clock : {&t.first_response, &t.resolution}) {
    if (!Running(*clock)) continue;
    std::optional<HoursOfOperation> hours = c != nullptr ? c->hours : std::nullopt;
    clock->remaining = BusinessTimeBetween(hours, now, *clock->due);
    clock->paused = true;
    clock->due.reset();
    clock->warn_at.reset();
  }
}

void TicketDesk::State::ResumeClocks(Ticket& t, const TicketCategory& c,
                                     absl::Time now) const {
  const std::pair<SlaClock*, absl::Duration> clocks[] = {
      {&t.first_response, c.first_response}, {&t.resolution, c.resolution}};
  for (const auto& [clock, target] : clocks) {
    if (!clock->paused) continue;
    clock->paused = false;
    clock->due = AddBusinessTime(c.hours, now, clock->remaining);
    if (!clock->warned && c.warn_share < 1) {
      const absl::Duration before_due = target * (1 - c.warn_share);
      clock->warn_at = AddBusinessTime(
          c.hours, now, std::max(absl::ZeroDuration(), clock->remaining - before_due));
    }
    clock->remaining = absl::ZeroDuration();
  }
}

void TicketDesk::State::UpdateNextCheck(Ticket& t) {
  absl::Time next = absl::InfiniteFuture();
  if (IsOpen(t.state)) {
    for (const SlaClock* clock : {&t.first_response, &t.resolution}) {
      if (!Running(*clock)) continue;
      if (!clock->warned && clock->warn_at.has_value())
        next = std::min(next, *clock->warn_at);
      if (!clock->breached) next = std::min(next, *clock->due);
    }
  }
  t.next_check = next;
}

void TicketDesk::State::Emit(const std::vector<TicketEvent>& events) {
  if (events.empty()) return;
  std::vector<TicketEventCallback> callbacks;
  {
    std::lock_guard<std::mutex> lock(mu);
    callbacks = subscribers;
  }
  for (const TicketEvent& e : events) {
    for (const TicketEventCallback& cb : callbacks) cb(e);
  }
}

}  // namespace ccengine::tickets
