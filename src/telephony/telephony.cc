// TelephonyBridge: layer reports → engine commands, engine events → port calls.
#include "ccengine/telephony/telephony.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "common/status_macros.h"
#include "fmt/format.h"

namespace ccengine {

std::string_view CallOutcomeName(CallOutcome outcome) {
  switch (outcome) {
    case CallOutcome::kNoAgent: return "no_agent";
    case CallOutcome::kWithdrawn: return "withdrawn";
    case CallOutcome::kRefused: return "refused";
  }
  return "unknown";
}

namespace {

constexpr uint32_t kBridgeEvents =
    EventBit(EventType::kContactQueued) | EventBit(EventType::kOffered) |
    EventBit(EventType::kOfferTimedOut) | EventBit(EventType::kOfferRescinded) |
    EventBit(EventType::kAccepted) | EventBit(EventType::kRejected) |
    EventBit(EventType::kCompleted) | EventBit(EventType::kAbandoned) |
    EventBit(EventType::kOverflowed) | EventBit(EventType::kTransferred) |
    EventBit(EventType::kWithdrawn) | EventBit(EventType::kCommandFailed);

std::string Ref(std::string_view s) { return std::string(s); }

}  // namespace

TelephonyBridge::TelephonyBridge(Engine* engine, TelephonyPort* port,
                                 TelephonyBridgeOptions options)
    : engine_(engine),
      port_(port),
      options_(options),
      next_contact_(options.first_contact_id) {
  subscription_ =
      engine_->Subscribe([this](const Event& event) { OnEvent(event); }, kBridgeEvents);
}

TelephonyBridge::~TelephonyBridge() { engine_->Unsubscribe(subscription_); }

absl::Status TelephonyBridge::MapAgent(AgentId agent, std::string address) {
  if (address.empty()) {
    return absl::InvalidArgumentError("agent address is empty");
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (agent_by_address_.contains(address) || address_by_agent_.contains(agent.value())) {
    return absl::AlreadyExistsError(
        fmt::format("agent {} or address {} is already mapped", agent.value(), address));
  }
  address_by_agent_[agent.value()] = address;
  agent_by_address_[std::move(address)] = agent;
  return absl::OkStatus();
}

absl::StatusOr<AgentId> TelephonyBridge::FindAgent(std::string_view address) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = agent_by_address_.find(Ref(address));
  if (it == agent_by_address_.end()) {
    return absl::NotFoundError(fmt::format("no agent at address {}", address));
  }
  return it->second;
}

std::string TelephonyBridge::AgentAddress(AgentId agent) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = address_by_agent_.find(agent.value());
  return it == address_by_agent_.end() ? std::string() : it->second;
}

absl::Status TelephonyBridge::Drop(absl::Status why) {
  ++stats_.reports_dropped;
  return why;
}

CommandOrigin TelephonyBridge::Origin() const {
  CommandOrigin origin;
  origin.actor = options_.actor;
  return origin;
}

absl::Status TelephonyBridge::SubmitLocked(Command command) {
  absl::Status st = engine_->Submit(std::move(command), Origin());
  if (st.ok()) ++stats_.reports_accepted;
  return st;
}

void TelephonyBridge::EraseLocked(ContactId id) {
  auto it = calls_.find(id.value());
  if (it == calls_.end()) return;
  contact_by_ref_.erase(it->second.ref);
  calls_.erase(it);
}

absl::StatusOr<TelephonyBridge::Report> TelephonyBridge::MatchLocked(
    std::string_view call_ref, std::optional<CallState> want,
    std::string_view agent_address) {
  auto it = contact_by_ref_.find(Ref(call_ref));
  auto call = it == contact_by_ref_.end() ? calls_.end() : calls_.find(it->second);
  if (call == calls_.end()) {
    return Drop(absl::NotFoundError(fmt::format("unknown call {}", call_ref)));
  }
  Report report{&call->second, ContactId{it->second}, AgentId{}};
  if (!want) return report;
  auto a = agent_by_address_.find(Ref(agent_address));
  if (a == agent_by_address_.end()) {
    return Drop(absl::NotFoundError(
        fmt::format("call {}: no agent at address {}", call_ref, agent_address)));
  }
  if (report.call->state != *want || report.call->agent != a->second) {
    return Drop(absl::FailedPreconditionError(
        fmt::format("call {}: report from {} does not fit the call's state", call_ref,
                    agent_address)));
  }
  report.agent = a->second;
  return report;
}

absl::Status TelephonyBridge::Dispatch(std::string_view call_ref,
                                       std::optional<CallState> want,
                                       std::string_view agent_address,
                                       absl::FunctionRef<Command(const Report&)> command,
                                       absl::FunctionRef<void(const Report&)> accepted) {
  std::lock_guard<std::mutex> lock(mu_);
  absl::StatusOr<Report> report = MatchLocked(call_ref, want, agent_address);
  if (!report.ok()) return report.status();
  absl::Status st = SubmitLocked(command(*report));
  if (st.ok()) accepted(*report);
  return st;
}

absl::StatusOr<ContactId> TelephonyBridge::OnInbound(InboundCall call) {
  if (call.call_ref.empty()) {
    return absl::InvalidArgumentError("call_ref is empty");
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (contact_by_ref_.contains(call.call_ref)) {
    return Drop(
        absl::AlreadyExistsError(fmt::format("call {} is already live", call.call_ref)));
  }
  ContactId id{next_contact_};
  ContactSpec spec;
  spec.id = id;
  spec.queue = call.queue;
  spec.channel = Channel::kVoice;
  spec.priority = call.priority;
  spec.skills = std::move(call.skills);
  spec.customer_id = std::move(call.caller);
  spec.preferred_agents = std::move(call.preferred_agents);
  spec.prefer_last_agent = call.prefer_last_agent;
  spec.preferred_wait = call.preferred_wait;
  spec.fallbacks = std::move(call.fallbacks);
  spec.attributes.emplace_back(std::string(kCallRefAttribute), call.call_ref);
  // Registered before the submit: the router may offer it at once.
  contact_by_ref_[call.call_ref] = id.value();
  calls_[id.value()] = Call{call.call_ref, CallState::kWaiting, AgentId{}};
  absl::Status st = SubmitLocked(cmd::AddContact{std::move(spec)});
  if (!st.ok()) {
    EraseLocked(id);
    return st;
  }
  ++next_contact_;
  ++stats_.calls_in;
  return id;
}

absl::Status TelephonyBridge::OnRinging(std::string_view call_ref,
                                        std::string_view agent_address) {
  std::lock_guard<std::mutex> lock(mu_);
  return MatchLocked(call_ref, CallState::kRinging, agent_address).status();
}

absl::Status TelephonyBridge::OnAnswered(std::string_view call_ref,
                                         std::string_view agent_address) {
  return Dispatch(
      call_ref, CallState::kRinging, agent_address,
      [](const Report& r) -> Command {
        return cmd::AcceptOffer{r.agent, r.id};
      },
      [](const Report& r) { r.call->state = CallState::kConnected; });
}

absl::Status TelephonyBridge::OnRejected(std::string_view call_ref,
                                         std::string_view agent_address) {
  return Dispatch(
      call_ref, CallState::kRinging, agent_address,
      [](const Report& r) -> Command {
        return cmd::RejectOffer{r.agent, r.id};
      },
      [](const Report& r) { r.call->Requeue(); });
}

absl::Status TelephonyBridge::OnNoAnswer(std::string_view call_ref,
                                         std::string_view agent_address) {
  return OnRejected(call_ref, agent_address);
}

absl::Status TelephonyBridge::OnCallerHangup(std::string_view call_ref) {
  return Dispatch(
      call_ref, std::nullopt, {},
      [](const Report& r) -> Command { return cmd::Abandon{r.id}; },
      // Forgotten at once: events the engine still emits for it are
      // ignored, and so is any later report.
      [this](const Report& r) { EraseLocked(r.id); });
}

absl::Status TelephonyBridge::OnAgentHangup(std::string_view call_ref,
                                            std::string_view agent_address) {
  return Dispatch(
      call_ref, CallState::kConnected, agent_address,
      [](const Report& r) -> Command {
        return cmd::CompleteContact{r.agent, r.id};
      },
      [this](const Report& r) { EraseLocked(r.id); });
}

absl::Status TelephonyBridge::OnTransfer(std::string_view call_ref, QueueId to) {
  return Dispatch(
      call_ref, std::nullopt, {},
      [to](const Report& r) -> Command {
        return cmd::Transfer{r.id, to, /*keep_age=*/true};
      },
      [](const Report& r) { r.call->Requeue(); });
}

absl::Status TelephonyBridge::OnWithdrawn(std::string_view call_ref) {
  std::lock_guard<std::mutex> lock(mu_);
  absl::StatusOr<Report> report = MatchLocked(call_ref, std::nullopt, {});
  if (!report.ok()) return report.status();
  if (report->call->state == CallState::kConnected) {
    return Drop(absl::FailedPreconditionError(fmt::format(
        "call {} is connected; only a call no agent answered is withdrawn", call_ref)));
  }
  absl::Status st = SubmitLocked(cmd::Withdraw{report->id});
  // Forgotten at once, as for a hang-up: the layer has answered the caller,
  // so the engine's kWithdrawn asks nothing of the port.
  if (st.ok()) EraseLocked(report->id);
  return st;
}

size_t TelephonyBridge::OnDisconnected() {
  std::lock_guard<std::mutex> lock(mu_);
  size_t ended = 0;
  std::vector<uint64_t> done;
  for (auto& [id, call] : calls_) {
    absl::Status st =
        call.state == CallState::kConnected
            ? engine_->Submit(cmd::CompleteContact{call.agent, ContactId{id}}, Origin())
            : engine_->Submit(cmd::Withdraw{ContactId{id}}, Origin());
    // A full intake keeps the call; a second OnDisconnected retries it.
    if (!st.ok()) continue;
    done.push_back(id);
  }
  for (uint64_t id : done) EraseLocked(ContactId{id});
  ended = done.size();
  stats_.lost_on_disconnect += ended;
  return ended;
}

absl::StatusOr<ReconcileReport> TelephonyBridge::Reconcile(
    const std::vector<HeldCall>& held) {
  absl::flat_hash_map<std::string, const HeldCall*> held_by_ref;
  for (const HeldCall& h : held) {
    if (h.call_ref.empty())
      return absl::InvalidArgumentError("a held call has no call_ref");
    if (!held_by_ref.emplace(h.call_ref, &h).second) {
      return absl::InvalidArgumentError(fmt::format("call {} is held twice", h.call_ref));
    }
  }
  ReconcileReport report;
  // Decided under the lock, carried out after it: applying a command emits
  // events, which the bridge's subscriber handles under the same lock.
  std::vector<Command> commands;
  std::vector<PortAction> rings;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!calls_.empty()) {
      return absl::FailedPreconditionError(
          "the bridge has calls already: reconcile with a new bridge over the recovered "
          "engine");
    }
    // The calls as the engine knows them, and each ringing call's offer.
    std::vector<uint64_t> ids;
    absl::flat_hash_map<uint64_t, uint64_t> offers;
    for (const ContactId id : engine_->LiveContacts()) {
      absl::StatusOr<ContactSnapshot> c = engine_->GetContact(id);
      if (!c.ok()) continue;
      const std::string* ref = nullptr;
      for (const auto& [key, value] : c->attributes) {
        if (key == kCallRefAttribute) ref = &value;
      }
      if (ref == nullptr || contact_by_ref_.contains(*ref)) continue;
      Call call{*ref, CallState::kWaiting, AgentId{}};
      if (c->state == ContactState::kOffered && c->agent) {
        call.state = CallState::kRinging;
        call.agent = *c->agent;
        offers[id.value()] = c->offer;
      } else if (c->state == ContactState::kInService && c->agent) {
        call.state = CallState::kConnected;
        call.agent = *c->agent;
      }
      contact_by_ref_[*ref] = id.value();
      calls_[id.value()] = std::move(call);
      next_contact_ = std::max(next_contact_, id.value() + 1);
      ids.push_back(id.value());
    }
    report.restored = ids.size();
    for (const HeldCall& h : held) {
      if (!contact_by_ref_.contains(h.call_ref)) report.unknown.push_back(h.call_ref);
    }

    for (const uint64_t id : ids) {
      Call& call = calls_.at(id);
      const ContactId contact{id};
      auto h = held_by_ref.find(call.ref);
      if (h == held_by_ref.end()) {  // gone during the outage
        if (call.state == CallState::kConnected) {
          commands.emplace_back(cmd::CompleteContact{call.agent, contact});
        } else {
          commands.emplace_back(cmd::Abandon{contact});
        }
        EraseLocked(contact);
        ++report.gone;
        continue;
      }
      const HeldCall& layer = *h->second;
      auto at = agent_by_address_.find(layer.agent_address);
      const bool same_agent = at != agent_by_address_.end() && at->second == call.agent;
      bool settled = false;
      switch (call.state) {
        case CallState::kWaiting:
          settled = layer.state == HeldCall::State::kWaiting;
          break;
        case CallState::kRinging:
          if (layer.state == HeldCall::State::kRinging && same_agent) {
            settled = true;
          } else if (layer.state == HeldCall::State::kWaiting) {
            auto address = address_by_agent_.find(call.agent.value());
            if (address == address_by_agent_.end()) {
              // No address to ring: the offer goes back, as for a new offer.
              ++stats_.unmapped_offers;
              commands.emplace_back(cmd::RejectOffer{call.agent, contact});
              call.Requeue();
            } else {
              rings.push_back(PortAction{PortAction::kRing, call.ref, address->second});
              ++stats_.rings;
              ++report.rung_again;
            }
            continue;
          } else if (layer.state == HeldCall::State::kConnected && same_agent) {
            commands.emplace_back(cmd::AcceptOffer{call.agent, contact, offers[id]});
            call.state = CallState::kConnected;
            ++report.answered;
            continue;
          }
          break;
        case CallState::kConnected:
          settled = layer.state == HeldCall::State::kConnected && same_agent;
          break;
      }
      if (settled) {
        ++report.kept;
        continue;
      }
      // The layer's call cannot be taken over: out of routing, quietly.
      if (call.state == CallState::kConnected) {
        commands.emplace_back(cmd::CompleteContact{call.agent, contact});
      } else {
        commands.emplace_back(cmd::Withdraw{contact});
      }
      report.mismatched.push_back(call.ref);
      EraseLocked(contact);
    }
  }
  // Applied at once (no intake to fill): each was checked against the
  // engine's state just now, so a refusal means the engine changed under it.
  for (const Command& command : commands) {
    if (engine_->Apply(command, Origin()).ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.reports_accepted;
    } else {
      ++report.refused;
    }
  }
  for (const PortAction& ring : rings) port_->Ring(ring.call_ref, ring.address);
  return report;
}

TelephonyStats TelephonyBridge::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  TelephonyStats s = stats_;
  s.live_calls = calls_.size();
  return s;
}

std::optional<ContactId> TelephonyBridge::ContactFor(std::string_view call_ref) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = contact_by_ref_.find(Ref(call_ref));
  if (it == contact_by_ref_.end()) return std::nullopt;
  return ContactId{it->second};
}

void TelephonyBridge::OnEvent(const Event& event) {
  std::optional<PortAction> action;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (event.type == EventType::kCommandFailed) ++stats_.commands_failed;
    auto it = calls_.find(event.contact.value());
    if (!event.has_contact || it == calls_.end()) return;  // not ours, or forgotten
    Call& call = it->second;
    const bool entered = call.entered;
    if (event.type != EventType::kCommandFailed) call.entered = true;
    auto address = [&](AgentId agent) {
      auto a = address_by_agent_.find(agent.value());
      return a == address_by_agent_.end() ? std::string() : a->second;
    };
    // The call leaves routing without an agent: the caller gets an answer.
    auto end = [&](CallOutcome outcome) {
      action = PortAction{PortAction::kEnd, call.ref, {}, outcome};
      ++stats_.ended;
      EraseLocked(event.contact);
    };
    switch (event.type) {
      case EventType::kOffered: {
        std::string where = address(event.agent);
        if (where.empty()) {
          // No address to ring: give the offer back so the next agent gets
          // it (the rejecting agent is not offered this call again).
          ++stats_.unmapped_offers;
          (void)engine_->Submit(cmd::RejectOffer{event.agent, event.contact}, Origin());
          break;
        }
        call.state = CallState::kRinging;
        call.agent = event.agent;
        action = PortAction{PortAction::kRing, call.ref, std::move(where)};
        ++stats_.rings;
        break;
      }
      case EventType::kOfferTimedOut:
      case EventType::kOfferRescinded:
        // The engine took the offer back; whatever the layer believed.
        if (call.agent == event.agent && call.state != CallState::kWaiting) {
          action = PortAction{PortAction::kCancel, call.ref, address(event.agent)};
          ++stats_.cancels;
          call.Requeue();
        }
        break;
      case EventType::kOverflowed:
        // To its own queue: it left the engine (no overflow queue). To
        // another (the queue's overflow_to, or a fallback target, reason
        // kTargetTimeout): it waits there, still bridged; the engine moves
        // only a call that is not ringing, so the call is waiting here too.
        // A fallback target in its own queue is a kPriorityChanged.
        if (event.to_queue == event.queue) end(CallOutcome::kNoAgent);
        break;
      case EventType::kWithdrawn: end(CallOutcome::kWithdrawn); break;
      case EventType::kCompleted:
      case EventType::kAbandoned: EraseLocked(event.contact); break;
      case EventType::kTransferred: call.Requeue(); break;
      case EventType::kCommandFailed:
        // Before the engine took the call, the refusal is its AddContact's:
        // the caller gets an answer now rather than at the layer's wait
        // limit. A later command's refusal leaves the call where it is.
        if (!entered) end(CallOutcome::kRefused);
        break;
      default:  // kAccepted, kRejected: the bridge moved already
        break;
    }
  }
  if (!action) return;
  switch (action->kind) {
    case PortAction::kRing: port_->Ring(action->call_ref, action->address); break;
    case PortAction::kCancel: port_->CancelRing(action->call_ref, action->address); break;
    case PortAction::kEnd: port_->EndCall(action->call_ref, action->outcome); break;
  }
}

}  // namespace ccengine
