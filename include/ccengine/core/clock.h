// -----------------------------------------------------------------------------
// File: ccengine/core/clock.h
// -----------------------------------------------------------------------------
//
// The engine never reads the wall clock. Whoever drives it passes the time to
// `Engine::Poll(now)`; a `Clock` is what the convenience `RouterLoop` asks.
// `RealClock` is monotonic (it advances with `std::chrono::steady_clock` from
// the wall time it was created at), so a wall-clock step never makes routing
// time go backwards. `ManualClock` is set by hand, for tests and simulation.
//
// Thread safety: `Now()` is thread-safe on both; `ManualClock::Set/Advance`
// may be called from any thread.
//
// Example:
//   ccengine::ManualClock clock(absl::FromUnixSeconds(0));
//   clock.Advance(absl::Seconds(5));
//   engine->Poll(clock.Now());

#ifndef CCENGINE_CORE_CLOCK_H_
#define CCENGINE_CORE_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace ccengine {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

class RealClock final : public Clock {
 public:
  RealClock() : origin_wall_(absl::Now()), origin_(std::chrono::steady_clock::now()) {}
  absl::Time Now() const override {
    return origin_wall_ + absl::FromChrono(std::chrono::steady_clock::now() - origin_);
  }

 private:
  absl::Time origin_wall_;
  std::chrono::steady_clock::time_point origin_;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(absl::Time start = absl::UnixEpoch())
      : micros_(absl::ToUnixMicros(start)) {}
  absl::Time Now() const override {
    return absl::FromUnixMicros(micros_.load(std::memory_order_acquire));
  }
  void Set(absl::Time t) {
    micros_.store(absl::ToUnixMicros(t), std::memory_order_release);
  }
  void Advance(absl::Duration d) {
    micros_.fetch_add(absl::ToInt64Microseconds(d), std::memory_order_acq_rel);
  }

 private:
  std::atomic<int64_t> micros_;
};

}  // namespace ccengine

#endif  // CCENGINE_CORE_CLOCK_H_
