#include "sim/staffing_confidence.h"

#include <cmath>
#include <vector>

#include "ccengine/core/wait_estimate.h"

namespace ccengine::sim::internal {

double StudentQuantile(double p, int df) {
  if (df == 1) return std::tan(M_PI * (p - 0.5));
  if (df == 2) return (2 * p - 1) / std::sqrt(2 * p * (1 - p));
  const double z = ccengine::NormalQuantile(p), n = df;
  const double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
  return z + (z3 + z) / (4 * n) + (5 * z5 + 16 * z3 + 3 * z) / (96 * n * n) +
         (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * n * n * n);
}

Verdict Judge(const std::vector<double>& xs, double bound, bool at_least,
              double confidence, bool last) {
  double sum = 0;
  int n = 0;
  for (double x : xs) {
    if (std::isinf(x)) return Verdict::kFails;
    if (!std::isnan(x)) sum += x, ++n;
  }
  if (n == 0) return Verdict::kMeets;
  const double mean = sum / n;
  double ss = 0;
  for (double x : xs) {
    if (!std::isnan(x)) ss += (x - mean) * (x - mean);
  }
  const double half =
      n > 1 ? StudentQuantile(confidence, n - 1) * std::sqrt(ss / (n - 1) / n) : INFINITY;
  const double lo = mean - half, hi = mean + half;
  const bool meets = at_least ? lo >= bound : hi <= bound;
  const bool fails = at_least ? hi < bound : lo > bound;
  if (meets) return Verdict::kMeets;
  if (fails) return Verdict::kFails;
  if (!last) return Verdict::kUndecided;
  return (at_least ? mean >= bound : mean <= bound) ? Verdict::kMeets : Verdict::kFails;
}

void Samples::Add(const Metrics& m) {
  const bool offered = m.offered > 0;
  auto figure = [&](double x) { return !offered ? NAN : std::isnan(x) ? INFINITY : x; };
  sl.push_back(offered ? m.service_level : NAN);
  abandon.push_back(offered ? m.p_abandon : NAN);
  asa.push_back(figure(m.asa));
  occupancy.push_back(figure(m.occupancy));
  stranded |= m.offered - m.answered - m.abandoned - m.overflowed > 0.5;
}

Verdict JudgeQueue(const Samples& s, const QueueTargets& t, double confidence,
                   bool last) {
  // Callers still waiting when the run ended were never served: no target
  // is met by leaving them there.
  if (s.stranded) return Verdict::kFails;
  Verdict all = Verdict::kMeets;
  auto take = [&](const std::vector<double>& xs, double bound, bool at_least) {
    if (std::isnan(bound) || all == Verdict::kFails) return;
    Verdict v = Judge(xs, bound, at_least, confidence, last);
    if (v == Verdict::kFails || (v == Verdict::kUndecided && all == Verdict::kMeets))
      all = v;
  };
  take(s.sl, t.service_level, true);
  take(s.abandon, t.max_abandon, false);
  take(s.asa, t.max_asa, false);
  take(s.occupancy, t.max_occupancy, false);
  return all;
}

}  // namespace ccengine::sim::internal
