// A scenario whose skills, queues and entry flows come from a routing file:
// WithRouting, and the checks Resolve makes of a stream that names a flow.

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "ccengine/config/expression.h"
#include "ccengine/config/routing_file.h"
#include "ccengine/sim/sim.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "sim/sim_internal.h"

namespace ccengine::sim {

namespace {

absl::Status Invalid(const std::string& field, const std::string& what) {
  return absl::InvalidArgumentError(fmt::format("{}: {}", field, what));
}

double Seconds(absl::Duration d) {
  return d == absl::InfiniteDuration() ? kInfinity : absl::ToDoubleSeconds(d);
}

std::vector<SkillNeed> Needs(const std::vector<std::string>& skills,
                             const std::vector<SkillRequirement>& required) {
  std::vector<SkillNeed> out;
  out.reserve(required.size());
  for (const SkillRequirement& r : required) {
    out.push_back(SkillNeed{skills[r.skill.value()], r.level});
  }
  return out;
}

// What the reports and checks read of a queue, from the file's QueueConfig.
QueueSpec ToSpec(const config::RoutingConfig& routing, const QueueConfig& q) {
  QueueSpec spec;
  spec.name = q.name;
  spec.skills = Needs(routing.skills(), q.skills);
  for (const RoutingStep& step : q.relaxation) {
    spec.relaxation.push_back(Relaxation{absl::ToDoubleSeconds(step.after),
                                         Needs(routing.skills(), step.skills)});
  }
  spec.priority = q.priority;
  spec.sl_seconds = absl::ToDoubleSeconds(q.sl_threshold);
  spec.sl_target = q.sl_target;
  spec.sl_definition = q.sl_definition;
  spec.short_abandon_s = absl::ToDoubleSeconds(q.short_abandon);
  spec.max_size = q.max_size;
  spec.max_wait_s = Seconds(q.max_wait);
  if (q.overflow_queue.has_value()) {
    spec.overflow_to = routing.queues()[q.overflow_queue->value()].name;
  }
  spec.wrap_up_s = absl::ToDoubleSeconds(q.wrap_up);
  spec.strategy = q.strategy;
  spec.aging_weight = q.aging_weight;
  spec.guards = q.guards;
  return spec;
}

// Intervals × flow streams routed to find where each stream's load goes.
constexpr double kMaxFlowRoutings = 4e6;

}  // namespace

absl::StatusOr<Scenario> WithRouting(
    Scenario s, std::shared_ptr<const config::RoutingConfig> routing) {
  if (routing == nullptr) return Invalid("routing", "no routing file");
  if (!s.skills.empty()) {
    return Invalid("skills", "the routing file declares the skills; list none here");
  }
  if (!s.queues.empty()) {
    return Invalid("queues", "the routing file declares the queues; list none here");
  }
  s.skills = routing->skills();
  for (const QueueConfig& q : routing->queues()) s.queues.push_back(ToSpec(*routing, q));
  for (const auto& [name, rate] : s.survey_rates) {
    const std::optional<QueueId> q = routing->FindQueue(name);
    if (!q.has_value()) {
      return absl::NotFoundError(
          fmt::format("survey_rates.{}: the routing file has no queue '{}'", name, name));
    }
    s.queues[q->value()].survey_rate = rate;
  }
  for (size_t g = 0; g < s.agents.size(); ++g) {
    AgentGroupSpec& group = s.agents[g];
    if (group.profile.empty()) continue;
    const std::string f = fmt::format("agents[{}]", g);
    const config::AgentProfile* profile = routing->FindProfile(group.profile);
    if (profile == nullptr) {
      std::vector<std::string> names;
      for (const config::AgentProfile& p : routing->agent_profiles())
        names.push_back(p.name);
      return absl::NotFoundError(fmt::format(
          "{}.profile: unknown agent profile '{}' (the routing file has: {})", f,
          group.profile, names.empty() ? "none" : absl::StrJoin(names, ", ")));
    }
    if (!group.skills.empty()) {
      return Invalid(f + ".skills", fmt::format("the group takes profile '{}''s skills; "
                                                "list none here",
                                                group.profile));
    }
    for (const SkillLevel& skill : profile->skills) {
      group.skills.push_back(
          SkillNeed{routing->skills()[skill.skill.value()], skill.level});
    }
    group.capacity = profile->capacity;
  }
  s.routing = std::move(routing);
  return s;
}

namespace internal {

void SetFacts(const std::vector<std::pair<config::AttributeId, FactValue>>& values,
              config::Bindings& facts) {
  for (const auto& [id, value] : values) config::SetFact(facts, id, value);
}

absl::Status CheckRoutingShape(const Scenario& s) {
  if (s.routing == nullptr) {
    for (size_t g = 0; g < s.agents.size(); ++g) {
      if (!s.agents[g].profile.empty()) {
        return Invalid(fmt::format("agents[{}].profile", g),
                       "an agent profile needs a routing file (sim::WithRouting)");
      }
    }
    return absl::OkStatus();
  }
  bool same =
      s.skills == s.routing->skills() && s.queues.size() == s.routing->queues().size();
  for (size_t i = 0; same && i < s.queues.size(); ++i) {
    // What the checks and reports read of a queue must be what the engine runs.
    const QueueSpec& q = s.queues[i];
    QueueSpec file = ToSpec(*s.routing, s.routing->queues()[i]);
    if (auto it = s.survey_rates.find(file.name); it != s.survey_rates.end()) {
      file.survey_rate = it->second;
    }
    same = q.name == file.name && q.sl_seconds == file.sl_seconds &&
           q.sl_target == file.sl_target && q.sl_definition == file.sl_definition &&
           q.short_abandon_s == file.short_abandon_s && q.max_wait_s == file.max_wait_s &&
           q.wrap_up_s == file.wrap_up_s && q.survey_rate == file.survey_rate &&
           !q.satisfaction.has_value();
  }
  if (!same) {
    return Invalid("routing",
                   "the scenario's skills and queues are not the routing file's (or were "
                   "changed after); make the scenario with sim::WithRouting");
  }
  return absl::OkStatus();
}

absl::Status ResolveFlow(const Scenario& s, size_t stream, Resolved& r) {
  const ArrivalSpec& a = s.arrivals[stream];
  const std::string f = fmt::format("arrivals[{}]", stream);
  if (s.routing == nullptr) {
    return Invalid(f + ".flow", "an entry flow needs a routing file (sim::WithRouting)");
  }
  if (a.flow.empty()) return Invalid(f + ".facts", "facts go to an entry flow; name one");
  if (!a.queue.empty()) {
    return Invalid(f + ".queue",
                   fmt::format("name a queue or a flow, not both (flow '{}')", a.flow));
  }
  if (a.priority != 0) {
    return Invalid(
        f + ".priority",
        fmt::format("the flow gives the priority class; must be 0, got {}", a.priority));
  }
  const config::RoutingConfig& routing = *s.routing;
  const config::EntryFlow* flow = routing.FindFlow(a.flow);
  if (flow == nullptr) {
    std::vector<std::string> names;
    for (const config::EntryFlow& x : routing.flows()) names.push_back(x.name);
    return absl::NotFoundError(
        fmt::format("{}.flow: unknown flow '{}' (the routing file has: {})", f, a.flow,
                    names.empty() ? "none" : absl::StrJoin(names, ", ")));
  }
  const config::Schema& schema = routing.schema();
  std::vector<std::pair<config::AttributeId, FactValue>> facts;
  for (const auto& [name, value] : a.facts) {
    const std::string fk = fmt::format("{}.facts.{}", f, name);
    const std::optional<config::AttributeId> id = schema.Find(name);
    if (!id.has_value()) {
      return absl::NotFoundError(
          fmt::format("{}: the routing file declares no attribute '{}'", fk, name));
    }
    if (routing.IsContactFact(*id)) {
      return Invalid(fk,
                     "set for each contact by the simulator (its channel and arrival)");
    }
    if (config::TypeOf(value) != schema.type(*id)) {
      return Invalid(fk, fmt::format("the routing file declares a {}, got a {}",
                                     config::ValueTypeName(schema.type(*id)),
                                     config::ValueTypeName(config::TypeOf(value))));
    }
    if (value.index() == 1 && !std::isfinite(std::get<double>(value))) {
      return Invalid(fk, fmt::format("must be finite, got {}", std::get<double>(value)));
    }
    facts.emplace_back(*id, value);
  }
  // Where the stream goes in each interval, routed at the interval's middle.
  config::Bindings bindings(schema);
  SetFacts(facts, bindings);
  const absl::Time start = ClockStart(s);
  const size_t intervals =
      std::max<size_t>(1, static_cast<size_t>(std::ceil(s.horizon_s / s.interval_s)));
  // Each flow stream is routed once per interval here: bound the work.
  size_t flow_streams = 0;
  for (const ArrivalSpec& x : s.arrivals) flow_streams += !x.flow.empty();
  if (static_cast<double>(intervals) * static_cast<double>(flow_streams) >
      kMaxFlowRoutings) {
    return Invalid("interval_s",
                   fmt::format("{} intervals × {} streams with a flow: more than {:.0f} "
                               "routings to plan the load; use longer intervals",
                               intervals, flow_streams, kMaxFlowRoutings));
  }
  std::vector<uint32_t> queues;
  queues.reserve(intervals);
  for (size_t i = 0; i < intervals; ++i) {
    const double middle =
        std::min((static_cast<double>(i) + 0.5) * s.interval_s,
                 (static_cast<double>(i) * s.interval_s + s.horizon_s) / 2);
    routing.SetContactFacts(bindings, a.channel, start + absl::Seconds(middle));
    queues.push_back(flow->Route(bindings).queue.value());
  }
  r.arrival_queues.push_back(std::move(queues));
  r.arrival_flow.push_back(flow);
  r.arrival_facts.push_back(std::move(facts));
  return absl::OkStatus();
}

}  // namespace internal

}  // namespace ccengine::sim
