// -----------------------------------------------------------------------------
// File: bench/sim_scenarios.h
// -----------------------------------------------------------------------------
//
// The simulated centers the benchmarks run: a plain M/M/c+M center (100
// agents, 1.5 calls/s, 60 s handle, 120 s patience, ten hours), the same
// without patience (the shape of a plain SimPy model), and a multi-skill
// center with relaxation steps, VIP calls and a blended group, and a large
// one (5,000 agents, 40 queues). Shared by
// sim_bench.cc and fixed_work.cc so both measure the same work.

#ifndef CCENGINE_BENCH_SIM_SCENARIOS_H_
#define CCENGINE_BENCH_SIM_SCENARIOS_H_

#include <string>
#include <utility>
#include <vector>

#include "ccengine/sim/sim.h"

namespace ccengine::bench {

using ccengine::sim::Distribution;
using ccengine::sim::Scenario;

inline ccengine::sim::QueueSpec Queue(
    std::string name, std::vector<ccengine::sim::SkillNeed> skills,
    std::vector<ccengine::sim::Relaxation> relaxation = {}) {
  ccengine::sim::QueueSpec q;
  q.name = std::move(name);
  q.skills = std::move(skills);
  q.relaxation = std::move(relaxation);
  return q;
}

inline ccengine::sim::AgentGroupSpec Group(std::string name, int count,
                                           std::vector<ccengine::sim::SkillNeed> skills) {
  ccengine::sim::AgentGroupSpec g;
  g.name = std::move(name);
  g.count = count;
  g.skills = std::move(skills);
  return g;
}

inline ccengine::sim::ArrivalSpec Arrivals(std::string queue, double rate,
                                           Distribution handle, Distribution patience,
                                           double vip_fraction = 0) {
  ccengine::sim::ArrivalSpec a;
  a.queue = std::move(queue);
  a.rate_per_s = rate;
  a.handle_time = std::move(handle);
  a.patience = std::move(patience);
  a.priority_fraction = vip_fraction;
  return a;
}

inline Scenario MMc() {
  Scenario s;
  s.seed = 7;
  s.horizon_s = 36000;
  s.interval_s = 1800;
  s.skills = {"general"};
  s.queues.push_back(Queue("general", {{"general", 1}}));
  s.agents.push_back(Group("agents", 100, {{"general", 5}}));
  s.arrivals.push_back(Arrivals("general", 1.5, Distribution::Exponential(60),
                                Distribution::Exponential(120)));
  return s;
}

// The same center without patience (nobody abandons): the shape of the
// plain SimPy model.
inline Scenario MMcNoPatience() {
  Scenario s = MMc();
  s.arrivals[0].patience = Distribution::None();
  return s;
}

inline Scenario MultiSkill() {
  Scenario s;
  s.seed = 11;
  s.horizon_s = 36000;
  s.interval_s = 1800;
  s.skills = {"sales", "support", "billing"};
  s.queues.push_back(Queue("sales", {{"sales", 5}}, {{30, {{"sales", 1}}}}));
  s.queues.push_back(Queue("support", {{"support", 6}},
                           {{45, {{"support", 3}}}, {90, {{"billing", 5}}}}));
  s.queues.push_back(Queue("billing", {{"billing", 5}}, {{60, {{"billing", 2}}}}));
  s.agents.push_back(Group("sales_team", 30, {{"sales", 7}}));
  s.agents.push_back(Group("support_team", 40, {{"support", 7}, {"billing", 3}}));
  s.agents.push_back(Group("billing_team", 20, {{"billing", 7}}));
  s.agents.push_back(
      Group("blended", 25, {{"sales", 4}, {"support", 4}, {"billing", 4}}));
  s.arrivals.push_back(Arrivals("sales", 0.15, Distribution::Exponential(180),
                                Distribution::Exponential(180)));
  s.arrivals.push_back(Arrivals("support", 0.2, Distribution::Lognormal(240, 120),
                                Distribution::Exponential(240), 0.1));
  s.arrivals.push_back(Arrivals("billing", 0.1, Distribution::Exponential(200),
                                Distribution::Exponential(300)));
  return s;
}

// A large multi-skill center: 5,000 agents in 50 teams of 100, 20 skills,
// 40 queues (the first 20 need one skill at level 5, the others that skill
// and a second at level 3; after 30 s each drops to its first skill at level
// 1), arrival rates falling as 1 / (q + 1) over the queues for 14 contacts/s
// in all, exponential handle time (mean 300 s) and patience (mean 180 s);
// one simulated hour (about 50,000 contacts). Every team holds skill 0, so
// the busiest queues share most agents, as popular skills do.
inline Scenario LargeMultiSkill() {
  constexpr int kSkills = 20, kQueues = 40, kTeams = 50;
  Scenario s;
  s.seed = 13;
  s.horizon_s = 3600;
  s.interval_s = 900;
  auto skill = [](int k) { return "s" + std::to_string(k); };
  for (int k = 0; k < kSkills; ++k) s.skills.push_back(skill(k));
  double weight_sum = 0;
  for (int q = 0; q < kQueues; ++q) weight_sum += 1.0 / (q + 1);
  for (int q = 0; q < kQueues; ++q) {
    std::vector<ccengine::sim::SkillNeed> needs = {{skill(q % kSkills), 5}};
    const int second = (q * 7 + 3) % kSkills;
    if (q >= kSkills && second != q % kSkills) needs.push_back({skill(second), 3});
    s.queues.push_back(
        Queue("q" + std::to_string(q), needs, {{30, {{skill(q % kSkills), 1}}}}));
    s.arrivals.push_back(Arrivals("q" + std::to_string(q), 14.0 / (q + 1) / weight_sum,
                                  Distribution::Exponential(300),
                                  Distribution::Exponential(180)));
  }
  for (int t = 0; t < kTeams; ++t) {
    // Four skills, the first held best; skill 0 by every team.
    std::vector<ccengine::sim::SkillNeed> held;
    for (auto [k, level] :
         {std::pair{t % kSkills, 8}, std::pair{(t * 3 + 1) % kSkills, 6},
          std::pair{(t * 7 + 2) % kSkills, 4}, std::pair{0, 5}}) {
      bool listed = false;
      for (const auto& h : held) listed |= h.skill == skill(k);
      if (!listed) held.push_back({skill(k), level});
    }
    s.agents.push_back(Group("team" + std::to_string(t), 100, held));
  }
  return s;
}

}  // namespace ccengine::bench

#endif  // CCENGINE_BENCH_SIM_SCENARIOS_H_
