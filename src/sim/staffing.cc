// Simulation-based staffing (staffing.h): the Erlang plan as a start, a
// forward pass that decides each interval on a window of the simulated day,
// and whole-day checks that add agents where the day still falls short.

#include "ccengine/sim/staffing.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <numeric>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "ccengine/erlang/erlang.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "sim/sim_internal.h"
#include "sim/staffing_confidence.h"

namespace ccengine::sim {
namespace {

using internal::JudgeQueue;
using internal::Resolved;
using internal::Samples;
using internal::Verdict;
using Plan = std::vector<std::vector<int>>;  // [group][interval]

uint64_t Mix(uint64_t seed, uint64_t salt) {
  uint64_t x = seed ^ (salt + 1) * 0x9E3779B97F4A7C15ULL;
  x ^= x >> 31;
  x *= 0xD6E8FEB86659FD93ULL;
  return x ^ (x >> 32);
}

class Planner {
 public:
  Planner(const Scenario& s, const Resolved& r, std::vector<QueueTargets> targets,
          std::vector<double> cost, const StaffingOptions& o)
      : s_(s),
        r_(r),
        targets_(std::move(targets)),
        cost_(std::move(cost)),
        o_(o),
        intervals_(static_cast<size_t>(std::ceil(s.horizon_s / s.interval_s))),
        threads_(o.threads > 0 ? o.threads
                               : static_cast<int>(
                                     std::max(1u, std::thread::hardware_concurrency()))) {
  }

  size_t intervals() const { return intervals_; }

  // A scenario of one interval is a steady-state study: its warm-up is the
  // simulation's transient, and the interval is judged after it, on the
  // summary. Otherwise an interval is judged on every contact that arrived in
  // it, as the interval rows count them (warm-up included).
  bool steady() const { return intervals_ == 1; }
  const Metrics& Figures(const Result& r, const std::string& queue, size_t i) const {
    return steady() ? r.queues.at(queue).value : r.queue_intervals.at(queue)[i].value;
  }
  uint64_t replications_run() const { return replications_run_; }

  Plan ErlangPlan() const;
  // Decides every interval in time order, starting from `plan`.
  absl::Status Optimize(Plan& plan);
  // The whole day under `plan`: per queue and interval whether it meets, and
  // the figures. With `pad`, adds agents where it fails and checks again.
  struct Day {
    std::vector<std::vector<bool>> met;  // [queue][interval]
    Result result;
  };
  absl::StatusOr<Day> CheckDay(Plan& plan, bool pad);
  // Takes single agents out of a plan whose day meets everywhere, one
  // interval and group at a time (the busiest intervals, dearest groups
  // first), keeping each cut after which the whole day still meets.
  absl::StatusOr<Day> Trim(Plan& plan, Day day);
  // One agent more in the cheapest group serving each queue-interval not
  // `met`; false when none could be added.
  bool AddWhere(Plan& plan, const std::vector<std::vector<bool>>& met) const;

  double Hours(const Plan& plan, bool weighted) const {
    double h = 0;
    for (size_t g = 0; g < plan.size(); ++g) {
      for (size_t i = 0; i < intervals_; ++i) {
        h += plan[g][i] * internal::IntervalLength(s_, i) / 3600 *
             (weighted ? cost_[g] : 1);
      }
    }
    return h;
  }

 private:
  // Whether every queue meets in interval `i`, simulated over the window of
  // warmup_intervals before it; `failing` gets the queues seen failing.
  absl::StatusOr<bool> Meets(const Plan& plan, size_t i, std::vector<bool>* failing);
  // Replications of `w` (min_replications, doubling up to max_replications)
  // until every queue — of the whole day's every interval with `whole_day`
  // — is decided: whether all meet; stops at the first that fails.
  absl::StatusOr<bool> Sequential(const Scenario& w, bool whole_day,
                                  std::vector<bool>* failing);
  bool TooSmall(const absl::Status& st, std::vector<bool>* failing) const;
  // The caller's interrupt, from this thread, if check_every_s has passed
  // since the last call.
  absl::Status Poll();
  // Replications first, first + 1, … of `w` into `totals` (one each), on up
  // to `threads` threads; this thread watches the caller's interrupt.
  absl::Status RunReplications(const Scenario& w, const Resolved& rw, int first,
                               std::vector<internal::ReplicationTotals>& totals);
  // The whole day under `plan`, as CheckDay runs it.
  Scenario DayScenario(const Plan& plan) const;
  Scenario Window(const Plan& plan, size_t first, size_t i) const;
  absl::Status DecideInterval(Plan& plan, size_t i);
  absl::Status Grow(Plan& plan, size_t i);
  absl::StatusOr<bool> Cut(Plan& plan, size_t i, size_t g);
  absl::StatusOr<bool> Exchange(Plan& plan, size_t i);
  std::vector<size_t> GroupsByCost(bool dearest_first) const {
    std::vector<size_t> order(cost_.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return dearest_first ? cost_[a] > cost_[b] : cost_[a] < cost_[b];
    });
    return order;
  }

  const Scenario& s_;
  const Resolved& r_;
  std::vector<QueueTargets> targets_;
  std::vector<double> cost_;
  const StaffingOptions& o_;
  size_t intervals_;
  uint64_t replications_run_ = 0;
  int threads_ = 1;
  std::chrono::steady_clock::time_point next_poll_;
};

Plan Planner::ErlangPlan() const {
  Plan plan(s_.agents.size(), std::vector<int>(intervals_, 0));
  for (size_t q = 0; q < s_.queues.size(); ++q) {
    std::vector<double> rate(intervals_, 0), work(intervals_, 0), wait(intervals_, 0);
    bool patient = true;  // some stream never leaves
    double concurrency = 0;
    for (size_t k = 0; k < s_.arrivals.size(); ++k) {
      if (!r_.Reaches(k, q)) continue;
      const ArrivalSpec& a = s_.arrivals[k];
      std::vector<double> rates = internal::RatesByInterval(s_, a, intervals_);
      for (size_t i = 0; i < intervals_; ++i) {
        if (r_.QueueAt(k, i) != q) rates[i] = 0;  // routed elsewhere then
      }
      const double patience =
          std::isfinite(a.callback_after_s) ? INFINITY : internal::MeanOf(a.patience);
      patient = patient && std::isfinite(patience);
      for (size_t i = 0; i < intervals_; ++i) {
        rate[i] += rates[i];
        work[i] += rates[i] * internal::MeanOf(a.handle_time);
        wait[i] += rates[i] * patience;
      }
      for (size_t g = 0; g < s_.agents.size(); ++g) {
        if (r_.serves[q][g]) {
          concurrency = std::max(concurrency,
                                 internal::Concurrency(s_.agents[g].capacity, a.channel));
        }
      }
    }
    // The queue's own teams (its first step's skills), else whoever can
    // serve it after relaxation.
    std::vector<size_t> serving;
    for (size_t g = 0; g < s_.agents.size(); ++g) {
      if (r_.serves_first[q][g]) serving.push_back(g);
    }
    for (size_t g = 0; g < s_.agents.size() && serving.empty(); ++g) {
      if (r_.serves[q][g]) serving.push_back(g);
    }
    if (serving.empty() || concurrency == 0) continue;
    const double target = std::isnan(targets_[q].service_level)
                              ? s_.queues[q].sl_target
                              : targets_[q].service_level;
    for (size_t i = 0; i < intervals_; ++i) {
      if (!(rate[i] > 0)) continue;
      // Wrap-up keeps the agent from the next contact: it is part of the work.
      const double aht = work[i] / rate[i] + s_.queues[q].wrap_up_s;
      std::optional<double> patience;
      if (patient) patience = wait[i] / rate[i];
      absl::StatusOr<int> n =
          AgentsForServiceLevel(rate[i], aht, std::clamp(target, 1e-6, 1 - 1e-9),
                                s_.queues[q].sl_seconds, patience);
      double need = n.ok() ? *n : std::floor(rate[i] * aht) + 1;
      need = std::ceil(need / concurrency);
      const int share = static_cast<int>(std::ceil(need / serving.size()));
      for (size_t g : serving) plan[g][i] = std::min(o_.max_agents, plan[g][i] + share);
    }
  }
  return plan;
}

Scenario Planner::Window(const Plan& plan, size_t first, size_t i) const {
  Scenario w = s_;
  const double t0 = first * s_.interval_s;
  w.horizon_s = std::min(s_.horizon_s, (i + 1) * s_.interval_s) - t0;
  w.clock_start = internal::ClockStart(s_) + absl::Seconds(t0);  // the same calendar
  // Only interval i counts: the window's summary is exactly its contacts
  // (a scenario of one interval keeps its own warm-up, see Figures).
  w.warmup_s = steady() ? s_.warmup_s : (i - first) * s_.interval_s;
  w.replications = o_.max_replications;
  w.seed = Mix(s_.seed, i);
  for (ArrivalSpec& a : w.arrivals) {
    if (!a.rates_per_interval.empty()) {
      const size_t from = std::min(first, a.rates_per_interval.size() - 1);
      a.rates_per_interval.erase(a.rates_per_interval.begin(),
                                 a.rates_per_interval.begin() + static_cast<long>(from));
    } else if (!a.trace.empty()) {
      std::vector<double> trace;
      for (double t : a.trace) {
        if (t >= t0 && t < t0 + w.horizon_s) trace.push_back(t - t0);
      }
      a.trace = std::move(trace);
      // A window without arrivals of this stream: a rate of 0 is "none".
      if (a.trace.empty()) a.rates_per_interval = {0.0};
    }
  }
  for (size_t g = 0; g < w.agents.size(); ++g) {
    w.agents[g].count = 0;
    w.agents[g].counts.assign(plan[g].begin() + static_cast<long>(first),
                              plan[g].begin() + static_cast<long>(i) + 1);
  }
  return w;
}

absl::StatusOr<bool> Planner::Meets(const Plan& plan, size_t i,
                                    std::vector<bool>* failing) {
  const size_t warm = static_cast<size_t>(o_.warmup_intervals);
  const size_t first = i >= warm ? i - warm : 0;
  return Sequential(Window(plan, first, i), false, failing);
}

// A candidate too small for the scenario's bounds (its backlog estimate, or
// the backlog while it runs) fails, in every queue: the bound names one
// queue in words only.
bool Planner::TooSmall(const absl::Status& st, std::vector<bool>* failing) const {
  if (st.code() != absl::StatusCode::kResourceExhausted) return false;
  if (failing != nullptr) failing->assign(s_.queues.size(), true);
  return true;
}

absl::StatusOr<bool> Planner::Sequential(const Scenario& w, bool whole_day,
                                         std::vector<bool>* failing) {
  absl::StatusOr<Resolved> resolved = internal::Resolve(w);
  if (TooSmall(resolved.status(), failing)) return false;
  CCENGINE_RETURN_IF_ERROR(resolved.status());
  const Resolved& rw = *resolved;
  // One cell per queue (a window's summary is its decided interval), or per
  // queue and interval of the whole day.
  const size_t per_queue = whole_day ? intervals_ : 1;
  std::vector<Samples> samples(s_.queues.size() * per_queue);
  int done = 0, want = o_.min_replications;
  while (true) {
    std::vector<internal::ReplicationTotals> totals(static_cast<size_t>(want - done));
    absl::Status ran = RunReplications(w, rw, done, totals);
    if (TooSmall(ran, failing)) return false;
    CCENGINE_RETURN_IF_ERROR(ran);
    for (const internal::ReplicationTotals& t : totals) {
      const Result one = internal::Summarize(w, rw, {t}, 0);
      for (size_t q = 0; q < s_.queues.size(); ++q) {
        const std::string& name = s_.queues[q].name;
        for (size_t i = 0; i < per_queue; ++i) {
          samples[q * per_queue + i].Add(whole_day ? Figures(one, name, i)
                                                   : one.queues.at(name).value);
        }
      }
    }
    done = want;
    const bool last = done >= o_.max_replications;
    bool undecided = false, meets = true;
    for (size_t c = 0; c < samples.size(); ++c) {
      Verdict v = JudgeQueue(samples[c], targets_[c / per_queue], o_.confidence, last);
      if (v == Verdict::kFails) {
        meets = false;
        if (failing != nullptr) (*failing)[c / per_queue] = true;
      }
      undecided |= v == Verdict::kUndecided;
    }
    if (!meets) return false;
    if (!undecided) return true;
    want = std::min(o_.max_replications, 2 * done);
  }
}

absl::Status Planner::Poll() {
  if (!o_.control.interrupt) return absl::OkStatus();
  const auto now = std::chrono::steady_clock::now();
  if (now < next_poll_) return absl::OkStatus();
  next_poll_ = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                         std::chrono::duration<double>(o_.control.check_every_s));
  return o_.control.interrupt();
}

absl::Status Planner::RunReplications(const Scenario& w, const Resolved& rw, int first,
                                      std::vector<internal::ReplicationTotals>& totals) {
  const int n = static_cast<int>(totals.size());
  replications_run_ += static_cast<uint64_t>(n);
  const int threads = std::min(threads_, n);
  if (threads <= 1) {
    for (int k = 0; k < n; ++k) {
      CCENGINE_RETURN_IF_ERROR(
          internal::RunReplication(w, rw, first + k, o_.control, totals[k]));
    }
    return absl::OkStatus();
  }
  // Workers take replications in turn; each replication's numbers depend on
  // its own index only, so the order they finish in changes nothing. The
  // caller's interrupt may need this thread (Python's signal handlers do):
  // workers only see a flag, and this thread checks the interrupt while it
  // waits.
  std::atomic<int> next{0};
  std::atomic<bool> stop{false};
  std::mutex mu;  // std::mutex: Debian's Abseil is not TSan-instrumented
  std::condition_variable finished;
  absl::Status error;
  int running = threads;
  RunControl worker;
  worker.check_every_s = o_.control.check_every_s;
  worker.interrupt = [&stop] {
    return stop.load() ? absl::CancelledError("stopped") : absl::OkStatus();
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(threads));
  absl::Status started;
  for (int t = 0; t < threads && started.ok(); ++t) {
    try {
      pool.emplace_back([&] {
        for (int k = next++; k < n && !stop.load(); k = next++) {
          absl::Status st = internal::RunReplication(w, rw, first + k, worker, totals[k]);
          if (!st.ok()) {
            std::lock_guard<std::mutex> lock(mu);
            if (error.ok() && !stop.load()) error = st;
            stop = true;
          }
        }
        std::lock_guard<std::mutex> lock(mu);
        --running;
        finished.notify_one();
      });
    } catch (const std::system_error& e) {
      started = absl::ResourceExhaustedError(
          fmt::format("cannot start a replication thread: {}", e.what()));
    }
  }
  if (!started.ok()) {
    stop = true;
    for (std::thread& t : pool) t.join();
    return started;
  }
  absl::Status interrupted;
  const auto wait = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(o_.control.check_every_s));
  {
    std::unique_lock<std::mutex> lock(mu);
    while (!finished.wait_for(lock, wait, [&running] { return running == 0; })) {
      if (!o_.control.interrupt || !interrupted.ok()) continue;
      lock.unlock();  // never call the caller's code holding the lock
      interrupted = o_.control.interrupt();
      if (!interrupted.ok()) stop = true;
      lock.lock();
    }
  }
  for (std::thread& t : pool) t.join();
  if (!interrupted.ok()) return interrupted;
  CCENGINE_RETURN_IF_ERROR(error);
  // Batches shorter than check_every_s never wait long enough to look.
  return Poll();
}

absl::Status Planner::Grow(Plan& plan, size_t i) {
  for (int step = 1;; step = std::min(2 * step, o_.max_agents)) {
    std::vector<bool> failing(s_.queues.size(), false);
    CCENGINE_ASSIGN_OR_RETURN(bool meets, Meets(plan, i, &failing));
    if (meets) return absl::OkStatus();
    for (size_t q = 0; q < s_.queues.size(); ++q) {
      if (!failing[q]) continue;
      bool grew = false;
      for (size_t g = 0; g < s_.agents.size(); ++g) {
        if (!r_.serves[q][g] || plan[g][i] >= o_.max_agents) continue;
        plan[g][i] = std::min(o_.max_agents, plan[g][i] + step);
        grew = true;
      }
      if (!grew) {
        return absl::ResourceExhaustedError(fmt::format(
            "queue '{}', interval {}: no plan of up to max_agents {} per group meets its "
            "targets",
            s_.queues[q].name, i, o_.max_agents));
      }
    }
  }
}

absl::StatusOr<bool> Planner::Cut(Plan& plan, size_t i, size_t g) {
  const int had = plan[g][i];
  int lo = 0, hi = had;  // hi meets
  // Down in growing steps from what meets, then bisect what is left: the
  // answer is usually a few agents below the start.
  for (int step = 1; hi > 0; step *= 2) {
    const int next = std::max(0, hi - step);
    plan[g][i] = next;
    CCENGINE_ASSIGN_OR_RETURN(bool meets, Meets(plan, i, nullptr));
    if (!meets) {
      lo = next + 1;
      break;
    }
    hi = next;
  }
  while (lo < hi) {
    const int mid = lo + (hi - lo) / 2;
    plan[g][i] = mid;
    CCENGINE_ASSIGN_OR_RETURN(bool meets, Meets(plan, i, nullptr));
    if (meets) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  plan[g][i] = hi;
  return hi != had;
}

absl::StatusOr<bool> Planner::Exchange(Plan& plan, size_t i) {
  bool changed = false;
  for (size_t g : GroupsByCost(true)) {
    for (size_t h : GroupsByCost(false)) {
      if (!(cost_[h] < cost_[g])) break;
      while (plan[g][i] > 0 && plan[h][i] < o_.max_agents) {
        --plan[g][i];
        ++plan[h][i];
        CCENGINE_ASSIGN_OR_RETURN(bool meets, Meets(plan, i, nullptr));
        if (!meets) {
          ++plan[g][i];
          --plan[h][i];
          break;
        }
        changed = true;
      }
    }
  }
  return changed;
}

absl::Status Planner::DecideInterval(Plan& plan, size_t i) {
  CCENGINE_RETURN_IF_ERROR(Grow(plan, i));
  // Cuts and exchanges until neither changes anything (a few rounds at most).
  for (int round = 0; round < 4; ++round) {
    bool changed = false;
    for (size_t g : GroupsByCost(true)) {
      CCENGINE_ASSIGN_OR_RETURN(bool cut, Cut(plan, i, g));
      changed |= cut;
    }
    CCENGINE_ASSIGN_OR_RETURN(bool moved, Exchange(plan, i));
    if (!(changed || moved)) break;
  }
  return absl::OkStatus();
}

absl::Status Planner::Optimize(Plan& plan) {
  for (size_t i = 0; i < intervals_; ++i) {
    CCENGINE_RETURN_IF_ERROR(Poll());
    CCENGINE_RETURN_IF_ERROR(DecideInterval(plan, i));
    if (o_.control.progress) {
      o_.control.progress(static_cast<int>(i + 1), static_cast<int>(intervals_));
    }
  }
  return absl::OkStatus();
}

Scenario Planner::DayScenario(const Plan& plan) const {
  Scenario day = s_;
  day.replications = o_.max_replications;
  for (size_t g = 0; g < day.agents.size(); ++g) {
    day.agents[g].count = 0;
    day.agents[g].counts = plan[g];
  }
  return day;
}

absl::StatusOr<Planner::Day> Planner::CheckDay(Plan& plan, bool pad) {
  for (int round = 0;; ++round) {
    const Scenario day = DayScenario(plan);
    absl::StatusOr<Resolved> resolved = internal::Resolve(day);
    std::vector<internal::ReplicationTotals> totals(o_.max_replications);
    absl::Status ran = resolved.status();
    if (ran.ok()) ran = RunReplications(day, *resolved, 0, totals);
    if (TooSmall(ran, nullptr)) {
      // Too few agents somewhere for the bounds: one more in every
      // queue-interval's cheapest group, and again.
      if (!pad || round >= o_.max_rounds) return ran;
      if (!AddWhere(plan, std::vector<std::vector<bool>>(
                              s_.queues.size(), std::vector<bool>(intervals_, false)))) {
        return ran;
      }
      continue;
    }
    CCENGINE_RETURN_IF_ERROR(ran);
    const Resolved& rd = *resolved;
    std::vector<std::vector<Samples>> samples(s_.queues.size(),
                                              std::vector<Samples>(intervals_));
    for (int rep = 0; rep < o_.max_replications; ++rep) {
      const Result one = internal::Summarize(day, rd, {totals[rep]}, 0);
      for (size_t q = 0; q < s_.queues.size(); ++q) {
        const std::string& name = s_.queues[q].name;
        for (size_t i = 0; i < intervals_; ++i) samples[q][i].Add(Figures(one, name, i));
      }
    }
    Day out;
    out.met.assign(s_.queues.size(), std::vector<bool>(intervals_, true));
    bool all = true;
    for (size_t q = 0; q < s_.queues.size(); ++q) {
      for (size_t i = 0; i < intervals_; ++i) {
        out.met[q][i] = JudgeQueue(samples[q][i], targets_[q], o_.confidence, true) ==
                        Verdict::kMeets;
        all = all && out.met[q][i];
      }
    }
    if (all || !pad || round >= o_.max_rounds) {
      out.result = internal::Summarize(day, rd, totals, 0);
      return out;
    }
    // One more agent where a queue fails, in its cheapest serving group;
    // nothing left to add (every such group at max_agents): as it is.
    if (!AddWhere(plan, out.met)) {
      out.result = internal::Summarize(day, rd, totals, 0);
      return out;
    }
  }
}

bool Planner::AddWhere(Plan& plan, const std::vector<std::vector<bool>>& met) const {
  bool added = false;
  for (size_t q = 0; q < s_.queues.size(); ++q) {
    for (size_t i = 0; i < intervals_; ++i) {
      if (met[q][i]) continue;
      for (size_t g : GroupsByCost(false)) {
        if (r_.serves[q][g] && plan[g][i] < o_.max_agents) {
          ++plan[g][i];
          added = true;
          break;
        }
      }
    }
  }
  return added;
}

absl::StatusOr<Planner::Day> Planner::Trim(Plan& plan, Day day) {
  for (const auto& met : day.met) {
    for (bool m : met) {
      if (!m) return day;  // padding gave up: nothing to trim against
    }
  }
  std::vector<size_t> order(intervals_);
  std::iota(order.begin(), order.end(), 0);
  auto load = [&](size_t i) {
    double c = 0;
    for (size_t g = 0; g < plan.size(); ++g) c += plan[g][i] * cost_[g];
    return c;
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return load(a) > load(b); });
  bool cut_any = false;
  for (size_t i : order) {
    for (size_t g : GroupsByCost(true)) {
      while (plan[g][i] > 0) {
        --plan[g][i];
        CCENGINE_ASSIGN_OR_RETURN(bool meets,
                                  Sequential(DayScenario(plan), true, nullptr));
        if (!meets) {
          ++plan[g][i];
          break;
        }
        cut_any = true;
      }
    }
  }
  if (!cut_any) return day;
  return CheckDay(plan, true);  // the figures, on all the replications
}

// About 144 bytes each: some 600 MB for the whole-day check at the limit.
constexpr double kMaxDayRows = 4e6;

absl::Status CheckOptions(const Scenario& s, const Resolved& r,
                          const std::map<std::string, QueueTargets>& targets,
                          const StaffingOptions& o) {
  auto invalid = [](std::string field, std::string what) {
    return absl::InvalidArgumentError(fmt::format("{}: {}", field, what));
  };
  if (!(o.confidence > 0.5 && o.confidence < 1)) {
    return invalid("confidence",
                   fmt::format("must be in (0.5, 1), got {}", o.confidence));
  }
  if (o.min_replications < 3 || o.max_replications < o.min_replications ||
      o.max_replications > 10000) {
    return invalid("replications",
                   fmt::format("need 3 <= min_replications <= max_replications <= "
                               "10000, got {} and {}",
                               o.min_replications, o.max_replications));
  }
  if (o.warmup_intervals < 0) return invalid("warmup_intervals", "must be >= 0");
  if (o.max_agents < 1 || o.max_agents > 1'000'000) {
    return invalid("max_agents", "must be in 1..1000000");
  }
  if (o.max_rounds < 0 || o.max_rounds > 1000) {
    return invalid("max_rounds", "must be in 0..1000");
  }
  if (o.threads < 0 || o.threads > 1024) return invalid("threads", "must be in 0..1024");
  CCENGINE_RETURN_IF_ERROR(internal::CheckControl(o.control));
  if (targets.empty()) return invalid("targets", "name at least one queue");
  for (const auto& [queue, t] : targets) {
    const std::string& name = queue;  // a structured binding cannot be captured in C++20
    const std::string f = fmt::format("targets['{}']", name);
    if (std::none_of(s.queues.begin(), s.queues.end(),
                     [&name](const QueueSpec& q) { return q.name == name; })) {
      return absl::NotFoundError(fmt::format("{}: unknown queue", f));
    }
    if (std::isnan(t.service_level) && std::isnan(t.max_abandon) &&
        std::isnan(t.max_asa) && std::isnan(t.max_occupancy)) {
      return invalid(f,
                     "give at least one of service_level, max_abandon, max_asa, "
                     "max_occupancy");
    }
    if (!std::isnan(t.service_level) && !(t.service_level > 0 && t.service_level <= 1)) {
      return invalid(f + ".service_level", "must be in (0, 1]");
    }
    if (!std::isnan(t.max_abandon) && !(t.max_abandon >= 0 && t.max_abandon <= 1)) {
      return invalid(f + ".max_abandon", "must be in [0, 1]");
    }
    if (!std::isnan(t.max_asa) && !(t.max_asa >= 0)) {
      return invalid(f + ".max_asa", "must be >= 0");
    }
    if (!std::isnan(t.max_occupancy) && !(t.max_occupancy > 0 && t.max_occupancy <= 1)) {
      return invalid(f + ".max_occupancy", "must be in (0, 1]");
    }
  }
  for (size_t g = 0; g < s.agents.size(); ++g) {
    if (!s.agents[g].shifts.empty()) {
      return invalid(fmt::format("agents[{}]", g),
                     "a group staffed by shifts cannot be planned; give count or counts");
    }
  }
  const size_t intervals = static_cast<size_t>(std::ceil(s.horizon_s / s.interval_s));
  // A whole-day check keeps every replication's interval rows at once.
  const double rows = static_cast<double>(intervals) *
                      static_cast<double>(s.queues.size() + s.agents.size()) *
                      o.max_replications;
  if (rows > kMaxDayRows) {
    return absl::ResourceExhaustedError(fmt::format(
        "intervals × (queues + groups) × max_replications is {:.3g}, above {:.3g} (the "
        "whole-day checks hold them all); plan fewer or longer intervals, or lower "
        "max_replications",
        rows, kMaxDayRows));
  }
  auto known = [&](const std::string& name, const std::string& field) -> absl::Status {
    if (std::find(r.group_names.begin(), r.group_names.end(), name) ==
        r.group_names.end()) {
      return absl::NotFoundError(
          fmt::format("{}: unknown agent group '{}'", field, name));
    }
    return absl::OkStatus();
  };
  for (const auto& [name, cost] : o.group_cost) {
    CCENGINE_RETURN_IF_ERROR(known(name, "group_cost"));
    if (!(cost > 0) || !std::isfinite(cost)) {
      return invalid(fmt::format("group_cost['{}']", name), "must be > 0 and finite");
    }
  }
  for (const auto& [name, counts] : o.start) {
    CCENGINE_RETURN_IF_ERROR(known(name, "start"));
    if (counts.size() != intervals) {
      return invalid(fmt::format("start['{}']", name),
                     fmt::format("needs one count per interval ({}), got {}", intervals,
                                 counts.size()));
    }
    for (int c : counts) {
      if (c < 0 || c > o.max_agents) {
        return invalid(fmt::format("start['{}']", name),
                       fmt::format("counts must be in 0..max_agents ({})", o.max_agents));
      }
    }
  }
  return absl::OkStatus();
}

// Rows keyed by name: names(i) for row i.
template <typename Row, typename NameOf>
std::map<std::string, Row> Named(const std::vector<Row>& rows, NameOf names) {
  std::map<std::string, Row> out;
  for (size_t i = 0; i < rows.size(); ++i) out[names(i)] = rows[i];
  return out;
}

}  // namespace

absl::StatusOr<StaffingResult> OptimizeStaffing(
    const Scenario& scenario, const std::map<std::string, QueueTargets>& targets,
    const StaffingOptions& options) {
  // The scenario's staffing is only a placeholder for the plan: its backlog
  // estimate says nothing yet (each candidate is checked against it).
  Scenario unstaffed = scenario;
  unstaffed.max_backlog = INFINITY;
  // Not used: no candidate keeps report rows; the clock keeps its calendar.
  unstaffed.clock_start = internal::ClockStart(scenario);
  unstaffed.report_start.reset();
  CCENGINE_ASSIGN_OR_RETURN(Resolved resolved, internal::Resolve(unstaffed));
  CCENGINE_RETURN_IF_ERROR(CheckOptions(scenario, resolved, targets, options));
  if (!(scenario.max_backlog > 0)) {
    return absl::InvalidArgumentError(
        fmt::format("max_backlog: must be > 0, got {}", scenario.max_backlog));
  }
  std::vector<QueueTargets> by_queue(scenario.queues.size());
  for (size_t q = 0; q < scenario.queues.size(); ++q) {
    auto it = targets.find(scenario.queues[q].name);
    if (it != targets.end()) by_queue[q] = it->second;
  }
  std::vector<double> cost(scenario.agents.size(), 1.0);
  for (size_t g = 0; g < cost.size(); ++g) {
    auto it = options.group_cost.find(resolved.group_names[g]);
    if (it != options.group_cost.end()) cost[g] = it->second;
  }
  // Candidate plans keep no report rows (simulate the chosen plan for them).
  Scenario searched = scenario;
  searched.clock_start = internal::ClockStart(scenario);
  searched.report_start.reset();
  Planner planner(searched, resolved, std::move(by_queue), std::move(cost), options);
  const Plan erlang = planner.ErlangPlan();
  Plan plan = erlang;
  for (size_t g = 0; g < plan.size(); ++g) {
    auto it = options.start.find(resolved.group_names[g]);
    if (it != options.start.end()) plan[g] = it->second;
  }
  CCENGINE_RETURN_IF_ERROR(planner.Optimize(plan));

  auto group_name = [&](size_t g) { return resolved.group_names[g]; };
  auto queue_name = [&](size_t q) { return scenario.queues[q].name; };
  StaffingResult out;
  CCENGINE_ASSIGN_OR_RETURN(Planner::Day checked, planner.CheckDay(plan, true));
  CCENGINE_ASSIGN_OR_RETURN(Planner::Day day, planner.Trim(plan, std::move(checked)));
  out.groups = Named(plan, group_name);
  out.achieved = std::move(day.result);
  out.met = Named(day.met, queue_name);
  out.agent_hours = planner.Hours(plan, false);
  out.cost = planner.Hours(plan, true);

  Plan as_erlang = erlang;
  CCENGINE_ASSIGN_OR_RETURN(Planner::Day erlang_day, planner.CheckDay(as_erlang, false));
  out.erlang_groups = Named(erlang, group_name);
  out.erlang_achieved = std::move(erlang_day.result);
  out.erlang_met = Named(erlang_day.met, queue_name);
  out.erlang_agent_hours = planner.Hours(erlang, false);
  out.erlang_cost = planner.Hours(erlang, true);

  if (options.pad_erlang_plan) {
    Plan padded = erlang;
    CCENGINE_ASSIGN_OR_RETURN(Planner::Day padded_day, planner.CheckDay(padded, true));
    out.padded_groups = Named(padded, group_name);
    out.padded_achieved = std::move(padded_day.result);
    out.padded_met = Named(padded_day.met, queue_name);
    out.padded_agent_hours = planner.Hours(padded, false);
    out.padded_cost = planner.Hours(padded, true);
  }
  out.replications_run = planner.replications_run();
  return out;
}

}  // namespace ccengine::sim
