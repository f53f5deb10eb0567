// The bounds a scenario is checked against before it runs (sim.h, "Bounds"):
// the arrivals one replication would simulate, and each queue's backlog by a
// fluid estimate that leans low.

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "fmt/format.h"
#include "sim/sim_internal.h"

namespace ccengine::sim::internal {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

double MeanOf(const Distribution& d) {
  switch (d.kind) {
    case Distribution::Kind::kNone: return kInf;
    case Distribution::Kind::kEmpirical:
      return d.samples.empty()
                 ? 0
                 : std::accumulate(d.samples.begin(), d.samples.end(), 0.0) /
                       static_cast<double>(d.samples.size());
    default: return d.mean;
  }
}

// The length of interval i inside [0, horizon).
double IntervalLength(const Scenario& s, size_t i) {
  return std::min(s.horizon_s, (i + 1) * s.interval_s) - i * s.interval_s;
}

// A stream's mean arrival rate in each interval.
std::vector<double> RatesByInterval(const Scenario& s, const ArrivalSpec& a,
                                    size_t intervals) {
  std::vector<double> rates(intervals, a.rate_per_s);
  if (!a.rates_per_interval.empty()) {
    for (size_t i = 0; i < intervals; ++i) {
      rates[i] = a.rates_per_interval[std::min(i, a.rates_per_interval.size() - 1)];
    }
  } else if (!a.trace.empty()) {
    std::fill(rates.begin(), rates.end(), 0.0);
    for (double t : a.trace) {
      // t / interval_s may round up to `intervals` just below the horizon.
      if (t < s.horizon_s) {
        rates[std::min(static_cast<size_t>(t / s.interval_s), intervals - 1)] += 1;
      }
    }
    for (size_t i = 0; i < intervals; ++i) rates[i] /= IntervalLength(s, i);
  }
  return rates;
}

// Contacts of `channel` one agent of the group can hold at once (0: none).
double Concurrency(const Capacity& c, Channel channel) {
  const auto k = static_cast<size_t>(channel);
  double n = c.max_per_channel[k];
  if (c.load_per_contact[k] > 0) {
    n = std::min(n,
                 std::floor(static_cast<double>(c.load_budget) / c.load_per_contact[k]));
  }
  return n;
}

namespace {

// Agents of a group logged in during each interval (at its middle; breaks
// are not subtracted, which only lets the estimate lean lower).
std::vector<double> StaffByInterval(const Scenario& s, const AgentGroupSpec& g,
                                    size_t intervals) {
  std::vector<double> staff(intervals, g.count);
  if (!g.counts.empty()) {
    for (size_t i = 0; i < intervals; ++i) {
      staff[i] = g.counts[std::min(i, g.counts.size() - 1)];
    }
  } else if (!g.shifts.empty()) {
    std::vector<double> delta(intervals + 1, 0.0);
    for (const Shift& sh : g.shifts) {
      // Intervals whose middle lies in [start, end).
      auto first = static_cast<double>(std::ceil(sh.start_s / s.interval_s - 0.5));
      auto end = std::isfinite(sh.end_s)
                     ? static_cast<double>(std::ceil(sh.end_s / s.interval_s - 0.5))
                     : static_cast<double>(intervals);
      auto lo = static_cast<size_t>(std::clamp(first, 0.0, double(intervals)));
      auto hi = static_cast<size_t>(std::clamp(end, 0.0, double(intervals)));
      if (lo < hi) {
        delta[lo] += sh.count;
        delta[hi] -= sh.count;
      }
    }
    double running = 0;
    for (size_t i = 0; i < intervals; ++i) staff[i] = running += delta[i];
  }
  return staff;
}

absl::Status CheckExpectedContacts(const Scenario& s, size_t intervals) {
  double total = 0, largest = -1;
  size_t which = 0;
  for (size_t k = 0; k < s.arrivals.size(); ++k) {
    std::vector<double> rates = RatesByInterval(s, s.arrivals[k], intervals);
    double n = 0;
    for (size_t i = 0; i < intervals; ++i) n += rates[i] * IntervalLength(s, i);
    total += n;
    if (n > largest) largest = n, which = k;
  }
  if (total <= s.max_expected_contacts) return absl::OkStatus();
  return absl::ResourceExhaustedError(fmt::format(
      "arrivals[{}] ({} '{}'): about {:.3g} contacts expected per replication "
      "(rate × time; {:.3g} from all streams), above max_expected_contacts {:.3g}; "
      "raise max_expected_contacts to run this scenario",
      which, s.arrivals[which].flow.empty() ? "queue" : "flow",
      s.arrivals[which].flow.empty() ? s.arrivals[which].queue : s.arrivals[which].flow,
      largest, total, s.max_expected_contacts));
}

absl::Status CheckBacklog(const Scenario& s, const Resolved& r, size_t intervals) {
  std::vector<std::vector<double>> staff;
  for (const AgentGroupSpec& g : s.agents)
    staff.push_back(StaffByInterval(s, g, intervals));
  for (size_t q = 0; q < s.queues.size(); ++q) {
    const QueueSpec& spec = s.queues[q];
    std::vector<double> arriving(intervals, 0.0), leaving_cap(intervals, 0.0);
    bool some_stay = false;  // a stream whose waiting contacts never leave
    double work = 0, contacts = 0, concurrency = 0;
    for (size_t k = 0; k < s.arrivals.size(); ++k) {
      if (!r.Reaches(k, q)) continue;
      const ArrivalSpec& a = s.arrivals[k];
      std::vector<double> rates = RatesByInterval(s, a, intervals);
      for (size_t i = 0; i < intervals; ++i) {
        if (r.QueueAt(k, i) != q) rates[i] = 0;  // routed elsewhere then
      }
      // How long a waiting contact of the stream stays at most, on average.
      double stays = std::isfinite(a.callback_after_s) ? kInf : MeanOf(a.patience);
      stays = std::min(stays, spec.max_wait_s);
      some_stay |= std::isinf(stays);
      double n = 0;
      for (size_t i = 0; i < intervals; ++i) {
        arriving[i] += rates[i];
        leaving_cap[i] += rates[i] > 0 ? rates[i] * stays : 0;
        n += rates[i] * IntervalLength(s, i);
      }
      contacts += n;
      work += n * MeanOf(a.handle_time);
      for (size_t g = 0; g < s.agents.size(); ++g) {
        if (r.serves[q][g]) {
          concurrency =
              std::max(concurrency, Concurrency(s.agents[g].capacity, a.channel));
        }
      }
    }
    if (contacts == 0) continue;
    // Contacts per second one logged-in agent could finish, at most.
    const double per_agent = work > 0 ? concurrency * contacts / work : kInf;
    double backlog = 0, peak = 0, peak_at = 0, peak_rate = 0, peak_served = 0;
    for (size_t i = 0; i < intervals; ++i) {
      double agents = 0;
      for (size_t g = 0; g < s.agents.size(); ++g) {
        if (r.serves[q][g]) agents += staff[g][i];
      }
      const double served = agents > 0 ? agents * per_agent : 0;
      backlog = std::max(0.0, backlog + (arriving[i] - served) * IntervalLength(s, i));
      // Contacts that give up cap the backlog near rate × stay (Little); a
      // stream that never gives up leaves no cap, even in a quiet interval.
      if (!some_stay) backlog = std::min(backlog, leaving_cap[i]);
      if (spec.max_size > 0) backlog = std::min(backlog, double(spec.max_size));
      if (backlog > peak) {
        peak = backlog;
        peak_at = std::min(s.horizon_s, (i + 1) * s.interval_s);
        peak_rate = arriving[i];
        peak_served = served;
      }
    }
    if (peak > s.max_backlog) {
      return absl::ResourceExhaustedError(fmt::format(
          "queues[{}] '{}': about {:.3g} contacts waiting at once by {:.0f} s (arriving "
          "{:.3g}/s, at most {:.3g}/s served by the agents who can serve it), above "
          "max_backlog {:.3g}; raise max_backlog to run this scenario",
          q, spec.name, peak, peak_at, peak_rate, peak_served, s.max_backlog));
    }
  }
  return absl::OkStatus();
}

// A report keeps a row per queue and per logged-in agent for each 15-minute
// interval: bounded by every agent logged in for the whole horizon (and one
// interval more for the run past it).
absl::Status CheckReportRows(const Scenario& s, const Resolved& r) {
  if (!s.report_start.has_value()) return absl::OkStatus();
  const double agents = std::accumulate(r.group_size.begin(), r.group_size.end(), 0.0);
  const double rows = (agents + static_cast<double>(s.queues.size())) *
                      (std::ceil(s.horizon_s / 900) + 1);
  if (rows > s.max_report_rows) {
    return absl::ResourceExhaustedError(fmt::format(
        "report_start: a report of {} agents and {} queues over {} s would keep up to "
        "{:.3g} interval rows, more than max_report_rows {:.3g}; shorten the horizon, "
        "simulate fewer agents or raise max_report_rows",
        agents, s.queues.size(), s.horizon_s, rows, s.max_report_rows));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckLoad(const Scenario& s, const Resolved& r) {
  if (!(s.max_expected_contacts > 0)) {
    return absl::InvalidArgumentError(fmt::format(
        "max_expected_contacts: must be > 0, got {}", s.max_expected_contacts));
  }
  if (!(s.max_backlog > 0)) {
    return absl::InvalidArgumentError(
        fmt::format("max_backlog: must be > 0, got {}", s.max_backlog));
  }
  if (!(s.max_report_rows > 0)) {
    return absl::InvalidArgumentError(
        fmt::format("max_report_rows: must be > 0, got {}", s.max_report_rows));
  }
  const auto intervals = static_cast<size_t>(std::ceil(s.horizon_s / s.interval_s));
  if (absl::Status st = CheckExpectedContacts(s, intervals); !st.ok()) return st;
  if (absl::Status st = CheckReportRows(s, r); !st.ok()) return st;
  return CheckBacklog(s, r, intervals);
}

}  // namespace ccengine::sim::internal
