// -----------------------------------------------------------------------------
// File: ccengine/core/router_loop.h
// -----------------------------------------------------------------------------
//
// `ccengine::RouterLoop` runs an engine on a thread of its own for products
// that do not have an event loop to drive `Engine::Poll` from: it polls at the
// clock's time, then waits for work — a short bounded spin (commands usually
// come in bursts), then a park on a semaphore that `Engine::Submit` releases,
// never longer than the next timer or `max_park`. Producers only ever call
// `Engine::Submit`; subscribers run on the loop's thread.
//
// Thread safety: `Start` and `Stop` from one controlling thread; while the
// loop runs, the engine belongs to the loop's thread (only `Submit` is
// allowed elsewhere). After `Stop` returns, the caller owns the engine again.
//
// Example:
//   ccengine::RealClock clock;
//   ccengine::RouterLoop loop(engine.get(), &clock);
//   loop.Start();
//   engine->Submit(ccengine::cmd::Login{ccengine::AgentId{7}});
//   ...
//   loop.Stop();

#ifndef CCENGINE_CORE_ROUTER_LOOP_H_
#define CCENGINE_CORE_ROUTER_LOOP_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/clock.h"
#include "ccengine/core/engine.h"

namespace ccengine {

struct RouterLoopOptions {
  int spin_iterations = 2000;  // intake checks before parking
  absl::Duration max_park = absl::Milliseconds(50);
  // Called on the loop's thread after a poll, once when the loop starts and
  // then whenever `tick_interval` of the clock's time has passed since the
  // last call: for work that must read the engine between commands, such as
  // publishing a metrics snapshot (ccengine/metrics/snapshot.h). It runs
  // while no command is being applied; keep it short. Empty: none.
  std::function<void()> on_tick;
  absl::Duration tick_interval = absl::Seconds(1);
};

class RouterLoop {
 public:
  RouterLoop(Engine* engine, const Clock* clock, RouterLoopOptions options = {});
  ~RouterLoop();  // stops the loop if it runs
  RouterLoop(const RouterLoop&) = delete;
  RouterLoop& operator=(const RouterLoop&) = delete;

  // FailedPrecondition if already running; InvalidArgument for an on_tick
  // with a tick_interval that is not positive and finite.
  absl::Status Start();
  // Applies what was submitted before the call, then joins the thread.
  void Stop();
  bool running() const { return running_.load(std::memory_order_acquire); }
  uint64_t polls() const { return polls_.load(std::memory_order_relaxed); }
  uint64_t commands_applied() const { return applied_.load(std::memory_order_relaxed); }

 private:
  void Run();

  Engine* engine_;
  const Clock* clock_;
  RouterLoopOptions options_;
  std::atomic<bool> running_{false};
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> polls_{0};
  std::atomic<uint64_t> applied_{0};
  std::thread thread_;
};

}  // namespace ccengine

#endif  // CCENGINE_CORE_ROUTER_LOOP_H_
