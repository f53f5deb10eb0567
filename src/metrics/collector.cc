#include "ccengine/metrics/collector.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "fmt/format.h"

namespace ccengine::metrics {

namespace {

constexpr int64_t kSlotSeconds = kIntervalSeconds;

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// The 15-minute interval containing t. Every time zone in use today is
// offset from UTC by a multiple of 15 minutes, so these intervals are the
// center's local quarter hours too.
int64_t SlotOf(absl::Time t) { return FloorDiv(absl::ToUnixSeconds(t), kSlotSeconds); }
absl::Time SlotStart(int64_t slot) { return absl::FromUnixSeconds(slot * kSlotSeconds); }

int64_t MinuteOf(absl::Time t) { return FloorDiv(absl::ToUnixSeconds(t), 60); }

double Seconds(int64_t us) { return static_cast<double>(us) / 1e6; }

}  // namespace

QueueCounts& QueueCounts::operator+=(const QueueCounts& o) {
  offered += o.offered;
  answered += o.answered;
  answered_within += o.answered_within;
  abandoned += o.abandoned;
  short_abandoned += o.short_abandoned;
  overflowed += o.overflowed;
  transferred += o.transferred;
  withdrawn += o.withdrawn;
  completed += o.completed;
  wait_answered_us += o.wait_answered_us;
  handle_us += o.handle_us;
  surveys += o.surveys;
  csat_sum += o.csat_sum;
  outcomes += o.outcomes;
  resolved += o.resolved;
  return *this;
}

AgentCounts& AgentCounts::operator+=(const AgentCounts& o) {
  answered += o.answered;
  completed += o.completed;
  handle_us += o.handle_us;
  for (size_t i = 0; i < state_us.size(); ++i) state_us[i] += o.state_us[i];
  for (const auto& [reason, us] : o.not_ready_us) not_ready_us[reason] += us;
  surveys += o.surveys;
  csat_sum += o.csat_sum;
  outcomes += o.outcomes;
  resolved += o.resolved;
  return *this;
}

QueueFigures FiguresOf(const QueueCounts& c, ServiceLevelDefinition definition) {
  QueueFigures f;
  f.counts = c;
  f.sl_definition = definition;
  const auto d = [](uint64_t v) { return static_cast<double>(v); };
  const ServiceLevelCounts sl{d(c.offered), d(c.answered), d(c.answered_within),
                              d(c.abandoned), d(c.short_abandoned)};
  for (int i = 0; i < kServiceLevelDefinitionCount; ++i) {
    f.service_level_by[i] = ServiceLevel(static_cast<ServiceLevelDefinition>(i), sl);
  }
  const auto chosen = static_cast<size_t>(definition);
  f.service_level = chosen < f.service_level_by.size()
                        ? f.service_level_by[chosen]
                        : std::numeric_limits<double>::quiet_NaN();
  f.abandon_rate = KpiRatio(d(c.abandoned), d(c.offered));
  f.asa_s = KpiRatio(Seconds(c.wait_answered_us), d(c.answered));
  f.aht_s = KpiRatio(Seconds(c.handle_us), d(c.completed));
  f.csat = KpiRatio(static_cast<double>(c.csat_sum), d(c.surveys));
  f.fcr = KpiRatio(d(c.resolved), d(c.outcomes));
  return f;
}

AgentFigures FiguresOf(const AgentCounts& c) {
  AgentFigures f;
  f.counts = c;
  const auto s = [&c](AgentState state) {
    return Seconds(c.state_us[static_cast<int>(state)]);
  };
  const double working =
      s(AgentState::kReserved) + s(AgentState::kBusy) + s(AgentState::kWrapUp);
  f.logged_in_s = working + s(AgentState::kAvailable) + s(AgentState::kNotReady);
  f.occupancy = Occupancy(working, s(AgentState::kAvailable));
  f.utilization = Utilization(working, f.logged_in_s);
  f.aht_s = KpiRatio(Seconds(c.handle_us), static_cast<double>(c.completed));
  f.wrap_up_s = s(AgentState::kWrapUp);
  f.csat = KpiRatio(static_cast<double>(c.csat_sum), static_cast<double>(c.surveys));
  f.fcr = KpiRatio(static_cast<double>(c.resolved), static_cast<double>(c.outcomes));
  return f;
}

absl::StatusOr<std::unique_ptr<Collector>> Collector::Attach(Engine& engine,
                                                             MetricsOptions options) {
  if (options.retain < absl::Hours(1) || options.retain == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        fmt::format("metrics: retain must be at least 1h and finite, got {}",
                    absl::FormatDuration(options.retain)));
  }
  for (size_t i = 0; i < options.windows.size(); ++i) {
    const absl::Duration w = options.windows[i];
    if (w < absl::Minutes(1) || w > absl::Hours(24) ||
        absl::Trunc(w, absl::Minutes(1)) != w) {
      return absl::InvalidArgumentError(fmt::format(
          "metrics: windows[{}] must be a whole number of minutes in [1m, 24h], got {}",
          i, absl::FormatDuration(w)));
    }
    for (size_t j = 0; j < i; ++j) {
      if (options.windows[j] == w) {
        return absl::InvalidArgumentError(
            fmt::format("metrics: windows[{}] and windows[{}] are both {}", j, i,
                        absl::FormatDuration(w)));
      }
    }
  }
  return std::unique_ptr<Collector>(new Collector(engine, std::move(options)));
}

Collector::Collector(Engine& engine, MetricsOptions options)
    : engine_(engine), options_(std::move(options)) {
  for (absl::Duration w : options_.windows) {
    window_minutes_ = std::max(window_minutes_, absl::ToInt64Minutes(w));
  }
  // Only the types it counts: the engine builds an event only while someone
  // wants its type.
  const uint32_t types =
      EventBit(EventType::kContactQueued) | EventBit(EventType::kAccepted) |
      EventBit(EventType::kAbandoned) | EventBit(EventType::kOverflowed) |
      EventBit(EventType::kTransferred) | EventBit(EventType::kWithdrawn) |
      EventBit(EventType::kCompleted) | EventBit(EventType::kAgentStateChanged);
  subscription_ = engine_.Subscribe([this](const Event& e) { OnEvent(e); }, types);
}

Collector::~Collector() { engine_.Unsubscribe(subscription_); }

void Collector::AssignGroup(AgentId agent, std::string group) {
  if (group.empty()) {
    groups_.erase(agent.value());
  } else {
    groups_[agent.value()] = std::move(group);
  }
}

ServiceLevelTerms Collector::TermsOf(uint32_t queue) const {
  absl::StatusOr<ServiceLevelTerms> terms = engine_.GetServiceLevelTerms(QueueId(queue));
  return terms.ok() ? *terms : ServiceLevelTerms{};
}

QueueCounts& Collector::QueueAt(uint32_t queue, int64_t slot) {
  // Most events fall in the interval of the one before.
  if (slot != queue_cache_.slot) {
    queue_cache_ = {slot, &queue_slots_[slot]};
    changed_.insert(slot);
  }
  std::vector<std::optional<QueueCounts>>& row = *queue_cache_.rows;
  if (row.size() <= queue) row.resize(queue + 1);
  if (!row[queue].has_value()) row[queue].emplace();
  return *row[queue];
}

AgentCounts& Collector::AgentAt(AgentId agent, int64_t slot) {
  if (slot != agent_cache_.slot) {
    agent_cache_ = {slot, &agent_slots_[slot]};
    changed_.insert(slot);
  }
  return (*agent_cache_.rows)[agent.value()];
}

QueueCounts& Collector::WindowAt(uint32_t queue, absl::Time t) {
  if (minutes_.size() <= queue) minutes_.resize(queue + 1);
  std::vector<Minute>& ring = minutes_[queue];
  if (ring.empty()) ring.resize(static_cast<size_t>(window_minutes_ + 1));
  const int64_t minute = MinuteOf(t);
  const auto n = static_cast<int64_t>(ring.size());
  Minute& m = ring[static_cast<size_t>(((minute % n) + n) % n)];
  if (m.minute != minute) {
    m.minute = minute;
    m.counts = QueueCounts{};
  }
  return m.counts;
}

AgentCounts& Collector::CountsOf(AgentTrack& track, AgentId agent, int64_t slot) {
  if (track.slot != slot || track.counts == nullptr) {
    track.counts = &AgentAt(agent, slot);
    track.slot = slot;
  }
  return *track.counts;
}

// Splits [track.since, until) over the 15-minute intervals it touches.
template <typename RowOf>
void Collector::SplitAgentTime(const AgentTrack& track, absl::Time from, absl::Time until,
                               RowOf row_of) const {
  // Intervals no longer kept are not brought back.
  if (pruned_below_ != INT64_MIN) from = std::max(from, SlotStart(pruned_below_));
  while (from < until) {
    const int64_t slot = SlotOf(from);
    const absl::Time end = std::min(until, SlotStart(slot + 1));
    const int64_t us = absl::ToInt64Microseconds(end - from);
    AgentCounts& c = row_of(slot);
    c.state_us[static_cast<int>(track.state)] += us;
    if (track.state == AgentState::kNotReady) c.not_ready_us[track.reason] += us;
    from = end;
  }
}

void Collector::BookAgentTime(AgentId agent, AgentTrack& track, absl::Time until) {
  SplitAgentTime(track, track.since, until, [&](int64_t slot) -> AgentCounts& {
    return CountsOf(track, agent, slot);
  });
  agent_state_us_[static_cast<int>(track.state)] +=
      absl::ToInt64Microseconds(until - track.since);
  track.since = until;
}

void Collector::ForgetRowPointers() {
  queue_cache_ = {};
  agent_cache_ = {};
  for (auto& [agent, track] : agents_) track.counts = nullptr;
}

void Collector::Prune(absl::Time now) {
  const int64_t slot = SlotOf(now);
  if (slot == last_slot_) return;
  last_slot_ = slot;
  const int64_t keep_from = SlotOf(now - options_.retain);
  if (keep_from <= pruned_below_) return;
  pruned_below_ = keep_from;
  ForgetRowPointers();
  queue_slots_.erase(queue_slots_.begin(), queue_slots_.lower_bound(keep_from));
  agent_slots_.erase(agent_slots_.begin(), agent_slots_.lower_bound(keep_from));
}

void Collector::OnEvent(const Event& e) {
  events_seen_ = true;
  Prune(e.time);
  if (e.type == EventType::kAgentStateChanged) {
    AgentTrack& track = agents_[e.agent.value()];
    if (track.seen) BookAgentTime(e.agent, track, e.time);
    if (e.agent_state == AgentState::kLoggedOut) {
      // Time logged out is nobody's paid time: no rows, no track.
      agents_.erase(e.agent.value());
      return;
    }
    track.state = e.agent_state;
    track.reason = e.agent_reason;
    track.since = e.time;
    track.seen = true;
    return;
  }
  if (!e.has_contact) return;
  const uint32_t queue = e.queue.value();
  if (e.type == EventType::kContactQueued) {
    auto [it, added] = contacts_.try_emplace(e.contact.value());
    if (added) it->second.slot = SlotOf(e.time);
    it->second.queue = queue;
    it->second.answered_here = false;
    QueueAt(queue, it->second.slot).offered++;
    TotalsOf(queue).counts.offered++;
    return;
  }
  auto it = contacts_.find(e.contact.value());
  if (it == contacts_.end()) return;  // arrived before the collector was attached
  ContactTrack& c = it->second;
  const int64_t slot = c.slot;
  // An outcome whose arrival interval is no longer kept counts in the
  // windows and totals only.
  const bool kept = slot >= pruned_below_;
  AgentCounts dropped_agent;
  auto agent_row = [&]() -> AgentCounts& {
    if (!e.has_agent || !kept) return dropped_agent;
    auto a = agents_.find(e.agent.value());
    return a != agents_.end() ? CountsOf(a->second, e.agent, slot)
                              : AgentAt(e.agent, slot);
  };
  // What this event adds: to the arrival's interval row, and to the minute
  // it happened in and the totals (where a part in a queue that ends
  // without an answer is also offered in the window).
  QueueCounts add;
  bool part_ends = false;
  bool leaves = false;  // the contact's track ends
  switch (e.type) {
    case EventType::kAccepted: {
      if (c.answered_here) return;
      c.answered_here = true;
      part_ends = true;
      add.answered = 1;
      add.answered_within = e.wait <= TermsOf(queue).threshold;
      add.wait_answered_us = absl::ToInt64Microseconds(e.wait);
      agent_row().answered++;
      TotalsOf(queue).answer_wait.Observe(absl::ToDoubleSeconds(e.wait));
      break;
    }
    case EventType::kAbandoned: {
      part_ends = leaves = true;
      add.abandoned = 1;
      add.short_abandoned = e.wait < TermsOf(queue).short_abandon;
      TotalsOf(queue).abandon_wait.Observe(absl::ToDoubleSeconds(e.wait));
      break;
    }
    case EventType::kOverflowed: {
      part_ends = true;
      leaves = e.to_queue == e.queue;  // left the engine
      add.overflowed = 1;
      break;
    }
    case EventType::kTransferred: {
      part_ends = !c.answered_here;
      add.transferred = 1;
      break;
    }
    case EventType::kWithdrawn: {
      part_ends = !c.answered_here;
      leaves = true;
      add.withdrawn = 1;
      break;
    }
    case EventType::kCompleted: {
      leaves = true;
      const ContactOutcome& o = e.outcome;
      auto count = [&](auto& counts) {
        counts.completed++;
        counts.handle_us += absl::ToInt64Microseconds(e.handle);
        if (o.csat.has_value()) {
          counts.surveys++;
          counts.csat_sum += *o.csat;
        }
        if (o.resolved.has_value()) {
          counts.outcomes++;
          counts.resolved += *o.resolved;
        }
      };
      count(add);
      count(agent_row());
      break;
    }
    default: return;
  }
  if (leaves) contacts_.erase(it);
  if (kept) QueueAt(queue, slot) += add;
  TotalsOf(queue).counts += add;
  add.offered = part_ends ? 1 : 0;
  WindowAt(queue, e.time) += add;
}

Collector::QueueTotals& Collector::TotalsOf(uint32_t queue) {
  if (totals_.size() <= queue) totals_.resize(queue + 1);
  return totals_[queue];
}

absl::Time Collector::PeriodStart(Granularity granularity, absl::Time t) const {
  return metrics::PeriodStart(granularity, t, options_.time_zone);
}

absl::Time Collector::NextPeriodStart(Granularity granularity, absl::Time t) const {
  return metrics::NextPeriodStart(granularity, t, options_.time_zone);
}

std::pair<absl::Time, absl::Time> Collector::Periods(Granularity granularity,
                                                     absl::Time from,
                                                     absl::Time to) const {
  const absl::Time begin = PeriodStart(granularity, from);
  if (to <= from) return {begin, begin};
  const absl::Time last = PeriodStart(granularity, to - absl::Microseconds(1));
  return {begin, NextPeriodStart(granularity, last)};
}

absl::Status Collector::CheckRange(Granularity granularity, absl::Time from,
                                   absl::Time to) const {
  if (static_cast<size_t>(granularity) > static_cast<size_t>(Granularity::kMonth)) {
    return absl::InvalidArgumentError("metrics: unknown granularity");
  }
  if (from > to || from == absl::InfinitePast() || to == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError(
        fmt::format("metrics: the range must be finite with from <= to, got [{}, {})",
                    absl::FormatTime(from), absl::FormatTime(to)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<QueueRow>> Collector::QueueRows(Granularity granularity,
                                                           absl::Time from,
                                                           absl::Time to) const {
  if (absl::Status st = CheckRange(granularity, from, to); !st.ok()) return st;
  const auto [begin, end] = Periods(granularity, from, to);
  const int64_t first = SlotOf(begin);
  const int64_t last = SlotOf(end);
  // (period start, queue) -> counts, in order.
  std::map<std::pair<absl::Time, uint32_t>, QueueCounts> sums;
  for (auto it = queue_slots_.lower_bound(first);
       it != queue_slots_.end() && it->first < last; ++it) {
    const absl::Time period = PeriodStart(granularity, SlotStart(it->first));
    for (uint32_t q = 0; q < it->second.size(); ++q) {
      if (it->second[q].has_value()) sums[{period, q}] += *it->second[q];
    }
  }
  std::vector<QueueRow> rows;
  rows.reserve(sums.size());
  for (const auto& [key, counts] : sums) {
    absl::StatusOr<QueueConfig> config = engine_.GetQueueConfig(QueueId(key.second));
    const ServiceLevelTerms terms = TermsOf(key.second);
    rows.push_back(QueueRow{key.first, config.ok() ? config->name : std::string(),
                            FiguresOf(counts, terms.definition)});
  }
  return rows;
}

absl::StatusOr<QueueFigures> Collector::QueueTotal(QueueId queue, absl::Time from,
                                                   absl::Time to) const {
  if (absl::Status st = CheckRange(Granularity::k15Minutes, from, to); !st.ok())
    return st;
  absl::StatusOr<ServiceLevelTerms> terms = engine_.GetServiceLevelTerms(queue);
  if (!terms.ok()) return terms.status();
  QueueCounts sum;
  const auto [begin, end] = Periods(Granularity::k15Minutes, from, to);
  for (auto it = queue_slots_.lower_bound(SlotOf(begin));
       it != queue_slots_.end() && it->first < SlotOf(end); ++it) {
    if (queue.value() < it->second.size() && it->second[queue.value()].has_value()) {
      sum += *it->second[queue.value()];
    }
  }
  return FiguresOf(sum, terms->definition);
}

absl::StatusOr<std::vector<AgentRow>> Collector::AgentRows(Granularity granularity,
                                                           absl::Time from,
                                                           absl::Time to) const {
  if (absl::Status st = CheckRange(granularity, from, to); !st.ok()) return st;
  const auto [begin, end] = Periods(granularity, from, to);
  std::map<std::pair<absl::Time, uint64_t>, AgentCounts> sums;
  for (auto it = agent_slots_.lower_bound(SlotOf(begin));
       it != agent_slots_.end() && it->first < SlotOf(end); ++it) {
    const absl::Time period = PeriodStart(granularity, SlotStart(it->first));
    for (const auto& [agent, counts] : it->second) sums[{period, agent}] += counts;
  }
  // The state each agent is in now counts up to the engine's time.
  const absl::Time now = engine_.Now();
  for (const auto& [agent, track] : agents_) {
    if (!track.seen) continue;
    SplitAgentTime(track, std::max(track.since, begin), std::min(now, end),
                   [&, agent = agent](int64_t slot) -> AgentCounts& {
                     return sums[{PeriodStart(granularity, SlotStart(slot)), agent}];
                   });
  }
  std::vector<AgentRow> rows;
  rows.reserve(sums.size());
  for (const auto& [key, counts] : sums) {
    auto g = groups_.find(key.second);
    rows.push_back(AgentRow{key.first, AgentId(key.second),
                            g == groups_.end() ? std::string() : g->second,
                            FiguresOf(counts)});
  }
  return rows;
}

absl::StatusOr<std::vector<GroupRow>> Collector::GroupRows(Granularity granularity,
                                                           absl::Time from,
                                                           absl::Time to) const {
  absl::StatusOr<std::vector<AgentRow>> agents = AgentRows(granularity, from, to);
  if (!agents.ok()) return agents.status();
  std::map<std::pair<absl::Time, std::string>, AgentCounts> sums;
  for (const AgentRow& a : *agents) {
    if (!a.group.empty()) sums[{a.start, a.group}] += a.figures.counts;
  }
  std::vector<GroupRow> rows;
  rows.reserve(sums.size());
  for (const auto& [key, counts] : sums) {
    rows.push_back(GroupRow{key.first, key.second, FiguresOf(counts)});
  }
  return rows;
}

std::vector<QueueNow> Collector::Now() const {
  std::vector<QueueNow> out;
  const int64_t minute = MinuteOf(engine_.Now());
  for (uint32_t q = 0; q < engine_.queue_count(); ++q) {
    QueueNow n;
    absl::StatusOr<QueueConfig> config = engine_.GetQueueConfig(QueueId(q));
    absl::StatusOr<QueueStats> stats = engine_.GetQueueStats(QueueId(q));
    const ServiceLevelTerms terms = TermsOf(q);
    n.queue = config.ok() ? config->name : std::string();
    if (stats.ok()) {
      n.waiting = stats->waiting;
      n.longest_wait = stats->longest_wait;
    }
    n.sl_target = terms.target;
    for (absl::Duration w : options_.windows) {
      n.windows.push_back(
          FiguresOf(WindowSum(q, minute, absl::ToInt64Minutes(w)), terms.definition));
    }
    out.push_back(std::move(n));
  }
  return out;
}

QueueCounts Collector::WindowSum(uint32_t queue, int64_t minute, int64_t minutes) const {
  QueueCounts sum;
  if (queue >= minutes_.size()) return sum;
  for (const Minute& m : minutes_[queue]) {
    if (m.minute <= minute && m.minute > minute - minutes) sum += m.counts;
  }
  return sum;
}

IntervalBatch Collector::TakeChangedIntervals() {
  // Open spans are booked up to now, so that a restart loses no agent time
  // that was handed over.
  const absl::Time now = engine_.Now();
  for (auto& [agent, track] : agents_) {
    if (track.seen && track.since < now) BookAgentTime(AgentId(agent), track, now);
  }
  std::vector<int64_t> slots(changed_.begin(), changed_.end());
  std::sort(slots.begin(), slots.end());
  IntervalBatch out;
  std::vector<std::string> names;  // by queue id, looked up once
  for (int64_t slot : slots) {
    if (auto q = queue_slots_.find(slot); q != queue_slots_.end()) {
      for (uint32_t id = 0; id < q->second.size(); ++id) {
        if (!q->second[id].has_value()) continue;
        while (names.size() <= id) {
          absl::StatusOr<QueueConfig> c =
              engine_.GetQueueConfig(QueueId(static_cast<uint32_t>(names.size())));
          names.push_back(c.ok() ? c->name : std::string());
        }
        out.queues.push_back(QueueInterval{SlotStart(slot), names[id],
                                           TermsOf(id).definition, *q->second[id]});
      }
    }
    if (auto a = agent_slots_.find(slot); a != agent_slots_.end()) {
      const size_t first = out.agents.size();
      for (const auto& [agent, counts] : a->second) {
        auto g = groups_.find(agent);
        out.agents.push_back(AgentInterval{SlotStart(slot), AgentId(agent),
                                           g == groups_.end() ? std::string() : g->second,
                                           counts});
      }
      std::sort(out.agents.begin() + static_cast<std::ptrdiff_t>(first), out.agents.end(),
                [](const AgentInterval& x, const AgentInterval& y) {
                  return x.agent.value() < y.agent.value();
                });
    }
  }
  changed_.clear();
  ForgetRowPointers();  // the next write to any row marks it again
  return out;
}

absl::StatusOr<size_t> Collector::RestoreIntervals(const IntervalBatch& batch) {
  if (events_seen_) {
    return absl::FailedPreconditionError(
        "metrics: restore intervals right after Attach, before the collector has seen "
        "an event");
  }
  if (absl::Status st = CheckIntervalBatch(batch); !st.ok()) return st;
  const int64_t keep_from = SlotOf(engine_.Now() - options_.retain);
  size_t restored = 0;
  for (const QueueInterval& q : batch.queues) {
    const int64_t slot = SlotOf(q.start);
    absl::StatusOr<QueueId> id = engine_.FindQueue(q.queue);
    if (slot < keep_from || !id.ok()) continue;
    QueueAt(id->value(), slot) = q.counts;
    ++restored;
  }
  // Each agent's group as its latest row has it (none when that row has
  // none), unless the host has assigned one already.
  absl::flat_hash_map<uint64_t, const AgentInterval*> latest;
  for (const AgentInterval& a : batch.agents) {
    const int64_t slot = SlotOf(a.start);
    if (slot < keep_from) continue;
    AgentAt(a.agent, slot) = a.counts;
    const AgentInterval*& l = latest[a.agent.value()];
    if (l == nullptr || a.start >= l->start) l = &a;
    ++restored;
  }
  for (const auto& [agent, row] : latest) {
    if (!row->group.empty()) groups_.try_emplace(agent, row->group);
  }
  changed_.clear();  // what was restored is stored already
  ForgetRowPointers();
  return restored;
}

Snapshot Collector::TakeSnapshot() const {
  Snapshot s;
  s.at = engine_.Now();
  s.windows = options_.windows;
  std::vector<QueueNow> now = Now();
  // Today's counts from the 15-minute rows since the local midnight (every
  // zone's midnight is on a quarter hour).
  std::vector<QueueCounts> today(now.size());
  for (auto it = queue_slots_.lower_bound(SlotOf(PeriodStart(Granularity::kDay, s.at)));
       it != queue_slots_.end(); ++it) {
    for (size_t q = 0; q < it->second.size() && q < today.size(); ++q) {
      if (it->second[q].has_value()) today[q] += *it->second[q];
    }
  }
  s.queues.reserve(now.size());
  for (uint32_t q = 0; q < now.size(); ++q) {
    const ServiceLevelTerms terms = TermsOf(q);
    QueueSnapshot& qs = s.queues.emplace_back();
    qs.queue = std::move(now[q].queue);
    qs.waiting = now[q].waiting;
    qs.longest_wait = now[q].longest_wait;
    qs.sl_target = terms.target;
    qs.sl_threshold = terms.threshold;
    qs.sl_definition = terms.definition;
    if (q < totals_.size()) {
      qs.total = totals_[q].counts;
      qs.answer_wait = totals_[q].answer_wait;
      qs.abandon_wait = totals_[q].abandon_wait;
    }
    qs.today = FiguresOf(today[q], terms.definition);
    qs.windows = std::move(now[q].windows);
  }
  // Whole microseconds, as booked spans are, so the counter never steps
  // back when an open span is booked.
  std::array<int64_t, kAgentStateCount> state_us = agent_state_us_;
  for (const auto& [agent, track] : agents_) {
    if (!track.seen) continue;
    const auto state = static_cast<size_t>(track.state);
    state_us[state] += absl::ToInt64Microseconds(s.at - track.since);
    auto count = [&track = track, state](AgentsByState& by) {
      by.by_state[state]++;
      if (track.state == AgentState::kNotReady) by.not_ready_by_reason[track.reason]++;
    };
    count(s.agents);
    if (auto g = groups_.find(agent); g != groups_.end()) count(s.groups[g->second]);
  }
  for (int i = 0; i < kAgentStateCount; ++i) {
    s.agent_state_seconds[i] = Seconds(state_us[i]);
  }
  return s;
}

Collector::AgentsNow Collector::AgentStates() const {
  AgentsNow now;
  for (const auto& [agent, track] : agents_) {
    if (!track.seen) continue;
    now.by_state[static_cast<int>(track.state)]++;
    if (track.state == AgentState::kNotReady) now.not_ready_by_reason[track.reason]++;
  }
  return now;
}

}  // namespace ccengine::metrics
