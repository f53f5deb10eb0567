// Roles and scopes on every command: the hotline's routing file groups its
// queues into departments; a supervisor of the foreign-language desk, an
// agent and the telephony bridge send commands through an access control
// attached to the engine, and each refusal says what was missing.
//
//   access_control examples/routing/hotline.json

#include <cstdio>
#include <string>

#include "ccengine/ccengine.h"

using namespace ccengine;  // NOLINT: an example

namespace {

void Show(const char* who, const char* what, const absl::Status& status) {
  std::printf("%-8s %-34s %s\n", who, what,
              status.ok() ? "ok" : std::string(status.ToString()).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "examples/routing/hotline.json";
  absl::StatusOr<config::RoutingConfig> routing = config::LoadRoutingFile(path);
  if (!routing.ok()) {
    std::fprintf(stderr, "%s\n", std::string(routing.status().message()).c_str());
    return 1;
  }
  std::unique_ptr<Engine> engine = routing->CreateEngine().value();
  const QueueId english = *routing->FindQueue("English");
  const QueueId policy = *routing->FindQueue("政策咨询");

  compliance::AccessControl access(routing->access_policy());
  // Agents 7 (English desk) and 8 (policy line), placed in their departments.
  for (uint64_t id : {7, 8}) {
    const char* profile = id == 7 ? "english" : "policy";
    if (!engine
             ->AddAgent(
                 routing->MakeAgent(AgentId(id), "", *routing->FindProfile(profile)))
             .ok()) {
      return 1;
    }
    if (!access.AssignAgent(AgentId(id), id == 7 ? "外语组" : "热线一部").ok()) return 1;
  }
  compliance::ActorSpec chen;  // supervisor of the foreign-language desk
  chen.id = "chen";
  chen.tenant = "12345";
  chen.departments = {"外语组"};
  chen.roles = {{"supervisor"}};
  compliance::ActorSpec lee;  // agent 7 himself
  lee.id = "li.lei";
  lee.tenant = "12345";
  lee.agent = AgentId(7);
  lee.roles = {{"agent"}};
  compliance::ActorSpec bridge;  // the telephony bridge
  bridge.id = "sip-bridge";
  bridge.roles = {{"system"}};
  const uint32_t sup = access.AddActor(chen).value();
  const uint32_t agent = access.AddActor(lee).value();
  const uint32_t sys = access.AddActor(bridge).value();
  size_t audited = 0;
  access.SetDecisionSink([&](const compliance::AccessDecision&) {
    ++audited;  // a real center appends to the audit trail (audit::AccessAuditSink)
    return absl::OkStatus();
  });
  access.Attach(*engine);

  auto apply = [&](uint32_t actor, const Command& command) {
    CommandOrigin origin;
    origin.actor = actor;
    return engine->Apply(command, origin);
  };
  Show("li.lei", "log in agent 7", apply(agent, cmd::Login{AgentId(7), false}));
  Show("li.lei", "log in agent 8", apply(agent, cmd::Login{AgentId(8)}));
  Show("chen", "log in agent 8", apply(sup, cmd::Login{AgentId(8)}));
  Show("(none)", "log in agent 8", apply(0, cmd::Login{AgentId(8)}));
  ContactSpec caller;
  caller.id = ContactId(1);
  caller.queue = english;
  Show("bridge", "caller 1 into English", apply(sys, cmd::AddContact{caller}));
  caller.id = ContactId(2);
  caller.queue = policy;
  Show("bridge", "caller 2 into 政策咨询", apply(sys, cmd::AddContact{caller}));
  Show("chen", "raise caller 1's priority",
       apply(sup, cmd::SetPriority{ContactId(1), 5}));
  Show("chen", "withdraw caller 2", apply(sup, cmd::Withdraw{ContactId(2)}));
  Show("li.lei", "force agent 7 ready",
       apply(agent, cmd::ForceAgentState{AgentId(7), AgentState::kAvailable}));
  Show("chen", "force agent 7 ready",
       apply(sup, cmd::ForceAgentState{AgentId(7), AgentState::kAvailable}));
  // An erasure request needs pii.erase, which only the administrator holds.
  Show("chen", "erase a customer's history",
       apply(sup, cmd::EraseCustomer{"13800000001"}));
  std::printf("%zu decisions for the audit trail\n", audited);
  return 0;
}
