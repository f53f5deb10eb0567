// -----------------------------------------------------------------------------
// File: ccengine/sim/internal/exp_ziggurat.h
// -----------------------------------------------------------------------------
//
// A standard exponential variate (rate 1) by the ziggurat method of Marsaglia
// and Tsang ("The Ziggurat Method for Generating Random Variables", J. Stat.
// Software 5(8), 2000), 256 strips, for the simulator's arrival gaps and
// handle times. It draws from the same distribution as
// `std::exponential_distribution<double>(1)` but not the same numbers: ~98.9%
// of draws take one 64-bit word, one compare and one multiply, where the
// standard sampler pays a `log` call and `generate_canonical` for every draw.
//
// Bits: the low 8 bits of a 64-bit draw pick the strip and the high 53 the
// position in it (independent bits, unlike the original 32-bit version that
// reuses the strip bits). The rest (the base strip's tail, r - log U, and the
// wedges, an exact rejection test against exp(-x)) is the published
// algorithm. `tests/sim/sim_test.cc` checks mean, variance, the tail mass and a
// Kolmogorov–Smirnov distance against Exp(1).
//
// Thread safety: the tables are built once (a function-local static);
// `ExpZiggurat` is reentrant for distinct generators.

#ifndef CCENGINE_SIM_INTERNAL_EXP_ZIGGURAT_H_
#define CCENGINE_SIM_INTERNAL_EXP_ZIGGURAT_H_

#include <cmath>
#include <cstdint>

namespace ccengine::internal {

struct ExpZigguratTables {
  static constexpr double kR = 7.69711747013104972;     // start of the tail
  static constexpr double kV = 3.949659822581572e-3;    // area of each strip
  static constexpr double kScale = 9007199254740992.0;  // 2^53
  uint64_t k[256];  // strip i: positions below k[i] lie under the curve
  double w[256];    // position (53 bits) → x
  double f[256];    // exp(-x_i)

  ExpZigguratTables() {
    double de = kR, te = kR;
    const double q = kV / std::exp(-de);
    k[0] = static_cast<uint64_t>((de / q) * kScale);
    k[1] = 0;
    w[0] = q / kScale;
    w[255] = de / kScale;
    f[0] = 1.0;
    f[255] = std::exp(-de);
    for (int i = 254; i >= 1; --i) {
      de = -std::log(kV / de + std::exp(-de));
      k[i + 1] = static_cast<uint64_t>((de / te) * kScale);
      te = de;
      f[i] = std::exp(-de);
      w[i] = de / kScale;
    }
  }

  static const ExpZigguratTables& Get() {
    static const ExpZigguratTables tables;
    return tables;
  }
};

// Uniform in [0, 1) from the high 53 bits of one draw.
template <typename Rng>
double Uniform01(Rng& rng) {
  return static_cast<double>(rng() >> 11) * (1.0 / ExpZigguratTables::kScale);
}

template <typename Rng>
[[gnu::noinline]] double ExpZigguratSlow(Rng& rng, const ExpZigguratTables& t,
                                         uint64_t u) {
  while (true) {
    const uint32_t i = static_cast<uint32_t>(u & 0xFF);
    const uint64_t j = u >> 11;
    if (j < t.k[i]) return static_cast<double>(j) * t.w[i];
    if (i == 0) return ExpZigguratTables::kR - std::log(1.0 - Uniform01(rng));
    const double x = static_cast<double>(j) * t.w[i];
    if (t.f[i] + Uniform01(rng) * (t.f[i - 1] - t.f[i]) < std::exp(-x)) return x;
    u = rng();
  }
}

// One Exp(1) variate; `Rng` yields 64 uniform bits (std::mt19937_64).
template <typename Rng>
inline double ExpZiggurat(Rng& rng) {
  const ExpZigguratTables& t = ExpZigguratTables::Get();
  const uint64_t u = rng();
  const uint64_t j = u >> 11;
  const uint32_t i = static_cast<uint32_t>(u & 0xFF);
  if (j < t.k[i]) [[likely]]
    return static_cast<double>(j) * t.w[i];
  return ExpZigguratSlow(rng, t, u);
}

}  // namespace ccengine::internal

#endif  // CCENGINE_SIM_INTERNAL_EXP_ZIGGURAT_H_
