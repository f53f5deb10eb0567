// -----------------------------------------------------------------------------
// File: ccengine/telephony/telephony.h
// -----------------------------------------------------------------------------
//
// The seam between the engine and a telephony layer (a SIP proxy such as
// Kamailio, a PBX, or the simulator). Two halves:
//
//   `TelephonyPort`    what the layer must do for the engine: ring an agent
//                      for a call, stop a ring, end a call that leaves
//                      routing without an agent. Every layer implements it.
//   `TelephonyBridge`  connects one `Engine` to one port. The layer reports
//                      what happens to its calls (`OnInbound`, `OnAnswered`,
//                      `OnRejected`, `OnNoAnswer`, `OnCallerHangup`,
//                      `OnAgentHangup`, `OnTransfer`, `OnWithdrawn`,
//                      `OnDisconnected`); the
//                      bridge turns them into engine commands, and turns the
//                      engine's offers into `Ring` requests.
//
// Correlation. The layer names calls by its own string (`call_ref`: a SIP
// Call-ID, an Asterisk channel id) and agents by an address (a SIP URI). The
// bridge allocates a `ContactId` per call (dense, from
// `TelephonyBridgeOptions::first_contact_id`) and keeps a static directory
// address ↔ `AgentId` (`MapAgent`). Agents reach the engine as usual
// (`Engine::AddAgent`, `Login`); the directory only names where to ring them.
// Map an agent before logging it in: an offer to an agent with no address is
// given back at once (`cmd::RejectOffer`, counted in `unmapped_offers`).
//
// Idempotency. The bridge keeps each live call's state — waiting, ringing
// agent X, connected to agent X — as it last learned it from the engine's
// events and the layer's reports. A report that does not fit that state (a
// duplicate answer, an answer from an agent that is not the one ringing, a
// late busy after the caller hung up, anything about an unknown call) is
// dropped: it submits nothing, changes nothing, returns FailedPrecondition or
// NotFound, and is counted in `TelephonyStats::reports_dropped`.
//
// Offer timeouts. The layer owns the ring timer (SIP's fr_inv_timer): it
// reports `OnNoAnswer`, which rejects the offer so the next agent is offered.
// If the engine's own queue `offer_timeout` fires first, the bridge asks the
// port to `CancelRing` and the contact goes back in line. Set the engine's
// timeout longer than the layer's, so that one side decides.
//
// Disconnect. `OnDisconnected()` means the layer lost every call it held
// (its process or its link died). The bridge then ends every live call with
// a clear outcome and asks nothing of the port: waiting and ringing calls
// are withdrawn (`EventType::kWithdrawn`, the ringing agent is freed);
// connected calls are completed (the agent goes to wrap-up, then becomes
// available). Reports about those calls that arrive later are dropped.
//
// Recovery. Each call's contact carries its `call_ref` as the attribute
// `kCallRefAttribute`, so the engine's state — and a journal or snapshot of
// it — knows the calls. After the engine is recovered, a new bridge rebuilds
// its calls from the engine (`Reconcile`) and settles them against what the
// layer still holds: a call still ringing the offered agent keeps ringing (no
// second agent is rung), one the layer stopped ringing is rung again at the
// same agent (the same offer: recovery reproduces offers), one answered
// meanwhile is accepted, one gone meanwhile is abandoned or completed, and
// calls the engine never heard of are handed back for `OnInbound`.
//
// Errors (the `On*` reports):
//   InvalidArgument     empty call_ref
//   AlreadyExists       `OnInbound` for a call_ref already live
//   NotFound            unknown call_ref or agent address
//   FailedPrecondition  the report does not fit the call's state
//   ResourceExhausted   the engine's intake is full (nothing changed; retry)
//
// Thread safety: thread-safe. The `On*` reports may come from any thread (an
// adapter's I/O thread); they only `Submit` commands. The bridge subscribes
// to the engine's events, so the port is called on the engine's router
// thread, never while the bridge holds its lock. The port must outlive the
// bridge; the bridge must be created before the router loop starts (it
// subscribes) and destroyed after it stops.
//
// Example:
//   MyPbxPort port;                        // implements TelephonyPort
//   ccengine::TelephonyBridge bridge(engine.get(), &port);
//   bridge.MapAgent(ccengine::AgentId{1}, "sip:alice@10.0.0.5");
//   bridge.OnInbound({.call_ref = "a84b4c76e66710", .queue = sales});
//   // ... port.Ring("a84b4c76e66710", "sip:alice@10.0.0.5") on the router
//   bridge.OnAnswered("a84b4c76e66710", "sip:alice@10.0.0.5");

#ifndef CCENGINE_TELEPHONY_TELEPHONY_H_
#define CCENGINE_TELEPHONY_TELEPHONY_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "ccengine/core/events.h"
#include "ccengine/core/types.h"

namespace ccengine {

// Why a call leaves routing without reaching an agent (the layer maps each to
// its own answer, e.g. a SIP response code).
enum class CallOutcome : uint8_t {
  kNoAgent = 0,  // overflowed out of the engine: queue full or max wait
  kWithdrawn,    // a supervisor took it out of routing
  kRefused,      // the engine refused the call (its AddContact failed: an
                 // unknown queue, the bridge's actor not allowed to add it)
};
std::string_view CallOutcomeName(CallOutcome outcome);

// What the layer must do for the engine. Called on the engine's router
// thread; implementations must not block for long and must not call back into
// the engine or the bridge synchronously (a bridge report from inside a port
// call is allowed: the bridge's lock is not held).
class TelephonyPort {
 public:
  virtual ~TelephonyPort() = default;
  // Ring `agent_address` for `call_ref`; the layer reports the outcome.
  virtual void Ring(const std::string& call_ref, const std::string& agent_address) = 0;
  // Stop ringing (the engine's offer timed out or was rescinded); the caller
  // stays in line unless an `EndCall` follows.
  virtual void CancelRing(const std::string& call_ref,
                          const std::string& agent_address) = 0;
  // The call leaves routing without an agent; answer the caller.
  virtual void EndCall(const std::string& call_ref, CallOutcome outcome) = 0;
};

// An inbound call as the layer announces it.
struct InboundCall {
  std::string call_ref;  // the layer's id, unique while the call lives
  QueueId queue;
  int priority = 0;
  std::vector<SkillRequirement> skills;  // on top of the queue's
  std::string caller;                    // e.g. the From URI; customer id
  // Preferred / last agent, as ContactSpec's (an entry flow's target sets
  // them): offered only to these agents, or the caller's last one, for up
  // to `preferred_wait`.
  std::vector<AgentId> preferred_agents;
  bool prefer_last_agent = false;
  absl::Duration preferred_wait = absl::ZeroDuration();
  // Fallback targets, as ContactSpec's (an entry flow's target sets them):
  // unanswered for `after` in its target, the call moves on to the next
  // one's queue, priority and skills, and stays bridged there.
  std::vector<FallbackTarget> fallbacks;
};

// The contact attribute holding a bridged call's `call_ref`.
inline constexpr std::string_view kCallRefAttribute = "call_ref";

// A call as the layer holds it after a restart of the engine's side, for
// `TelephonyBridge::Reconcile`.
struct HeldCall {
  enum class State : uint8_t { kWaiting, kRinging, kConnected };
  std::string call_ref;
  State state = State::kWaiting;
  std::string agent_address;  // the agent ringing or connected
};

struct ReconcileReport {
  size_t restored = 0;    // calls rebuilt from the engine's contacts
  size_t kept = 0;        // in the same state on both sides
  size_t rung_again = 0;  // offered, but no longer ringing: rung again, same agent
  size_t answered = 0;    // offered, and answered meanwhile: accepted
  size_t gone = 0;        // not held any more: abandoned, or completed if connected
  // Held in a state the engine cannot take over (e.g. connected to an agent
  // the engine did not offer it to): taken out of routing in the engine
  // (withdrawn, or completed), nothing asked of the port; the layer decides.
  std::vector<std::string> mismatched;
  // Held by the layer, unknown to the engine (it arrived after the last
  // command the engine kept): announce each with `OnInbound`.
  std::vector<std::string> unknown;
  // Commands the engine refused (none unless its state changed meanwhile).
  size_t refused = 0;
};

struct TelephonyStats {
  uint64_t calls_in = 0;            // inbound calls accepted
  uint64_t reports_accepted = 0;    // reports that became commands
  uint64_t reports_dropped = 0;     // duplicate, late, unknown or misfit
  uint64_t rings = 0;               // Ring requests to the port
  uint64_t cancels = 0;             // CancelRing requests
  uint64_t ended = 0;               // EndCall requests
  uint64_t lost_on_disconnect = 0;  // calls ended by OnDisconnected
  uint64_t unmapped_offers = 0;     // offers to agents without an address,
                                    // given back with RejectOffer
  uint64_t commands_failed = 0;     // kCommandFailed events seen by the bridge
  size_t live_calls = 0;
};

struct TelephonyBridgeOptions {
  uint64_t first_contact_id = 1;
  // The actor every command of the bridge is sent as (CommandOrigin::actor):
  // with an access control attached to the engine, one holding the `system`
  // role (or the contact and offer permissions over the queues it serves).
  uint32_t actor = 0;
};

class TelephonyBridge {
 public:
  TelephonyBridge(Engine* engine, TelephonyPort* port,
                  TelephonyBridgeOptions options = {});
  ~TelephonyBridge();  // unsubscribes: call with the router loop stopped
  TelephonyBridge(const TelephonyBridge&) = delete;
  TelephonyBridge& operator=(const TelephonyBridge&) = delete;

  // The static directory. AlreadyExists if either side is mapped already;
  // InvalidArgument for an empty address.
  absl::Status MapAgent(AgentId agent, std::string address);
  absl::StatusOr<AgentId> FindAgent(std::string_view address) const;
  std::string AgentAddress(AgentId agent) const;  // "" if unmapped

  // --- Reports from the layer (any thread) --------------------------------
  // A new call: submits `cmd::AddContact`. Returns the contact id.
  absl::StatusOr<ContactId> OnInbound(InboundCall call);
  // The agent's phone rings (informational; accepted only while ringing).
  absl::Status OnRinging(std::string_view call_ref, std::string_view agent_address);
  // The agent picked up: `cmd::AcceptOffer`.
  absl::Status OnAnswered(std::string_view call_ref, std::string_view agent_address);
  // Busy / declined: `cmd::RejectOffer` (the next agent is offered).
  absl::Status OnRejected(std::string_view call_ref, std::string_view agent_address);
  // Rang out: `cmd::RejectOffer`, as a rejection.
  absl::Status OnNoAnswer(std::string_view call_ref, std::string_view agent_address);
  // The caller left: `cmd::Abandon` (waiting or ringing: abandoned; connected:
  // completed with reason kCustomerHangup).
  absl::Status OnCallerHangup(std::string_view call_ref);
  // The agent hung up a connected call: `cmd::CompleteContact`.
  absl::Status OnAgentHangup(std::string_view call_ref, std::string_view agent_address);
  // Blind transfer to a queue: `cmd::Transfer` (keeps its age).
  absl::Status OnTransfer(std::string_view call_ref, QueueId to);
  // The layer ended, on its own, a call no agent has answered — e.g. its
  // limit on how long a call may wait for a decision passed, and it answered
  // the caller itself: `cmd::Withdraw` (waiting or ringing: withdrawn, as
  // `OnDisconnected` does for every call; a ringing agent is freed). Not an
  // abandon: the caller did not give up. Forgotten at once, nothing asked of
  // the port. FailedPrecondition for a connected call (dropped).
  absl::Status OnWithdrawn(std::string_view call_ref);
  // The layer lost its calls; see "Disconnect" above. Returns how many.
  size_t OnDisconnected();

  // --- Recovery ---------------------------------------------------------------
  // See "Recovery" above. Call on a new bridge over a recovered engine, with
  // the calls the layer holds now, on the thread that owns the engine and
  // before the router loop starts: the commands (AcceptOffer, RejectOffer,
  // Abandon, CompleteContact, Withdraw) are applied at once with
  // `Engine::Apply` (a journal attached writes them), without firing timers,
  // and the rings go to the port from this call. An offer whose engine-side
  // timeout fell due during the outage times out when the loop resumes (the
  // ring is cancelled and the call goes back in line). Contact ids continue
  // after the highest live one: ids of calls that ended before the crash
  // may be given again; set `first_contact_id` from the product's own
  // records where ids must never repeat. FailedPrecondition when the bridge
  // already has calls; InvalidArgument for an empty or repeated call_ref in
  // `held`; both change nothing.
  absl::StatusOr<ReconcileReport> Reconcile(const std::vector<HeldCall>& held);

  // --- Queries (any thread) -----------------------------------------------
  TelephonyStats stats() const;
  std::optional<ContactId> ContactFor(std::string_view call_ref) const;

 private:
  enum class CallState : uint8_t { kWaiting, kRinging, kConnected };
  struct Call {
    std::string ref;
    CallState state = CallState::kWaiting;
    AgentId agent;  // ringing or connected
    // An event of the engine has named the contact: its AddContact was
    // applied. A refusal before that is the AddContact's.
    bool entered = false;
    // Back in line: no agent rings it or holds it.
    void Requeue() {
      state = CallState::kWaiting;
      agent = AgentId{};
    }
  };
  struct PortAction {
    enum Kind : uint8_t { kRing, kCancel, kEnd } kind;
    std::string call_ref;
    std::string address;
    CallOutcome outcome = CallOutcome::kNoAgent;
  };

  // A report that fits a live call: the call, its contact and, for a report
  // from an agent, that agent.
  struct Report {
    Call* call;
    ContactId id;
    AgentId agent;
  };

  void OnEvent(const Event& event);
  // Under mu_: the live call for `call_ref`. With `want`, the report comes
  // from the agent at `agent_address`, which must hold the call in state
  // `*want`. A report that fits no call is dropped (see "Idempotency").
  absl::StatusOr<Report> MatchLocked(std::string_view call_ref,
                                     std::optional<CallState> want,
                                     std::string_view agent_address);
  // One report from the layer: takes mu_, matches it as `MatchLocked` does,
  // submits the command `command` builds and, once the engine took it, lets
  // `accepted` update the call as the bridge now sees it.
  absl::Status Dispatch(std::string_view call_ref, std::optional<CallState> want,
                        std::string_view agent_address,
                        absl::FunctionRef<Command(const Report&)> command,
                        absl::FunctionRef<void(const Report&)> accepted);
  absl::Status Drop(absl::Status why);  // counts; takes mu_ held
  absl::Status SubmitLocked(Command command);
  CommandOrigin Origin() const;  // the bridge's actor
  void EraseLocked(ContactId id);

  Engine* engine_;
  TelephonyPort* port_;
  const TelephonyBridgeOptions options_;
  Engine::SubscriptionId subscription_ = 0;

  mutable std::mutex mu_;
  uint64_t next_contact_;
  absl::flat_hash_map<std::string, uint64_t> contact_by_ref_;
  absl::flat_hash_map<uint64_t, Call> calls_;  // by ContactId value
  absl::flat_hash_map<std::string, AgentId> agent_by_address_;
  absl::flat_hash_map<uint64_t, std::string> address_by_agent_;
  TelephonyStats stats_;
};

}  // namespace ccengine

#endif  // CCENGINE_TELEPHONY_TELEPHONY_H_
