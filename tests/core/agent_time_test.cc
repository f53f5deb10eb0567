// Time in state (Engine::GetAgentStateTimes, AgentSnapshot::time_in_state):
// a day of one agent, second by second, against hand-computed totals. The
// randomized test checks the same totals against a model built from the
// state events after every step.

#include <string>

#include "ccengine/core/engine.h"
#include "gtest/gtest.h"
#include "testing/engine_fixture.h"

namespace ccengine {
namespace {

using test::A;

class AgentTimeTest : public test::EngineFixture {
 protected:
  absl::Duration In(uint64_t agent, AgentState state) {
    auto t = engine_->GetAgentStateTimes(A(agent));
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? (*t)[static_cast<int>(state)] : absl::InfiniteDuration();
  }
};

TEST_F(AgentTimeTest, EachSpellCountsInItsState) {
  QueueConfig config = QueueSpec("general");
  config.wrap_up = absl::Seconds(15);
  QueueId q = AddQueue(config);
  AddAgent(1, {}, /*login=*/false);  // added at t=0
  AdvanceTo(10);
  ASSERT_TRUE(engine_->Login(A(1)).ok());
  AdvanceTo(20);
  AddContact(100, q);  // rings (reserved)
  AdvanceTo(25);
  Accept(1, 100);  // busy
  AdvanceTo(85);
  Complete(1, 100);  // wrap-up until 100
  AdvanceTo(130);
  ASSERT_TRUE(engine_->SetNotReady(A(1), 7).ok());
  AdvanceTo(150);
  EXPECT_EQ(In(1, AgentState::kLoggedOut), absl::Seconds(10));
  EXPECT_EQ(In(1, AgentState::kAvailable), absl::Seconds(10 + 30));
  EXPECT_EQ(In(1, AgentState::kReserved), absl::Seconds(5));
  EXPECT_EQ(In(1, AgentState::kBusy), absl::Seconds(60));
  EXPECT_EQ(In(1, AgentState::kWrapUp), absl::Seconds(15));
  EXPECT_EQ(In(1, AgentState::kNotReady), absl::Seconds(20));  // still counting
  AgentStateTimes sum_check = *engine_->GetAgentStateTimes(A(1));
  absl::Duration total;
  for (absl::Duration d : sum_check) total += d;
  EXPECT_EQ(total, absl::Seconds(150));
  EXPECT_EQ(AgentNow(1).time_in_state, sum_check);
}

TEST_F(AgentTimeTest, StartsAtZeroWhenAddedAndIsForgottenWithTheAgent) {
  AdvanceTo(40);
  AddAgent(2);  // added and logged in at t=40
  AdvanceTo(45);
  EXPECT_EQ(In(2, AgentState::kLoggedOut), absl::ZeroDuration());
  EXPECT_EQ(In(2, AgentState::kAvailable), absl::Seconds(5));
  ASSERT_TRUE(engine_->Logout(A(2)).ok());
  ASSERT_TRUE(engine_->RemoveAgent(A(2)).ok());
  CCENGINE_EXPECT_CODE(engine_->GetAgentStateTimes(A(2)), kNotFound);
  AddAgent(2, {}, /*login=*/false);  // a new agent with the same id
  AdvanceTo(50);
  EXPECT_EQ(In(2, AgentState::kAvailable), absl::ZeroDuration());
  EXPECT_EQ(In(2, AgentState::kLoggedOut), absl::Seconds(5));
}

TEST_F(AgentTimeTest, AutoAcceptAgentIsNeverReserved) {
  QueueId q = AddQueue("general");
  AgentConfig a = AgentSpec(3);
  a.auto_accept = true;
  AddAgent(a);
  AdvanceTo(10);
  AddContact(100, q);
  AdvanceTo(70);
  Complete(3, 100);
  AdvanceTo(80);
  EXPECT_EQ(In(3, AgentState::kReserved), absl::ZeroDuration());
  EXPECT_EQ(In(3, AgentState::kBusy), absl::Seconds(60));
  EXPECT_EQ(In(3, AgentState::kAvailable), absl::Seconds(20));
}

}  // namespace
}  // namespace ccengine
