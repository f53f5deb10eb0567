// -----------------------------------------------------------------------------
// File: ccengine/erlang/erlang.h
// -----------------------------------------------------------------------------
//
// Closed-form staffing analytics for a single queue served by `n` identical
// agents, Poisson arrivals (rate `lambda`) and exponential handle times (mean
// `aht`, so `mu = 1 / aht`); the offered load is `A = lambda * aht` Erlangs.
// All times are in seconds and all rates are per second.
//
//   Erlang B (M/M/n/n, blocked contacts are lost): the recursion
//     B(0) = 1,  B(k) = A B(k-1) / (k + A B(k-1))
//   is evaluated in double; it never forms A^n or n!, so it is stable for any
//   n and A (a tiny B underflows gracefully to 0).
//   Erlang C (M/M/n, infinite patience, needs A < n):
//     C = n B / (n - A (1 - B)),             P(wait > 0)
//     ASA = C aht / (n - A),                 mean wait over all contacts
//     SL(t) = 1 - C exp(-(n - A) t / aht),   P(wait <= t)
//     occupancy = A / n.
//   Erlang A (M/M/n+M, exponential patience with mean `patience`,
//   theta = 1 / patience; stable for any load): the exact birth-death chain
//   with birth rate lambda, death rate k mu for k <= n and n mu + m theta in
//   state n + m. With t_0 = 1, t_m = prod_{j=1..m} lambda / (n mu + j theta)
//   and J = sum_m t_m, an arrival waits with probability
//     P_wait = B J / (1 - B + B J)
//   and, given that it waits, finds m contacts ahead with probability
//   t_m / J. A contact with m ahead (FCFS) passes stages j = m..0; in stage
//   j it leaves for service-or-progress at rate n mu + j theta and abandons at
//   rate theta, so it is served with probability
//     s_m = prod_{j=0..m} (n mu + j theta) / (n mu + (j+1) theta)
//         = n mu / (n mu + (m+1) theta),
//   and, given service, its wait is a sum of independent exponentials with
//   rates n mu + i theta, i = 1..m+1. With u = exp(-theta t), that sum is
//   <= t with probability I_{1-u}(m+1, n mu/theta + 1) (regularized
//   incomplete beta), i.e. P(NegBin(n mu/theta + 1, 1-u) >= m+1), whose pmf
//   follows by a ratio recursion. The sums run in scaled/log form until the
//   remaining tail is below 1e-17 of the total, so no factorial or power
//   overflows; results are accurate to ~1e-12 (well within 1e-6) for
//   10,000 agents and 10,000 Erlangs. Garnett, Mandelbaum & Reiman (2002),
//   "Designing a call center with impatient customers", give the same model.
//
// Thread safety: all functions are pure and thread-safe.
//
// Errors: every function returns `absl::InvalidArgumentError` for a bad input
// (negative, NaN or infinite rate or time, `aht <= 0`, `agents <= 0`,
// `sl_seconds < 0`, `patience <= 0` or infinite, `sl_target` outside (0, 1),
// or an Erlang C load with `A >= n`); the message starts with the function's
// snake_case name and names the argument and its value, e.g.
// "erlang_c: agents must be > 0, got 0". `absl::OutOfRangeError` means the
// answer lies beyond what is computed here: more than `kMaxErlangAgents`
// agents, an Erlang A queue needing more than `kMaxErlangAQueueStates`
// states (extreme overload with extreme patience), or no agent count up to
// `kMaxAgentsForServiceLevel` meeting the target.
//
// Example:
//   // 100 calls per 30 minutes, 3-minute AHT, 5-minute patience, 14 agents.
//   absl::StatusOr<ccengine::ErlangAMetrics> m =
//       ccengine::ErlangAMetricsFor(100.0 / 1800, 180, 300, 14, 20);
//   if (m.ok()) Report(m->service_level, m->asa);  // ~0.917, ~3.88 s
//   absl::StatusOr<int> n = ccengine::AgentsForServiceLevel(
//       100.0 / 1800, 180, /*sl_target=*/0.8, /*sl_seconds=*/20);

#ifndef CCENGINE_ERLANG_ERLANG_H_
#define CCENGINE_ERLANG_ERLANG_H_

#include <optional>

#include "absl/status/statusor.h"

namespace ccengine {

// Largest agent count any function here accepts.
inline constexpr int kMaxErlangAgents = 10'000'000;
// Largest queue length the Erlang A sums may need to visit.
inline constexpr long long kMaxErlangAQueueStates = 100'000'000;
// `AgentsForServiceLevel()` searches at most this many agents.
inline constexpr int kMaxAgentsForServiceLevel = 100'000;

// Blocking probability of an Erlang loss system with `agents` servers offered
// `traffic_erlangs`. `agents == 0` is allowed (everything is blocked: 1).
absl::StatusOr<double> ErlangB(double traffic_erlangs, int agents);

// Probability that a contact has to wait in M/M/n; requires
// `traffic_erlangs < agents` ("unstable load" otherwise).
absl::StatusOr<double> ErlangC(double traffic_erlangs, int agents);

struct ErlangCMetrics {
  double p_wait;         // P(all agents busy at arrival) = Erlang C.
  double asa;            // Mean wait over all contacts, seconds.
  double service_level;  // P(wait <= sl_seconds).
  double occupancy;      // A / n.
};

// Erlang C metrics for `arrival_rate` contacts/s, handle time `aht` s.
absl::StatusOr<ErlangCMetrics> ErlangCMetricsFor(double arrival_rate, double aht,
                                                 int agents, double sl_seconds);

struct ErlangAMetrics {
  double p_wait;         // P(a contact has to wait: all n busy at arrival).
  double p_abandon;      // P(abandon) over all offered contacts.
  double asa;            // Mean wait of ANSWERED contacts only, seconds.
  double service_level;  // P(answered AND wait <= sl_seconds) over offered.
  double occupancy;      // Carried load per agent: lambda (1-p_abandon) aht/n.
};

// Erlang A (M/M/n+M) metrics; `patience` is the mean of the exponential
// patience, finite and > 0 (use `ErlangCMetricsFor` for infinite patience).
absl::StatusOr<ErlangAMetrics> ErlangAMetricsFor(double arrival_rate, double aht,
                                                 double patience, int agents,
                                                 double sl_seconds);

// Fewest agents whose service level is >= `sl_target` (in (0, 1)): Erlang C
// when `patience` is absent, Erlang A otherwise. Erlang C starts at
// floor(A) + 1 and steps up one agent at a time; Erlang A starts below
// sl_target * A (which no fewer agents can meet, as SL <= n / A), gallops up
// and bisects, relying on SL increasing with n. The result n meets the
// target and n - 1 does not (or n == 1).
absl::StatusOr<int> AgentsForServiceLevel(double arrival_rate, double aht,
                                          double sl_target, double sl_seconds,
                                          std::optional<double> patience = std::nullopt);

}  // namespace ccengine

#endif  // CCENGINE_ERLANG_ERLANG_H_
