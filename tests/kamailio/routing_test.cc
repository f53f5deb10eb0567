// The daemon's routing file (ccengine/kamailio/routing.h): routing by flow or
// queue name, a reload in two halves, refusals that keep the running
// version, agents that follow their profile, Route from another thread
// while versions change, and the file's roles on the daemon's commands
// (ccengine/kamailio/access.h).

#include "ccengine/kamailio/routing.h"

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "ccengine/kamailio/access.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ccengine::kamailio {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kRouting[] = R"({
  "format": 1, "skills": ["sales", "support"],
  "queues": [{"name": "sales", "skills": {"sales": 1}, "offer_timeout_s": null},
             {"name": "support", "skills": {"support": 1}, "offer_timeout_s": null}],
  "flows": [{"name": "hotline", "rules": [], "default": {"queue": "sales"}}]
})";

class DaemonRoutingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("daemon_routing_" + std::to_string(::getpid()) + ".json"))
                .string();
    Write(kRouting);
    engine_ = Engine::Create().value();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void Write(const std::string& text) { std::ofstream(path_) << text; }

  std::string path_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(DaemonRoutingTest, RoutesByFlowOrQueueAndReloadsInTwoHalves) {
  auto routing = DaemonRouting::Start(*engine_, path_).value();
  const absl::Time now = absl::Now();
  EXPECT_EQ(routing->Route("hotline", now)->queue, QueueId(0));
  EXPECT_EQ(routing->Route("support", now)->queue, QueueId(1));
  EXPECT_FALSE(routing->Route("billing", now).has_value());
  EXPECT_FALSE(routing->ApplyPending().has_value());  // nothing pending

  Write(absl::StrReplaceAll(kRouting, {{R"("default": {"queue": "sales"})",
                                        R"("default": {"queue": "support"})"}}));
  ASSERT_TRUE(routing->LoadPending().ok());
  EXPECT_EQ(routing->Route("hotline", now)->queue, QueueId(0));  // not applied yet
  EXPECT_THAT(*routing->ApplyPending(), HasSubstr("version 2 ("));
  EXPECT_EQ(routing->Route("hotline", now)->queue, QueueId(1));

  // A file that does not load is refused at once; one that cannot follow
  // the running version is refused when applied; version 2 stays.
  Write("{\"format\": 1");
  EXPECT_FALSE(routing->LoadPending().ok());
  Write(absl::StrReplaceAll(
      kRouting, {{R"("name": "sales", "skills")", R"("name": "presales", "skills")"},
                 {R"({"queue": "sales"})", R"({"queue": "presales"})"}}));
  ASSERT_TRUE(routing->LoadPending().ok());
  EXPECT_THAT(*routing->ApplyPending(), HasSubstr("refused, version 2 stays"));
  EXPECT_EQ(routing->versions().version(), 2u);
  EXPECT_EQ(routing->Route("hotline", now)->queue, QueueId(1));
}

TEST_F(DaemonRoutingTest, TheFilesRolesJudgeTheDaemonsCommandsVersionByVersion) {
  auto routing = DaemonRouting::Start(*engine_, path_).value();
  std::vector<compliance::AccessDecision> decisions;
  auto access =
      DaemonAccess::Attach(*engine_, routing->versions().current()->access_policy(),
                           [&](const compliance::AccessDecision& d) {
                             decisions.push_back(d);
                             return absl::OkStatus();
                           })
          .value();
  uint64_t next = 1;
  auto arrive = [&](uint32_t actor) {
    ContactSpec c;
    c.id = ContactId(next++);
    c.queue = QueueId(0);
    return engine_->Apply(cmd::AddContact{c}, {.actor = actor});
  };
  // The built-in system role: the daemon's traffic, not audited; anyone
  // else is refused.
  EXPECT_TRUE(arrive(access->actor()).ok());
  EXPECT_EQ(arrive(access->actor() + 1).code(), absl::StatusCode::kUnauthenticated);
  ASSERT_EQ(decisions.size(), 1u);
  decisions.clear();

  // A version whose system role no longer takes calls: refused, and said.
  Write(absl::StrReplaceAll(
      kRouting,
      {{R"("flows")",
        R"("access": {"roles": [{"name": "system", "grants": {"agent.state": "all"}}]},
  "flows")"}}));
  ASSERT_TRUE(routing->LoadPending().ok());
  ASSERT_THAT(*routing->ApplyPending(), HasSubstr("version 2 ("));
  const uint32_t before = access->actor();
  ASSERT_TRUE(access->Reload(routing->versions().current()->access_policy()).ok());
  EXPECT_EQ(access->actor(), before);
  const absl::Status refused = arrive(access->actor());
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied) << refused;
  EXPECT_THAT(refused.message(),
              HasSubstr("actor 'ccengine-kamailio' lacks contact.add for AddContact"));
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].actor, "ccengine-kamailio");
  EXPECT_EQ(decisions[0].roles, "system");
  EXPECT_FALSE(decisions[0].allowed);

  // Gone with the daemon: the engine takes commands unjudged again.
  access.reset();
  EXPECT_TRUE(arrive(0).ok());
}

TEST_F(DaemonRoutingTest, FlowsReadTheCallersFactsByTheirTypes) {
  Write(absl::StrReplaceAll(
      kRouting, {{R"("flows":)",
                  R"("attributes": {"ivr.choice": "string", "customer.score": "number",
                          "customer.vip": "bool", "customer.tags": "string list"},
           "flows":)"},
                 {R"("rules": [])",
                  R"("rules": [
           {"name": "nine", "if": "ivr.choice == '9'", "queue": "support"},
           {"name": "score", "if": "customer.score >= 80", "queue": "support", "priority": 3},
           {"name": "vip", "if": "customer.vip", "queue": "support", "priority": 5},
           {"name": "tags", "if": "'gold' in customer.tags", "queue": "support", "priority": 7}])"}}));
  auto routing = DaemonRouting::Start(*engine_, path_).value();
  const absl::Time now = absl::Now();
  using Facts = std::vector<std::pair<std::string, std::string>>;
  std::string ignored = "stale";
  EXPECT_EQ(routing->Route("hotline", now, {}, &ignored)->queue, QueueId(0));
  EXPECT_EQ(ignored, "");
  EXPECT_EQ(routing->Route("hotline", now, Facts{{"ivr.choice", "9"}}, &ignored)->queue,
            QueueId(1));
  EXPECT_EQ(routing->Route("hotline", now, Facts{{"customer.score", "85.5"}})->priority,
            3);
  EXPECT_EQ(routing->Route("hotline", now, Facts{{"customer.vip", "true"}})->priority, 5);
  EXPECT_EQ(
      routing->Route("hotline", now, Facts{{"customer.tags", "silver, gold"}})->priority,
      7);

  // What cannot be read stays unset, is named, and the call is still routed.
  const auto target = routing->Route("hotline", now,
                                     Facts{{"customer.score", "high"},
                                           {"customer.vip", "yes"},
                                           {"time.hour", "3"},
                                           {"shoe.size", "44"},
                                           {"ivr.choice", "9"}},
                                     &ignored);
  ASSERT_TRUE(target.has_value());
  EXPECT_EQ(target->queue, QueueId(1));  // by ivr.choice, the one fact read
  EXPECT_EQ(
      ignored,
      "'customer.score' (not a finite decimal number), 'customer.vip' (not true or "
      "false), "
      "'time.hour' (set by the engine from the call), 'shoe.size' (not an attribute "
      "of the routing file)");
  // Only decimal text: absl::SimpleAtod alone would read hex, "inf" and "nan".
  for (const char* odd : {"inf", "nan", "0x10", "1e999", ".5", "5.", "1e", "--1", " 1"}) {
    EXPECT_EQ(routing->Route("hotline", now, Facts{{"customer.score", odd}}, &ignored)
                  ->priority,
              0)
        << odd;
    EXPECT_EQ(ignored, "'customer.score' (not a finite decimal number)") << odd;
  }
  for (const char* decimal : {"85.5", "+81", "8.1e1", "810E-1"}) {
    EXPECT_EQ(routing->Route("hotline", now, Facts{{"customer.score", decimal}}, &ignored)
                  ->priority,
              3)
        << decimal;
    EXPECT_EQ(ignored, "") << decimal;
  }
}

TEST_F(DaemonRoutingTest, AgentsFollowTheirProfileAcrossReloads) {
  const std::string with_profiles = absl::StrReplaceAll(kRouting, {{R"("flows":)",
                                                                    R"("agent_profiles": [
             {"name": "seller", "skills": {"sales": 5}, "capacity": {"voice": 1}},
             {"name": "helper", "skills": {"support": 6}, "capacity": {"voice": 1}}],
           "flows":)"}});
  Write(with_profiles);
  auto routing = DaemonRouting::Start(*engine_, path_).value();
  const config::AgentProfile* seller =
      routing->versions().current()->FindProfile("seller");
  ASSERT_NE(seller, nullptr);
  for (uint64_t id : {1, 2}) {
    AgentConfig agent;
    agent.id = AgentId{id};
    agent.skills = seller->skills;
    ASSERT_TRUE(engine_->AddAgent(agent).ok());
    routing->FollowProfile(agent.id, "seller");
  }
  AgentConfig other;
  other.id = AgentId{3};
  other.skills = routing->versions().current()->FindProfile("helper")->skills;
  ASSERT_TRUE(engine_->AddAgent(other).ok());
  routing->FollowProfile(other.id, "helper");
  const auto skills = [&](uint64_t id) { return engine_->GetAgent(AgentId{id})->skills; };

  // "seller" learns support; "helper" stays as it was.
  Write(absl::StrReplaceAll(with_profiles,
                            {{R"({"sales": 5})", R"({"sales": 7, "support": 2})"}}));
  ASSERT_TRUE(routing->LoadPending().ok());
  const std::string applied = *routing->ApplyPending();
  EXPECT_THAT(applied, HasSubstr("profile 'seller': skills of 2 agents updated"));
  EXPECT_THAT(applied, Not(HasSubstr("'helper'")));
  const std::vector<SkillLevel> expected = {{SkillId(0), 7}, {SkillId(1), 2}};
  EXPECT_EQ(skills(1), expected);
  EXPECT_EQ(skills(2), expected);
  EXPECT_EQ(skills(3), (std::vector<SkillLevel>{{SkillId(1), 6}}));

  // A version without "seller": its agents keep the skills they have; a
  // capacity other than the one agents started with is named (the engine
  // changes it only at a restart).
  const std::string helper_chat = absl::StrReplaceAll(
      with_profiles, {{R"({"support": 6}, "capacity": {"voice": 1})",
                       R"({"support": 6}, "capacity": {"voice": 1, "chat": 2})"}});
  Write(absl::StrReplaceAll(
      helper_chat,
      {{R"({"name": "seller", "skills": {"sales": 5}, "capacity": {"voice": 1}},)",
        ""}}));
  ASSERT_TRUE(routing->LoadPending().ok());
  const std::string third = *routing->ApplyPending();
  EXPECT_THAT(third, HasSubstr("version 3 ("));
  EXPECT_THAT(third, HasSubstr("profile 'seller' is not in the new version: its 2 agents "
                               "keep their skills"));
  EXPECT_THAT(third,
              HasSubstr("profile 'helper': 1 agents keep the capacity they started "
                        "with until a restart"));
  EXPECT_EQ(skills(1), expected);
  EXPECT_EQ(skills(3), (std::vector<SkillLevel>{{SkillId(1), 6}}));

  // "seller" comes back with the skills its agents already have and a new
  // capacity: no skills change, the capacity is named; "helper" still
  // differs from what its agent started with.
  Write(absl::StrReplaceAll(
      helper_chat,
      {{R"({"sales": 5}, "capacity": {"voice": 1})",
        R"({"sales": 7, "support": 2}, "capacity": {"voice": 1, "chat": 1})"}}));
  ASSERT_TRUE(routing->LoadPending().ok());
  const std::string fourth = *routing->ApplyPending();
  EXPECT_THAT(fourth, HasSubstr("version 4 ("));
  EXPECT_THAT(fourth, Not(HasSubstr("skills of")));
  EXPECT_THAT(fourth,
              HasSubstr("profile 'seller': 2 agents keep the capacity they started "
                        "with until a restart"));
  EXPECT_THAT(fourth, HasSubstr("profile 'helper': 1 agents keep the capacity"));
}

TEST_F(DaemonRoutingTest, AFileNamedYamlIsReadAsYaml) {
  const std::string yaml_path = path_ + ".yaml";
  std::ofstream(yaml_path)
      << "format: 1\n"
         "skills: [sales, support]\n"
         "queues:\n"
         "  - {name: sales, skills: {sales: 1}, offer_timeout_s: null}\n"
         "  - {name: support, skills: {support: 1}, offer_timeout_s: null}\n"
         "flows:\n"
         "  - {name: hotline, rules: [], default: {queue: support}}\n";
  auto started = DaemonRouting::Start(*engine_, yaml_path);
#ifdef CCENGINE_KAMAILIO_HAVE_YAML
  ASSERT_TRUE(started.ok()) << started.status();
  auto routing = *std::move(started);
  EXPECT_EQ(routing->Route("hotline", absl::Now())->queue, QueueId(1));
  // A reload that does not parse names its place in the YAML.
  std::ofstream(yaml_path) << "format: 1\nskills: [sales\n";
  const std::string refused(routing->LoadPending().message());
  EXPECT_THAT(refused, HasSubstr(yaml_path + ": while parsing a flow sequence"));
  EXPECT_THAT(refused, HasSubstr("at 3:1 (byte 25)"));
#else
  EXPECT_THAT(std::string(started.status().message()),
              HasSubstr("this daemon was built without libyaml"));
#endif
  std::filesystem::remove(yaml_path);
}

TEST_F(DaemonRoutingTest, QueuesMustLeaveNoAnswerToKamailio) {
  Write(absl::StrReplaceAll(kRouting, {{R"("support": 1}, "offer_timeout_s": null)",
                                        R"("support": 1}, "offer_timeout_s": 20)"}}));
  EXPECT_THAT(DaemonRouting::Start(*engine_, path_).status().message(),
              HasSubstr("queue 'support': offer_timeout_s must be null under Kamailio"));
  EXPECT_EQ(engine_->queue_count(), 0u);
}

TEST_F(DaemonRoutingTest, RouteFromAnotherThreadWhileVersionsChange) {
  auto routing = DaemonRouting::Start(*engine_, path_).value();
  std::atomic<bool> stop{false};
  std::atomic<int> routed{0};
  std::thread sip([&] {
    while (!stop.load()) {
      auto target = routing->Route("hotline", absl::Now());
      ASSERT_TRUE(target.has_value());
      ASSERT_LT(target->queue.value(), 2u);
      routed.fetch_add(1);
    }
  });
  for (int i = 0; i < 40; ++i) {
    Write(
        absl::StrReplaceAll(kRouting, {{R"("default": {"queue": "sales"})",
                                        i % 2 ? R"("default": {"queue": "sales"})"
                                              : R"("default": {"queue": "support"})"}}));
    ASSERT_TRUE(routing->LoadPending().ok());
    ASSERT_THAT(*routing->ApplyPending(), HasSubstr("version"));
  }
  stop.store(true);
  sip.join();
  EXPECT_EQ(routing->versions().version(), 41u);
  EXPECT_GT(routed.load(), 0);
}

}  // namespace
}  // namespace ccengine::kamailio
