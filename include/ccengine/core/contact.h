// -----------------------------------------------------------------------------
// File: ccengine/core/contact.h
// -----------------------------------------------------------------------------
//
// A contact (来电, chat, email, ticket…) as the router sees it: the channel it
// came on, the queue it waits in, the skills it needs on top of the queue's,
// a priority class, the customer it belongs to and free attributes
// (language, VIP, case number…) that strategies and adapters may read.
//
// Every contact that enters the engine is, at any time, in exactly one
// `ContactState`. The last four are terminal: the engine forgets the contact
// after emitting the event, but keeps the per-outcome counters, so the books
// always balance (see `Engine::Accounting`).
//
// Journey options (see docs/journey.md): a contact may prefer agents — named
// ones, or the customer's last agent from the engine's customer history —
// and wait up to `preferred_wait` for one of them before any agent may take
// it. A waiting caller may ask for a callback (`Engine::RequestCallback`):
// it leaves the line, keeps its place and is routed on `Channel::kCallback`.
// A contact may carry fallback targets (the TaskRouter model of a workflow's
// targets with timeouts): unanswered after a while in its queue, it moves on
// to the next target's queue, priority and skills, keeping its age.
//
// Thread safety: plain values; thread-compatible.
//
// Example:
//   ccengine::ContactSpec c;
//   c.id = ccengine::ContactId{42};
//   c.queue = complaints;
//   c.channel = ccengine::Channel::kChat;
//   c.priority = 1;  // VIP
//   c.skills = {{english, 5}};
//   c.customer_id = "cust-881";
//   c.prefer_last_agent = true;             // whoever served cust-881 last
//   c.preferred_wait = absl::Seconds(30);   // then any agent

#ifndef CCENGINE_CORE_CONTACT_H_
#define CCENGINE_CORE_CONTACT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "ccengine/core/types.h"

namespace ccengine {

inline constexpr int kMinPriority = 0;
inline constexpr int kMaxPriority = 9;
// At most this many agents in `ContactSpec::preferred_agents`.
inline constexpr size_t kMaxPreferredAgents = 16;
// At most this many targets in `ContactSpec::fallbacks`.
inline constexpr size_t kMaxFallbacks = 8;

// Where a contact goes when it has waited `after` in its current target
// without being answered: it leaves that queue (event kOverflowed, reason
// kTargetTimeout, `to_queue` = `queue`) and enters `queue` with `priority`
// and `skills` in place of its own, keeping its age and its preference. A
// target in the queue it waits in changes it in place (event
// kPriorityChanged, reason kTargetTimeout; its place in line and its entry
// into the queue kept).
// Ringing when the time comes, it moves if the offer fails; answered or
// transferred, its remaining targets are dropped.
struct FallbackTarget {
  absl::Duration after;  // at least 1 microsecond, at most 100 years
  QueueId queue;
  int priority = 0;                      // kMinPriority .. kMaxPriority
  std::vector<SkillRequirement> skills;  // needed on top of `queue`'s
};

struct ContactSpec {
  ContactId id;
  QueueId queue;
  Channel channel = Channel::kVoice;
  // Priority class, 0 (normal) .. 9; e.g. 1 VIP, 2 emergency. A higher class
  // is served first; aging keeps lower classes from starving (see
  // `EngineOptions::priority_class_weight`).
  int priority = 0;
  // Needed in addition to the queue's requirements; never relaxed.
  std::vector<SkillRequirement> skills;
  std::string customer_id;
  std::vector<std::pair<std::string, std::string>> attributes;
  // When the customer started waiting; defaults to the time the command is
  // applied. Set it to carry a contact's age over from elsewhere.
  std::optional<absl::Time> arrived_at;

  // Preferred / last agent. While the preference is in force — from when the
  // contact enters the engine until `preferred_wait` has passed — it is
  // offered only to one of these agents (who must still qualify: skills,
  // channel capacity, not excluded), chosen among them by the queue's
  // strategy; then any agent may take it (event kPreferenceEnded). With a
  // zero wait a free preferred agent is chosen at arrival, else anyone.
  // It does not wait at all when none of the agents is logged in (and
  // stops waiting once none is, or all have rejected it). Unknown ids are
  // allowed (agents come and go); at most `kMaxPreferredAgents`, no
  // duplicates.
  std::vector<AgentId> preferred_agents;
  // Adds the customer's last agent (`Engine::LastAgent(customer_id)`, from
  // the contacts it completed on any channel within the history retention).
  bool prefer_last_agent = false;
  absl::Duration preferred_wait = absl::ZeroDuration();  // >= 0, finite

  // Targets after the first (`queue`, `priority`, `skills`), in order; the
  // first's `after` counts from the contact's entry. At most kMaxFallbacks.
  std::vector<FallbackTarget> fallbacks;
};

enum class ContactState : uint8_t {
  kWaiting = 0,
  kOffered,
  kInService,
  kCompleted,   // terminal: service ended (by agent or customer)
  kAbandoned,   // terminal: the customer left before service
  kOverflowed,  // terminal: left the engine for an external overflow target
  kWithdrawn,   // terminal: a supervisor took it out of routing
};
std::string_view ContactStateName(ContactState state);

struct ContactSnapshot {
  ContactId id;
  QueueId queue;
  Channel channel = Channel::kVoice;
  int priority = 0;
  ContactState state = ContactState::kWaiting;
  std::string customer_id;
  std::vector<SkillRequirement> skills;  // the contact's own
  std::vector<std::pair<std::string, std::string>> attributes;
  absl::Time arrived_at;          // start of the wait (carried over on transfer)
  absl::Time queued_at;           // when it entered its current queue
  int routing_step = 0;           // index of the queue's relaxation step in force
  std::optional<AgentId> agent;   // offered to / served by
  uint64_t offer = 0;             // with `agent`: the offer's id (Event::offer)
  std::vector<AgentId> excluded;  // agents that rejected or missed it
  // The preference in force (empty once it ended or if there was none) and
  // when its window closes.
  std::vector<AgentId> preferred_agents;
  std::optional<absl::Time> preferred_until;
  // Fallback targets not yet taken, and when the next one is due (unset when
  // none is left).
  size_t fallbacks_left = 0;
  std::optional<absl::Time> next_fallback_at;
  // Set once the caller asked for a callback (the channel is then kCallback).
  std::optional<absl::Time> callback_requested_at;
  Channel original_channel = Channel::kVoice;  // the channel it arrived on
};

// Where a contact is (`Engine::LocateContact`).
struct ContactPlace {
  QueueId queue;
  ContactState state = ContactState::kWaiting;
  std::optional<AgentId> agent;  // offered to / served by
};

// One contact of a customer's history (`Engine::CustomerHistory`): recorded
// when an agent's service of it ends (completed, hung up, forced logout or
// transferred on from service).
struct CustomerContact {
  ContactId contact;
  AgentId agent;
  Channel channel = Channel::kVoice;
  QueueId queue;
  absl::Time ended_at;
};

}  // namespace ccengine

#endif  // CCENGINE_CORE_CONTACT_H_
