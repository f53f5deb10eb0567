// compliance::AccessControl: every command under every built-in role at
// every reach, judged against a table written here from the documented role
// model (docs/compliance.md#roles-and-scopes), not read from the policy; a
// refusal changes nothing (the engine's saved state is byte-identical). Then
// role changes, checks outside the engine, policies, auditing, and the
// commands judged in two places (a transfer, an erasure). The actors, the
// decision sink and the system role's traffic: access_actor_test.cc.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
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
