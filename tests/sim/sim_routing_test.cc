// A simulated center whose skills, queues and entry flows come from a routing
// file (sim::WithRouting): the same run as the queues written out by hand,
// flows that route by the calendar, and the scenario's errors.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "ccengine/config/routing_file.h"
#include "ccengine/sim/sim.h"
#include "fmt/format.h"
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

// A queue with opening hours always has a next change: the run still ends
// once every contact has its outcome, and contacts arriving while it is
// closed move on to its overflow queue.
TEST(SimRoutingTest, QueueHoursEndAndCloseTheRun) {
  const std::string text =
      absl::StrReplaceAll(kRouting, {{R"("max_wait_s": 120, "overflow_to": "policy"})",
                                      R"("max_wait_s": 120, "overflow_to": "policy",
     "hours": {"utc_offset_s": 28800, "weekly": {"mon": [["08:00", "09:00"]]}}})"}});
  auto routing = std::make_shared<const config::RoutingConfig>(
      config::LoadRoutingJson(text).value());
  Scenario s = Morning();  // Monday 08:00 to 12:00
  s.agents = {Group("p", 4, "policy"), Group("e", 2, "english")};
  ArrivalSpec english = Stream(0.02);
  english.queue = "english";
  s.arrivals = {english};
  Result r = Simulate(WithRouting(s, routing).value()).value();
  EXPECT_TRUE(r.invariants_ok);
  const auto& to_english = r.queue_intervals["english"];
  ASSERT_EQ(to_english.size(), 8u);
  EXPECT_GT(to_english[0].value.answered + to_english[1].value.answered, 0);
  for (size_t i = 2; i < 8; ++i) EXPECT_EQ(to_english[i].value.answered, 0) << i;
  EXPECT_GT(r.queues["english"].value.overflowed, 0);
  // Every contact is accounted for, in the queue it arrived in.
  const Metrics& e = r.queues["english"].value;
  EXPECT_EQ(e.offered, e.answered + e.abandoned + e.overflowed);
  EXPECT_LT(r.wall_seconds, 5.0);  // not days of hours-of-operation timers
}

// The flow's skills go on top of the stream's; the same skill in both
// needs the higher level.
TEST(SimRoutingTest, FlowSkillsMergeWithTheStreams) {
  const std::string text =
      absl::StrReplaceAll(kRouting, {{R"("queue": "english"}])", R"("queue": "english",
                        "skills": {"policy": 6}}])"}});
  auto routing = std::make_shared<const config::RoutingConfig>(
      config::LoadRoutingJson(text).value());
  Scenario s = Morning();
  s.agents = {Group("p", 4, "policy"), Group("e", 3, "english")};
  ArrivalSpec english = Stream(0.01);
  english.flow = "hotline";
  english.facts["contact.language"] = std::string("en");
  english.skills = {{"policy", 3}};
  s.arrivals = {english};
  Result r = Simulate(WithRouting(s, routing).value()).value();
  // The english agents have policy 4 < 6: nobody qualifies, all abandon
  // or overflow (the queue's max wait).
  const Metrics& e = r.queues["english"].value;
  EXPECT_GT(e.offered, 0);
  EXPECT_EQ(e.answered, 0);
  EXPECT_EQ(e.offered, e.abandoned + e.overflowed);
}

// The file's roles judge the simulated day: with "system" redefined to grant
// less, the first command it no longer grants stops the run, naming the
// simulator's actor and the permission; granting what a day needs runs the
// same day as the built-in role does.
TEST(SimRoutingTest, TheDayRunsUnderTheFilesRolesAsTheSimulatorsActor) {
  auto with_system_role = [](const std::string& grants) {
    const std::string text = absl::StrReplaceAll(
        kRouting,
        {{R"("format": 1,)",
          R"("format": 1, "access": {"roles": [{"name": "system", "grants": {)" + grants +
              "}}]},"}});
    return std::make_shared<const config::RoutingConfig>(
        config::LoadRoutingJson(text).value());
  };
  Scenario s = Morning();
  s.agents = {Group("p", 5, "policy"), Group("e", 2, "english")};
  ArrivalSpec policy = Stream(0.03);
  policy.flow = "hotline";
  policy.callback_after_s = 90;
  s.arrivals = {policy};
  auto run = [&](std::shared_ptr<const config::RoutingConfig> routing) {
    return Simulate(WithRouting(s, std::move(routing)).value());
  };
  const std::string needed =
      R"("agent.state": "all", "contact.add": "all", "contact.abandon": "all", )"
      R"("contact.callback": "all", "contact.complete": "all")";
  const absl::StatusOr<Result> built_in = run(Routing());
  ASSERT_TRUE(built_in.ok()) << built_in.status();
  EXPECT_GT(built_in->queues.at("policy").value.answered, 100);
  EXPECT_GT(built_in->queues.at("policy").value.abandoned, 0);
  const absl::StatusOr<Result> enough = run(with_system_role(needed));
  ASSERT_TRUE(enough.ok()) << enough.status();
  EXPECT_EQ(enough->contacts, built_in->contacts);
  EXPECT_EQ(enough->queues.at("policy").value.answered,
            built_in->queues.at("policy").value.answered);
  EXPECT_EQ(enough->queues.at("policy").value.asa,
            built_in->queues.at("policy").value.asa);
  for (const char* missing : {"agent.state", "contact.add", "contact.abandon",
                              "contact.complete", "contact.callback"}) {
    SCOPED_TRACE(missing);
    std::string grants = needed;
    const std::string entry = fmt::format(R"("{}": "all")", missing);
    grants.replace(grants.find(entry), entry.size(), R"("audit.read": "all")");
    const absl::StatusOr<Result> refused = run(with_system_role(grants));
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied)
        << refused.status();
    EXPECT_THAT(refused.status().message(),
                HasSubstr(fmt::format("actor '{}' lacks {}", kSimulatorActor, missing)));
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
