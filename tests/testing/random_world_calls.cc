// -----------------------------------------------------------------------------
// File: tests/testing/random_world_calls.cc
// -----------------------------------------------------------------------------
//
// `RandomWorld` (see random_world.h): one call to the engine. The model
// predicts its status, applies the presence changes a successful call makes,
// runs it directly or through Submit + Poll, and checks the status; a
// refused call must change nothing and emit no event (through the intake:
// exactly one kCommandFailed carrying the same status).

#include "testing/random_world.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "fmt/format.h"
#include "testing/random_model.h"

namespace ccengine::test {

Code RandomWorld::PredictSkills(const std::vector<SkillLevel>& skills) const {
  for (size_t i = 0; i < skills.size(); ++i) {
    if (skills[i].skill.value() >= kSkills) return Code::kNotFound;
    if (skills[i].level < kMinProficiency || skills[i].level > kMaxProficiency) {
      return Code::kInvalidArgument;
    }
    for (size_t j = 0; j < i; ++j) {
      if (skills[j].skill == skills[i].skill) return Code::kInvalidArgument;
    }
  }
  return Code::kOk;
}

const MAgent* RandomWorld::FindAgent(AgentId id) const {
  auto it = agents_.find(id.value());
  return it == agents_.end() ? nullptr : &it->second;
}

const MContact* RandomWorld::FindContact(ContactId id) const {
  auto it = contacts_.find(id.value());
  return it == contacts_.end() ? nullptr : &it->second;
}

size_t RandomWorld::WaitingIn(uint32_t queue) const {
  size_t n = 0;
  for (uint64_t w : waiting_.ids()) n += contacts_.at(w).queue == queue;
  return n;
}

Code RandomWorld::Predict(const Command& command) const {
  return std::visit(
      [this](const auto& c) -> Code {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, cmd::AddAgent>) {
          if (FindAgent(c.config.id)) return Code::kAlreadyExists;
          if (Code s = PredictSkills(c.config.skills); s != Code::kOk) return s;
          const Capacity& cap = c.config.capacity;
          if (cap.load_budget == 0) return Code::kInvalidArgument;
          for (int ch = 0; ch < kChannelCount; ++ch) {
            if (cap.max_per_channel[ch] > 0 &&
                cap.load_per_contact[ch] > cap.load_budget) {
              return Code::kInvalidArgument;
            }
          }
          if (!(c.config.weight > 0)) return Code::kInvalidArgument;
          return Code::kOk;
        } else if constexpr (std::is_same_v<T, cmd::RemoveAgent>) {
          const MAgent* a = FindAgent(c.agent);
          if (!a) return Code::kNotFound;
          return a->logged_in ? Code::kFailedPrecondition : Code::kOk;
        } else if constexpr (std::is_same_v<T, cmd::Login>) {
          const MAgent* a = FindAgent(c.agent);
          if (!a) return Code::kNotFound;
          return a->logged_in ? Code::kFailedPrecondition : Code::kOk;
        } else if constexpr (std::is_same_v<T, cmd::Logout>) {
          const MAgent* a = FindAgent(c.agent);
          if (!a) return Code::kNotFound;
          if (!a->logged_in || !a->in_service.empty()) {
            return Code::kFailedPrecondition;
          }
          return Code::kOk;
        } else if constexpr (std::is_same_v<T, cmd::SetReady> ||
                             std::is_same_v<T, cmd::SetNotReady>) {
          const MAgent* a = FindAgent(c.agent);
          if (!a) return Code::kNotFound;
          return a->logged_in ? Code::kOk : Code::kFailedPrecondition;
        } else if constexpr (std::is_same_v<T, cmd::EndWrapUp>) {
          const MAgent* a = FindAgent(c.agent);
          if (!a) return Code::kNotFound;
          bool wrap = a->wrap_until && *a->wrap_until > engine_->Now();
          return a->logged_in && wrap ? Code::kOk : Code::kFailedPrecondition;
        } else if constexpr (std::is_same_v<T, cmd::AddContact>) {
          const ContactSpec& s = c.spec;
          if (FindContact(s.id)) return Code::kAlreadyExists;
          if (s.queue.value() >= queues_.size()) return Code::kNotFound;
          if (static_cast<int>(s.channel) >= kChannelCount) {
            return Code::kInvalidArgument;
          }
          if (s.priority < kMinPriority || s.priority > kMaxPriority) {
            return Code::kInvalidArgument;
          }
          if (Code k = PredictSkills(s.skills); k != Code::kOk) return k;
          if (s.arrived_at && *s.arrived_at > engine_->Now()) {
            return Code::kInvalidArgument;
          }
          return Code::kOk;
        } else if constexpr (std::is_same_v<T, cmd::AcceptOffer> ||
                             std::is_same_v<T, cmd::RejectOffer>) {
          const MAgent* a = FindAgent(c.agent);
          if (!a) return Code::kNotFound;
          if (!a->logged_in) return Code::kFailedPrecondition;
          const MContact* k = FindContact(c.contact);
          if (!k) return Code::kNotFound;
          if (k->state != MState::kOffered || *k->agent != c.agent) {
            return Code::kFailedPrecondition;
          }
          return Code::kOk;
        } else if constexpr (std::is_same_v<T, cmd::CompleteContact>) {
          if (!FindAgent(c.agent)) return Code::kNotFound;
          const MContact* k = FindContact(c.contact);
          if (!k) return Code::kNotFound;
          if (k->state != MState::kInService || *k->agent != c.agent) {
            return Code::kFailedPrecondition;
          }
          return Code::kOk;
        } else if constexpr (std::is_same_v<T, cmd::Abandon>) {
          return FindContact(c.contact) ? Code::kOk : Code::kNotFound;
        } else if constexpr (std::is_same_v<T, cmd::RequestCallback>) {
          // Not among this harness's actions (its model has no callbacks);
          // tests/core/journey_random_test.cc covers them.
          const MContact* k = FindContact(c.contact);
          if (!k) return Code::kNotFound;
          return k->state == MState::kWaiting &&
                         (k->channel == Channel::kVoice || k->channel == Channel::kVideo)
                     ? Code::kOk
                     : Code::kFailedPrecondition;
        } else if constexpr (std::is_same_v<T, cmd::Transfer>) {
          const MContact* k = FindContact(c.contact);
          if (!k) return Code::kNotFound;
          if (c.to.value() >= queues_.size()) return Code::kNotFound;
          if (k->state == MState::kWaiting && k->queue == c.to.value()) {
            return Code::kInvalidArgument;
          }
          const QueueConfig& q = queues_[c.to.value()];
          if (q.max_size > 0 && WaitingIn(c.to.value()) >= q.max_size) {
            return Code::kFailedPrecondition;
          }
          return Code::kOk;
        } else if constexpr (std::is_same_v<T, cmd::Withdraw>) {
          const MContact* k = FindContact(c.contact);
          if (!k) return Code::kNotFound;
          return k->state == MState::kInService ? Code::kFailedPrecondition : Code::kOk;
        } else if constexpr (std::is_same_v<T, cmd::SetPriority>) {
          const MContact* k = FindContact(c.contact);
          if (!k) return Code::kNotFound;
          if (c.priority < kMinPriority || c.priority > kMaxPriority) {
            return Code::kInvalidArgument;
          }
          return k->state == MState::kInService ? Code::kFailedPrecondition : Code::kOk;
        } else if constexpr (std::is_same_v<T, cmd::EraseCustomer>) {
          // Not among this harness's actions (its model keeps no history);
          // tests/core/preferred_agent_test.cc and the journal's random days
          // cover it.
          if (c.customer_id.empty()) return Code::kInvalidArgument;
          for (const auto& [id, k] : contacts_) {
            if (k.customer_id == c.customer_id) return Code::kFailedPrecondition;
          }
          return Code::kOk;
        } else {  // ForceAgentState
          const MAgent* a = FindAgent(c.agent);
          if (!a) return Code::kNotFound;
          switch (c.state) {
            case AgentState::kLoggedOut:
            case AgentState::kAvailable: return Code::kOk;
            case AgentState::kNotReady:
              return a->logged_in ? Code::kOk : Code::kFailedPrecondition;
            default: return Code::kInvalidArgument;
          }
        }
      },
      command);
}

// The presence changes a successful call makes, applied before the call so
// that the events it emits (offers to the agent…) see them.
void RandomWorld::PreUpdate(const Command& command) {
  std::visit(
      [this](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        auto login = [](MAgent& a, bool ready, int32_t reason) {
          a.logged_in = true;
          a.ready = ready;
          a.reason = ready ? kReasonNone : reason;
          a.no_answers = 0;
          a.handled = 0;
        };
        auto logout = [](MAgent& a) {
          a.logged_in = false;
          a.ready = false;
          a.wrap_until.reset();
        };
        auto set_ready = [](MAgent& a) {
          a.ready = true;
          a.reason = kReasonNone;
          a.no_answers = 0;
        };
        if constexpr (std::is_same_v<T, cmd::AddAgent>) {
          MAgent m;
          m.config = c.config;
          m.config.skills = Sorted(c.config.skills);
          m.reported_since = engine_->Now();
          agents_[c.config.id.value()] = std::move(m);
        } else if constexpr (std::is_same_v<T, cmd::RemoveAgent>) {
          agents_.erase(c.agent.value());
        } else if constexpr (std::is_same_v<T, cmd::Login>) {
          login(agents_.at(c.agent.value()), c.ready, c.reason);
        } else if constexpr (std::is_same_v<T, cmd::Logout>) {
          logout(agents_.at(c.agent.value()));
        } else if constexpr (std::is_same_v<T, cmd::SetReady>) {
          set_ready(agents_.at(c.agent.value()));
        } else if constexpr (std::is_same_v<T, cmd::SetNotReady>) {
          MAgent& a = agents_.at(c.agent.value());
          a.ready = false;
          a.reason = c.reason;
        } else if constexpr (std::is_same_v<T, cmd::EndWrapUp>) {
          agents_.at(c.agent.value()).wrap_until.reset();
        } else if constexpr (std::is_same_v<T, cmd::AddContact>) {
          pending_add_ = c.spec;
        } else if constexpr (std::is_same_v<T, cmd::Transfer>) {
          pending_keep_age_ = c.keep_age;
        } else if constexpr (std::is_same_v<T, cmd::ForceAgentState>) {
          MAgent& a = agents_.at(c.agent.value());
          if (c.state == AgentState::kLoggedOut) {
            if (a.logged_in) logout(a);
          } else if (c.state == AgentState::kNotReady) {
            a.ready = false;
            a.reason = c.reason;
          } else if (!a.logged_in) {
            login(a, true, kReasonNone);
          } else {
            a.wrap_until.reset();
            set_ready(a);
          }
        }
      },
      command);
}

// The agent whose freeing up is what this call's offers to it come from
// (the agent-side decision), if the model can tell.
std::optional<AgentId> RandomWorld::FreedAgent(const Command& command) const {
  return std::visit(
      [this](const auto& c) -> std::optional<AgentId> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, cmd::AcceptOffer> ||
                      std::is_same_v<T, cmd::RejectOffer> ||
                      std::is_same_v<T, cmd::CompleteContact> ||
                      std::is_same_v<T, cmd::Login> || std::is_same_v<T, cmd::SetReady> ||
                      std::is_same_v<T, cmd::EndWrapUp>) {
          return c.agent;
        } else if constexpr (std::is_same_v<T, cmd::ForceAgentState>) {
          if (c.state == AgentState::kAvailable) return c.agent;
        } else if constexpr (std::is_same_v<T, cmd::Abandon> ||
                             std::is_same_v<T, cmd::Withdraw>) {
          if (const MContact* k = FindContact(c.contact)) return k->agent;
        }
        return std::nullopt;
      },
      command);
}

absl::Status RandomWorld::Direct(const Command& command) {
  return std::visit(
      [this](const auto& c) -> absl::Status {
        using T = std::decay_t<decltype(c)>;
        Engine& e = *engine_;
        if constexpr (std::is_same_v<T, cmd::AddAgent>) return e.AddAgent(c.config);
        else if constexpr (std::is_same_v<T, cmd::RemoveAgent>)
          return e.RemoveAgent(c.agent);
        else if constexpr (std::is_same_v<T, cmd::Login>)
          return e.Login(c.agent, c.ready, c.reason);
        else if constexpr (std::is_same_v<T, cmd::Logout>)
          return e.Logout(c.agent);
        else if constexpr (std::is_same_v<T, cmd::SetReady>)
          return e.SetReady(c.agent);
        else if constexpr (std::is_same_v<T, cmd::SetNotReady>)
          return e.SetNotReady(c.agent, c.reason);
        else if constexpr (std::is_same_v<T, cmd::AddContact>)
          return e.AddContact(c.spec);
        else if constexpr (std::is_same_v<T, cmd::AcceptOffer>)
          return e.AcceptOffer(c.agent, c.contact);
        else if constexpr (std::is_same_v<T, cmd::RejectOffer>)
          return e.RejectOffer(c.agent, c.contact);
        else if constexpr (std::is_same_v<T, cmd::CompleteContact>)
          return e.CompleteContact(c.agent, c.contact);
        else if constexpr (std::is_same_v<T, cmd::EndWrapUp>)
          return e.EndWrapUp(c.agent);
        else if constexpr (std::is_same_v<T, cmd::Abandon>)
          return e.Abandon(c.contact);
        else if constexpr (std::is_same_v<T, cmd::RequestCallback>)
          return e.RequestCallback(c.contact);
        else if constexpr (std::is_same_v<T, cmd::Transfer>)
          return e.Transfer(c.contact, c.to, c.keep_age);
        else if constexpr (std::is_same_v<T, cmd::Withdraw>)
          return e.Withdraw(c.contact);
        else if constexpr (std::is_same_v<T, cmd::SetPriority>)
          return e.SetPriority(c.contact, c.priority);
        else if constexpr (std::is_same_v<T, cmd::ForceAgentState>)
          return e.ForceAgentState(c.agent, c.state, c.reason);
        else
          return e.EraseCustomer(c.customer_id);
      },
      command);
}

Observed RandomWorld::Capture() const {
  Observed w;
  w.accounting = engine_->GetAccounting();
  w.now = engine_->Now();
  w.next_timer = engine_->NextTimerAt();
  for (uint64_t id = kFirstAgent; id < kFirstAgent + kAgents; ++id) {
    w.agents.emplace_back(id, engine_->GetAgent(AgentId(id)));
  }
  for (const auto& [id, c] : contacts_) {
    w.contacts.emplace_back(id, engine_->GetContact(ContactId(id)));
  }
  for (uint32_t q = 0; q < queues_.size(); ++q) {
    w.stats.push_back(*engine_->GetQueueStats(QueueId(q)));
    w.configs.push_back(*engine_->GetQueueConfig(QueueId(q)));
  }
  return w;
}

void RandomWorld::ExpectUnchanged(const Observed& a, const Observed& b,
                                  const std::string& what) {
  std::string diff = DiffAccounting(a.accounting, b.accounting);
  if (!diff.empty()) Fail(what + " changed the " + diff);
  if (a.now != b.now || a.next_timer != b.next_timer) {
    Fail(what + " changed the engine's time or timers");
  }
  for (size_t i = 0; i < a.agents.size(); ++i) {
    if (!Same(a.agents[i].second, b.agents[i].second)) {
      Fail(fmt::format("{} changed agent: [{}] -> [{}]", what,
                       AgentText(a.agents[i].second), AgentText(b.agents[i].second)));
    }
  }
  if (a.contacts.size() != b.contacts.size()) {
    Fail(what + " changed the set of contacts");
  } else {
    for (size_t i = 0; i < a.contacts.size(); ++i) {
      if (!Same(a.contacts[i].second, b.contacts[i].second)) {
        Fail(fmt::format("{} changed contact: [{}] -> [{}]", what,
                         ContactText(a.contacts[i].second),
                         ContactText(b.contacts[i].second)));
      }
    }
  }
  for (size_t q = 0; q < a.stats.size(); ++q) {
    if (!Same(a.stats[q], b.stats[q])) {
      Fail(fmt::format("{} changed queue stats: [{}] -> [{}]", what,
                       StatsText(a.stats[q]), StatsText(b.stats[q])));
    }
    if (!Same(a.configs[q], b.configs[q])) {
      Fail(fmt::format("{} changed a queue config: [{}] -> [{}]", what,
                       ConfigText(a.configs[q]), ConfigText(b.configs[q])));
    }
  }
}

// Runs one command, directly or (`via_intake`) through Submit + Poll, and
// checks its status against the model's prediction.
void RandomWorld::Apply(const Command& command, bool via_intake) {
  if (via_intake) FlushOverdueTimers();
  auto what = [&] { return Describe(command) + (via_intake ? " [intake]" : ""); };
  Log({command, via_intake});
  const Code expected = Predict(command);
  std::optional<Observed> before;
  if (expected == Code::kOk) {
    PreUpdate(command);
  } else {
    before = Capture();
  }
  call_events_ = 0;
  command_failures_.clear();
  agent_side_ = FreedAgent(command);
  contact_side_.reset();
  absl::Status status;
  if (via_intake) {
    ++calls_via_intake_;
    absl::Status submitted = engine_->Submit(command);
    if (!submitted.ok()) Fail("Submit on an empty intake: " + submitted.ToString());
    absl::StatusOr<size_t> applied = engine_->Poll(engine_->Now());
    if (!applied.ok() || *applied != 1) {
      Fail(fmt::format("Poll applied {} commands, want 1",
                       applied.ok() ? static_cast<int64_t>(*applied) : -1));
    }
    if (command_failures_.size() > 1) Fail("one command, several kCommandFailed");
    if (!command_failures_.empty()) status = command_failures_.front();
  } else {
    status = Direct(command);
  }
  if (status.code() != expected) {
    Fail(fmt::format("{} returned {}, the model expects {}", what(), status.ToString(),
                     absl::StatusCodeToString(expected)));
  }
  if (status.ok()) {
    ++calls_ok_;
  } else {
    ++calls_refused_;
    if (status.message().empty()) Fail(what() + ": an error without a message");
  }
  if (expected != Code::kOk) {
    if (call_events_ != (via_intake ? 1 : 0)) {
      Fail(fmt::format("{} was refused yet emitted {} event(s)", what(), call_events_));
    }
    ExpectUnchanged(*before, Capture(), what());
  }
  if (std::holds_alternative<cmd::AddContact>(command) && pending_add_ &&
      expected == Code::kOk) {
    Fail(what() + " succeeded without kContactQueued");
  }
  pending_add_.reset();
  pending_keep_age_.reset();
  agent_side_.reset();
  last_rescind_ = {0, 0};
}

// A contact put back in line after its max wait passed (or a queue update
// that shortened it) leaves a timer that is already due; `Poll` fires it
// before applying a command. Fire it first so that the model's prediction
// for the command holds.
void RandomWorld::FlushOverdueTimers() {
  std::optional<absl::Time> next = engine_->NextTimerAt();
  if (next && *next <= engine_->Now()) {
    Log({std::string("AdvanceTo(now) to fire overdue timers")});
    absl::Status st = engine_->AdvanceTo(engine_->Now());
    if (!st.ok()) Fail("AdvanceTo(now): " + st.ToString());
  }
}

}  // namespace ccengine::test
