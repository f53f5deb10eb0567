// Consumer check: compiles and links against an *installed* ccengine, through
// the CMake package (tests/consumer/CMakeLists.txt) or through pkg-config:
//
//   g++ -std=c++20 main.cc $(pkg-config --static --cflags --libs ccengine)
//
// It uses the router and the simulator through the umbrella header only, and
// names no other library to the build: Abseil comes from ccengine's exported
// link interface (the public headers use it), fmt only as the static
// libraries' private dependency.
#include <cstdio>

#include <ccengine/ccengine.h>

int main() {
  auto engine = ccengine::Engine::Create();
  if (!engine.ok()) return 1;
  auto skill = (*engine)->AddSkill("policy");
  if (!skill.ok()) return 1;
  ccengine::QueueConfig queue;
  queue.name = "policy";
  queue.skills = {{*skill, 1}};
  auto queue_id = (*engine)->AddQueue(queue);
  ccengine::AgentConfig agent;
  agent.id = ccengine::AgentId{1};
  agent.skills = {{*skill, 5}};
  if (!queue_id.ok() || !(*engine)->AddAgent(agent).ok() ||
      !(*engine)->Login(agent.id).ok()) {
    return 1;
  }
  int offers = 0;
  (*engine)->Subscribe([&offers](const ccengine::Event& e) {
    if (e.type == ccengine::EventType::kOffered) ++offers;
  });
  ccengine::ContactSpec contact;
  contact.id = ccengine::ContactId{1};
  contact.queue = *queue_id;
  absl::Status added = (*engine)->AddContact(contact);
  std::printf("ccengine %s (%s, %d offer)\n", ccengine::kVersionString,
              added.ToString().c_str(), offers);
  return added.ok() && offers == 1 ? 0 : 1;
}
