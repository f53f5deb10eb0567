// The access policy: permission and scope names, the built-in roles, and
// the checks a policy's roles and departments pass.

#include "ccengine/compliance/access.h"

#include <algorithm>
#include <array>
#include <utility>

#include "compliance/access_names.h"
#include "fmt/format.h"

namespace ccengine::compliance {
namespace {

using internal::CheckAccessName;
using internal::Key;

constexpr std::array<std::string_view, kPermissionCount> kPermissionNames = {
    "agent.state",      "agent.force_state", "agent.manage",     "offer.answer",
    "contact.complete", "contact.add",       "contact.abandon",  "contact.callback",
    "contact.transfer", "contact.withdraw",  "contact.priority", "queue.manage",
    "routing.reload",   "access.manage",     "audit.read",       "pii.unmask",
    "pii.erase"};

constexpr std::array<std::string_view, 4> kScopeNames = {"self", "department", "tenant",
                                                         "all"};

std::vector<RoleDefinition> MakeBuiltInRoles() {
  using P = Permission;
  using S = Scope;
  std::vector<RoleDefinition> roles;
  roles.push_back({"agent",
                   {{P::kAgentState, S::kSelf},
                    {P::kOfferAnswer, S::kSelf},
                    {P::kContactComplete, S::kSelf},
                    {P::kContactTransfer, S::kSelf}}});
  roles.push_back({"team_lead",
                   {{P::kAgentState, S::kDepartment},
                    {P::kAgentForceState, S::kDepartment},
                    {P::kContactPriority, S::kDepartment}}});
  roles.push_back({"supervisor",
                   {{P::kAgentState, S::kDepartment},
                    {P::kAgentForceState, S::kDepartment},
                    {P::kAgentManage, S::kDepartment},
                    {P::kContactTransfer, S::kDepartment},
                    {P::kContactWithdraw, S::kDepartment},
                    {P::kContactPriority, S::kDepartment},
                    {P::kContactCallback, S::kDepartment},
                    {P::kQueueManage, S::kDepartment},
                    {P::kPiiUnmask, S::kDepartment}}});
  RoleDefinition admin{"administrator", {}};
  for (size_t i = 0; i < kPermissionCount; ++i) {
    const auto p = static_cast<Permission>(i);
    if (p == P::kAuditRead || p == P::kPiiUnmask) continue;  // separation of duties
    admin.grants.emplace_back(p, S::kTenant);
  }
  roles.push_back(std::move(admin));
  roles.push_back({"auditor", {{P::kAuditRead, S::kTenant}}});
  RoleDefinition system{"system", {}};
  for (size_t i = 0; i <= static_cast<size_t>(P::kContactPriority); ++i) {
    system.grants.emplace_back(static_cast<Permission>(i), S::kAll);
  }
  roles.push_back(std::move(system));
  return roles;
}

}  // namespace

namespace internal {

absl::Status CheckAccessName(std::string_view what, std::string_view name) {
  if (name.empty())
    return absl::InvalidArgumentError(fmt::format("{}: empty name", what));
  if (name.size() > kMaxAccessNameBytes) {
    return absl::InvalidArgumentError(fmt::format("{} '{}…': name longer than {} bytes",
                                                  what, name.substr(0, 32),
                                                  kMaxAccessNameBytes));
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          fmt::format("{}: a control character in the name", what));
    }
  }
  return absl::OkStatus();
}

}  // namespace internal

std::string_view PermissionName(Permission permission) {
  return kPermissionNames[static_cast<size_t>(permission)];
}

std::optional<Permission> ParsePermission(std::string_view name) {
  for (size_t i = 0; i < kPermissionCount; ++i) {
    if (kPermissionNames[i] == name) return static_cast<Permission>(i);
  }
  return std::nullopt;
}

std::string_view ScopeName(Scope scope) {
  return kScopeNames[static_cast<size_t>(scope)];
}

std::optional<Scope> ParseScope(std::string_view name) {
  for (size_t i = 0; i < kScopeNames.size(); ++i) {
    if (kScopeNames[i] == name) return static_cast<Scope>(i);
  }
  return std::nullopt;
}

Permission RequiredPermission(const Command& command) {
  return std::visit(
      [](const auto& c) -> Permission {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, cmd::AddAgent> ||
                      std::is_same_v<T, cmd::RemoveAgent>)
          return Permission::kAgentManage;
        else if constexpr (std::is_same_v<T, cmd::Login> ||
                           std::is_same_v<T, cmd::Logout> ||
                           std::is_same_v<T, cmd::SetReady> ||
                           std::is_same_v<T, cmd::SetNotReady> ||
                           std::is_same_v<T, cmd::EndWrapUp>)
          return Permission::kAgentState;
        else if constexpr (std::is_same_v<T, cmd::ForceAgentState>)
          return Permission::kAgentForceState;
        else if constexpr (std::is_same_v<T, cmd::AcceptOffer> ||
                           std::is_same_v<T, cmd::RejectOffer>)
          return Permission::kOfferAnswer;
        else if constexpr (std::is_same_v<T, cmd::CompleteContact>)
          return Permission::kContactComplete;
        else if constexpr (std::is_same_v<T, cmd::AddContact>)
          return Permission::kContactAdd;
        else if constexpr (std::is_same_v<T, cmd::Abandon>)
          return Permission::kContactAbandon;
        else if constexpr (std::is_same_v<T, cmd::RequestCallback>)
          return Permission::kContactCallback;
        else if constexpr (std::is_same_v<T, cmd::Transfer>)
          return Permission::kContactTransfer;
        else if constexpr (std::is_same_v<T, cmd::Withdraw>)
          return Permission::kContactWithdraw;
        else if constexpr (std::is_same_v<T, cmd::SetPriority>)
          return Permission::kContactPriority;
        else
          return Permission::kPiiErase;
      },
      command);
}

// --- AccessPolicy --------------------------------------------------------------

const std::vector<RoleDefinition>& AccessPolicy::BuiltInRoles() {
  static const auto* roles = new std::vector<RoleDefinition>(MakeBuiltInRoles());
  return *roles;
}

AccessPolicy AccessPolicy::BuiltIn() { return Create({}, {}).value(); }

absl::StatusOr<AccessPolicy> AccessPolicy::Create(
    std::vector<RoleDefinition> roles, std::vector<Department> departments,
    std::vector<std::string> personal_fields) {
  if (roles.size() > kMaxRoles) {
    return absl::InvalidArgumentError(
        fmt::format("{} roles: at most {}", roles.size(), kMaxRoles));
  }
  if (departments.size() > kMaxDepartments) {
    return absl::InvalidArgumentError(
        fmt::format("{} departments: at most {}", departments.size(), kMaxDepartments));
  }
  AccessPolicy policy;
  // The built-in roles first, each replaced by a given role of its name.
  absl::flat_hash_map<std::string, size_t> given;
  for (size_t i = 0; i < roles.size(); ++i) {
    const std::string& name = roles[i].name;
    if (absl::Status s = CheckAccessName("role", name); !s.ok()) return s;
    if (!given.emplace(name, i).second) {
      return absl::InvalidArgumentError(fmt::format("role '{}' defined twice", name));
    }
  }
  std::vector<bool> used(roles.size(), false);
  for (const RoleDefinition& builtin : BuiltInRoles()) {
    auto it = given.find(builtin.name);
    if (it == given.end()) {
      policy.roles_.push_back(builtin);
    } else {
      policy.roles_.push_back(std::move(roles[it->second]));
      used[it->second] = true;
    }
  }
  for (size_t i = 0; i < roles.size(); ++i) {
    if (!used[i]) policy.roles_.push_back(std::move(roles[i]));
  }
  if (policy.roles_.size() > kMaxRoles) {
    return absl::InvalidArgumentError(fmt::format(
        "{} roles with the built-in ones: at most {}", policy.roles_.size(), kMaxRoles));
  }
  policy.grants_.resize(policy.roles_.size());
  for (size_t r = 0; r < policy.roles_.size(); ++r) {
    const RoleDefinition& role = policy.roles_[r];
    for (const auto& [permission, scope] : role.grants) {
      const auto p = static_cast<size_t>(permission);
      if (p >= kPermissionCount || static_cast<size_t>(scope) >= kScopeNames.size()) {
        return absl::InvalidArgumentError(
            fmt::format("role '{}': a permission or scope out of range", role.name));
      }
      if (policy.grants_[r][p].has_value()) {
        return absl::InvalidArgumentError(fmt::format(
            "role '{}' grants {} twice", role.name, PermissionName(permission)));
      }
      policy.grants_[r][p] = scope;
    }
    policy.role_index_.emplace(role.name, static_cast<int>(r));
  }
  for (size_t d = 0; d < departments.size(); ++d) {
    const Department& dept = departments[d];
    if (absl::Status s = CheckAccessName("department", dept.name); !s.ok()) return s;
    if (!dept.tenant.empty()) {
      if (absl::Status s = CheckAccessName(
              fmt::format("department '{}': tenant", dept.name), dept.tenant);
          !s.ok()) {
        return s;
      }
    }
    if (!policy.department_index_.emplace(dept.name, static_cast<int>(d)).second) {
      return absl::InvalidArgumentError(
          fmt::format("department '{}' defined twice", dept.name));
    }
    for (QueueId q : dept.queues) {
      const size_t index = q.value();
      if (index >= policy.queue_department_.size()) {
        if (index > (size_t{1} << 24)) {
          return absl::InvalidArgumentError(
              fmt::format("department '{}': queue {} out of range", dept.name, index));
        }
        policy.queue_department_.resize(index + 1, -1);
      }
      if (policy.queue_department_[index] >= 0) {
        return absl::InvalidArgumentError(fmt::format(
            "queue {} is in two departments: '{}' and '{}'", index,
            departments[static_cast<size_t>(policy.queue_department_[index])].name,
            dept.name));
      }
      policy.queue_department_[index] = static_cast<int>(d);
    }
  }
  policy.departments_ = std::move(departments);
  absl::StatusOr<Masker> masker = Masker::Create(personal_fields);
  if (!masker.ok()) return masker.status();
  policy.masker_ = *std::move(masker);
  policy.personal_fields_ = std::move(personal_fields);
  return policy;
}

AccessSubject AccessPolicy::SubjectOfQueue(QueueId queue, std::string description) const {
  AccessSubject subject;
  const int d = DepartmentOfQueue(queue);
  if (d >= 0) {
    const Department& dept = departments_[static_cast<size_t>(d)];
    subject.department = dept.name;
    subject.tenant = dept.tenant;
  }
  subject.description = std::move(description);
  return subject;
}

int AccessPolicy::FindRole(std::string_view name) const {
  auto it = role_index_.find(Key(name));
  return it == role_index_.end() ? -1 : it->second;
}

int AccessPolicy::FindDepartment(std::string_view name) const {
  auto it = department_index_.find(Key(name));
  return it == department_index_.end() ? -1 : it->second;
}

int AccessPolicy::DepartmentOfQueue(QueueId queue) const {
  const size_t index = queue.value();
  return index < queue_department_.size() ? queue_department_[index] : -1;
}

}  // namespace ccengine::compliance
