// -----------------------------------------------------------------------------
// File: ccengine/contact.h
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
// Thread safety: plain values; thread-compatible.
//
// Example:
//   ccengine::ContactSpec c;
//   c.id = ccengine::ContactId{42};
//   c.queue = complaints;
//   c.channel = ccengine::Channel::kChat;
//   c.priority = 1;  // VIP
//   c.skills = {{english, 5}};

#ifndef CCENGINE_CONTACT_H_
#define CCENGINE_CONTACT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "ccengine/types.h"

namespace ccengine {

inline constexpr int kMinPriority = 0;
inline constexpr int kMaxPriority = 9;

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
  absl::Time arrived_at;   // start of the wait (carried over on transfer)
  absl::Time queued_at;    // when it entered its current queue
  int routing_step = 0;    // index of the queue's relaxation step in force
  std::optional<AgentId> agent;     // offered to / served by
  std::vector<AgentId> excluded;    // agents that rejected or missed it
};

}  // namespace ccengine

#endif  // CCENGINE_CONTACT_H_
