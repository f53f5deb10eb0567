// Shadow evaluation of a candidate routing version (routing_shadow.h): the
// decisions of both versions compared one by one, the canary share, and
// errors that leave the window's figures as they were.

#include "ccengine/config/routing_shadow.h"

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "ccengine/config/routing_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ccengine::config {
namespace {

using ::testing::HasSubstr;
using Facts = std::vector<std::pair<std::string, FactValue>>;

constexpr char kLive[] = R"({
  "format": 1,
  "calendar": {"utc_offset_s": 28800},
  "skills": ["policy", "complaint", "english"],
  "queues": [
    {"name": "policy", "skills": {"policy": 5}},
    {"name": "complaint", "skills": {"complaint": 5}},
    {"name": "english", "skills": {"english": 5}}
  ],
  "attributes": {"ivr.choice": "string", "customer.tier": "string",
                 "contact.language": "string"},
  "flows": [{"name": "hotline",
             "rules": [{"name": "complaint", "if": "ivr.choice == '2'", "queue": "complaint"},
                       {"name": "vip", "if": "customer.tier == 'vip'", "queue": "policy",
                        "priority": 1}],
             "default": {"queue": "policy"}}]
})";

// The candidate: VIPs two classes up, English speakers to the English line
// during office hours.
std::string Candidate() {
  return absl::StrReplaceAll(
      kLive,
      {{R"("queue": "policy",
                        "priority": 1})",
        R"("queue": "policy",
                        "priority": 2})"},
       {R"("rules": [)",
        R"("rules": [{"name": "english", "if": "contact.language == 'en' AND time.hour >= 8 AND time.hour < 20", "queue": "english"},)"}});
}

std::shared_ptr<const RoutingConfig> Load(std::string_view text, std::string name) {
  absl::StatusOr<RoutingConfig> r = LoadRoutingJson(text, name);
  EXPECT_TRUE(r.ok()) << r.status();
  return std::make_shared<const RoutingConfig>(*std::move(r));
}

// Monday 2026-12-07 10:00 Beijing time.
const absl::Time kMorning = absl::FromUnixSeconds(1796572800) + absl::Hours(10);

TEST(RoutingShadowTest, TheSameVersionNeverDiffers) {
  auto live = Load(kLive, "live.json");
  RoutingShadow shadow = RoutingShadow::Create(live, live).value();
  for (uint32_t i = 0; i < 50; ++i) {
    Facts facts = {{"ivr.choice", std::string(i % 3 == 0 ? "2" : "1")}};
    ASSERT_TRUE(
        shadow.Route(ContactId(i), "hotline", facts, Channel::kVoice, kMorning).ok());
  }
  const ShadowReport& r = shadow.report();
  EXPECT_EQ(r.decisions, 50u);
  EXPECT_EQ(r.differing, 0u);
  EXPECT_EQ(r.DifferingShare(), 0.0);
  EXPECT_EQ(r.live_hash, r.candidate_hash);
  EXPECT_EQ((r.rules.at({"hotline", "complaint", "complaint"})), 17u);
  EXPECT_EQ((r.rules.at({"hotline", "default", "default"})), 33u);
}

TEST(RoutingShadowTest, CountsWhatTheCandidateWouldChange) {
  auto live = Load(kLive, "live.json");
  auto candidate = Load(Candidate(), "candidate.json");
  RoutingShadow shadow = RoutingShadow::Create(live, candidate).value();
  auto route = [&](uint32_t id, Facts facts, absl::Time at) {
    absl::StatusOr<FlowTarget> t =
        shadow.Route(ContactId(id), "hotline", facts, Channel::kVoice, at);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? *t : FlowTarget{};
  };
  const FlowTarget vip = route(1, {{"customer.tier", std::string("vip")}}, kMorning);
  EXPECT_EQ(vip.priority, 1);  // routed by the live version
  route(2, {{"contact.language", std::string("en")}}, kMorning);
  route(3, {{"contact.language", std::string("en")}},
        kMorning + absl::Hours(11));  // 21:00
  route(4, {{"ivr.choice", std::string("2")}}, kMorning);
  const ShadowReport r = shadow.TakeReport();
  EXPECT_EQ(r.decisions, 4u);
  EXPECT_EQ(r.differing, 2u);
  EXPECT_EQ(r.other_priority, 1u);
  EXPECT_EQ(r.other_queue, 1u);
  EXPECT_EQ(r.other_skills, 0u);
  EXPECT_EQ((r.queue_moves.at({"policy", "english"})), 1u);
  EXPECT_EQ(r.DifferingShare(), 0.5);
  ASSERT_EQ(r.samples.size(), 2u);
  EXPECT_EQ(r.samples[0].contact, ContactId(1));
  EXPECT_EQ(r.samples[0].live_rule, "vip");
  EXPECT_EQ(r.samples[1].candidate_rule, "english");
  EXPECT_EQ(r.samples[1].candidate_queue, "english");
  EXPECT_NE(r.live_hash, r.candidate_hash);
  EXPECT_EQ(shadow.report().decisions, 0u);  // a new window
}

// Random contacts: the counts agree with each version's own flow, routed
// separately, after every contact; canary contacts get the candidate's target.
TEST(RoutingShadowTest, RandomTrafficAgreesWithEachVersionRoutedAlone) {
  auto live = Load(kLive, "live.json");
  auto candidate = Load(Candidate(), "candidate.json");
  RoutingShadow shadow = RoutingShadow::Create(live, candidate, 0.25).value();
  std::mt19937_64 rng(7);
  const char* choices[] = {"1", "2", "3"};
  const char* tiers[] = {"", "vip", "gold"};
  const char* languages[] = {"zh", "en", "yue"};
  uint64_t differing = 0, canary = 0;
  Bindings a(live->schema()), b(candidate->schema());
  const int kContacts = 20000;
  for (int i = 0; i < kContacts; ++i) {
    Facts facts;
    const std::string choice = choices[rng() % 3], tier = tiers[rng() % 3],
                      language = languages[rng() % 3];
    facts.emplace_back("ivr.choice", choice);
    if (!tier.empty()) facts.emplace_back("customer.tier", tier);
    facts.emplace_back("contact.language", language);
    const absl::Time at = kMorning + absl::Minutes(static_cast<int64_t>(rng() % 1440));
    const ContactId id(static_cast<uint32_t>(rng()));
    absl::StatusOr<FlowTarget> got =
        shadow.Route(id, "hotline", facts, Channel::kVoice, at);
    ASSERT_TRUE(got.ok()) << got.status();

    a.UnsetAll();
    b.UnsetAll();
    for (const auto& [name, value] : facts) {
      SetFact(a, *live->schema().Find(name), value);
      SetFact(b, *candidate->schema().Find(name), value);
    }
    live->SetContactFacts(a, Channel::kVoice, at);
    candidate->SetContactFacts(b, Channel::kVoice, at);
    const FlowTarget& x = live->FindFlow("hotline")->Route(a);
    const FlowTarget& y = candidate->FindFlow("hotline")->Route(b);
    const bool differs = live->queues()[x.queue.value()].name !=
                             candidate->queues()[y.queue.value()].name ||
                         x.priority != y.priority;
    differing += differs;
    const bool in_canary = shadow.InCanary(id);
    canary += in_canary;
    const FlowTarget& expected = in_canary ? y : x;
    EXPECT_EQ(got->queue, expected.queue);
    EXPECT_EQ(got->priority, expected.priority);

    const ShadowReport& r = shadow.report();
    ASSERT_EQ(r.decisions, static_cast<uint64_t>(i + 1));
    ASSERT_EQ(r.differing, differing);
    ASSERT_EQ(r.routed_by_candidate, canary);
    uint64_t moved = 0, ruled = 0;
    for (const auto& [pair, n] : r.queue_moves) moved += n;
    for (const auto& [key, n] : r.rules) ruled += n;
    ASSERT_EQ(moved, r.other_queue);
    ASSERT_EQ(ruled, r.decisions);
    ASSERT_LE(r.samples.size(), kMaxShadowSamples);
  }
  EXPECT_GT(differing, 0u);
  // The canary share by hash: 25% within four standard deviations.
  const double sd = std::sqrt(kContacts * 0.25 * 0.75);
  EXPECT_NEAR(static_cast<double>(canary), kContacts * 0.25, 4 * sd);
}

TEST(RoutingShadowTest, BadFactsChangeNothing) {
  auto live = Load(kLive, "live.json");
  RoutingShadow shadow = RoutingShadow::Create(live, Load(Candidate(), "c.json")).value();
  ASSERT_TRUE(shadow.Route(ContactId(1), "hotline", {}, Channel::kVoice, kMorning).ok());
  struct Case {
    std::string flow;
    Facts facts;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"web", {}, "unknown flow 'web' in the live version (live.json)"},
      {"hotline",
       {{"ivr.chioce", std::string("2")}},
       "facts.ivr.chioce: the live version declares no attribute 'ivr.chioce'"},
      {"hotline",
       {{"ivr.choice", 2.0}},
       "facts.ivr.choice: the live version declares a string, got a number"},
      {"hotline", {{"time.hour", 9.0}}, "facts.time.hour: set for each contact"},
      {"hotline", Facts(kMaxShadowFacts + 1, {"ivr.choice", std::string("1")}),
       "facts: at most 256 per contact, got 257"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(shadow.Route(ContactId(2), c.flow, c.facts, Channel::kVoice, kMorning)
                    .status()
                    .message(),
                HasSubstr(c.message));
  }
  EXPECT_EQ(shadow.report().decisions, 1u);
  EXPECT_EQ(shadow.report().rules.size(), 1u);
}

TEST(RoutingShadowTest, ACandidateMayDropAnAttributeOrAFlow) {
  auto live = Load(kLive, "live.json");
  const std::string without = absl::StrReplaceAll(
      kLive, {{R"(, "customer.tier": "string")", ""},
              {R"({"name": "vip", "if": "customer.tier == 'vip'", "queue": "policy",
                        "priority": 1})",
               R"({"name": "three", "if": "ivr.choice == '3'", "queue": "policy"})"}});
  RoutingShadow shadow = RoutingShadow::Create(live, Load(without, "c.json")).value();
  ASSERT_TRUE(shadow
                  .Route(ContactId(1), "hotline", {{"customer.tier", std::string("vip")}},
                         Channel::kVoice, kMorning)
                  .ok());
  EXPECT_EQ(shadow.report().candidate_fact_mismatches, 1u);
  EXPECT_EQ(shadow.report().other_priority, 1u);

  const std::string renamed =
      absl::StrReplaceAll(kLive, {{R"("name": "hotline")", R"("name": "ivr")"}});
  RoutingShadow other = RoutingShadow::Create(live, Load(renamed, "c.json")).value();
  absl::StatusOr<FlowTarget> t =
      other.Route(ContactId(1), "hotline", {}, Channel::kVoice, kMorning);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(other.report().candidate_without_flow, 1u);
  EXPECT_EQ(other.report().differing, 1u);
  EXPECT_EQ(other.report().samples[0].candidate_rule, "(no such flow)");
}

TEST(RoutingShadowTest, ACanaryMustFitTheLiveEngine) {
  auto live = Load(kLive, "live.json");
  // The English line first: the candidate's ids are not the live engine's.
  const std::string reordered = absl::StrReplaceAll(
      Candidate(), {{R"({"name": "policy", "skills": {"policy": 5}},)",
                     R"({"name": "english", "skills": {"english": 5}},
    {"name": "policy", "skills": {"policy": 5}},)"},
                    {R"(,
    {"name": "english", "skills": {"english": 5}}
  ],)",
                     R"(
  ],)"}});
  EXPECT_TRUE(RoutingShadow::Create(live, Load(Candidate(), "c.json"), 0.1).ok());
  auto misfit = Load(reordered, "reordered.json");
  EXPECT_TRUE(RoutingShadow::Create(live, misfit).ok());  // shadow only: fine
  absl::Status st = RoutingShadow::Create(live, misfit, 0.1).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("in reordered.json flow 'hotline' rule 'english' "
                                      "targets queue 0 'english', which the live version "
                                      "does not have at that index"));
  // A queue added at the end, which the live engine does not have.
  const std::string added = absl::StrReplaceAll(
      Candidate(), {{R"({"name": "english", "skills": {"english": 5}}
  ],)",
                     R"({"name": "english", "skills": {"english": 5}},
    {"name": "cantonese", "skills": {"policy": 3}}
  ],)"},
                    {R"("queue": "english"},)", R"("queue": "cantonese"},)"}});
  EXPECT_THAT(
      RoutingShadow::Create(live, Load(added, "added.json"), 0.1).status().message(),
      HasSubstr("targets queue 3 'cantonese'"));
  EXPECT_THAT(RoutingShadow::Create(live, live, 1.5).status().message(),
              HasSubstr("canary_share: must be in [0, 1], got 1.5"));
  EXPECT_THAT(RoutingShadow::Create(live, nullptr).status().message(),
              HasSubstr("needs a live and a candidate version"));
}

}  // namespace
}  // namespace ccengine::config
