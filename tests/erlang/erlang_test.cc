#include "ccengine/erlang/erlang.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace ccengine {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
// The notes' example: 100 calls per 30 minutes, AHT 180 s.
constexpr double kRate = 100.0 / 1800.0;
constexpr double kAht = 180.0;

// --- Independent references --------------------------------------------------

// Textbook formula with explicit powers and factorials, in long double.
long double DirectErlangB(long double a, int n) {
  long double term = 1.0L, sum = 1.0L;  // a^k / k!
  for (int k = 1; k <= n; ++k) {
    term *= a / k;
    sum += term;
  }
  return term / sum;
}

long double DirectErlangC(long double a, int n) {
  long double term = 1.0L, below = 0.0L;  // below = sum_{k<n} a^k / k!
  for (int k = 0; k < n; ++k) {
    below += term;
    term *= a / (k + 1);
  }
  const long double top = term * n / (n - a);
  return top / (below + top);
}

// Erlang C from log(a^k / k!) = k log a - lgamma(k + 1) and log-sum-exp;
// valid for any n, shares no code path with the recursion.
double LogSpaceErlangC(double a, int n) {
  auto log_term = [&](int k) {
    return k * std::log(static_cast<long double>(a)) - std::lgamma(k + 1.0L);
  };
  const long double log_top =
      log_term(n) + std::log(static_cast<long double>(n) / (n - a));
  long double peak = log_top;
  for (int k = 0; k < n; ++k) peak = std::max(peak, log_term(k));
  long double below = 0.0L;
  for (int k = 0; k < n; ++k) below += std::exp(log_term(k) - peak);
  const long double top = std::exp(log_top - peak);
  return static_cast<double>(top / (below + top));
}

struct ChainReference {
  double p_wait, p_abandon, asa, service_level;
};

// Erlang A straight from the model, without the closed forms used by the
// library: the stationary law from the balance equations (long double,
// truncated), then the tagged waiting contact's chain "j contacts ahead"
// (j -> j-1 at n mu + j theta, served from j = 0 at n mu, abandons at theta
// from every j) integrated with RK4 from the PASTA initial law.
ChainReference ErlangAByChainIntegration(double lambda, double aht, double patience,
                                         int n, double sl, int queue_states) {
  const double mu = 1.0 / aht, theta = 1.0 / patience, nmu = n * mu;
  std::vector<long double> pi(n + queue_states + 1);
  pi[0] = 1.0L;
  for (int k = 1; k < static_cast<int>(pi.size()); ++k) {
    const long double death = k <= n ? k * mu : nmu + (k - n) * theta;
    pi[k] = pi[k - 1] * lambda / death;
  }
  long double total = 0.0L, waiting = 0.0L;
  for (int k = 0; k < static_cast<int>(pi.size()); ++k) {
    total += pi[k];
    if (k >= n) waiting += pi[k];
  }
  // y[0..Q-1]: P(still waiting with j ahead); y[Q]: P(served by now);
  // y[Q+1]: E[wait; served by now]; y[Q+2]: P(abandoned by now).
  const int q = queue_states;
  std::vector<double> y(q + 3, 0.0);
  for (int j = 0; j < q; ++j) y[j] = static_cast<double>(pi[n + j] / total);
  auto deriv = [&](double t, const std::vector<double>& v, std::vector<double>& dv) {
    double alive = 0.0;
    for (int j = 0; j < q; ++j) {
      const double in = j + 1 < q ? (nmu + (j + 1) * theta) * v[j + 1] : 0.0;
      dv[j] = in - (nmu + j * theta + theta) * v[j];
      alive += v[j];
    }
    dv[q] = nmu * v[0];
    dv[q + 1] = t * nmu * v[0];
    dv[q + 2] = theta * alive;
  };
  const double dt = 0.01;
  const long long sl_step = std::llround(sl / dt);
  double served_by_sl = sl_step == 0 ? 0.0 : -1.0;
  std::vector<double> k1(y.size()), k2(y.size()), k3(y.size()), k4(y.size()),
      tmp(y.size());
  for (long long step = 0;; ++step) {
    const double t = step * dt;
    if (step == sl_step) served_by_sl = y[q];
    double alive = 0.0;
    for (int j = 0; j < q; ++j) alive += y[j];
    if (alive < 1e-15 && step >= sl_step) break;
    deriv(t, y, k1);
    for (size_t i = 0; i < y.size(); ++i) tmp[i] = y[i] + 0.5 * dt * k1[i];
    deriv(t + 0.5 * dt, tmp, k2);
    for (size_t i = 0; i < y.size(); ++i) tmp[i] = y[i] + 0.5 * dt * k2[i];
    deriv(t + 0.5 * dt, tmp, k3);
    for (size_t i = 0; i < y.size(); ++i) tmp[i] = y[i] + dt * k3[i];
    deriv(t + dt, tmp, k4);
    for (size_t i = 0; i < y.size(); ++i) {
      y[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
    }
  }
  const double p_wait = static_cast<double>(waiting / total);
  const double answered = (1.0 - p_wait) + y[q];
  return {p_wait, y[q + 2], y[q + 1] / answered, (1.0 - p_wait) + served_by_sl};
}

void ExpectInvalidArgument(const absl::Status& status, const std::string& fn,
                           const std::string& arg) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  const std::string msg(status.message());
  EXPECT_EQ(msg.rfind(fn + ": ", 0), 0u) << msg;
  EXPECT_NE(msg.find(arg), std::string::npos) << msg << " lacks " << arg;
}

// --- Erlang B
// ------------------------------------------------------------------

TEST(ErlangBTest, MatchesDirectFactorialFormula) {
  for (double a : {0.1, 1.0, 4.5, 10.0, 37.5, 80.0}) {
    for (int n : {1, 2, 5, 10, 20, 50, 100, 150}) {
      absl::StatusOr<double> b = ErlangB(a, n);
      ASSERT_TRUE(b.ok()) << b.status();
      const double want = static_cast<double>(DirectErlangB(a, n));
      EXPECT_NEAR(*b, want, 1e-13 + 1e-12 * want) << "A=" << a << " n=" << n;
    }
  }
}

TEST(ErlangBTest, ReproducesPublishedTrafficTableEntries) {
  // Classic Erlang B tables: the traffic that 10 / 20 lines carry at a
  // grade of service of 1%, 2% and 5% (tables print 3-4 digits).
  EXPECT_NEAR(*ErlangB(4.461, 10), 0.01, 2e-5);
  EXPECT_NEAR(*ErlangB(5.084, 10), 0.02, 2e-5);
  EXPECT_NEAR(*ErlangB(6.216, 10), 0.05, 2e-5);
  EXPECT_NEAR(*ErlangB(12.03, 20), 0.01, 2e-5);
}

TEST(ErlangBTest, ZeroAgentsBlockEverythingAndZeroTrafficNothing) {
  EXPECT_EQ(*ErlangB(3.0, 0), 1.0);
  EXPECT_EQ(*ErlangB(0.0, 5), 0.0);
}

TEST(ErlangBTest, TenThousandAgentsDoesNotOverflow) {
  for (double a : {1.0, 5000.0, 9900.0, 10000.0, 20000.0}) {
    absl::StatusOr<double> b = ErlangB(a, 10000);
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_TRUE(std::isfinite(*b));
    EXPECT_GE(*b, 0.0);
    EXPECT_LE(*b, 1.0);
  }
  // Through C = n B / (n - A (1 - B)), B must agree with the independent
  // log-space Erlang C at 10,000 agents.
  const double b = *ErlangB(9900.0, 10000);
  const double c = 10000 * b / (10000 - 9900.0 * (1.0 - b));
  EXPECT_NEAR(c, LogSpaceErlangC(9900.0, 10000), 1e-9);
  EXPECT_GT(*ErlangB(20000.0, 10000), 0.49);  // about 1 - n/A
}

// --- Erlang C
// ------------------------------------------------------------------

TEST(ErlangCTest, MatchesDirectFactorialFormula) {
  for (int n : {1, 2, 5, 10, 20, 50, 100, 150}) {
    for (double load : {0.05, 0.5, 0.8, 0.95, 0.999}) {
      const double a = load * n;
      absl::StatusOr<double> c = ErlangC(a, n);
      ASSERT_TRUE(c.ok()) << c.status();
      const double want = static_cast<double>(DirectErlangC(a, n));
      EXPECT_NEAR(*c, want, 1e-13 + 1e-11 * want) << "A=" << a << " n=" << n;
    }
  }
}

TEST(ErlangCTest, ReproducesClassicCallCentreExample) {
  // 100 calls per 30 minutes at AHT 180 s = 10 Erlangs; calculators print
  // P(wait) = 68.21% for 11 agents and 17.41% for 14.
  EXPECT_NEAR(*ErlangC(10.0, 11), 0.6821, 5e-5);
  EXPECT_NEAR(*ErlangC(10.0, 14), 0.1741, 5e-5);
}

TEST(ErlangCTest, MatchesLogSpaceReferenceAtTenThousandAgents) {
  for (double a : {5000.0, 9500.0, 9900.0, 9990.0, 9999.9}) {
    absl::StatusOr<double> c = ErlangC(a, 10000);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_TRUE(std::isfinite(*c));
    EXPECT_NEAR(*c, LogSpaceErlangC(a, 10000), 1e-9) << "A=" << a;
  }
}

TEST(ErlangCTest, WaitProbabilityFallsAsAgentsAreAdded) {
  for (double a : {3.7, 50.0, 9900.0}) {
    double previous = 1.0;
    const int first = static_cast<int>(std::floor(a)) + 1;
    for (int n = first; n < first + 200; ++n) {
      const double c = *ErlangC(a, n);
      EXPECT_LT(c, previous) << "A=" << a << " n=" << n;
      previous = c;
    }
  }
}

TEST(ErlangCTest, UnstableLoadIsInvalidArgument) {
  for (double a : {10.0, 10.5, 1e6}) {
    absl::StatusOr<double> c = ErlangC(a, 10);
    ExpectInvalidArgument(c.status(), "erlang_c", "unstable load");
  }
  ExpectInvalidArgument(ErlangCMetricsFor(0.1, 100.0, 10, 20).status(),
                        "erlang_c_metrics", "unstable load");
}

// --- Erlang C metrics
// ------------------------------------------------------------

TEST(ErlangCMetricsTest, ClassicExampleServiceLevelAndAsa) {
  absl::StatusOr<ErlangCMetrics> m = ErlangCMetricsFor(kRate, kAht, 14, 20);
  ASSERT_TRUE(m.ok()) << m.status();
  const double c = static_cast<double>(DirectErlangC(10.0, 14));
  EXPECT_NEAR(m->p_wait, c, 1e-12);
  EXPECT_NEAR(m->asa, c * kAht / 4.0, 1e-9);  // 7.84 s
  EXPECT_NEAR(m->service_level, 1.0 - c * std::exp(-4.0 * 20.0 / kAht), 1e-12);
  EXPECT_NEAR(m->service_level, 0.8884, 5e-5);
  EXPECT_NEAR(m->asa, 7.836, 5e-4);
  EXPECT_NEAR(m->occupancy, 10.0 / 14.0, 1e-12);
}

TEST(ErlangCMetricsTest, ZeroThresholdServiceLevelIsOneMinusWaitProbability) {
  const ErlangCMetrics m = *ErlangCMetricsFor(kRate, kAht, 12, 0.0);
  EXPECT_NEAR(m.service_level, 1.0 - m.p_wait, 1e-15);
}

TEST(ErlangCMetricsTest, NoArrivalsMeansNoWaiting) {
  const ErlangCMetrics m = *ErlangCMetricsFor(0.0, kAht, 3, 20);
  EXPECT_EQ(m.p_wait, 0.0);
  EXPECT_EQ(m.asa, 0.0);
  EXPECT_EQ(m.service_level, 1.0);
  EXPECT_EQ(m.occupancy, 0.0);
}

// --- Erlang A
// ------------------------------------------------------------------

TEST(ErlangAMetricsTest, MatchesCheckedExampleFromNotes) {
  absl::StatusOr<ErlangAMetrics> m =
      ErlangAMetricsFor(kRate, kAht, /*patience=*/300, 14, /*sl_seconds=*/20);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_NEAR(m->service_level, 0.9168, 0.0005);
  EXPECT_NEAR(m->asa, 3.88, 0.01);
}

TEST(ErlangAMetricsTest, MatchesDirectChainIntegration) {
  struct Case {
    double lambda, aht, patience;
    int n;
    double sl;
    int queue_states;
  };
  const Case cases[] = {
      {kRate, kAht, 300, 14, 20, 150},        // the notes' example
      {kRate, kAht, 300, 9, 20, 200},         // A = 10 > n = 9
      {20.0 / kAht, kAht, 300, 14, 30, 260},  // A = 20, overloaded
      {kRate, kAht, 30, 11, 10, 150},         // impatient callers
      {0.5, 10.0, 60, 4, 5, 300},             // A = 5 on 4 agents
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message()
                 << "lambda=" << c.lambda << " n=" << c.n << " patience=" << c.patience);
    absl::StatusOr<ErlangAMetrics> m =
        ErlangAMetricsFor(c.lambda, c.aht, c.patience, c.n, c.sl);
    ASSERT_TRUE(m.ok()) << m.status();
    const ChainReference ref =
        ErlangAByChainIntegration(c.lambda, c.aht, c.patience, c.n, c.sl, c.queue_states);
    // The two agree to ~1e-14; the margins leave room for other compilers.
    EXPECT_NEAR(m->p_wait, ref.p_wait, 1e-12);
    EXPECT_NEAR(m->p_abandon, ref.p_abandon, 1e-10);
    EXPECT_NEAR(m->service_level, ref.service_level, 1e-10);
    EXPECT_NEAR(m->asa, ref.asa, 1e-9 * (1.0 + ref.asa));
    EXPECT_NEAR(m->occupancy, c.lambda * (1.0 - ref.p_abandon) * c.aht / c.n, 1e-10);
  }
}

TEST(ErlangAMetricsTest, HugePatienceReducesToErlangC) {
  struct Case {
    double lambda;
    int n;
  };
  for (const Case& c :
       {Case{kRate, 11}, Case{kRate, 14}, Case{kRate, 30}, Case{9900.0 / kAht, 10000}}) {
    const ErlangCMetrics want = *ErlangCMetricsFor(c.lambda, kAht, c.n, 20);
    absl::StatusOr<ErlangAMetrics> got =
        ErlangAMetricsFor(c.lambda, kAht, /*patience=*/1e12, c.n, 20);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_NEAR(got->p_wait, want.p_wait, 1e-7) << "n=" << c.n;
    EXPECT_NEAR(got->p_abandon, 0.0, 1e-7);
    EXPECT_NEAR(got->service_level, want.service_level, 1e-7);
    EXPECT_NEAR(got->asa, want.asa, 1e-6 * (1.0 + want.asa));
    EXPECT_NEAR(got->occupancy, want.occupancy, 1e-7);
  }
}

TEST(ErlangAMetricsTest, TenThousandAgentsAt9900ErlangsIsFiniteAndInRange) {
  for (double patience : {10.0, 300.0, 1e6}) {
    absl::StatusOr<ErlangAMetrics> m =
        ErlangAMetricsFor(9900.0 / kAht, kAht, patience, 10000, 20);
    ASSERT_TRUE(m.ok()) << m.status();
    for (double p : {m->p_wait, m->p_abandon, m->service_level, m->occupancy}) {
      EXPECT_TRUE(std::isfinite(p));
      EXPECT_GE(p, 0.0);
      EXPECT_LE(p, 1.0);
    }
    EXPECT_TRUE(std::isfinite(m->asa));
    EXPECT_GE(m->asa, 0.0);
    EXPECT_LE(m->p_wait, *ErlangC(9900.0, 10000) + 1e-9);
  }
}

TEST(ErlangAMetricsTest, OverloadIsStableAndCarriesAtMostAllAgents) {
  struct Case {
    double a;
    int n;
    double patience;
  };
  for (const Case& c : {Case{30.0, 14, 300.0}, Case{10000.0, 1, 300.0},
                        Case{10000.0, 5000, 1e4}, Case{10000.0, 9000, 60.0}}) {
    absl::StatusOr<ErlangAMetrics> m =
        ErlangAMetricsFor(c.a / kAht, kAht, c.patience, c.n, 20);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_TRUE(std::isfinite(m->asa)) << "A=" << c.a << " n=" << c.n;
    EXPECT_GE(m->p_abandon, 1.0 - c.n / c.a - 1e-9);
    EXPECT_LE(m->occupancy, 1.0);
    EXPECT_GT(m->occupancy, 0.9);
    EXPECT_LE(m->service_level, 1.0 - m->p_abandon + 1e-12);
  }
}

TEST(ErlangAMetricsTest, MoreAgentsMeanLessWaitingAndHigherServiceLevel) {
  for (double patience : {30.0, 300.0, 3000.0}) {
    ErlangAMetrics previous = *ErlangAMetricsFor(20.0 / kAht, kAht, patience, 1, 20);
    // Deep in overload p_wait rounds to 1 and the service level to ~1e-17;
    // there only rounding-level changes are allowed.
    for (int n = 2; n <= 45; ++n) {
      SCOPED_TRACE(testing::Message() << "patience=" << patience << " n=" << n);
      const ErlangAMetrics m = *ErlangAMetricsFor(20.0 / kAht, kAht, patience, n, 20);
      EXPECT_LT(m.p_abandon, previous.p_abandon);
      EXPECT_LE(m.p_wait, previous.p_wait);
      if (previous.p_wait < 1.0 - 1e-12) {
        EXPECT_LT(m.p_wait, previous.p_wait);
      }
      EXPECT_GE(m.service_level, previous.service_level - 1e-15);
      if (previous.service_level > 1e-12) {
        EXPECT_GT(m.service_level, previous.service_level);
      }
      previous = m;
    }
  }
}

TEST(ErlangAMetricsTest, ThresholdExtremesBracketTheServiceLevel) {
  const ErlangAMetrics at_zero = *ErlangAMetricsFor(kRate, kAht, 300, 12, 0.0);
  EXPECT_NEAR(at_zero.service_level, 1.0 - at_zero.p_wait, 1e-14);
  // Every answered contact is answered within a day.
  const ErlangAMetrics at_day = *ErlangAMetricsFor(kRate, kAht, 300, 12, 86400);
  EXPECT_NEAR(at_day.service_level, 1.0 - at_day.p_abandon, 1e-12);
}

TEST(ErlangAMetricsTest, NoArrivalsMeansNoWaiting) {
  const ErlangAMetrics m = *ErlangAMetricsFor(0.0, kAht, 300, 3, 20);
  EXPECT_EQ(m.p_wait, 0.0);
  EXPECT_EQ(m.p_abandon, 0.0);
  EXPECT_EQ(m.service_level, 1.0);
  EXPECT_EQ(m.occupancy, 0.0);
}

TEST(ErlangAMetricsTest, DeepOverloadWithExtremePatienceIsOutOfRange) {
  // (lambda - n mu) * patience = 1e12 queue states.
  absl::StatusOr<ErlangAMetrics> m = ErlangAMetricsFor(2.0, 1.0, 1e12, 1, 20);
  EXPECT_EQ(m.status().code(), absl::StatusCode::kOutOfRange) << m.status();
  EXPECT_NE(std::string(m.status().message()).find("patience"), std::string::npos);
}

// --- AgentsForServiceLevel
// -------------------------------------------------------

TEST(AgentsForServiceLevelTest, ClassicErlangCExampleNeedsFourteenAgents) {
  // 80% within 20 s: 13 agents give 79.6%, 14 give 88.8%.
  EXPECT_EQ(*AgentsForServiceLevel(kRate, kAht, 0.8, 20), 14);
}

TEST(AgentsForServiceLevelTest, ErlangCResultMeetsTargetAndOneFewerDoesNot) {
  for (double a : {0.3, 10.0, 57.5, 9900.0}) {
    for (double target : {0.5, 0.8, 0.95}) {
      absl::StatusOr<int> n = AgentsForServiceLevel(a / kAht, kAht, target, 20);
      ASSERT_TRUE(n.ok()) << n.status();
      EXPECT_GE(ErlangCMetricsFor(a / kAht, kAht, *n, 20)->service_level, target);
      if (*n - 1 > a) {
        EXPECT_LT(ErlangCMetricsFor(a / kAht, kAht, *n - 1, 20)->service_level, target)
            << "A=" << a << " target=" << target;
      } else {
        EXPECT_EQ(*n, static_cast<int>(std::floor(a)) + 1);
      }
    }
  }
}

TEST(AgentsForServiceLevelTest, ErlangAResultMeetsTargetAndOneFewerDoesNot) {
  for (double a : {0.3, 10.0, 57.5, 9900.0}) {
    for (double patience : {30.0, 300.0}) {
      for (double target : {0.5, 0.8, 0.95}) {
        absl::StatusOr<int> n =
            AgentsForServiceLevel(a / kAht, kAht, target, 20, patience);
        ASSERT_TRUE(n.ok()) << n.status();
        EXPECT_GE(ErlangAMetricsFor(a / kAht, kAht, patience, *n, 20)->service_level,
                  target);
        if (*n > 1) {
          EXPECT_LT(
              ErlangAMetricsFor(a / kAht, kAht, patience, *n - 1, 20)->service_level,
              target)
              << "A=" << a << " patience=" << patience << " target=" << target;
        }
      }
    }
  }
  EXPECT_EQ(*AgentsForServiceLevel(kRate, kAht, 0.9, 20, 300.0), 14);
}

TEST(AgentsForServiceLevelTest, NoArrivalsNeedOneAgent) {
  EXPECT_EQ(*AgentsForServiceLevel(0.0, kAht, 0.8, 20), 1);
  EXPECT_EQ(*AgentsForServiceLevel(0.0, kAht, 0.8, 20, 300.0), 1);
}

TEST(AgentsForServiceLevelTest, UnreachableTargetIsOutOfRange) {
  // 10^6 Erlangs need more than the 100,000 agents searched.
  EXPECT_EQ(AgentsForServiceLevel(1e6 / kAht, kAht, 0.8, 20).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(AgentsForServiceLevel(1e6 / kAht, kAht, 0.8, 20, 300.0).status().code(),
            absl::StatusCode::kOutOfRange);
}

// --- Validation
// ------------------------------------------------------------------

TEST(ErlangValidationTest, ErlangBRejectsBadArguments) {
  for (double a : {-1.0, kNaN, kInf, -kInf}) {
    ExpectInvalidArgument(ErlangB(a, 5).status(), "erlang_b", "traffic_erlangs");
  }
  ExpectInvalidArgument(ErlangB(1.0, -1).status(), "erlang_b", "agents");
  EXPECT_EQ(ErlangB(1.0, kMaxErlangAgents + 1).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(ErlangValidationTest, ErlangCRejectsBadArguments) {
  for (double a : {-1.0, kNaN, kInf}) {
    ExpectInvalidArgument(ErlangC(a, 5).status(), "erlang_c", "traffic_erlangs");
  }
  for (int n : {0, -3}) {
    ExpectInvalidArgument(ErlangC(1.0, n).status(), "erlang_c", "agents");
  }
  EXPECT_EQ(std::string(ErlangC(1.0, 0).status().message()),
            "erlang_c: agents must be > 0, got 0");
}

TEST(ErlangValidationTest, ErlangCMetricsRejectsBadArguments) {
  const char* fn = "erlang_c_metrics";
  for (double bad : {-0.5, kNaN, kInf}) {
    ExpectInvalidArgument(ErlangCMetricsFor(bad, kAht, 14, 20).status(), fn,
                          "arrival_rate");
    ExpectInvalidArgument(ErlangCMetricsFor(kRate, kAht, 14, bad).status(), fn,
                          "sl_seconds");
  }
  for (double bad : {0.0, -180.0, kNaN, kInf}) {
    ExpectInvalidArgument(ErlangCMetricsFor(kRate, bad, 14, 20).status(), fn, "aht");
  }
  ExpectInvalidArgument(ErlangCMetricsFor(kRate, kAht, 0, 20).status(), fn, "agents");
  ExpectInvalidArgument(ErlangCMetricsFor(1e300, 1e300, 14, 20).status(), fn,
                        "arrival_rate * aht");
}

TEST(ErlangValidationTest, ErlangAMetricsRejectsBadArguments) {
  const char* fn = "erlang_a_metrics";
  for (double bad : {-0.5, kNaN, kInf}) {
    ExpectInvalidArgument(ErlangAMetricsFor(bad, kAht, 300, 14, 20).status(), fn,
                          "arrival_rate");
    ExpectInvalidArgument(ErlangAMetricsFor(kRate, kAht, 300, 14, bad).status(), fn,
                          "sl_seconds");
  }
  for (double bad : {0.0, -1.0, kNaN, kInf}) {
    ExpectInvalidArgument(ErlangAMetricsFor(kRate, bad, 300, 14, 20).status(), fn, "aht");
    ExpectInvalidArgument(ErlangAMetricsFor(kRate, kAht, bad, 14, 20).status(), fn,
                          "patience");
  }
  for (int n : {0, -2}) {
    ExpectInvalidArgument(ErlangAMetricsFor(kRate, kAht, 300, n, 20).status(), fn,
                          "agents");
  }
}

TEST(ErlangValidationTest, AgentsForServiceLevelRejectsBadArguments) {
  const char* fn = "agents_for_service_level";
  for (double bad : {0.0, 1.0, -0.2, 1.5, kNaN}) {
    ExpectInvalidArgument(AgentsForServiceLevel(kRate, kAht, bad, 20).status(), fn,
                          "sl_target");
    ExpectInvalidArgument(AgentsForServiceLevel(kRate, kAht, bad, 20, 300.0).status(), fn,
                          "sl_target");
  }
  for (double bad : {-1.0, kNaN, kInf}) {
    ExpectInvalidArgument(AgentsForServiceLevel(bad, kAht, 0.8, 20).status(), fn,
                          "arrival_rate");
    ExpectInvalidArgument(AgentsForServiceLevel(kRate, kAht, 0.8, bad).status(), fn,
                          "sl_seconds");
  }
  for (double bad : {0.0, -1.0, kNaN}) {
    ExpectInvalidArgument(AgentsForServiceLevel(kRate, bad, 0.8, 20).status(), fn, "aht");
    ExpectInvalidArgument(AgentsForServiceLevel(kRate, kAht, 0.8, 20, bad).status(), fn,
                          "patience");
  }
}

}  // namespace
}  // namespace ccengine
