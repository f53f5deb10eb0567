#include "ccengine/metrics/intervals.h"

#include <cmath>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "ccengine/compliance/pii.h"
#include "ccengine/metrics/json.h"
#include "fmt/format.h"

namespace ccengine::metrics {

namespace {

std::string LocalTime(absl::Time t, const absl::TimeZone& zone) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", t, zone);
}

// A CSV field: quoted when it holds a comma, a quote or a line break.
std::string CsvField(std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// A figure for CSV: empty when there is nothing to measure.
std::string CsvNumber(double v) { return std::isfinite(v) ? fmt::format("{}", v) : ""; }

double Seconds(int64_t us) { return static_cast<double>(us) / 1e6; }

// The agent figure columns shared by agent and group reports.
constexpr std::string_view kAgentColumns =
    "answered,completed,aht_s,occupancy,utilization,logged_in_s,available_s,reserved_s,"
    "busy_s,wrap_up_s,not_ready_s,csat,fcr";

double StateSeconds(const AgentCounts& c, AgentState s) {
  return Seconds(c.state_us[static_cast<int>(s)]);
}

std::string AgentCsvFields(const AgentFigures& f) {
  const AgentCounts& c = f.counts;
  return fmt::format(
      "{},{},{},{},{},{},{},{},{},{},{},{},{}", c.answered, c.completed,
      CsvNumber(f.aht_s), CsvNumber(f.occupancy), CsvNumber(f.utilization), f.logged_in_s,
      StateSeconds(c, AgentState::kAvailable), StateSeconds(c, AgentState::kReserved),
      StateSeconds(c, AgentState::kBusy), StateSeconds(c, AgentState::kWrapUp),
      StateSeconds(c, AgentState::kNotReady), CsvNumber(f.csat), CsvNumber(f.fcr));
}

std::string AgentJsonFields(const AgentFigures& f) {
  const AgentCounts& c = f.counts;
  std::string reasons;
  for (const auto& [reason, us] : c.not_ready_us) {
    reasons +=
        fmt::format("{}\"{}\":{}", reasons.empty() ? "" : ",", reason, Seconds(us));
  }
  return fmt::format(
      R"("answered":{},"completed":{},"aht_s":{},"occupancy":{},"utilization":{},)"
      R"("logged_in_s":{},"available_s":{},"reserved_s":{},"busy_s":{},"wrap_up_s":{},)"
      R"("not_ready_s":{},"not_ready_by_reason_s":{{{}}},"csat":{},"fcr":{})",
      c.answered, c.completed, JsonNumber(f.aht_s), JsonNumber(f.occupancy),
      JsonNumber(f.utilization), f.logged_in_s, StateSeconds(c, AgentState::kAvailable),
      StateSeconds(c, AgentState::kReserved), StateSeconds(c, AgentState::kBusy),
      StateSeconds(c, AgentState::kWrapUp), StateSeconds(c, AgentState::kNotReady),
      reasons, JsonNumber(f.csat), JsonNumber(f.fcr));
}

// Every not-ready reason in `rows`, for the CSV's reason columns.
template <typename Row>
std::set<int32_t> ReasonsOf(const std::vector<Row>& rows) {
  std::set<int32_t> out;
  for (const Row& r : rows) {
    for (const auto& [reason, us] : r.figures.counts.not_ready_us) out.insert(reason);
  }
  return out;
}

std::string ReasonColumns(const std::set<int32_t>& reasons) {
  std::string out;
  for (int32_t r : reasons) out += fmt::format(",not_ready_s_{}", r);
  return out;
}

std::string ReasonFields(const AgentCounts& c, const std::set<int32_t>& reasons) {
  std::string out;
  for (int32_t r : reasons) {
    auto it = c.not_ready_us.find(r);
    out += fmt::format(",{}", it == c.not_ready_us.end() ? 0.0 : Seconds(it->second));
  }
  return out;
}

}  // namespace

absl::Status MemoryIntervalStore::Write(const IntervalBatch& batch) {
  if (absl::Status st = CheckIntervalBatch(batch); !st.ok()) return st;
  std::lock_guard<std::mutex> lock(mu_);
  for (const QueueInterval& q : batch.queues) queues_[{q.start, q.queue}] = q;
  for (const AgentInterval& a : batch.agents) agents_[{a.start, a.agent.value()}] = a;
  return absl::OkStatus();
}

absl::StatusOr<IntervalBatch> MemoryIntervalStore::Read(absl::Time from,
                                                        absl::Time to) const {
  if (absl::Status st = CheckIntervalRange(from, to); !st.ok()) return st;
  IntervalBatch out;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = queues_.lower_bound({from, std::string()});
       it != queues_.end() && it->first.first < to; ++it) {
    out.queues.push_back(it->second);
  }
  for (auto it = agents_.lower_bound({from, 0});
       it != agents_.end() && it->first.first < to; ++it) {
    out.agents.push_back(it->second);
  }
  return out;
}

absl::StatusOr<size_t> MemoryIntervalStore::DropBefore(absl::Time before) {
  if (absl::Status st = CheckDropBefore(before); !st.ok()) return st;
  std::lock_guard<std::mutex> lock(mu_);
  const auto queues_end = queues_.lower_bound({before, std::string()});
  const auto agents_end = agents_.lower_bound({before, 0});
  const auto dropped = static_cast<size_t>(std::distance(queues_.begin(), queues_end) +
                                           std::distance(agents_.begin(), agents_end));
  queues_.erase(queues_.begin(), queues_end);
  agents_.erase(agents_.begin(), agents_end);
  return dropped;
}

std::vector<QueueRow> QueueReport(const std::vector<QueueInterval>& rows,
                                  Granularity granularity, const absl::TimeZone& zone) {
  struct Sum {
    QueueCounts counts;
    absl::Time latest = absl::InfinitePast();
    ServiceLevelDefinition definition = ServiceLevelDefinition::kWithinOverOffered;
  };
  std::map<std::pair<absl::Time, std::string>, Sum> sums;
  for (const QueueInterval& r : rows) {
    Sum& s = sums[{PeriodStart(granularity, r.start, zone), r.queue}];
    s.counts += r.counts;
    if (r.start >= s.latest) {
      s.latest = r.start;
      s.definition = r.sl_definition;
    }
  }
  std::vector<QueueRow> out;
  out.reserve(sums.size());
  for (const auto& [key, s] : sums) {
    out.push_back(QueueRow{key.first, key.second, FiguresOf(s.counts, s.definition)});
  }
  return out;
}

std::vector<AgentRow> AgentReport(const std::vector<AgentInterval>& rows,
                                  Granularity granularity, const absl::TimeZone& zone) {
  struct Sum {
    AgentCounts counts;
    absl::Time latest = absl::InfinitePast();
    std::string group;
  };
  std::map<std::pair<absl::Time, uint64_t>, Sum> sums;
  for (const AgentInterval& r : rows) {
    Sum& s = sums[{PeriodStart(granularity, r.start, zone), r.agent.value()}];
    s.counts += r.counts;
    if (r.start >= s.latest) {
      s.latest = r.start;
      s.group = r.group;
    }
  }
  std::vector<AgentRow> out;
  out.reserve(sums.size());
  for (const auto& [key, s] : sums) {
    out.push_back(AgentRow{key.first, AgentId(key.second), s.group, FiguresOf(s.counts)});
  }
  return out;
}

std::vector<GroupRow> GroupReport(const std::vector<AgentInterval>& rows,
                                  Granularity granularity, const absl::TimeZone& zone) {
  std::map<std::pair<absl::Time, std::string>, AgentCounts> sums;
  for (const AgentInterval& r : rows) {
    if (!r.group.empty())
      sums[{PeriodStart(granularity, r.start, zone), r.group}] += r.counts;
  }
  std::vector<GroupRow> out;
  out.reserve(sums.size());
  for (const auto& [key, counts] : sums) {
    out.push_back(GroupRow{key.first, key.second, FiguresOf(counts)});
  }
  return out;
}

std::string QueueReportCsv(const std::vector<QueueRow>& rows,
                           const absl::TimeZone& zone) {
  std::string out =
      "period_start,queue,offered,answered,answered_within,abandoned,short_abandoned,"
      "overflowed,transferred,withdrawn,completed,service_level,sl_definition,"
      "abandon_rate,asa_s,aht_s,csat,fcr\r\n";
  for (const QueueRow& r : rows) {
    const QueueCounts& c = r.figures.counts;
    fmt::format_to(
        std::back_inserter(out),
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
        LocalTime(r.start, zone), CsvField(compliance::MaskPii(r.queue)), c.offered,
        c.answered, c.answered_within, c.abandoned, c.short_abandoned, c.overflowed,
        c.transferred, c.withdrawn, c.completed, CsvNumber(r.figures.service_level),
        ServiceLevelDefinitionName(r.figures.sl_definition),
        CsvNumber(r.figures.abandon_rate), CsvNumber(r.figures.asa_s),
        CsvNumber(r.figures.aht_s), CsvNumber(r.figures.csat), CsvNumber(r.figures.fcr));
  }
  return out;
}

std::string QueueReportJson(const std::vector<QueueRow>& rows,
                            const absl::TimeZone& zone) {
  std::string out = "[";
  for (size_t i = 0; i < rows.size(); ++i) {
    const QueueRow& r = rows[i];
    const QueueCounts& c = r.figures.counts;
    fmt::format_to(
        std::back_inserter(out),
        R"({}{{"period_start":{},"queue":{},"offered":{},"answered":{},)"
        R"("answered_within":{},"abandoned":{},"short_abandoned":{},"overflowed":{},)"
        R"("transferred":{},"withdrawn":{},"completed":{},"service_level":{},)"
        R"("sl_definition":{},"abandon_rate":{},"asa_s":{},"aht_s":{},"csat":{},"fcr":{}}})",
        i == 0 ? "" : ",", JsonString(LocalTime(r.start, zone)),
        JsonString(compliance::MaskPii(r.queue)), c.offered, c.answered,
        c.answered_within, c.abandoned, c.short_abandoned, c.overflowed, c.transferred,
        c.withdrawn, c.completed, JsonNumber(r.figures.service_level),
        JsonString(ServiceLevelDefinitionName(r.figures.sl_definition)),
        JsonNumber(r.figures.abandon_rate), JsonNumber(r.figures.asa_s),
        JsonNumber(r.figures.aht_s), JsonNumber(r.figures.csat),
        JsonNumber(r.figures.fcr));
  }
  out += "]";
  return out;
}

std::string AgentReportCsv(const std::vector<AgentRow>& rows,
                           const absl::TimeZone& zone) {
  const std::set<int32_t> reasons = ReasonsOf(rows);
  std::string out = fmt::format("period_start,agent,group,{}{}\r\n", kAgentColumns,
                                ReasonColumns(reasons));
  for (const AgentRow& r : rows) {
    fmt::format_to(std::back_inserter(out), "{},{},{},{}{}\r\n", LocalTime(r.start, zone),
                   r.agent.value(), CsvField(compliance::MaskPii(r.group)),
                   AgentCsvFields(r.figures), ReasonFields(r.figures.counts, reasons));
  }
  return out;
}

std::string AgentReportJson(const std::vector<AgentRow>& rows,
                            const absl::TimeZone& zone) {
  std::string out = "[";
  for (size_t i = 0; i < rows.size(); ++i) {
    const AgentRow& r = rows[i];
    fmt::format_to(
        std::back_inserter(out), R"({}{{"period_start":{},"agent":{},"group":{},{}}})",
        i == 0 ? "" : ",", JsonString(LocalTime(r.start, zone)), r.agent.value(),
        JsonString(compliance::MaskPii(r.group)), AgentJsonFields(r.figures));
  }
  out += "]";
  return out;
}

std::string GroupReportCsv(const std::vector<GroupRow>& rows,
                           const absl::TimeZone& zone) {
  const std::set<int32_t> reasons = ReasonsOf(rows);
  std::string out =
      fmt::format("period_start,group,{}{}\r\n", kAgentColumns, ReasonColumns(reasons));
  for (const GroupRow& r : rows) {
    fmt::format_to(std::back_inserter(out), "{},{},{}{}\r\n", LocalTime(r.start, zone),
                   CsvField(compliance::MaskPii(r.group)), AgentCsvFields(r.figures),
                   ReasonFields(r.figures.counts, reasons));
  }
  return out;
}

std::string GroupReportJson(const std::vector<GroupRow>& rows,
                            const absl::TimeZone& zone) {
  std::string out = "[";
  for (size_t i = 0; i < rows.size(); ++i) {
    const GroupRow& r = rows[i];
    fmt::format_to(std::back_inserter(out), R"({}{{"period_start":{},"group":{},{}}})",
                   i == 0 ? "" : ",", JsonString(LocalTime(r.start, zone)),
                   JsonString(compliance::MaskPii(r.group)), AgentJsonFields(r.figures));
  }
  out += "]";
  return out;
}

}  // namespace ccengine::metrics
