// -----------------------------------------------------------------------------
// File: src/sim/mt19937_64.h
// -----------------------------------------------------------------------------
//
// The 64-bit Mersenne Twister (Matsumoto and Nishimura, MT19937-64): the same
// seeding and the same numbers as `std::mt19937_64` — tests/sim/sim_test.cc
// compares them draw for draw — for the simulator's random streams.
//
// Why not std::mt19937_64: libstdc++ (GCC 12) refills its state with
// `(y & 1) ? a : 0`, a branch on a random bit, so every refill of 312 words
// mispredicts about 156 times (~0.5 per draw; the simulator draws two or
// three numbers per contact). Here the twist selects with a mask.
//
// Thread safety: none (one owner per generator).

#ifndef CCENGINE_SRC_SIM_MT19937_64_H_
#define CCENGINE_SRC_SIM_MT19937_64_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace ccengine::internal {

class Mt19937_64 {
 public:
  using result_type = uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<uint64_t>::max(); }

  explicit Mt19937_64(uint64_t seed = 5489) {
    x_[0] = seed;
    for (size_t i = 1; i < kN; ++i) {
      x_[i] = 6364136223846793005ULL * (x_[i - 1] ^ (x_[i - 1] >> 62)) + i;
    }
    p_ = kN;
  }

  result_type operator()() {
    if (p_ >= kN) Refill();
    uint64_t z = x_[p_++];
    z ^= (z >> 29) & 0x5555555555555555ULL;
    z ^= (z << 17) & 0x71D67FFFEDA60000ULL;
    z ^= (z << 37) & 0xFFF7EEE000000000ULL;
    z ^= z >> 43;
    return z;
  }

 private:
  static constexpr size_t kN = 312;
  static constexpr size_t kM = 156;
  static constexpr uint64_t kUpper = ~uint64_t{0} << 31;
  static constexpr uint64_t kLower = ~kUpper;
  static constexpr uint64_t kA = 0xB5026F5AA96619E9ULL;

  static uint64_t Twist(uint64_t hi, uint64_t lo, uint64_t far) {
    const uint64_t y = (hi & kUpper) | (lo & kLower);
    return far ^ (y >> 1) ^ ((uint64_t{0} - (y & 1)) & kA);  // no branch
  }

  [[gnu::noinline]] void Refill() {
    size_t k = 0;
    for (; k < kN - kM; ++k) x_[k] = Twist(x_[k], x_[k + 1], x_[k + kM]);
    for (; k < kN - 1; ++k) x_[k] = Twist(x_[k], x_[k + 1], x_[k + kM - kN]);
    x_[kN - 1] = Twist(x_[kN - 1], x_[0], x_[kM - 1]);
    p_ = 0;
  }

  std::array<uint64_t, kN> x_;
  size_t p_;
};

}  // namespace ccengine::internal

#endif  // CCENGINE_SRC_SIM_MT19937_64_H_
