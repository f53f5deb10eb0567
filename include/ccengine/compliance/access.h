// -----------------------------------------------------------------------------
// File: ccengine/compliance/access.h
// -----------------------------------------------------------------------------
//
// Roles and scopes (权限分级): who may do what to which part of the center.
// Every command names its sender (`CommandOrigin::actor`); an
// `AccessControl` attached to an engine refuses, deny by default, any
// command whose actor holds no role granting the command's permission over
// what the command touches.
//
// The model.
//   permission  one per kind of command (agent.state, contact.transfer, …)
//               and per guarded read or change outside the engine
//               (pii.unmask, audit.read, routing.reload, access.manage, …):
//               `Permission` below
//   scope       how far a grant reaches: self (the actor's own agent and the
//               contacts offered to or served by it), department (the
//               departments the actor belongs to), tenant (the actor's
//               tenant), all
//   department  a group of queues (a queue belongs to at most one) in a
//               tenant; an agent belongs to the department it is assigned
//               to (`AssignAgent`); a queue or agent outside every
//               department belongs to the default tenant "" and no
//               department
//   role        a named set of grants, each a permission at one scope; the
//               built-in roles (docs/compliance.md#roles-and-scopes) are
//               agent, team_lead, supervisor, administrator, auditor and
//               system; a policy may add roles and replace the built-in
//               ones
//   actor       a person or a system (a telephony bridge, the simulator)
//               with an id, a tenant, departments, optionally the agent it
//               is, and roles, each held until a time (an expired role
//               grants nothing)
//
// A command needs its permission over everything it touches: an agent
// command the agent, a contact command the contact's queue (and for a
// transfer also the queue it goes to), an offer answer or a completion the
// agent. `self` covers an agent command on the actor's own agent and a
// contact command on a contact offered to or served by it; a transfer under
// `self` may send the contact to any queue of the actor's tenant.
//
// Refusals. No actor, or one never issued or since removed:
// Unauthenticated ("unknown actor 17"). Otherwise PermissionDenied naming
// the permission that is missing and where, and why (no role grants it
// there, or the role that would have granted it expired at …). A refused
// command changes nothing.
//
// Audit. A decision sink (`SetDecisionSink`) receives every refusal, and
// every allowed decision a supervisor or an administrator is accountable
// for: a supervisory permission (agent.force_state, agent.manage,
// contact.transfer, contact.withdraw, contact.priority, queue.manage,
// routing.reload, access.manage, audit.read, pii.unmask, pii.erase), a login
// or logout, and any command allowed by a grant of department or tenant
// scope. The center's traffic is not passed when allowed under scope self or
// all (the system role): agent.state other than logging in or out,
// offer.answer, contact.complete, contact.add, contact.abandon,
// contact.callback. When the sink cannot record an allowed decision, the
// command is refused (fail closed). The audit adapter's
// `audit::AccessAuditSink` writes decisions to the audit trail.
//
// Thread safety: an `AccessPolicy` is immutable once made and may be shared.
// An `AccessControl` is thread-safe: actors may be added, changed and
// removed from any thread while the router thread authorizes commands; each
// decision sees the actors as they were at one instant. A command that an
// actor's roles allow everywhere without an audit record (the system role's
// traffic) is decided without taking the lock. The decision sink is
// called on the deciding thread, with no lock held.
//
// Example:
//   auto policy = AccessPolicy::Create({}, {{"热线一部", "12345", {QueueId(0)}}});
//   AccessControl access(*policy);
//   uint32_t lee = access.AddActor({.id = "li.lei", .tenant = "12345",
//                                   .departments = {"热线一部"}, .agent = AgentId(7),
//                                   .roles = {{"agent"}}}).value();
//   access.Attach(engine);
//   engine.Apply(cmd::SetReady{AgentId(7)}, {.actor = lee});   // allowed
//   engine.Apply(cmd::SetReady{AgentId(8)}, {.actor = lee});   // PermissionDenied

#ifndef CCENGINE_COMPLIANCE_ACCESS_H_
#define CCENGINE_COMPLIANCE_ACCESS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/compliance/pii.h"
#include "ccengine/core/commands.h"
#include "ccengine/core/engine.h"
#include "ccengine/core/types.h"

namespace ccengine::compliance {

enum class Permission : uint8_t {
  kAgentState,       // login, logout, ready, not ready, end wrap-up
  kAgentForceState,  // a supervisor's force-state
  kAgentManage,      // add and remove agents
  kOfferAnswer,      // accept or reject an offer
  kContactComplete,  // finish a contact's service
  kContactAdd,       // a contact arrives
  kContactAbandon,   // the caller hangs up
  kContactCallback,  // the caller asks for a callback
  kContactTransfer,
  kContactWithdraw,
  kContactPriority,
  kQueueManage,    // change a queue's settings
  kRoutingReload,  // load a new routing file
  kAccessManage,   // actors and their roles
  kAuditRead,      // read the audit trail
  kPiiUnmask,      // see personal data unmasked
  kPiiErase,       // carry out a customer's erasure request
};
inline constexpr size_t kPermissionCount = 17;

// "agent.state", "contact.transfer", …
std::string_view PermissionName(Permission permission);
std::optional<Permission> ParsePermission(std::string_view name);

enum class Scope : uint8_t { kSelf, kDepartment, kTenant, kAll };
std::string_view ScopeName(Scope scope);  // "self", "department", "tenant", "all"
std::optional<Scope> ParseScope(std::string_view name);

// The permission a command needs.
Permission RequiredPermission(const Command& command);

struct RoleDefinition {
  std::string name;
  std::vector<std::pair<Permission, Scope>> grants;  // each permission once
};

struct Department {
  std::string name;
  std::string tenant;  // "" the default tenant
  std::vector<QueueId> queues;
};

inline constexpr size_t kMaxAccessNameBytes = 128;  // roles, departments, actors, tenants
inline constexpr size_t kMaxRoles = 256;
inline constexpr size_t kMaxDepartments = 4096;

// What a guarded read or change outside the engine touches (`Check`).
struct AccessSubject {
  std::optional<AgentId> agent;           // an agent's data
  std::optional<std::string> department;  // a department's data
  std::string tenant;                     // else the tenant's ("" the default)
  std::string description;                // for the audit record
};

// The roles and departments: what each role may do, which queues make up
// each department; and which contact fields are personal as a whole (what
// `pii.unmask` uncovers).
class AccessPolicy {
 public:
  // The built-in roles, replaced by any of `roles` with the same name, then
  // the rest of `roles`; `departments` as given; `personal_fields` as for
  // `Masker::Create`. InvalidArgument (naming the role, department or field)
  // for an empty, over-long or duplicate name, a permission granted twice in
  // a role, a queue in two departments, or more than kMaxRoles roles or
  // kMaxDepartments departments.
  static absl::StatusOr<AccessPolicy> Create(
      std::vector<RoleDefinition> roles, std::vector<Department> departments,
      std::vector<std::string> personal_fields = {});
  // The built-in roles only, no departments.
  static AccessPolicy BuiltIn();
  static const std::vector<RoleDefinition>& BuiltInRoles();

  const std::vector<RoleDefinition>& roles() const { return roles_; }
  const std::vector<Department>& departments() const { return departments_; }
  const std::vector<std::string>& personal_fields() const { return personal_fields_; }
  // Masks what leaves the engine: the personal fields whole, other values'
  // free text by the detectors.
  const Masker& masker() const { return masker_; }
  // Indexes into roles() / departments(), or -1.
  int FindRole(std::string_view name) const;
  int FindDepartment(std::string_view name) const;
  // The department queue `queue` belongs to, or -1.
  int DepartmentOfQueue(QueueId queue) const;
  // A queue's data (a contact in it) as a `Check` subject: its department
  // and that department's tenant, or the default tenant.
  AccessSubject SubjectOfQueue(QueueId queue, std::string description) const;
  // The scope at which role `role` grants `permission`, if it does.
  std::optional<Scope> Grant(int role, Permission permission) const {
    return grants_[static_cast<size_t>(role)][static_cast<size_t>(permission)];
  }

 private:
  std::vector<RoleDefinition> roles_;
  std::vector<Department> departments_;
  std::vector<std::array<std::optional<Scope>, kPermissionCount>> grants_;
  absl::flat_hash_map<std::string, int> role_index_;
  absl::flat_hash_map<std::string, int> department_index_;
  std::vector<int> queue_department_;  // by queue index; -1 none
  std::vector<std::string> personal_fields_;
  Masker masker_;
};

struct RoleAssignment {
  std::string role;
  absl::Time until = absl::InfiniteFuture();  // grants nothing from then on
};

struct ActorSpec {
  std::string id;      // login name: 1..128 bytes, no control characters
  std::string tenant;  // "" the default tenant
  std::vector<std::string> departments;  // names in the policy
  std::optional<AgentId> agent;          // the agent this actor is, for `self`
  std::vector<RoleAssignment> roles;     // names in the policy, each once
};

// One decision, for the audit trail.
struct AccessDecision {
  absl::Time at;      // the engine's clock (or the time given)
  std::string actor;  // the actor's id; "#17" for an unknown number
  std::string roles;  // the actor's roles in force, comma-separated
  Permission permission;
  std::string action;   // the command ("Transfer", "GrantRole") or the permission
  std::string subject;  // what it touches: "agent 7", "contact 12 in queue 3"
  std::string detail;   // a role change's role: "role 'supervisor' until …"
  bool allowed = false;
  absl::Status status;  // the refusal; OK when allowed
};

class AccessControl {
 public:
  explicit AccessControl(AccessPolicy policy);
  ~AccessControl();
  AccessControl(const AccessControl&) = delete;
  AccessControl& operator=(const AccessControl&) = delete;

  const AccessPolicy& policy() const { return policy_; }

  // Registers an actor and returns its number (1, 2, …, never reused).
  // InvalidArgument for a bad id, an unknown role or department, a role
  // listed twice; AlreadyExists for an id already registered; nothing
  // changes on error.
  absl::StatusOr<uint32_t> AddActor(ActorSpec spec);
  // The actor's number stops working at once. NotFound for an unknown id.
  absl::Status RemoveActor(std::string_view id);
  // NotFound for an unknown id.
  absl::StatusOr<uint32_t> FindActor(std::string_view id) const;
  absl::StatusOr<ActorSpec> GetActor(uint32_t actor) const;
  // The roles actor `id` holds at `at`, comma-separated in the order they
  // were given ("" for none): what a decision records as the actor's roles.
  // NotFound for an unknown id.
  absl::StatusOr<std::string> RolesInForce(std::string_view id, absl::Time at) const;

  // Role changes made by actor `by`, who needs access.manage over the
  // target actor's tenant (tenant or all scope) or its departments
  // (department scope); audited as decisions. No one changes their own
  // roles, and a role granted may not grant anything at a scope wider than
  // the granter's access.manage (a tenant's administrator cannot hand out
  // `system`'s scope all): both PermissionDenied. Granting a role the policy
  // does not have is InvalidArgument; granting one held replaces its expiry;
  // revoking one not held changes nothing. An unknown target is NotFound
  // only to those who manage access (others are refused as for any actor);
  // a target removed while the change was decided, Aborted.
  absl::Status GrantRole(uint32_t by, std::string_view actor, RoleAssignment role,
                         absl::Time now);
  absl::Status RevokeRole(uint32_t by, std::string_view actor, std::string_view role,
                          absl::Time now);

  // Puts agent `agent` in department `department` ("" none): the scope its
  // commands are judged in. Like AddActor, an act of the identity system
  // that feeds this object, not of an actor: not checked, not audited.
  // InvalidArgument for an unknown department.
  absl::Status AssignAgent(AgentId agent, std::string_view department);

  // May `actor` have `command` carried out on `engine` as it stands at
  // engine.Now()? OK, Unauthenticated or PermissionDenied (see above). An
  // agent is judged by its department (AssignAgent) whether or not the
  // engine knows it (so AddAgent is judged in the new agent's department); a
  // contact the engine does not know, as one outside every department (the
  // engine then refuses the command itself).
  absl::Status Authorize(const Engine& engine, const Command& command, uint32_t actor);
  // May `actor` use `permission` on `subject` at `now`? (pii.unmask,
  // audit.read, routing.reload, …)
  absl::Status Check(uint32_t actor, Permission permission, const AccessSubject& subject,
                     absl::Time now);

  // Makes `engine` authorize every command it applies through this object
  // (Engine::SetAuthorizer); this object must outlive the engine's use of
  // it. Detach removes it.
  void Attach(Engine& engine);
  static void Detach(Engine& engine);

  // The sink's error for an allowed decision refuses it after all (fail
  // closed: an action that cannot be recorded is not taken), with the
  // sink's code and a message naming the action. An allowed decision is
  // passed before the engine carries the command out (the engine may still
  // refuse it for its own reasons). The sink runs inside Engine::Apply on
  // the router thread: it must not call into the engine.
  using DecisionSink = std::function<absl::Status(const AccessDecision&)>;
  void SetDecisionSink(DecisionSink sink);

 private:
  struct Actor;
  struct Place;
  struct Target;
  class FastTable;
  // The center's traffic decided without the lock: is `permission` one that
  // `actor` may use anywhere at `now` without an audit record (held at scope
  // all, by no role at department or tenant scope, every role in force)?
  // False means "decide in full", not "refused".
  bool AllowedEverywhere(uint32_t actor, Permission permission, absl::Time now) const;
  // Publishes actor `number`'s word for AllowedEverywhere (`actor` null:
  // removed); mu_ held.
  void Publish(uint32_t number, const Actor* actor);
  // Decides with `lock` (on mu_) held; releases it before calling the sink.
  absl::Status Decide(std::unique_lock<std::mutex> lock, uint32_t actor,
                      Permission permission, const Target& target,
                      std::string_view action, absl::Time now, bool session);
  static std::string Subject(const Target& target);
  // With mu_ held.
  void CommandTarget(const Engine& engine, const Command& command, Target& out) const;
  // Where a department (-1: none) or, with mu_ held, an agent is.
  Place PlaceOfDepartment(int department) const;
  Place PlaceOfAgent(AgentId agent) const;
  // `granted_role`: the policy index of the role granted, -1 for a revoke.
  absl::Status ChangeRoles(uint32_t by, std::string_view actor, std::string_view action,
                           std::string_view detail, int granted_role, absl::Time now,
                           const std::function<void(Actor&)>& change);
  // The widest scope at which `actor` holds `permission` through a role in
  // force at `now`; mu_ held.
  std::optional<Scope> HeldScope(const Actor& actor, Permission permission,
                                 absl::Time now) const;

  const AccessPolicy policy_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Actor>> actors_;  // by number - 1; null once removed
  absl::flat_hash_map<std::string, uint32_t> actor_index_;
  absl::flat_hash_map<uint64_t, int> agent_department_;  // agent id -> department
  DecisionSink sink_;
  std::unique_ptr<FastTable> fast_;  // written with mu_ held, read without
};

}  // namespace ccengine::compliance

#endif  // CCENGINE_COMPLIANCE_ACCESS_H_
