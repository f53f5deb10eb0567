// compliance::AccessControl's actors: a command with no actor, an unknown
// or removed one, or one whose roles expired is refused and changes nothing;
// the decision sink is passed refusals and accountable decisions, not the
// system role's traffic nor self-service; the system role's traffic follows
// every change to its actor; a submitted command's refusal arrives as a
// kCommandFailed event and leaves the producer's sequence unspent.

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "access_fixture.h"
#include "ccengine/compliance/access.h"
#include "ccengine/core/engine.h"
#include "gtest/gtest.h"
#include "testing/engine_fixture.h"

namespace ccengine::compliance {
namespace {

using ::ccengine::test::A;
using ::ccengine::test::At;
using ::ccengine::test::C;

TEST_F(AccessTest, NoActorUnknownOrRemovedActorIsUnauthenticated) {
  access_->Attach(*engine_);
  const std::string before = State();
  const absl::Status none = engine_->Apply(cmd::Login{A(1)});
  EXPECT_EQ(none.code(), absl::StatusCode::kUnauthenticated) << none;
  EXPECT_NE(none.message().find("no actor"), std::string_view::npos) << none;
  const absl::Status forged = engine_->Apply(cmd::Login{A(1)}, {.actor = 77});
  EXPECT_EQ(forged.code(), absl::StatusCode::kUnauthenticated) << forged;
  EXPECT_NE(forged.message().find("unknown actor 77"), std::string_view::npos) << forged;
  const uint32_t lee = AddActor("agent");
  CCENGINE_ASSERT_OK(access_->RemoveActor("actor-agent"));
  CCENGINE_EXPECT_CODE(engine_->Apply(cmd::Login{A(1)}, {.actor = lee}),
                       kUnauthenticated);
  EXPECT_EQ(State(), before);
  ASSERT_EQ(decisions_.size(), 3u) << "every refusal is passed on";
  EXPECT_EQ(decisions_[1].actor, "#77");
  // A new actor of the same id gets a new number; the old one stays dead.
  const uint32_t again = AddActor("agent");
  EXPECT_NE(again, lee);
  CCENGINE_EXPECT_OK(engine_->Apply(cmd::Login{A(1)}, {.actor = again}));
  CCENGINE_EXPECT_CODE(engine_->Apply(cmd::Logout{A(1)}, {.actor = lee}),
                       kUnauthenticated);
}

TEST_F(AccessTest, AnExpiredRoleGrantsNothingAndSaysSo) {
  access_->Attach(*engine_);
  const uint32_t lead = AddActor("team_lead", At(100));
  CCENGINE_ASSERT_OK(engine_->Login(A(2)));
  AdvanceTo(99);
  CCENGINE_EXPECT_OK(
      engine_->Apply(cmd::ForceAgentState{A(2), AgentState::kNotReady}, {.actor = lead}));
  AdvanceTo(100);
  const absl::Status late =
      engine_->Apply(cmd::ForceAgentState{A(2), AgentState::kAvailable}, {.actor = lead});
  EXPECT_EQ(late.code(), absl::StatusCode::kPermissionDenied) << late;
  EXPECT_NE(late.message().find("role 'team_lead' expired at 1970-01-01T00:01:40+00:00"),
            std::string_view::npos)
      << late;
  EXPECT_EQ(engine_->GetAgent(A(2))->state, AgentState::kNotReady);
}

TEST_F(AccessTest, SinkGetsRefusalsAndAccountableDecisionsNotTheTrafficOrSelfService) {
  access_->Attach(*engine_);
  const uint32_t lee = AddActor("agent");
  const uint32_t sys = AddActor("sip-bridge", "", {}, "system");
  const uint32_t sup = AddActor("wang", "t1", {"D1"}, "supervisor");

  CCENGINE_ASSERT_OK(engine_->Login(A(1), /*ready=*/false));
  CCENGINE_EXPECT_OK(
      engine_->Apply(cmd::SetReady{A(1)}, {.actor = lee}));  // self service
  ContactSpec spec;
  spec.id = C(5);
  spec.queue = QueueId(0);
  CCENGINE_EXPECT_OK(engine_->Apply(cmd::AddContact{spec}, {.actor = sys}));  // traffic
  EXPECT_TRUE(decisions_.empty());

  CCENGINE_EXPECT_OK(engine_->Apply(cmd::Withdraw{C(5)}, {.actor = sup}));
  ASSERT_EQ(decisions_.size(), 1u);
  EXPECT_TRUE(decisions_[0].allowed);
  EXPECT_EQ(decisions_[0].actor, "wang");
  EXPECT_EQ(decisions_[0].roles, "supervisor");
  EXPECT_EQ(decisions_[0].action, "Withdraw");
  EXPECT_EQ(decisions_[0].subject, "contact 5 in queue 0");
  EXPECT_EQ(decisions_[0].at, engine_->Now());

  CCENGINE_EXPECT_OK(engine_->Apply(cmd::Logout{A(1)}, {.actor = lee}));  // logins count
  ASSERT_EQ(decisions_.size(), 2u);
  EXPECT_EQ(decisions_[1].action, "Logout");

  CCENGINE_EXPECT_CODE(engine_->Apply(cmd::Login{A(2)}, {.actor = lee}),
                       kPermissionDenied);
  ASSERT_EQ(decisions_.size(), 3u);
  EXPECT_FALSE(decisions_[2].allowed);
  EXPECT_EQ(decisions_[2].status.code(), absl::StatusCode::kPermissionDenied);
}

// What the system role may send anywhere without an audit record is decided
// without the lock; every change to the actor must reach that path at once.
TEST_F(AccessTest, TheSystemRolesTrafficFollowsEveryChangeToItsActor) {
  // Only an access.manage of scope all may hand out the system role.
  auto policy = AccessPolicy::Create(
      {{"security", {{Permission::kAccessManage, Scope::kAll}}}}, TestDepartments());
  ASSERT_TRUE(policy.ok()) << policy.status();
  access_ = std::make_unique<AccessControl>(*std::move(policy));
  access_->SetDecisionSink([this](const AccessDecision& d) {
    decisions_.push_back(d);
    return absl::OkStatus();
  });
  access_->Attach(*engine_);
  const uint32_t root = AddActor("root", "t1", {}, "security");
  auto add = [&, next = uint64_t{1}](uint32_t actor, uint32_t queue) mutable {
    ContactSpec c;
    c.id = C(next++);
    c.queue = QueueId(queue);
    return engine_->Apply(cmd::AddContact{c}, {.actor = actor});
  };
  auto system_actor = [&](std::string id, absl::Time until) {
    ActorSpec spec;
    spec.id = std::move(id);
    spec.tenant = "t1";
    spec.roles = {{"system", until}};
    return access_->AddActor(spec).value();
  };
  const uint32_t bridge = system_actor("bridge", absl::InfiniteFuture());

  // Every queue, no decision passed on.
  for (uint32_t q = 0; q < 5; ++q) CCENGINE_EXPECT_OK(add(bridge, q));
  EXPECT_TRUE(decisions_.empty());

  // Joined by a tenant-wide role granting the same permission: a contact
  // inside the tenant is now the administrator's decision, audited; outside
  // it, still the system role's, not.
  CCENGINE_ASSERT_OK(access_->GrantRole(root, "bridge", {"administrator"}, At(0)));
  decisions_.clear();
  CCENGINE_EXPECT_OK(add(bridge, 0));
  ASSERT_EQ(decisions_.size(), 1u);
  EXPECT_EQ(decisions_[0].action, "AddContact");
  EXPECT_EQ(decisions_[0].roles, "system,administrator");
  CCENGINE_EXPECT_OK(add(bridge, 3));  // tenant t2
  EXPECT_EQ(decisions_.size(), 1u);

  // Revoked, granted again, removed: each at once. A session command is
  // audited whoever sends it.
  CCENGINE_ASSERT_OK(access_->RevokeRole(root, "bridge", "administrator", At(0)));
  decisions_.clear();
  CCENGINE_EXPECT_OK(add(bridge, 0));
  CCENGINE_EXPECT_OK(engine_->Apply(cmd::Login{A(4)}, {.actor = bridge}));
  ASSERT_EQ(decisions_.size(), 1u);
  EXPECT_EQ(decisions_[0].action, "Login");
  CCENGINE_ASSERT_OK(access_->RevokeRole(root, "bridge", "system", At(0)));
  CCENGINE_EXPECT_CODE(add(bridge, 4), kPermissionDenied);
  CCENGINE_ASSERT_OK(access_->GrantRole(root, "bridge", {"system"}, At(0)));
  CCENGINE_EXPECT_OK(add(bridge, 4));
  CCENGINE_ASSERT_OK(access_->RemoveActor("bridge"));
  CCENGINE_EXPECT_CODE(add(bridge, 4), kUnauthenticated);

  // Up to a role's last instant, and not after, on a whole second or between.
  const uint32_t ivr = system_actor("ivr", At(100));
  const uint32_t acd = system_actor("acd", At(100.5));
  AdvanceTo(99.75);
  CCENGINE_EXPECT_OK(add(ivr, 3));
  AdvanceTo(100);
  CCENGINE_EXPECT_CODE(add(ivr, 3), kPermissionDenied);
  AdvanceTo(100.25);
  CCENGINE_EXPECT_OK(add(acd, 3));
  AdvanceTo(100.5);
  const absl::Status expired = add(acd, 3);
  EXPECT_EQ(expired.code(), absl::StatusCode::kPermissionDenied) << expired;
  EXPECT_NE(expired.message().find("role 'system' expired"), std::string_view::npos)
      << expired;
}

// The roles a decision records, for a caller outside the engine (the ticket
// audit trail).
TEST_F(AccessTest, RolesInForceAreThoseNotYetExpired) {
  ActorSpec spec;
  spec.id = "wang";
  spec.tenant = "t1";
  spec.departments = {"D1"};
  spec.roles = {{"team_lead", At(10)}, {"supervisor"}};
  ASSERT_TRUE(access_->AddActor(spec).ok());
  EXPECT_EQ(access_->RolesInForce("wang", At(9)).value(), "team_lead,supervisor");
  EXPECT_EQ(access_->RolesInForce("wang", At(10)).value(), "supervisor");
  CCENGINE_EXPECT_CODE(access_->RolesInForce("nobody", At(9)).status(), kNotFound);
}

TEST_F(AccessTest, SubmittedCommandsAreRefusedAsCommandFailedEvents) {
  access_->Attach(*engine_);
  const uint32_t lee = AddActor("agent");
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::Login{A(2)}, {.actor = lee}));
  CCENGINE_ASSERT_OK(engine_->Submit(cmd::Login{A(1)}, {.actor = lee}));
  CCENGINE_ASSERT_OK(engine_->Poll(engine_->Now()));
  size_t failed = 0;
  for (const Event& e : events_) {
    if (e.type != EventType::kCommandFailed) continue;
    ++failed;
    EXPECT_EQ(e.status.code(), absl::StatusCode::kPermissionDenied) << e.status;
    EXPECT_EQ(e.origin.actor, lee);
  }
  EXPECT_EQ(failed, 1u);
  EXPECT_EQ(engine_->GetAgent(A(2))->state, AgentState::kLoggedOut);
  EXPECT_EQ(engine_->GetAgent(A(1))->state, AgentState::kAvailable);
}

TEST_F(AccessTest, AProducersSequenceIsNotSpentByARefusal) {
  access_->Attach(*engine_);
  const uint32_t lee = AddActor("agent");
  CCENGINE_EXPECT_CODE(
      engine_->Apply(cmd::Login{A(2)}, {.producer = 4, .sequence = 1, .actor = lee}),
      kPermissionDenied);
  EXPECT_EQ(engine_->ProducerSequence(4), 0u);
  CCENGINE_EXPECT_OK(
      engine_->Apply(cmd::Login{A(1)}, {.producer = 4, .sequence = 1, .actor = lee}));
  EXPECT_EQ(engine_->ProducerSequence(4), 1u);
}

}  // namespace
}  // namespace ccengine::compliance
