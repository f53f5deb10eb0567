// -----------------------------------------------------------------------------
// File: ccengine/core/wait_estimate.h
// -----------------------------------------------------------------------------
//
// Estimated wait time (EWT) of a waiting contact, with an interval: what
// `Engine::EstimateWait` returns, and the Gamma distribution it rests on.
//
// The model. Let n be the service slots of the eligible agents working now —
// agents logged in with presence ready (available, ringing, busy or in
// wrap-up; not not-ready) who can serve the contact at its current routing
// step and take its channel; a voice agent is one slot, a chat agent with
// room for 3 chats is 3 — and let h be the mean time a slot stays taken per
// contact: the queue's measured mean handle time (its `expected_handle_time`
// until a contact has completed) plus its wrap-up. Let k be the contact's
// position: 1 + the waiting contacts, of any queue, that these agents would
// serve first (a higher aged score, or the same score and an earlier
// arrival). With every slot busy and each freeing at rate 1/h independently
// (exponential handle times), slots free one at a time at rate n/h, and the
// contact is answered at the k-th freeing, so its wait W from now is the sum
// of k exponential gaps:
//     W ~ Gamma(shape k, scale h/n)   (Erlang-k),   E[W] = k·h/n,
// and `low` / `high` are its 10th and 90th percentiles, an 80% interval.
// For an M/M/c queue served first come, first served, without abandonment,
// this is exact for a contact that has to wait.
//
// What it ignores: contacts ahead that abandon or are moved on (it is
// pessimistic under abandonment); relaxation steps that will widen the pool
// later; other queues' contacts that arrive later with a higher class or
// aging weight and overtake; agents that log in or out; the elapsed part of
// handle times in progress (memoryless), so with near-constant handle times
// the interval is too wide; agents that serve several queues split their
// time (each counts as fully serving this one). Idle eligible agents count as
// slots (a contact waits beside them only when it excluded them).
//
// Every figure is recomputed from the current state at each call, so it
// moves as the line moves: call again for a fresh value.
//
// Thread safety: plain values and pure functions; thread-compatible.
//
// Example:
//   absl::StatusOr<ccengine::WaitEstimate> w = engine->EstimateWait(contact);
//   if (w.ok()) Announce(w->expected, w->low, w->high, w->position);

#ifndef CCENGINE_CORE_WAIT_ESTIMATE_H_
#define CCENGINE_CORE_WAIT_ESTIMATE_H_

#include "absl/time/time.h"

namespace ccengine {

// The interval's quantiles (an 80% interval).
inline constexpr double kWaitLowQuantile = 0.1;
inline constexpr double kWaitHighQuantile = 0.9;

struct WaitEstimate {
  // Mean and [low, high] interval of the remaining wait, from now. All three
  // are infinite when no eligible agent is working.
  absl::Duration expected;
  absl::Duration low;   // kWaitLowQuantile of the wait
  absl::Duration high;  // kWaitHighQuantile of the wait
  double low_quantile = kWaitLowQuantile;
  double high_quantile = kWaitHighQuantile;
  int position = 0;            // k: 1 + waiting contacts these agents serve first
  int agents = 0;              // eligible agents working now
  int servers = 0;             // n: their slots for the contact's channel
  absl::Duration handle_time;  // h: mean handle + wrap-up per contact
};

// The regularized lower incomplete gamma function P(shape, x): the CDF at x
// of a Gamma(shape, scale 1) variable. shape > 0; 0 for x <= 0; NaN for an
// invalid shape. Series below x = shape + 1, continued fraction above;
// accurate to ~1e-12 for shapes from 1e-3 to 1e8.
double GammaCdf(double shape, double x);

// The p-quantile of Gamma(shape, scale 1): the x with GammaCdf(shape, x) = p.
// 0 for p <= 0, +inf for p >= 1, NaN for an invalid shape or p. Started from
// the Wilson–Hilferty approximation and refined by Halley steps (two or three
// CDF evaluations), with safeguarded Newton steps (bisection when a step
// leaves the bracket) as the fallback, so it stays sound for large shapes
// where the density is a narrow spike around the mean. Above the median it
// solves on the upper tail, so quantiles near 1 keep their precision.
double GammaQuantile(double shape, double p);

// The p-quantile of the standard normal distribution (Acklam's rational
// approximation, one Newton refinement; |error| < 1e-12).
double NormalQuantile(double p);

}  // namespace ccengine

#endif  // CCENGINE_CORE_WAIT_ESTIMATE_H_
