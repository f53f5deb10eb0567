// compliance::AccessControl under concurrent change (label concurrency, run
// under TSan): the router thread authorizes submitted commands while an
// identity thread adds, removes and re-grants actors and a sink collects
// decisions. Each command's answer must be one its actor's state at some
// instant allows, and every refusal must reach the sink.

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

TEST(AccessConcurrencyTest, ActorsChangeWhileTheRouterAuthorizes) {
  EngineOptions options;
  options.start = absl::UnixEpoch();
  std::unique_ptr<Engine> engine = Engine::Create(options).value();
  const SkillId skill = engine->AddSkill("s").value();
  QueueConfig queue;
  queue.name = "q";
  queue.skills = {{skill, 1}};
  ASSERT_TRUE(engine->AddQueue(queue).ok());
  constexpr int kAgents = 8;
  for (int a = 1; a <= kAgents; ++a) {
    AgentConfig agent;
    agent.id = AgentId(a);
    agent.skills = {{skill, 5}};
    ASSERT_TRUE(engine->AddAgent(agent).ok());
  }
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
    ActorSpec spec;
    spec.id = "agent-" + std::to_string(a);
    spec.agent = AgentId(a);
    spec.roles = {{"agent"}};
    stable[a] = access.AddActor(spec).value();
  }
  ActorSpec admin;
  admin.id = "admin";
  admin.roles = {{"administrator"}};
  const uint32_t root = access.AddActor(admin).value();
  access.Attach(*engine);

  std::atomic<bool> stop{false};
  std::atomic<uint32_t> latest_temp{0};
  std::thread identity([&] {
    int round = 0;
    while (!stop.load()) {
      ActorSpec temp;
      temp.id = "temp";
      temp.agent = AgentId(1 + round % kAgents);
      temp.roles = {{"agent"}};
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

}  // namespace
}  // namespace ccengine::compliance
