// The simulator's entry points (sim.h): checks, the replications run in
// turn or one at a time, and their bytes combined; one replication's run is
// internal::RunReplication (sim.cc).

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "ccengine/sim/sim.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "sim/sim_internal.h"

namespace ccengine::sim {

using internal::ReplicationTotals;

namespace internal {

absl::Status CheckControl(const RunControl& control) {
  if (!(control.check_every_s > 0) || !(control.check_every_s <= 3600)) {
    return absl::InvalidArgumentError(fmt::format(
        "check_every_s: must be in (0, 3600], got {}", control.check_every_s));
  }
  return absl::OkStatus();
}

}  // namespace internal

namespace {

// Summarize, with replication 0's interval rows moved into the result.
Result SummarizeMoving(const Scenario& scenario, const internal::Resolved& resolved,
                       std::vector<ReplicationTotals>& totals, double wall_seconds) {
  Result out = internal::Summarize(scenario, resolved, totals, wall_seconds);
  if (!totals.empty()) out.intervals = std::move(totals[0].intervals);
  return out;
}

}  // namespace

absl::Status CheckScenario(const Scenario& scenario) {
  return internal::Resolve(scenario).status();
}

absl::StatusOr<Result> Simulate(const Scenario& scenario, const RunControl& control) {
  CCENGINE_RETURN_IF_ERROR(internal::CheckControl(control));
  CCENGINE_ASSIGN_OR_RETURN(internal::Resolved resolved, internal::Resolve(scenario));
  auto wall0 = std::chrono::steady_clock::now();
  std::vector<ReplicationTotals> totals(static_cast<size_t>(scenario.replications));
  for (int rep = 0; rep < scenario.replications; ++rep) {
    CCENGINE_RETURN_IF_ERROR(
        internal::RunReplication(scenario, resolved, rep, control, totals[rep]));
    if (control.progress) control.progress(rep + 1, scenario.replications);
  }
  double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return SummarizeMoving(scenario, resolved, totals, wall);
}

absl::StatusOr<Result> Simulate(const Scenario& scenario, const Progress& progress) {
  RunControl control;
  control.progress = progress;
  return Simulate(scenario, control);
}

absl::StatusOr<std::string> SimulateReplication(const Scenario& scenario, int replication,
                                                const RunControl& control) {
  CCENGINE_RETURN_IF_ERROR(internal::CheckControl(control));
  CCENGINE_ASSIGN_OR_RETURN(internal::Resolved resolved, internal::Resolve(scenario));
  if (replication < 0 || replication >= scenario.replications) {
    return absl::InvalidArgumentError(fmt::format(
        "replication: must be in 0..{}, got {}", scenario.replications - 1, replication));
  }
  ReplicationTotals t;
  CCENGINE_RETURN_IF_ERROR(
      internal::RunReplication(scenario, resolved, replication, control, t));
  return internal::EncodeReplication(scenario, replication, t);
}

absl::StatusOr<Result> CombineReplications(const Scenario& scenario,
                                           const std::vector<std::string>& replications) {
  CCENGINE_ASSIGN_OR_RETURN(internal::Resolved resolved, internal::Resolve(scenario));
  if (replications.size() != static_cast<size_t>(scenario.replications)) {
    return absl::InvalidArgumentError(
        fmt::format("replications: the scenario has {}, got {}", scenario.replications,
                    replications.size()));
  }
  std::vector<ReplicationTotals> totals(replications.size());
  double wall = 0;
  for (size_t i = 0; i < replications.size(); ++i) {
    CCENGINE_RETURN_IF_ERROR(internal::DecodeReplication(
        scenario, resolved, static_cast<int>(i), replications[i], totals[i]));
    wall += totals[i].wall_seconds;
  }
  return SummarizeMoving(scenario, resolved, totals, wall);
}

}  // namespace ccengine::sim
