// -----------------------------------------------------------------------------
// File: bindings/python/engine_dicts.cc
// -----------------------------------------------------------------------------
//
// Engine values -> Python dicts; see engine_binding.h.

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "ccengine/compliance/pii.h"
#include "ccengine/core/calendar.h"
#include "engine_binding.h"
#include "fmt/format.h"

namespace ccengine::python {

namespace {

py::list WindowsToList(const std::vector<TimeWindow>& windows) {
  py::list out;
  for (const TimeWindow& w : windows) {
    py::list pair;
    pair.append(FormatTimeOfDay(w.open_s));
    pair.append(FormatTimeOfDay(w.close_s));
    out.append(pair);
  }
  return out;
}

py::dict HoursToDict(const HoursOfOperation& h) {
  py::dict d;
  d["utc_offset_s"] = h.utc_offset_s;
  py::dict weekly;
  for (int day = 0; day < 7; ++day) {
    weekly[py::str(std::string(WeekdayName(day)))] = WindowsToList(h.weekly[day]);
  }
  d["weekly"] = weekly;
  py::list holidays;
  for (const absl::CivilDay& day : h.holidays) holidays.append(FormatDate(day));
  d["holidays"] = holidays;
  py::dict special;
  for (const SpecialHours& s : h.special) {
    special[py::str(FormatDate(s.date))] = WindowsToList(s.windows);
  }
  d["special"] = special;
  return d;
}

}  // namespace

// --- engine -> Python ------------------------------------------------------------

py::dict SkillsToDict(const PyEngine& e, const std::vector<SkillLevel>& skills) {
  py::dict d;
  for (const SkillLevel& s : skills) {
    d[py::str(std::string(e.engine().SkillName(s.skill)))] = int{s.level};
  }
  return d;
}

py::dict QueueConfigToDict(const PyEngine& e, const QueueConfig& c) {
  py::dict d;
  d["name"] = c.name;
  d["skills"] = SkillsToDict(e, c.skills);
  py::list steps;
  for (const RoutingStep& s : c.relaxation) {
    py::dict step;
    step["after_s"] = Seconds(s.after);
    step["skills"] = SkillsToDict(e, s.skills);
    steps.append(step);
  }
  d["relaxation"] = steps;
  d["priority"] = c.priority;
  d["aging_weight"] = c.aging_weight;
  d["sl_seconds"] = Seconds(c.sl_threshold);
  d["sl_target"] = c.sl_target;
  d["sl_definition"] = std::string(ServiceLevelDefinitionName(c.sl_definition));
  d["short_abandon_s"] = Seconds(c.short_abandon);
  d["max_size"] = c.max_size;
  d["max_wait_s"] = Seconds(c.max_wait);
  d["overflow_to"] = c.overflow_queue.has_value()
                         ? py::object(py::str(e.QueueName(*c.overflow_queue)))
                         : py::object(py::none());
  d["hours"] =
      c.hours.has_value() ? py::object(HoursToDict(*c.hours)) : py::object(py::none());
  d["move_waiting_at_close"] = c.move_waiting_at_close;
  d["wrap_up_s"] = Seconds(c.wrap_up);
  d["offer_timeout_s"] = Seconds(c.offer_timeout);
  d["strategy"] = c.strategy;
  py::dict guards;
  guards["occupancy_cap"] = c.guards.occupancy_cap;
  guards["max_occupancy_spread"] = c.guards.max_occupancy_spread;
  guards["exploration"] = c.guards.exploration;
  d["guards"] = guards;
  d["expected_handle_time_s"] = Seconds(c.expected_handle_time);
  return d;
}

py::dict AgentToDict(const PyEngine& e, const AgentSnapshot& a) {
  py::dict d;
  d["id"] = a.id.value();
  d["name"] = a.name;
  d["state"] = std::string(AgentStateName(a.state));
  d["reason"] = a.reason;
  d["skills"] = SkillsToDict(e, a.skills);
  py::dict active;
  for (Channel c : kAllChannels) {
    active[py::str(std::string(ChannelName(c)))] =
        int{a.active_per_channel[static_cast<int>(c)]};
  }
  d["active_per_channel"] = active;
  d["load"] = a.load;
  py::list contacts;
  for (ContactId c : a.contacts) contacts.append(c.value());
  d["contacts"] = contacts;
  d["handled"] = a.handled;
  d["consecutive_no_answers"] = a.consecutive_no_answers;
  d["idle_since_s"] = SecondsSinceEpoch(a.idle_since);
  d["auto_accept"] = a.auto_accept;
  py::dict times;
  for (int i = 0; i < kAgentStateCount; ++i) {
    times[py::str(std::string(AgentStateName(static_cast<AgentState>(i))))] =
        absl::ToDoubleSeconds(a.time_in_state[i]);
  }
  d["time_in_state_s"] = times;
  return d;
}

py::dict ContactToDict(const PyEngine& e, const ContactSnapshot& c,
                       const compliance::Masker* mask) {
  py::dict d;
  d["id"] = c.id.value();
  d["queue"] = e.QueueName(c.queue);
  d["channel"] = std::string(ChannelName(c.channel));
  d["priority"] = c.priority;
  d["state"] = std::string(ContactStateName(c.state));
  d["customer_id"] =
      mask != nullptr ? mask->Mask("customer_id", c.customer_id) : c.customer_id;
  d["skills"] = SkillsToDict(e, c.skills);
  py::dict attributes;
  for (const auto& [k, v] : c.attributes) {
    attributes[py::str(k)] = mask != nullptr ? mask->Mask(k, v) : v;
  }
  d["attributes"] = attributes;
  d["arrived_at_s"] = SecondsSinceEpoch(c.arrived_at);
  d["queued_at_s"] = SecondsSinceEpoch(c.queued_at);
  d["routing_step"] = c.routing_step;
  d["agent"] = c.agent.has_value() ? py::object(py::int_(c.agent->value()))
                                   : py::object(py::none());
  py::list excluded;
  for (AgentId a : c.excluded) excluded.append(a.value());
  d["excluded"] = excluded;
  py::list preferred;
  for (AgentId a : c.preferred_agents) preferred.append(a.value());
  d["preferred_agents"] = preferred;
  d["preferred_until_s"] =
      c.preferred_until ? py::object(py::float_(SecondsSinceEpoch(*c.preferred_until)))
                        : py::object(py::none());
  d["callback_requested_at_s"] =
      c.callback_requested_at
          ? py::object(py::float_(SecondsSinceEpoch(*c.callback_requested_at)))
          : py::object(py::none());
  d["original_channel"] = std::string(ChannelName(c.original_channel));
  d["fallbacks_left"] = c.fallbacks_left;
  d["next_fallback_at_s"] =
      c.next_fallback_at ? py::object(py::float_(SecondsSinceEpoch(*c.next_fallback_at)))
                         : py::object(py::none());
  return d;
}

py::dict CustomerContactToDict(const PyEngine& e, const CustomerContact& c) {
  py::dict d;
  d["contact"] = c.contact.value();
  d["agent"] = c.agent.value();
  d["channel"] = std::string(ChannelName(c.channel));
  d["queue"] = e.QueueName(c.queue);
  d["ended_at_s"] = SecondsSinceEpoch(c.ended_at);
  return d;
}

py::dict StatsToDict(const PyEngine& e, const QueueStats& s) {
  py::dict d;
  d["queue"] = e.QueueName(s.queue);
  d["waiting"] = s.waiting;
  d["longest_wait_s"] = Seconds(s.longest_wait);
  d["entered"] = s.entered;
  d["answered"] = s.answered;
  d["answered_within_sl"] = s.answered_within_sl;
  d["abandoned"] = s.abandoned;
  d["short_abandoned"] = s.short_abandoned;
  d["sl_definition"] = std::string(ServiceLevelDefinitionName(s.sl_definition));
  d["callbacks_requested"] = s.callbacks_requested;
  d["overflowed"] = s.overflowed;
  d["closed"] = s.closed;
  d["open"] = s.open;
  d["transferred_out"] = s.transferred_out;
  d["completed"] = s.completed;
  d["total_answer_wait_s"] = Seconds(s.total_answer_wait);
  d["total_handle_s"] = Seconds(s.total_handle);
  d["service_level"] = RatioOrNone(s.ServiceLevel());
  d["asa"] = Seconds(s.AverageSpeedOfAnswer());
  d["aht"] = Seconds(s.AverageHandleTime());
  return d;
}

py::dict WaitEstimateToDict(const WaitEstimate& w) {
  py::dict d;
  d["expected_s"] = Seconds(w.expected);
  d["low_s"] = Seconds(w.low);
  d["high_s"] = Seconds(w.high);
  d["low_quantile"] = w.low_quantile;
  d["high_quantile"] = w.high_quantile;
  d["position"] = w.position;
  d["agents"] = w.agents;
  d["servers"] = w.servers;
  d["handle_time_s"] = Seconds(w.handle_time);
  return d;
}

py::dict AccountingToDict(const Accounting& a) {
  py::dict d;
  d["entered"] = a.entered;
  d["waiting"] = a.waiting;
  d["offered"] = a.offered;
  d["in_service"] = a.in_service;
  d["completed"] = a.completed;
  d["abandoned"] = a.abandoned;
  d["overflowed"] = a.overflowed;
  d["withdrawn"] = a.withdrawn;
  d["balanced"] = a.Balanced();
  return d;
}

py::dict ExplanationToDict(const PyEngine& e, const Explanation& x) {
  py::dict d;
  d["direction"] = x.direction == Explanation::Direction::kContactArrived
                       ? "contact_arrived"
                       : "agent_freed";
  d["contact"] = x.contact.value();
  d["agent"] = x.agent.value();
  d["queue"] = e.QueueName(x.queue);
  d["strategy"] = x.strategy;
  d["step"] = x.step;
  d["rule"] = x.rule;
  py::list candidates;
  for (const ExplainedCandidate& c : x.candidates) {
    py::dict cd;
    cd["agent"] = c.agent.value();
    cd["contact"] = c.contact.value();
    cd["score"] = c.score;
    cd["verdict"] = c.verdict;
    py::dict terms;
    for (const ScoreTerm& t : c.terms) terms[py::str(t.name)] = t.value;
    cd["terms"] = terms;
    candidates.append(cd);
  }
  d["candidates"] = candidates;
  return d;
}

py::dict EventToDict(const PyEngine& e, const Event& ev) {
  const bool contact_event =
      ev.type != EventType::kAgentStateChanged && ev.type != EventType::kCommandFailed;
  py::object none = py::none();
  py::dict d;
  d["type"] = std::string(EventTypeName(ev.type));
  d["time_s"] = SecondsSinceEpoch(ev.time);
  d["contact"] = ev.has_contact ? py::object(py::int_(ev.contact.value())) : none;
  d["agent"] = ev.has_agent ? py::object(py::int_(ev.agent.value())) : none;
  d["offer"] = ev.offer != 0 ? py::object(py::int_(ev.offer)) : none;
  d["queue"] = contact_event ? py::object(py::str(e.QueueName(ev.queue))) : none;
  // An overflow whose target is its own queue left the engine.
  const bool moved = ev.type == EventType::kTransferred ||
                     (ev.type == EventType::kOverflowed && ev.to_queue != ev.queue);
  d["to_queue"] = moved ? py::object(py::str(e.QueueName(ev.to_queue))) : none;
  d["channel"] =
      contact_event ? py::object(py::str(std::string(ChannelName(ev.channel)))) : none;
  d["priority"] = ev.priority;
  d["step"] = ev.step;
  d["agent_state"] =
      ev.type == EventType::kAgentStateChanged
          ? py::object(py::str(std::string(AgentStateName(ev.agent_state))))
          : none;
  d["agent_reason"] = ev.agent_reason;
  d["reason"] = ev.reason == EventReason::kNone
                    ? none
                    : py::object(py::str(std::string(EventReasonName(ev.reason))));
  d["wait_s"] = (ev.type == EventType::kAccepted || ev.type == EventType::kAbandoned ||
                 ev.type == EventType::kCallbackRequested)
                    ? py::object(py::float_(Seconds(ev.wait)))
                    : none;
  d["handle_s"] = ev.type == EventType::kCompleted
                      ? py::object(py::float_(Seconds(ev.handle)))
                      : none;
  d["csat"] = ev.outcome.csat.has_value() ? py::object(py::int_(*ev.outcome.csat)) : none;
  d["resolved"] = ev.outcome.resolved.has_value()
                      ? py::object(py::bool_(*ev.outcome.resolved))
                      : none;
  d["explanation"] = ev.explanation != nullptr
                         ? py::object(ExplanationToDict(e, *ev.explanation))
                         : none;
  if (ev.type == EventType::kCommandFailed) {
    // A refused command's message may quote what it was given.
    d["error"] = compliance::MaskPii(std::string(ev.status.message()));
    d["error_code"] = absl::StatusCodeToString(ev.status.code());
  } else {
    d["error"] = none;
    d["error_code"] = none;
  }
  return d;
}

}  // namespace ccengine::python
