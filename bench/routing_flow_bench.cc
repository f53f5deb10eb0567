// The cost of an entry flow (ccengine/config/routing_file.h) deciding an
// arriving contact, against a hand-written C++ `if` chain of the same rules
// in the same binary.
//
// Workload: a flow of 100 rules, five kinds in turn, over 1,024 contacts.
// `rules` picks the kinds:
//   rules:0  as a hotline writes them, no keyword search: a customer segment;
//            an IVR choice on voice; a language among two; a customer tier
//            with a tag; an hour band outside holidays for a region. Every
//            rule has an equality part the flow indexes by (the language's
//            own overhead shows: no substring search hides it)
//   rules:1  the same with the segment rules replaced by a keyword in the
//            contact's text (CONTAINS: the search dominates both sides)
//   rules:2  number ranges and tags: a value band; a tag (HAS); an hour band
//            outside holidays with a value band; a tag with a value band; a
//            value band outside holidays (the flow indexes the bands)
//   rules:3  the same conditions written so that nothing can be indexed
//            (`NOT (customer.value < lo) AND NOT (customer.value >= hi)`):
//            every rule is tried — the worst case for the flow
// and `mixed` the contacts:
//   mixed:0  no rule holds: every rule is tried (the worst case)
//   mixed:1  each contact holds one rule, uniform over the 100
//   BM_Flow      EntryFlow::Match on facts already bound
//   BM_FlowBind  the same with the facts bound per contact first (what an
//                arrival costs in full: SetContactFacts and the SetString /
//                SetNumber / SetStringList calls, then Match)
//   BM_IfChain   a chain of 100 `if`s over a plain struct, the conditions
//                written out by a template per rule (the rule kinds fixed at
//                compile time, the constants in a table made before the run,
//                the same case-folding CONTAINS)
// Counters: items_per_second (contacts decided).
//
// Thread safety: each benchmark uses its own data.

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "bench_util.h"
#include "benchmark/benchmark.h"
#include "ccengine/config/routing_file.h"
#include "fmt/format.h"

namespace {

namespace config = ccengine::config;

constexpr int kRules = 100;
constexpr std::array<std::string_view, 20> kKeywordList = {
    "火灾", "紧急",   "燃气泄漏", "fire", "急救", "坍塌",     "溺水",
    "爆炸", "hazard", "停电",     "积水", "漏水", "电梯困人", "stuck",
    "中毒", "触电",   "smoke",    "血",   "help", "救命"};

// The facts of one contact, for the hand-written chain.
struct Facts {
  std::string channel, text, language, tier, region, choice, segment;
  std::vector<std::string> tags;
  double hour = 0;
  double value = 0;
  bool holiday = false;
};

bool ContainsFoldingAscii(std::string_view s, std::string_view t) {
  const auto fold = [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
  };
  if (t.size() > s.size()) return false;
  for (size_t i = 0; i + t.size() <= s.size(); ++i) {
    size_t k = 0;
    while (k < t.size() && fold(s[i + k]) == fold(t[k])) ++k;
    if (k == t.size()) return true;
  }
  return false;
}

enum Shape { kComparisons = 0, kKeywords = 1, kRanges = 2, kUnindexed = 3 };
Shape g_shape = kComparisons;  // set by Get before a benchmark runs

// Rule I's parameters: kind I % 5, band I / 5 (0..19).
std::string Choice(int band) { return fmt::format("{}", band); }
std::string Language(int band, char which) { return fmt::format("l{}{}", band, which); }
std::string Tier(int band) { return fmt::format("t{}", band); }
std::string Tag(int band) { return fmt::format("g{}", band); }
std::string Region(int band) { return fmt::format("r{}", band); }
std::string Segment(int band) { return fmt::format("k{}", band); }
int Hour(int band) { return band % 24; }
// kRanges, kUnindexed: rule I's value band [Low(I), Low(I) + 500), disjoint from the
// others'; a contact that holds no rule has a value above them all.
double Low(int rule) { return 1000.0 * rule; }
constexpr double kNoBandValue = 1e9;

std::string RuleText(int i) {
  const int band = i / 5;
  if (g_shape == kRanges || g_shape == kUnindexed) {
    // The same bounds, read by the index or hidden from it behind NOT.
    const auto range = [](std::string_view attr, double lo, double hi) {
      return g_shape == kRanges
                 ? fmt::format("{} >= {} AND {} < {}", attr, lo, attr, hi)
                 : fmt::format("NOT ({} < {}) AND NOT ({} >= {})", attr, lo, attr, hi);
    };
    std::string value = range("customer.value", Low(i), Low(i) + 500);
    switch (i % 5) {
      case 0: return value;
      case 1: return fmt::format("customer.tags HAS '{}'", Tag(band));
      case 2:
        return fmt::format("{} AND NOT time.holiday AND {}",
                           range("time.hour", Hour(band), Hour(band) + 1), value);
      case 3: return fmt::format("customer.tags HAS '{}' AND {}", Tier(band), value);
      default: return fmt::format("NOT time.holiday AND {}", value);
    }
  }
  switch (i % 5) {
    case 0:
      return g_shape == kKeywords
                 ? fmt::format("contact.text CONTAINS '{}'", kKeywordList[band])
                 : fmt::format("customer.segment == '{}'", Segment(band));
    case 1: return fmt::format("ivr.choice == '{}' AND contact.channel == 'voice'", band);
    case 2:
      return fmt::format("contact.language IN ['{}', '{}']", Language(band, 'a'),
                         Language(band, 'b'));
    case 3:
      return fmt::format("customer.tier == '{}' AND customer.tags HAS '{}'", Tier(band),
                         Tag(band));
    default:
      return fmt::format(
          "time.hour >= {} AND time.hour < {} AND NOT time.holiday AND customer.region "
          "== '{}'",
          Hour(band), Hour(band) + 1, Region(band));
  }
}

// Each band's constants, made once before any benchmark runs (a namespace
// scope table: no guard on the chain's path).
struct Band {
  std::string choice, la, lb, tier, tag, region, segment;
};
const std::array<Band, kRules / 5> kBands = [] {
  std::array<Band, kRules / 5> out;
  for (int b = 0; b < kRules / 5; ++b) {
    out[static_cast<size_t>(b)] = {Choice(b), Language(b, 'a'), Language(b, 'b'), Tier(b),
                                   Tag(b),    Region(b),        Segment(b)};
  }
  return out;
}();

bool HasTag(const Facts& f, const std::string& tag) {
  for (const std::string& t : f.tags) {
    if (t == tag) return true;
  }
  return false;
}

// The hand-written chain: rule I's condition with its constants in the code;
// `S` picks the kinds of rule at compile time.
template <Shape S, int I>
bool Rule(const Facts& f) {
  constexpr int band = I / 5;
  const Band& c = kBands[band];
  if constexpr (S == kRanges || S == kUnindexed) {
    const bool value = f.value >= Low(I) && f.value < Low(I) + 500;
    if constexpr (I % 5 == 0) {
      return value;
    } else if constexpr (I % 5 == 1) {
      return HasTag(f, c.tag);
    } else if constexpr (I % 5 == 2) {
      return f.hour >= Hour(band) && f.hour < Hour(band) + 1 && !f.holiday && value;
    } else if constexpr (I % 5 == 3) {
      return HasTag(f, c.tier) && value;
    } else {
      return !f.holiday && value;
    }
  } else if constexpr (I % 5 == 0) {
    if constexpr (S == kKeywords) {
      return ContainsFoldingAscii(f.text, kKeywordList[band]);
    } else {
      return f.segment == c.segment;
    }
  } else if constexpr (I % 5 == 1) {
    return f.choice == c.choice && f.channel == "voice";
  } else if constexpr (I % 5 == 2) {
    // Two fields of the band's table (clang-tidy reads the template as one).
    return f.language == c.la || f.language == c.lb;  // NOLINT(misc-redundant-expression)
  } else if constexpr (I % 5 == 3) {
    return f.tier == c.tier && HasTag(f, c.tag);
  } else {
    return f.hour >= Hour(band) && f.hour < Hour(band) + 1 && !f.holiday &&
           f.region == c.region;
  }
}

template <Shape S, int... Is>
int ChainOf(const Facts& f, std::integer_sequence<int, Is...>) {
  int matched = -1;
  (void)((Rule<S, Is>(f) && ((matched = Is), true)) || ...);
  return matched;
}

template <Shape S>
int Chain(const Facts& f) {
  return ChainOf<S>(f, std::make_integer_sequence<int, kRules>());
}

int IfChain(const Facts& f) {
  switch (g_shape) {
    case kComparisons: return Chain<kComparisons>(f);
    case kKeywords: return Chain<kKeywords>(f);
    case kRanges: return Chain<kRanges>(f);
    case kUnindexed: return Chain<kUnindexed>(f);
  }
  return -1;
}

// Facts that hold rule `rule` alone (or none, for -1): each fact set to a
// value no other rule names, then the rule's own facts set.
Facts FactsFor(int rule, std::mt19937_64& rng) {
  Facts f;
  f.channel = "voice";
  f.text = "市民反映小区门口道路破损多日无人维修，希望尽快处理";
  f.language = "zh";
  f.tier = "normal";
  f.region = "r99";
  f.segment = "k99";
  f.choice = fmt::format("{}", 50 + rng() % 40);
  f.tags = {"x1", "x2"};
  f.hour = static_cast<double>(rng() % 24);
  f.value = kNoBandValue;
  f.holiday = false;
  if (rule < 0) return f;
  const int band = rule / 5;
  if (g_shape == kRanges || g_shape == kUnindexed) {
    if (rule % 5 != 1) f.value = Low(rule) + 250;
    if (rule % 5 == 1) f.tags.push_back(Tag(band));
    if (rule % 5 == 2) f.hour = Hour(band);
    if (rule % 5 == 3) f.tags.push_back(Tier(band));
    return f;
  }
  switch (rule % 5) {
    case 0:
      if (g_shape == kKeywords) {
        f.text += kKeywordList[static_cast<size_t>(band)];
      } else {
        f.segment = Segment(band);
      }
      break;
    case 1: f.choice = Choice(band); break;
    case 2: f.language = Language(band, rng() % 2 == 0 ? 'a' : 'b'); break;
    case 3:
      f.tier = Tier(band);
      f.tags.push_back(Tag(band));
      break;
    default:
      f.hour = Hour(band);
      f.region = Region(band);
      break;
  }
  return f;
}

struct Workload {
  config::RoutingConfig routing;
  const config::EntryFlow* flow = nullptr;
  std::vector<Facts> facts;
  std::vector<config::Bindings> bound;
  std::vector<int> expected;
  config::AttributeId text = 0, language = 0, tier = 0, region = 0, choice = 0, tags = 0,
                      segment = 0, value = 0;
};

config::RoutingConfig Load() {
  std::string rules;
  for (int i = 0; i < kRules; ++i) {
    rules += fmt::format(R"({}{{"name": "r{}", "if": "{}", "queue": "q{}"}})",
                         i > 0 ? ", " : "", i, RuleText(i), i % 10);
  }
  std::string queues;
  for (int q = 0; q < 10; ++q)
    queues += fmt::format(R"({}{{"name": "q{}"}})", q > 0 ? ", " : "", q);
  const std::string json = fmt::format(
      R"({{"queues": [{}], "attributes": {{"contact.text": "string", "contact.language": "string",
          "customer.tier": "string", "customer.region": "string", "ivr.choice": "string",
          "customer.segment": "string", "customer.value": "number",
          "customer.tags": "string list"}},
          "flows": [{{"name": "hotline", "default": {{"queue": "q0"}}, "rules": [{}]}}]}})",
      queues, rules);
  absl::StatusOr<config::RoutingConfig> routing = config::LoadRoutingJson(json);
  if (!routing.ok()) ccbench::Die(routing.status());
  return *std::move(routing);
}

void Bind(const Workload& w, const Facts& f, config::Bindings& b) {
  // Noon on a working day; the hour fact is then overwritten with the contact's.
  w.routing.SetContactFacts(b, ccengine::Channel::kVoice,
                            absl::FromUnixSeconds(1'796'000'000));
  b.SetString(w.text, f.text);
  b.SetString(w.language, f.language);
  b.SetString(w.tier, f.tier);
  b.SetString(w.region, f.region);
  b.SetString(w.choice, f.choice);
  b.SetString(w.segment, f.segment);
  b.SetNumber(w.value, f.value);
  b.SetStringList(w.tags, f.tags);
  b.SetNumber(*w.routing.schema().Find("time.hour"), f.hour);
  b.SetBool(*w.routing.schema().Find("time.holiday"), f.holiday);
}

// The workload of a benchmark's arguments (mixed, rules); the benchmarks of
// one program run one after another, so the shape is set before each.
const Workload& Get(const benchmark::State& state) {
  const bool mixed = state.range(0) == 1;
  g_shape = static_cast<Shape>(state.range(1));
  static Workload* workloads[8] = {};
  Workload*& w = workloads[(mixed ? 1 : 0) + 2 * static_cast<int>(g_shape)];
  if (w != nullptr) return *w;
  w = new Workload();
  w->routing = Load();
  w->flow = w->routing.FindFlow("hotline");
  const config::Schema& s = w->routing.schema();
  w->text = *s.Find("contact.text");
  w->language = *s.Find("contact.language");
  w->tier = *s.Find("customer.tier");
  w->region = *s.Find("customer.region");
  w->choice = *s.Find("ivr.choice");
  w->tags = *s.Find("customer.tags");
  w->segment = *s.Find("customer.segment");
  w->value = *s.Find("customer.value");
  std::mt19937_64 rng(mixed ? 2 : 1);
  for (int i = 0; i < 1024; ++i) {
    const int rule = mixed ? static_cast<int>(rng() % kRules) : -1;
    w->facts.push_back(FactsFor(rule, rng));
    w->bound.emplace_back(s);
    Bind(*w, w->facts.back(), w->bound.back());
    w->expected.push_back(rule);
    // Both sides must agree with the rule the facts were made for.
    if (w->flow->Match(w->bound.back()) != rule || IfChain(w->facts.back()) != rule) {
      ccbench::Die(
          absl::InternalError(fmt::format("contact {} does not hold rule {}", i, rule)));
    }
  }
  return *w;
}

void BM_Flow(benchmark::State& state) {
  const Workload& w = Get(state);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(w.flow->Match(w.bound[i]));
    i = (i + 1) & 1023;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_FlowBind(benchmark::State& state) {
  const Workload& w = Get(state);
  config::Bindings b(w.routing.schema());
  size_t i = 0;
  for (auto _ : state) {
    Bind(w, w.facts[i], b);
    benchmark::DoNotOptimize(w.flow->Match(b));
    i = (i + 1) & 1023;
  }
  state.SetItemsProcessed(state.iterations());
}

template <Shape S>
void IfChainLoop(benchmark::State& state, const Workload& w) {
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(Chain<S>(w.facts[i]));
    i = (i + 1) & 1023;
  }
}

void BM_IfChain(benchmark::State& state) {
  const Workload& w = Get(state);
  switch (g_shape) {
    case kComparisons: IfChainLoop<kComparisons>(state, w); break;
    case kKeywords: IfChainLoop<kKeywords>(state, w); break;
    case kRanges: IfChainLoop<kRanges>(state, w); break;
    case kUnindexed: IfChainLoop<kUnindexed>(state, w); break;
  }
  state.SetItemsProcessed(state.iterations());
}

void Shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"mixed", "rules"})->ArgsProduct({{0, 1}, {0, 1, 2, 3}});
}

BENCHMARK(BM_Flow)->Apply(Shapes);
BENCHMARK(BM_FlowBind)->Apply(Shapes);
BENCHMARK(BM_IfChain)->Apply(Shapes);

}  // namespace
