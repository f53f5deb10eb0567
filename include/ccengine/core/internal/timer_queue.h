// -----------------------------------------------------------------------------
// File: ccengine/core/internal/timer_queue.h
// -----------------------------------------------------------------------------
//
// `TimerQueue`: the engine's pending timers (offer timeouts, relaxation
// steps, max waits, preferred-agent windows, wrap-up ends, queue hours) in
// one min-heap ordered by (due time, scheduling order), so timers due at the
// same instant fire in the order they were set: the determinism the engine
// promises.
//
// Timers are never removed early. Each carries a token; the subject (a
// contact, an agent, a queue) keeps the token of its one valid timer of each
// kind, and a timer whose token no longer matches is dead: it is skipped when
// it comes due (`FireDue`) or dropped when someone asks for the earliest live
// one (`EarliestLive`). Setting a new timer for a subject is therefore O(log n)
// and cancelling is free (take a new token).
//
// Thread safety: none; the router thread owns it.
//
// Example:
//   uint64_t token = timers.NewToken();
//   timers.Schedule(now + timeout, TimerKind::kOfferTimeout, slot, token);
//   timers.FireDue(target, [&](const Timer& t) { ... });

#ifndef CCENGINE_CORE_INTERNAL_TIMER_QUEUE_H_
#define CCENGINE_CORE_INTERNAL_TIMER_QUEUE_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

#include "ccengine/core/types.h"

namespace ccengine::internal {

// What a timer does when it fires; `slot` names its subject: a contact,
// an agent (kWrapUp) or a queue (kHours: its next opening or closing).
enum class TimerKind : uint8_t {
  kOfferTimeout,
  kRelax,
  kMaxWait,
  kPreferredWait,
  kWrapUp,
  kHours,
  kFallback
};

struct Timer {
  Micros at;
  uint64_t seq;
  uint64_t token;
  uint32_t slot;
  TimerKind kind;
  // Min-heap order for std::priority_queue (which is a max-heap).
  friend bool operator<(const Timer& a, const Timer& b) {
    if (a.at != b.at) return a.at > b.at;
    return a.seq > b.seq;
  }
};

class TimerQueue {
 public:
  // A token no timer set so far carries.
  uint64_t NewToken() { return ++token_; }

  void Schedule(Micros at, TimerKind kind, uint32_t slot, uint64_t token) {
    heap_.push(Timer{at, ++seq_, token, slot, kind});
  }

  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }

  // Pops every timer due at or before `target`, earliest first, and calls
  // `fire(timer)` for each (live or not: `fire` checks). `fire` may schedule
  // new timers; one due by `target` fires in this same call.
  template <typename Fire>
  void FireDue(Micros target, Fire&& fire) {
    while (!heap_.empty() && heap_.top().at <= target) {
      Timer t = heap_.top();
      heap_.pop();
      fire(t);
    }
  }

  // When the earliest timer for which `live(timer)` holds is due; dead
  // timers in front of it are dropped on the way.
  template <typename Live>
  std::optional<Micros> EarliestLive(Live&& live) const {
    while (!heap_.empty() && !live(heap_.top())) heap_.pop();
    if (heap_.empty()) return std::nullopt;
    return heap_.top().at;
  }

  // Snapshots: the live timers in firing order, and the counters. Dead
  // timers are not written (they fire as nothing), so two queues that hold
  // the same live timers write the same bytes.
  template <typename Writer, typename Live>
  void Save(Writer& w, Live&& live) const {
    std::vector<Timer> timers;
    for (std::priority_queue<Timer> copy = heap_; !copy.empty(); copy.pop()) {
      if (live(copy.top())) timers.push_back(copy.top());
    }
    w.Unsigned(seq_);
    w.Unsigned(token_);
    w.Count(timers.size());
    for (const Timer& t : timers) {
      w.Signed(t.at);
      w.Unsigned(t.seq);
      w.Unsigned(t.token);
      w.Unsigned(t.slot);
      w.Enum(t.kind, kTimerKinds);
    }
  }
  // Replaces the queue's contents; on a reader error the queue is partly
  // loaded and the caller discards it.
  template <typename Reader>
  void Load(Reader& r) {
    heap_ = {};
    r.Unsigned(seq_);
    r.Unsigned(token_);
    const uint64_t n = r.Count();
    for (uint64_t i = 0; i < n && r.ok(); ++i) {
      Timer t{};
      r.Signed(t.at);
      r.Unsigned(t.seq);
      r.Unsigned(t.token);
      r.Unsigned(t.slot);
      r.Enum(t.kind, kTimerKinds);
      heap_.push(t);
    }
  }

 private:
  static constexpr int kTimerKinds = static_cast<int>(TimerKind::kFallback) + 1;
  // Mutable: asking for the earliest live timer drops dead ones.
  mutable std::priority_queue<Timer> heap_;
  uint64_t seq_ = 0;
  uint64_t token_ = 0;
};

}  // namespace ccengine::internal

#endif  // CCENGINE_CORE_INTERNAL_TIMER_QUEUE_H_
