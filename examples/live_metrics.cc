// Live metrics: a metrics::Collector attached to a running engine gives the
// supervisor's figures — half-hour rows in the center's time zone, the
// last 5/15/60 minutes per queue, agents by state — by the same formulas the
// simulator uses.
//
// A morning of a small hotline (two queues, eight agents, Beijing time) is
// played on the engine's clock: callers arrive, some hang up, agents answer,
// talk and take a break. Then the report is printed, and two lines of what
// a Prometheus scrape of /metrics would read.
//
//   build/release/examples/live_metrics

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ccengine/ccengine.h"

using ccengine::AgentId;
using ccengine::ContactId;
using ccengine::Engine;
using ccengine::metrics::Collector;
using ccengine::metrics::Granularity;

// "95%", or "-" where there is nothing to measure (NaN).
std::string Percent(double x) {
  if (std::isnan(x)) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", 100 * x);
  return buf;
}

int main() {
  absl::TimeZone beijing;
  if (!absl::LoadTimeZone("Asia/Shanghai", &beijing)) {
    std::fprintf(stderr, "no time zone data (install tzdata)\n");
    return 1;
  }
  const absl::Time open = absl::FromCivil(absl::CivilMinute(2026, 12, 7, 8, 0), beijing);
  ccengine::EngineOptions options;
  options.start = open;
  std::unique_ptr<Engine> engine = Engine::Create(options).value();
  ccengine::metrics::MetricsOptions mo;
  mo.time_zone = beijing;
  std::unique_ptr<Collector> metrics = Collector::Attach(*engine, mo).value();

  const ccengine::SkillId policy = engine->AddSkill("policy").value();
  const ccengine::SkillId complaint = engine->AddSkill("complaint").value();
  ccengine::QueueConfig q;
  q.name = "policy";  // 政策咨询
  q.skills = {{policy, 1}};
  q.sl_threshold = absl::Seconds(20);
  q.wrap_up = absl::Seconds(15);
  const ccengine::QueueId policy_queue = engine->AddQueue(q).value();
  q.name = "complaints";  // 投诉举报
  q.skills = {{complaint, 1}};
  q.sl_definition = ccengine::ServiceLevelDefinition::kWithinOverOfferedLessShortAbandons;
  const ccengine::QueueId complaint_queue = engine->AddQueue(q).value();
  for (uint64_t id = 1; id <= 8; ++id) {
    ccengine::AgentConfig a;
    a.id = AgentId(id);
    a.skills = {{id <= 5 ? policy : complaint, 1}};
    a.auto_accept = true;
    (void)engine->AddAgent(a);
    (void)engine->Login(a.id);
    metrics->AssignGroup(a.id, id <= 5 ? "policy team" : "complaint team");
  }

  // Callers: one every 30 s on average, 70% policy; they talk 1.5-3.5 minutes
  // and hang up after 30-90 s of waiting. Agent 3 takes a break at 09:00.
  std::mt19937_64 rng(12345);
  std::exponential_distribution<double> gap(1.0 / 30);
  std::uniform_real_distribution<double> talk(90, 210), patience(30, 90);
  std::bernoulli_distribution is_policy(0.7);
  struct Pending {
    absl::Time at;
    ContactId contact;
    AgentId agent;  // 0: the caller hangs up if still waiting
  };
  std::vector<Pending> pending;
  std::vector<bool> answered(1);  // by contact id
  engine->Subscribe(
      [&](const ccengine::Event& e) {
        answered[e.contact.value()] = true;
        pending.push_back({e.time + absl::Seconds(talk(rng)), e.contact, e.agent});
      },
      ccengine::EventBit(ccengine::EventType::kAccepted));
  auto run_until = [&](absl::Time t) {
    for (;;) {
      auto next = std::min_element(
          pending.begin(), pending.end(),
          [](const Pending& a, const Pending& b) { return a.at < b.at; });
      if (next == pending.end() || next->at > t) break;
      const Pending p = *next;
      pending.erase(next);
      (void)engine->AdvanceTo(p.at);
      if (p.agent.value() != 0) {
        (void)engine->CompleteContact(p.agent, p.contact, {4, true});
      } else if (!answered[p.contact.value()]) {
        (void)engine->Abandon(p.contact);  // still waiting: hangs up
      }
    }
    (void)engine->AdvanceTo(t);
  };
  absl::Time t = open;
  bool break_taken = false;
  for (uint64_t id = 1; t < open + absl::Hours(2); ++id) {
    t += absl::Seconds(gap(rng));
    run_until(t);
    if (!break_taken && t >= open + absl::Hours(1)) {
      (void)engine->SetNotReady(AgentId(3), /*reason=*/2);
      break_taken = true;
    }
    answered.push_back(false);
    ccengine::ContactSpec c;
    c.id = ContactId(id);
    c.queue = is_policy(rng) ? policy_queue : complaint_queue;
    (void)engine->AddContact(c);
    pending.push_back({t + absl::Seconds(patience(rng)), c.id, AgentId(0)});
  }

  std::printf(
      "half hours (Beijing time)    offered answered abandoned   SL    ASA   AHT\n");
  const auto rows =
      metrics->QueueRows(Granularity::k30Minutes, open, open + absl::Hours(2)).value();
  for (const auto& r : rows) {
    std::printf("%s  %-12s %5llu %8llu %9llu  %4.0f%% %5.1f %5.1f\n",
                absl::FormatTime("%H:%M", r.start, beijing).c_str(), r.queue.c_str(),
                static_cast<unsigned long long>(r.figures.counts.offered),
                static_cast<unsigned long long>(r.figures.counts.answered),
                static_cast<unsigned long long>(r.figures.counts.abandoned),
                100 * r.figures.service_level, r.figures.asa_s, r.figures.aht_s);
  }
  std::printf("\nnow (%s)          waiting longest  SL 5m  SL 15m  SL 60m  target\n",
              absl::FormatTime("%H:%M", engine->Now(), beijing).c_str());
  for (const auto& n : metrics->Now()) {
    std::printf("%-12s %14zu %6.0fs %6s %7s %7s %7s\n", n.queue.c_str(), n.waiting,
                absl::ToDoubleSeconds(n.longest_wait),
                Percent(n.windows[0].service_level).c_str(),
                Percent(n.windows[1].service_level).c_str(),
                Percent(n.windows[2].service_level).c_str(),
                Percent(n.sl_target).c_str());
  }
  std::printf("\nteams, morning        occupancy utilization  not ready (s)  CSAT\n");
  const auto teams =
      metrics->GroupRows(Granularity::kDay, open, open + absl::Hours(24)).value();
  for (const auto& g : teams) {
    int64_t not_ready_us = 0;
    for (const auto& [reason, us] : g.figures.counts.not_ready_us) not_ready_us += us;
    std::printf("%-16s %12.0f%% %10.0f%% %14.0f %5.2f\n", g.group.c_str(),
                100 * g.figures.occupancy, 100 * g.figures.utilization,
                static_cast<double>(not_ready_us) / 1e6, g.figures.csat);
  }
  const auto states = metrics->AgentStates();
  std::printf("\nagents now: %zu available, %zu busy, %zu wrap-up, %zu not ready\n",
              states.by_state[static_cast<int>(ccengine::AgentState::kAvailable)],
              states.by_state[static_cast<int>(ccengine::AgentState::kBusy)],
              states.by_state[static_cast<int>(ccengine::AgentState::kWrapUp)],
              states.by_state[static_cast<int>(ccengine::AgentState::kNotReady)]);

  // What a Prometheus scrape of /metrics would read (adapters/http serves
  // the same text from a snapshot the router publishes): two of its lines.
  const std::string exposition =
      ccengine::metrics::RenderPrometheus(metrics->TakeSnapshot());
  std::printf("\nPrometheus exposition: %zu bytes, e.g.\n", exposition.size());
  for (const char* series : {"ccengine_queue_offered_total{queue=\"policy\"}",
                             "ccengine_queue_waiting{queue=\"complaints\"}"}) {
    const size_t at = exposition.find(std::string(series) + " ");
    if (at != std::string::npos) {
      std::printf("  %s\n",
                  exposition.substr(at, exposition.find('\n', at) - at).c_str());
    }
  }
  return 0;
}
