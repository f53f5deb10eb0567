// Consumer check: compiles and links against an *installed* ccengine, through
// the CMake package (tests/consumer/CMakeLists.txt) or through pkg-config:
//
//   g++ -std=c++20 main.cc $(pkg-config --static --cflags --libs ccengine)
//
// It uses the router, live metrics, the ticket desk's business clock and the
// knowledge base's query builder through the umbrella header only, and
// names no other library to the build: Abseil comes from ccengine's exported
// link interface (the public headers use it), fmt only as the static
// libraries' private dependency.
#include <cstdio>

#include <ccengine/ccengine.h>

int main() {
  auto engine = ccengine::Engine::Create();
  if (!engine.ok()) return 1;
  auto metrics = ccengine::metrics::Collector::Attach(**engine, {});
  if (!metrics.ok()) return 1;
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
  // One call into each module the umbrella names beyond core: the libraries
  // must all be on the link line.
  const absl::Time t0 = absl::UnixEpoch();
  const absl::Duration open =
      ccengine::tickets::BusinessTimeBetween(std::nullopt, t0, t0 + absl::Hours(2));
  ccengine::text::SynonymTable synonyms;
  auto query = ccengine::knowledge::BuildQuery("个税 refund", synonyms);
  const auto today = (*metrics)->QueueTotal(*queue_id, t0, t0 + absl::Hours(24));
  const bool modules_ok = open == absl::Hours(2) && query.ok() && !query->empty() &&
                          today.ok() && today->counts.offered == 1;
  std::printf("ccengine %s (%s, %d offer, modules %s)\n", ccengine::kVersionString,
              added.ToString().c_str(), offers, modules_ok ? "ok" : "FAILED");
  return added.ok() && offers == 1 && modules_ok ? 0 : 1;
}
