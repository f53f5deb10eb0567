// compliance::AccessControl under concurrent change (label concurrency, run
// under TSan): the router thread authorizes submitted commands while an
// identity thread adds, removes and re-grants actors and a sink collects
// decisions. Each command's answer must be one its actor's state at some
// instant allows, and every refusal must reach the sink. The second test
// does the same for the system role's traffic, decided without the lock
// while actors of that role come and go (new actor numbers, so the
// lock-free table grows as it is read).

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "ccengine/compliance/access.h"
#include "ccengine/core/engine.h"
#include "gtest/gtest.h"

namespace ccengine::compliance {
namespace {

// An engine at the Unix epoch with one queue, 0, and agents 1..`agents`.
std::unique_ptr<Engine> NewEngine(int agents) {
  EngineOptions options;
  options.start = absl::UnixEpoch();
  std::unique_ptr<Engine> engine = Engine::Create(options).value();
  const SkillId skill = engine->AddSkill("s").value();
  QueueConfig queue;
  queue.name = "q";
  queue.skills = {{skill, 1}};
  EXPECT_TRUE(engine->AddQueue(queue).ok());
  for (int a = 1; a <= agents; ++a) {
    AgentConfig agent;
    agent.id = AgentId(a);
    agent.skills = {{skill, 5}};
    EXPECT_TRUE(engine->AddAgent(agent).ok());
  }
  return engine;
}

ActorSpec WithRole(std::string id, std::string role) {
  ActorSpec spec;
  spec.id = std::move(id);
  spec.roles = {{std::move(role)}};
  return spec;
}

TEST(AccessConcurrencyTest, ActorsChangeWhileTheRouterAuthorizes) {
  constexpr int kAgents = 8;
  std::unique_ptr<Engine> engine = NewEngine(kAgents);
  AccessControl access(AccessPolicy::Create({}, {{"d", "", {QueueId(0)}}}).value());
  for (int a = 1; a <= kAgents; ++a)
    ASSERT_TRUE(access.AssignAgent(AgentId(a), "d").ok());
  std::mutex sink_mu;
  size_t refusals_seen = 0;
  access.SetDecisionSink([&](const AccessDecision& d) {
    std::lock_guard<std::mutex> lock(sink_mu);
    if (!d.allowed) ++refusals_seen;
    return absl::OkStatus();
  });
  // Agent a's actor: "agent-a" with the agent role (self only); actor 0 of
  // each pair is always there, the other comes and goes.
  std::vector<uint32_t> stable(kAgents + 1);
  for (int a = 1; a <= kAgents; ++a) {
    ActorSpec spec = WithRole("agent-" + std::to_string(a), "agent");
    spec.agent = AgentId(a);
    stable[a] = access.AddActor(spec).value();
  }
  const uint32_t root = access.AddActor(WithRole("admin", "administrator")).value();
  access.Attach(*engine);

  std::atomic<bool> stop{false};
  std::atomic<uint32_t> latest_temp{0};
  std::thread identity([&] {
    int round = 0;
    while (!stop.load()) {
      ActorSpec temp = WithRole("temp", "agent");
      temp.agent = AgentId(1 + round % kAgents);
      absl::StatusOr<uint32_t> added = access.AddActor(temp);
      if (added.ok()) latest_temp.store(*added);
      // Supervisor for a moment, then not.
      EXPECT_TRUE(access.GrantRole(root, "temp", {"supervisor"}, absl::UnixEpoch()).ok());
      EXPECT_TRUE(access.RevokeRole(root, "temp", "supervisor", absl::UnixEpoch()).ok());
      EXPECT_TRUE(access.RemoveActor("temp").ok());
      ++round;
    }
  });

  size_t ok = 0, denied = 0, unauthenticated = 0, engine_refused = 0;
  for (int i = 0; i < 4000; ++i) {
    const int a = 1 + i % kAgents;
    const int other = 1 + (i + 3) % kAgents;
    Command command =
        (i % 2 == 0) ? Command(cmd::Login{AgentId(a)}) : Command(cmd::Logout{AgentId(a)});
    uint32_t actor = stable[a];
    if (i % 5 == 0) actor = stable[other];       // someone else's agent: refused
    if (i % 7 == 0) actor = latest_temp.load();  // may be gone, may be a supervisor
    const absl::Status s =
        engine->Apply(command, {.producer = 0, .sequence = 0, .actor = actor});
    if (s.ok()) {
      ++ok;
    } else if (s.code() == absl::StatusCode::kPermissionDenied) {
      ++denied;
    } else if (s.code() == absl::StatusCode::kUnauthenticated) {
      ++unauthenticated;
    } else {
      ++engine_refused;  // e.g. logging in an agent already logged in
      EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
    }
    if (actor == stable[a]) {
      EXPECT_NE(s.code(), absl::StatusCode::kPermissionDenied) << "own agent: " << s;
      EXPECT_NE(s.code(), absl::StatusCode::kUnauthenticated) << s;
    }
    if (actor == stable[other] && other != a) {
      EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
    }
  }
  stop.store(true);
  identity.join();
  EXPECT_GT(ok, 0u);
  EXPECT_GT(denied, 0u);
  std::lock_guard<std::mutex> lock(sink_mu);
  EXPECT_EQ(refusals_seen, denied + unauthenticated) << "every refusal reached the sink";
  EXPECT_TRUE(engine->CheckInvariants().ok());
}

TEST(AccessConcurrencyTest, TheSystemRolesTrafficWhileSystemActorsComeAndGo) {
  std::unique_ptr<Engine> engine = NewEngine(0);
  AccessControl access(AccessPolicy::BuiltIn());
  std::atomic<size_t> refusals_seen{0};
  access.SetDecisionSink([&](const AccessDecision& d) {
    if (!d.allowed) refusals_seen.fetch_add(1);
    return absl::OkStatus();
  });
  const uint32_t stable = access.AddActor(WithRole("bridge", "system")).value();
  const uint32_t root = access.AddActor(WithRole("admin", "administrator")).value();
  access.Attach(*engine);

  std::atomic<bool> stop{false};
  std::atomic<uint32_t> latest_temp{0};
  std::thread identity([&] {
    while (!stop.load()) {
      absl::StatusOr<uint32_t> added = access.AddActor(WithRole("temp", "system"));
      if (added.ok()) latest_temp.store(*added);
      EXPECT_TRUE(access.RevokeRole(root, "temp", "system", absl::UnixEpoch()).ok());
      EXPECT_TRUE(access.RemoveActor("temp").ok());
    }
  });

  // Until the identity thread has issued numbers past the table's first
  // chunk (1,024 words), so that the table grows while it is read; each
  // contact that enters is abandoned at once, so the engine stays small.
  constexpr uint32_t kPastFirstChunk = 1100;
  size_t ok = 0, denied = 0, unauthenticated = 0;
  uint64_t i = 1;
  for (; i <= 4000 || (latest_temp.load() <= kPastFirstChunk && i <= 2'000'000); ++i) {
    const uint32_t actor = i % 3 == 0 ? latest_temp.load() : stable;
    ContactSpec contact;
    contact.id = ContactId(i);
    contact.queue = QueueId(0);
    const absl::Status s = engine->Apply(cmd::AddContact{contact},
                                         {.producer = 0, .sequence = 0, .actor = actor});
    if (s.ok()) {
      ++ok;
      EXPECT_TRUE(engine
                      ->Apply(cmd::Abandon{ContactId(i)},
                              {.producer = 0, .sequence = 0, .actor = stable})
                      .ok());
    } else if (s.code() == absl::StatusCode::kPermissionDenied) {
      ++denied;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated) << s;
      ++unauthenticated;
    }
    if (actor == stable) {
      EXPECT_TRUE(s.ok()) << s;
    }
  }
  const uint32_t reached = latest_temp.load();
  stop.store(true);
  identity.join();
  EXPECT_GT(reached, kPastFirstChunk) << "the table did not grow while it was read";
  EXPECT_GE(ok, (i - 1) * 2 / 3);
  EXPECT_EQ(refusals_seen.load(), denied + unauthenticated)
      << "every refusal reached the sink";
  const Accounting accounting = engine->GetAccounting();
  EXPECT_EQ(accounting.entered, ok) << "every allowed contact entered";
  EXPECT_EQ(accounting.abandoned, ok);
  EXPECT_TRUE(accounting.Balanced());
  EXPECT_TRUE(engine->CheckInvariants().ok());
}

}  // namespace
}  // namespace ccengine::compliance
