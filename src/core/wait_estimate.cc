// Estimated wait with an interval: the Gamma distribution functions and
// Engine::EstimateWait (the model is described in ccengine/core/wait_estimate.h).

#include "ccengine/core/wait_estimate.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <vector>

#include "ccengine/core/engine.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace ccengine {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEps = 1e-15;

// x^a e^(−x) / Γ(a): the common factor of both expansions. For large shapes
// the naive exponent a·ln x − x − lnΓ(a) cancels terms of size ~a·ln a and
// loses digits, so it is rearranged with Stirling's series around x = a:
//   −a·(t − ln(1 + t)) + ½·ln(a / 2π) − (lnΓ(a) − Stirling(a)),  t = x/a − 1,
// whose parts are each of order one near the mode.
double Prefactor(double a, double x) {
  if (a < 10) return std::exp(a * std::log(x) - x - std::lgamma(a));
  double t = (x - a) / a;
  double phi = t - std::log1p(t);
  double inv = 1 / a, inv2 = inv * inv;
  double correction =
      inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 / 1680)));
  return std::exp(-a * phi + 0.5 * std::log(a / (2 * std::numbers::pi)) - correction);
}

// Enough iterations for either expansion to converge near the mode, where
// both need O(sqrt(a)) terms.
int MaxIterations(double a) { return 1000 + static_cast<int>(50 * std::sqrt(a)); }

// P(a, x) by its series, for x < a + 1.
double LowerSeries(double a, double x) {
  double term = 1.0 / a, sum = term, ap = a;
  for (int n = 0, max = MaxIterations(a); n < max; ++n) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (std::fabs(term) < std::fabs(sum) * kEps) break;
  }
  return sum * Prefactor(a, x);
}

// Q(a, x) = 1 − P(a, x) by its continued fraction (modified Lentz), for
// x >= a + 1.
double UpperFraction(double a, double x) {
  constexpr double kTiny = 1e-300;
  double b = x + 1 - a, c = 1 / kTiny, d = 1 / b, h = d;
  for (int i = 1, max = MaxIterations(a); i <= max; ++i) {
    double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < kEps) break;
  }
  return h * Prefactor(a, x);
}

}  // namespace

namespace {

// P(a, x), or Q(a, x) = 1 − P(a, x) when `upper`, each computed directly
// where it is small so that neither tail loses its digits. a > 0, x > 0.
double Tail(double a, double x, bool upper) {
  double value = x < a + 1 ? LowerSeries(a, x) : UpperFraction(a, x);
  bool is_upper = !(x < a + 1);
  if (is_upper != upper) value = 1 - value;
  return std::clamp(value, 0.0, 1.0);
}

}  // namespace

double GammaCdf(double shape, double x) {
  if (!(shape > 0) || !std::isfinite(shape) || std::isnan(x)) return kNaN;
  if (x <= 0) return 0;
  if (x == kInf) return 1;
  return Tail(shape, x, /*upper=*/false);
}

double NormalQuantile(double p) {
  if (std::isnan(p) || p < 0 || p > 1) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  // Acklam's rational approximation (relative error < 1.2e-9) …
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  double x;
  if (p < kLow) {
    double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - kLow) {
    double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // … and one Halley step on Φ(x) − p.
  double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

double GammaQuantile(double shape, double p) {
  if (!(shape > 0) || !std::isfinite(shape) || std::isnan(p)) return kNaN;
  if (p <= 0) return 0;
  if (p >= 1) return kInf;
  const double a = shape;
  // Start: Wilson–Hilferty (the cube root of a Gamma is nearly normal), or,
  // for small shapes where it fails, the inverse of the leading term of the
  // series, P(a, x) ≈ x^a / Γ(a + 1).
  double x;
  double z = NormalQuantile(p);
  double t = 1.0 / (9 * a);
  double wh = a * std::pow(1 - t + z * std::sqrt(t), 3);
  if (a >= 1 && wh > 0) {
    x = wh;
  } else {
    x = std::exp((std::log(p) + std::lgamma(a + 1)) / a);
    if (!(x > 0) || !std::isfinite(x)) x = a;
  }
  // f(x) = P(x) − p, computed as (1 − p) − Q(x) in the upper half so that
  // quantiles near 1 keep their relative precision.
  const bool upper = p > 0.5;
  const double q = 1 - p;  // exact for p > 0.5
  auto f_of = [&](double v) {
    return upper ? q - Tail(a, v, true) : Tail(a, v, false) - p;
  };
  // Fast path: Halley steps from the start (cubic convergence, so two or
  // three CDF evaluations from Wilson–Hilferty); f'' = f'·((a − 1)/x − 1).
  // If they misbehave, the bracketed loop below takes over.
  double y = x;
  for (int i = 0; i < 4; ++i) {
    double f = f_of(y);
    double density = Prefactor(a, y) / y;
    if (!(density > 0) || !std::isfinite(f)) break;
    double u = f / density;
    double step = u / (1 - 0.5 * u * ((a - 1) / y - 1));
    if (!std::isfinite(step)) break;
    if (std::fabs(step) <= 1e-14 * y) return y - step;
    if (!(y - step > 0)) break;
    y -= step;
  }
  // Bracket [lo, hi] with f(lo) <= 0 <= f(hi), then Newton steps that fall
  // back to bisection whenever they leave the bracket.
  double lo = 0, hi = std::max(x, a);
  while (f_of(hi) < 0) {
    lo = hi;
    hi *= 2;
    if (!std::isfinite(hi)) return kInf;
  }
  x = std::clamp(x, lo, hi);
  for (int i = 0; i < 200; ++i) {
    double f = f_of(x);
    if (f == 0) return x;
    (f < 0 ? lo : hi) = x;
    double density = Prefactor(a, x) / x;  // x^(a-1) e^-x / Γ(a)
    double step = density > 0 ? f / density : kNaN;
    // Converged: the step is below the precision of f (checked before the
    // bracket test, which a step smaller than an ulp of x would fail).
    if (std::fabs(step) <= 1e-14 * x) return x - step;
    double next = x - step;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    x = next;
    if (hi - lo <= 1e-15 * hi) break;
  }
  return x;
}

// --- Engine::EstimateWait ----------------------------------------------------------

namespace {

// Contacts of `channel` one agent can hold at once: its per-channel limit,
// and no more than its load budget allows. Exclusive channels take one.
int SlotsFor(const Capacity& cap, Channel channel) {
  int ch = static_cast<int>(channel);
  int slots = cap.max_per_channel[ch];
  if (cap.load_per_contact[ch] > 0) {
    slots = std::min(slots, cap.load_budget / cap.load_per_contact[ch]);
  }
  if (cap.exclusive[ch]) slots = std::min(slots, 1);
  return slots;
}

}  // namespace

absl::StatusOr<WaitEstimate> Engine::EstimateWait(ContactId contact) const {
  CCENGINE_ASSIGN_OR_RETURN(uint32_t slot, LiveContactSlot(contact));
  const internal::ContactRec& c = contacts_[slot];
  if (c.state != ContactState::kWaiting) {
    return absl::FailedPreconditionError(fmt::format(
        "contact {} is {}, not waiting", contact.value(), ContactStateName(c.state)));
  }
  const internal::QueueRec& q = queues_[c.queue];
  WaitEstimate w;

  // Eligible agents working now, and the lowest step at which any of them
  // takes each waiting group they serve.
  constexpr uint8_t kNone = 0xFF;
  std::vector<uint8_t> group_step(groups_.size(), kNone);
  std::vector<uint32_t> touched;
  const size_t words = agent_index_.logged_in().word_count();
  for (size_t wd = 0; wd < words; ++wd) {
    for (uint64_t bits = agent_index_.logged_in().word(wd); bits != 0; bits &= bits - 1) {
      const uint32_t as = static_cast<uint32_t>(wd * 64 + std::countr_zero(bits));
      const internal::AgentRec& a = agents_[as];
      if (!a.live || !a.ready) continue;
      int slots = SlotsFor(a.capacity, c.channel);
      if (slots <= 0) continue;
      bool serves = false;
      for (const auto& [g, step] : a.served) {
        if (g == c.group && step <= c.step) serves = true;
      }
      if (!serves) continue;
      ++w.agents;
      w.servers += slots;
      for (const auto& [g, step] : a.served) {
        if (group_step[g] == kNone) touched.push_back(g);
        group_step[g] = std::min(group_step[g], step);
      }
    }
  }

  // Position: waiting contacts these agents would take first. Each (step,
  // class) set is ordered oldest first, so its scores fall along it.
  const double mine = AgedScore(c, q);
  int ahead = 0;
  for (uint32_t g : touched) {
    const internal::GroupRec& group = groups_[g];
    if (group.size == 0) continue;
    const internal::QueueRec& gq = queues_[group.queue];
    for (size_t step = group_step[g]; step < group.nonempty.size(); ++step) {
      for (uint32_t mask = group.nonempty[step]; mask != 0; mask &= mask - 1) {
        int cls = std::countr_zero(mask);
        for (const internal::WaitKey& k : group.Set(static_cast<int>(step), cls)) {
          if (k.slot == slot) continue;
          const internal::ContactRec& other = contacts_[k.slot];
          double s = AgedScore(other, gq);
          if (!(s > mine || (s == mine && other.seq < c.seq))) break;
          ++ahead;
        }
      }
    }
  }
  w.position = ahead + 1;

  // The queue's totals are kept in microseconds (QueueRec), not in stats.
  w.handle_time =
      (q.stats.completed > 0 ? DurationFromMicros(q.total_handle_us /
                                                  static_cast<Micros>(q.stats.completed))
                             : q.config.expected_handle_time) +
      q.config.wrap_up;
  if (w.servers == 0) {
    w.expected = w.low = w.high = absl::InfiniteDuration();
    return w;
  }
  // W ~ Gamma(k, h/n).
  const double scale = absl::ToDoubleSeconds(w.handle_time) / w.servers;
  const double k = w.position;
  w.expected = absl::Seconds(k * scale);
  w.low = absl::Seconds(GammaQuantile(k, kWaitLowQuantile) * scale);
  w.high = absl::Seconds(GammaQuantile(k, kWaitHighQuantile) * scale);
  return w;
}

}  // namespace ccengine
