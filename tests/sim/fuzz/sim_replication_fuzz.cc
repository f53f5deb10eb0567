// libFuzzer target for the reader of a simulated replication's bytes
// (sim::CombineReplications' decoder, src/sim/sim_replication.cc).
//
// Input: the bytes of replication 0 of a fixed scenario shape (seed 5, two
// queues q0 and q1, agent groups g0 of 3 and g1 of 2 agents, three
// intervals, interval rows kept for reports from the Unix epoch on).
// Invariants checked (a violation aborts, reported as a crash):
//   - no crash, no sanitizer report, no allocation out of proportion;
//   - a refusal is InvalidArgument naming "replications[0] at byte offset";
//   - accepted bytes are canonical: encoding what was read gives them back.
//
// Thread safety: libFuzzer calls the entry point from one thread.
//
// Example:
//   tools/fuzz.sh sim_replication 60

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "ccengine/sim/sim.h"
#include "fuzz_check.h"
#include "sim/sim_internal.h"

namespace {

using ccengine::sim::Scenario;
using ccengine::sim::internal::Resolved;

Scenario FuzzScenario() {
  Scenario s;
  s.seed = 5;
  s.horizon_s = 5400;
  s.interval_s = 1800;
  s.queues.resize(2);
  s.queues[0].name = "q0";
  s.queues[1].name = "q1";
  s.agents.resize(2);
  s.report_start = absl::UnixEpoch();
  return s;
}

Resolved FuzzResolved() {
  Resolved r;
  r.group_size = {3, 2};
  r.group_names = {"g0", "g1"};
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Scenario scenario = FuzzScenario();
  static const Resolved resolved = FuzzResolved();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ccengine::sim::internal::ReplicationTotals totals;
  absl::Status st =
      ccengine::sim::internal::DecodeReplication(scenario, resolved, 0, bytes, totals);
  if (!st.ok()) {
    FUZZ_CHECK(st.code() == absl::StatusCode::kInvalidArgument, "refusal code");
    FUZZ_CHECK(absl::StartsWith(st.message(), "replications[0] at byte offset "),
               "refusal names the entry and offset");
    return 0;
  }
  FUZZ_CHECK(ccengine::sim::internal::EncodeReplication(scenario, 0, totals) == bytes,
             "accepted bytes are canonical");
  return 0;
}
