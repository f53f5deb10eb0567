// -----------------------------------------------------------------------------
// File: ccengine/core/commands.h
// -----------------------------------------------------------------------------
//
// The commands producers send to the router through `Engine::Submit` (any
// thread, lock-free), each the asynchronous twin of a router-thread method of
// `Engine` with the same name. A command that the engine refuses comes back
// as an `EventType::kCommandFailed` event carrying the same `absl::Status`
// the synchronous call would have returned; nothing else changes.
//
// Thread safety: plain values; thread-compatible. A command is moved into the
// engine by `Submit`.
//
// Example:
//   engine.Submit(ccengine::cmd::AcceptOffer{agent, contact});

#ifndef CCENGINE_CORE_COMMANDS_H_
#define CCENGINE_CORE_COMMANDS_H_

#include <cstdint>
#include <variant>

#include "ccengine/core/agent.h"
#include "ccengine/core/contact.h"
#include "ccengine/core/quality.h"
#include "ccengine/core/types.h"

namespace ccengine::cmd {

struct AddAgent {
  AgentConfig config;
};
struct RemoveAgent {
  AgentId agent;
};
struct Login {
  AgentId agent;
  bool ready = true;
  int32_t reason = kReasonNone;
};
struct Logout {
  AgentId agent;
};
struct SetReady {
  AgentId agent;
};
struct SetNotReady {
  AgentId agent;
  int32_t reason = kReasonNone;
};
struct AddContact {
  ContactSpec spec;
};
struct AcceptOffer {
  AgentId agent;
  ContactId contact;
};
struct RejectOffer {
  AgentId agent;
  ContactId contact;
};
struct CompleteContact {
  AgentId agent;
  ContactId contact;
  ContactOutcome outcome = {};
};
struct EndWrapUp {
  AgentId agent;
};
struct Abandon {
  ContactId contact;
};
struct RequestCallback {
  ContactId contact;
};
struct Transfer {
  ContactId contact;
  QueueId to;
  bool keep_age = true;
};
struct Withdraw {
  ContactId contact;
};
struct SetPriority {
  ContactId contact;
  int priority = 0;
};
struct ForceAgentState {
  AgentId agent;
  AgentState state = AgentState::kNotReady;  // kLoggedOut/kNotReady/kAvailable
  int32_t reason = kReasonNone;
};

}  // namespace ccengine::cmd

namespace ccengine {

using Command =
    std::variant<cmd::AddAgent, cmd::RemoveAgent, cmd::Login, cmd::Logout, cmd::SetReady,
                 cmd::SetNotReady, cmd::AddContact, cmd::AcceptOffer, cmd::RejectOffer,
                 cmd::CompleteContact, cmd::EndWrapUp, cmd::Abandon, cmd::RequestCallback,
                 cmd::Transfer, cmd::Withdraw, cmd::SetPriority, cmd::ForceAgentState>;

}  // namespace ccengine

#endif  // CCENGINE_CORE_COMMANDS_H_
