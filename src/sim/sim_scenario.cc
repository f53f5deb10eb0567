// The simulator's scenario checks, distributions and summary statistics.

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ccengine/core/contact.h"
#include "ccengine/core/engine.h"
#include "ccengine/sim/internal/exp_ziggurat.h"
#include "ccengine/sim/sim.h"
#include "common/status_macros.h"
#include "fmt/format.h"
#include "sim/sim_internal.h"

namespace ccengine::sim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

absl::Status Invalid(const std::string& field, const std::string& what) {
  return absl::InvalidArgumentError(fmt::format("{}: {}", field, what));
}

bool Finite(double x) { return std::isfinite(x); }

}  // namespace

// --- Distributions -------------------------------------------------------------

Distribution Distribution::Empirical(std::vector<double> samples) {
  Distribution d;
  d.kind = Kind::kEmpirical;
  double sum = 0;
  for (double x : samples) sum += x;
  d.mean = samples.empty() ? 0 : sum / static_cast<double>(samples.size());
  d.samples = std::move(samples);
  return d;
}

absl::Status Distribution::Validate(const std::string& field) const {
  switch (kind) {
    case Kind::kNone: return absl::OkStatus();
    case Kind::kExponential:
    case Kind::kDeterministic:
      if (!(mean > 0) || !Finite(mean) || (kind == Kind::kDeterministic && mean < 0)) {
        return Invalid(field, fmt::format("mean must be > 0 and finite, got {}", mean));
      }
      return absl::OkStatus();
    case Kind::kLognormal:
      if (!(mean > 0) || !Finite(mean)) {
        return Invalid(field, fmt::format("mean must be > 0 and finite, got {}", mean));
      }
      if (!(sd >= 0) || !Finite(sd)) {
        return Invalid(field, fmt::format("sd must be >= 0 and finite, got {}", sd));
      }
      return absl::OkStatus();
    case Kind::kEmpirical:
      if (samples.empty()) return Invalid(field, "empirical samples are empty");
      for (double x : samples) {
        if (!(x >= 0) || !Finite(x)) {
          return Invalid(field,
                         fmt::format("samples must be >= 0 and finite, got {}", x));
        }
      }
      return absl::OkStatus();
  }
  return Invalid(field, "unknown distribution");
}

namespace internal {

namespace {

absl::StatusOr<std::vector<SkillLevel>> ResolveSkills(
    const absl::flat_hash_map<std::string, uint32_t>& ids,
    const std::vector<SkillNeed>& needs, const std::string& field) {
  std::vector<SkillLevel> out;
  for (const SkillNeed& n : needs) {
    auto it = ids.find(n.skill);
    if (it == ids.end()) {
      return absl::NotFoundError(fmt::format("{}: unknown skill '{}'", field, n.skill));
    }
    if (n.level < kMinProficiency || n.level > kMaxProficiency) {
      return Invalid(
          field, fmt::format("level of '{}' must be in 1..10, got {}", n.skill, n.level));
    }
    out.push_back({SkillId(it->second), static_cast<uint8_t>(n.level)});
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.skill < b.skill; });
  return out;
}

bool Meets(const std::vector<SkillLevel>& have, const std::vector<SkillLevel>& need) {
  for (const SkillLevel& r : need) {
    bool ok = false;
    for (const SkillLevel& h : have) ok |= h.skill == r.skill && h.level >= r.level;
    if (!ok) return false;
  }
  return true;
}

absl::Status CheckTimes(const Scenario& s) {
  if (!(s.horizon_s > 0) || !Finite(s.horizon_s)) {
    return Invalid("horizon_s",
                   fmt::format("must be > 0 and finite, got {}", s.horizon_s));
  }
  if (!(s.warmup_s >= 0) || !(s.warmup_s < s.horizon_s)) {
    return Invalid("warmup_s",
                   fmt::format("must be in [0, horizon_s), got {}", s.warmup_s));
  }
  if (!(s.interval_s > 0) || !Finite(s.interval_s)) {
    return Invalid("interval_s",
                   fmt::format("must be > 0 and finite, got {}", s.interval_s));
  }
  if (s.horizon_s / s.interval_s > 1e6) {
    return Invalid("interval_s", "more than 1,000,000 intervals in the horizon");
  }
  if (s.replications < 1 || s.replications > 10000) {
    return Invalid("replications",
                   fmt::format("must be in 1..10000, got {}", s.replications));
  }
  if (s.report_start.has_value()) {
    const absl::Time t = *s.report_start;
    const absl::Time first =
        absl::FromCivil(absl::CivilSecond(1, 1, 1), absl::UTCTimeZone());
    const absl::Time last =
        absl::FromCivil(absl::CivilSecond(9999, 1, 1), absl::UTCTimeZone());
    if (t < first || t >= last) {
      return Invalid("report_start", fmt::format("must be in the years 1 to 9998, got {}",
                                                 absl::FormatTime(absl::RFC3339_full, t,
                                                                  absl::UTCTimeZone())));
    }
    if ((t - absl::UnixEpoch()) % absl::Minutes(15) != absl::ZeroDuration()) {
      return Invalid(
          "report_start",
          fmt::format("must be on a 15-minute boundary, got {}",
                      absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone())));
    }
  }
  if (s.clock_start.has_value()) {
    const absl::Time t = *s.clock_start;
    if (t < absl::FromCivil(absl::CivilSecond(1, 1, 1), absl::UTCTimeZone()) ||
        t >= absl::FromCivil(absl::CivilSecond(9999, 1, 1), absl::UTCTimeZone())) {
      return Invalid("clock_start", fmt::format("must be in the years 1 to 9998, got {}",
                                                absl::FormatTime(absl::RFC3339_full, t,
                                                                 absl::UTCTimeZone())));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckStaffing(const AgentGroupSpec& g, const std::string& field,
                           uint32_t* size) {
  int ways = (g.count > 0) + !g.counts.empty() + !g.shifts.empty();
  if (g.count < 0)
    return Invalid(field + ".count", fmt::format("must be >= 0, got {}", g.count));
  if (ways > 1) return Invalid(field, "give only one of count, counts, shifts");
  int64_t n = g.count;
  for (size_t i = 0; i < g.counts.size(); ++i) {
    if (g.counts[i] < 0) {
      return Invalid(fmt::format("{}.counts[{}]", field, i), "must be >= 0");
    }
    n = std::max<int64_t>(n, g.counts[i]);
  }
  for (size_t i = 0; i < g.shifts.size(); ++i) {
    const Shift& sh = g.shifts[i];
    std::string f = fmt::format("{}.shifts[{}]", field, i);
    if (sh.count < 0) return Invalid(f + ".count", "must be >= 0");
    if (!(sh.start_s >= 0) || !(sh.end_s > sh.start_s)) {
      return Invalid(
          f, fmt::format("needs 0 <= start_s < end_s, got {}..{}", sh.start_s, sh.end_s));
    }
    for (size_t b = 0; b < sh.breaks.size(); ++b) {
      const Shift::Break& br = sh.breaks[b];
      if (!(br.start_s >= sh.start_s) || !(br.duration_s > 0) ||
          !(br.start_s + br.duration_s <= sh.end_s)) {
        return Invalid(fmt::format("{}.breaks[{}]", f, b),
                       "must lie inside the shift and last > 0 s");
      }
    }
    n += sh.count;
  }
  if (n > 1'000'000) return Invalid(field, "more than 1,000,000 agents");
  *size = static_cast<uint32_t>(n);
  return absl::OkStatus();
}

absl::Status CheckArrival(const ArrivalSpec& a, const std::string& f) {
  int ways = (a.rate_per_s != 0) + !a.rates_per_interval.empty() + !a.trace.empty();
  if (ways != 1) {
    return Invalid(f, "give exactly one of rate_per_s (> 0), rates_per_interval, trace");
  }
  if (!(a.rate_per_s >= 0) || !Finite(a.rate_per_s)) {
    return Invalid(f + ".rate_per_s",
                   fmt::format("must be >= 0 and finite, got {}", a.rate_per_s));
  }
  for (size_t i = 0; i < a.rates_per_interval.size(); ++i) {
    if (!(a.rates_per_interval[i] >= 0) || !Finite(a.rates_per_interval[i])) {
      return Invalid(fmt::format("{}.rates_per_interval[{}]", f, i),
                     "must be >= 0 and finite");
    }
  }
  for (size_t i = 0; i < a.trace.size(); ++i) {
    if (!(a.trace[i] >= 0) || !Finite(a.trace[i]) ||
        (i > 0 && a.trace[i] < a.trace[i - 1])) {
      return Invalid(fmt::format("{}.trace[{}]", f, i),
                     "must be >= 0, finite and ascending");
    }
  }
  if (a.handle_time.kind == Distribution::Kind::kNone) {
    return Invalid(f + ".handle_time", "a handle time is required");
  }
  CCENGINE_RETURN_IF_ERROR(a.handle_time.Validate(f + ".handle_time"));
  CCENGINE_RETURN_IF_ERROR(a.patience.Validate(f + ".patience"));
  if (a.priority < kMinPriority || a.priority > kMaxPriority) {
    return Invalid(f + ".priority", fmt::format("must be in 0..9, got {}", a.priority));
  }
  if (!(a.priority_fraction >= 0 && a.priority_fraction <= 1)) {
    return Invalid(f + ".priority_fraction", "must be in [0, 1]");
  }
  if (!(a.callback_after_s >= 0)) {
    return Invalid(f + ".callback.after_s", "must be >= 0 (infinite: never)");
  }
  if (std::isfinite(a.callback_after_s) && a.channel != Channel::kVoice &&
      a.channel != Channel::kVideo) {
    return Invalid(f + ".callback",
                   fmt::format("only voice and video callers can ask for a "
                               "callback, not {}",
                               ChannelName(a.channel)));
  }
  return absl::OkStatus();
}

}  // namespace

EngineOptions EngineOptionsFor(const Scenario& s) {
  EngineOptions options;
  options.rona_limit = 0;
  // Commands are direct calls, so the intake ring is never used: keep it
  // tiny rather than fault in a large ring for every simulated engine.
  options.intake_capacity = 2;
  options.quality = s.quality;
  options.work_window = absl::Seconds(s.work_window_s);
  return options;
}

absl::StatusOr<Resolved> Resolve(const Scenario& s) {
  CCENGINE_RETURN_IF_ERROR(CheckTimes(s));
  {
    // The engine checks its own options; say which scenario keys were wrong.
    if (!Finite(s.work_window_s)) return Invalid("work_window_s", "must be finite");
    absl::Status st = Engine::Create(EngineOptionsFor(s)).status();
    if (!st.ok()) return Invalid("scenario", std::string(st.message()));
  }
  CCENGINE_RETURN_IF_ERROR(CheckRoutingShape(s));
  Resolved r;
  absl::flat_hash_map<std::string, uint32_t> skill_ids;
  for (size_t i = 0; i < s.skills.size(); ++i) {
    if (s.skills[i].empty()) return Invalid(fmt::format("skills[{}]", i), "empty name");
    if (!skill_ids.emplace(s.skills[i], static_cast<uint32_t>(i)).second) {
      return Invalid(fmt::format("skills[{}]", i),
                     fmt::format("'{}' listed twice", s.skills[i]));
    }
  }
  absl::flat_hash_map<std::string, uint32_t> queue_ids;
  for (size_t i = 0; i < s.queues.size(); ++i) {
    if (!queue_ids.emplace(s.queues[i].name, static_cast<uint32_t>(i)).second) {
      return Invalid(fmt::format("queues[{}].name", i),
                     fmt::format("'{}' listed twice", s.queues[i].name));
    }
  }
  if (s.queues.empty()) return Invalid("queues", "at least one queue is needed");
  std::vector<std::vector<std::vector<SkillLevel>>> steps(s.queues.size());
  for (size_t i = 0; i < s.queues.size(); ++i) {
    const QueueSpec& q = s.queues[i];
    std::string f = fmt::format("queues[{}]", i);
    QueueConfig c;
    c.name = q.name;
    CCENGINE_ASSIGN_OR_RETURN(c.skills,
                              ResolveSkills(skill_ids, q.skills, f + ".skills"));
    steps[i].push_back(c.skills);
    for (size_t k = 0; k < q.relaxation.size(); ++k) {
      std::string fk = fmt::format("{}.relaxation[{}]", f, k);
      if (!Finite(q.relaxation[k].after_s))
        return Invalid(fk + ".after_s", "must be finite");
      RoutingStep step;
      step.after = absl::Seconds(q.relaxation[k].after_s);
      CCENGINE_ASSIGN_OR_RETURN(
          step.skills, ResolveSkills(skill_ids, q.relaxation[k].skills, fk + ".skills"));
      steps[i].push_back(step.skills);
      c.relaxation.push_back(std::move(step));
    }
    if (!(q.sl_seconds >= 0) || !Finite(q.sl_seconds)) {
      return Invalid(f + ".sl_seconds",
                     fmt::format("must be >= 0 and finite, got {}", q.sl_seconds));
    }
    if (!(q.short_abandon_s >= 0) || !Finite(q.short_abandon_s)) {
      return Invalid(f + ".short_abandon_s",
                     fmt::format("must be >= 0 and finite, got {}", q.short_abandon_s));
    }
    if (static_cast<int>(q.sl_definition) >= kServiceLevelDefinitionCount) {
      return Invalid(
          f + ".sl_definition",
          fmt::format("{} is not a known definition", static_cast<int>(q.sl_definition)));
    }
    if (!(q.max_wait_s > 0))
      return Invalid(f + ".max_wait_s", "must be > 0 (inf for none)");
    if (!(q.wrap_up_s >= 0) || !Finite(q.wrap_up_s)) {
      return Invalid(f + ".wrap_up_s", "must be >= 0 and finite");
    }
    c.priority = q.priority;
    c.sl_threshold = absl::Seconds(q.sl_seconds);
    c.sl_target = q.sl_target;
    c.sl_definition = q.sl_definition;
    c.short_abandon = absl::Seconds(q.short_abandon_s);
    c.max_size = q.max_size;
    c.max_wait =
        Finite(q.max_wait_s) ? absl::Seconds(q.max_wait_s) : absl::InfiniteDuration();
    c.wrap_up = absl::Seconds(q.wrap_up_s);
    c.strategy = q.strategy;
    if (q.satisfaction.has_value()) {
      if (q.strategy != "satisfaction") {
        return Invalid(
            f + ".satisfaction",
            fmt::format("weights need strategy 'satisfaction', got '{}'", q.strategy));
      }
      absl::Status st = SatisfactionStrategy::Validate(*q.satisfaction);
      if (!st.ok()) return Invalid(f + ".satisfaction", std::string(st.message()));
      c.strategy = "satisfaction:" + q.name;  // registered per queue
    }
    c.guards = q.guards;
    if (absl::Status st = q.guards.Validate(); !st.ok()) {
      return Invalid(f, std::string(st.message()));
    }
    if (!(q.survey_rate >= 0 && q.survey_rate <= 1)) {
      return Invalid(f + ".survey_rate",
                     fmt::format("must be in [0, 1], got {}", q.survey_rate));
    }
    c.aging_weight = q.aging_weight;
    c.offer_timeout = absl::InfiniteDuration();  // simulated agents answer at once
    if (!q.overflow_to.empty()) {
      auto it = queue_ids.find(q.overflow_to);
      if (it == queue_ids.end()) {
        return absl::NotFoundError(
            fmt::format("{}.overflow_to: unknown queue '{}'", f, q.overflow_to));
      }
      c.overflow_queue = QueueId(it->second);
    }
    if (s.routing != nullptr) {
      // The file's own configuration, with what a QueueSpec cannot hold.
      c = s.routing->queues()[i];
      c.offer_timeout = absl::InfiniteDuration();
    }
    r.queues.push_back(std::move(c));
    r.sl_seconds.push_back(q.sl_seconds);
    r.short_abandon_s.push_back(q.short_abandon_s);
  }
  for (size_t g = 0; g < s.agents.size(); ++g) {
    const AgentGroupSpec& spec = s.agents[g];
    std::string f = fmt::format("agents[{}]", g);
    uint32_t size = 0;
    CCENGINE_RETURN_IF_ERROR(CheckStaffing(spec, f, &size));
    CCENGINE_ASSIGN_OR_RETURN(auto skills,
                              ResolveSkills(skill_ids, spec.skills, f + ".skills"));
    if (!std::isnan(spec.csat_mean) && !(spec.csat_mean >= 1 && spec.csat_mean <= 5)) {
      return Invalid(f + ".csat_mean",
                     fmt::format("must be in [1, 5], got {}", spec.csat_mean));
    }
    if (!std::isnan(spec.fcr_rate) && !(spec.fcr_rate >= 0 && spec.fcr_rate <= 1)) {
      return Invalid(f + ".fcr_rate",
                     fmt::format("must be in [0, 1], got {}", spec.fcr_rate));
    }
    r.group_skills.push_back(std::move(skills));
    r.group_size.push_back(size);
    r.group_names.push_back(spec.name.empty() ? fmt::format("group{}", g) : spec.name);
  }
  for (size_t g = 0; g < r.group_names.size(); ++g) {
    for (size_t h = 0; h < g; ++h) {
      if (r.group_names[g] == r.group_names[h]) {
        return Invalid(fmt::format("agents[{}].name", g),
                       fmt::format("'{}' listed twice", r.group_names[g]));
      }
    }
  }
  r.serves.assign(s.queues.size(), std::vector<bool>(s.agents.size(), false));
  r.serves_first.assign(s.queues.size(), std::vector<bool>(s.agents.size(), false));
  for (size_t q = 0; q < s.queues.size(); ++q) {
    for (size_t g = 0; g < s.agents.size(); ++g) {
      r.serves_first[q][g] = Meets(r.group_skills[g], steps[q][0]);
      for (const auto& step : steps[q]) {
        if (Meets(r.group_skills[g], step)) r.serves[q][g] = true;
      }
    }
  }
  if (s.arrivals.empty())
    return Invalid("arrivals", "at least one arrival stream is needed");
  for (size_t i = 0; i < s.arrivals.size(); ++i) {
    const ArrivalSpec& a = s.arrivals[i];
    std::string f = fmt::format("arrivals[{}]", i);
    if (!a.flow.empty() || !a.facts.empty()) {
      CCENGINE_RETURN_IF_ERROR(ResolveFlow(s, i, r));
    } else {
      auto it = queue_ids.find(a.queue);
      if (it == queue_ids.end()) {
        return absl::NotFoundError(
            fmt::format("{}.queue: unknown queue '{}'", f, a.queue));
      }
      r.arrival_queues.push_back({it->second});
      r.arrival_flow.push_back(nullptr);
      r.arrival_facts.emplace_back();
    }
    CCENGINE_RETURN_IF_ERROR(CheckArrival(a, f));
    CCENGINE_ASSIGN_OR_RETURN(auto skills,
                              ResolveSkills(skill_ids, a.skills, f + ".skills"));
    r.arrival_skills.push_back(std::move(skills));
  }
  CCENGINE_RETURN_IF_ERROR(CheckLoad(s, r));
  return r;
}

// --- Summary ---------------------------------------------------------------------

namespace {

// Two-sided 95% quantile of Student's t with `df` degrees of freedom.
double TQuantile975(int df) {
  static constexpr double kTable[] = {0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447,
                                      2.365, 2.306,  2.262, 2.228, 2.201, 2.179, 2.160,
                                      2.145, 2.131,  2.120, 2.110, 2.101, 2.093, 2.086};
  if (df <= 20) return kTable[df];
  // Cornish–Fisher expansion around z = 1.959964 (error < 1e-4 for df > 20).
  double z = 1.959964, n = df;
  return z + (z * z * z + z) / (4 * n) +
         (5 * std::pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * n * n);
}

double Ratio(double num, double den) { return den > 0 ? num / den : kNaN; }

// `as_group`: ratios over the contacts the group answered.
// `definition`: the queue's service level definition (queue rows only).
Metrics FromAcc(
    const Acc& a, const Acc& time, double duration, bool as_group,
    ServiceLevelDefinition definition = ServiceLevelDefinition::kWithinOverOffered) {
  Metrics m;
  double base = as_group ? a.answered : a.offered;
  m.offered = base;
  m.answered = a.answered;
  m.abandoned = a.abandoned;
  m.short_abandoned = a.short_abandoned;
  m.overflowed = a.overflowed;
  m.p_wait = base > 0 ? 1.0 - a.immediate / base : kNaN;
  m.p_abandon = Ratio(a.abandoned, base);
  m.asa = Ratio(a.sum_wait_answered, a.answered);
  m.ewt_count = a.ewt_n;
  m.ewt_mean = Ratio(a.sum_ewt, a.ewt_n);
  m.wait_mean = Ratio(a.sum_ewt_wait, a.ewt_n);
  m.ewt_coverage = Ratio(a.ewt_within, a.ewt_n);
  m.service_level =
      as_group ? Ratio(a.within_sl, a.answered)
               : ServiceLevel(definition,
                              ServiceLevelCounts{a.offered, a.answered, a.within_sl,
                                                 a.abandoned, a.short_abandoned});
  m.aht = Ratio(a.sum_handle, a.answered);
  m.occupancy = Ratio(time.occupied_s, time.staffed_s);
  m.agents = duration > 0 ? time.staffed_s / duration : kNaN;
  m.csat_mean = Ratio(a.sum_csat, a.surveys);
  m.fcr_rate = Ratio(a.resolved, a.outcomes);
  m.occupancy_spread = kNaN;
  return m;
}

constexpr double Metrics::*kFields[] = {
    &Metrics::offered,         &Metrics::answered,   &Metrics::abandoned,
    &Metrics::short_abandoned, &Metrics::overflowed, &Metrics::p_wait,
    &Metrics::p_abandon,       &Metrics::asa,        &Metrics::ewt_count,
    &Metrics::ewt_mean,        &Metrics::wait_mean,  &Metrics::ewt_coverage,
    &Metrics::service_level,   &Metrics::aht,        &Metrics::occupancy,
    &Metrics::agents,          &Metrics::csat_mean,  &Metrics::fcr_rate,
    &Metrics::occupancy_spread};

// Max - min occupancy over the agents of the groups `in` selects that were
// staffed in the measured window.
template <typename In>
double OccupancySpread(const ReplicationTotals& t, In in) {
  double lo = kNaN, hi = kNaN;
  for (size_t g = 0; g < t.agent_time.size(); ++g) {
    if (!in(g)) continue;
    for (const AgentTime& a : t.agent_time[g]) {
      if (!(a.staffed_s > 0)) continue;
      double occ = a.occupied_s / a.staffed_s;
      lo = std::isnan(lo) ? occ : std::min(lo, occ);
      hi = std::isnan(hi) ? occ : std::max(hi, occ);
    }
  }
  return hi - lo;
}

Row Combine(const std::vector<Metrics>& reps) {
  Row row;
  size_t n = reps.size();
  for (auto field : kFields) {
    double sum = 0;
    for (const Metrics& m : reps) sum += m.*field;
    double mean = sum / static_cast<double>(n);
    row.value.*field = mean;
    if (n > 1) {
      double ss = 0;
      for (const Metrics& m : reps) ss += (m.*field - mean) * (m.*field - mean);
      double sd = std::sqrt(ss / static_cast<double>(n - 1));
      row.half_width.*field =
          TQuantile975(static_cast<int>(n - 1)) * sd / std::sqrt(static_cast<double>(n));
    }
  }
  return row;
}

}  // namespace

Result Summarize(const Scenario& s, const Resolved& r,
                 const std::vector<ReplicationTotals>& totals, double wall_seconds) {
  Result out;
  size_t intervals = totals.empty() ? 0 : totals[0].queue_intervals[0].size();
  for (size_t i = 0; i < intervals; ++i) out.interval_start_s.push_back(i * s.interval_s);
  auto interval_length = [&](size_t i) {
    return std::min(s.horizon_s, (i + 1) * s.interval_s) - i * s.interval_s;
  };
  auto group_time = [&](const ReplicationTotals& t, size_t q, int interval) {
    Acc sum;
    for (size_t g = 0; g < s.agents.size(); ++g) {
      if (!r.serves[q][g]) continue;
      const Acc& a = interval < 0 ? t.group_summary[g] : t.group_intervals[g][interval];
      sum.staffed_s += a.staffed_s;
      sum.occupied_s += a.occupied_s;
    }
    return sum;
  };
  double measured = s.horizon_s - s.warmup_s;
  for (size_t q = 0; q < s.queues.size(); ++q) {
    std::vector<Metrics> reps;
    for (const auto& t : totals) {
      reps.push_back(FromAcc(t.queue_summary[q], group_time(t, q, -1), measured, false,
                             s.queues[q].sl_definition));
      reps.back().occupancy_spread =
          OccupancySpread(t, [&](size_t g) { return r.serves[q][g]; });
    }
    out.queues[s.queues[q].name] = Combine(reps);
    auto& rows = out.queue_intervals[s.queues[q].name];
    for (size_t i = 0; i < intervals; ++i) {
      reps.clear();
      for (const auto& t : totals) {
        reps.push_back(FromAcc(t.queue_intervals[q][i],
                               group_time(t, q, static_cast<int>(i)), interval_length(i),
                               false, s.queues[q].sl_definition));
      }
      rows.push_back(Combine(reps));
    }
  }
  for (size_t g = 0; g < s.agents.size(); ++g) {
    std::vector<Metrics> reps;
    for (const auto& t : totals) {
      reps.push_back(FromAcc(t.group_summary[g], t.group_summary[g], measured, true));
      reps.back().occupancy_spread = OccupancySpread(t, [&](size_t h) { return h == g; });
    }
    out.groups[r.group_names[g]] = Combine(reps);
    auto& rows = out.group_intervals[r.group_names[g]];
    for (size_t i = 0; i < intervals; ++i) {
      reps.clear();
      for (const auto& t : totals) {
        reps.push_back(FromAcc(t.group_intervals[g][i], t.group_intervals[g][i],
                               interval_length(i), true));
      }
      rows.push_back(Combine(reps));
    }
  }
  for (const auto& t : totals) {
    out.contacts += t.contacts;
    out.events += t.events;
    out.invariants_ok = out.invariants_ok && t.invariants_ok;
  }
  out.wall_seconds = wall_seconds;
  return out;
}

}  // namespace internal
}  // namespace ccengine::sim
