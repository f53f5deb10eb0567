// The metric conformance vectors (tests/metrics/conformance/*.json): small
// contact sequences whose every figure was worked out by hand. Each runs
// twice — through a live engine with a metrics::Collector attached (the
// contacts played as commands: arrivals, hang-ups, completions) and through
// sim::Simulate (one deterministic arrival stream per contact) — and both
// must give the vector's figures. The format is in docs/metrics.md.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "ccengine/core/kpi.h"
#include "ccengine/metrics/collector.h"
#include "ccengine/sim/sim.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace ccengine {
namespace {

using nlohmann::json;

constexpr double kTolerance = 1e-9;

std::vector<std::filesystem::path> Vectors() {
  std::vector<std::filesystem::path> files;
  for (const auto& f : std::filesystem::directory_iterator(CCENGINE_METRIC_VECTORS)) {
    if (f.path().extension() == ".json") files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

json Load(const std::filesystem::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

// "a/b", "a" or a number.
double Expected(const json& v) {
  if (v.is_number()) return v.get<double>();
  const std::vector<std::string> parts = absl::StrSplit(v.get<std::string>(), '/');
  double num = 0, den = 1;
  EXPECT_TRUE(absl::SimpleAtod(parts[0], &num)) << v;
  if (parts.size() == 2) {
    EXPECT_TRUE(absl::SimpleAtod(parts[1], &den)) << v;
  }
  return num / den;
}

// The figures one path produced for one row, by the vectors' names.
using Figures = std::map<std::string, double>;

void ExpectRow(const json& want, const Figures& got, const std::string& where) {
  for (const auto& [key, value] : want.items()) {
    if (key == "sl") {
      for (const auto& [definition, v] : value.items()) {
        auto it = got.find("sl." + definition);
        ASSERT_NE(it, got.end()) << where << ": no sl." << definition;
        EXPECT_NEAR(it->second, Expected(v), kTolerance) << where << " sl." << definition;
      }
      continue;
    }
    auto it = got.find(key);
    ASSERT_NE(it, got.end()) << where << ": no figure " << key;
    EXPECT_NEAR(it->second, Expected(value), kTolerance) << where << " " << key;
  }
}

std::vector<SkillLevel> SkillsOf(const json& skills,
                                 const std::map<std::string, SkillId>& ids) {
  std::vector<SkillLevel> out;
  for (const auto& [name, level] : skills.items()) {
    out.push_back(SkillLevel{ids.at(name), static_cast<uint8_t>(level.get<int>())});
  }
  return out;
}

ServiceLevelDefinition DefinitionOf(const json& q) {
  return ParseServiceLevelDefinition(q.value("sl_definition", "within_offered")).value();
}

// --- the live path -----------------------------------------------------------------

// One path's figures: per queue and group, the summary and each interval.
struct Run {
  std::map<std::string, Figures> queue_summary;
  std::map<std::string, std::vector<Figures>> queue_intervals;
  std::map<std::string, Figures> group_summary;
  std::map<std::string, std::vector<Figures>> group_intervals;
};

Figures FromQueue(const metrics::QueueFigures& f) {
  Figures out{{"offered", f.counts.offered},
              {"answered", f.counts.answered},
              {"abandoned", f.counts.abandoned},
              {"short_abandoned", f.counts.short_abandoned},
              {"overflowed", f.counts.overflowed},
              {"abandon_rate", f.abandon_rate},
              {"asa", f.asa_s},
              {"aht", f.aht_s},
              {"csat", f.csat},
              {"fcr", f.fcr},
              {"service_level", f.service_level}};
  for (int i = 0; i < kServiceLevelDefinitionCount; ++i) {
    out["sl." +
        std::string(ServiceLevelDefinitionName(static_cast<ServiceLevelDefinition>(i)))] =
        f.service_level_by[i];
  }
  return out;
}

Figures FromGroup(const metrics::AgentFigures& f) {
  return Figures{
      {"answered", f.counts.answered}, {"aht", f.aht_s}, {"occupancy", f.occupancy}};
}

Run RunLive(const json& v) {
  std::unique_ptr<Engine> owned = Engine::Create().value();
  Engine& engine = *owned;
  auto collector = metrics::Collector::Attach(engine, {}).value();
  std::map<std::string, SkillId> skill_ids;
  for (const auto& s : v["skills"]) {
    skill_ids[s.get<std::string>()] = engine.AddSkill(s.get<std::string>()).value();
  }
  std::map<std::string, QueueId> queue_ids;
  std::map<std::string, const json*> queue_specs;
  for (const auto& q : v["queues"]) {
    QueueConfig c;
    c.name = q["name"];
    c.skills = SkillsOf(q["skills"], skill_ids);
    c.sl_threshold = absl::Seconds(q.value("sl_seconds", 20.0));
    c.short_abandon = absl::Seconds(q.value("short_abandon_s", 5.0));
    c.sl_definition = DefinitionOf(q);
    c.wrap_up = absl::Seconds(q.value("wrap_up_s", 0.0));
    c.max_size = q.value("max_size", 0);
    if (q.contains("max_wait_s"))
      c.max_wait = absl::Seconds(q["max_wait_s"].get<double>());
    queue_ids[c.name] = engine.AddQueue(c).value();
    queue_specs[c.name] = &q;
  }
  for (const auto& q : v["queues"]) {
    if (!q.contains("overflow_to")) continue;
    QueueId id = queue_ids.at(q["name"]);
    QueueConfig c = engine.GetQueueConfig(id).value();
    c.overflow_queue = queue_ids.at(q["overflow_to"]);
    EXPECT_TRUE(engine.UpdateQueue(id, c).ok());
  }
  // Agents log in at time 0, as the simulator's do.
  std::map<uint64_t, const json*> group_of;  // agent id -> its group's spec
  uint64_t next_agent = 1;
  for (const auto& g : v["agents"]) {
    for (int i = 0; i < g["count"].get<int>(); ++i) {
      AgentConfig a;
      a.id = AgentId(next_agent++);
      a.skills = SkillsOf(g["skills"], skill_ids);
      a.auto_accept = true;
      EXPECT_TRUE(engine.AddAgent(a).ok());
      EXPECT_TRUE(engine.Login(a.id).ok());
      collector->AssignGroup(a.id, g["name"]);
      group_of[a.id.value()] = &g;
    }
  }
  // The customers' side: arrivals and hang-ups from the vector, completions
  // when each handle time has passed since the answer.
  struct Action {
    double at;
    int seq;
    int kind;  // 0 arrival, 1 patience, 2 completion
    size_t contact;
    uint64_t agent;
    bool operator>(const Action& o) const {
      return std::tie(at, seq) > std::tie(o.at, o.seq);
    }
  };
  std::priority_queue<Action, std::vector<Action>, std::greater<>> actions;
  int seq = 0;
  const json& contacts = v["contacts"];
  for (size_t i = 0; i < contacts.size(); ++i) {
    actions.push(Action{contacts[i]["at"].get<double>(), seq++, 0, i, 0});
    if (contacts[i].contains("patience_s")) {
      actions.push(Action{contacts[i]["at"].get<double>() +
                              contacts[i]["patience_s"].get<double>(),
                          seq++, 1, i, 0});
    }
  }
  std::vector<bool> answered(contacts.size()), done(contacts.size());
  engine.Subscribe([&](const Event& e) {
    const size_t i = e.contact.value() - 1;
    if (e.type == EventType::kAccepted) {
      answered[i] = true;
      actions.push(Action{absl::ToDoubleSeconds(e.time - absl::UnixEpoch()) +
                              contacts[i]["handle_s"].get<double>(),
                          seq++, 2, i, e.agent.value()});
    } else if (e.type == EventType::kAbandoned || e.type == EventType::kCompleted ||
               (e.type == EventType::kOverflowed && e.to_queue == e.queue)) {
      done[i] = true;
    }
  });
  // The engine's own timers (max wait, wrap-up) fire in time order with the
  // actions: one may answer a contact and so schedule an earlier action.
  while (true) {
    const std::optional<absl::Time> timer = engine.NextTimerAt();
    if (actions.empty() && !timer.has_value()) break;
    const absl::Time next = actions.empty()
                                ? absl::InfiniteFuture()
                                : absl::UnixEpoch() + absl::Seconds(actions.top().at);
    if (timer.has_value() && *timer < next) {
      const absl::Status fired = engine.AdvanceTo(*timer);
      EXPECT_TRUE(fired.ok()) << fired;
      if (!fired.ok()) break;
      continue;
    }
    const Action a = actions.top();
    actions.pop();
    const absl::Status advanced = engine.AdvanceTo(next);
    EXPECT_TRUE(advanced.ok()) << advanced;
    const ContactId id(a.contact + 1);
    const json& c = contacts[a.contact];
    if (a.kind == 0) {
      ContactSpec spec;
      spec.id = id;
      spec.queue = queue_ids.at(c["queue"]);
      EXPECT_TRUE(engine.AddContact(spec).ok());
    } else if (a.kind == 1) {
      if (!answered[a.contact] && !done[a.contact]) {
        EXPECT_TRUE(engine.Abandon(id).ok());
      }
    } else {
      const json& group = *group_of.at(a.agent);
      const json& queue = *queue_specs.at(c["queue"]);
      ContactOutcome outcome;
      if (queue.value("survey_rate", 0.0) == 1.0 && group.contains("csat_mean")) {
        outcome.csat = static_cast<int>(group["csat_mean"].get<double>());
      }
      if (group.contains("fcr_rate"))
        outcome.resolved = group["fcr_rate"].get<double>() == 1.0;
      EXPECT_TRUE(engine.CompleteContact(AgentId(a.agent), id, outcome).ok());
    }
  }
  // The day's agent time runs to the horizon, as in the simulator.
  const absl::Time horizon =
      absl::UnixEpoch() + absl::Seconds(v["horizon_s"].get<double>());
  if (engine.Now() < horizon) {
    const absl::Status advanced = engine.AdvanceTo(horizon);
    EXPECT_TRUE(advanced.ok()) << advanced;
  }
  EXPECT_TRUE(engine.CheckInvariants().ok());

  const double interval_s = v["interval_s"], horizon_s = v["horizon_s"];
  const metrics::Granularity granularity = interval_s == 900
                                               ? metrics::Granularity::k15Minutes
                                               : metrics::Granularity::k30Minutes;
  EXPECT_TRUE(interval_s == 900 || interval_s == 1800) << "vectors use 15 or 30 minutes";
  const absl::Time start = absl::UnixEpoch(), end = start + absl::Seconds(horizon_s);
  Run out;
  for (const auto& [name, id] : queue_ids) {
    out.queue_summary[name] = FromQueue(collector->QueueTotal(id, start, end).value());
  }
  const std::vector<metrics::QueueRow> queue_rows =
      collector->QueueRows(granularity, start, end).value();
  for (const metrics::QueueRow& r : queue_rows) {
    auto& rows = out.queue_intervals[r.queue];
    const auto index =
        static_cast<size_t>(absl::ToDoubleSeconds(r.start - start) / interval_s);
    if (rows.size() <= index) rows.resize(index + 1);
    rows[index] = FromQueue(r.figures);
  }
  std::map<std::string, metrics::AgentCounts> group_sums;
  const std::vector<metrics::GroupRow> group_rows =
      collector->GroupRows(granularity, start, end).value();
  for (const metrics::GroupRow& r : group_rows) {
    auto& rows = out.group_intervals[r.group];
    const auto index =
        static_cast<size_t>(absl::ToDoubleSeconds(r.start - start) / interval_s);
    if (rows.size() <= index) rows.resize(index + 1);
    rows[index] = FromGroup(r.figures);
    group_sums[r.group] += r.figures.counts;
  }
  for (const auto& [name, counts] : group_sums) {
    out.group_summary[name] = FromGroup(metrics::FiguresOf(counts));
  }
  return out;
}

// --- the simulator path ------------------------------------------------------------

sim::Scenario ScenarioOf(const json& v,
                         std::optional<ServiceLevelDefinition> definition) {
  sim::Scenario s;
  s.seed = 1;
  s.horizon_s = v["horizon_s"];
  s.interval_s = v["interval_s"];
  for (const auto& k : v["skills"]) s.skills.push_back(k);
  auto needs = [](const json& skills) {
    std::vector<sim::SkillNeed> out;
    for (const auto& [name, level] : skills.items())
      out.push_back({name, level.get<int>()});
    return out;
  };
  for (const auto& q : v["queues"]) {
    sim::QueueSpec spec;
    spec.name = q["name"];
    spec.skills = needs(q["skills"]);
    spec.sl_seconds = q.value("sl_seconds", 20.0);
    spec.short_abandon_s = q.value("short_abandon_s", 5.0);
    spec.sl_definition = definition.value_or(DefinitionOf(q));
    spec.wrap_up_s = q.value("wrap_up_s", 0.0);
    spec.max_size = q.value("max_size", 0);
    spec.max_wait_s = q.value("max_wait_s", sim::kInfinity);
    spec.overflow_to = q.value("overflow_to", "");
    spec.survey_rate = q.value("survey_rate", 0.0);
    s.queues.push_back(spec);
  }
  for (const auto& g : v["agents"]) {
    sim::AgentGroupSpec spec;
    spec.name = g["name"];
    spec.count = g["count"];
    spec.skills = needs(g["skills"]);
    if (g.contains("csat_mean")) spec.csat_mean = g["csat_mean"];
    if (g.contains("fcr_rate")) spec.fcr_rate = g["fcr_rate"];
    s.agents.push_back(spec);
  }
  for (const auto& c : v["contacts"]) {
    sim::ArrivalSpec a;
    a.queue = c["queue"];
    a.trace = {c["at"].get<double>()};
    a.handle_time = sim::Distribution::Deterministic(c["handle_s"]);
    if (c.contains("patience_s")) {
      a.patience = sim::Distribution::Deterministic(c["patience_s"]);
    }
    s.arrivals.push_back(a);
  }
  return s;
}

Figures FromSim(const sim::Metrics& m) {
  return Figures{{"offered", m.offered},
                 {"answered", m.answered},
                 {"abandoned", m.abandoned},
                 {"short_abandoned", m.short_abandoned},
                 {"overflowed", m.overflowed},
                 {"abandon_rate", m.p_abandon},
                 {"asa", m.asa},
                 {"aht", m.aht},
                 {"csat", m.csat_mean},
                 {"fcr", m.fcr_rate},
                 {"service_level", m.service_level},
                 {"occupancy", m.occupancy}};
}

// The simulator's figures in the live path's shape.
Run RunSim(const json& v) {
  const sim::Result base = sim::Simulate(ScenarioOf(v, std::nullopt)).value();
  EXPECT_TRUE(base.invariants_ok);
  // The service level under each definition: the same day, each queue
  // reporting by that definition.
  std::map<std::string, sim::Result> by_definition;
  for (int i = 0; i < kServiceLevelDefinitionCount; ++i) {
    const auto d = static_cast<ServiceLevelDefinition>(i);
    by_definition.emplace(std::string(ServiceLevelDefinitionName(d)),
                          sim::Simulate(ScenarioOf(v, d)).value());
  }
  auto with_sl = [&](Figures f, const std::string& queue, int interval) {
    for (const auto& [name, r] : by_definition) {
      f["sl." + name] = interval < 0
                            ? r.queues.at(queue).value.service_level
                            : r.queue_intervals.at(queue)[interval].value.service_level;
    }
    return f;
  };
  Run out;
  for (const auto& [queue, row] : base.queues) {
    out.queue_summary[queue] = with_sl(FromSim(row.value), queue, -1);
    const auto& rows = base.queue_intervals.at(queue);
    for (size_t i = 0; i < rows.size(); ++i) {
      out.queue_intervals[queue].push_back(
          with_sl(FromSim(rows[i].value), queue, static_cast<int>(i)));
    }
  }
  for (const auto& [group, row] : base.groups) {
    out.group_summary[group] = FromSim(row.value);
    for (const sim::Row& r : base.group_intervals.at(group)) {
      out.group_intervals[group].push_back(FromSim(r.value));
    }
  }
  return out;
}

// `expect` of one kind ("queues" or "groups") against a run's rows.
void ExpectRows(const json& expect, const std::map<std::string, Figures>& summary,
                const std::map<std::string, std::vector<Figures>>& intervals,
                const std::string& what) {
  for (const auto& [name, want] : expect.items()) {
    ASSERT_TRUE(summary.count(name)) << what << " " << name;
    const std::string where = absl::StrCat(what, " ", name);
    ExpectRow(want["summary"], summary.at(name), where);
    if (!want.contains("intervals")) continue;
    ASSERT_TRUE(intervals.count(name)) << what << " " << name;
    const auto& rows = intervals.at(name);
    ASSERT_GE(rows.size(), want["intervals"].size()) << what << " " << name;
    for (size_t i = 0; i < want["intervals"].size(); ++i) {
      ExpectRow(want["intervals"][i], rows[i], absl::StrCat(where, " interval ", i));
    }
  }
}

void Check(const json& v, const Run& run, const std::string& path) {
  ExpectRows(v["expect"]["queues"], run.queue_summary, run.queue_intervals,
             path + " queue");
  ExpectRows(v["expect"]["groups"], run.group_summary, run.group_intervals,
             path + " group");
}

TEST(MetricConformanceTest, TheVectorsExist) { EXPECT_GE(Vectors().size(), 5u); }

TEST(MetricConformanceTest, LiveEngineGivesEveryVectorsFigures) {
  for (const auto& path : Vectors()) {
    SCOPED_TRACE(path.filename().string());
    const json v = Load(path);
    Check(v, RunLive(v), "live");
  }
}

TEST(MetricConformanceTest, SimulatorGivesEveryVectorsFigures) {
  for (const auto& path : Vectors()) {
    SCOPED_TRACE(path.filename().string());
    const json v = Load(path);
    Check(v, RunSim(v), "sim");
  }
}

}  // namespace
}  // namespace ccengine
