// The daemon's routing file (ccengine/kamailio/routing.h).

#include "ccengine/kamailio/routing.h"

#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ccengine/config/expression.h"
#include "fmt/format.h"

#ifdef CCENGINE_KAMAILIO_HAVE_YAML
#include "ccengine/yaml/routing_yaml.h"
#endif

namespace ccengine::kamailio {
namespace {

// Kamailio's own timer decides when a ringing agent has not answered; an
// engine offer timeout would offer the call to a second agent while the
// first still rings.
absl::Status CheckForKamailio(const config::RoutingConfig& routing) {
  for (const QueueConfig& q : routing.queues()) {
    if (q.offer_timeout != absl::InfiniteDuration()) {
      return absl::InvalidArgumentError(fmt::format(
          "{}: queue '{}': offer_timeout_s must be null under Kamailio (its fr_inv_timer "
          "decides no-answer), got {}",
          routing.source_name(), q.name, absl::FormatDuration(q.offer_timeout)));
    }
  }
  return absl::OkStatus();
}

// A decimal number as a person writes one: an optional sign, digits, an
// optional fraction and exponent. Not hex, "inf", "nan" or ".5", which
// absl::SimpleAtod would also read.
bool IsDecimal(std::string_view text) {
  size_t i = 0;
  const auto digits = [&] {
    const size_t start = i;
    while (i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i])))
      ++i;
    return i > start;
  };
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  if (!digits()) return false;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    if (!digits()) return false;
  }
  return i == text.size();
}

// Sets the fact `name` from a header's text, read as its attribute's type;
// returns why not ("" when set).
std::string SetHeaderFact(const config::RoutingConfig& routing,
                          config::Bindings& bindings, const std::string& name,
                          const std::string& text) {
  const std::optional<config::AttributeId> id = routing.schema().Find(name);
  if (!id.has_value()) return "not an attribute of the routing file";
  if (routing.IsContactFact(*id)) return "set by the engine from the call";
  switch (routing.schema().type(*id)) {
    case config::ValueType::kString: bindings.SetString(*id, text); return "";
    case config::ValueType::kNumber: {
      double value = 0;
      if (!IsDecimal(text) || !absl::SimpleAtod(text, &value) || !std::isfinite(value)) {
        return "not a finite decimal number";
      }
      bindings.SetNumber(*id, value);
      return "";
    }
    case config::ValueType::kBool:
      if (text != "true" && text != "false") return "not true or false";
      bindings.SetBool(*id, text == "true");
      return "";
    case config::ValueType::kStringList: {
      std::vector<std::string> items;
      for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipEmpty())) {
        items.emplace_back(absl::StripAsciiWhitespace(item));
      }
      if (!bindings.SetStringList(*id, items)) return "too many items";
      return "";
    }
  }
  return "of an unknown type";
}

// The file in JSON, or in YAML when its name ends in .yaml or .yml.
absl::StatusOr<config::RoutingConfig> LoadFile(const std::string& path) {
#ifdef CCENGINE_KAMAILIO_HAVE_YAML
  return yaml::LoadRoutingFileAnySyntax(path);
#else
  if (absl::EndsWith(path, ".yaml") || absl::EndsWith(path, ".yml")) {
    return absl::FailedPreconditionError(
        fmt::format("{}: this daemon was built without libyaml (adapters/yaml); write "
                    "the routing file "
                    "as JSON",
                    path));
  }
  return config::LoadRoutingFile(path);
#endif
}

bool SameCapacity(const Capacity& a, const Capacity& b) {
  return a.max_per_channel == b.max_per_channel &&
         a.load_per_contact == b.load_per_contact && a.load_budget == b.load_budget &&
         a.exclusive == b.exclusive;
}

}  // namespace

DaemonRouting::DaemonRouting(Engine& engine, std::string path,
                             std::unique_ptr<config::RoutingVersions> versions)
    : engine_(engine),
      path_(std::move(path)),
      versions_(std::move(versions)),
      current_(versions_->current()) {}

absl::StatusOr<std::unique_ptr<DaemonRouting>> DaemonRouting::Start(Engine& engine,
                                                                    std::string path) {
  absl::StatusOr<config::RoutingConfig> first = LoadFile(path);
  if (!first.ok()) return first.status();
  if (absl::Status st = CheckForKamailio(*first); !st.ok()) return st;
  absl::StatusOr<std::unique_ptr<config::RoutingVersions>> versions =
      config::RoutingVersions::Start(engine, *std::move(first));
  if (!versions.ok()) return versions.status();
  return std::unique_ptr<DaemonRouting>(
      new DaemonRouting(engine, std::move(path), *std::move(versions)));
}

std::optional<config::FlowTarget> DaemonRouting::Route(
    std::string_view service, absl::Time now,
    const std::vector<std::pair<std::string, std::string>>& facts,
    std::string* ignored) const {
  if (ignored != nullptr) ignored->clear();
  std::shared_ptr<const config::RoutingConfig> routing;
  {
    std::lock_guard<std::mutex> lock(mu_);
    routing = current_;
  }
  if (const config::EntryFlow* flow = routing->FindFlow(service)) {
    config::Bindings bindings(routing->schema());
    std::vector<std::string> refused;
    for (const auto& [name, text] : facts) {
      if (std::string why = SetHeaderFact(*routing, bindings, name, text); !why.empty()) {
        refused.push_back(fmt::format("'{}' ({})", name, why));
      }
    }
    if (ignored != nullptr && !refused.empty()) {
      *ignored = absl::StrJoin(refused, ", ");
    }
    routing->SetContactFacts(bindings, Channel::kVoice, now);
    return flow->Route(bindings);
  }
  if (std::optional<QueueId> queue = routing->FindQueue(service)) {
    config::FlowTarget target;
    target.queue = *queue;
    return target;
  }
  return std::nullopt;
}

absl::Status DaemonRouting::LoadPending() {
  absl::StatusOr<config::RoutingConfig> next = LoadFile(path_);
  if (!next.ok()) return next.status();
  if (absl::Status st = CheckForKamailio(*next); !st.ok()) return st;
  std::lock_guard<std::mutex> lock(mu_);
  pending_ = *std::move(next);
  return absl::OkStatus();
}

std::optional<std::string> DaemonRouting::ApplyPending() {
  std::optional<config::RoutingConfig> next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!pending_.has_value()) return std::nullopt;
    next = std::move(pending_);
    pending_.reset();
  }
  const std::string hash = next->content_hash();
  if (absl::Status st = versions_->Reload(*std::move(next)); !st.ok()) {
    return fmt::format("reload of {} refused, version {} stays: {}", path_,
                       versions_->version(), std::string(st.message()));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = versions_->current();
  }
  return fmt::format("version {} ({}) from {}{}", versions_->version(), hash, path_,
                     UpdateFollowers());
}

void DaemonRouting::FollowProfile(AgentId agent, std::string profile) {
  Follower f{agent, std::move(profile), {}, {}};
  if (const config::AgentProfile* p = versions_->current()->FindProfile(f.profile)) {
    f.skills = p->skills;
    f.capacity = p->capacity;
  }
  followers_.push_back(std::move(f));
}

std::string DaemonRouting::UpdateFollowers() {
  const config::RoutingConfig& after = *versions_->current();
  // Per profile name: agents updated, agents left as they were (and why),
  // agents whose capacity differs from the profile's now.
  struct Outcome {
    int updated = 0;
    int kept = 0;
    int other_capacity = 0;
    std::string error;
  };
  std::map<std::string, Outcome> outcomes;
  for (Follower& f : followers_) {
    const config::AgentProfile* profile = after.FindProfile(f.profile);
    Outcome& o = outcomes[f.profile];
    if (profile == nullptr) {
      ++o.kept;
      continue;
    }
    if (!SameCapacity(f.capacity, profile->capacity)) ++o.other_capacity;
    if (f.skills == profile->skills) continue;
    if (absl::Status st = engine_.SetAgentSkills(f.agent, profile->skills); !st.ok()) {
      ++o.kept;  // tried again at the next reload
      o.error = std::string(st.message());
      continue;
    }
    f.skills = profile->skills;
    ++o.updated;
  }
  std::string note;
  for (const auto& [name, o] : outcomes) {
    if (o.updated > 0) {
      note += fmt::format("; profile '{}': skills of {} agents updated", name, o.updated);
    }
    if (o.kept > 0) {
      note += o.error.empty()
                  ? fmt::format(
                        "; profile '{}' is not in the new version: its {} agents "
                        "keep their skills",
                        name, o.kept)
                  : fmt::format("; profile '{}': {} agents keep their skills: {}", name,
                                o.kept, o.error);
    }
    if (o.other_capacity > 0) {
      note += fmt::format(
          "; profile '{}': {} agents keep the capacity they started with until a restart",
          name, o.other_capacity);
    }
  }
  return note;
}

}  // namespace ccengine::kamailio
