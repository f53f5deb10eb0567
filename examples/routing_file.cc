// Routing as configuration: load a routing file, build the engine it
// declares, staff it from the file's agent profiles, and send five callers
// through the file's entry flow — each to the queue its rules choose.
//
//   ./routing_file [examples/routing/hotline.json]
//
// A broken file prints every error, one per line, and exits 1.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ccengine/ccengine.h"

int main(int argc, char** argv) {
  namespace config = ccengine::config;
  const std::string path = argc > 1 ? argv[1] : "examples/routing/hotline.json";
  absl::StatusOr<config::RoutingConfig> routing = config::LoadRoutingFile(path);
  if (!routing.ok()) {
    std::fprintf(stderr, "%s\n", std::string(routing.status().message()).c_str());
    return 1;
  }
  std::printf("%s: %zu skills, %zu queues, %zu flows (content %s)\n", path.c_str(),
              routing->skills().size(), routing->queues().size(), routing->flows().size(),
              routing->content_hash().c_str());

  ccengine::EngineOptions options;
  options.start = absl::FromCivil(absl::CivilSecond(2026, 12, 7, 10, 0, 0),
                                  absl::FixedTimeZone(routing->utc_offset_s()));
  auto engine = routing->CreateEngine(options).value();
  engine->Subscribe(
      [&](const ccengine::Event& e) {
        std::printf("  contact %llu -> agent %llu in %s\n",
                    static_cast<unsigned long long>(e.contact.value()),
                    static_cast<unsigned long long>(e.agent.value()),
                    routing->queues()[e.queue.value()].name.c_str());
      },
      ccengine::EventBit(ccengine::EventType::kOffered));
  uint64_t next_agent = 1;
  for (const config::AgentProfile& profile : routing->agent_profiles()) {
    for (int i = 0; i < 2; ++i) {
      const ccengine::AgentId id(next_agent++);
      (void)engine->AddAgent(routing->MakeAgent(id, profile.name, profile));
      (void)engine->Login(id);
    }
  }

  const config::EntryFlow* flow = routing->FindFlow("hotline");
  if (flow == nullptr) {
    std::fprintf(stderr, "%s: no flow named hotline\n", path.c_str());
    return 1;
  }
  struct Caller {
    const char* attribute;
    const char* value;
  };
  const std::vector<Caller> callers = {{"contact.text", "楼道里有烟，可能是火灾"},
                                       {"contact.language", "en"},
                                       {"contact.language", "yue"},
                                       {"ivr.choice", "2"},
                                       {"ivr.choice", "1"}};
  config::Bindings facts(routing->schema());  // refilled per caller
  uint64_t contact = 100;
  for (const Caller& caller : callers) {
    facts.UnsetAll();
    routing->SetContactFacts(facts, ccengine::Channel::kVoice, engine->Now());
    if (auto id = routing->schema().Find(caller.attribute))
      facts.SetString(*id, caller.value);
    const int rule = flow->Match(facts);
    const config::FlowTarget& target = flow->Route(facts);
    std::printf(
        "%s = %s: rule %s, queue %s, priority %d\n", caller.attribute, caller.value,
        rule < 0 ? "(default)" : flow->rules()[static_cast<size_t>(rule)].name.c_str(),
        routing->queues()[target.queue.value()].name.c_str(), target.priority);
    const absl::Status added = engine->AddContact(routing->MakeContact(
        ccengine::ContactId(contact++), ccengine::Channel::kVoice, target));
    if (!added.ok()) {
      std::fprintf(stderr, "%s\n", std::string(added.message()).c_str());
      return 1;
    }
  }
  return 0;
}
