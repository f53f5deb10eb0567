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
// A command may carry a `CommandOrigin` (below): then it is applied at most
// once, whatever a producer resends after a crash.
//
// Thread safety: plain values; thread-compatible. A command is moved into the
// engine by `Submit`.
//
// Example:
//   engine.Submit(ccengine::cmd::AcceptOffer{agent, contact});

#ifndef CCENGINE_CORE_COMMANDS_H_
#define CCENGINE_CORE_COMMANDS_H_

#include <cstdint>
#include <string>
#include <string_view>
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
// `offer`: the id of the offer answered (Event::offer), or 0 for whatever
// rings now. With an id, an answer to an offer that is no longer the
// contact's latest fails (FailedPrecondition), and accepting an offer that
// was accepted already succeeds and changes nothing: a producer that retries
// after a crash or a lost reply cannot connect a call twice or take one
// offered since to someone else.
struct AcceptOffer {
  AgentId agent;
  ContactId contact;
  uint64_t offer = 0;
};
struct RejectOffer {
  AgentId agent;
  ContactId contact;
  uint64_t offer = 0;
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
// An erasure request (the customer's right to deletion): the engine forgets
// the customer's contact history. See Engine::EraseCustomer.
struct EraseCustomer {
  std::string customer_id;
};

}  // namespace ccengine::cmd

namespace ccengine {

using Command =
    std::variant<cmd::AddAgent, cmd::RemoveAgent, cmd::Login, cmd::Logout, cmd::SetReady,
                 cmd::SetNotReady, cmd::AddContact, cmd::AcceptOffer, cmd::RejectOffer,
                 cmd::CompleteContact, cmd::EndWrapUp, cmd::Abandon, cmd::RequestCallback,
                 cmd::Transfer, cmd::Withdraw, cmd::SetPriority, cmd::ForceAgentState,
                 cmd::EraseCustomer>;

// The command's name as in `cmd::` ("AddContact"), for messages and reports.
std::string_view CommandName(const Command& command);

// Who sent a command, so that it is applied once however often it is sent. A
// producer (a telephony bridge, a chat gateway) takes an id > 0 of its own
// and numbers its commands 1, 2, 3, ... (gaps allowed, never backwards);
// after a crash or a lost reply it sends a command again with the same
// number. The engine keeps each producer's highest number applied (in its
// state: journaled, in snapshots) and refuses a number at or below it with
// AlreadyExists, changing nothing. Producer 0 (the default): no number, no
// check.
//
// `actor`: who asked for it — a number an access policy gave the person or
// system (compliance::AccessControl::AddActor); 0, nobody named. An engine
// with an authorizer (Engine::SetAuthorizer) decides by it; without one it
// is not read.
struct CommandOrigin {
  uint64_t producer = 0;
  uint64_t sequence = 0;
  uint32_t actor = 0;
  friend bool operator==(const CommandOrigin&, const CommandOrigin&) = default;
};

}  // namespace ccengine

#endif  // CCENGINE_CORE_COMMANDS_H_
