// Private to the simulator (sim.cc): the events of its own list, beside the
// engine's timers. An event is (time, order, a, b); `order` is a sequence
// number with the kind in its low byte, so events at the same instant run
// in the order they were scheduled, and a heap of them pops exactly as any
// other correct heap would.

#ifndef CCENGINE_SRC_SIM_SIM_EVENTS_H_
#define CCENGINE_SRC_SIM_SIM_EVENTS_H_

#include <cstdint>

#include "ccengine/core/types.h"
#include "sim/quaternary_heap.h"

namespace ccengine::sim::internal {

enum class Kind : uint8_t {
  kArrival,     // a: stream
  kPatience,    // a: contact slot, b: its generation
  kCallback,    // a: contact slot, b: its generation (asks for a callback)
  kServiceEnd,  // a: contact slot
  kLogin,       // a: group, b: agent index
  kLogout,      // a: group, b: agent index
  kBreakStart,  // a: group, b: agent index
  kBreakEnd,    // a: group, b: agent index
  kStaffing,    // a: group, b: interval index
  kMark,        // an interval boundary, the warm-up's end or the horizon
};

// 24 bytes: the kind rides in the low byte of the order word, below the
// sequence number (unique, so the kind never decides the order).
struct SimEvent {
  Micros at;
  uint64_t order;  // seq << 8 | kind: ties of `at` in scheduling order
  uint32_t a;
  uint32_t b;
  SimEvent(Micros at_, uint64_t seq, Kind kind, uint32_t a_, uint32_t b_)
      : at(at_), order(seq << 8 | static_cast<uint8_t>(kind)), a(a_), b(b_) {}
  Kind kind() const { return static_cast<Kind>(order & 0xFF); }
};

inline bool Earlier(const SimEvent& x, const SimEvent& y) {
  return x.at != y.at ? x.at < y.at : x.order < y.order;
}
struct EarlierEvent {
  bool operator()(const SimEvent& x, const SimEvent& y) const { return Earlier(x, y); }
};

using EventHeap = ccengine::internal::QuaternaryHeap<SimEvent, EarlierEvent>;

}  // namespace ccengine::sim::internal

#endif  // CCENGINE_SRC_SIM_SIM_EVENTS_H_
