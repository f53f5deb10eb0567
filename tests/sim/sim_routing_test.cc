// A simulated center whose skills, queues and entry flows come from a routing
// file (sim::WithRouting): the same run as the queues written out by hand,
// flows that route by the calendar, and the scenario's errors.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "ccengine/config/routing_file.h"
#include "ccengine/sim/sim.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ccengine::sim {
namespace {

using ::testing::HasSubstr;

constexpr char kRouting[] = R"({
  "format": 1,
  "calendar": {"utc_offset_s": 28800},
  "skills": ["policy", "english"],
  "queues": [
    {"name": "policy", "skills": {"policy": 5}, "sl_seconds": 20, "wrap_up_s": 10,
     "relaxation": [{"after_s": 30, "skills": {"policy": 3}}]},
    {"name": "english", "skills": {"english": 5}, "sl_seconds": 30,
     "max_wait_s": 120, "overflow_to": "policy"}
  ],
  "agent_profiles": [
    {"name": "policy", "skills": {"policy": 7}},
    {"name": "english", "skills": {"english": 8, "policy": 4}}
  ],
  "attributes": {"contact.language": "string"},
  "flows": [{"name": "hotline",
             "rules": [{"name": "english desk",
                        "if": "contact.language == 'en' AND time.hour >= 8 AND time.hour < 20",
                        "queue": "english"}],
             "default": {"queue": "policy"}}]
})";

std::shared_ptr<const config::RoutingConfig> Routing() {
  return std::make_shared<const config::RoutingConfig>(
      config::LoadRoutingJson(kRouting).value());
}

ArrivalSpec Stream(double rate) {
  ArrivalSpec a;
  a.rate_per_s = rate;
  a.handle_time = Distribution::Exponential(150);
  a.patience = Distribution::Exponential(120);
  return a;
}

AgentGroupSpec Group(std::string name, int count, std::string profile,
                     std::vector<SkillNeed> skills = {}) {
  AgentGroupSpec g;
  g.name = std::move(name);
  g.count = count;
  g.profile = std::move(profile);
  g.skills = std::move(skills);
  return g;
}

QueueSpec Queue(std::string name, std::vector<SkillNeed> skills, double sl_seconds) {
  QueueSpec q;
  q.name = std::move(name);
  q.skills = std::move(skills);
  q.sl_seconds = sl_seconds;
  return q;
}

// 08:00 to 12:00 Beijing time.
Scenario Morning() {
  Scenario s;
  s.seed = 9;
  s.horizon_s = 4 * 3600;
  s.report_start = absl::FromUnixSeconds(1796572800) + absl::Hours(8);
  return s;
}

TEST(SimRoutingTest, FlowsRunLikeTheQueuesWrittenOut) {
  Scenario by_file = Morning();
  by_file.agents = {Group("p", 5, "policy"), Group("e", 2, "english")};
  ArrivalSpec policy = Stream(0.03), english = Stream(0.01);
  policy.flow = english.flow = "hotline";
  english.facts["contact.language"] = std::string("en");
  by_file.arrivals = {policy, english};
  absl::StatusOr<Scenario> routed = WithRouting(by_file, Routing());
  ASSERT_TRUE(routed.ok()) << routed.status();

  Scenario by_hand = Morning();
  by_hand.skills = {"policy", "english"};
  by_hand.queues.push_back(Queue("policy", {{"policy", 5}}, 20));
  by_hand.queues.back().relaxation = {{30, {{"policy", 3}}}};
  by_hand.queues.back().wrap_up_s = 10;
  by_hand.queues.push_back(Queue("english", {{"english", 5}}, 30));
  by_hand.queues.back().max_wait_s = 120;
  by_hand.queues.back().overflow_to = "policy";
  by_hand.agents = {Group("p", 5, "", {{"policy", 7}}),
                    Group("e", 2, "", {{"english", 8}, {"policy", 4}})};
  policy.flow = english.flow = "";
  english.facts.clear();
  policy.queue = "policy";
  english.queue = "english";
  by_hand.arrivals = {policy, english};

  Result a = Simulate(*routed).value();
  Result b = Simulate(by_hand).value();
  EXPECT_TRUE(a.invariants_ok);
  EXPECT_GT(a.contacts, 400u);
  EXPECT_EQ(a.contacts, b.contacts);
  for (const char* q : {"policy", "english"}) {
    EXPECT_EQ(a.queues[q].value.offered, b.queues[q].value.offered) << q;
    EXPECT_EQ(a.queues[q].value.answered, b.queues[q].value.answered) << q;
    EXPECT_EQ(a.queues[q].value.overflowed, b.queues[q].value.overflowed) << q;
    EXPECT_EQ(a.queues[q].value.asa, b.queues[q].value.asa) << q;
  }
}

TEST(SimRoutingTest, TimeRulesReadTheEngineClockFromReportStart) {
  Scenario s = Morning();
  s.report_start = *s.report_start + absl::Hours(10);  // 18:00 to 22:00
  s.agents = {Group("p", 3, "policy"), Group("e", 2, "english")};
  ArrivalSpec english = Stream(0.01);
  english.flow = "hotline";
  english.facts["contact.language"] = std::string("en");
  s.arrivals = {english};
  Result r = Simulate(WithRouting(s, Routing()).value()).value();
  const auto& to_english = r.queue_intervals["english"];
  const auto& to_policy = r.queue_intervals["policy"];
  ASSERT_EQ(to_english.size(), 8u);
  for (size_t i = 0; i < 8; ++i) {
    const bool open = i < 4;  // the desk closes at 20:00
    EXPECT_EQ(to_english[i].value.offered > 0, open) << i;
    // Only contacts overflowed from english reach policy while it is open.
    if (!open) {
      EXPECT_GT(to_policy[i].value.offered, 0) << i;
    }
  }
}

TEST(SimRoutingTest, ErrorsNameTheField) {
  Scenario s = Morning();
  s.agents = {Group("a", 1, "senior")};
  ArrivalSpec a = Stream(0.01);
  a.flow = "hotline";
  s.arrivals = {a};
  EXPECT_THAT(WithRouting(s, Routing()).status().message(),
              HasSubstr("agents[0].profile: unknown agent profile 'senior' (the routing "
                        "file has: policy, english)"));
  s.agents = {Group("a", 1, "policy")};
  s.arrivals[0].facts["contact.language"] = 3.0;
  EXPECT_THAT(Simulate(WithRouting(s, Routing()).value()).status().message(),
              HasSubstr("arrivals[0].facts.contact.language: the routing file declares a "
                        "string, got a number"));
  s.arrivals[0].facts.clear();
  s.arrivals[0].flow = "web";
  EXPECT_THAT(CheckScenario(WithRouting(s, Routing()).value()).message(),
              HasSubstr("arrivals[0].flow: unknown flow 'web' (the routing file has: "
                        "hotline)"));
  // A scenario whose queues are not the file's, though it names one.
  Scenario mixed = WithRouting(s, Routing()).value();
  mixed.queues.pop_back();
  EXPECT_THAT(CheckScenario(mixed).message(),
              HasSubstr("the scenario's skills and queues are not the routing file's"));
  s.skills = {"policy"};
  EXPECT_THAT(WithRouting(s, Routing()).status().message(),
              HasSubstr("skills: the routing file declares the skills; list none here"));
  EXPECT_THAT(WithRouting(s, nullptr).status().message(), HasSubstr("no routing file"));
}

}  // namespace
}  // namespace ccengine::sim
