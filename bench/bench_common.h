// -----------------------------------------------------------------------------
// File: bench/bench_common.h
// -----------------------------------------------------------------------------
//
// What the benchmark programs share: a generator of contact centers that the
// engine and the baselines are built from (so every implementation sees the
// same agents, skills, levels and waiting contacts), per-decision latency
// samples with percentiles, a one-slot cache that keeps the last big world
// alive between the calls Google Benchmark makes for one benchmark (and for
// adjacent benchmarks with the same parameters), and a few checks. It
// includes bench_util.h: what the programs without Google Benchmark use too.
//
// The generated center (`Population`). S skills, numbered 0..S-1; skill
// blocks of 5 (0-4, 5-9, …). Q = max(1, min(S / 5, N / 50)) queues: queue q
// needs the first `reqs` skills of block q at `req_level` (so a queue always
// has about N / Q "home" agents, at least 50). Agent i belongs to queue
// i % Q: it holds its home block's 5 skills at a level drawn from
// [home_lo, home_hi] and `extra_skills` random other skills at a level from
// [extra_lo, extra_hi] (8 skills in all by default), so it may also qualify
// for other queues by chance. A fraction `ready_pct` of the agents are ready;
// the others are logged in but not ready (for the decision cost, that is the
// same as busy: their bits are clear in the "can take" sets). Agents log in
// 1 ms apart, so their idle times differ and "longest idle" has no ties.
//
// Thread safety: single-threaded helpers, except `NowNs`.

#ifndef CCENGINE_BENCH_BENCH_COMMON_H_
#define CCENGINE_BENCH_BENCH_COMMON_H_

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "bench_util.h"
#include "ccengine/core/engine.h"

namespace ccbench {

using ccengine::AgentId;
using ccengine::ContactId;
using ccengine::Micros;
using ccengine::QueueId;
using ccengine::SkillId;
using ccengine::SkillLevel;
using ccengine::SkillRequirement;

// --- Checks --------------------------------------------------------------------

inline void Check(const absl::Status& st, const char* what) {
  if (!st.ok()) {
    std::fprintf(stderr, "bench setup failed (%s): %s\n", what,
                 std::string(st.message()).c_str());
    std::abort();
  }
}

template <typename T>
T CheckValue(absl::StatusOr<T> v, const char* what) {
  Check(v.status(), what);
  return *std::move(v);
}

// --- Time ------------------------------------------------------------------------

inline int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The median cost of two back-to-back clock reads, subtracted from every
// per-decision sample (measured once per program).
inline int64_t ClockOverheadNs() {
  static const int64_t overhead = [] {
    std::vector<int64_t> d(20001);
    for (auto& x : d) {
      int64_t a = NowNs();
      int64_t b = NowNs();
      x = b - a;
    }
    std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
    return d[d.size() / 2];
  }();
  return overhead;
}

// Per-decision latency samples (ns). Reserve before the timed loop so that
// recording never allocates inside it.
class Samples {
 public:
  void Reserve(size_t n) {
    ClockOverheadNs();  // calibrated (and its buffer freed) before timing
    v_.clear();
    v_.reserve(std::min<size_t>(n, kCap));
  }
  // Records one sample; beyond kCap samples only the sum is kept.
  void Add(int64_t ns) {
    sum_ += ns;
    ++n_;
    if (v_.size() < v_.capacity()) v_.push_back(ns);
  }
  void Clear() {
    v_.clear();
    sum_ = 0;
    n_ = 0;
  }
  int64_t count() const { return n_; }
  double Mean() const { return n_ == 0 ? 0 : static_cast<double>(sum_) / n_; }
  // Nearest-rank percentile, p in [0, 1]. Sorts the samples.
  double Percentile(double p) {
    if (v_.empty()) return 0;
    if (!sorted_) {
      std::sort(v_.begin(), v_.end());
      sorted_ = true;
    }
    return NearestRank(v_, p);
  }
  void MarkUnsorted() { sorted_ = false; }

  // p50, p99, p99.9, max and p99/p50 as counters named `<prefix>p50_ns` …
  void Report(benchmark::State& state, const std::string& prefix = "") {
    sorted_ = false;
    double p50 = Percentile(0.50);
    double p99 = Percentile(0.99);
    state.counters[prefix + "p50_ns"] = p50;
    state.counters[prefix + "p99_ns"] = p99;
    state.counters[prefix + "p999_ns"] = Percentile(0.999);
    state.counters[prefix + "max_ns"] = v_.empty() ? 0 : static_cast<double>(v_.back());
    state.counters[prefix + "p99_over_p50"] = p50 > 0 ? p99 / p50 : 0;
  }

 private:
  static constexpr size_t kCap = size_t{4} << 20;
  std::vector<int64_t> v_;
  int64_t sum_ = 0;
  int64_t n_ = 0;
  bool sorted_ = false;
};

// Times `f()` with the clock overhead removed (never below 0).
template <typename F>
inline int64_t TimeNs(F&& f) {
  int64_t t0 = NowNs();
  f();
  int64_t t1 = NowNs();
  return std::max<int64_t>(0, t1 - t0 - ClockOverheadNs());
}

// --- The generated center ---------------------------------------------------------

struct CenterParams {
  int agents = 10000;
  int skills = 200;
  int reqs = 2;        // skill requirements per contact (1..3)
  int ready_pct = 20;  // agents ready (the rest: logged in, not ready)
  int home_lo = 5, home_hi = 10;
  int extra_skills = 3;
  int extra_lo = 1, extra_hi = 10;
  int req_level = 5;          // queue step 0: min level of each requirement
  int relax_level = 0;        // > 0: one relaxation step to this level …
  double relax_after_s = 60;  // … after this long in the queue
  bool ring_forever = false;  // offer_timeout = infinite (no offer timers)
  std::string strategy = "longest_idle";
  uint64_t seed = 42;
};

struct Population {
  CenterParams params;
  int queues = 0;
  std::vector<std::vector<SkillRequirement>> queue_reqs;  // sorted, step 0
  std::vector<std::vector<SkillLevel>> agent_skills;      // sorted by skill
  std::vector<int> home;
  std::vector<bool> ready;
};

inline int QueueCount(int agents, int skills) {
  return std::max(1, std::min(skills / 5, agents / 50));
}

inline Population MakePopulation(const CenterParams& p) {
  Population pop;
  pop.params = p;
  pop.queues = QueueCount(p.agents, p.skills);
  std::mt19937_64 rng(p.seed);
  auto uniform = [&rng](int lo, int hi) {
    return static_cast<int>(std::uniform_int_distribution<int>(lo, hi)(rng));
  };
  for (int q = 0; q < pop.queues; ++q) {
    std::vector<SkillRequirement> reqs;
    for (int j = 0; j < p.reqs; ++j) {
      reqs.push_back(
          {SkillId(static_cast<uint32_t>(q * 5 + j)), static_cast<uint8_t>(p.req_level)});
    }
    pop.queue_reqs.push_back(std::move(reqs));
  }
  pop.agent_skills.resize(p.agents);
  pop.home.resize(p.agents);
  pop.ready.resize(p.agents);
  for (int i = 0; i < p.agents; ++i) {
    int home = i % pop.queues;
    pop.home[i] = home;
    std::vector<SkillLevel> s;
    for (int j = 0; j < 5 && home * 5 + j < p.skills; ++j) {
      s.push_back({SkillId(static_cast<uint32_t>(home * 5 + j)),
                   static_cast<uint8_t>(uniform(p.home_lo, p.home_hi))});
    }
    for (int k = 0; k < p.extra_skills && p.skills > 5; ++k) {
      int sk = uniform(0, p.skills - 1);
      if (sk / 5 == home) continue;
      if (std::any_of(s.begin(), s.end(), [&](const SkillLevel& x) {
            return x.skill.value() == static_cast<uint32_t>(sk);
          })) {
        continue;
      }
      s.push_back({SkillId(static_cast<uint32_t>(sk)),
                   static_cast<uint8_t>(uniform(p.extra_lo, p.extra_hi))});
    }
    std::sort(s.begin(), s.end(),
              [](const SkillLevel& a, const SkillLevel& b) { return a.skill < b.skill; });
    pop.agent_skills[i] = std::move(s);
    pop.ready[i] = uniform(0, 99) < p.ready_pct;
  }
  return pop;
}

// --- Populations that do not flatter (`MakeSkewedPopulation`) --------------------
//
// A multi-skill center without the blocks above: `kPopSkills` skills whose
// popularity is either `uniform` (every skill equally likely) or `skewed`
// (Zipf-like: skill k drawn with weight 1 / (k + 1), so skill 0 is held by
// about 3 agents in 4, skill 99 by about 1 in 100). Each agent holds 4-8
// distinct skills drawn from that popularity, at levels 1-10. Each of the Q
// queues (`few` = 20, `many` = 400) needs 1-3 distinct skills drawn from the
// same popularity, each at a minimum level 1-5; so some queues are served by
// most agents and some by very few (or none). `ready_pct` of the agents are
// ready: 100 (every agent logged in and free: a quiet hour, a shift start),
// 5, or 0 (for "an agent frees up"). There are no home queues (`home` is -1).

enum class Popularity { kBlocks, kSkewed, kUniform };

inline constexpr int kPopSkills = 100;

inline Population MakeSkewedPopulation(int agents, int queues, Popularity popularity,
                                       int ready_pct, uint64_t seed = 42) {
  Population pop;
  pop.params.agents = agents;
  pop.params.skills = kPopSkills;
  pop.params.reqs = 3;  // at most; each queue draws 1-3
  pop.params.ready_pct = ready_pct;
  pop.params.seed = seed;
  pop.queues = queues;
  std::mt19937_64 rng(seed);
  auto uniform = [&rng](int lo, int hi) {
    return static_cast<int>(std::uniform_int_distribution<int>(lo, hi)(rng));
  };
  std::vector<double> weight(kPopSkills, 1.0);
  if (popularity == Popularity::kSkewed) {
    for (int k = 0; k < kPopSkills; ++k) weight[k] = 1.0 / (k + 1);
  }
  std::discrete_distribution<int> skill_of(weight.begin(), weight.end());
  // `count` distinct skills drawn by popularity, sorted.
  auto draw = [&](int count) {
    std::vector<int> s;
    while (static_cast<int>(s.size()) < count) {
      int k = skill_of(rng);
      if (std::find(s.begin(), s.end(), k) == s.end()) s.push_back(k);
    }
    std::sort(s.begin(), s.end());
    return s;
  };
  for (int q = 0; q < queues; ++q) {
    std::vector<SkillRequirement> reqs;
    for (int k : draw(uniform(1, 3))) {
      reqs.push_back(
          {SkillId(static_cast<uint32_t>(k)), static_cast<uint8_t>(uniform(1, 5))});
    }
    pop.queue_reqs.push_back(std::move(reqs));
  }
  pop.agent_skills.resize(agents);
  pop.home.assign(agents, -1);
  pop.ready.resize(agents);
  for (int i = 0; i < agents; ++i) {
    std::vector<SkillLevel> s;
    for (int k : draw(uniform(4, 8))) {
      s.push_back(
          {SkillId(static_cast<uint32_t>(k)), static_cast<uint8_t>(uniform(1, 10))});
    }
    pop.agent_skills[i] = std::move(s);
    pop.ready[i] = uniform(0, 99) < ready_pct;
  }
  return pop;
}

// Both sorted by skill id.
inline bool MeetsAll(const std::vector<SkillLevel>& have,
                     const std::vector<SkillRequirement>& need) {
  auto h = have.begin();
  for (const SkillRequirement& r : need) {
    while (h != have.end() && h->skill < r.skill) ++h;
    if (h == have.end() || h->skill != r.skill || h->level < r.level) return false;
  }
  return true;
}

// The engine's time when the center opens: far enough from the epoch that
// waiting contacts can carry arrival times an hour in the past.
inline absl::Time StartTime() { return absl::UnixEpoch() + absl::Hours(24 * 10); }
inline constexpr Micros kLoginSpacingUs = 1000;

inline AgentId AgentIdOf(int i) { return AgentId(static_cast<uint64_t>(i) + 1); }
// Idle-since of agent i, as the engine records it (login time).
inline Micros LoginMicros(int i) {
  return ccengine::ToMicros(StartTime()) + static_cast<Micros>(i) * kLoginSpacingUs;
}

// Remembers the last offer the engine made (a stand-in for the telephony
// adapter, which subscribes to offers only).
struct OfferTap {
  uint64_t offers = 0;
  AgentId agent;
  ContactId contact;
};

struct EngineCenter {
  std::unique_ptr<ccengine::Engine> engine;
  std::vector<QueueId> queues;  // queue q of the population
  QueueId backlog;              // needs a skill nobody has
  std::unique_ptr<OfferTap> tap = std::make_unique<OfferTap>();
};

// Builds the engine for `pop`: skills, queues (plus a "backlog" queue whose
// skill no agent holds), agents logged in 1 ms apart, ready or not as drawn;
// the engine's clock ends one hour after the first login.
inline EngineCenter BuildEngine(const Population& pop,
                                ccengine::EngineOptions options = {}) {
  const CenterParams& p = pop.params;
  EngineCenter c;
  options.start = StartTime();
  c.engine = CheckValue(ccengine::Engine::Create(options), "Engine::Create");
  ccengine::Engine& e = *c.engine;
  for (int s = 0; s < p.skills; ++s) {
    CheckValue(e.AddSkill("s" + std::to_string(s)), "AddSkill");
  }
  SkillId backlog_skill = CheckValue(e.AddSkill("backlog"), "AddSkill");
  for (int q = 0; q < pop.queues; ++q) {
    ccengine::QueueConfig qc;
    qc.name = "q" + std::to_string(q);
    qc.skills = pop.queue_reqs[q];
    if (p.relax_level > 0) {
      std::vector<SkillRequirement> relaxed = pop.queue_reqs[q];
      for (auto& r : relaxed) r.level = static_cast<uint8_t>(p.relax_level);
      qc.relaxation = {{absl::Seconds(p.relax_after_s), relaxed}};
    }
    qc.strategy = p.strategy;
    if (p.ring_forever) qc.offer_timeout = absl::InfiniteDuration();
    c.queues.push_back(CheckValue(e.AddQueue(qc), "AddQueue"));
  }
  ccengine::QueueConfig bq;
  bq.name = "backlog";
  bq.skills = {{backlog_skill, 1}};
  c.backlog = CheckValue(e.AddQueue(bq), "AddQueue backlog");
  for (int i = 0; i < p.agents; ++i) {
    ccengine::AgentConfig a;
    a.id = AgentIdOf(i);
    a.skills = pop.agent_skills[i];
    a.weight = 1.0 + i % 4;  // 1-4, as seniority might be; only weighted_random reads it
    Check(e.AddAgent(std::move(a)), "AddAgent");
  }
  for (int i = 0; i < p.agents; ++i) {
    Check(e.AdvanceTo(absl::FromUnixMicros(LoginMicros(i))), "AdvanceTo");
    Check(e.Login(AgentIdOf(i), pop.ready[i]), "Login");
  }
  Check(e.AdvanceTo(StartTime() + absl::Hours(1)), "AdvanceTo");
  OfferTap* tap = c.tap.get();
  e.Subscribe(
      [tap](const ccengine::Event& ev) {
        tap->offers++;
        tap->agent = ev.agent;
        tap->contact = ev.contact;
      },
      ccengine::EventBit(ccengine::EventType::kOffered));
  return c;
}

inline ContactId WaitingContactId(int64_t j) {
  return ContactId(static_cast<uint64_t>(1'000'000'000 + j));
}
inline int WaitingQueue(int64_t j, int queues) { return static_cast<int>(j % queues); }
inline int WaitingClass(int64_t j) { return j % 10 == 3 ? 1 : 0; }  // 10% VIP
// Waiting contact j of w arrived in the hour before the engine's time, in
// order of j.
inline Micros WaitingArrival(int64_t j, int64_t w, Micros now) {
  const Micros span = 3600LL * 1'000'000;
  return now - span + (w <= 1 ? 0 : j * (span - 1) / w);
}

// Waiting contact j of w as the engine is given it: its queue round-robin,
// 10% in class 1, its arrival from `WaitingArrival`.
inline ccengine::ContactSpec WaitingSpec(const EngineCenter& c, const Population& pop,
                                         int64_t j, int64_t w, Micros now) {
  ccengine::ContactSpec spec;
  spec.id = WaitingContactId(j);
  spec.queue = c.queues[WaitingQueue(j, pop.queues)];
  spec.priority = WaitingClass(j);
  spec.arrived_at = absl::FromUnixMicros(WaitingArrival(j, w, now));
  return spec;
}

// Adds `w` contacts that wait in the population's queues (round-robin, 10%
// in class 1, arrivals spread over the last hour in order). Nobody must be
// able to take them (agents not ready).
inline void AddWaiting(EngineCenter& c, const Population& pop, int64_t w) {
  ccengine::Engine& e = *c.engine;
  const Micros now = e.NowMicros();
  for (int64_t j = 0; j < w; ++j) {
    Check(e.AddContact(WaitingSpec(c, pop, j, w, now)), "AddContact waiting");
  }
}

// Adds `w` contacts to the backlog queue (nobody can serve them).
inline void AddBacklog(EngineCenter& c, int64_t w) {
  ccengine::Engine& e = *c.engine;
  for (int64_t j = 0; j < w; ++j) {
    ccengine::ContactSpec spec;
    spec.id = ContactId(static_cast<uint64_t>(2'000'000'000 + j));
    spec.queue = c.backlog;
    Check(e.AddContact(std::move(spec)), "AddContact backlog");
  }
}

// --- A one-slot cache for big worlds --------------------------------------------

// Google Benchmark calls a benchmark function several times (growing
// iteration counts); building a 100,000-agent center each time would dwarf
// the measurement. The last world built stays alive until a different key is
// asked for (the old one is freed first, so at most one is alive).
template <typename World, typename Key>
class LastWorld {
 public:
  template <typename Build>
  World& Get(const Key& key, Build&& build) {
    if (!world_ || !(key_ == key)) {
      world_.reset();
      world_ = build();
      key_ = key;
    }
    return *world_;
  }
  void Reset() { world_.reset(); }

 private:
  Key key_{};
  std::unique_ptr<World> world_;
};

}  // namespace ccbench

#endif  // CCENGINE_BENCH_BENCH_COMMON_H_
