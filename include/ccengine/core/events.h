// -----------------------------------------------------------------------------
// File: ccengine/core/events.h
// -----------------------------------------------------------------------------
//
// Everything the engine decides leaves as a typed `Event`: offers for the
// telephony adapter to ring, state changes for wallboards, outcomes for
// metrics, the journal and the audit trail. Subscribers are plain callbacks;
// the engine calls them on the router thread, in decision order, after the
// state change they describe is complete. A subscriber must not call back
// into the engine (queue a command with `Submit` instead).
//
// One flat struct serves every type so that events are cheap to copy, store
// and bind to Python; the fields that a type does not use hold their defaults.
// The table in `EventType` says which are set.
//
// Thread safety: plain values; thread-compatible.
//
// Example:
//   engine.Subscribe([](const ccengine::Event& e) {
//     if (e.type == ccengine::EventType::kOffered) Ring(e.agent, e.contact);
//   });

#ifndef CCENGINE_CORE_EVENTS_H_
#define CCENGINE_CORE_EVENTS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/agent.h"
#include "ccengine/core/commands.h"
#include "ccengine/core/contact.h"
#include "ccengine/core/strategy.h"
#include "ccengine/core/types.h"

namespace ccengine {

enum class EventType : uint8_t {
  kContactQueued = 0,  // contact, queue, priority, channel
  kOffered,            // contact, agent, queue (ring the agent)
  kAccepted,           // contact, agent, queue, wait
  kRejected,           // contact, agent, queue (contact back in line)
  kOfferTimedOut,      // contact, agent, queue (no answer; back in line)
  kOfferRescinded,     // contact, agent: the offer is void (abandon, logout…)
  kCompleted,          // contact, agent, queue, handle, outcome
  kAbandoned,          // contact, queue, wait; agent if it was ringing
  kCallbackRequested,  // contact, queue, channel (now kCallback), wait
  kOverflowed,         // contact, queue; to_queue if moved to another queue
  kTransferred,        // contact, queue (from), to_queue; agent if in service
  kWithdrawn,          // contact, queue (supervisor)
  kPriorityChanged,    // contact, queue, priority (new); reason kTargetTimeout
                       // when a fallback target in its queue changed it
  kRelaxed,            // contact, queue, step (new step index)
  kDecisionExplained,  // contact, agent, queue, step, explanation (only
                       // built while someone subscribes to this type)
  kPreferenceEnded,    // contact, queue, reason (kPreferredWait or
                       // kNoPreferredAgent): any agent may take it now
  kAgentStateChanged,  // agent, agent_state, agent_reason (also when only the
                       // not-ready reason changes), reason
  kCommandFailed,      // status: a submitted command was refused; contact and
                       // agent: those it named (AddContact: its contact)
};
std::string_view EventTypeName(EventType type);

// Why a contact ended or moved, where that is not obvious from the type.
enum class EventReason : uint8_t {
  kNone = 0,
  kQueueFull,         // overflow: max_size reached
  kMaxWait,           // overflow: max_wait passed
  kClosed,            // overflow: the queue is closed (hours of operation)
  kCustomerHangup,    // completed by the customer leaving during service
  kForcedLogout,      // completed because a supervisor logged the agent out
  kSupervisor,        // a supervisor action
  kRona,              // agent made not ready after repeated no-answers
  kPreferredWait,     // preference ended: preferred_wait passed
  kNoPreferredAgent,  // preference ended: no preferred agent logged in (or
                      // all rejected it, or none can serve it)
  kTargetTimeout,     // moved on to its next fallback target (kOverflowed; in
                      // its own queue kPriorityChanged)
};
std::string_view EventReasonName(EventReason reason);

// Why the engine chose what it chose, for one decision. Built only while a
// subscriber wants `kDecisionExplained`, and emitted just before the
// decision's `kOffered`.
//   contact arrived  candidates are the eligible agents able to take the
//                    contact now, each with its score terms (the strategy's,
//                    see `AgentStrategy::ScoreTerms`), or the guard that
//                    passed it over;
//   agent freed      candidates are the oldest eligible contact of each
//                    waiting set the agent serves, with the aged-score terms
//                    (waited seconds × aging weight, class × class weight).
struct ExplainedCandidate {
  AgentId agent;
  ContactId contact;
  double score = 0;
  std::vector<ScoreTerm> terms;
  // "chosen", "ranked" (scored, lost), "occupancy_cap", "occupancy_spread"
  // (passed over by a guard), "excluded" (rejected or missed this contact).
  std::string verdict;
};

struct Explanation {
  enum class Direction : uint8_t { kContactArrived, kAgentFreed };
  Direction direction = Direction::kContactArrived;
  ContactId contact;  // the contact placed
  AgentId agent;      // the agent chosen
  QueueId queue;
  std::string strategy;  // the queue's strategy name
  int step = 0;          // the contact's routing step
  std::string rule;      // the rule that fired (e.g. "exploration")
  std::vector<ExplainedCandidate> candidates;
};

struct Event {
  EventType type = EventType::kContactQueued;
  absl::Time time;
  ContactId contact;
  AgentId agent;
  bool has_contact = false;
  bool has_agent = false;
  QueueId queue;
  QueueId to_queue;
  Channel channel = Channel::kVoice;
  int priority = 0;
  int step = 0;
  AgentState agent_state = AgentState::kLoggedOut;
  int32_t agent_reason = kReasonNone;
  EventReason reason = EventReason::kNone;
  // The offer the event concerns, where it has a contact and an agent: its
  // id (1, 2, ... in the order offers are made; the same after a recovery,
  // which replays the same decisions). AcceptOffer and RejectOffer may name
  // it, so that a retry or a late answer is recognised (commands.h).
  uint64_t offer = 0;
  absl::Duration wait;     // accepted / abandoned: time waited
  absl::Duration handle;   // completed: accept → completion
  ContactOutcome outcome;  // completed: the survey score and resolution given
  absl::Status status;     // kCommandFailed only
  CommandOrigin origin;    // kCommandFailed: the refused command's, if it had one
  std::shared_ptr<const Explanation> explanation;  // kDecisionExplained only
};

// "offered at 12.5s contact=42 agent=7 queue=1" — for logs and tests.
std::string DescribeEvent(const Event& event);

using EventCallback = std::function<void(const Event&)>;

// Masks for `Engine::Subscribe`: EventBit(EventType::kOffered) | ….
constexpr uint32_t EventBit(EventType type) {
  return uint32_t{1} << static_cast<uint32_t>(type);
}
// Every type but `kDecisionExplained`, which is switched on only by naming
// it: `Subscribe(cb, kAllEvents | EventBit(EventType::kDecisionExplained))`.
inline constexpr uint32_t kAllEvents =
    ~uint32_t{0} & ~EventBit(EventType::kDecisionExplained);

}  // namespace ccengine

#endif  // CCENGINE_CORE_EVENTS_H_
