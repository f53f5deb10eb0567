// -----------------------------------------------------------------------------
// File: tests/testing/random_model.cc
// -----------------------------------------------------------------------------
//
// The randomized test's formatting and comparison helpers (see
// random_model.h).

#include "testing/random_model.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "fmt/format.h"

namespace ccengine::test {

const char* MStateName(MState s) {
  switch (s) {
    case MState::kWaiting: return "waiting";
    case MState::kOffered: return "offered";
    case MState::kInService: return "in_service";
    case MState::kTransit: return "transit";
  }
  return "?";
}

std::vector<SkillLevel> Sorted(std::vector<SkillLevel> v) {
  std::sort(v.begin(), v.end(),
            [](const auto& a, const auto& b) { return a.skill < b.skill; });
  return v;
}

std::string SkillsText(const std::vector<SkillLevel>& v) {
  std::string s = "{";
  for (const SkillLevel& l : v) {
    s += fmt::format("{}s{}>={}", s.size() > 1 ? "," : "", l.skill.value(), int{l.level});
  }
  return s + "}";
}

std::string Describe(const Command& command) {
  return std::visit(
      [](const auto& c) -> std::string {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, cmd::AddAgent>) {
          return fmt::format("AddAgent({} skills={})", c.config.id.value(),
                             SkillsText(c.config.skills));
        } else if constexpr (std::is_same_v<T, cmd::RemoveAgent>) {
          return fmt::format("RemoveAgent({})", c.agent.value());
        } else if constexpr (std::is_same_v<T, cmd::Login>) {
          return fmt::format("Login({}, ready={}, reason={})", c.agent.value(), c.ready,
                             c.reason);
        } else if constexpr (std::is_same_v<T, cmd::Logout>) {
          return fmt::format("Logout({})", c.agent.value());
        } else if constexpr (std::is_same_v<T, cmd::SetReady>) {
          return fmt::format("SetReady({})", c.agent.value());
        } else if constexpr (std::is_same_v<T, cmd::SetNotReady>) {
          return fmt::format("SetNotReady({}, {})", c.agent.value(), c.reason);
        } else if constexpr (std::is_same_v<T, cmd::AddContact>) {
          const ContactSpec& s = c.spec;
          return fmt::format(
              "AddContact(id={} queue={} channel={} priority={} skills={}{})",
              s.id.value(), s.queue.value(), static_cast<int>(s.channel), s.priority,
              SkillsText(s.skills),
              s.arrived_at ? " arrived_at=" + absl::FormatTime(*s.arrived_at)
                           : std::string());
        } else if constexpr (std::is_same_v<T, cmd::AcceptOffer>) {
          return fmt::format("AcceptOffer({}, {})", c.agent.value(), c.contact.value());
        } else if constexpr (std::is_same_v<T, cmd::RejectOffer>) {
          return fmt::format("RejectOffer({}, {})", c.agent.value(), c.contact.value());
        } else if constexpr (std::is_same_v<T, cmd::CompleteContact>) {
          return fmt::format("CompleteContact({}, {})", c.agent.value(),
                             c.contact.value());
        } else if constexpr (std::is_same_v<T, cmd::EndWrapUp>) {
          return fmt::format("EndWrapUp({})", c.agent.value());
        } else if constexpr (std::is_same_v<T, cmd::Abandon>) {
          return fmt::format("Abandon({})", c.contact.value());
        } else if constexpr (std::is_same_v<T, cmd::RequestCallback>) {
          return fmt::format("RequestCallback({})", c.contact.value());
        } else if constexpr (std::is_same_v<T, cmd::Transfer>) {
          return fmt::format("Transfer({}, to={}, keep_age={})", c.contact.value(),
                             c.to.value(), c.keep_age);
        } else if constexpr (std::is_same_v<T, cmd::Withdraw>) {
          return fmt::format("Withdraw({})", c.contact.value());
        } else if constexpr (std::is_same_v<T, cmd::SetPriority>) {
          return fmt::format("SetPriority({}, {})", c.contact.value(), c.priority);
        } else if constexpr (std::is_same_v<T, cmd::ForceAgentState>) {
          return fmt::format("ForceAgentState({}, {}, {})", c.agent.value(),
                             AgentStateName(c.state), c.reason);
        } else {
          return fmt::format("EraseCustomer({})", c.customer_id);
        }
      },
      command);
}

std::string DiffAccounting(const Accounting& a, const Accounting& b) {
  auto text = [](const Accounting& x) {
    return fmt::format(
        "entered={} waiting={} offered={} in_service={} completed={} "
        "abandoned={} overflowed={} withdrawn={}",
        x.entered, x.waiting, x.offered, x.in_service, x.completed, x.abandoned,
        x.overflowed, x.withdrawn);
  };
  std::string ta = text(a), tb = text(b);
  return ta == tb ? std::string() : fmt::format("accounting {} -> {}", ta, tb);
}

std::string AgentText(const absl::StatusOr<AgentSnapshot>& s) {
  if (!s.ok()) return s.status().ToString();
  std::string contacts;
  for (ContactId c : s->contacts) contacts += fmt::format("{},", c.value());
  std::string active;
  for (uint8_t n : s->active_per_channel) active += fmt::format("{},", int{n});
  return fmt::format(
      "agent {} '{}' state={} reason={} skills={} active={} load={} "
      "contacts={} handled={} no_answers={} idle_since={}",
      s->id.value(), s->name, AgentStateName(s->state), s->reason, SkillsText(s->skills),
      active, s->load, contacts, s->handled, s->consecutive_no_answers,
      absl::FormatTime(s->idle_since));
}

std::string ContactText(const absl::StatusOr<ContactSnapshot>& s) {
  if (!s.ok()) return s.status().ToString();
  std::string excluded;
  for (AgentId a : s->excluded) excluded += fmt::format("{},", a.value());
  std::string attributes;
  for (const auto& [k, v] : s->attributes) attributes += k + "=" + v + ",";
  return fmt::format(
      "contact {} queue={} channel={} priority={} state={} customer={} "
      "skills={} attributes={} arrived={} queued={} step={} agent={} "
      "excluded={}",
      s->id.value(), s->queue.value(), ChannelName(s->channel), s->priority,
      ContactStateName(s->state), s->customer_id, SkillsText(s->skills), attributes,
      absl::FormatTime(s->arrived_at), absl::FormatTime(s->queued_at), s->routing_step,
      s->agent ? static_cast<int64_t>(s->agent->value()) : -1, excluded);
}

std::string StatsText(const QueueStats& s) {
  return fmt::format(
      "queue {} waiting={} longest={} entered={} answered={} within_sl={} "
      "abandoned={} overflowed={} transferred_out={} completed={} "
      "answer_wait={} handle={}",
      s.queue.value(), s.waiting, absl::FormatDuration(s.longest_wait), s.entered,
      s.answered, s.answered_within_sl, s.abandoned, s.overflowed, s.transferred_out,
      s.completed, absl::FormatDuration(s.total_answer_wait),
      absl::FormatDuration(s.total_handle));
}

std::string ConfigText(const QueueConfig& c) {
  std::string relax;
  for (const RoutingStep& s : c.relaxation) {
    relax += fmt::format("[{} {}]", absl::FormatDuration(s.after), SkillsText(s.skills));
  }
  return fmt::format(
      "'{}' skills={} relax={} priority={} aging={} sl={}/{} max_size={} "
      "max_wait={} overflow={} wrap={} offer_timeout={} strategy={} aht={}",
      c.name, SkillsText(c.skills), relax, c.priority, c.aging_weight,
      absl::FormatDuration(c.sl_threshold), c.sl_target, c.max_size,
      absl::FormatDuration(c.max_wait),
      c.overflow_queue ? static_cast<int64_t>(c.overflow_queue->value()) : -1,
      absl::FormatDuration(c.wrap_up), absl::FormatDuration(c.offer_timeout), c.strategy,
      absl::FormatDuration(c.expected_handle_time));
}

bool Same(const AgentSnapshot& a, const AgentSnapshot& b) {
  return a.id == b.id && a.name == b.name && a.state == b.state && a.reason == b.reason &&
         a.skills == b.skills && a.active_per_channel == b.active_per_channel &&
         a.load == b.load && a.contacts == b.contacts && a.handled == b.handled &&
         a.consecutive_no_answers == b.consecutive_no_answers &&
         a.idle_since == b.idle_since;
}

bool Same(const ContactSnapshot& a, const ContactSnapshot& b) {
  return a.id == b.id && a.queue == b.queue && a.channel == b.channel &&
         a.priority == b.priority && a.state == b.state &&
         a.customer_id == b.customer_id && a.skills == b.skills &&
         a.attributes == b.attributes && a.arrived_at == b.arrived_at &&
         a.queued_at == b.queued_at && a.routing_step == b.routing_step &&
         a.agent == b.agent && a.excluded == b.excluded;
}

bool Same(const QueueStats& a, const QueueStats& b) {
  return a.queue == b.queue && a.waiting == b.waiting &&
         a.longest_wait == b.longest_wait && a.entered == b.entered &&
         a.answered == b.answered && a.answered_within_sl == b.answered_within_sl &&
         a.abandoned == b.abandoned && a.overflowed == b.overflowed &&
         a.transferred_out == b.transferred_out && a.completed == b.completed &&
         a.total_answer_wait == b.total_answer_wait && a.total_handle == b.total_handle;
}

bool Same(const QueueConfig& a, const QueueConfig& b) {
  if (a.relaxation.size() != b.relaxation.size()) return false;
  for (size_t i = 0; i < a.relaxation.size(); ++i) {
    if (a.relaxation[i].after != b.relaxation[i].after ||
        a.relaxation[i].skills != b.relaxation[i].skills) {
      return false;
    }
  }
  return a.name == b.name && a.skills == b.skills && a.priority == b.priority &&
         a.aging_weight == b.aging_weight && a.sl_threshold == b.sl_threshold &&
         a.sl_target == b.sl_target && a.max_size == b.max_size &&
         a.max_wait == b.max_wait && a.overflow_queue == b.overflow_queue &&
         a.wrap_up == b.wrap_up && a.offer_timeout == b.offer_timeout &&
         a.strategy == b.strategy && a.expected_handle_time == b.expected_handle_time;
}

}  // namespace ccengine::test
