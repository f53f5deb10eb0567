// -----------------------------------------------------------------------------
// File: bindings/python/register_access.cc
// -----------------------------------------------------------------------------
//
// ccengine.AccessControl: roles and scopes on every command
// (ccengine/compliance/access.h), and the actor on Engine's commands
// (Engine.actor, Engine.attach_access). Refusals raise CcengineError with
// code PERMISSION_DENIED or UNAUTHENTICATED and the engine's message.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccengine/compliance/access.h"
#include "ccengine/config/routing_file.h"
#include "common.h"
#include "engine_binding.h"
#include "fmt/format.h"

namespace ccengine::python {
namespace {

using compliance::AccessControl;
using compliance::AccessDecision;
using compliance::AccessPolicy;
using compliance::ActorSpec;
using compliance::RoleAssignment;

compliance::Permission ToPermission(const std::string& name) {
  std::optional<compliance::Permission> p = compliance::ParsePermission(name);
  if (!p.has_value()) RaiseInvalid(fmt::format("unknown permission '{}'", name));
  return *p;
}

// "supervisor", or ("supervisor", until_s).
RoleAssignment ToRole(py::handle value, const std::string& path) {
  RoleAssignment role;
  if (py::isinstance<py::str>(value)) {
    role.role = value.cast<std::string>();
    return role;
  }
  py::list pair = ToList(value, path);
  if (pair.size() != 2) {
    RaiseInvalid(fmt::format("{}: a role name or (name, until_s), got {} items", path,
                             pair.size()));
  }
  role.role = ToString(pair[0], Index(path, 0));
  role.until = ToTime(ToDouble(pair[1], Index(path, 1)), Index(path, 1));
  return role;
}

py::dict DecisionToDict(const AccessDecision& d) {
  py::dict out;
  out["at_s"] = SecondsSinceEpoch(d.at);
  out["actor"] = d.actor;
  out["roles"] = d.roles;
  out["permission"] = std::string(compliance::PermissionName(d.permission));
  out["action"] = d.action;
  out["subject"] = d.subject;
  out["detail"] = d.detail;
  out["allowed"] = d.allowed;
  out["message"] = std::string(d.status.message());
  return out;
}

py::dict ActorToDict(const ActorSpec& a) {
  py::dict out;
  out["id"] = a.id;
  out["tenant"] = a.tenant;
  out["departments"] = a.departments;
  out["agent"] =
      a.agent.has_value() ? py::object(py::int_(a.agent->value())) : py::none();
  py::list roles;
  for (const RoleAssignment& r : a.roles) {
    roles.append(
        py::make_tuple(r.role, r.until == absl::InfiniteFuture()
                                   ? py::object(py::none())
                                   : py::object(py::float_(SecondsSinceEpoch(r.until)))));
  }
  out["roles"] = roles;
  return out;
}

}  // namespace

void RegisterAccess(py::module_& m, py::object engine_class) {
  using namespace pybind11::literals;
  using Handle = std::shared_ptr<AccessControl>;
  py::class_<AccessControl, Handle> cls(m, "AccessControl",
                                        R"doc(Roles and scopes on every command.

Who may do what to which part of the center (docs/compliance.md#roles-and-scopes):
roles grant permissions ("agent.state", "contact.transfer", "pii.unmask", ...)
at a scope ("self", "department", "tenant", "all"); departments group queues
in tenants. An engine with access attached (Engine.attach_access) refuses,
deny by default, each command whose actor (Engine.actor) lacks the command's
permission over what it touches: CcengineError with code PERMISSION_DENIED
naming the missing permission, or UNAUTHENTICATED for no or an unknown actor;
nothing changes.

Example:
    access = ccengine.AccessControl(routing)       # the file's departments and roles
    chen = access.add_actor("chen", tenant="12345", departments=["外语组"],
                            roles=["supervisor"])
    e.attach_access(access)
    e.actor = chen
    e.withdraw(7)                                  # or CcengineError PERMISSION_DENIED
)doc");
  cls.def(py::init([](const py::object& routing) {
            if (routing.is_none())
              return std::make_shared<AccessControl>(AccessPolicy::BuiltIn());
            if (!py::isinstance<config::RoutingConfig>(routing)) {
              throw py::type_error("routing: expected a RoutingFile or None, got " +
                                   TypeName(routing));
            }
            return std::make_shared<AccessControl>(
                routing.cast<const config::RoutingConfig&>().access_policy());
          }),
          "routing"_a = py::none(),
          "The built-in roles, with the departments and roles of a RoutingFile's "
          "\"access\" section when given.");
  cls.def(
      "add_actor",
      [](AccessControl& a, const std::string& id, const std::string& tenant,
         const std::vector<std::string>& departments, const py::object& agent,
         const py::object& roles) {
        ActorSpec spec;
        spec.id = id;
        spec.tenant = tenant;
        spec.departments = departments;
        if (!agent.is_none()) spec.agent = AgentId(ToId(agent, "agent"));
        py::list items = ToList(roles, "roles");
        for (size_t i = 0; i < items.size(); ++i) {
          spec.roles.push_back(ToRole(items[i], Index("roles", i)));
        }
        return Unwrap(a.AddActor(std::move(spec)));
      },
      "id"_a, py::kw_only(), "tenant"_a = "",
      "departments"_a = std::vector<std::string>{}, "agent"_a = py::none(),
      "roles"_a = py::list(),
      R"doc(Registers an actor; returns its number (for Engine.actor). `roles`: names,
or (name, until_s) pairs for a role that expires. ValueError for an unknown
role or department; CcengineError ALREADY_EXISTS for an id registered.)doc");
  cls.def(
      "remove_actor",
      [](AccessControl& a, const std::string& id) { Check(a.RemoveActor(id)); }, "id"_a,
      "The actor's number stops working at once. KeyError for an unknown id.");
  cls.def(
      "find_actor",
      [](const AccessControl& a, const std::string& id) {
        return Unwrap(a.FindActor(id));
      },
      "id"_a, "The actor's number. KeyError for an unknown id.");
  cls.def(
      "actor",
      [](const AccessControl& a, uint32_t number) {
        return ActorToDict(Unwrap(a.GetActor(number)));
      },
      "number"_a,
      "The actor as a dict: id, tenant, departments, agent, roles [(name, until_s)].");
  cls.def(
      "assign_agent",
      [](AccessControl& a, const py::object& agent, const std::string& department) {
        Check(a.AssignAgent(AgentId(ToId(agent, "agent")), department));
      },
      "agent"_a, "department"_a,
      "Puts an agent in a department (\"\": none), the scope its commands are judged "
      "in.");
  cls.def(
      "grant_role",
      [](AccessControl& a, uint32_t by, const std::string& actor, const std::string& role,
         std::optional<double> until_s, double now_s) {
        RoleAssignment r;
        r.role = role;
        if (until_s.has_value()) r.until = ToTime(*until_s, "until_s");
        Check(a.GrantRole(by, actor, std::move(r), ToTime(now_s, "now_s")));
      },
      "by"_a, "actor"_a, "role"_a, py::kw_only(), "until_s"_a = py::none(), "now_s"_a,
      "Actor number `by` grants `role` to actor id `actor` (access.manage needed).");
  cls.def(
      "revoke_role",
      [](AccessControl& a, uint32_t by, const std::string& actor, const std::string& role,
         double now_s) { Check(a.RevokeRole(by, actor, role, ToTime(now_s, "now_s"))); },
      "by"_a, "actor"_a, "role"_a, py::kw_only(), "now_s"_a,
      "Actor number `by` revokes `role` from actor id `actor` (access.manage needed).");
  cls.def(
      "check",
      [](AccessControl& a, uint32_t actor, const std::string& permission, double now_s,
         const py::object& department, const py::object& agent,
         const std::string& tenant) {
        compliance::AccessSubject subject;
        if (!department.is_none())
          subject.department = ToString(department, "department");
        if (!agent.is_none()) subject.agent = AgentId(ToId(agent, "agent"));
        subject.tenant = tenant;
        Check(a.Check(actor, ToPermission(permission), subject, ToTime(now_s, "now_s")));
      },
      "actor"_a, "permission"_a, py::kw_only(), "now_s"_a, "department"_a = py::none(),
      "agent"_a = py::none(), "tenant"_a = "",
      R"doc(Raises unless actor number `actor` may use `permission` ("pii.unmask",
"audit.read", ...) on a department's, an agent's or a tenant's data at now_s.)doc");
  cls.def(
      "set_decision_sink",
      [](AccessControl& a, const py::object& sink) {
        if (sink.is_none()) {
          a.SetDecisionSink(nullptr);
          return;
        }
        if (!PyCallable_Check(sink.ptr())) {
          throw py::type_error("sink: expected a callable or None, got " +
                               TypeName(sink));
        }
        auto held = std::make_shared<py::object>(sink);
        a.SetDecisionSink([held](const AccessDecision& d) -> absl::Status {
          py::gil_scoped_acquire gil;
          try {
            (*held)(DecisionToDict(d));
          } catch (py::error_already_set& e) {
            return absl::InternalError(
                fmt::format("the decision sink raised: {}", e.what()));
          }
          return absl::OkStatus();
        });
      },
      "sink"_a,
      R"doc(Calls sink(decision_dict) for every refusal and every decision someone
answers for (supervisory commands, logins and logouts, department or tenant
grants, role changes). A sink that raises refuses an allowed action. The
sink runs inside the engine's command: it must not call the engine. The
AccessControl holds the sink; a sink that refers back to the AccessControl
or the engine keeps both alive until set_decision_sink(None).)doc");
  cls.def_property_readonly(
      "roles",
      [](const AccessControl& a) {
        py::dict out;
        for (const compliance::RoleDefinition& r : a.policy().roles()) {
          py::dict grants;
          for (const auto& [p, s] : r.grants) {
            grants[py::str(std::string(compliance::PermissionName(p)))] =
                std::string(compliance::ScopeName(s));
          }
          out[py::str(r.name)] = grants;
        }
        return out;
      },
      "{role: {permission: scope}} of the policy.");

  auto engine = py::reinterpret_borrow<py::class_<PyEngine>>(engine_class);
  engine.def(
      "attach_access",
      [](PyEngine& e, const Handle& access) {
        if (access == nullptr) {
          AccessControl::Detach(e.engine());
          e.set_access(nullptr);
          return;
        }
        access->Attach(e.engine());
        e.set_access(access);
      },
      "access"_a,
      R"doc(Every command from now on is authorized by `access` (None: no longer):
refused, changing nothing, unless Engine.actor may have it carried out.)doc");
  engine.def_property(
      "actor", [](const PyEngine& e) { return e.actor(); },
      [](PyEngine& e, uint32_t actor) { e.set_actor(actor); },
      "The actor number (AccessControl.add_actor) this engine's commands are sent as; "
      "0: none.");
}

}  // namespace ccengine::python
