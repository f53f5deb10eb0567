// The longest-idle decision's indexes (the per-skill free lists, the rings of
// tracked groups) against a plain scan: two engines receive the same random
// commands; one routes with the built-in "longest_idle", "least_occupied"
// (which uses the same indexes while no agent holding contacts can be in the
// pool), "fewest_handled", "round_robin" and "best_proficiency" (the heaps of
// tracked groups), the other with registered strategies of the same scores,
// which the engine decides by scanning the pool's bits. Every event must be the same in both, and the
// first engine's invariants (which check the lists and rings against the
// records) must hold after every command.
//
// The center is shaped so that the indexes are stressed: skewed skill
// popularity (pools that are thin slices of their rarest skill's free
// agents, so groups become tracked), relaxation steps, contacts with their
// own skills, rejections (exclusions), offers rescinded while ringing (an
// agent keeps its older idle_since), several agents freed at one instant
// (ties broken by id), skill and queue changes, logouts, and a few chat
// agents able to take more while holding contacts.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "testing/sanitized.h"

namespace ccengine {
namespace {

constexpr int kSkills = 12;
constexpr int kQueues = 14;
constexpr int kAgents = 260;
#ifdef CCENGINE_TEST_SANITIZED
constexpr int kSteps = 1500;  // each step checks both engines' invariants
#else
constexpr int kSteps = 4000;
#endif

struct Twin {
  std::unique_ptr<Engine> engine;
  std::vector<std::string> events;
};

class IdlePoolTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(IdlePoolTest, IndexedLongestIdleDecidesAsTheScan) {
  const uint64_t seed = GetParam();
  std::mt19937_64 rng(seed);
  auto uniform = [&rng](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  std::vector<double> weight(kSkills);
  for (int k = 0; k < kSkills; ++k) weight[k] = 1.0 / (k + 1);
  std::discrete_distribution<int> skill_of(weight.begin(), weight.end());
  auto draw_skills = [&](int count, int min_level, int max_level) {
    std::vector<SkillLevel> s;
    while (static_cast<int>(s.size()) < count) {
      const auto k = static_cast<uint32_t>(skill_of(rng));
      bool dup = false;
      for (const SkillLevel& x : s) dup |= x.skill.value() == k;
      if (!dup)
        s.push_back({SkillId(k), static_cast<uint8_t>(uniform(min_level, max_level))});
    }
    return s;
  };
  auto queue_config = [&](int q) {
    QueueConfig c;
    c.name = fmt::format("q{}", q);
    c.skills = draw_skills(uniform(1, 3), 1, 6);
    if (q % 3 == 0) {
      RoutingStep step;
      step.after = absl::Seconds(uniform(5, 40));
      step.skills = draw_skills(1, 1, 3);
      c.relaxation.push_back(step);
    }
    c.offer_timeout = absl::Seconds(15);
    static const char* const kStrategies[] = {"longest_idle", "least_occupied",
                                              "fewest_handled", "round_robin",
                                              "best_proficiency"};
    c.strategy = kStrategies[q % 5];
    return c;
  };
  std::vector<QueueConfig> queues;
  for (int q = 0; q < kQueues; ++q) queues.push_back(queue_config(q));
  std::vector<AgentConfig> agents;
  for (int i = 0; i < kAgents; ++i) {
    AgentConfig a;
    a.id = AgentId(static_cast<uint64_t>(1000 + (i * 7919) % 5003));
    a.skills = draw_skills(uniform(2, 5), 1, 10);
    // Voice only, but one in 25 also takes up to three chats at once.
    if (i % 25 != 0) a.capacity.max_per_channel = {1, 0, 0, 0, 0, 0, 0};
    agents.push_back(std::move(a));
  }

  Twin twins[2];
  for (int t = 0; t < 2; ++t) {
    EngineOptions options;
    options.rona_limit = 0;
    auto engine = Engine::Create(options);
    ASSERT_TRUE(engine.ok());
    twins[t].engine = std::move(*engine);
    Engine& e = *twins[t].engine;
    for (int k = 0; k < kSkills; ++k) ASSERT_TRUE(e.AddSkill(fmt::format("s{}", k)).ok());
    // The built-in strategies' scores, as plug-ins: decided by the scan.
    const std::pair<const char*, FunctionStrategy::Fn> scans[] = {
        {"scan_longest_idle",
         [](const AgentView& a, const ContactView&, Micros now) {
           return static_cast<double>(now - a.idle_since);
         }},
        {"scan_least_occupied",
         [](const AgentView& a, const ContactView&, Micros) {
           return -static_cast<double>(a.load) / std::max<uint32_t>(a.load_budget, 1);
         }},
        {"scan_fewest_handled", [](const AgentView& a, const ContactView&,
                                   Micros) { return -static_cast<double>(a.handled); }},
        {"scan_round_robin",
         [](const AgentView& a, const ContactView&, Micros) {
           return -static_cast<double>(a.last_offer_seq);
         }},
        {"scan_best_proficiency",
         [](const AgentView& a, const ContactView& c, Micros) {
           double sum = 0;
           for (const SkillRequirement& r : c.skills) sum += a.Level(r.skill);
           return sum;
         }},
    };
    for (const auto& [name, fn] : scans) {
      ASSERT_TRUE(e.RegisterStrategy(name, std::make_unique<FunctionStrategy>(fn)).ok());
    }
    for (QueueConfig c : queues) {
      if (t == 1) c.strategy = "scan_" + c.strategy;
      ASSERT_TRUE(e.AddQueue(std::move(c)).ok());
    }
    for (const AgentConfig& a : agents) {
      const absl::Status added = e.AddAgent(a);
      ASSERT_TRUE(added.ok()) << added;
    }
    std::vector<std::string>* log = &twins[t].events;
    e.Subscribe([log](const Event& ev) { log->push_back(DescribeEvent(ev)); });
  }

  // Both engines, one command; the statuses and events must agree.
  int step = 0;
  auto both = [&](auto&& command) {
    const absl::Status a = command(*twins[0].engine);
    const absl::Status b = command(*twins[1].engine);
    ASSERT_EQ(a, b) << "seed " << seed << " step " << step;
    ASSERT_EQ(twins[0].events, twins[1].events) << "seed " << seed << " step " << step;
    const absl::Status invariants = twins[0].engine->CheckInvariants();
    ASSERT_TRUE(invariants.ok())
        << "seed " << seed << " step " << step << ": " << invariants;
  };

  Engine& probe = *twins[0].engine;
  uint64_t next_contact = 1;
  std::vector<ContactId> contacts;
  // Log in in a shuffled order, many at the same instant (ties of idle_since).
  std::vector<int> order(kAgents);
  for (int i = 0; i < kAgents; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  for (int i : order) {
    both([&](Engine& e) { return e.Login(agents[i].id); });
    if (i % 40 == 0)
      both([&](Engine& e) { return e.AdvanceTo(e.Now() + absl::Seconds(1)); });
  }
  for (step = 0; step < kSteps; ++step) {
    const int action = uniform(0, 99);
    if (action < 30) {  // a contact arrives
      ContactSpec spec;
      spec.id = ContactId(next_contact++);
      spec.queue = QueueId(static_cast<uint32_t>(uniform(0, kQueues - 1)));
      if (uniform(0, 9) == 0) spec.channel = Channel::kChat;
      if (uniform(0, 7) == 0) spec.skills = draw_skills(1, 1, 4);
      contacts.push_back(spec.id);
      both([&](Engine& e) { return e.AddContact(spec); });
    } else if (action < 36) {  // time passes (or not: ties)
      const int ms = uniform(0, 3) == 0 ? 0 : uniform(1, 20000);
      both([&](Engine& e) { return e.AdvanceTo(e.Now() + absl::Milliseconds(ms)); });
    } else if (action < 80 && !contacts.empty()) {  // an offer or a call moves on
      const size_t i =
          static_cast<size_t>(uniform(0, static_cast<int>(contacts.size()) - 1));
      const ContactId id = contacts[i];
      auto snapshot = probe.GetContact(id);
      if (!snapshot.ok()) {
        contacts[i] = contacts.back();
        contacts.pop_back();
        continue;
      }
      const int what = uniform(0, 9);
      if (snapshot->state == ContactState::kOffered) {
        const AgentId agent = *snapshot->agent;
        if (what < 6) {
          both([&](Engine& e) { return e.AcceptOffer(agent, id); });
        } else if (what < 8) {
          both([&](Engine& e) { return e.RejectOffer(agent, id); });
        } else {  // rescinded while ringing: the agent keeps its idle_since
          both([&](Engine& e) { return e.Withdraw(id); });
        }
      } else if (snapshot->state == ContactState::kInService) {
        const AgentId agent = *snapshot->agent;
        both([&](Engine& e) { return e.CompleteContact(agent, id); });
      } else if (what < 3) {
        both([&](Engine& e) { return e.Abandon(id); });
      }
    } else if (action < 90) {  // presence
      const AgentId agent = agents[uniform(0, kAgents - 1)].id;
      switch (uniform(0, 3)) {
        case 0: both([&](Engine& e) { return e.SetNotReady(agent); }); break;
        case 1: both([&](Engine& e) { return e.SetReady(agent); }); break;
        case 2: both([&](Engine& e) { return e.Logout(agent); }); break;
        default: both([&](Engine& e) { return e.Login(agent); }); break;
      }
    } else if (action < 95) {
      const int i = uniform(0, kAgents - 1);
      std::vector<SkillLevel> skills = draw_skills(uniform(1, 5), 1, 10);
      both([&](Engine& e) { return e.SetAgentSkills(agents[i].id, skills); });
    } else if (action < 97) {
      const int q = uniform(0, kQueues - 1);
      QueueConfig c = queue_config(q);
      both([&](Engine& e) {
        QueueConfig mine = c;
        if (&e == twins[1].engine.get()) mine.strategy = "scan_" + mine.strategy;
        return e.UpdateQueue(QueueId(static_cast<uint32_t>(q)), std::move(mine));
      });
    }
    if (HasFatalFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, IdlePoolTest, ::testing::Values(1, 2, 3, 4, 5, 6));

}  // namespace
}  // namespace ccengine
