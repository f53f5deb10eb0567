// One replication's raw totals as bytes and back, so that replications run
// elsewhere (another process or machine) combine into exactly the figures
// of a single run: doubles travel as their bits (common/byte_io.h).

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "ccengine/core/kpi.h"
#include "ccengine/metrics/intervals.h"
#include "common/byte_io.h"
#include "fmt/format.h"
#include "sim/sim_internal.h"

namespace ccengine::sim::internal {
namespace {

using ::ccengine::internal::ByteReader;
using ::ccengine::internal::ByteWriter;

// Bumped whenever the layout below changes.
constexpr uint64_t kFormat = 3;
constexpr std::string_view kMagic = "ccengine-sim-replication";

constexpr double Acc::*kAccFields[] = {
    &Acc::offered,    &Acc::answered,     &Acc::immediate,         &Acc::abandoned,
    &Acc::overflowed, &Acc::within_sl,    &Acc::sum_wait_answered, &Acc::ewt_n,
    &Acc::sum_ewt,    &Acc::sum_ewt_wait, &Acc::ewt_within,        &Acc::sum_handle,
    &Acc::staffed_s,  &Acc::occupied_s,   &Acc::surveys,           &Acc::sum_csat,
    &Acc::outcomes,   &Acc::resolved,     &Acc::short_abandoned};
static_assert(sizeof(Acc) == std::size(kAccFields) * sizeof(double),
              "every field of Acc is listed in kAccFields");

size_t IntervalCount(const Scenario& s) {
  return static_cast<size_t>(std::ceil(s.horizon_s / s.interval_s));
}

// Writes or reads the same fields in the same order.
template <typename Io, typename AccT>
void AccFields(Io& io, AccT& a) {
  for (auto field : kAccFields) io.Double(a.*field);
}

// A queue's or an agent's interval counts, both directions.
template <typename Io, typename C>
void QueueCountsFields(Io& io, C& c) {
  io.Unsigned(c.offered);
  io.Unsigned(c.answered);
  io.Unsigned(c.answered_within);
  io.Unsigned(c.abandoned);
  io.Unsigned(c.short_abandoned);
  io.Unsigned(c.overflowed);
  io.Unsigned(c.transferred);
  io.Unsigned(c.withdrawn);
  io.Unsigned(c.completed);
  io.Signed(c.wait_answered_us);
  io.Signed(c.handle_us);
  io.Unsigned(c.surveys);
  io.Signed(c.csat_sum);
  io.Unsigned(c.outcomes);
  io.Unsigned(c.resolved);
}

template <typename Io, typename C>
void AgentCountsFields(Io& io, C& c) {
  io.Unsigned(c.answered);
  io.Unsigned(c.completed);
  io.Signed(c.handle_us);
  for (auto& us : c.state_us) io.Signed(us);
  io.Unsigned(c.surveys);
  io.Signed(c.csat_sum);
  io.Unsigned(c.outcomes);
  io.Unsigned(c.resolved);
}

void WriteIntervals(ByteWriter& w, const metrics::IntervalBatch& b) {
  w.List(b.queues, [&](const metrics::QueueInterval& q) {
    w.Time(q.start);
    w.String(q.queue);
    w.Enum(q.sl_definition, kServiceLevelDefinitionCount);
    QueueCountsFields(w, q.counts);
  });
  w.List(b.agents, [&](const metrics::AgentInterval& a) {
    w.Time(a.start);
    w.Id(a.agent);
    w.String(a.group);
    AgentCountsFields(w, a.counts);
    w.Count(a.counts.not_ready_us.size());
    for (const auto& [reason, us] : a.counts.not_ready_us) {
      w.Signed(reason);
      w.Signed(us);
    }
  });
}

void ReadIntervals(ByteReader& r, metrics::IntervalBatch& b) {
  r.List(b.queues, [&](metrics::QueueInterval& q) {
    r.Time(q.start);
    r.String(q.queue);
    r.Enum(q.sl_definition, kServiceLevelDefinitionCount);
    QueueCountsFields(r, q.counts);
  });
  r.List(b.agents, [&](metrics::AgentInterval& a) {
    r.Time(a.start);
    r.Id(a.agent);
    r.String(a.group);
    AgentCountsFields(r, a.counts);
    const uint64_t reasons = r.Count();
    for (uint64_t i = 0; i < reasons && r.ok(); ++i) {
      const size_t at = r.at();
      int32_t reason = 0;
      int64_t us = 0;
      r.Signed(reason);
      r.Signed(us);
      if (!r.ok()) break;
      if (!a.counts.not_ready_us.empty() &&
          reason <= a.counts.not_ready_us.rbegin()->first) {
        r.Fail(at, fmt::format("not-ready reason {} out of order", reason));
        break;
      }
      a.counts.not_ready_us.emplace_hint(a.counts.not_ready_us.end(), reason, us);
    }
  });
}

// What is wrong with rows that could not have come from the scenario
// (empty: nothing): rows out of key order or repeated, before report_start,
// of a queue, agent or group the scenario does not have, or a queue row
// with another service level definition than its queue's.
std::string RowsMisfit(const Scenario& s, const Resolved& r,
                       const metrics::IntervalBatch& rows) {
  for (size_t i = 0; i < rows.queues.size(); ++i) {
    const metrics::QueueInterval& q = rows.queues[i];
    if (i > 0 && std::tie(rows.queues[i - 1].start, rows.queues[i - 1].queue) >=
                     std::tie(q.start, q.queue)) {
      return fmt::format("queue row {} out of order or repeated", i);
    }
    if (q.start < *s.report_start) {
      return fmt::format("queue row {} starts before report_start", i);
    }
    const auto spec = std::find_if(s.queues.begin(), s.queues.end(),
                                   [&](const QueueSpec& x) { return x.name == q.queue; });
    if (spec == s.queues.end()) {
      return fmt::format("queue row {}: no queue '{}' in the scenario", i, q.queue);
    }
    if (spec->sl_definition != q.sl_definition) {
      return fmt::format("queue row {}: not the service level definition of '{}'", i,
                         q.queue);
    }
  }
  std::vector<uint64_t> first_of_group;  // the agents' ids are given group by group
  uint64_t agents = 0;
  for (uint32_t size : r.group_size) {
    first_of_group.push_back(agents);
    agents += size;
  }
  for (size_t i = 0; i < rows.agents.size(); ++i) {
    const metrics::AgentInterval& a = rows.agents[i];
    const uint64_t id = a.agent.value();
    if (i > 0 &&
        std::make_pair(rows.agents[i - 1].start, rows.agents[i - 1].agent.value()) >=
            std::make_pair(a.start, id)) {
      return fmt::format("agent row {} out of order or repeated", i);
    }
    if (a.start < *s.report_start) {
      return fmt::format("agent row {} starts before report_start", i);
    }
    if (id >= agents) {
      return fmt::format("agent row {}: no agent {} in the scenario ({} agents)", i, id,
                         agents);
    }
    const size_t g = static_cast<size_t>(
        std::upper_bound(first_of_group.begin(), first_of_group.end(), id) -
        first_of_group.begin() - 1);
    if (g >= r.group_names.size() || a.group != r.group_names[g]) {
      return fmt::format("agent row {}: agent {} is not in group '{}'", i, id, a.group);
    }
  }
  return "";
}

}  // namespace

std::string EncodeReplication(const Scenario& scenario, int replication,
                              const ReplicationTotals& t) {
  std::string out;
  ByteWriter w(&out);
  w.String(std::string(kMagic));
  w.Varint(kFormat);
  w.Varint(scenario.seed);
  w.Varint(static_cast<uint64_t>(replication));
  w.Varint(t.queue_summary.size());
  w.Varint(t.group_summary.size());
  w.Varint(t.queue_intervals.empty() ? 0 : t.queue_intervals[0].size());
  for (const Acc& a : t.queue_summary) AccFields(w, a);
  for (const Acc& a : t.group_summary) AccFields(w, a);
  for (const auto& rows : t.queue_intervals)
    for (const Acc& a : rows) AccFields(w, a);
  for (const auto& rows : t.group_intervals)
    for (const Acc& a : rows) AccFields(w, a);
  w.Varint(t.agent_time.size());
  for (const auto& agents : t.agent_time) {
    w.List(agents, [&](const AgentTime& a) {
      w.Double(a.staffed_s);
      w.Double(a.occupied_s);
    });
  }
  w.Varint(t.contacts);
  w.Varint(t.events);
  w.Bool(t.invariants_ok);
  w.Double(t.wall_seconds);
  w.Optional(scenario.report_start, [&](const absl::Time& start) { w.Time(start); });
  WriteIntervals(w, t.intervals);
  w.Finish();
  return out;
}

absl::Status DecodeReplication(const Scenario& scenario, const Resolved& resolved,
                               int replication, std::string_view bytes,
                               ReplicationTotals& t) {
  const std::string what = fmt::format("replications[{}]", replication);
  ByteReader r(bytes, what);
  auto expect = [&](uint64_t want, std::string_view field) {
    const size_t at = r.at();
    const uint64_t got = r.Varint();
    if (r.ok() && got != want) {
      r.Fail(at, fmt::format("{} is {}, the scenario's is {}", field, got, want));
    }
  };
  std::string magic;
  r.String(magic);
  if (r.ok() && magic != kMagic) r.Fail(0, "not a simulated replication");
  expect(kFormat, "the format version");
  expect(scenario.seed, "the seed");
  expect(static_cast<uint64_t>(replication), "the replication number");
  const size_t queues = scenario.queues.size(), groups = scenario.agents.size(),
               intervals = IntervalCount(scenario);
  expect(queues, "the number of queues");
  expect(groups, "the number of agent groups");
  expect(intervals, "the number of intervals");
  if (!r.ok()) return r.status();
  // Every field is 8 bytes: refuse a short input before sizing anything.
  const size_t accs = queues + groups + (queues + groups) * intervals;
  const size_t needed = accs * std::size(kAccFields) * 8;
  if (bytes.size() - r.at() < needed) {
    r.Fail(r.at(), fmt::format("{} bytes of totals expected, {} left", needed,
                               bytes.size() - r.at()));
    return r.status();
  }
  t.Init(queues, groups, intervals);
  for (Acc& a : t.queue_summary) AccFields(r, a);
  for (Acc& a : t.group_summary) AccFields(r, a);
  for (auto& rows : t.queue_intervals)
    for (Acc& a : rows) AccFields(r, a);
  for (auto& rows : t.group_intervals)
    for (Acc& a : rows) AccFields(r, a);
  expect(groups, "the number of agent groups");
  t.agent_time.assign(groups, {});
  for (size_t g = 0; g < groups && r.ok(); ++g) {
    const size_t at = r.at();
    r.List(t.agent_time[g], [&](AgentTime& a) {
      r.Double(a.staffed_s);
      r.Double(a.occupied_s);
    });
    if (r.ok() && t.agent_time[g].size() != resolved.group_size[g]) {
      r.Fail(at, fmt::format("group {} has {} agents, the scenario's {}", g,
                             t.agent_time[g].size(), resolved.group_size[g]));
    }
  }
  r.Unsigned(t.contacts);
  r.Unsigned(t.events);
  r.Bool(t.invariants_ok);
  r.Double(t.wall_seconds);
  const size_t start_at = r.at();
  std::optional<absl::Time> report_start;
  r.Optional(report_start, [&](absl::Time& start) { r.Time(start); });
  if (r.ok() && report_start != scenario.report_start) {
    auto name = [](const std::optional<absl::Time>& t) {
      return t.has_value() ? absl::FormatTime(absl::RFC3339_full, *t, absl::UTCTimeZone())
                           : std::string("none");
    };
    r.Fail(start_at, fmt::format("report_start is {}, the scenario's is {}",
                                 name(report_start), name(scenario.report_start)));
  }
  const size_t rows_at = r.at();
  ReadIntervals(r, t.intervals);
  if (r.ok()) {
    const bool kept = !t.intervals.queues.empty() || !t.intervals.agents.empty();
    if (kept && (replication != 0 || !scenario.report_start.has_value())) {
      r.Fail(rows_at, "interval rows where the scenario keeps none");
    } else if (absl::Status st = metrics::CheckIntervalBatch(t.intervals); !st.ok()) {
      r.Fail(rows_at, std::string(st.message()));
    } else if (std::string misfit = RowsMisfit(scenario, resolved, t.intervals);
               !misfit.empty()) {
      r.Fail(rows_at, misfit);
    }
  }
  if (r.ok() && !r.done()) r.Fail(r.at(), "bytes after the end");
  return r.status();
}

}  // namespace ccengine::sim::internal
