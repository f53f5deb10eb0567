// RouterLoop: poll, spin, park.

#include "ccengine/core/router_loop.h"

#include <algorithm>
#include <utility>

namespace ccengine {

RouterLoop::RouterLoop(Engine* engine, const Clock* clock, RouterLoopOptions options)
    : engine_(engine), clock_(clock), options_(std::move(options)) {}

RouterLoop::~RouterLoop() { Stop(); }

absl::Status RouterLoop::Start() {
  if (running_.load(std::memory_order_acquire)) {
    return absl::FailedPreconditionError("router loop is already running");
  }
  if (options_.on_tick && (options_.tick_interval <= absl::ZeroDuration() ||
                           options_.tick_interval == absl::InfiniteDuration())) {
    return absl::InvalidArgumentError(
        "router loop: tick_interval must be positive and finite");
  }
  stop_.store(false, std::memory_order_release);
  running_.store(true, std::memory_order_release);
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void RouterLoop::Stop() {
  if (!thread_.joinable()) return;
  stop_.store(true, std::memory_order_release);
  engine_->Wake();
  thread_.join();
  running_.store(false, std::memory_order_release);
}

void RouterLoop::Run() {
  absl::Time next_tick = absl::InfinitePast();
  while (true) {
    bool stopping = stop_.load(std::memory_order_acquire);
    // A clock that steps back (a ManualClock set by hand) is clamped to the
    // engine's time rather than stopping the loop.
    absl::Time now = std::max(clock_->Now(), engine_->Now());
    absl::StatusOr<size_t> applied = engine_->Poll(now);
    polls_.fetch_add(1, std::memory_order_relaxed);
    if (applied.ok()) applied_.fetch_add(*applied, std::memory_order_relaxed);
    if (options_.on_tick && now >= next_tick) {
      options_.on_tick();
      next_tick = now + options_.tick_interval;
    }
    if (stopping) break;
    absl::Duration wait = options_.max_park;
    if (std::optional<absl::Time> next = engine_->NextTimerAt()) {
      wait = std::clamp(*next - clock_->Now(), absl::ZeroDuration(), wait);
    }
    if (options_.on_tick) {
      wait = std::clamp(next_tick - clock_->Now(), absl::ZeroDuration(), wait);
    }
    engine_->WaitForWork(wait, options_.spin_iterations);
  }
}

}  // namespace ccengine
