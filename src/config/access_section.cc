#include "config/access_section.h"

#include <map>
#include <utility>
#include <vector>

#include "fmt/format.h"

namespace ccengine::config::internal {
namespace {

using compliance::AccessPolicy;
using compliance::Department;
using compliance::Permission;
using compliance::RoleDefinition;
using compliance::Scope;

constexpr size_t kMaxPersonalFields = 256;

std::vector<std::string_view> PermissionNames() {
  std::vector<std::string_view> names;
  for (size_t i = 0; i < compliance::kPermissionCount; ++i) {
    names.push_back(compliance::PermissionName(static_cast<Permission>(i)));
  }
  return names;
}

// A name of the section's own (a role, a department, a tenant): as the
// policy takes it.
bool AccessName(DocumentReader& reader, const Node* n, const Node& missing,
                std::string_view pointer, std::string* out) {
  if (!reader.Name(n, missing, pointer, out)) return false;
  if (out->size() > compliance::kMaxAccessNameBytes) {
    reader.Error(*n, pointer,
                 fmt::format("at most {} bytes, got {}", compliance::kMaxAccessNameBytes,
                             out->size()));
    return false;
  }
  return true;
}

std::vector<Department> ReadDepartments(DocumentReader& reader, const Node& node,
                                        const std::string& pointer,
                                        const QueueRefFn& queue_ref) {
  std::vector<Department> departments;
  if (!reader.Expect(node, pointer, Node::Kind::kArray)) return departments;
  if (node.items.size() > compliance::kMaxDepartments) {
    reader.Error(node, pointer,
                 fmt::format("at most {} departments, got {}",
                             compliance::kMaxDepartments, node.items.size()));
    return departments;
  }
  std::map<std::string, size_t, std::less<>> seen;
  std::map<uint32_t, std::string> queue_owner;
  for (size_t i = 0; i < node.items.size(); ++i) {
    const Node& item = node.items[i];
    DocumentReader::Fields f(reader, item, Index(pointer, i),
                             {"name", "tenant", "queues"});
    if (!f.ok()) continue;
    Department d;
    if (!AccessName(reader, f.Get("name"), item, f.Path("name"), &d.name)) continue;
    if (!seen.emplace(d.name, i).second) {
      reader.Error(*f.Get("name"), f.Path("name"),
                   fmt::format("department \"{}\" is declared twice", d.name));
      continue;
    }
    if (const Node* tenant = f.Get("tenant")) {
      AccessName(reader, tenant, item, f.Path("tenant"), &d.tenant);
    }
    if (const Node* queues = f.Get("queues");
        queues != nullptr &&
        reader.Expect(*queues, f.Path("queues"), Node::Kind::kArray)) {
      for (size_t q = 0; q < queues->items.size(); ++q) {
        const std::string path = Index(f.Path("queues"), q);
        QueueId queue;
        if (!queue_ref(&queues->items[q], path, &queue)) continue;
        auto [owner, fresh] = queue_owner.emplace(queue.value(), d.name);
        if (!fresh) {
          reader.Error(queues->items[q], path,
                       fmt::format("the queue is in department \"{}\" already: a queue "
                                   "belongs to one department",
                                   owner->second));
          continue;
        }
        d.queues.push_back(queue);
      }
    }
    departments.push_back(std::move(d));
  }
  return departments;
}

std::vector<RoleDefinition> ReadRoles(DocumentReader& reader, const Node& node,
                                      const std::string& pointer) {
  std::vector<RoleDefinition> roles;
  if (!reader.Expect(node, pointer, Node::Kind::kArray)) return roles;
  if (node.items.size() > compliance::kMaxRoles) {
    reader.Error(node, pointer,
                 fmt::format("at most {} roles, got {}", compliance::kMaxRoles,
                             node.items.size()));
    return roles;
  }
  static const std::vector<std::string_view> kPermissions = PermissionNames();
  static const std::vector<std::string_view> kScopes = {"self", "department", "tenant",
                                                        "all"};
  std::map<std::string, size_t, std::less<>> seen;
  for (size_t i = 0; i < node.items.size(); ++i) {
    const Node& item = node.items[i];
    DocumentReader::Fields f(reader, item, Index(pointer, i), {"name", "grants"});
    if (!f.ok()) continue;
    RoleDefinition role;
    if (!AccessName(reader, f.Get("name"), item, f.Path("name"), &role.name)) continue;
    if (!seen.emplace(role.name, i).second) {
      reader.Error(*f.Get("name"), f.Path("name"),
                   fmt::format("role \"{}\" is declared twice", role.name));
      continue;
    }
    const Node* grants = f.Get("grants");
    if (grants == nullptr) {
      reader.Error(item, f.Path("grants"),
                   "missing \"grants\": {\"permission\": \"scope\", …} ({} for none)");
      continue;
    }
    if (!reader.Expect(*grants, f.Path("grants"), Node::Kind::kObject)) continue;
    for (const auto& [name, scope_node] : grants->members) {
      const std::string path = Child(f.Path("grants"), name);
      const std::optional<Permission> permission = compliance::ParsePermission(name);
      if (!permission.has_value()) {
        reader.Error(scope_node, path,
                     fmt::format("unknown permission \"{}\"{}", name,
                                 reader.Suggest(scope_node, name, kPermissions)));
        continue;
      }
      std::string scope_name;
      if (!reader.String(&scope_node, path, &scope_name)) continue;
      const std::optional<Scope> scope = compliance::ParseScope(scope_name);
      if (!scope.has_value()) {
        reader.Error(scope_node, path,
                     fmt::format("unknown scope \"{}\" (self, department, tenant or "
                                 "all){}",
                                 scope_name,
                                 reader.Suggest(scope_node, scope_name, kScopes)));
        continue;
      }
      role.grants.emplace_back(*permission, *scope);
    }
    roles.push_back(std::move(role));
  }
  return roles;
}

// Contact attributes (or "customer_id") whose values are personal as a
// whole: masked to their first character wherever they leave the engine.
std::vector<std::string> ReadPersonalFields(DocumentReader& reader, const Node& node,
                                            const std::string& pointer) {
  std::vector<std::string> fields;
  if (!reader.Expect(node, pointer, Node::Kind::kArray)) return fields;
  if (node.items.size() > kMaxPersonalFields) {
    reader.Error(node, pointer,
                 fmt::format("at most {} personal fields, got {}", kMaxPersonalFields,
                             node.items.size()));
    return fields;
  }
  std::map<std::string, size_t, std::less<>> seen;
  for (size_t i = 0; i < node.items.size(); ++i) {
    std::string name;
    const std::string path = Index(pointer, i);
    if (!AccessName(reader, &node.items[i], node, path, &name)) continue;
    if (!seen.emplace(name, i).second) {
      reader.Error(node.items[i], path,
                   fmt::format("field \"{}\" is listed twice", name));
      continue;
    }
    fields.push_back(std::move(name));
  }
  return fields;
}

}  // namespace

AccessPolicy ReadAccessSection(DocumentReader& reader, const Node& node,
                               const std::string& pointer, const QueueRefFn& queue_ref) {
  DocumentReader::Fields f(reader, node, pointer,
                           {"departments", "roles", "personal_fields"});
  if (!f.ok()) return AccessPolicy::BuiltIn();
  std::vector<Department> departments;
  if (const Node* d = f.Get("departments")) {
    departments = ReadDepartments(reader, *d, f.Path("departments"), queue_ref);
  }
  std::vector<RoleDefinition> roles;
  if (const Node* r = f.Get("roles")) roles = ReadRoles(reader, *r, f.Path("roles"));
  std::vector<std::string> personal;
  if (const Node* p = f.Get("personal_fields")) {
    personal = ReadPersonalFields(reader, *p, f.Path("personal_fields"));
  }
  absl::StatusOr<AccessPolicy> policy =
      AccessPolicy::Create(std::move(roles), std::move(departments), std::move(personal));
  if (!policy.ok()) {
    // What the reading above does not catch (a name the policy refuses).
    reader.Error(node, pointer, std::string(policy.status().message()));
    return AccessPolicy::BuiltIn();
  }
  return *std::move(policy);
}

}  // namespace ccengine::config::internal
