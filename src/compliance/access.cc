// Roles and scopes: the actor registry and the decision for each command
// (the policy's tables are access_policy.cc).

#include "ccengine/compliance/access.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "common/status_macros.h"
#include "compliance/access_names.h"
#include "fmt/format.h"

namespace ccengine::compliance {
namespace {

using internal::CheckAccessName;
using internal::Key;

// A grant of department or tenant scope reaches past the actor's own queues
// into a part of the center: every use of it is audited.
bool AuditedScope(Scope scope) {
  return scope == Scope::kDepartment || scope == Scope::kTenant;
}

// Permissions whose every use a supervisor or administrator answers for.
bool Supervisory(Permission p) {
  switch (p) {
    case Permission::kAgentForceState:
    case Permission::kAgentManage:
    case Permission::kContactTransfer:
    case Permission::kContactWithdraw:
    case Permission::kContactPriority:
    case Permission::kQueueManage:
    case Permission::kRoutingReload:
    case Permission::kAccessManage:
    case Permission::kAuditRead:
    case Permission::kPiiUnmask:
    case Permission::kPiiErase: return true;
    default: return false;
  }
}

// The roles in force at `at`, comma-separated in the order given.
std::string JoinRolesInForce(const ActorSpec& spec, absl::Time at) {
  std::string roles;
  for (const RoleAssignment& r : spec.roles) {
    if (!(at < r.until)) continue;
    if (!roles.empty()) roles += ",";
    roles += r.role;
  }
  return roles;
}

// A fast word: bits 0..kMaskBits-1 the permissions allowed everywhere
// without an audit record, the bits above the whole seconds since the Unix
// epoch before which that holds. Seconds round down (the word may expire up
// to a second early, never late) and are clamped to [0, kMaxSeconds].
constexpr int kMaskBits = 20;
static_assert(kPermissionCount <= kMaskBits);
constexpr uint64_t kMaxSeconds = (uint64_t{1} << (64 - kMaskBits)) - 1;

uint64_t WholeSeconds(absl::Time t) {
  const int64_t s = absl::ToUnixSeconds(t);
  if (s <= 0) return 0;
  return std::min(static_cast<uint64_t>(s), kMaxSeconds);
}

}  // namespace

// --- AccessControl ---------------------------------------------------------------

// Fast words by actor number, in chunks allocated as numbers are issued and
// never moved or freed before the table: a reader takes no lock. Numbers
// beyond kChunks * kChunkWords have no word and are always decided in full.
class AccessControl::FastTable {
 public:
  static constexpr size_t kChunkWords = 1024;
  static constexpr size_t kChunks = 1024;

  // mu_ held (one writer at a time).
  void Store(uint32_t number, uint64_t word) {
    const size_t c = number / kChunkWords;
    if (c >= kChunks) return;
    std::atomic<uint64_t>* chunk = chunks_[c].load(std::memory_order_relaxed);
    if (chunk == nullptr) {
      owned_.push_back(std::make_unique<std::atomic<uint64_t>[]>(kChunkWords));
      chunk = owned_.back().get();
      chunks_[c].store(chunk, std::memory_order_release);
    }
    chunk[number % kChunkWords].store(word, std::memory_order_release);
  }

  // 0 (nothing allowed) for a number without a word.
  uint64_t Load(uint32_t number) const {
    const size_t c = number / kChunkWords;
    if (c >= kChunks) return 0;
    const std::atomic<uint64_t>* chunk = chunks_[c].load(std::memory_order_acquire);
    return chunk == nullptr ? 0
                            : chunk[number % kChunkWords].load(std::memory_order_acquire);
  }

 private:
  std::array<std::atomic<std::atomic<uint64_t>*>, kChunks> chunks_{};
  std::vector<std::unique_ptr<std::atomic<uint64_t>[]>> owned_;
};

struct AccessControl::Actor {
  ActorSpec spec;
  std::vector<int> departments;  // policy indexes
  std::vector<int> roles;        // policy indexes, parallel to spec.roles
};

// What a command or check touches: up to two places (a transfer's queues),
// and the agent a `self` grant must be.
// A department (-1: none) and its tenant: what a scope is judged on.
struct AccessControl::Place {
  int department = -1;
  std::string_view tenant;
};

struct AccessControl::Target {
  // A target is filled where it is decided and never copied: a place's
  // tenant may point into tenant_storage.
  absl::InlinedVector<Place, 2> places;
  std::string tenant_storage;
  // `self` covers places[0] when the actor is this agent; places after the
  // first then need only be in the actor's tenant.
  std::optional<AgentId> self;
  bool self_never = false;  // no `self` for this kind of command
  // A command's target is described from the command (only when a decision
  // is passed on or refused); other targets carry their words.
  const Command* command = nullptr;
  std::optional<QueueId> contact_queue;  // a contact command's contact, if live
  std::string subject;
  std::string detail;
  std::string veto;  // why a decision its grants allow is refused all the same
  Target() = default;
  Target(const Target&) = delete;
  Target& operator=(const Target&) = delete;
};

AccessControl::AccessControl(AccessPolicy policy)
    : policy_(std::move(policy)), fast_(std::make_unique<FastTable>()) {}
AccessControl::~AccessControl() = default;

absl::StatusOr<uint32_t> AccessControl::AddActor(ActorSpec spec) {
  if (absl::Status s = CheckAccessName("actor", spec.id); !s.ok()) return s;
  if (!spec.tenant.empty()) {
    if (absl::Status s =
            CheckAccessName(fmt::format("actor '{}': tenant", spec.id), spec.tenant);
        !s.ok()) {
      return s;
    }
  }
  auto actor = std::make_unique<Actor>();
  for (const std::string& d : spec.departments) {
    const int index = policy_.FindDepartment(d);
    if (index < 0) {
      return absl::InvalidArgumentError(
          fmt::format("actor '{}': unknown department '{}'", spec.id, d));
    }
    const Department& dept = policy_.departments()[static_cast<size_t>(index)];
    if (dept.tenant != spec.tenant) {
      return absl::InvalidArgumentError(
          fmt::format("actor '{}' of tenant '{}': department '{}' is of tenant '{}'",
                      spec.id, spec.tenant, d, dept.tenant));
    }
    actor->departments.push_back(index);
  }
  for (const RoleAssignment& r : spec.roles) {
    const int index = policy_.FindRole(r.role);
    if (index < 0) {
      return absl::InvalidArgumentError(
          fmt::format("actor '{}': unknown role '{}'", spec.id, r.role));
    }
    if (std::find(actor->roles.begin(), actor->roles.end(), index) !=
        actor->roles.end()) {
      return absl::InvalidArgumentError(
          fmt::format("actor '{}': role '{}' listed twice", spec.id, r.role));
    }
    actor->roles.push_back(index);
  }
  actor->spec = std::move(spec);
  std::lock_guard<std::mutex> lock(mu_);
  if (actor_index_.contains(actor->spec.id)) {
    return absl::AlreadyExistsError(
        fmt::format("actor '{}' is registered already", actor->spec.id));
  }
  if (actors_.size() >= UINT32_MAX - 1) {
    return absl::ResourceExhaustedError("no actor numbers left");
  }
  const auto number = static_cast<uint32_t>(actors_.size() + 1);
  actor_index_.emplace(actor->spec.id, number);
  actors_.push_back(std::move(actor));
  Publish(number, actors_.back().get());
  return number;
}

absl::Status AccessControl::RemoveActor(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = actor_index_.find(Key(id));
  if (it == actor_index_.end()) {
    return absl::NotFoundError(fmt::format("unknown actor '{}'", id));
  }
  actors_[it->second - 1].reset();
  Publish(it->second, nullptr);
  actor_index_.erase(it);
  return absl::OkStatus();
}

absl::StatusOr<uint32_t> AccessControl::FindActor(std::string_view id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = actor_index_.find(Key(id));
  if (it == actor_index_.end()) {
    return absl::NotFoundError(fmt::format("unknown actor '{}'", id));
  }
  return it->second;
}

absl::StatusOr<ActorSpec> AccessControl::GetActor(uint32_t actor) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (actor == 0 || actor > actors_.size() || actors_[actor - 1] == nullptr) {
    return absl::NotFoundError(fmt::format("unknown actor {}", actor));
  }
  return actors_[actor - 1]->spec;
}

absl::StatusOr<std::string> AccessControl::RolesInForce(std::string_view id,
                                                        absl::Time at) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = actor_index_.find(Key(id));
  if (it == actor_index_.end()) {
    return absl::NotFoundError(fmt::format("unknown actor '{}'", id));
  }
  return JoinRolesInForce(actors_[it->second - 1]->spec, at);
}

void AccessControl::Publish(uint32_t number, const Actor* actor) {
  uint64_t word = 0;
  if (actor != nullptr) {
    // Every role counts, expired or not, and the word holds only until the
    // first of them expires: before then all are in force.
    absl::Time until = absl::InfiniteFuture();
    for (const RoleAssignment& r : actor->spec.roles) until = std::min(until, r.until);
    uint64_t mask = 0;
    for (size_t p = 0; p < kPermissionCount; ++p) {
      const auto permission = static_cast<Permission>(p);
      if (Supervisory(permission)) continue;
      bool everywhere = false;
      bool audited_scope = false;
      for (int role : actor->roles) {
        const std::optional<Scope> grant = policy_.Grant(role, permission);
        everywhere = everywhere || grant == Scope::kAll;
        audited_scope = audited_scope || (grant.has_value() && AuditedScope(*grant));
      }
      if (everywhere && !audited_scope) mask |= uint64_t{1} << p;
    }
    if (mask != 0) word = (WholeSeconds(until) << kMaskBits) | mask;
  }
  fast_->Store(number, word);
}

bool AccessControl::AllowedEverywhere(uint32_t actor, Permission permission,
                                      absl::Time now) const {
  const uint64_t word = fast_->Load(actor);
  return ((word >> static_cast<int>(permission)) & 1) != 0 &&
         WholeSeconds(now) < (word >> kMaskBits);
}

absl::Status AccessControl::AssignAgent(AgentId agent, std::string_view department) {
  int index = -1;
  if (!department.empty()) {
    index = policy_.FindDepartment(department);
    if (index < 0) {
      return absl::InvalidArgumentError(
          fmt::format("unknown department '{}'", department));
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (index < 0) {
    agent_department_.erase(agent.value());
  } else {
    agent_department_[agent.value()] = index;
  }
  return absl::OkStatus();
}

void AccessControl::SetDecisionSink(DecisionSink sink) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::swap(sink_, sink);
  }
  // The old sink is destroyed here, without the lock: its captures may call
  // back (a Python callable's finalizer).
}

void AccessControl::Attach(Engine& engine) {
  engine.SetAuthorizer([this](const Engine& e, const Command& c, const CommandOrigin& o) {
    return Authorize(e, c, o.actor);
  });
}

void AccessControl::Detach(Engine& engine) { engine.SetAuthorizer(nullptr); }

AccessControl::Place AccessControl::PlaceOfDepartment(int department) const {
  Place p;
  p.department = department;
  if (department >= 0)
    p.tenant = policy_.departments()[static_cast<size_t>(department)].tenant;
  return p;
}

AccessControl::Place AccessControl::PlaceOfAgent(AgentId agent) const {
  auto it = agent_department_.find(agent.value());
  return PlaceOfDepartment(it == agent_department_.end() ? -1 : it->second);
}

void AccessControl::CommandTarget(const Engine& engine, const Command& command,
                                  Target& t) const {
  auto queue_place = [&](QueueId queue) {
    return PlaceOfDepartment(policy_.DepartmentOfQueue(queue));
  };
  t.command = &command;
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, cmd::AddAgent>) {
          t.places.push_back(PlaceOfAgent(c.config.id));
          t.self_never = true;
        } else if constexpr (std::is_same_v<T, cmd::AddContact>) {
          t.places.push_back(queue_place(c.spec.queue));
          t.self_never = true;
        } else if constexpr (std::is_same_v<T, cmd::EraseCustomer>) {
          // Wherever the customer was served, as the engine remembers it.
          // Remembered nowhere: no place, so any scope of pii.erase will do —
          // there is nothing of anyone's to erase, and asking again after an
          // erasure must not be refused.
          absl::StatusOr<std::vector<CustomerContact>> history =
              engine.CustomerHistory(c.customer_id);
          if (history.ok()) {
            for (const CustomerContact& h : *history)
              t.places.push_back(queue_place(h.queue));
          }
          t.self_never = true;
        } else if constexpr (requires { c.agent; }) {
          // Agent commands, and offer answers and completions, which are the
          // agent's own business whatever the contact.
          t.places.push_back(PlaceOfAgent(c.agent));
          t.self = c.agent;
          t.self_never = std::is_same_v<T, cmd::RemoveAgent>;
        } else {
          absl::StatusOr<ContactPlace> where = engine.LocateContact(c.contact);
          if (where.ok()) {
            t.places.push_back(queue_place(where->queue));
            t.self = where->agent;
            t.contact_queue = where->queue;
          } else {
            t.places.push_back(PlaceOfDepartment(-1));
          }
          if constexpr (std::is_same_v<T, cmd::Transfer>)
            t.places.push_back(queue_place(c.to));
        }
      },
      command);
}

// What a command touches, in words: "agent 7", "contact 12 in queue 3 to
// queue 5".
std::string AccessControl::Subject(const Target& t) {
  if (t.command == nullptr) return t.subject;
  return std::visit(
      [&](const auto& c) -> std::string {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, cmd::AddAgent>) {
          return fmt::format("agent {}", c.config.id.value());
        } else if constexpr (std::is_same_v<T, cmd::AddContact>) {
          return fmt::format("contact {} into queue {}", c.spec.id.value(),
                             c.spec.queue.value());
        } else if constexpr (std::is_same_v<T, cmd::EraseCustomer>) {
          // Never the customer's id: the audit trail keeps no erased data.
          return std::string("one customer's contact history");
        } else if constexpr (requires { c.agent; }) {
          if constexpr (requires { c.contact; }) {
            return fmt::format("agent {}, contact {}", c.agent.value(),
                               c.contact.value());
          } else {
            return fmt::format("agent {}", c.agent.value());
          }
        } else {
          std::string out = t.contact_queue.has_value()
                                ? fmt::format("contact {} in queue {}", c.contact.value(),
                                              t.contact_queue->value())
                                : fmt::format("contact {}", c.contact.value());
          if constexpr (std::is_same_v<T, cmd::Transfer>) {
            out += fmt::format(" to queue {}", c.to.value());
          }
          return out;
        }
      },
      *t.command);
}

absl::Status AccessControl::Authorize(const Engine& engine, const Command& command,
                                      uint32_t actor) {
  const Permission permission = RequiredPermission(command);
  const bool session = std::holds_alternative<cmd::Login>(command) ||
                       std::holds_alternative<cmd::Logout>(command);
  // Allowed everywhere and unaudited: where the command reaches, the sink and
  // the words of the decision do not matter.
  if (!session && AllowedEverywhere(actor, permission, engine.Now())) {
    return absl::OkStatus();
  }
  Target target;
  std::unique_lock<std::mutex> lock(mu_);
  CommandTarget(engine, command, target);
  return Decide(std::move(lock), actor, permission, target, CommandName(command),
                engine.Now(), session);
}

absl::Status AccessControl::Check(uint32_t actor, Permission permission,
                                  const AccessSubject& subject, absl::Time now) {
  Target target;
  target.subject = subject.description;
  std::unique_lock<std::mutex> lock(mu_);
  if (subject.agent.has_value()) {
    target.places.push_back(PlaceOfAgent(*subject.agent));
    target.self = subject.agent;
  } else if (subject.department.has_value()) {
    const int d = policy_.FindDepartment(*subject.department);
    if (d < 0) {
      return absl::InvalidArgumentError(
          fmt::format("unknown department '{}'", *subject.department));
    }
    target.places.push_back(PlaceOfDepartment(d));
    target.self_never = true;
  } else {
    target.places.push_back({-1, subject.tenant});
    target.self_never = true;
  }
  if (target.subject.empty()) target.subject = "the tenant's data";
  return Decide(std::move(lock), actor, permission, target, PermissionName(permission),
                now, false);
}

absl::Status AccessControl::Decide(std::unique_lock<std::mutex> lock,
                                   uint32_t actor_number, Permission permission,
                                   const Target& target, std::string_view action,
                                   absl::Time now, bool session) {
  // The verdict is reached without building a string; the decision's words
  // are written only for a refusal or a decision the sink is to receive.
  AccessDecision decision;
  DecisionSink sink;
  {
    const Actor* actor = actor_number >= 1 && actor_number <= actors_.size()
                             ? actors_[actor_number - 1].get()
                             : nullptr;
    std::optional<Scope> used;  // the narrowest scope that allowed it
    int expired = -1;           // a role that would have allowed it, had it not expired
    if (actor != nullptr) {
      const ActorSpec& spec = actor->spec;
      auto in_tenant = [&](size_t from) {
        for (size_t i = from; i < target.places.size(); ++i) {
          if (target.places[i].tenant != spec.tenant) return false;
        }
        return true;
      };
      auto covers = [&](Scope scope) {
        switch (scope) {
          case Scope::kAll: return true;
          case Scope::kTenant: return in_tenant(0);
          case Scope::kDepartment:
            for (const Place& place : target.places) {
              if (place.department < 0 ||
                  std::find(actor->departments.begin(), actor->departments.end(),
                            place.department) == actor->departments.end()) {
                return false;
              }
            }
            return true;
          case Scope::kSelf:
            return !target.self_never && target.self.has_value() &&
                   spec.agent.has_value() && *spec.agent == *target.self && in_tenant(1);
        }
        return false;
      };
      for (size_t i = 0; i < actor->roles.size(); ++i) {
        const std::optional<Scope> grant = policy_.Grant(actor->roles[i], permission);
        if (!grant.has_value() || !covers(*grant)) continue;
        if (!(now < spec.roles[i].until)) {
          if (expired < 0) expired = static_cast<int>(i);
          continue;
        }
        if (!used.has_value() || static_cast<int>(*grant) < static_cast<int>(*used)) {
          used = grant;
        }
      }
    }
    if (used.has_value() && !target.veto.empty()) used.reset();
    const bool allowed = used.has_value();
    const bool audited =
        !allowed || Supervisory(permission) || session || AuditedScope(*used);
    if (allowed && !(audited && sink_)) return absl::OkStatus();

    decision.at = now;
    decision.permission = permission;
    decision.action = std::string(action);
    decision.subject = Subject(target);
    decision.detail = target.detail;
    decision.allowed = allowed;
    if (actor == nullptr) {
      decision.actor = fmt::format("#{}", actor_number);
      decision.status = absl::UnauthenticatedError(
          actor_number == 0
              ? fmt::format("{}: no actor named (access control is on)", action)
              : fmt::format("{}: unknown actor {}", action, actor_number));
    } else {
      const ActorSpec& spec = actor->spec;
      decision.actor = spec.id;
      decision.roles = JoinRolesInForce(spec, now);
      if (!allowed) {
        const std::string why =
            !target.veto.empty() ? target.veto
            : expired < 0
                ? std::string("no role of theirs grants it there")
                : fmt::format(
                      "role '{}' expired at {}",
                      spec.roles[static_cast<size_t>(expired)].role,
                      absl::FormatTime(spec.roles[static_cast<size_t>(expired)].until,
                                       absl::UTCTimeZone()));
        decision.status = absl::PermissionDeniedError(
            fmt::format("actor '{}' lacks {} for {} on {}: {}", spec.id,
                        PermissionName(permission), action, decision.subject, why));
      }
    }
    if (audited) sink = sink_;
  }
  lock.unlock();
  if (sink) {
    absl::Status recorded = sink(decision);
    if (!recorded.ok() && decision.allowed) {
      // Fail closed: what cannot be accounted for is not done.
      return absl::Status(recorded.code(),
                          fmt::format("{} by '{}' refused: its audit record could not be "
                                      "written: {}",
                                      action, decision.actor,
                                      std::string(recorded.message())));
    }
  }
  return decision.status;
}

std::optional<Scope> AccessControl::HeldScope(const Actor& actor, Permission permission,
                                              absl::Time now) const {
  std::optional<Scope> widest;
  for (size_t i = 0; i < actor.roles.size(); ++i) {
    if (!(now < actor.spec.roles[i].until)) continue;
    const std::optional<Scope> grant = policy_.Grant(actor.roles[i], permission);
    if (grant.has_value() && (!widest.has_value() || *grant > *widest)) widest = grant;
  }
  return widest;
}

absl::Status AccessControl::ChangeRoles(uint32_t by, std::string_view actor,
                                        std::string_view action, std::string_view detail,
                                        int granted_role, absl::Time now,
                                        const std::function<void(Actor&)>& change) {
  Target target;
  target.self_never = true;
  target.subject = fmt::format("actor '{}'", actor);
  target.detail = std::string(detail);
  std::unique_lock<std::mutex> lock(mu_);
  const Actor* granter =
      by >= 1 && by <= actors_.size() ? actors_[by - 1].get() : nullptr;
  const std::optional<Scope> held =
      granter == nullptr ? std::nullopt
                         : HeldScope(*granter, Permission::kAccessManage, now);
  const bool manages = held.has_value();
  const Scope manage_scope = held.value_or(Scope::kSelf);
  auto it = actor_index_.find(Key(actor));
  uint32_t number = 0;
  if (it == actor_index_.end()) {
    // Only those who manage access learn which actors exist; anyone else is
    // refused (and audited) as for any actor.
    if (manages) {
      return absl::NotFoundError(fmt::format("unknown actor '{}'", actor));
    }
    target.places.push_back({-1, ""});
  } else {
    number = it->second;
    const Actor& subject = *actors_[number - 1];
    // Department tenants are the actor's (AddActor checks): the views stay
    // valid while the target lives.
    target.tenant_storage = subject.spec.tenant;
    for (int d : subject.departments) target.places.push_back({d, target.tenant_storage});
    if (target.places.empty()) target.places.push_back({-1, target.tenant_storage});
    if (manages) {
      if (number == by) {
        target.veto = "no one changes their own roles";
      } else if (granted_role >= 0) {
        for (const auto& [permission, scope] :
             policy_.roles()[static_cast<size_t>(granted_role)].grants) {
          if (scope > manage_scope) {
            target.veto = fmt::format(
                "the role grants {} at scope {}, wider than their access.manage ({})",
                PermissionName(permission), ScopeName(scope), ScopeName(manage_scope));
            break;
          }
        }
      }
    }
  }
  CCENGINE_RETURN_IF_ERROR(
      Decide(std::move(lock), by, Permission::kAccessManage, target, action, now, false));
  // The decision was about actor `number`; the sink ran without the lock.
  std::lock_guard<std::mutex> relock(mu_);
  it = actor_index_.find(Key(actor));
  if (it == actor_index_.end() || it->second != number) {
    return absl::AbortedError(
        fmt::format("actor '{}' was removed while the change was decided", actor));
  }
  change(*actors_[number - 1]);
  Publish(number, actors_[number - 1].get());
  return absl::OkStatus();
}

absl::Status AccessControl::GrantRole(uint32_t by, std::string_view actor,
                                      RoleAssignment role, absl::Time now) {
  const int index = policy_.FindRole(role.role);
  if (index < 0) {
    return absl::InvalidArgumentError(fmt::format("unknown role '{}'", role.role));
  }
  const std::string detail =
      role.until == absl::InfiniteFuture()
          ? fmt::format("role '{}'", role.role)
          : fmt::format("role '{}' until {}", role.role,
                        absl::FormatTime(role.until, absl::UTCTimeZone()));
  return ChangeRoles(by, actor, "GrantRole", detail, index, now, [&](Actor& a) {
    for (size_t i = 0; i < a.roles.size(); ++i) {
      if (a.roles[i] == index) {
        a.spec.roles[i].until = role.until;
        return;
      }
    }
    a.roles.push_back(index);
    a.spec.roles.push_back(std::move(role));
  });
}

absl::Status AccessControl::RevokeRole(uint32_t by, std::string_view actor,
                                       std::string_view role, absl::Time now) {
  const int index = policy_.FindRole(role);
  if (index < 0)
    return absl::InvalidArgumentError(fmt::format("unknown role '{}'", role));
  return ChangeRoles(
      by, actor, "RevokeRole", fmt::format("role '{}'", role), -1, now, [&](Actor& a) {
        for (size_t i = 0; i < a.roles.size(); ++i) {
          if (a.roles[i] != index) continue;
          a.roles.erase(a.roles.begin() + static_cast<std::ptrdiff_t>(i));
          a.spec.roles.erase(a.spec.roles.begin() + static_cast<std::ptrdiff_t>(i));
          return;
        }
      });
}

}  // namespace ccengine::compliance
