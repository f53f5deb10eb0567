// The transitions of the ticket state model (ticket.h) and the SLA sweep:
// each one a change applied by `MutateLocked`, so a transition the state
// does not allow changes nothing.

#include <algorithm>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/commands.h"
#include "ccengine/core/contact.h"
#include "ccengine/text/tokenizer.h"
#include "ccengine/tickets/desk.h"
#include "ccengine/tickets/sla.h"
#include "desk_internal.h"
#include "fmt/format.h"

namespace ccengine::tickets {
namespace {

using S = TicketState;

// Runs one mutation under the desk's lock and emits its events after it.
absl::StatusOr<Ticket> Run(TicketDesk::State& s, TicketId id, const std::string& actor,
                           const std::string& action, const Change& change) {
  std::vector<TicketEvent> out;
  absl::StatusOr<Ticket> result;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    result = s.MutateLocked(id, actor, action, change, out);
  }
  s.Emit(out);
  return result;
}

absl::Status CheckText(const char* what, const std::string& value, bool required) {
  if (required && value.empty()) {
    return absl::InvalidArgumentError(fmt::format("{}: required", what));
  }
  if (value.size() > kMaxTicketFieldBytes) {
    return absl::InvalidArgumentError(
        fmt::format("{}: {} bytes, more than the limit of {}", what, value.size(),
                    kMaxTicketFieldBytes));
  }
  if (absl::Status s = text::ValidateUtf8(value); !s.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: {}", what, std::string(s.message())));
  }
  return absl::OkStatus();
}

constexpr std::initializer_list<S> kOpenStates = {
    S::kNew,     S::kQueued,   S::kAssigned, S::kInProgress,
    S::kPending, S::kResolved, S::kReturned};

}  // namespace

absl::StatusOr<Ticket> TicketDesk::Dispatch(TicketId id, const std::string& actor,
                                            std::optional<std::string> category) {
  State& s = *s_;
  if (absl::Status v = CheckText("actor", actor, true); !v.ok()) return v;
  return Run(s, id, actor, "dispatch", [&](Ticket& t, HistoryEntry& e, Effects& fx) {
    if (!StateIn(t.state, {S::kNew, S::kReturned})) {
      return NotAllowed(t, "dispatch", {S::kNew, S::kReturned});
    }
    absl::StatusOr<const TicketCategory*> c =
        s.CategoryLocked(category.has_value() ? *category : t.category);
    if (!c.ok()) return c.status();
    if (category.has_value() && *category != t.category) {
      e.reason = fmt::format("moved from {} ({}) to {} ({})", t.category, t.department,
                             (*c)->name, (*c)->department);
      t.category = (*c)->name;
      t.department = (*c)->department;
      t.priority = std::max(t.priority, (*c)->priority);
    } else {
      e.reason = fmt::format("dispatched to {}", t.department);
    }
    t.state = S::kQueued;
    t.assignee.clear();
    fx.commands.push_back(s.DispatchCommand(t, **c, std::nullopt));
    return absl::OkStatus();
  });
}

absl::StatusOr<Ticket> TicketDesk::State::SignForLocked(TicketId id,
                                                        const std::string& agent,
                                                        bool from_engine,
                                                        std::vector<TicketEvent>& out) {
  return MutateLocked(
      id, agent, "sign_for",
      [&](Ticket& t, HistoryEntry& e, Effects& fx) {
        if (t.state != S::kQueued) return NotAllowed(t, "sign_for", {S::kQueued});
        // Signed for by hand: the engine's contact is no longer needed.
        if (!from_engine) fx.commands.push_back(cmd::Withdraw{ContactOf(t.id)});
        e.reason = from_engine ? "accepted the offer" : "signed for by hand";
        t.state = S::kAssigned;
        t.assignee = agent;
        StopClock(t.first_response, Now());
        return absl::OkStatus();
      },
      out);
}

absl::StatusOr<Ticket> TicketDesk::SignFor(TicketId id, const std::string& agent) {
  State& s = *s_;
  if (absl::Status v = CheckText("agent", agent, true); !v.ok()) return v;
  std::vector<TicketEvent> out;
  absl::StatusOr<Ticket> result;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    result = s.SignForLocked(id, agent, /*from_engine=*/false, out);
  }
  s.Emit(out);
  return result;
}

absl::StatusOr<Ticket> TicketDesk::Start(TicketId id, const std::string& actor) {
  if (absl::Status v = CheckText("actor", actor, true); !v.ok()) return v;
  return Run(*s_, id, actor, "start", [&](Ticket& t, HistoryEntry&, Effects&) {
    if (t.state != S::kAssigned) return NotAllowed(t, "start", {S::kAssigned});
    t.state = S::kInProgress;
    return absl::OkStatus();
  });
}

absl::StatusOr<Ticket> TicketDesk::Pend(TicketId id, const std::string& actor,
                                        const std::string& reason) {
  State& s = *s_;
  if (absl::Status v = CheckText("actor", actor, true); !v.ok()) return v;
  if (absl::Status v = CheckText("reason", reason, true); !v.ok()) return v;
  return Run(s, id, actor, "pend", [&](Ticket& t, HistoryEntry& e, Effects& fx) {
    if (!StateIn(t.state, {S::kAssigned, S::kInProgress})) {
      return NotAllowed(t, "pend", {S::kAssigned, S::kInProgress});
    }
    s.ReleaseContact(t, fx);
    s.PauseClocks(t, s.Now());
    t.state = S::kPending;
    e.reason = reason;
    return absl::OkStatus();
  });
}

absl::StatusOr<Ticket> TicketDesk::Resume(TicketId id, const std::string& actor) {
  State& s = *s_;
  if (absl::Status v = CheckText("actor", actor, true); !v.ok()) return v;
  return Run(s, id, actor, "resume", [&](Ticket& t, HistoryEntry& e, Effects& fx) {
    if (t.state != S::kPending) return NotAllowed(t, "resume", {S::kPending});
    absl::StatusOr<const TicketCategory*> c = s.CategoryLocked(t.category);
    if (!c.ok()) return c.status();
    s.ResumeClocks(t, **c, s.Now());
    t.state = S::kQueued;
    const std::optional<AgentId> prefer = AssigneeAgent(t.assignee);
    e.reason = prefer.has_value() ? fmt::format("back to agent {} first", t.assignee)
                                  : std::string("back to the queue");
    fx.commands.push_back(s.DispatchCommand(t, **c, prefer));
    return absl::OkStatus();
  });
}

absl::StatusOr<Ticket> TicketDesk::Resolve(TicketId id, const std::string& actor,
                                           const std::string& answer) {
  State& s = *s_;
  if (absl::Status v = CheckText("actor", actor, true); !v.ok()) return v;
  if (absl::Status v = CheckText("answer", answer, true); !v.ok()) return v;
  return Run(s, id, actor, "resolve", [&](Ticket& t, HistoryEntry& e, Effects& fx) {
    if (!StateIn(t.state, {S::kAssigned, S::kInProgress})) {
      return NotAllowed(t, "resolve", {S::kAssigned, S::kInProgress});
    }
    const absl::Time now = s.Now();
    s.ReleaseContact(t, fx);
    State::StopClock(t.first_response, now);
    State::StopClock(t.resolution, now);
    t.state = S::kResolved;
    e.reason = answer;
    // Joint handling: the last child resolved resolves its master.
    return s.ResolveMasterIfDone(t, fx);
  });
}

absl::StatusOr<Ticket> TicketDesk::Close(TicketId id, const std::string& actor,
                                         const std::string& reason) {
  if (absl::Status v = CheckText("actor", actor, true); !v.ok()) return v;
  if (absl::Status v = CheckText("reason", reason, false); !v.ok()) return v;
  return Run(*s_, id, actor, "close", [&](Ticket& t, HistoryEntry& e, Effects&) {
    if (t.state != S::kResolved) return NotAllowed(t, "close", {S::kResolved});
    t.state = S::kClosed;
    e.reason = reason;
    return absl::OkStatus();
  });
}

absl::StatusOr<Ticket> TicketDesk::State::ReturnLocked(TicketId id,
                                                       const std::string& actor,
                                                       const std::string& reason,
                                                       bool from_engine,
                                                       std::vector<TicketEvent>& out) {
  return MutateLocked(
      id, actor, "return",
      [&](Ticket& t, HistoryEntry& e, Effects& fx) {
        if (!StateIn(t.state, {S::kQueued, S::kAssigned, S::kInProgress})) {
          return NotAllowed(t, "return", {S::kQueued, S::kAssigned, S::kInProgress});
        }
        if (!from_engine) ReleaseContact(t, fx);
        t.state = S::kReturned;
        t.assignee.clear();
        e.reason = reason;
        return absl::OkStatus();
      },
      out);
}

absl::StatusOr<Ticket> TicketDesk::Return(TicketId id, const std::string& actor,
                                          const std::string& reason) {
  State& s = *s_;
  if (absl::Status v = CheckText("actor", actor, true); !v.ok()) return v;
  if (absl::Status v = CheckText("reason", reason, true); !v.ok()) return v;
  std::vector<TicketEvent> out;
  absl::StatusOr<Ticket> result;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    result = s.ReturnLocked(id, actor, reason, /*from_engine=*/false, out);
  }
  s.Emit(out);
  return result;
}

absl::StatusOr<Ticket> TicketDesk::Reopen(TicketId id, const std::string& actor,
                                          const std::string& reason) {
  State& s = *s_;
  if (absl::Status v = CheckText("actor", actor, true); !v.ok()) return v;
  if (absl::Status v = CheckText("reason", reason, true); !v.ok()) return v;
  return Run(s, id, actor, "reopen", [&](Ticket& t, HistoryEntry& e, Effects& fx) {
    if (!StateIn(t.state, {S::kResolved, S::kClosed})) {
      return NotAllowed(t, "reopen", {S::kResolved, S::kClosed});
    }
    absl::StatusOr<const TicketCategory*> c = s.CategoryLocked(t.category);
    if (!c.ok()) return c.status();
    s.StartClocks(t, **c, s.Now(), /*first_response=*/false);
    t.state = S::kQueued;
    t.assignee.clear();
    ++t.reopen_count;
    e.reason = reason;
    fx.commands.push_back(s.DispatchCommand(t, **c, std::nullopt));
    return absl::OkStatus();
  });
}

absl::StatusOr<Ticket> TicketDesk::Merge(TicketId id, TicketId master,
                                         const std::string& actor,
                                         const std::string& reason) {
  State& s = *s_;
  if (absl::Status v = CheckText("actor", actor, true); !v.ok()) return v;
  if (absl::Status v = CheckText("reason", reason, false); !v.ok()) return v;
  return Run(s, id, actor, "merge", [&](Ticket& t, HistoryEntry& e, Effects& fx) {
    if (!IsOpen(t.state)) return NotAllowed(t, "merge", kOpenStates);
    if (master == t.id) {
      return absl::InvalidArgumentError(
          fmt::format("ticket {} cannot merge into itself", t.id));
    }
    absl::StatusOr<Ticket> m = s.store->Get(master);
    if (!m.ok()) return m.status();
    if (!IsOpen(m->state)) {
      return absl::FailedPreconditionError(
          fmt::format("ticket {} is {}; only an open ticket can be a master", master,
                      TicketStateName(m->state)));
    }
    s.ReleaseContact(t, fx);
    State::EndClocks(t, s.Now());
    t.state = S::kMerged;
    t.duplicate_of = master;
    e.reason = reason.empty() ? fmt::format("merged into ticket {}", master) : reason;
    return s.ResolveMasterIfDone(t, fx);
  });
}

absl::StatusOr<Ticket> TicketDesk::Cancel(TicketId id, const std::string& actor,
                                          const std::string& reason) {
  State& s = *s_;
  if (absl::Status v = CheckText("actor", actor, true); !v.ok()) return v;
  if (absl::Status v = CheckText("reason", reason, true); !v.ok()) return v;
  return Run(s, id, actor, "cancel", [&](Ticket& t, HistoryEntry& e, Effects& fx) {
    if (!IsOpen(t.state)) return NotAllowed(t, "cancel", kOpenStates);
    s.ReleaseContact(t, fx);
    State::EndClocks(t, s.Now());
    t.state = S::kCancelled;
    e.reason = reason;
    return s.ResolveMasterIfDone(t, fx);
  });
}

absl::StatusOr<Ticket> TicketDesk::RequestExtension(TicketId id, const std::string& actor,
                                                    absl::Duration extra,
                                                    const std::string& reason) {
  State& s = *s_;
  if (absl::Status v = CheckText("actor", actor, true); !v.ok()) return v;
  if (absl::Status v = CheckText("reason", reason, true); !v.ok()) return v;
  if (extra <= absl::ZeroDuration() || extra > absl::Hours(24 * 366)) {
    return absl::InvalidArgumentError(fmt::format(
        "extension: {} is outside (0, 366 days]", absl::FormatDuration(extra)));
  }
  return Run(
      s, id, actor, "request_extension", [&](Ticket& t, HistoryEntry& e, Effects& fx) {
        if (!IsOpen(t.state) || t.state == S::kResolved) {
          return NotAllowed(t, "request_extension",
                            {S::kNew, S::kQueued, S::kAssigned, S::kInProgress,
                             S::kPending, S::kReturned});
        }
        if (!t.resolution.due.has_value() && !t.resolution.paused) {
          return absl::FailedPreconditionError(
              fmt::format("ticket {} has no resolution deadline to extend", t.id));
        }
        if (t.extension_requested.has_value()) {
          return absl::FailedPreconditionError(fmt::format(
              "ticket {} already has an extension of {} waiting for a decision", t.id,
              absl::FormatDuration(*t.extension_requested)));
        }
        t.extension_requested = extra;
        e.reason = fmt::format("{} more: {}", absl::FormatDuration(extra), reason);
        fx.events.push_back(MakeEvent(TicketEventType::kExtensionRequested, t, s.Now(),
                                      actor, absl::FormatDuration(extra)));
        return absl::OkStatus();
      });
}

absl::StatusOr<Ticket> TicketDesk::DecideExtension(TicketId id,
                                                   const std::string& supervisor,
                                                   bool approve,
                                                   const std::string& reason) {
  State& s = *s_;
  if (absl::Status v = CheckText("supervisor", supervisor, true); !v.ok()) return v;
  if (absl::Status v = CheckText("reason", reason, false); !v.ok()) return v;
  return Run(
      s, id, supervisor, approve ? "approve_extension" : "reject_extension",
      [&](Ticket& t, HistoryEntry& e, Effects& fx) {
        if (!t.extension_requested.has_value()) {
          return absl::FailedPreconditionError(
              fmt::format("ticket {} has no extension waiting for a decision", t.id));
        }
        const absl::Duration extra = *t.extension_requested;
        t.extension_requested.reset();
        if (approve && IsOpen(t.state)) {
          std::optional<HoursOfOperation> hours;
          if (auto c = s.categories.find(t.category); c != s.categories.end()) {
            hours = c->second.hours;
          }
          SlaClock& r = t.resolution;
          if (r.paused) {
            r.remaining += extra;
          } else if (r.due.has_value()) {
            r.due = AddBusinessTime(hours, *r.due, extra);
            if (r.warn_at.has_value())
              r.warn_at = AddBusinessTime(hours, *r.warn_at, extra);
          }
        }
        e.reason =
            fmt::format("{} {}{}", approve ? "approved" : "rejected",
                        absl::FormatDuration(extra), reason.empty() ? "" : ": " + reason);
        fx.events.push_back(MakeEvent(TicketEventType::kExtensionDecided, t, s.Now(),
                                      supervisor, approve ? "approved" : "rejected"));
        return absl::OkStatus();
      });
}

absl::StatusOr<Ticket> TicketDesk::Escalate(TicketId id, const std::string& supervisor,
                                            const std::string& reason) {
  State& s = *s_;
  if (absl::Status v = CheckText("supervisor", supervisor, true); !v.ok()) return v;
  if (absl::Status v = CheckText("reason", reason, true); !v.ok()) return v;
  return Run(s, id, supervisor, "escalate", [&](Ticket& t, HistoryEntry& e, Effects& fx) {
    if (!IsOpen(t.state)) return NotAllowed(t, "escalate", kOpenStates);
    ++t.escalation_level;
    ++fx.counters.escalations;
    e.reason = reason;
    fx.events.push_back(
        MakeEvent(TicketEventType::kEscalated, t, s.Now(), supervisor, reason));
    if (t.state == S::kQueued) {
      if (auto c = s.categories.find(t.category);
          c != s.categories.end() && c->second.escalation_queue.has_value()) {
        fx.commands.push_back(cmd::Transfer{
            s.ContactOf(t.id), *c->second.escalation_queue, /*keep_age=*/true});
      }
    }
    return absl::OkStatus();
  });
}

absl::Status TicketDesk::State::SweepLocked(TicketId id, absl::Time now,
                                            std::vector<TicketEvent>& out) {
  absl::StatusOr<Ticket> swept = MutateLocked(
      id, "sla", "sla",
      [&](Ticket& t, HistoryEntry& e, Effects& fx) -> absl::Status {
        const TicketCategory* c = nullptr;
        if (auto it = categories.find(t.category); it != categories.end())
          c = &it->second;
        std::vector<std::string> fired;
        for (SlaClock* clock : {&t.first_response, &t.resolution}) {
          if (!clock->due.has_value() || clock->stopped || clock->paused) continue;
          const std::string name =
              clock == &t.first_response ? "first_response" : "resolution";
          if (!clock->warned && clock->warn_at.has_value() && *clock->warn_at <= now) {
            clock->warned = true;
            ++fx.counters.warnings;
            fired.push_back(name + " warning");
            const int boost = c != nullptr ? c->warn_priority_boost : 0;
            if (boost > 0 && t.priority < kMaxPriority) {
              t.priority = std::min(kMaxPriority, t.priority + boost);
              if (t.state == S::kQueued) {
                fx.commands.push_back(cmd::SetPriority{ContactOf(t.id), t.priority});
              }
            }
            fx.events.push_back(
                MakeEvent(TicketEventType::kSlaWarning, t, now, "sla", name));
          }
          if (!clock->breached && *clock->due <= now) {
            clock->breached = true;
            clock->warned = true;
            ++t.escalation_level;
            ++fx.counters.escalations;
            if (clock == &t.first_response) {
              ++fx.counters.first_response_breaches;
            } else {
              ++fx.counters.resolution_breaches;
            }
            fired.push_back(name + " breach");
            fx.events.push_back(
                MakeEvent(TicketEventType::kSlaBreached, t, now, "sla", name));
            if (t.state == S::kQueued && c != nullptr &&
                c->escalation_queue.has_value()) {
              fx.commands.push_back(cmd::Transfer{ContactOf(t.id), *c->escalation_queue,
                                                  /*keep_age=*/true});
            }
          }
        }
        if (fired.empty()) return absl::CancelledError("nothing due");
        for (const std::string& f : fired) {
          if (!e.reason.empty()) e.reason += "; ";
          e.reason += f;
        }
        e.action = fx.counters.escalations > 0 ? "sla_breach" : "sla_warning";
        return absl::OkStatus();
      },
      out);
  if (swept.status().code() == absl::StatusCode::kCancelled) return absl::OkStatus();
  return swept.status();
}

}  // namespace ccengine::tickets
