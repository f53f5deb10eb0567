// -----------------------------------------------------------------------------
// File: tests/core/determinism_test.cc
// -----------------------------------------------------------------------------
//
// The engine's behaviour, pinned: long seeded runs of mixed commands whose
// full event stream (every field of every event, explanations included) and
// the status of every call hash to golden values. A refactor that changes
// any decision, any event or any error changes a hash.
//
// Two drivers:
//   * `RandomHarness` (tests/testing/random_actions.h), the randomized
//     invariant test's world: presence, arrivals, offers, transfers, queue
//     updates, skill changes, agents added and removed;
//   * `MixedRun` below: every built-in strategy, fairness guards, outcomes
//     that train the quality model, customer history and preferred agents,
//     callbacks, hours of operation, priorities, supervisor actions, and
//     decision explanations switched on.
//
// When a change of behaviour is intended, the failure message prints the
// new value; update the golden value in the same commit and say why.
// The values hold for a given standard library (std::uniform_int_distribution
// and friends are implementation-defined).

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "testing/random_actions.h"

namespace ccengine {
namespace {

// FNV-1a, 64 bits: stable across runs, processes and builds (absl::Hash is
// seeded per process).
class StreamHash {
 public:
  void Add(std::string_view bytes) {
    for (unsigned char c : bytes) {
      h_ ^= c;
      h_ *= 0x100000001b3ULL;
    }
    h_ ^= 0xff;  // field separator
    h_ *= 0x100000001b3ULL;
  }
  void Add(const Event& e) {
    Add(DescribeEvent(e));
    Add(fmt::format("{} {} {} {} {} {} {}", ToMicros(e.wait), ToMicros(e.handle),
                    static_cast<int>(e.channel), e.priority, e.step, e.queue.value(),
                    e.to_queue.value()));
    if (e.explanation != nullptr) {
      const Explanation& x = *e.explanation;
      Add(fmt::format("{} {} {} {} {} {} {}", static_cast<int>(x.direction),
                      x.contact.value(), x.agent.value(), x.queue.value(), x.strategy,
                      x.step, x.rule));
      for (const ExplainedCandidate& c : x.candidates) {
        Add(fmt::format("{} {} {:.17g} {}", c.agent.value(), c.contact.value(), c.score,
                        c.verdict));
        for (const ScoreTerm& t : c.terms)
          Add(fmt::format("{}={:.17g}", t.name, t.value));
      }
    }
    ++events_;
    ++by_type_[static_cast<size_t>(e.type)];
  }
  void Add(const absl::Status& s) { Add(s.ToString()); }
  uint64_t value() const { return h_; }
  uint64_t events() const { return events_; }
  uint64_t count(EventType type) const { return by_type_[static_cast<size_t>(type)]; }
  // "offered=123 completed=45 …": what the run exercised.
  std::string Mix() const {
    std::string s;
    for (size_t t = 0; t < by_type_.size(); ++t) {
      if (by_type_[t] == 0) continue;
      s += fmt::format(" {}={}", EventTypeName(static_cast<EventType>(t)), by_type_[t]);
    }
    return s;
  }

 private:
  uint64_t h_ = 0xcbf29ce484222325ULL;
  uint64_t events_ = 0;
  std::array<uint64_t, 32> by_type_{};
};

uint64_t HarnessHash(uint64_t seed, int steps, std::string* mix) {
  test::RandomHarness h(seed);
  h.Setup();
  StreamHash hash;
  h.engine().Subscribe([&hash](const Event& e) { hash.Add(e); });
  for (int i = 0; i < steps; ++i) h.Step(i);
  h.Drain();
  EXPECT_TRUE(h.failures().empty()) << h.Report(steps);
  *mix = hash.Mix();
  EXPECT_GT(hash.events(), 20'000u);
  return hash.value();
}

// A world that reaches the parts `RandomHarness` does not: quality, guards,
// journeys, callbacks, hours and explanations. Statuses are hashed, not
// predicted: the randomized tests check them against models.
class MixedRun {
 public:
  explicit MixedRun(uint64_t seed) : rng_(seed) {
    EngineOptions options;
    options.seed = seed;
    options.rona_limit = 2;
    options.start = absl::FromUnixSeconds(1'700'000'000);  // a Tuesday, 22:13 UTC
    options.customer_history_size = 4;
    options.customer_history_retention = absl::Hours(2);
    options.customer_history_max_entries = 200;
    options.work_window = absl::Minutes(10);
    options.quality.half_life = absl::Hours(1);
    engine_ = Engine::Create(options).value();
    engine_->Subscribe(
        [this](const Event& e) {
          hash_.Add(e);
          // Contacts the next steps are likely to act on (checked against
          // the engine's snapshot before use).
          if (e.type == EventType::kOffered) ringing_.push_back(e.contact);
          if (e.type == EventType::kAccepted) serving_.push_back(e.contact);
        },
        kAllEvents | EventBit(EventType::kDecisionExplained));
    for (int i = 0; i < kSkills; ++i) {
      skills_.push_back(engine_->AddSkill(fmt::format("s{}", i)).value());
    }
    const char* strategies[] = {"longest_idle",     "least_occupied", "fewest_handled",
                                "round_robin",      "random",         "weighted_random",
                                "best_proficiency", "composite",      "satisfaction"};
    for (int i = 0; i < 9; ++i) {
      QueueConfig q;
      q.name = fmt::format("q{}", i);
      q.strategy = strategies[i];
      q.skills = {{skills_[i % kSkills], Level(1, 6)}};
      if (Chance(0.5)) q.skills.push_back({skills_[(i + 2) % kSkills], Level(1, 4)});
      if (Chance(0.6)) {
        q.relaxation = {{absl::Seconds(Uniform(5, 40)), {{skills_[i % kSkills], 1}}}};
      }
      q.priority = Uniform(0, 2);
      q.aging_weight = 0.5 + Uniform(0, 4) * 0.25;
      q.max_size = static_cast<size_t>(Uniform(0, 1) * Uniform(4, 12));
      if (Chance(0.4)) q.max_wait = absl::Seconds(Uniform(30, 240));
      if (i > 0 && Chance(0.5)) q.overflow_queue = queues_[Uniform(0, i - 1)];
      q.wrap_up = absl::Seconds(Uniform(0, 1) * Uniform(1, 20));
      q.offer_timeout = absl::Seconds(Uniform(5, 25));
      if (i % 3 == 1) {
        q.guards.occupancy_cap = 0.9;
        q.guards.max_occupancy_spread = 0.3;
        q.guards.exploration = 0.1;
      }
      if (i == 4) {  // open 08:00-20:00 UTC+8 on weekdays
        HoursOfOperation hours;
        hours.utc_offset_s = 8 * 3600;
        for (int d = 0; d < 5; ++d) hours.weekly[d] = {{8 * 3600, 20 * 3600}};
        hours.holidays = {absl::CivilDay(2023, 11, 16)};
        q.hours = hours;
        q.move_waiting_at_close = true;
      }
      queues_.push_back(engine_->AddQueue(q).value());
    }
    for (int i = 0; i < kAgents; ++i) AddAgent();
  }

  uint64_t Run(int steps) {
    for (int i = 0; i < steps; ++i) Step();
    // Drain: every live contact leaves, so the stream ends in a known place.
    for (uint64_t id = 1; id < next_contact_; ++id) {
      Call(engine_->Withdraw(ContactId{id}));
      Call(engine_->Abandon(ContactId{id}));
    }
    Call(engine_->CheckInvariants());
    EXPECT_TRUE(engine_->CheckInvariants().ok());
    EXPECT_TRUE(engine_->GetAccounting().Balanced());
    return hash_.value();
  }
  const StreamHash& stream() const { return hash_; }

 private:
  static constexpr int kSkills = 5;
  static constexpr int kAgents = 40;

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  uint8_t Level(int lo, int hi) { return static_cast<uint8_t>(Uniform(lo, hi)); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  AgentId AnyAgent() { return AgentId{static_cast<uint64_t>(Uniform(1, next_agent_))}; }
  ContactId AnyContact() {
    uint64_t lo = next_contact_ > 60 ? next_contact_ - 60 : 1;
    return ContactId{std::uniform_int_distribution<uint64_t>(lo, next_contact_)(rng_)};
  }
  void Call(const absl::Status& s) { hash_.Add(s); }
  // A random contact of `list` still in `state`, with its agent; stale
  // entries are dropped on the way.
  std::optional<ContactSnapshot> Take(std::vector<ContactId>& list, ContactState state) {
    while (!list.empty()) {
      size_t i = static_cast<size_t>(Uniform(0, static_cast<int>(list.size()) - 1));
      ContactId id = list[i];
      list[i] = list.back();
      list.pop_back();
      auto c = engine_->GetContact(id);
      if (c.ok() && c->state == state && c->agent.has_value()) return *c;
    }
    return std::nullopt;
  }

  void AddAgent() {
    AgentConfig a;
    a.id = AgentId{static_cast<uint64_t>(next_agent_++)};
    int n = Uniform(1, 3);
    for (int k = 0; k < n; ++k) {
      SkillId s = skills_[(a.id.value() + static_cast<uint64_t>(k) * 2) % kSkills];
      a.skills.push_back({s, Level(1, 10)});
    }
    a.capacity.max_per_channel[static_cast<int>(Channel::kChat)] =
        static_cast<uint8_t>(Uniform(0, 3));
    a.weight = 0.5 + Uniform(0, 3);
    a.auto_accept = Chance(0.15);
    Call(engine_->AddAgent(a));
    Call(engine_->Login(a.id, Chance(0.8)));
  }

  void Step() {
    int action = Uniform(0, 99);
    if (action < 22) {
      Call(engine_->AdvanceTo(engine_->Now() + absl::Milliseconds(Uniform(1, 20'000))));
    } else if (action < 25) {
      Call(engine_->AdvanceTo(engine_->Now() + absl::Hours(Uniform(1, 7))));
    } else if (action < 45) {
      ContactSpec spec;
      spec.id = ContactId{next_contact_++};
      spec.queue = queues_[static_cast<size_t>(Uniform(0, 8))];
      spec.channel = Chance(0.75) ? Channel::kVoice : Channel::kChat;
      spec.priority = Chance(0.1) ? Uniform(1, 3) : 0;
      if (Chance(0.6)) spec.customer_id = fmt::format("c{}", Uniform(1, 30));
      if (Chance(0.15)) spec.preferred_agents = {AnyAgent(), AnyAgent()};
      if (spec.preferred_agents.size() == 2 &&
          spec.preferred_agents[0] == spec.preferred_agents[1]) {
        spec.preferred_agents.pop_back();
      }
      spec.prefer_last_agent = !spec.customer_id.empty() && Chance(0.3);
      if (!spec.preferred_agents.empty() || spec.prefer_last_agent) {
        spec.preferred_wait = absl::Seconds(Uniform(0, 30));
      }
      Call(engine_->AddContact(spec));
    } else if (action < 58) {
      if (Chance(0.1)) Call(engine_->AcceptOffer(AnyAgent(), AnyContact()));
      auto c = Take(ringing_, ContactState::kOffered);
      if (c.has_value()) Call(engine_->AcceptOffer(*c->agent, c->id));
    } else if (action < 70) {
      auto c = Take(serving_, ContactState::kInService);
      if (c.has_value()) {
        ContactOutcome outcome;
        if (Chance(0.7)) outcome.csat = Uniform(1, 5);
        if (Chance(0.7)) outcome.resolved = Chance(0.6);
        Call(engine_->CompleteContact(*c->agent, c->id, outcome));
      }
    } else if (action < 74) {
      auto c = Take(ringing_, ContactState::kOffered);
      if (c.has_value()) Call(engine_->RejectOffer(*c->agent, c->id));
    } else if (action < 78) {
      Call(engine_->Abandon(AnyContact()));
    } else if (action < 81) {
      Call(engine_->RequestCallback(AnyContact()));
    } else if (action < 84) {
      Call(engine_->Transfer(AnyContact(), queues_[static_cast<size_t>(Uniform(0, 8))],
                             Chance(0.7)));
    } else if (action < 86) {
      Call(engine_->SetPriority(AnyContact(), Uniform(0, 4)));
    } else if (action < 87) {
      Call(engine_->Withdraw(AnyContact()));
    } else if (action < 92) {
      AgentId a = AnyAgent();
      switch (Uniform(0, 7)) {
        case 0:
        case 6: Call(engine_->SetReady(a)); break;
        case 1: Call(engine_->SetNotReady(a, Uniform(1, 4))); break;
        case 2: Call(engine_->Logout(a)); break;
        case 3:
        case 7: Call(engine_->Login(a, Chance(0.9))); break;
        case 4: Call(engine_->EndWrapUp(a)); break;
        default:
          Call(engine_->ForceAgentState(
              a, std::vector<AgentState>{AgentState::kLoggedOut, AgentState::kNotReady,
                                         AgentState::kAvailable}[Uniform(0, 2)]));
      }
    } else if (action < 94) {
      std::vector<SkillLevel> skills = {{skills_[Uniform(0, kSkills - 1)], Level(1, 10)}};
      Call(engine_->SetAgentSkills(AnyAgent(), skills));
    } else if (action < 95) {
      if (next_agent_ < 70) AddAgent();
      Call(engine_->RemoveAgent(AnyAgent()));
    } else if (action < 97) {
      QueueId q = queues_[static_cast<size_t>(Uniform(0, 8))];
      QueueConfig config = engine_->GetQueueConfig(q).value();
      config.max_size = static_cast<size_t>(Uniform(0, 10));
      config.aging_weight = 0.5 + Uniform(0, 4) * 0.25;
      Call(engine_->UpdateQueue(q, config));
    } else {
      hash_.Add(fmt::format("{}", engine_->GetAccounting().waiting));
      auto est = engine_->EstimateWait(AnyContact());
      hash_.Add(est.ok() ? fmt::format("{} {} {}", ToMicros(est->expected), est->position,
                                       est->agents)
                         : est.status().ToString());
      auto pos = engine_->QueuePosition(AnyContact());
      hash_.Add(pos.ok() ? fmt::format("{}", *pos) : pos.status().ToString());
    }
  }

  std::mt19937_64 rng_;
  std::unique_ptr<Engine> engine_;
  std::vector<SkillId> skills_;
  std::vector<QueueId> queues_;
  StreamHash hash_;
  int next_agent_ = 1;
  uint64_t next_contact_ = 1;
  std::vector<ContactId> ringing_, serving_;
};

struct Golden {
  uint64_t seed;
  int steps;
  uint64_t hash;
};

TEST(DeterminismTest, RandomHarnessEventStreamMatchesGolden) {
  const Golden kGolden[] = {
      {1, 30000, 0xe6dd760ade1272d5},
      {0x5eedf00d, 30000, 0x6b1f217c66a3d915},
  };
  for (const Golden& g : kGolden) {
    std::string mix;
    uint64_t hash = HarnessHash(g.seed, g.steps, &mix);
    std::printf("harness seed=%llu steps=%d hash=0x%016llx\n %s\n",
                static_cast<unsigned long long>(g.seed), g.steps,
                static_cast<unsigned long long>(hash), mix.c_str());
    EXPECT_EQ(hash, g.hash) << fmt::format("seed {}: new hash 0x{:016x}", g.seed, hash);
  }
}

TEST(DeterminismTest, MixedRunEventStreamMatchesGolden) {
  const Golden kGolden[] = {
      {7, 60000, 0x4c2e7b00c5021247},
      {20261204, 60000, 0xd71b9eabb303c8c2},
  };
  for (const Golden& g : kGolden) {
    MixedRun run(g.seed);
    uint64_t hash = run.Run(g.steps);
    const StreamHash& stream = run.stream();
    std::printf("mixed seed=%llu steps=%d hash=0x%016llx\n %s\n",
                static_cast<unsigned long long>(g.seed), g.steps,
                static_cast<unsigned long long>(hash), stream.Mix().c_str());
    EXPECT_GT(stream.events(), 40'000u);
    // The parts this run is for were reached.
    for (EventType t : {EventType::kDecisionExplained, EventType::kCallbackRequested,
                        EventType::kPreferenceEnded, EventType::kOverflowed,
                        EventType::kCompleted, EventType::kRelaxed}) {
      EXPECT_GT(stream.count(t), 50u) << EventTypeName(t);
    }
    EXPECT_EQ(hash, g.hash) << fmt::format("seed {}: new hash 0x{:016x}", g.seed, hash);
  }
}

}  // namespace
}  // namespace ccengine
