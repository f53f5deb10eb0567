// -----------------------------------------------------------------------------
// File: ccengine/core/internal/work_window.h
// -----------------------------------------------------------------------------
//
// An agent's recent work over a sliding window, for the fairness and
// well-being guards: the window is cut into `kBuckets` buckets of equal
// length; each bucket holds the busy and staffed time inside it. Reading covers the current (partial) bucket and the
// kBuckets - 1 before it, so the window slides in steps of one bucket.
//
//   occupancy = busy / staffed over the window (0 when never staffed)
//   busy      = share of the load budget in use (1 in wrap-up)
//   staffed   = logged in, except not-ready time with nothing in progress
//
// Not API. Thread safety: router thread only.

#ifndef CCENGINE_CORE_INTERNAL_WORK_WINDOW_H_
#define CCENGINE_CORE_INTERNAL_WORK_WINDOW_H_

#include <algorithm>
#include <array>
#include <cstdint>

#include "ccengine/core/types.h"

namespace ccengine::internal {

struct WorkWindow {
  static constexpr int kBuckets = 16;
  std::array<float, kBuckets> busy{};     // µs × busy share
  std::array<float, kBuckets> staffed{};  // µs
  int64_t bucket = -1;   // index (time / length) of the bucket `last` is in
  Micros last = 0;       // time accounted up to
  float busy_share = 0;  // current state, until the next change
  bool is_staffed = false;

  // Accounts the time from `last` to `now` under the current state.
  void Advance(Micros now, Micros length) {
    if (now <= last && bucket >= 0) return;
    int64_t to = now / length;
    // (A bucket after `to` cannot come from this clock; start afresh.)
    if (bucket < 0 || to - bucket >= kBuckets || bucket > to) {
      // Everything older than the window is gone; the state held since
      // `last`, so the buckets inside the window are full at that state.
      busy.fill(0);
      staffed.fill(0);
      int64_t from = bucket < 0 ? to : std::max(bucket, to - kBuckets + 1);
      Micros start = bucket < 0 ? now : std::max(last, from * length);
      bucket = from;
      last = start;
    }
    while (true) {
      Micros end = std::min(now, (bucket + 1) * length);
      int i = static_cast<int>(bucket % kBuckets);
      float dt = static_cast<float>(end - last);
      busy[i] += dt * busy_share;
      if (is_staffed) staffed[i] += dt;
      last = end;
      if (bucket == to) break;
      ++bucket;
      int j = static_cast<int>(bucket % kBuckets);
      busy[j] = 0;
      staffed[j] = 0;
    }
  }
  double Occupancy() const {
    double b = 0, s = 0;
    for (int i = 0; i < kBuckets; ++i) {
      b += busy[i];
      s += staffed[i];
    }
    return s > 0 ? std::min(1.0, b / s) : 0.0;
  }
};

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_WORK_WINDOW_H_
