// Random routing files against models written here: overflow graphs (each
// cycle reported once, from its first queue, and only cycles), and entry flows
// (the first rule that holds wins, as a plain loop over the same facts decides).

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ccengine/config/routing_file.h"
#include "ccengine/core/engine.h"
#include "common/edit_distance.h"
#include "gtest/gtest.h"

namespace ccengine::config {
namespace {

// The cycles of a graph in which each node has at most one successor, each as
// its lowest node: a model by brute force (walk n steps from every node).
std::set<int> CycleStarts(const std::vector<int>& next) {
  std::set<int> out;
  const int n = static_cast<int>(next.size());
  for (int start = 0; start < n; ++start) {
    int at = start;
    for (int step = 0; step < n && at >= 0; ++step) at = next[static_cast<size_t>(at)];
    if (at < 0) continue;
    // `at` is on a cycle: find its lowest member.
    int lowest = at;
    for (int k = next[static_cast<size_t>(at)]; k != at;
         k = next[static_cast<size_t>(k)]) {
      lowest = std::min(lowest, k);
    }
    out.insert(lowest);
  }
  return out;
}

TEST(RoutingRandomTest, OverflowCyclesAreReportedOnceEach) {
  std::mt19937_64 rng(20261205);
  for (int round = 0; round < 2000; ++round) {
    const int n = 1 + static_cast<int>(rng() % 9);
    std::vector<int> next(static_cast<size_t>(n), -1);
    std::vector<std::string> queues;
    for (int i = 0; i < n; ++i) {
      int to =
          static_cast<int>(rng() % static_cast<uint64_t>(n + 2)) - 2;  // -2, -1: none
      if (to == i) to = -1;  // a self overflow has its own message
      next[static_cast<size_t>(i)] = to < 0 ? -1 : to;
      std::string q = absl::StrCat(R"({"name": "q)", i, R"(")");
      if (to >= 0) absl::StrAppend(&q, R"(, "overflow_to": "q)", to, R"(")");
      queues.push_back(q + "}");
    }
    const std::string json = R"({"queues": [)" + absl::StrJoin(queues, ", ") + "]}";
    std::vector<std::string> errors;
    absl::StatusOr<RoutingConfig> loaded = LoadRoutingJson(json, "f.json", &errors);
    const std::set<int> cycles = CycleStarts(next);
    ASSERT_EQ(loaded.ok(), cycles.empty()) << json;
    ASSERT_EQ(errors.size(), cycles.size()) << json;
    std::set<int> reported;
    for (const std::string& e : errors) {
      const size_t at = e.find("/queues/");
      ASSERT_NE(at, std::string::npos) << e;
      reported.insert(std::stoi(e.substr(at + 8)));
      EXPECT_NE(e.find("overflow cycle: "), std::string::npos) << e;
    }
    EXPECT_EQ(reported, cycles) << json;
    if (loaded.ok()) {
      // Whatever the order of targets in the file, the engine builds.
      // A small intake: an engine fills in every slot of it when created.
      EngineOptions options;
      options.intake_capacity = 16;
      EXPECT_TRUE(loaded->CreateEngine(options).ok()) << json;
    }
  }
}

TEST(RoutingRandomTest, TheFirstRuleThatHoldsWins) {
  std::mt19937_64 rng(7);
  const std::vector<std::string> tiers = {"gold", "silver", "none"};
  for (int round = 0; round < 200; ++round) {
    // Rules on two facts, each a threshold on an hour or a tier.
    const int rules = 1 + static_cast<int>(rng() % 12);
    struct Rule {
      bool on_hour;
      int hour;
      std::string tier;
    };
    std::vector<Rule> model;
    std::vector<std::string> texts;
    for (int r = 0; r < rules; ++r) {
      Rule rule{rng() % 2 == 0, static_cast<int>(rng() % 24),
                tiers[rng() % tiers.size()]};
      const std::string condition = rule.on_hour
                                        ? absl::StrCat("time.hour >= ", rule.hour)
                                        : "customer.tier == '" + rule.tier + "'";
      texts.push_back(absl::StrCat(R"({"name": "r)", r, R"(", "if": ")", condition,
                                   R"(", "queue": "q)", r % 3, R"(", "priority": )",
                                   r % 10, "}"));
      model.push_back(rule);
    }
    const std::string json =
        R"({"queues": [{"name": "q0"}, {"name": "q1"}, {"name": "q2"}],
            "attributes": {"customer.tier": "string"},
            "flows": [{"name": "f", "default": {"queue": "q2"}, "rules": [)" +
        absl::StrJoin(texts, ", ") + "]}]}";
    absl::StatusOr<RoutingConfig> loaded = LoadRoutingJson(json);
    ASSERT_TRUE(loaded.ok()) << loaded.status() << json;
    const EntryFlow& flow = *loaded->FindFlow("f");
    Bindings facts(loaded->schema());
    const AttributeId tier = *loaded->schema().Find("customer.tier");
    for (int hour = 0; hour < 24; ++hour) {
      for (const std::string& t : tiers) {
        loaded->SetContactFacts(facts, Channel::kVoice,
                                absl::FromUnixSeconds(int64_t{hour} * 3600));
        facts.SetString(tier, t);
        int expected = -1;
        for (size_t r = 0; r < model.size() && expected < 0; ++r) {
          const bool holds =
              model[r].on_hour ? hour >= model[r].hour : t == model[r].tier;
          if (holds) expected = static_cast<int>(r);
        }
        ASSERT_EQ(flow.Match(facts), expected);
        const FlowTarget& target = flow.Route(facts);
        EXPECT_EQ(target.queue,
                  QueueId(expected < 0 ? 2u : static_cast<uint32_t>(expected % 3)));
        EXPECT_EQ(target.priority, expected < 0 ? 0 : expected % 10);
      }
    }
  }
}

// The banded distance the suggestions use equals the full table's, capped at
// limit + 1, for every pair of short strings over a small alphabet.
TEST(RoutingRandomTest, BoundedEditDistanceIsTheFullDistanceCapped) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 100000; ++round) {
    std::string a, b;
    const int na = static_cast<int>(rng() % 10), nb = static_cast<int>(rng() % 10);
    for (int i = 0; i < na; ++i) a += "abAB"[rng() % 4];
    for (int i = 0; i < nb; ++i) b += "abAB"[rng() % 4];
    const size_t limit = rng() % 6;
    const bool fold = rng() % 2 == 0;
    const size_t full = common::EditDistance(a, b, fold);
    ASSERT_EQ(common::BoundedEditDistance(a, b, limit, fold), std::min(full, limit + 1))
        << a << " " << b << " " << limit;
  }
}

}  // namespace
}  // namespace ccengine::config
