// -----------------------------------------------------------------------------
// File: bench/fixed_work.cc
// -----------------------------------------------------------------------------
//
// A fixed amount of engine work, for instruction counts: the same inputs give
// the same work on every run, so `valgrind --tool=callgrind` counts the same
// instructions whatever else the machine is doing. Two builds (before and
// after a change) compared this way differ only by the change — the figure a
// noisy shared machine cannot give by the clock.
//
//   fixed_work arrive N    a 10,000-agent multi-skill center, every agent
//                          free: N contacts arrive (one decision each), are
//                          accepted and completed (the agent frees up with
//                          nobody waiting)
//   fixed_work frees N     the same center with every agent busy and 1,000
//                          contacts waiting across its queues: N times an
//                          agent completes and takes the best waiting contact,
//                          and a new contact joins the line
//   fixed_work sim-mmc     the simulator: bench/sim_scenarios.h's M/M/c+M day
//   fixed_work sim-multi   the simulator: its multi-skill day
//
// Only `Measured()` is meant to be counted:
//   valgrind --tool=callgrind --toggle-collect='*Measured*'
//       --callgrind-out-file=/dev/null build/release/bench/fixed_work arrive 20000
// prints "Collected : <instructions>". The set-up (agents, queues, waiting
// contacts) is outside it. Uses only the umbrella header, so the same file
// builds against an older tree.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ccengine/ccengine.h"
#include "sim_scenarios.h"

namespace {

using ccengine::AgentId;
using ccengine::ContactId;
using ccengine::Engine;
using ccengine::QueueId;
using ccengine::SkillId;

constexpr int kAgents = 10'000;
constexpr int kSkills = 200;
constexpr int kQueues = 400;

void Check(const absl::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "fixed_work: %s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

// Skill popularity skewed as in real centers: skill k is held with weight
// 1 / (k + 1), so a few skills are common and most are rare. Each agent holds
// 4 to 8 skills at levels 1..10; each queue needs 1 or 2 skills at level 1..3.
struct Center {
  std::unique_ptr<Engine> engine;
  std::vector<QueueId> queues;
  std::mt19937_64 rng{20261204};
  uint64_t next_contact = 1;

  Center() {
    engine = Engine::Create().value();
    std::vector<SkillId> skills;
    for (int k = 0; k < kSkills; ++k) {
      skills.push_back(engine->AddSkill("s" + std::to_string(k)).value());
    }
    std::vector<double> weights;
    for (int k = 0; k < kSkills; ++k) weights.push_back(1.0 / (k + 1));
    std::discrete_distribution<int> popular(weights.begin(), weights.end());
    for (int q = 0; q < kQueues; ++q) {
      ccengine::QueueConfig c;
      c.name = "q" + std::to_string(q);
      const int a = popular(rng);
      c.skills = {{skills[a], static_cast<uint8_t>(1 + rng() % 3)}};
      const int b = popular(rng);
      if (rng() % 2 == 0 && b != a) {
        c.skills.push_back({skills[b], static_cast<uint8_t>(1 + rng() % 3)});
      }
      queues.push_back(engine->AddQueue(c).value());
    }
    for (int i = 0; i < kAgents; ++i) {
      ccengine::AgentConfig a;
      a.id = AgentId{static_cast<uint64_t>(i + 1)};
      const int n = 4 + static_cast<int>(rng() % 5);
      std::vector<bool> held(kSkills, false);
      while (static_cast<int>(a.skills.size()) < n) {
        const int k = popular(rng);
        if (held[k]) continue;
        held[k] = true;
        a.skills.push_back({skills[k], static_cast<uint8_t>(1 + rng() % 10)});
      }
      Check(engine->AddAgent(a), "add agent");
      Check(engine->Login(a.id), "login");
    }
  }

  // A new voice contact in a random queue; its id.
  ContactId Arrive() {
    ccengine::ContactSpec spec;
    spec.id = ContactId{next_contact++};
    spec.queue = queues[rng() % queues.size()];
    Check(engine->AddContact(spec), "add contact");
    return spec.id;
  }
};

uint64_t g_sink = 0;

// Each call: a contact arrives and is offered to a free agent (the
// contact-arrives decision), answered, and completed (the agent frees up
// with nobody waiting).
__attribute__((noinline)) void MeasuredArrive(Center& c, int n) {
  for (int i = 0; i < n; ++i) {
    ContactId id = c.Arrive();
    auto snap = c.engine->GetContact(id);
    if (!snap.ok() || !snap->agent.has_value()) continue;  // no one could take it
    Check(c.engine->AcceptOffer(*snap->agent, id), "accept");
    Check(c.engine->CompleteContact(*snap->agent, id), "complete");
    g_sink += snap->agent->value();
  }
}

// Each call: a busy agent completes and takes the best waiting contact it
// can serve (the agent-frees-up decision); a new contact joins the line.
__attribute__((noinline)) void MeasuredFrees(Center& c, std::vector<ContactId>& busy,
                                             int n) {
  for (int i = 0; i < n; ++i) {
    const size_t k = c.rng() % busy.size();
    const ContactId done = busy[k];
    auto snap = c.engine->GetContact(done);
    Check(snap.status(), "busy contact");
    const AgentId agent = *snap->agent;
    Check(c.engine->CompleteContact(agent, done), "complete");
    busy[k] = busy.back();
    busy.pop_back();
    auto a = c.engine->GetAgent(agent);
    if (a.ok() && a->state == ccengine::AgentState::kReserved) {
      // The freed agent was offered a waiting contact: answer it.
      for (ContactId offered : a->contacts) {
        Check(c.engine->AcceptOffer(agent, offered), "accept");
        busy.push_back(offered);
      }
    }
    c.Arrive();
    g_sink += agent.value();
  }
}

__attribute__((noinline)) void MeasuredSimulate(const ccengine::sim::Scenario& s) {
  auto r = ccengine::sim::Simulate(s);
  Check(r.status(), "simulate");
  g_sink += r->contacts;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fixed_work arrive|frees N | sim-mmc | sim-multi\n");
    return 2;
  }
  const std::string mode = argv[1];
  const int n = argc > 2 ? std::atoi(argv[2]) : 0;
  if (mode == "sim-mmc") {
    MeasuredSimulate(ccengine::bench::MMc());
  } else if (mode == "sim-multi") {
    MeasuredSimulate(ccengine::bench::MultiSkill());
  } else if ((mode == "arrive" || mode == "frees") && n > 0) {
    Center c;
    if (mode == "arrive") {
      MeasuredArrive(c, n);
    } else {
      // Fill every agent that can take a contact, then leave 1,000 waiting.
      std::vector<ContactId> busy;
      int waiting = 0;
      while (waiting < 1000) {
        ContactId id = c.Arrive();
        auto snap = c.engine->GetContact(id);
        Check(snap.status(), "contact");
        if (snap->agent.has_value()) {
          Check(c.engine->AcceptOffer(*snap->agent, id), "accept");
          busy.push_back(id);
        } else {
          ++waiting;
        }
      }
      MeasuredFrees(c, busy, n);
    }
  } else {
    std::fprintf(stderr, "fixed_work: unknown mode '%s' or N missing\n", mode.c_str());
    return 2;
  }
  std::printf("fixed_work %s: done (%llu)\n", mode.c_str(),
              static_cast<unsigned long long>(g_sink));
  return 0;
}
