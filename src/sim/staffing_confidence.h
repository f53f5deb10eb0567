// Private to the staffing search (staffing.cc): "meets at confidence c" —
// a one-sided Student-t bound on the right side of each target, over the
// replications of one queue-interval.

#ifndef CCENGINE_SRC_SIM_STAFFING_CONFIDENCE_H_
#define CCENGINE_SRC_SIM_STAFFING_CONFIDENCE_H_

#include <vector>

#include "ccengine/sim/sim.h"
#include "ccengine/sim/staffing.h"

namespace ccengine::sim::internal {

// Student's t quantile with `df` degrees of freedom: exact for 1 and 2,
// else the Cornish–Fisher expansion around the normal one (within 2% for
// df >= 3 at p <= 0.99, within 0.1% for df >= 8).
double StudentQuantile(double p, int df);

enum class Verdict { kMeets, kFails, kUndecided };

// One figure over the replications against a bound: `at_least` for a
// service level, else a cap. Replications with nothing offered are left out
// (NaN); a replication where the figure is undefined although contacts were
// offered (no answer for ASA, no agent for occupancy) fails a cap outright.
// `last`: no more replications will come, so the mean decides.
Verdict Judge(const std::vector<double>& xs, double bound, bool at_least,
              double confidence, bool last);

// The figures of one queue-interval, one entry per replication: NaN where
// nothing was offered; +inf for a figure undefined although contacts were.
struct Samples {
  std::vector<double> sl, abandon, asa, occupancy;
  bool stranded = false;  // a contact ended with no outcome (never served)
  void Add(const Metrics& m);
};

// Every target of the queue: fails as soon as one fails, undecided while
// one is.
Verdict JudgeQueue(const Samples& s, const QueueTargets& t, double confidence, bool last);

}  // namespace ccengine::sim::internal

#endif  // CCENGINE_SRC_SIM_STAFFING_CONFIDENCE_H_
