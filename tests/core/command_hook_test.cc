// Engine::SetCommandHook: the function that sees each command before Apply
// (and so Poll) carries it out, and can refuse it.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ccengine/core/engine.h"
#include "engine_fixture.h"
#include "gtest/gtest.h"

namespace ccengine::test {
namespace {

class CommandHookTest : public EngineFixture {};

TEST_F(CommandHookTest, SeesEveryAppliedCommandAndMayRefuseIt) {
  const SkillId tax = Skill("tax");
  AddQueue(QueueSpec("q", {Lvl(tax, 1)}));
  std::vector<size_t> seen;  // the commands' variant indexes
  bool refuse = false;
  EXPECT_FALSE(engine_->HasCommandHook());
  engine_->SetCommandHook([&](const Command& c, const CommandOrigin&) {
    seen.push_back(c.index());
    return refuse ? absl::UnavailableError("journal disk full") : absl::OkStatus();
  });
  EXPECT_TRUE(engine_->HasCommandHook());
  AgentConfig a;
  a.id = A(1);
  a.skills = {Lvl(tax, 3)};
  CCENGINE_ASSERT_OK(engine_->Apply(cmd::AddAgent{a}));
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::Login{A(1)}));
  CCENGINE_ASSERT_OK(engine_->Poll(engine_->Now()));
  EXPECT_EQ(engine_->GetAgent(A(1))->state, AgentState::kAvailable);

  refuse = true;
  CCENGINE_EXPECT_CODE(engine_->Apply(cmd::Logout{A(1)}), kUnavailable);
  EXPECT_EQ(engine_->GetAgent(A(1))->state, AgentState::kAvailable) << "not applied";
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::SetNotReady{A(1)}));
  const size_t before = events_.size();
  CCENGINE_ASSERT_OK(engine_->Poll(engine_->Now()));
  ASSERT_EQ(events_.size(), before + 1);
  EXPECT_EQ(events_.back().type, EventType::kCommandFailed);
  EXPECT_EQ(events_.back().status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(engine_->GetAgent(A(1))->state, AgentState::kAvailable);

  // Direct calls do not pass the hook.
  CCENGINE_ASSERT_OK(engine_->SetNotReady(A(1)));
  EXPECT_EQ(seen, (std::vector<size_t>{0, 2, 3, 5}));

  engine_->SetCommandHook(nullptr);
  EXPECT_FALSE(engine_->HasCommandHook());
  CCENGINE_ASSERT_OK(engine_->Apply(cmd::Logout{A(1)}));
  EXPECT_EQ(seen.size(), 4u);
}

}  // namespace
}  // namespace ccengine::test
