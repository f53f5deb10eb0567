#include "ccengine/metrics/prometheus.h"

#include <cmath>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "ccengine/compliance/pii.h"
#include "fmt/format.h"

namespace ccengine::metrics {

namespace {

// Writes families one after the other: HELP and TYPE, then samples.
class Exposition {
 public:
  void Family(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help,
                   name, type);
  }
  // A sample: `name{labels} value`. `labels` is already `k="v",...` or empty.
  void Sample(std::string_view name, std::string_view labels, double value) {
    Start(name, labels);
    if (std::isnan(value)) {
      out_.append(std::string_view("NaN"));
    } else if (std::isinf(value)) {
      out_.append(std::string_view(value > 0 ? "+Inf" : "-Inf"));
    } else {
      fmt::format_to(std::back_inserter(out_), "{}", value);
    }
    out_.push_back('\n');
  }
  void Sample(std::string_view name, std::string_view labels, uint64_t value) {
    Start(name, labels);
    fmt::format_to(std::back_inserter(out_), "{}\n", value);
  }
  std::string Take() { return fmt::to_string(out_); }

 private:
  void Start(std::string_view name, std::string_view labels) {
    out_.append(name);
    if (!labels.empty()) {
      out_.push_back('{');
      out_.append(labels);
      out_.push_back('}');
    }
    out_.push_back(' ');
  }
  fmt::memory_buffer out_;
};

// Label values are names the operator chose (queues, groups); personal data
// in one (a queue named after a caller's number) is masked, as in every
// output of the engine.
std::string Label(std::string_view key, std::string_view value) {
  return fmt::format("{}=\"{}\"", key, EscapeLabelValue(compliance::MaskPii(value)));
}

// The `period` label of each figure set: the windows, then "today".
struct Period {
  std::string label;  // period="..."
  const QueueFigures* figures;
};

std::vector<Period> PeriodsOf(const Snapshot& s, const QueueSnapshot& q) {
  std::vector<Period> out;
  for (size_t i = 0; i < q.windows.size() && i < s.windows.size(); ++i) {
    out.push_back({Label("period", WindowLabel(s.windows[i])), &q.windows[i]});
  }
  out.push_back({Label("period", "today"), &q.today});
  return out;
}

void Histogram(Exposition& x, std::string_view name, std::string_view help,
               const Snapshot& s, const std::vector<std::string>& queue_labels,
               WaitHistogram QueueSnapshot::*member) {
  x.Family(name, "histogram", help);
  const std::string bucket = fmt::format("{}_bucket", name);
  const std::string sum = fmt::format("{}_sum", name);
  const std::string count = fmt::format("{}_count", name);
  for (size_t q = 0; q < s.queues.size(); ++q) {
    const WaitHistogram& h = s.queues[q].*member;
    const std::string& ql = queue_labels[q];
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kWaitBucketsSeconds.size(); ++b) {
      cumulative += h.counts[b];
      x.Sample(bucket, fmt::format("{},le=\"{}\"", ql, kWaitBucketsSeconds[b]),
               cumulative);
    }
    x.Sample(bucket, fmt::format("{},le=\"+Inf\"", ql), h.count);
    x.Sample(sum, ql, h.sum_s);
    x.Sample(count, ql, h.count);
  }
}

void AgentGauges(Exposition& x, const Snapshot& s) {
  x.Family("ccengine_agents", "gauge", "Logged-in agents by state now.");
  for (int i = 1; i < kAgentStateCount; ++i) {  // logged-out agents are not kept
    x.Sample("ccengine_agents",
             Label("state", AgentStateName(static_cast<AgentState>(i))),
             static_cast<uint64_t>(s.agents.by_state[i]));
  }
  x.Family("ccengine_agents_not_ready", "gauge",
           "Not-ready agents by reason code now (0: none given, -1: offers not "
           "answered).");
  for (const auto& [reason, n] : s.agents.not_ready_by_reason) {
    x.Sample("ccengine_agents_not_ready", Label("reason", fmt::format("{}", reason)),
             static_cast<uint64_t>(n));
  }
  x.Family("ccengine_group_agents", "gauge",
           "Logged-in agents of each group by state now.");
  for (const auto& [group, by] : s.groups) {
    for (int i = 1; i < kAgentStateCount; ++i) {
      x.Sample("ccengine_group_agents",
               fmt::format("{},{}", Label("group", group),
                           Label("state", AgentStateName(static_cast<AgentState>(i)))),
               static_cast<uint64_t>(by.by_state[i]));
    }
  }
  x.Family("ccengine_agent_state_seconds_total", "counter",
           "Time all agents have spent in each state.");
  for (int i = 1; i < kAgentStateCount; ++i) {
    x.Sample("ccengine_agent_state_seconds_total",
             Label("state", AgentStateName(static_cast<AgentState>(i))),
             s.agent_state_seconds[i]);
  }
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string RenderPrometheus(const Snapshot& s) {
  Exposition x;
  std::vector<std::string> queue_labels;
  queue_labels.reserve(s.queues.size());
  for (const QueueSnapshot& q : s.queues) queue_labels.push_back(Label("queue", q.queue));
  const auto per_queue = [&](std::string_view name, std::string_view type,
                             std::string_view help, auto value) {
    x.Family(name, type, help);
    for (size_t i = 0; i < s.queues.size(); ++i) {
      x.Sample(name, queue_labels[i], value(s.queues[i]));
    }
  };
  const auto seconds = [](absl::Duration d) { return absl::ToDoubleSeconds(d); };

  x.Family("ccengine_snapshot_time_seconds", "gauge",
           "The engine's time when these figures were taken (Unix seconds).");
  x.Sample("ccengine_snapshot_time_seconds", "",
           absl::ToDoubleSeconds(s.at - absl::UnixEpoch()));

  per_queue("ccengine_queue_waiting", "gauge", "Contacts waiting in the queue now.",
            [](const QueueSnapshot& q) { return static_cast<uint64_t>(q.waiting); });
  per_queue("ccengine_queue_longest_wait_seconds", "gauge",
            "The longest current wait in the queue (from arrival in the engine).",
            [&](const QueueSnapshot& q) { return seconds(q.longest_wait); });
  per_queue("ccengine_queue_service_level_target_ratio", "gauge",
            "The queue's service level target.",
            [](const QueueSnapshot& q) { return q.sl_target; });
  per_queue("ccengine_queue_service_level_threshold_seconds", "gauge",
            "The wait within which an answer counts toward the service level.",
            [&](const QueueSnapshot& q) { return seconds(q.sl_threshold); });

  struct Counter {
    std::string_view name;
    std::string_view help;
    uint64_t QueueCounts::*member;
  };
  static constexpr Counter kCounters[] = {
      {"ccengine_queue_offered_total", "Contacts that entered the queue.",
       &QueueCounts::offered},
      {"ccengine_queue_answered_total", "Contacts answered from the queue.",
       &QueueCounts::answered},
      {"ccengine_queue_answered_within_threshold_total",
       "Contacts answered within the queue's service level threshold.",
       &QueueCounts::answered_within},
      {"ccengine_queue_abandoned_total", "Contacts that hung up while waiting.",
       &QueueCounts::abandoned},
      {"ccengine_queue_short_abandoned_total",
       "Abandons sooner than the queue's short-abandon threshold.",
       &QueueCounts::short_abandoned},
      {"ccengine_queue_overflowed_total",
       "Contacts that left the queue for its overflow target or the engine.",
       &QueueCounts::overflowed},
      {"ccengine_queue_transferred_total", "Contacts transferred out of the queue.",
       &QueueCounts::transferred},
      {"ccengine_queue_withdrawn_total", "Contacts withdrawn by the host.",
       &QueueCounts::withdrawn},
      {"ccengine_queue_completed_total", "Contacts of the queue whose handling ended.",
       &QueueCounts::completed},
  };
  for (const Counter& c : kCounters) {
    per_queue(c.name, "counter", c.help,
              [&c](const QueueSnapshot& q) { return q.total.*(c.member); });
  }
  per_queue("ccengine_queue_handle_seconds_total", "counter",
            "Handle time of the queue's completed contacts.", [](const QueueSnapshot& q) {
              return static_cast<double>(q.total.handle_us) / 1e6;
            });
  Histogram(x, "ccengine_queue_answer_wait_seconds",
            "Waits of answered contacts (from arrival in the engine).", s, queue_labels,
            &QueueSnapshot::answer_wait);
  Histogram(x, "ccengine_queue_abandon_wait_seconds", "Waits of abandoned contacts.", s,
            queue_labels, &QueueSnapshot::abandon_wait);

  struct Figure {
    std::string_view name;
    std::string_view help;
    double QueueFigures::*member;
  };
  static constexpr Figure kFigures[] = {
      {"ccengine_queue_service_level_ratio",
       "Service level by the queue's definition over the period (NaN: nothing to "
       "measure).",
       &QueueFigures::service_level},
      {"ccengine_queue_abandon_ratio", "Abandoned / offered over the period.",
       &QueueFigures::abandon_rate},
      {"ccengine_queue_asa_seconds", "Mean wait of answered contacts over the period.",
       &QueueFigures::asa_s},
      {"ccengine_queue_aht_seconds", "Mean handle time over the period.",
       &QueueFigures::aht_s},
      {"ccengine_queue_csat_score", "Mean satisfaction score over the period.",
       &QueueFigures::csat},
      {"ccengine_queue_fcr_ratio", "First-contact resolution over the period.",
       &QueueFigures::fcr},
  };
  std::vector<std::vector<Period>> periods;
  periods.reserve(s.queues.size());
  for (const QueueSnapshot& q : s.queues) periods.push_back(PeriodsOf(s, q));
  const auto per_period = [&](std::string_view name, std::string_view help, auto value) {
    x.Family(name, "gauge", help);
    for (size_t i = 0; i < s.queues.size(); ++i) {
      for (const Period& p : periods[i]) {
        x.Sample(name, fmt::format("{},{}", queue_labels[i], p.label), value(*p.figures));
      }
    }
  };
  for (const Figure& f : kFigures) {
    per_period(f.name, f.help, [&f](const QueueFigures& q) { return q.*(f.member); });
  }
  per_period("ccengine_queue_period_offered",
             "Contacts offered over the period (windows: parts that ended in it; today: "
             "arrivals).",
             [](const QueueFigures& q) { return q.counts.offered; });
  per_period("ccengine_queue_period_answered", "Contacts answered over the period.",
             [](const QueueFigures& q) { return q.counts.answered; });
  per_period("ccengine_queue_period_abandoned", "Contacts abandoned over the period.",
             [](const QueueFigures& q) { return q.counts.abandoned; });
  AgentGauges(x, s);
  return x.Take();
}

}  // namespace ccengine::metrics
