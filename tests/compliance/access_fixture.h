// The fixture of the access control's suites (access_test.cc,
// access_actor_test.cc): an engine of five queues and five agents over three
// departments in two tenants, an AccessControl with the built-in roles, and a
// sink that keeps every decision it is passed.

#ifndef CCENGINE_TESTS_COMPLIANCE_ACCESS_FIXTURE_H_
#define CCENGINE_TESTS_COMPLIANCE_ACCESS_FIXTURE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/compliance/access.h"
#include "ccengine/core/engine.h"
#include "gtest/gtest.h"
#include "testing/engine_fixture.h"

namespace ccengine::compliance {

// How far a command reaches from the actor: agent 1 in department D1 of
// tenant t1.
enum class Reach { kSelf, kDepartment, kTenant, kOtherTenant, kNoDepartment };
constexpr std::array<Reach, 5> kReaches = {Reach::kSelf, Reach::kDepartment,
                                           Reach::kTenant, Reach::kOtherTenant,
                                           Reach::kNoDepartment};

// The agent and queue each reach touches: queue q of department Dq, agent
// a+1 assigned alike. Queues 0, 1 in D1 (t1); 2 in D2 (t1); 3 in D3 (t2); 4
// in no department. Agent 1 is the actor.
inline uint64_t AgentOf(Reach r) {
  switch (r) {
    case Reach::kSelf: return 1;
    case Reach::kDepartment: return 2;
    case Reach::kTenant: return 3;
    case Reach::kOtherTenant: return 4;
    case Reach::kNoDepartment: return 5;
  }
  return 0;
}
inline uint32_t QueueOf(Reach r) {
  switch (r) {
    case Reach::kSelf: return 0;
    case Reach::kDepartment: return 1;
    case Reach::kTenant: return 2;
    case Reach::kOtherTenant: return 3;
    case Reach::kNoDepartment: return 4;
  }
  return 0;
}

// The customer of the contacts RingAt and Prepare make.
inline constexpr char kCustomer[] = "13800138000";

inline std::vector<Department> TestDepartments() {
  return {{"D1", "t1", {QueueId(0), QueueId(1)}},
          {"D2", "t1", {QueueId(2)}},
          {"D3", "t2", {QueueId(3)}}};
}

class AccessTest : public ::ccengine::test::EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    skill_ = Skill("s");
    for (int q = 0; q < 5; ++q) {
      QueueConfig config = QueueSpec("q" + std::to_string(q), {{skill_, 1}});
      config.wrap_up = absl::Seconds(30);
      AddQueue(config);
    }
    for (uint64_t a = 1; a <= 5; ++a) AddAgent(a, {{skill_, 5}}, /*login=*/false);
    auto policy = AccessPolicy::Create({}, TestDepartments());
    ASSERT_TRUE(policy.ok()) << policy.status();
    access_ = std::make_unique<AccessControl>(*std::move(policy));
    const std::array<const char*, 5> departments = {"D1", "D1", "D2", "D3", ""};
    for (uint64_t a = 1; a <= 5; ++a) {
      CCENGINE_ASSERT_OK(access_->AssignAgent(test::A(a), departments[a - 1]));
    }
    access_->SetDecisionSink([this](const AccessDecision& d) {
      decisions_.push_back(d);
      return sink_error_;
    });
  }

  uint32_t AddActor(const std::string& role, absl::Time until = absl::InfiniteFuture()) {
    ActorSpec spec;
    spec.id = "actor-" + role;
    spec.tenant = "t1";
    spec.departments = {"D1"};
    spec.agent = test::A(1);
    spec.roles = {{role, until}};
    auto added = access_->AddActor(spec);
    EXPECT_TRUE(added.ok()) << added.status();
    return added.value_or(0);
  }

  // An actor with one role, no agent of its own.
  uint32_t AddActor(std::string id, std::string tenant,
                    std::vector<std::string> departments, std::string role) {
    ActorSpec spec;
    spec.id = std::move(id);
    spec.tenant = std::move(tenant);
    spec.departments = std::move(departments);
    spec.roles = {{std::move(role)}};
    auto added = access_->AddActor(spec);
    EXPECT_TRUE(added.ok()) << added.status();
    return added.value_or(0);
  }

  // A contact of kCustomer in queue `queue` ringing at agent `agent` (the
  // only one logged in).
  void RingAt(uint64_t agent, uint32_t queue, uint64_t contact) {
    CCENGINE_ASSERT_OK(engine_->Login(test::A(agent)));
    ContactSpec spec;
    spec.id = test::C(contact);
    spec.queue = QueueId(queue);
    spec.customer_id = kCustomer;
    CCENGINE_ASSERT_OK(engine_->AddContact(spec));
    auto where = engine_->LocateContact(test::C(contact));
    ASSERT_TRUE(where.ok()) << where.status();
    ASSERT_EQ(where->agent, test::A(agent));
  }

  // Brings the engine to a state where `kind` (a Command index) is valid for
  // `reach`, and returns that command.
  Command Prepare(size_t kind, Reach reach) {
    const uint64_t agent = AgentOf(reach);
    const uint32_t queue = QueueOf(reach);
    const uint64_t contact = 900;
    auto ring = [&] { RingAt(agent, queue, contact); };
    auto serve = [&] {
      ring();
      CCENGINE_EXPECT_OK(engine_->AcceptOffer(test::A(agent), test::C(contact)));
    };
    switch (kind) {
      case 0: {  // AddAgent: a new agent, placed in the reach's department
        const std::array<const char*, 5> departments = {"D1", "D1", "D2", "D3", ""};
        CCENGINE_EXPECT_OK(
            access_->AssignAgent(test::A(100), departments[static_cast<size_t>(reach)]));
        return cmd::AddAgent{AgentSpec(100, {{skill_, 5}})};
      }
      case 1: return cmd::RemoveAgent{test::A(agent)};
      case 2: return cmd::Login{test::A(agent)};
      case 3:
        CCENGINE_EXPECT_OK(engine_->Login(test::A(agent)));
        return cmd::Logout{test::A(agent)};
      case 4:
        CCENGINE_EXPECT_OK(engine_->Login(test::A(agent), /*ready=*/false));
        return cmd::SetReady{test::A(agent)};
      case 5:
        CCENGINE_EXPECT_OK(engine_->Login(test::A(agent)));
        return cmd::SetNotReady{test::A(agent)};
      case 6: {
        ContactSpec spec;
        spec.id = test::C(contact);
        spec.queue = QueueId(queue);
        return cmd::AddContact{spec};
      }
      case 7: ring(); return cmd::AcceptOffer{test::A(agent), test::C(contact)};
      case 8: ring(); return cmd::RejectOffer{test::A(agent), test::C(contact)};
      case 9: serve(); return cmd::CompleteContact{test::A(agent), test::C(contact)};
      case 10:
        serve();
        CCENGINE_EXPECT_OK(engine_->CompleteContact(test::A(agent), test::C(contact)));
        return cmd::EndWrapUp{test::A(agent)};
      case 11: ring(); return cmd::Abandon{test::C(contact)};
      case 12: {  // only a waiting caller asks for a callback: no one's contact yet
        ContactSpec spec;
        spec.id = test::C(contact);
        spec.queue = QueueId(queue);
        CCENGINE_EXPECT_OK(engine_->AddContact(spec));
        return cmd::RequestCallback{test::C(contact)};
      }
      case 13: serve(); return cmd::Transfer{test::C(contact), QueueId(queue)};
      case 14: ring(); return cmd::Withdraw{test::C(contact)};
      case 15: ring(); return cmd::SetPriority{test::C(contact), 3};
      case 16:
        CCENGINE_EXPECT_OK(engine_->Login(test::A(agent)));
        return cmd::ForceAgentState{test::A(agent), AgentState::kNotReady};
      case 17:  // a customer served in the reach's queue asks to be forgotten
        serve();
        CCENGINE_EXPECT_OK(engine_->CompleteContact(test::A(agent), test::C(contact)));
        EXPECT_EQ(engine_->customer_history_entries(), 1u);
        return cmd::EraseCustomer{kCustomer};
    }
    ADD_FAILURE() << "no command " << kind;
    return cmd::SetReady{test::A(agent)};
  }

  std::string State() const {
    std::string out;
    engine_->SaveState(out);
    return out;
  }

  SkillId skill_;
  std::unique_ptr<AccessControl> access_;
  std::vector<AccessDecision> decisions_;
  absl::Status sink_error_;
};

}  // namespace ccengine::compliance

#endif  // CCENGINE_TESTS_COMPLIANCE_ACCESS_FIXTURE_H_
