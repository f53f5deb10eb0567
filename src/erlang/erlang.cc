#include "ccengine/erlang/erlang.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fmt/format.h"

namespace ccengine {
namespace {

// Sums stop once the bound on their remaining tail is below this fraction of
// the total (see ErlangAChain()).
constexpr double kTailTolerance = 1e-17;
// The Erlang A weights are kept as w * exp(log_scale); w is pulled back by
// kRescale whenever it passes it, so no product of ratios overflows.
constexpr double kRescale = 1e250;
// Below exp(kLogLinearSwitch) the negative-binomial pmf is stepped in log
// space (exp() would underflow to 0 and lose the recursion).
constexpr double kLogLinearSwitch = -600.0;

absl::Status InvalidArg(const char* fn, const std::string& what) {
  return absl::InvalidArgumentError(fmt::format("{}: {}", fn, what));
}

// A rate or time that may be zero: finite and >= 0.
absl::Status CheckNonNegative(const char* fn, const char* name, double v) {
  if (std::isfinite(v) && v >= 0.0) return absl::OkStatus();
  return InvalidArg(fn, fmt::format("{} must be finite and >= 0, got {}", name, v));
}

// A duration that must be strictly positive and finite.
absl::Status CheckPositive(const char* fn, const char* name, double v) {
  if (std::isfinite(v) && v > 0.0) return absl::OkStatus();
  return InvalidArg(fn, fmt::format("{} must be finite and > 0, got {}", name, v));
}

absl::Status CheckAgents(const char* fn, int agents, int min_agents) {
  if (agents < min_agents) {
    return InvalidArg(fn, fmt::format("agents must be {} {}, got {}",
                                      min_agents == 0 ? ">=" : ">",
                                      min_agents == 0 ? 0 : min_agents - 1, agents));
  }
  if (agents > kMaxErlangAgents) {
    return absl::OutOfRangeError(
        fmt::format("{}: agents must be <= {}, got {}", fn, kMaxErlangAgents, agents));
  }
  return absl::OkStatus();
}

absl::Status CheckPatience(const char* fn, double patience) {
  if (std::isfinite(patience) && patience > 0.0) return absl::OkStatus();
  return InvalidArg(fn,
                    fmt::format("patience must be finite and > 0 (mean seconds before "
                                "abandoning; use Erlang C for infinite patience), got {}",
                                patience));
}

// Offered load A = arrival_rate * aht, which must not overflow.
absl::StatusOr<double> OfferedLoad(const char* fn, double arrival_rate, double aht) {
  absl::Status s = CheckNonNegative(fn, "arrival_rate", arrival_rate);
  if (!s.ok()) return s;
  s = CheckPositive(fn, "aht", aht);
  if (!s.ok()) return s;
  const double load = arrival_rate * aht;
  if (!std::isfinite(load)) {
    return InvalidArg(fn, fmt::format("offered load arrival_rate * aht = {} * "
                                      "{} is not finite",
                                      arrival_rate, aht));
  }
  return load;
}

double Clamp01(double p) { return std::clamp(p, 0.0, 1.0); }

// Erlang B by the forward recursion; inputs already validated.
double ErlangBUnchecked(double a, int n) {
  double b = 1.0;
  for (int k = 1; k <= n; ++k) {
    const double ab = a * b;
    b = ab / (k + ab);
  }
  return b;
}

// Erlang C from Erlang B; requires a < n.
double ErlangCFromB(double a, int n, double b) {
  return Clamp01(n * b / (n - a * (1.0 - b)));
}

// Erlang C metrics for a stable load; inputs already validated.
ErlangCMetrics ErlangCMetricsUnchecked(double a, double aht, int n, double t, double b) {
  const double c = ErlangCFromB(a, n, b);
  const double gap = n - a;
  ErlangCMetrics m;
  m.p_wait = c;
  m.asa = c * aht / gap;
  m.service_level = Clamp01(1.0 - c * std::exp(-gap * t / aht));
  m.occupancy = a / n;
  return m;
}

// Erlang A on the exact M/M/n+M chain; inputs already validated, a > 0.
//
// Weights: t_m = prod_{j=1..m} lambda / (n mu + j theta) is the stationary
// mass of state n + m relative to state n, so PASTA gives
// P(arrival sees n + m | waits) = t_m / J, J = sum_m t_m, and
// P(wait) = B J / (1 - B + B J) because sum_{k<=n} pi_k / pi_n = 1 / B.
//
// Per m (see the header): served with s_m = n mu / (n mu + (m+1) theta);
// given served, the wait is hypoexponential with rates n mu + i theta,
// i = 1..m+1, mean H_m = sum_i 1 / (n mu + i theta), and
// P(wait <= t) = I_x(m+1, c) with x = 1 - exp(-theta t), c = n mu/theta + 1.
// That is P(NegBin(c, x) >= m+1) = 1 - sum_{j<=m} d_j with
// d_0 = (1-x)^c = exp(-(n mu + theta) t), d_{j+1} = d_j x (j + c) / (j + 1).
absl::StatusOr<ErlangAMetrics> ErlangAChain(const char* fn, double lambda, double aht,
                                            double theta, int n, double t) {
  const double nmu = n / aht;
  // The weights grow up to m* = (lambda - n mu) / theta before they decay.
  const double mode = (lambda - nmu) / theta;
  if (mode > static_cast<double>(kMaxErlangAQueueStates)) {
    return absl::OutOfRangeError(
        fmt::format("{}: overload too deep for the exact chain: (arrival_rate - agents / "
                    "aht) * patience = {:.6g} queue states exceeds the supported {}; "
                    "reduce patience or add agents",
                    fn, mode, kMaxErlangAQueueStates));
  }

  // Negative-binomial pmf for the service level.
  const double x = -std::expm1(-theta * t);       // 1 - exp(-theta t)
  const double xc = (nmu + theta) * (x / theta);  // x * c
  double log_d = -(nmu + theta) * t;              // log d_0
  bool log_mode = log_d < kLogLinearSwitch;
  double d = log_mode ? 0.0 : std::exp(log_d);
  double cum_d = 0.0;

  double w = 1.0;  // t_m / exp(log_scale)
  double log_scale = 0.0;
  double h = 0.0;  // H_m
  double sum_j = 0.0, sum_served = 0.0, sum_abandon = 0.0, sum_wait = 0.0, sum_sl = 0.0;
  for (long long m = 0;; ++m) {
    if (m > kMaxErlangAQueueStates) {
      return absl::OutOfRangeError(
          fmt::format("{}: the queue distribution needs more than {} states", fn,
                      kMaxErlangAQueueStates));
    }
    const double k = static_cast<double>(m + 1);
    const double inv = 1.0 / (nmu + k * theta);
    const double served = nmu * inv;
    h += inv;
    cum_d += d;
    const double f = std::max(0.0, 1.0 - cum_d);  // P(wait <= t | served, m)

    sum_j += w;
    sum_served += w * served;
    sum_abandon += w * (k * theta * inv);
    sum_wait += w * served * h;
    sum_sl += w * served * f;

    const double r = lambda * inv;  // t_{m+1} / t_m; decreasing in m
    if (r < 1.0) {
      // Later ratios are <= r and later H grow by <= delta per step.
      const double geo = r / (1.0 - r);
      const double delta = 1.0 / (nmu + (k + 1.0) * theta);
      const bool j_done = w * geo <= kTailTolerance * sum_j;
      const bool wait_done =
          w * (h * geo + delta * geo / (1.0 - r)) <= kTailTolerance * sum_wait;
      if (j_done && wait_done) break;
    }
    w *= r;
    if (w > kRescale) {
      w /= kRescale;
      sum_j /= kRescale;
      sum_served /= kRescale;
      sum_abandon /= kRescale;
      sum_wait /= kRescale;
      sum_sl /= kRescale;
      log_scale += std::log(kRescale);
    }

    // d_{m+1} from d_m.
    const double jd = static_cast<double>(m);
    const double step = (x * jd + xc) / (jd + 1.0);
    if (log_mode) {
      log_d += std::log(step);
      if (log_d >= kLogLinearSwitch) {
        log_mode = false;
        d = std::exp(log_d);
      } else {
        d = 0.0;
      }
    } else {
      d *= step;
    }
  }

  // P(wait) = 1 / (1 + exp(-y)) with y = log(B J / (1 - B)); both tails
  // computed directly so neither is lost to cancellation.
  const double b = ErlangBUnchecked(lambda * aht, n);
  const double y = std::log(b) + std::log(sum_j) + log_scale - std::log1p(-b);
  const double p_wait = 1.0 / (1.0 + std::exp(-y));
  const double p_no_wait = 1.0 / (1.0 + std::exp(y));

  ErlangAMetrics out;
  out.p_wait = Clamp01(p_wait);
  out.p_abandon = Clamp01(p_wait * (sum_abandon / sum_j));
  const double answered = Clamp01(p_no_wait + p_wait * (sum_served / sum_j));
  out.asa = answered > 0.0 ? p_wait * (sum_wait / sum_j) / answered : 0.0;
  out.service_level = Clamp01(p_no_wait + p_wait * (sum_sl / sum_j));
  out.occupancy = Clamp01(lambda * answered * aht / n);
  return out;
}

absl::StatusOr<ErlangAMetrics> ErlangAUnchecked(const char* fn, double lambda, double aht,
                                                double patience, int n, double t) {
  if (lambda == 0.0) {
    ErlangAMetrics idle;
    idle.p_wait = 0.0;
    idle.p_abandon = 0.0;
    idle.asa = 0.0;
    idle.service_level = 1.0;
    idle.occupancy = 0.0;
    return idle;
  }
  return ErlangAChain(fn, lambda, aht, 1.0 / patience, n, t);
}

absl::StatusOr<int> AgentsForErlangC(double a, double aht, double target, double t) {
  constexpr const char* kFn = "agents_for_service_level";
  const double first = std::floor(a) + 1.0;
  if (first <= kMaxAgentsForServiceLevel) {
    int n = static_cast<int>(first);
    double b = ErlangBUnchecked(a, n);
    for (;; ++n) {
      if (ErlangCMetricsUnchecked(a, aht, n, t, b).service_level >= target) {
        return n;
      }
      if (n == kMaxAgentsForServiceLevel) break;
      const double ab = a * b;
      b = ab / (n + 1 + ab);
    }
  }
  return absl::OutOfRangeError(
      fmt::format("{}: no agent count up to {} reaches service level {} within {} s "
                  "(offered load {} Erlangs)",
                  kFn, kMaxAgentsForServiceLevel, target, t, a));
}

absl::StatusOr<int> AgentsForErlangA(double lambda, double aht, double patience,
                                     double target, double t) {
  constexpr const char* kFn = "agents_for_service_level";
  const double a = lambda * aht;
  auto unreachable = [&] {
    return absl::OutOfRangeError(
        fmt::format("{}: no agent count up to {} reaches service level {} within {} s "
                    "(offered load {} Erlangs, patience {} s)",
                    kFn, kMaxAgentsForServiceLevel, target, t, a, patience));
  };
  // SL <= carried / offered <= n / A, so n < target * A cannot meet it.
  const double bound = std::ceil(target * a) - 1.0;
  if (bound >= kMaxAgentsForServiceLevel) return unreachable();
  int lo = std::max(0, static_cast<int>(bound));  // known (or virtual) miss
  auto meets = [&](int n) -> absl::StatusOr<bool> {
    absl::StatusOr<ErlangAMetrics> m = ErlangAUnchecked(kFn, lambda, aht, patience, n, t);
    if (!m.ok()) return m.status();
    return m->service_level >= target;
  };
  // Gallop up from lo, then bisect (lo, hi].
  int hi = lo;
  int step = 1;
  while (true) {
    if (hi == kMaxAgentsForServiceLevel) return unreachable();
    hi = static_cast<int>(std::min<long long>(static_cast<long long>(lo) + step,
                                              kMaxAgentsForServiceLevel));
    absl::StatusOr<bool> ok = meets(hi);
    if (!ok.ok()) return ok.status();
    if (*ok) break;
    lo = hi;
    step = std::min(step * 2, kMaxAgentsForServiceLevel);
  }
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    absl::StatusOr<bool> ok = meets(mid);
    if (!ok.ok()) return ok.status();
    (*ok ? hi : lo) = mid;
  }
  return hi;
}

}  // namespace

absl::StatusOr<double> ErlangB(double traffic_erlangs, int agents) {
  constexpr const char* kFn = "erlang_b";
  absl::Status s = CheckNonNegative(kFn, "traffic_erlangs", traffic_erlangs);
  if (!s.ok()) return s;
  s = CheckAgents(kFn, agents, 0);
  if (!s.ok()) return s;
  return ErlangBUnchecked(traffic_erlangs, agents);
}

absl::StatusOr<double> ErlangC(double traffic_erlangs, int agents) {
  constexpr const char* kFn = "erlang_c";
  absl::Status s = CheckNonNegative(kFn, "traffic_erlangs", traffic_erlangs);
  if (!s.ok()) return s;
  s = CheckAgents(kFn, agents, 1);
  if (!s.ok()) return s;
  if (traffic_erlangs >= agents) {
    return InvalidArg(kFn,
                      fmt::format("unstable load: traffic_erlangs = {} must be < "
                                  "agents = {} (no steady state without abandonment)",
                                  traffic_erlangs, agents));
  }
  return ErlangCFromB(traffic_erlangs, agents, ErlangBUnchecked(traffic_erlangs, agents));
}

absl::StatusOr<ErlangCMetrics> ErlangCMetricsFor(double arrival_rate, double aht,
                                                 int agents, double sl_seconds) {
  constexpr const char* kFn = "erlang_c_metrics";
  absl::StatusOr<double> load = OfferedLoad(kFn, arrival_rate, aht);
  if (!load.ok()) return load.status();
  absl::Status s = CheckAgents(kFn, agents, 1);
  if (!s.ok()) return s;
  s = CheckNonNegative(kFn, "sl_seconds", sl_seconds);
  if (!s.ok()) return s;
  if (*load >= agents) {
    return InvalidArg(kFn,
                      fmt::format("unstable load: arrival_rate * aht = {} Erlangs must "
                                  "be < agents = {} (use Erlang A with a patience)",
                                  *load, agents));
  }
  return ErlangCMetricsUnchecked(*load, aht, agents, sl_seconds,
                                 ErlangBUnchecked(*load, agents));
}

absl::StatusOr<ErlangAMetrics> ErlangAMetricsFor(double arrival_rate, double aht,
                                                 double patience, int agents,
                                                 double sl_seconds) {
  constexpr const char* kFn = "erlang_a_metrics";
  absl::StatusOr<double> load = OfferedLoad(kFn, arrival_rate, aht);
  if (!load.ok()) return load.status();
  absl::Status s = CheckPatience(kFn, patience);
  if (!s.ok()) return s;
  s = CheckAgents(kFn, agents, 1);
  if (!s.ok()) return s;
  s = CheckNonNegative(kFn, "sl_seconds", sl_seconds);
  if (!s.ok()) return s;
  return ErlangAUnchecked(kFn, arrival_rate, aht, patience, agents, sl_seconds);
}

absl::StatusOr<int> AgentsForServiceLevel(double arrival_rate, double aht,
                                          double sl_target, double sl_seconds,
                                          std::optional<double> patience) {
  constexpr const char* kFn = "agents_for_service_level";
  absl::StatusOr<double> load = OfferedLoad(kFn, arrival_rate, aht);
  if (!load.ok()) return load.status();
  if (!(sl_target > 0.0 && sl_target < 1.0)) {
    return InvalidArg(kFn, fmt::format("sl_target must be in (0, 1), got {}", sl_target));
  }
  absl::Status s = CheckNonNegative(kFn, "sl_seconds", sl_seconds);
  if (!s.ok()) return s;
  if (patience.has_value()) {
    s = CheckPatience(kFn, *patience);
    if (!s.ok()) return s;
    return AgentsForErlangA(arrival_rate, aht, *patience, sl_target, sl_seconds);
  }
  return AgentsForErlangC(*load, aht, sl_target, sl_seconds);
}

}  // namespace ccengine
