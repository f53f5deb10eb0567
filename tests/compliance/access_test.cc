// compliance::AccessControl: every command under every built-in role at
// every reach, judged against a table written here from the documented role
// model (docs/compliance.md#roles-and-scopes), not read from the policy; a
// refusal changes nothing (the engine's saved state is byte-identical).

#include "ccengine/compliance/access.h"

#include <array>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ccengine/core/engine.h"
#include "gtest/gtest.h"
#include "testing/engine_fixture.h"

namespace ccengine::compliance {
namespace {

using ::ccengine::test::A;
using ::ccengine::test::At;
using ::ccengine::test::C;

// How far a command reaches from the actor: agent 1 in department D1 of
// tenant t1.
enum class Reach { kSelf, kDepartment, kTenant, kOtherTenant, kNoDepartment };
constexpr std::array<Reach, 5> kReaches = {Reach::kSelf, Reach::kDepartment,
                                           Reach::kTenant, Reach::kOtherTenant,
                                           Reach::kNoDepartment};
const char* ReachName(Reach r) {
  switch (r) {
    case Reach::kSelf: return "self";
    case Reach::kDepartment: return "department";
    case Reach::kTenant: return "tenant";
    case Reach::kOtherTenant: return "other-tenant";
    case Reach::kNoDepartment: return "no-department";
  }
  return "?";
}

// The agent and queue each reach touches: queue q of department Dq, agent
// a+1 assigned alike. Queues 0, 1 in D1 (t1); 2 in D2 (t1); 3 in D3 (t2); 4
// in no department. Agent 1 is the actor.
uint64_t AgentOf(Reach r) {
  switch (r) {
    case Reach::kSelf: return 1;
    case Reach::kDepartment: return 2;
    case Reach::kTenant: return 3;
    case Reach::kOtherTenant: return 4;
    case Reach::kNoDepartment: return 5;
  }
  return 0;
}
uint32_t QueueOf(Reach r) {
  switch (r) {
    case Reach::kSelf: return 0;
    case Reach::kDepartment: return 1;
    case Reach::kTenant: return 2;
    case Reach::kOtherTenant: return 3;
    case Reach::kNoDepartment: return 4;
  }
  return 0;
}

// The documented built-in roles, written out: permission name -> scope name.
const std::map<std::string, std::map<std::string, std::string>>& ExpectedRoles() {
  static const auto* roles = [] {
    auto* r = new std::map<std::string, std::map<std::string, std::string>>;
    (*r)["agent"] = {{"agent.state", "self"},
                     {"offer.answer", "self"},
                     {"contact.complete", "self"},
                     {"contact.transfer", "self"}};
    (*r)["team_lead"] = {{"agent.state", "department"},
                         {"agent.force_state", "department"},
                         {"contact.priority", "department"}};
    (*r)["supervisor"] = {
        {"agent.state", "department"},      {"agent.force_state", "department"},
        {"agent.manage", "department"},     {"contact.transfer", "department"},
        {"contact.withdraw", "department"}, {"contact.priority", "department"},
        {"contact.callback", "department"}, {"queue.manage", "department"},
        {"pii.unmask", "department"}};
    for (const char* p :
         {"agent.state", "agent.force_state", "agent.manage", "offer.answer",
          "contact.complete", "contact.add", "contact.abandon", "contact.callback",
          "contact.transfer", "contact.withdraw", "contact.priority", "queue.manage",
          "routing.reload", "access.manage", "pii.erase"}) {
      (*r)["administrator"][p] = "tenant";
    }
    (*r)["auditor"] = {{"audit.read", "tenant"}};
    for (const char* p :
         {"agent.state", "agent.force_state", "agent.manage", "offer.answer",
          "contact.complete", "contact.add", "contact.abandon", "contact.callback",
          "contact.transfer", "contact.withdraw", "contact.priority"}) {
      (*r)["system"][p] = "all";
    }
    return r;
  }();
  return *roles;
}

// The permissions whose every use is passed to the sink (documented in
// access.h and docs/compliance.md).
const std::set<std::string> kSupervisory = {
    "agent.force_state", "agent.manage", "contact.transfer", "contact.withdraw",
    "contact.priority",  "queue.manage", "routing.reload",   "access.manage",
    "audit.read",        "pii.unmask",   "pii.erase"};

// Whether a grant at `scope` reaches `reach` for a command that has (or has
// not) an agent of its own to be `self`.
constexpr char kCustomer[] = "13800138000";

bool Covers(const std::string& scope, Reach reach, bool has_self) {
  if (scope == "all") return true;
  if (scope == "tenant") {
    return reach == Reach::kSelf || reach == Reach::kDepartment ||
           reach == Reach::kTenant;
  }
  if (scope == "department") return reach == Reach::kSelf || reach == Reach::kDepartment;
  if (scope == "self") return has_self && reach == Reach::kSelf;
  return false;
}

std::vector<Department> TestDepartments() {
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
      CCENGINE_ASSERT_OK(access_->AssignAgent(A(a), departments[a - 1]));
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
    spec.agent = A(1);
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
    CCENGINE_ASSERT_OK(engine_->Login(A(agent)));
    ContactSpec spec;
    spec.id = C(contact);
    spec.queue = QueueId(queue);
    spec.customer_id = kCustomer;
    CCENGINE_ASSERT_OK(engine_->AddContact(spec));
    auto where = engine_->LocateContact(C(contact));
    ASSERT_TRUE(where.ok()) << where.status();
    ASSERT_EQ(where->agent, A(agent));
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
      CCENGINE_EXPECT_OK(engine_->AcceptOffer(A(agent), C(contact)));
    };
    switch (kind) {
      case 0: {  // AddAgent: a new agent, placed in the reach's department
        const std::array<const char*, 5> departments = {"D1", "D1", "D2", "D3", ""};
        CCENGINE_EXPECT_OK(
            access_->AssignAgent(A(100), departments[static_cast<size_t>(reach)]));
        return cmd::AddAgent{AgentSpec(100, {{skill_, 5}})};
      }
      case 1: return cmd::RemoveAgent{A(agent)};
      case 2: return cmd::Login{A(agent)};
      case 3: CCENGINE_EXPECT_OK(engine_->Login(A(agent))); return cmd::Logout{A(agent)};
      case 4:
        CCENGINE_EXPECT_OK(engine_->Login(A(agent), /*ready=*/false));
        return cmd::SetReady{A(agent)};
      case 5:
        CCENGINE_EXPECT_OK(engine_->Login(A(agent)));
        return cmd::SetNotReady{A(agent)};
      case 6: {
        ContactSpec spec;
        spec.id = C(contact);
        spec.queue = QueueId(queue);
        return cmd::AddContact{spec};
      }
      case 7: ring(); return cmd::AcceptOffer{A(agent), C(contact)};
      case 8: ring(); return cmd::RejectOffer{A(agent), C(contact)};
      case 9: serve(); return cmd::CompleteContact{A(agent), C(contact)};
      case 10:
        serve();
        CCENGINE_EXPECT_OK(engine_->CompleteContact(A(agent), C(contact)));
        return cmd::EndWrapUp{A(agent)};
      case 11: ring(); return cmd::Abandon{C(contact)};
      case 12: {  // only a waiting caller asks for a callback: no one's contact yet
        ContactSpec spec;
        spec.id = C(contact);
        spec.queue = QueueId(queue);
        CCENGINE_EXPECT_OK(engine_->AddContact(spec));
        return cmd::RequestCallback{C(contact)};
      }
      case 13: serve(); return cmd::Transfer{C(contact), QueueId(queue)};
      case 14: ring(); return cmd::Withdraw{C(contact)};
      case 15: ring(); return cmd::SetPriority{C(contact), 3};
      case 16:
        CCENGINE_EXPECT_OK(engine_->Login(A(agent)));
        return cmd::ForceAgentState{A(agent), AgentState::kNotReady};
      case 17:  // a customer served in the reach's queue asks to be forgotten
        serve();
        CCENGINE_EXPECT_OK(engine_->CompleteContact(A(agent), C(contact)));
        EXPECT_EQ(engine_->customer_history_entries(), 1u);
        return cmd::EraseCustomer{kCustomer};
    }
    ADD_FAILURE() << "no command " << kind;
    return cmd::SetReady{A(agent)};
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

TEST_F(AccessTest, EveryCommandUnderEveryBuiltInRoleAtEveryReach) {
  // The table covers exactly the built-in roles the policy has.
  std::vector<std::string> names;
  for (const RoleDefinition& r : access_->policy().roles()) names.push_back(r.name);
  std::vector<std::string> expected_names;
  for (const auto& [name, grants] : ExpectedRoles()) expected_names.push_back(name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, expected_names);

  size_t cases = 0, allowed = 0;
  for (const auto& [role, grants] : ExpectedRoles()) {
    for (size_t kind = 0; kind < std::variant_size_v<Command>; ++kind) {
      for (Reach reach : kReaches) {
        Reset(FixtureOptions());
        SetUp();
        const uint32_t actor = AddActor(role);
        const Command command = Prepare(kind, reach);
        const std::string permission(PermissionName(RequiredPermission(command)));
        // AddAgent, RemoveAgent, AddContact, a waiting caller's callback and
        // an erasure request touch no one's own agent or contact.
        const bool has_self =
            kind != 0 && kind != 1 && kind != 6 && kind != 12 && kind != 17;
        auto grant = grants.find(permission);
        const bool expect_allowed =
            grant != grants.end() && Covers(grant->second, reach, has_self);
        const std::string what = std::string(CommandName(command)) + " by " + role +
                                 " at " + ReachName(reach) + " (" + permission + ")";
        access_->Attach(*engine_);
        decisions_.clear();
        const std::string before = State();
        const absl::Status status = engine_->Apply(command, {.actor = actor});
        ++cases;
        if (expect_allowed) {
          ++allowed;
          EXPECT_TRUE(status.ok()) << what << ": " << status;
          // Passed on: what a supervisor or administrator answers for.
          const bool supervisory = kSupervisory.count(permission) > 0 || kind == 2 ||
                                   kind == 3 || grant->second == "department" ||
                                   grant->second == "tenant";
          EXPECT_EQ(decisions_.size(), supervisory ? 1u : 0u) << what;
        } else {
          EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied)
              << what << ": " << status;
          EXPECT_NE(status.message().find(permission), std::string_view::npos) << status;
          EXPECT_EQ(State(), before) << what << ": a refusal changed the engine";
          ASSERT_EQ(decisions_.size(), 1u) << what << ": the refusal is passed on once";
          EXPECT_FALSE(decisions_[0].allowed);
          EXPECT_EQ(decisions_[0].actor, "actor-" + role);
          EXPECT_EQ(decisions_[0].status, status);
        }
        AccessControl::Detach(*engine_);
      }
    }
  }
  EXPECT_EQ(cases, 6u * 18u * 5u);
  EXPECT_GT(allowed, 100u);
  EXPECT_LT(allowed, cases - 100);
}

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

TEST_F(AccessTest, RoleChangesNeedAccessManageOverTheTargetAndAreAudited) {
  const uint32_t root = AddActor("root", "t1", {}, "administrator");
  ActorSpec other;
  other.id = "zhao";
  other.tenant = "t2";
  other.departments = {"D3"};
  ASSERT_TRUE(access_->AddActor(other).ok());
  const uint32_t lee = AddActor("agent");

  // An agent may not promote itself.
  const absl::Status self = access_->GrantRole(lee, "actor-agent", {"supervisor"}, At(5));
  EXPECT_EQ(self.code(), absl::StatusCode::kPermissionDenied) << self;
  EXPECT_NE(self.message().find("access.manage"), std::string_view::npos) << self;
  EXPECT_EQ(access_->GetActor(lee)->roles.size(), 1u);
  // The tenant's administrator may, until a time; not in another tenant.
  CCENGINE_EXPECT_OK(
      access_->GrantRole(root, "actor-agent", {"supervisor", At(50)}, At(5)));
  CCENGINE_EXPECT_CODE(access_->GrantRole(root, "zhao", {"supervisor"}, At(5)),
                       kPermissionDenied);
  CCENGINE_EXPECT_CODE(access_->GrantRole(root, "actor-agent", {"no-such-role"}, At(5)),
                       kInvalidArgument);
  CCENGINE_EXPECT_CODE(access_->GrantRole(root, "nobody", {"agent"}, At(5)), kNotFound);
  // Who may not manage access does not learn which actors exist.
  CCENGINE_EXPECT_CODE(access_->GrantRole(lee, "nobody", {"agent"}, At(5)),
                       kPermissionDenied);
  // No one changes their own roles; no role wider than the granter's reach.
  const absl::Status own = access_->GrantRole(root, "root", {"auditor"}, At(5));
  EXPECT_EQ(own.code(), absl::StatusCode::kPermissionDenied) << own;
  EXPECT_NE(own.message().find("no one changes their own roles"), std::string_view::npos)
      << own;
  const absl::Status wider = access_->GrantRole(root, "actor-agent", {"system"}, At(5));
  EXPECT_EQ(wider.code(), absl::StatusCode::kPermissionDenied) << wider;
  EXPECT_NE(wider.message().find("the role grants agent.state at scope all, wider than "
                                 "their access.manage (tenant)"),
            std::string_view::npos)
      << wider;
  EXPECT_EQ(access_->GetActor(root)->roles.size(), 1u);
  const auto roles = access_->GetActor(lee)->roles;
  ASSERT_EQ(roles.size(), 2u);
  EXPECT_EQ(roles[1].role, "supervisor");
  EXPECT_EQ(roles[1].until, At(50));

  // The new role works at once, and stops at its time.
  access_->Attach(*engine_);
  CCENGINE_ASSERT_OK(engine_->Login(A(2)));
  CCENGINE_EXPECT_OK(
      engine_->Apply(cmd::ForceAgentState{A(2), AgentState::kNotReady}, {.actor = lee}));
  CCENGINE_EXPECT_OK(access_->RevokeRole(root, "actor-agent", "supervisor", At(6)));
  // Revoking a role not held changes nothing.
  CCENGINE_EXPECT_OK(access_->RevokeRole(root, "actor-agent", "supervisor", At(6)));
  EXPECT_EQ(access_->GetActor(lee)->roles.size(), 1u);
  CCENGINE_EXPECT_CODE(
      engine_->Apply(cmd::ForceAgentState{A(2), AgentState::kAvailable}, {.actor = lee}),
      kPermissionDenied);

  std::vector<std::string> actions;
  for (const AccessDecision& d : decisions_) {
    if (d.permission == Permission::kAccessManage) {
      actions.push_back(d.actor + (d.allowed ? " did " : " was refused ") + d.action +
                        " " + d.detail + " on " + d.subject);
    }
  }
  EXPECT_EQ(
      actions,
      (std::vector<std::string>{
          "actor-agent was refused GrantRole role 'supervisor' on actor 'actor-agent'",
          "root did GrantRole role 'supervisor' until 1970-01-01T00:00:50+00:00 on actor "
          "'actor-agent'",
          "root was refused GrantRole role 'supervisor' on actor 'zhao'",
          "actor-agent was refused GrantRole role 'agent' on actor 'nobody'",
          "root was refused GrantRole role 'auditor' on actor 'root'",
          "root was refused GrantRole role 'system' on actor 'actor-agent'",
          "root did RevokeRole role 'supervisor' on actor 'actor-agent'",
          "root did RevokeRole role 'supervisor' on actor 'actor-agent'"}));
}

TEST_F(AccessTest, ChecksOutsideTheEngine) {
  const uint32_t sup = AddActor("wang", "t1", {"D1"}, "supervisor");
  const uint32_t aud = AddActor("audit", "t1", {}, "auditor");

  AccessSubject d1;
  d1.department = "D1";
  AccessSubject d2;
  d2.department = "D2";
  AccessSubject agent2;
  agent2.agent = A(2);
  AccessSubject tenant1;
  tenant1.tenant = "t1";
  AccessSubject tenant2;
  tenant2.tenant = "t2";
  CCENGINE_EXPECT_OK(access_->Check(sup, Permission::kPiiUnmask, d1, At(1)));
  CCENGINE_EXPECT_OK(access_->Check(sup, Permission::kPiiUnmask, agent2, At(1)));
  CCENGINE_EXPECT_CODE(access_->Check(sup, Permission::kPiiUnmask, d2, At(1)),
                       kPermissionDenied);
  CCENGINE_EXPECT_CODE(access_->Check(sup, Permission::kAuditRead, tenant1, At(1)),
                       kPermissionDenied);
  CCENGINE_EXPECT_OK(access_->Check(aud, Permission::kAuditRead, tenant1, At(1)));
  CCENGINE_EXPECT_CODE(access_->Check(aud, Permission::kAuditRead, tenant2, At(1)),
                       kPermissionDenied);
  CCENGINE_EXPECT_CODE(access_->Check(aud, Permission::kPiiUnmask, tenant1, At(1)),
                       kPermissionDenied);
  AccessSubject unknown;
  unknown.department = "D9";
  CCENGINE_EXPECT_CODE(access_->Check(sup, Permission::kPiiUnmask, unknown, At(1)),
                       kInvalidArgument);
  // Every one of these is accountable: all were passed on, the bad one not.
  EXPECT_EQ(decisions_.size(), 7u);
}

TEST_F(AccessTest, APolicyMayReplaceABuiltInRoleAndAddItsOwn) {
  auto policy = AccessPolicy::Create(
      {{"agent",
        {{Permission::kAgentState, Scope::kSelf},
         {Permission::kOfferAnswer, Scope::kSelf}}},
       {"quality_inspector", {{Permission::kPiiUnmask, Scope::kTenant}}}},
      TestDepartments());
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ(policy->roles().size(), 7u);
  ASSERT_GE(policy->FindRole("quality_inspector"), 0);
  EXPECT_FALSE(
      policy->Grant(policy->FindRole("agent"), Permission::kContactTransfer).has_value());
  EXPECT_EQ(policy->Grant(policy->FindRole("agent"), Permission::kAgentState),
            Scope::kSelf);
  EXPECT_EQ(policy->DepartmentOfQueue(QueueId(2)), policy->FindDepartment("D2"));
  EXPECT_EQ(policy->DepartmentOfQueue(QueueId(4)), -1);
  EXPECT_EQ(policy->DepartmentOfQueue(QueueId(4000)), -1);
}

TEST_F(AccessTest, BadPoliciesAndActorsAreRefusedWithTheirName) {
  auto twice = AccessPolicy::Create({{"x", {}}, {"x", {}}}, {});
  EXPECT_EQ(twice.status().message(), "role 'x' defined twice");
  auto grant_twice = AccessPolicy::Create(
      {{"x",
        {{Permission::kAuditRead, Scope::kSelf}, {Permission::kAuditRead, Scope::kAll}}}},
      {});
  EXPECT_EQ(grant_twice.status().message(), "role 'x' grants audit.read twice");
  auto two_departments =
      AccessPolicy::Create({}, {{"A", "", {QueueId(1)}}, {"B", "", {QueueId(1)}}});
  EXPECT_EQ(two_departments.status().message(),
            "queue 1 is in two departments: 'A' and 'B'");
  auto empty = AccessPolicy::Create({}, {{"", "", {}}});
  EXPECT_EQ(empty.status().message(), "department: empty name");
  auto control = AccessPolicy::Create({{"a\nb", {}}}, {});
  EXPECT_EQ(control.status().message(), "role: a control character in the name");

  ActorSpec bad;
  bad.id = "x";
  bad.roles = {{"nope"}};
  EXPECT_EQ(access_->AddActor(bad).status().message(), "actor 'x': unknown role 'nope'");
  bad.roles = {{"agent"}, {"agent"}};
  EXPECT_EQ(access_->AddActor(bad).status().message(),
            "actor 'x': role 'agent' listed twice");
  bad.roles = {};
  bad.departments = {"D3"};
  EXPECT_EQ(access_->AddActor(bad).status().message(),
            "actor 'x' of tenant '': department 'D3' is of tenant 't2'");
  bad.departments = {};
  ASSERT_TRUE(access_->AddActor(bad).ok());
  CCENGINE_EXPECT_CODE(access_->AddActor(bad), kAlreadyExists);
  CCENGINE_EXPECT_CODE(access_->AssignAgent(A(1), "D9"), kInvalidArgument);
  CCENGINE_EXPECT_CODE(access_->RemoveActor("y"), kNotFound);
}

TEST_F(AccessTest, PermissionAndScopeNamesRoundTrip) {
  for (size_t i = 0; i < kPermissionCount; ++i) {
    const auto p = static_cast<Permission>(i);
    EXPECT_EQ(ParsePermission(PermissionName(p)), p);
  }
  for (Scope s : {Scope::kSelf, Scope::kDepartment, Scope::kTenant, Scope::kAll}) {
    EXPECT_EQ(ParseScope(ScopeName(s)), s);
  }
  EXPECT_FALSE(ParsePermission("agent.sate").has_value());
  EXPECT_FALSE(ParseScope("team").has_value());
}

TEST_F(AccessTest, AnActionThatCannotBeAuditedIsNotTaken) {
  access_->Attach(*engine_);
  const uint32_t sup = AddActor("wang", "t1", {"D1"}, "supervisor");
  const uint32_t lee = AddActor("agent");
  CCENGINE_ASSERT_OK(engine_->Login(A(2)));
  sink_error_ = absl::DataLossError("audit.log: disk full");
  const std::string before = State();
  const absl::Status forced =
      engine_->Apply(cmd::ForceAgentState{A(2), AgentState::kNotReady}, {.actor = sup});
  EXPECT_EQ(forced.code(), absl::StatusCode::kDataLoss) << forced;
  EXPECT_EQ(forced.message(),
            "ForceAgentState by 'wang' refused: its audit record could not be written: "
            "audit.log: disk full");
  EXPECT_EQ(State(), before);
  // What is not audited goes on; a logout is audited; a refusal stays one.
  CCENGINE_ASSERT_OK(engine_->Login(A(1)));
  CCENGINE_EXPECT_OK(engine_->Apply(cmd::SetNotReady{A(1)}, {.actor = lee}));
  CCENGINE_EXPECT_CODE(engine_->Apply(cmd::Logout{A(1)}, {.actor = lee}), kDataLoss);
  EXPECT_EQ(engine_->GetAgent(A(1))->state, AgentState::kNotReady);
  CCENGINE_EXPECT_CODE(engine_->Apply(cmd::SetNotReady{A(2)}, {.actor = lee}),
                       kPermissionDenied);
}

// A transfer needs its permission over the queue it goes to as well: under
// `self` any queue of the actor's tenant, under department scope the actor's
// departments, under tenant scope the tenant's.
TEST_F(AccessTest, ATransferIsJudgedAtItsDestinationToo) {
  struct Case {
    std::string role;
    uint32_t to;
    bool allowed;
  };
  // The contact is served by agent 1 (the actor's own) in queue 0 (D1, t1).
  const std::vector<Case> cases = {
      {"agent", 1, true},          {"agent", 2, true},
      {"agent", 3, false},         {"agent", 4, false},
      {"supervisor", 1, true},     {"supervisor", 2, false},
      {"supervisor", 3, false},    {"supervisor", 4, false},
      {"administrator", 1, true},  {"administrator", 2, true},
      {"administrator", 3, false}, {"administrator", 4, false},
      {"system", 3, true},         {"system", 4, true}};
  for (const Case& c : cases) {
    Reset(FixtureOptions());
    SetUp();
    const uint32_t actor = AddActor(c.role);
    RingAt(1, 0, 900);
    CCENGINE_ASSERT_OK(engine_->AcceptOffer(A(1), C(900)));
    access_->Attach(*engine_);
    const std::string before = State();
    const absl::Status s =
        engine_->Apply(cmd::Transfer{C(900), QueueId(c.to)}, {.actor = actor});
    if (c.allowed) {
      EXPECT_TRUE(s.ok()) << c.role << " to queue " << c.to << ": " << s;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied)
          << c.role << " to queue " << c.to << ": " << s;
      EXPECT_NE(
          s.message().find("contact 900 in queue 0 to queue " + std::to_string(c.to)),
          std::string_view::npos)
          << s;
      EXPECT_EQ(State(), before);
    }
    AccessControl::Detach(*engine_);
  }
}

TEST_F(AccessTest, AnErasureIsJudgedWhereverTheCustomerWasServed) {
  // The customer was served in queue 0 (D1, t1) and then in `second`; the
  // administrator of t1 may erase only while both are in its tenant.
  struct Case {
    uint32_t second;
    bool allowed;
  };
  for (const Case& c : std::vector<Case>{{1, true}, {2, true}, {3, false}, {4, false}}) {
    Reset(FixtureOptions());
    SetUp();
    const uint32_t admin = AddActor("administrator");
    RingAt(1, 0, 900);
    CCENGINE_ASSERT_OK(engine_->AcceptOffer(A(1), C(900)));
    CCENGINE_ASSERT_OK(engine_->CompleteContact(A(1), C(900)));
    CCENGINE_ASSERT_OK(engine_->Logout(A(1)));
    RingAt(2, c.second, 901);
    CCENGINE_ASSERT_OK(engine_->AcceptOffer(A(2), C(901)));
    CCENGINE_ASSERT_OK(engine_->CompleteContact(A(2), C(901)));
    ASSERT_EQ(engine_->customer_history_entries(), 2u);
    access_->Attach(*engine_);
    decisions_.clear();
    const std::string before = State();
    const absl::Status s =
        engine_->Apply(cmd::EraseCustomer{kCustomer}, {.actor = admin});
    ASSERT_EQ(decisions_.size(), 1u) << "pii.erase is supervisory: always recorded";
    EXPECT_EQ(decisions_[0].permission, Permission::kPiiErase);
    EXPECT_EQ(decisions_[0].subject.find(kCustomer), std::string::npos)
        << "the audit record names no erased data: " << decisions_[0].subject;
    if (c.allowed) {
      CCENGINE_EXPECT_OK(s);
      EXPECT_EQ(engine_->customer_history_entries(), 0u);
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
      EXPECT_EQ(s.message().find(kCustomer), std::string_view::npos) << s;
      EXPECT_EQ(State(), before);
    }
    AccessControl::Detach(*engine_);
  }
}

}  // namespace
}  // namespace ccengine::compliance
