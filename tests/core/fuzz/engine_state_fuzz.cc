// libFuzzer target for the engine's state decoder (Engine::LoadState), the
// reader of snapshot files.
//
// Input: the bytes of an engine state, loaded into a freshly configured
// center (three skills; queues with longest-idle, random, weighted-random and
// satisfaction strategies, relaxation, overflow, wrap-up and offer timeouts).
// Invariants checked (a violation aborts, reported as a crash):
//   - no crash, no sanitizer report, no allocation out of proportion;
//   - LoadState ends OK, InvalidArgument or FailedPrecondition; refused, the
//     engine writes the same state as before (it was left fresh);
//   - loaded, the engine passes CheckInvariants, and what it writes loads
//     into another fresh engine that writes the same bytes again;
//   - a loaded engine keeps working: an hour of timers fires, agents log
//     out, and CheckInvariants still passes.
//
// Thread safety: libFuzzer calls the entry point from one thread.
//
// Example:
//   tools/fuzz.sh engine_state 60

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "fuzz_check.h"

namespace {

std::unique_ptr<ccengine::Engine> FuzzCenter() {
  using namespace ccengine;  // NOLINT(build/namespaces): a test's configuration
  EngineOptions options;
  options.seed = 7;
  options.start = absl::UnixEpoch() + absl::Hours(8);
  options.intake_capacity = 16;  // not state; a large one is slow to create
  std::unique_ptr<Engine> e = *Engine::Create(options);
  const SkillId tax = *e->AddSkill("tax");
  const SkillId medical = *e->AddSkill("medical");
  const SkillId english = *e->AddSkill("english");
  QueueConfig general;
  general.name = "general";
  general.strategy = "weighted_random";
  general.wrap_up = absl::Seconds(3);
  const QueueId overflow = *e->AddQueue(general);
  QueueConfig q;
  q.name = "tax";
  q.skills = {{tax, 3}};
  q.relaxation = {{absl::Seconds(30), {{tax, 1}}}};
  q.wrap_up = absl::Seconds(5);
  q.offer_timeout = absl::Seconds(10);
  q.max_size = 15;
  q.max_wait = absl::Seconds(240);
  q.overflow_queue = overflow;
  (void)e->AddQueue(q);
  q = QueueConfig();
  q.name = "medical";
  q.skills = {{medical, 2}};
  q.strategy = "random";
  q.offer_timeout = absl::Seconds(15);
  (void)e->AddQueue(q);
  q = QueueConfig();
  q.name = "english";
  q.skills = {{english, 1}};
  q.strategy = "satisfaction";
  (void)e->AddQueue(q);
  return e;
}

std::string Saved(const ccengine::Engine& e) {
  std::string out;
  e.SaveState(out);
  return out;
}

}  // namespace

#ifndef ENGINE_STATE_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);
  std::unique_ptr<ccengine::Engine> e = FuzzCenter();
  const std::string fresh = Saved(*e);
  const absl::Status s = e->LoadState(input);
  if (!s.ok()) {
    FUZZ_CHECK(s.code() == absl::StatusCode::kInvalidArgument ||
                   s.code() == absl::StatusCode::kFailedPrecondition,
               "refused with InvalidArgument or FailedPrecondition");
    FUZZ_CHECK(Saved(*e) == fresh, "a refused state leaves the engine fresh");
    return 0;
  }
  FUZZ_CHECK(e->CheckInvariants().ok(), "a loaded engine is consistent");
  const std::string saved = Saved(*e);
  std::unique_ptr<ccengine::Engine> again = FuzzCenter();
  FUZZ_CHECK(again->LoadState(saved).ok(), "what a loaded engine writes loads");
  FUZZ_CHECK(Saved(*again) == saved, "and writes the same bytes");
  // It keeps working.
  for (int minute = 1; minute <= 60; ++minute) {
    FUZZ_CHECK(e->AdvanceTo(e->Now() + absl::Minutes(1)).ok(), "time moves on");
  }
  for (uint64_t id = 0; id < 64; ++id) (void)e->Logout(ccengine::AgentId{id});
  FUZZ_CHECK(e->AdvanceTo(e->Now() + absl::Hours(1)).ok(), "time moves on");
  FUZZ_CHECK(e->CheckInvariants().ok(), "and the engine stays consistent");
  return 0;
}
#endif
