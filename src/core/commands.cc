// The names of the commands (commands.h), for messages, reports and audit
// records.

#include "ccengine/core/commands.h"

#include <array>

namespace ccengine {

std::string_view CommandName(const Command& command) {
  static constexpr std::array<std::string_view, std::variant_size_v<Command>> kNames = {
      "AddAgent",        "RemoveAgent",     "Login",      "Logout",
      "SetReady",        "SetNotReady",     "AddContact", "AcceptOffer",
      "RejectOffer",     "CompleteContact", "EndWrapUp",  "Abandon",
      "RequestCallback", "Transfer",        "Withdraw",   "SetPriority",
      "ForceAgentState", "EraseCustomer"};
  return kNames[command.index()];
}

}  // namespace ccengine
