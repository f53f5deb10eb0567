// Names of enumerators, event descriptions and derived queue figures.

#include <string>
#include <string_view>

#include "ccengine/core/agent.h"
#include "ccengine/core/contact.h"
#include "ccengine/core/events.h"
#include "ccengine/core/queue.h"
#include "ccengine/core/types.h"
#include "fmt/format.h"

namespace ccengine {

std::string_view ChannelName(Channel channel) {
  switch (channel) {
    case Channel::kVoice: return "voice";
    case Channel::kChat: return "chat";
    case Channel::kEmail: return "email";
    case Channel::kVideo: return "video";
    case Channel::kCallback: return "callback";
    case Channel::kMessage: return "message";
    case Channel::kTicket: return "ticket";
  }
  return "unknown";
}

std::optional<Channel> ParseChannel(std::string_view name) {
  for (Channel c : kAllChannels) {
    if (ChannelName(c) == name) return c;
  }
  return std::nullopt;
}

std::string_view AgentStateName(AgentState state) {
  switch (state) {
    case AgentState::kLoggedOut: return "logged_out";
    case AgentState::kNotReady: return "not_ready";
    case AgentState::kAvailable: return "available";
    case AgentState::kReserved: return "reserved";
    case AgentState::kBusy: return "busy";
    case AgentState::kWrapUp: return "wrap_up";
  }
  return "unknown";
}

std::string_view ContactStateName(ContactState state) {
  switch (state) {
    case ContactState::kWaiting: return "waiting";
    case ContactState::kOffered: return "offered";
    case ContactState::kInService: return "in_service";
    case ContactState::kCompleted: return "completed";
    case ContactState::kAbandoned: return "abandoned";
    case ContactState::kOverflowed: return "overflowed";
    case ContactState::kWithdrawn: return "withdrawn";
  }
  return "unknown";
}

std::string_view EventTypeName(EventType type) {
  switch (type) {
    case EventType::kContactQueued: return "contact_queued";
    case EventType::kOffered: return "offered";
    case EventType::kAccepted: return "accepted";
    case EventType::kRejected: return "rejected";
    case EventType::kOfferTimedOut: return "offer_timed_out";
    case EventType::kOfferRescinded: return "offer_rescinded";
    case EventType::kCompleted: return "completed";
    case EventType::kAbandoned: return "abandoned";
    case EventType::kCallbackRequested: return "callback_requested";
    case EventType::kOverflowed: return "overflowed";
    case EventType::kTransferred: return "transferred";
    case EventType::kWithdrawn: return "withdrawn";
    case EventType::kPriorityChanged: return "priority_changed";
    case EventType::kRelaxed: return "relaxed";
    case EventType::kDecisionExplained: return "decision_explained";
    case EventType::kPreferenceEnded: return "preference_ended";
    case EventType::kAgentStateChanged: return "agent_state_changed";
    case EventType::kCommandFailed: return "command_failed";
  }
  return "unknown";
}

std::string_view EventReasonName(EventReason reason) {
  switch (reason) {
    case EventReason::kNone: return "none";
    case EventReason::kQueueFull: return "queue_full";
    case EventReason::kMaxWait: return "max_wait";
    case EventReason::kClosed: return "closed";
    case EventReason::kCustomerHangup: return "customer_hangup";
    case EventReason::kForcedLogout: return "forced_logout";
    case EventReason::kSupervisor: return "supervisor";
    case EventReason::kRona: return "rona";
    case EventReason::kPreferredWait: return "preferred_wait";
    case EventReason::kNoPreferredAgent: return "no_preferred_agent";
    case EventReason::kTargetTimeout: return "target_timeout";
  }
  return "unknown";
}

std::string DescribeEvent(const Event& e) {
  std::string s = fmt::format("{} at {}", EventTypeName(e.type),
                              absl::FormatTime(e.time, absl::UTCTimeZone()));
  if (e.has_contact) s += fmt::format(" contact={}", e.contact.value());
  if (e.has_agent) s += fmt::format(" agent={}", e.agent.value());
  if (e.type != EventType::kAgentStateChanged && e.type != EventType::kCommandFailed) {
    s += fmt::format(" queue={}", e.queue.value());
  }
  if (e.type == EventType::kOverflowed || e.type == EventType::kTransferred) {
    s += fmt::format(" to_queue={}", e.to_queue.value());
  }
  if (e.type == EventType::kAgentStateChanged) {
    s +=
        fmt::format(" state={} reason={}", AgentStateName(e.agent_state), e.agent_reason);
  }
  if (e.reason != EventReason::kNone) {
    s += fmt::format(" reason={}", EventReasonName(e.reason));
  }
  if (e.type == EventType::kCommandFailed) {
    s += fmt::format(" status={}", e.status.ToString());
  }
  if (e.explanation != nullptr) {
    s += fmt::format(" rule=\"{}\" candidates={}", e.explanation->rule,
                     e.explanation->candidates.size());
  }
  return s;
}

double QueueStats::ServiceLevel() const {
  ServiceLevelCounts c;
  c.offered = static_cast<double>(entered);
  c.answered = static_cast<double>(answered);
  c.answered_within = static_cast<double>(answered_within_sl);
  c.abandoned = static_cast<double>(abandoned);
  c.short_abandoned = static_cast<double>(short_abandoned);
  return ccengine::ServiceLevel(sl_definition, c);
}

absl::Duration QueueStats::AverageSpeedOfAnswer() const {
  if (answered == 0) return absl::ZeroDuration();
  return total_answer_wait / static_cast<int64_t>(answered);
}

absl::Duration QueueStats::AverageHandleTime() const {
  if (completed == 0) return absl::ZeroDuration();
  return total_handle / static_cast<int64_t>(completed);
}

}  // namespace ccengine
