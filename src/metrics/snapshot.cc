#include "ccengine/metrics/snapshot.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "fmt/format.h"

namespace ccengine::metrics {

std::string WindowLabel(absl::Duration window) {
  const int64_t minutes = absl::ToInt64Minutes(window);
  return minutes % 60 == 0 ? fmt::format("{}h", minutes / 60)
                           : fmt::format("{}m", minutes);
}

void WaitHistogram::Observe(double seconds) {
  // The first bound not below the value (bounds are inclusive upper limits).
  const auto* bound =
      std::lower_bound(kWaitBucketsSeconds.begin(), kWaitBucketsSeconds.end(), seconds);
  counts[static_cast<size_t>(bound - kWaitBucketsSeconds.begin())]++;
  sum_s += seconds;
  count++;
}

void SnapshotPublisher::Publish(Snapshot snapshot) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot.version = ++version_;
    latest_ = std::make_shared<const Snapshot>(std::move(snapshot));
  }
  changed_.notify_all();
}

std::shared_ptr<const Snapshot> SnapshotPublisher::Latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

std::shared_ptr<const Snapshot> SnapshotPublisher::WaitNewer(
    uint64_t seen, absl::Duration timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  const auto newer = [&] { return version_ > seen; };
  if (timeout == absl::InfiniteDuration()) {
    changed_.wait(lock, newer);
  } else {
    changed_.wait_for(
        lock, absl::ToChronoNanoseconds(std::max(timeout, absl::ZeroDuration())), newer);
  }
  return latest_;
}

}  // namespace ccengine::metrics
