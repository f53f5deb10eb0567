// Access decisions in the audit trail: a supervisor's action, a refusal and a
// role change each become an entry the chain verifies; a log that can no
// longer be written refuses the action itself.
#include "ccengine/audit/access_audit.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "audit_test_util.h"
#include "ccengine/audit/keys.h"
#include "ccengine/core/engine.h"
#include "gtest/gtest.h"
#include "sqlite/temp_dir.h"

namespace ccengine::audit {
namespace {

using compliance::AccessControl;
using compliance::AccessPolicy;
using compliance::ActorSpec;

TEST(AccessAuditTest, DecisionsBecomeVerifiedEntriesAndAFailedAppendRefuses) {
  sqlite::TempDir dir;
  const std::string path = dir.File("audit.log");
  absl::StatusOr<SigningKey> key = SigningKey::Generate();
  ASSERT_TRUE(key.ok()) << key.status();
  const VerifyKey verify = key->verify_key();
  absl::StatusOr<std::unique_ptr<AuditLog>> log = testing::OpenTestLog(path, *key);
  ASSERT_TRUE(log.ok()) << log.status();

  EngineOptions engine_options;
  engine_options.start = absl::UnixEpoch();
  std::unique_ptr<Engine> engine = Engine::Create(engine_options).value();
  const SkillId skill = engine->AddSkill("tax").value();
  QueueConfig queue;
  queue.name = "tax";
  queue.skills = {{skill, 1}};
  ASSERT_TRUE(engine->AddQueue(queue).ok());
  for (uint64_t id : {1, 2}) {
    AgentConfig agent;
    agent.id = AgentId(id);
    agent.skills = {{skill, 5}};
    ASSERT_TRUE(engine->AddAgent(agent).ok());
    ASSERT_TRUE(engine->Login(agent.id).ok());
  }
  AccessControl access(AccessPolicy::Create({}, {{"tax", "", {QueueId(0)}}}).value());
  ASSERT_TRUE(access.AssignAgent(AgentId(2), "tax").ok());
  access.SetDecisionSink(AccessAuditSink(**log));
  ActorSpec boss;
  boss.id = "wang.li";
  boss.departments = {"tax"};
  boss.roles = {{"supervisor"}};
  const uint32_t sup = access.AddActor(boss).value();
  ActorSpec admin;
  admin.id = "root";
  admin.roles = {{"administrator"}};
  const uint32_t root = access.AddActor(admin).value();
  ActorSpec agent;
  agent.id = "li.lei";
  agent.agent = AgentId(1);
  agent.roles = {{"agent"}};
  const uint32_t lee = access.AddActor(agent).value();
  access.Attach(*engine);

  const absl::Status forced_away = engine->Apply(
      cmd::ForceAgentState{AgentId(2), AgentState::kNotReady}, {.actor = sup});
  ASSERT_TRUE(forced_away.ok()) << forced_away;
  EXPECT_EQ(engine->Apply(cmd::SetReady{AgentId(2)}, {.actor = lee}).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(
      engine->Apply(cmd::SetNotReady{AgentId(1)}, {.actor = lee}).ok());  // not audited
  ASSERT_TRUE(access.GrantRole(root, "li.lei", {"team_lead"}, engine->Now()).ok());
  ASSERT_TRUE((*log)->Close().ok());

  absl::StatusOr<std::vector<AuditRecord>> verified =
      testing::VerifiedRecords(path, verify);
  ASSERT_TRUE(verified.ok()) << verified.status();
  const std::vector<AuditRecord>& records = *verified;
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].event.actor, "wang.li");
  EXPECT_EQ(records[0].event.role, "supervisor");
  EXPECT_EQ(records[0].event.action, "agent.force_state:ForceAgentState");
  EXPECT_EQ(records[0].event.subject, "agent 2");
  EXPECT_EQ(records[0].event.reason, "");
  EXPECT_EQ(records[1].event.actor, "li.lei");
  EXPECT_EQ(records[1].event.action, "denied:agent.state:SetReady");
  EXPECT_EQ(records[1].event.role, "agent");
  EXPECT_EQ(records[1].event.reason,
            "actor 'li.lei' lacks agent.state for SetReady on agent 2: no role of theirs "
            "grants it there");
  EXPECT_EQ(records[2].event.actor, "root");
  EXPECT_EQ(records[2].event.action, "access.manage:GrantRole");
  EXPECT_EQ(records[2].event.subject, "actor 'li.lei'");
  EXPECT_EQ(records[2].event.after, "role 'team_lead'");

  // The log is closed: an audited action can no longer be recorded, so it is
  // not taken; what is not audited goes on.
  const absl::Status forced = engine->Apply(
      cmd::ForceAgentState{AgentId(2), AgentState::kAvailable}, {.actor = sup});
  EXPECT_FALSE(forced.ok());
  EXPECT_NE(forced.message().find("its audit record could not be written"),
            std::string_view::npos)
      << forced;
  EXPECT_EQ(engine->GetAgent(AgentId(2))->state, AgentState::kNotReady);
  EXPECT_TRUE(engine->Apply(cmd::SetReady{AgentId(1)}, {.actor = lee}).ok());
}

}  // namespace
}  // namespace ccengine::audit
