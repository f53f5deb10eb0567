// -----------------------------------------------------------------------------
// File: tests/config/fuzz/routing_file_fuzz.cc
// -----------------------------------------------------------------------------
//
// libFuzzer target for the routing file (ccengine/config/routing_file.h): the
// strict JSON parser and the loader behind it, over arbitrary bytes. A failure
// must be InvalidArgument (ResourceExhausted only for the size limit) with
// every error line naming the source, on one line and of readable length. A
// success keeps the loader's promises: CreateEngine succeeds with the file's
// ids, every agent profile's agent is accepted, and every flow routes a
// contact with no facts, and one with all built-in facts, to a queue of the
// file. Built and run by
// tools/fuzz.sh routing_file SECONDS.
//
// Thread safety: libFuzzer calls the entry point from one thread.
//
// Example:
//   tools/fuzz.sh routing_file 60

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/config/routing_file.h"
#include "ccengine/core/engine.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace config = ccengine::config;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> errors;
  absl::StatusOr<config::RoutingConfig> loaded =
      config::LoadRoutingJson(text, "routing.json", &errors);
  if (!loaded.ok()) {
    FUZZ_CHECK(loaded.status().code() == absl::StatusCode::kInvalidArgument,
               "error code");
    FUZZ_CHECK(!errors.empty(), "an error without a line");
    FUZZ_CHECK(errors.size() <= config::kMaxRoutingErrors, "more lines than the cap");
    for (const std::string& line : errors) {
      FUZZ_CHECK(line.rfind("routing.json:", 0) == 0, "a line without its source");
      FUZZ_CHECK(line.find('\n') == std::string::npos, "an error of more than one line");
      FUZZ_CHECK(line.size() <= 2048, "an error line too long to read");
    }
    return 0;
  }
  ccengine::EngineOptions options;
  options.intake_capacity = 16;  // cheap to make; no command goes through it
  absl::StatusOr<std::unique_ptr<ccengine::Engine>> engine =
      loaded->CreateEngine(options);
  FUZZ_CHECK(engine.ok(), "a loaded file's engine cannot be created");
  FUZZ_CHECK((*engine)->queue_count() == loaded->queues().size(), "queue count");
  FUZZ_CHECK((*engine)->skill_count() == loaded->skills().size(), "skill count");
  for (size_t i = 0; i < loaded->agent_profiles().size(); ++i) {
    const config::AgentProfile& p = loaded->agent_profiles()[i];
    FUZZ_CHECK(
        (*engine)->AddAgent(loaded->MakeAgent(ccengine::AgentId(i + 1), p.name, p)).ok(),
        "a loaded profile's agent is refused");
  }
  config::Bindings none(loaded->schema());
  config::Bindings facts(loaded->schema());
  loaded->SetContactFacts(facts, ccengine::Channel::kChat,
                          absl::FromUnixSeconds(1'790'000'000));
  for (const config::EntryFlow& flow : loaded->flows()) {
    for (const config::Bindings* b : {&none, &facts}) {
      const config::FlowTarget& target = flow.Route(*b);
      FUZZ_CHECK(target.queue.value() < loaded->queues().size(), "a target off the file");
      const int rule = flow.Match(*b);
      FUZZ_CHECK(rule >= -1 && rule < static_cast<int>(flow.rules().size()),
                 "rule index");
    }
  }
  return 0;
}
