// -----------------------------------------------------------------------------
// File: ccengine/core/agent.h
// -----------------------------------------------------------------------------
//
// An agent (坐席) as the router sees it: the skills held with a proficiency
// level 1..10, a capacity model, and a lifecycle state.
//
// Capacity is two-fold, as in a real omnichannel desk: a per-channel
// concurrency limit (e.g. 1 voice call, up to 3 chats) and a total load budget
// that each contact consumes according to its channel (a chat costs a third of
// the agent, an email half). A channel may be exclusive: a voice call is only
// offered to an agent with nothing else open, and blocks everything else while
// it lasts. Offered (ringing) contacts count against capacity, so an agent can
// never be over capacity, even briefly.
//
// Lifecycle: logged out → not ready (with a reason code) ⇄ available →
// reserved (an offer rings) → busy → wrap-up (timed after-contact work) →
// available. `AgentState` is derived from presence and work in progress.
//
// Thread safety: plain values; thread-compatible.
//
// Example:
//   ccengine::AgentConfig a;
//   a.id = ccengine::AgentId{7};
//   a.skills = {{policy, 8}, {cantonese, 6}};
//   a.capacity.max_per_channel[static_cast<int>(ccengine::Channel::kChat)] = 3;

#ifndef CCENGINE_CORE_AGENT_H_
#define CCENGINE_CORE_AGENT_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "ccengine/core/types.h"

namespace ccengine {

struct Capacity {
  // Order follows `Channel`: voice, chat, email, video, callback, message,
  // ticket. 0 means the agent does not take that channel.
  std::array<uint8_t, kChannelCount> max_per_channel = {1, 3, 2, 1, 1, 3, 2};
  // Load units one contact of the channel consumes from `load_budget`.
  std::array<uint16_t, kChannelCount> load_per_contact = {100, 33, 50, 100, 100, 25, 50};
  uint16_t load_budget = 100;
  // An exclusive channel is offered only to an idle agent and blocks the
  // agent for every other channel while it lasts.
  std::array<bool, kChannelCount> exclusive = {true, false, false, true,
                                               true, false, false};
};

struct AgentConfig {
  AgentId id;
  std::string name;                // for display; may be empty
  std::vector<SkillLevel> skills;  // each skill at most once, level 1..10
  Capacity capacity;
  double weight = 1.0;  // for the weighted-random strategy; must be > 0
  // Auto-accept (a phone set to auto-answer, Amazon Connect's "auto-accept
  // calls", the simulator's agents): every offer to this agent is accepted
  // the moment it is made — kOffered then kAccepted at the same instant, no
  // ringing, no offer timeout, and the agent goes from available straight to
  // busy (it never shows as reserved). `AcceptOffer` is then never needed.
  // Behind a `TelephonyBridge`, leave it off: the bridge accepts when the
  // phone answers, and that acceptance would be refused.
  bool auto_accept = false;
};

enum class AgentState : uint8_t {
  kLoggedOut = 0,
  kNotReady,   // presence not ready and nothing in progress
  kAvailable,  // ready, nothing in progress
  kReserved,   // an offer is ringing and nothing is in service
  kBusy,       // at least one contact in service
  kWrapUp,     // after-contact work; takes no offers until it ends
};
std::string_view AgentStateName(AgentState state);
inline constexpr int kAgentStateCount = static_cast<int>(AgentState::kWrapUp) + 1;

// Time an agent has spent in each state (indexed by AgentState) since it was
// added; the state it is in now counts up to the engine's time. Occupancy is
// (reserved + busy + wrap-up) / (available + reserved + busy + wrap-up); a
// report over an interval subtracts two readings.
using AgentStateTimes = std::array<absl::Duration, kAgentStateCount>;

// Reason codes for not-ready. Product codes are positive; the engine uses
// these two.
inline constexpr int32_t kReasonNone = 0;
inline constexpr int32_t kReasonRona = -1;  // repeated offers not answered

// What the engine reports about an agent (a copy; cheap to take).
struct AgentSnapshot {
  AgentId id;
  std::string name;
  AgentState state = AgentState::kLoggedOut;
  int32_t reason = kReasonNone;  // not-ready reason while not ready
  std::vector<SkillLevel> skills;
  std::array<uint8_t, kChannelCount> active_per_channel{};  // incl. offered
  uint32_t load = 0;                // load units in use, offered included
  std::vector<ContactId> contacts;  // offered and in service
  uint64_t handled = 0;             // contacts accepted since login
  uint32_t consecutive_no_answers = 0;
  absl::Time idle_since;     // when the agent last became free to take work
  bool auto_accept = false;  // AgentConfig::auto_accept
  AgentStateTimes time_in_state{};
};

}  // namespace ccengine

#endif  // CCENGINE_CORE_AGENT_H_
