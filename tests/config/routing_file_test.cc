// The routing file (ccengine/config/routing_file.h): the example hotline file
// loads into the queues it declares, builds an engine in which its ids hold,
// and its entry flow sends each kind of caller where the rules say, through
// the engine to an agent of the right profile.

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ccengine/compliance/access.h"
#include "ccengine/config/routing_file.h"
#include "ccengine/core/engine.h"
#include "ccengine/tickets/desk.h"
#include "ccengine/tickets/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ccengine::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kHotline =
    std::string(CCENGINE_SOURCE_DIR) + "/examples/routing/hotline.json";

absl::Time Beijing(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0),
                         absl::FixedTimeZone(8 * 3600));
}

class HotlineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<RoutingConfig> loaded = LoadRoutingFile(kHotline);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    routing_ = std::make_unique<RoutingConfig>(*std::move(loaded));
    flow_ = routing_->FindFlow("hotline");
    ASSERT_NE(flow_, nullptr);
  }

  AttributeId Attr(const char* name) const { return *routing_->schema().Find(name); }

  // The queue a contact with these facts is sent to, by name.
  std::string QueueFor(const Bindings& facts) const {
    return routing_->queues()[flow_->Route(facts).queue.value()].name;
  }

  Bindings Caller(absl::Time at = Beijing(2026, 12, 7, 10, 0)) const {
    Bindings facts(routing_->schema());
    routing_->SetContactFacts(facts, Channel::kVoice, at);
    return facts;
  }

  std::unique_ptr<RoutingConfig> routing_;
  const EntryFlow* flow_ = nullptr;
};

TEST_F(HotlineTest, LoadsWhatTheFileDeclares) {
  EXPECT_EQ(routing_->source_name(), kHotline);
  EXPECT_EQ(routing_->content_hash().size(), 16u);
  EXPECT_THAT(routing_->skills(),
              ElementsAre("policy", "complaint", "emergency", "cantonese", "english"));
  ASSERT_EQ(routing_->queues().size(), 5u);
  const QueueConfig& policy = routing_->queues()[1];
  EXPECT_EQ(policy.name, "政策咨询");
  EXPECT_THAT(policy.skills, ElementsAre(SkillLevel{SkillId(0), 5}));
  ASSERT_EQ(policy.relaxation.size(), 2u);
  EXPECT_EQ(policy.relaxation[1].after, absl::Seconds(90));
  EXPECT_THAT(policy.relaxation[1].skills, ElementsAre(SkillLevel{SkillId(1), 3}));
  EXPECT_EQ(policy.max_wait, absl::Seconds(600));
  EXPECT_EQ(policy.overflow_queue, QueueId(2));
  EXPECT_EQ(policy.wrap_up, absl::Seconds(15));
  EXPECT_EQ(policy.guards.occupancy_cap, 0.95);
  EXPECT_EQ(routing_->queues()[0].strategy, "senior_first");
  EXPECT_EQ(routing_->queues()[0].priority, 2);
  const QueueConfig& english = routing_->queues()[4];
  ASSERT_TRUE(english.hours.has_value());
  EXPECT_EQ(english.hours->utc_offset_s, 28800);  // the file's calendar
  EXPECT_EQ(english.hours->weekly[0].size(), 1u);
  EXPECT_TRUE(english.hours->weekly[5].empty());  // closed on Saturday
  ASSERT_EQ(routing_->strategies().size(), 1u);
  EXPECT_EQ(routing_->strategies()[0].weights.proficiency, 3);
  EXPECT_EQ(routing_->strategies()[0].weights.idle_scale, absl::Minutes(5));
  ASSERT_NE(routing_->FindProfile("english"), nullptr);
  EXPECT_EQ(routing_->FindProfile("english")->capacity.max_per_channel[1], 2);  // chat
  EXPECT_EQ(routing_->FindProfile("english")->capacity.max_per_channel[2], 0);  // email
  EXPECT_EQ(routing_->FindProfile("nobody"), nullptr);
  EXPECT_EQ(routing_->FindQueue("粤语"), QueueId(3));
  EXPECT_EQ(routing_->FindQueue("粤"), std::nullopt);
  EXPECT_EQ(flow_->rules().size(), 6u);
  // Indexed: "english" (an OR of two equalities), "cantonese", "complaint";
  // tried for every contact: keyword and tag ORs, and a bool.
  EXPECT_EQ(flow_->indexed_rules(), 3u);
}

TEST_F(HotlineTest, ItsRetentionSectionSetsThePeriodsAndTheEnginesHistory) {
  const compliance::RetentionPolicy& r = routing_->retention();
  EXPECT_EQ(r.customer_history, absl::Hours(24 * 90));
  EXPECT_EQ(r.tickets, absl::Hours(24 * 1095));
  EXPECT_EQ(r.knowledge_feedback, absl::Hours(24 * 365));
  EXPECT_EQ(r.reports, absl::Hours(24 * 1095));
  EXPECT_EQ(r.audit, absl::Hours(24 * 2190));
  // A file without the section has the policy's defaults.
  absl::StatusOr<RoutingConfig> bare = LoadRoutingJson(R"({"queues": [{"name": "a"}]})");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->retention(), compliance::RetentionPolicy{});

  // The engine keeps a customer's history for the file's 90 days.
  EngineOptions options;
  options.customer_history_retention = absl::Hours(1);  // replaced by the file's
  std::unique_ptr<Engine> engine = routing_->CreateEngine(options).value();
  const QueueId queue = *routing_->FindQueue("政策咨询");
  AgentConfig agent =
      routing_->MakeAgent(AgentId(1), "a1", *routing_->FindProfile("policy"));
  agent.auto_accept = true;
  ASSERT_TRUE(engine->AddAgent(agent).ok());
  ASSERT_TRUE(engine->Login(AgentId(1)).ok());
  ContactSpec c;
  c.id = ContactId(1);
  c.queue = queue;
  c.customer_id = "13912345678";
  ASSERT_TRUE(engine->AddContact(c).ok());
  ASSERT_TRUE(engine->CompleteContact(AgentId(1), ContactId(1)).ok());
  ASSERT_TRUE(engine->AdvanceTo(engine->Now() + absl::Hours(24 * 89)).ok());
  EXPECT_EQ(engine->CustomerHistory("13912345678")->size(), 1u);
  ASSERT_TRUE(engine->AdvanceTo(engine->Now() + absl::Hours(24 * 2)).ok());
  EXPECT_TRUE(engine->CustomerHistory("13912345678")->empty());
}

TEST_F(HotlineTest, ItsAccessSectionGivesThePolicyDepartmentsAndRoles) {
  const compliance::AccessPolicy& policy = routing_->access_policy();
  ASSERT_EQ(policy.departments().size(), 2u);
  EXPECT_EQ(policy.departments()[0].name, "热线一部");
  EXPECT_EQ(policy.departments()[0].tenant, "12345");
  EXPECT_THAT(policy.departments()[0].queues,
              ElementsAre(QueueId(0), QueueId(1), QueueId(2)));
  EXPECT_EQ(policy.DepartmentOfQueue(*routing_->FindQueue("English")),
            policy.FindDepartment("外语组"));
  const int inspector = policy.FindRole("quality_inspector");
  ASSERT_GE(inspector, 0);
  EXPECT_EQ(policy.Grant(inspector, compliance::Permission::kPiiUnmask),
            compliance::Scope::kTenant);
  EXPECT_FALSE(policy.Grant(inspector, compliance::Permission::kAgentState).has_value());
  EXPECT_GE(policy.FindRole("supervisor"), 0) << "the built-in roles stay";
  EXPECT_THAT(policy.personal_fields(), ElementsAre("customer.name", "customer.address"));
  EXPECT_EQ(policy.masker().Mask("customer.name", "张三丰"), "张**");
  EXPECT_EQ(policy.masker().Mask("customer.tier", "回电 13812345678"),
            "回电 138****5678");
  const compliance::AccessSubject english =
      policy.SubjectOfQueue(*routing_->FindQueue("English"), "contact 1");
  EXPECT_EQ(english.department, "外语组");
  EXPECT_EQ(english.tenant, "12345");

  // A supervisor of the foreign-language desk may withdraw a call from the
  // English queue, not from the policy line.
  auto engine = routing_->CreateEngine().value();
  compliance::AccessControl access(policy);
  compliance::ActorSpec lead;
  lead.id = "chen";
  lead.tenant = "12345";
  lead.departments = {"外语组"};
  lead.roles = {{"supervisor"}};
  const uint32_t chen = access.AddActor(lead).value();
  access.Attach(*engine);
  for (uint64_t id : {1, 2}) {
    ContactSpec spec;
    spec.id = ContactId(id);
    spec.queue =
        id == 1 ? *routing_->FindQueue("English") : *routing_->FindQueue("政策咨询");
    ASSERT_TRUE(engine->AddContact(spec).ok());
  }
  EXPECT_TRUE(engine->Apply(cmd::Withdraw{ContactId(1)}, {.actor = chen}).ok());
  EXPECT_EQ(engine->Apply(cmd::Withdraw{ContactId(2)}, {.actor = chen}).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(RoutingFileTest, WithoutAnAccessSectionThePolicyHasTheBuiltInRoles) {
  const RoutingConfig routing =
      LoadRoutingJson(R"({"queues": [{"name": "a"}]})", "f.json").value();
  EXPECT_TRUE(routing.access_policy().departments().empty());
  EXPECT_EQ(routing.access_policy().roles().size(),
            compliance::AccessPolicy::BuiltInRoles().size());
}

TEST_F(HotlineTest, TicketCategoriesFeedATicketDesk) {
  ASSERT_EQ(routing_->ticket_categories().size(), 2u);
  const tickets::TicketCategory& noise = routing_->ticket_categories()[0];
  EXPECT_EQ(noise.name, "noise");
  EXPECT_EQ(noise.department, "城管");
  EXPECT_EQ(routing_->queues()[noise.queue->value()].name, "投诉举报");
  EXPECT_EQ(noise.priority, 1);
  EXPECT_EQ(noise.first_response, absl::Hours(2));
  EXPECT_EQ(noise.resolution, absl::Hours(120));
  ASSERT_TRUE(noise.hours.has_value());
  EXPECT_EQ(noise.hours->utc_offset_s, 8 * 3600);  // the file's calendar
  EXPECT_EQ(routing_->queues()[noise.escalation_queue->value()].name, "紧急求助");
  const tickets::TicketCategory& policy = routing_->ticket_categories()[1];
  EXPECT_EQ(policy.warn_share, 0.9);
  EXPECT_EQ(policy.dedupe_window, absl::Hours(24 * 7));  // the default
  EXPECT_FALSE(policy.hours.has_value());

  // On an engine from the file, a desk takes every category, and a ticket
  // waits in its category's queue.
  EngineOptions engine_options;
  engine_options.start = absl::Now();  // the desk's clock: the wall clock
  std::unique_ptr<Engine> engine = routing_->CreateEngine(engine_options).value();
  tickets::TicketDeskOptions options;
  options.engine = engine.get();
  auto desk = tickets::TicketDesk::Open(tickets::NewMemoryTicketStore(), options).value();
  for (const tickets::TicketCategory& c : routing_->ticket_categories()) {
    ASSERT_TRUE(desk->AddCategory(c).ok()) << c.name;
  }
  tickets::CreateRequest request;
  request.category = "policy_question";
  request.text = "新出台的公积金提取政策如何办理";
  const tickets::CreateResult made = desk->Create(request).value();
  EXPECT_EQ(made.ticket.state, tickets::TicketState::kQueued);
  ASSERT_TRUE(engine->Poll(absl::Now()).ok());
  EXPECT_EQ(engine->GetQueueStats(*routing_->FindQueue("政策咨询"))->waiting, 1u);
}

TEST_F(HotlineTest, TheEngineItBuildsHasTheFilesIds) {
  absl::StatusOr<std::unique_ptr<Engine>> engine = routing_->CreateEngine();
  ASSERT_TRUE(engine.ok()) << engine.status();
  for (size_t i = 0; i < routing_->queues().size(); ++i) {
    EXPECT_EQ((*engine)->FindQueue(routing_->queues()[i].name).value(),
              QueueId(static_cast<uint32_t>(i)));
    absl::StatusOr<QueueConfig> got =
        (*engine)->GetQueueConfig(QueueId(static_cast<uint32_t>(i)));
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->overflow_queue, routing_->queues()[i].overflow_queue);
    EXPECT_EQ(got->strategy, routing_->queues()[i].strategy);
    EXPECT_EQ(got->max_wait, routing_->queues()[i].max_wait);
  }
  for (size_t i = 0; i < routing_->skills().size(); ++i) {
    EXPECT_EQ((*engine)->FindSkill(routing_->skills()[i]).value(),
              SkillId(static_cast<uint32_t>(i)));
  }
  EXPECT_TRUE((*engine)->FindStrategy("senior_first").ok());
}

TEST_F(HotlineTest, ApplyToConfiguresOnlyAnEmptyEngine) {
  std::unique_ptr<Engine> engine = Engine::Create().value();
  ASSERT_TRUE(routing_->ApplyTo(*engine).ok());
  EXPECT_EQ(engine->queue_count(), routing_->queues().size());
  // A second time, or on an engine with skills of its own: refused, unchanged.
  const absl::Status again = routing_->ApplyTo(*engine);
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.message(), HasSubstr("this one has 5 skills and 5 queues"));
  EXPECT_EQ(engine->queue_count(), routing_->queues().size());
  std::unique_ptr<Engine> other = Engine::Create().value();
  ASSERT_TRUE(other->AddSkill("own").ok());
  EXPECT_EQ(routing_->ApplyTo(*other).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(other->skill_count(), 1u);
  EXPECT_EQ(other->queue_count(), 0u);
}

TEST_F(HotlineTest, RulesMatchInOrder) {
  Bindings facts = Caller();
  EXPECT_EQ(QueueFor(facts), "政策咨询");  // no rule: the default
  EXPECT_EQ(flow_->Match(facts), -1);

  facts.SetString(Attr("contact.text"), "家里着火了，紧急！");
  EXPECT_EQ(QueueFor(facts), "紧急求助");
  EXPECT_EQ(flow_->Route(facts).priority, 2);
  facts.SetString(Attr("contact.text"), "A FIRE in the building");  // ASCII case folds
  EXPECT_EQ(QueueFor(facts), "紧急求助");
  facts.SetString(Attr("contact.language"), "en");  // emergency comes first
  EXPECT_EQ(QueueFor(facts), "紧急求助");
  facts.Unset(Attr("contact.text"));
  EXPECT_EQ(QueueFor(facts), "English");
  facts.SetString(Attr("contact.language"), "yue");
  EXPECT_EQ(QueueFor(facts), "粤语");
  facts.Unset(Attr("contact.language"));
  facts.SetString(Attr("ivr.choice"), "2");
  EXPECT_EQ(QueueFor(facts), "投诉举报");
  facts.SetString(Attr("ivr.choice"), "1");
  facts.SetStringList(Attr("customer.tags"), {"elderly"});
  EXPECT_EQ(QueueFor(facts), "政策咨询");
  EXPECT_EQ(flow_->Route(facts).priority, 1);
  EXPECT_TRUE(flow_->Route(facts).prefer_last_agent);
  EXPECT_EQ(flow_->Route(facts).preferred_wait, absl::Seconds(30));
  EXPECT_EQ(flow_->rules()[static_cast<size_t>(flow_->Match(facts))].name, "vip policy");
  facts.Unset(Attr("customer.tags"));
  facts.SetBool(Attr("customer.repeat"), true);
  EXPECT_EQ(flow_->rules()[static_cast<size_t>(flow_->Match(facts))].name,
            "repeat caller");
  EXPECT_EQ(flow_->Route(facts).priority, 0);
}

// A copy of a flow given its rules in another order decides by that order:
// the rules and the compiled conditions change together.
TEST_F(HotlineTest, ReorderedRulesDecideInTheirNewOrder) {
  EntryFlow flow = *flow_;
  std::vector<FlowRule> rules = flow.rules();
  std::reverse(rules.begin(), rules.end());
  flow.SetRules(rules);
  Bindings facts(routing_->schema());
  facts.SetString(Attr("ivr.choice"), "2");
  facts.SetBool(Attr("customer.repeat"), true);
  // Both "complaint" and "repeat caller" hold; the first in each order wins.
  EXPECT_EQ(flow_->rules()[static_cast<size_t>(flow_->Match(facts))].name, "complaint");
  EXPECT_EQ(flow.rules()[static_cast<size_t>(flow.Match(facts))].name, "repeat caller");
  EXPECT_EQ(flow.Target(-1).queue, flow.fallback.queue);
  flow.SetRules({});
  EXPECT_EQ(flow.Match(facts), -1);
}

TEST_F(HotlineTest, TimeFactsAreLocalToTheFilesCalendar) {
  // 2026-10-01 is a Thursday and a holiday; 23:30 in Beijing is 15:30 UTC.
  Bindings facts = Caller(Beijing(2026, 10, 1, 23, 30));
  Bindings other = Caller(Beijing(2026, 10, 5, 0, 5));
  const Schema& schema = routing_->schema();
  const auto check = [&](const Bindings& b, const char* text) {
    return Compile(text, schema).value().Evaluate(b);
  };
  EXPECT_TRUE(check(facts, "time.hour == 23 AND time.minute_of_day == 1410"));
  EXPECT_TRUE(check(facts, "time.weekday == 'thu' AND time.date == '2026-10-01'"));
  EXPECT_TRUE(check(facts, "time.holiday AND contact.channel == 'voice'"));
  EXPECT_TRUE(check(other, "time.hour == 0 AND time.minute_of_day == 5"));
  EXPECT_TRUE(check(other, "time.weekday == 'mon' AND NOT time.holiday"));
  EXPECT_TRUE(check(other, "time.date == '2026-10-05'"));
}

TEST_F(HotlineTest, ACallerReachesAnAgentOfTheRightProfile) {
  EngineOptions options;
  options.start = Beijing(2026, 12, 7, 9, 0);
  std::unique_ptr<Engine> engine = routing_->CreateEngine(options).value();
  std::vector<Event> offers;
  engine->Subscribe([&](const Event& e) { offers.push_back(e); },
                    EventBit(EventType::kOffered));
  const struct {
    AgentId id;
    const char* profile;
  } staff[] = {{AgentId(1), "policy"},
               {AgentId(2), "english"},
               {AgentId(3), "senior"},
               {AgentId(4), "cantonese"}};
  for (const auto& s : staff) {
    ASSERT_TRUE(engine
                    ->AddAgent(routing_->MakeAgent(s.id, s.profile,
                                                   *routing_->FindProfile(s.profile)))
                    .ok());
    ASSERT_TRUE(engine->Login(s.id).ok());
  }
  const auto arrive = [&](uint64_t id, const char* attribute, const char* value) {
    Bindings facts(routing_->schema());
    routing_->SetContactFacts(facts, Channel::kVoice, engine->Now());
    facts.SetString(Attr(attribute), value);
    const FlowTarget& target = flow_->Route(facts);
    return engine->AddContact(
        routing_->MakeContact(ContactId(id), Channel::kVoice, target));
  };
  ASSERT_TRUE(arrive(10, "contact.language", "en").ok());
  ASSERT_TRUE(arrive(11, "contact.text", "紧急情况").ok());
  ASSERT_TRUE(arrive(12, "contact.language", "yue").ok());
  ASSERT_EQ(offers.size(), 3u);
  EXPECT_EQ(offers[0].agent, AgentId(2));  // the English speaker
  EXPECT_EQ(offers[1].agent, AgentId(3));  // the senior, the only emergency skill
  EXPECT_EQ(offers[1].priority, 2);
  EXPECT_EQ(offers[2].agent, AgentId(4));  // the Cantonese speaker
  EXPECT_EQ(offers[2].queue, routing_->FindQueue("粤语"));
}

TEST(RoutingFileTest, ATargetsFallbacksMoveAnUnansweredContactOn) {
  const RoutingConfig routing = LoadRoutingJson(R"({
    "skills": ["policy", "senior"],
    "queues": [{"name": "vip"}, {"name": "general"}],
    "attributes": {"customer.tier": "string"},
    "flows": [{"name": "f",
               "rules": [{"name": "gold", "if": "customer.tier == 'gold'", "queue": "vip",
                          "priority": 3,
                          "fallbacks": [{"after_s": 20, "queue": "general", "priority": 3},
                                        {"after_s": 40, "queue": "general", "priority": 6,
                                         "skills": {"senior": 2}}]}],
               "default": {"queue": "general"}}]})")
                                    .value();
  const EntryFlow* flow = routing.FindFlow("f");
  ASSERT_NE(flow, nullptr);
  Bindings facts(routing.schema());
  routing.SetContactFacts(facts, Channel::kVoice, absl::UnixEpoch());
  facts.SetString(*routing.schema().Find("customer.tier"), "gold");
  const FlowTarget& target = flow->Route(facts);
  ASSERT_EQ(target.fallbacks.size(), 2u);
  EXPECT_EQ(target.fallbacks[0].after, absl::Seconds(20));
  EXPECT_EQ(target.fallbacks[0].queue, routing.FindQueue("general"));
  EXPECT_EQ(target.fallbacks[1].priority, 6);
  EXPECT_EQ(target.fallbacks[1].skills.size(), 1u);

  EngineOptions options;
  options.start = absl::UnixEpoch();
  std::unique_ptr<Engine> engine = routing.CreateEngine(options).value();
  ASSERT_TRUE(
      engine->AddContact(routing.MakeContact(ContactId(1), Channel::kVoice, target))
          .ok());
  ASSERT_TRUE(engine->AdvanceTo(absl::UnixEpoch() + absl::Seconds(60)).ok());
  const ContactSnapshot c = engine->GetContact(ContactId(1)).value();
  EXPECT_EQ(c.queue, routing.FindQueue("general"));
  EXPECT_EQ(c.priority, 6);
  EXPECT_EQ(c.skills, target.fallbacks[1].skills);
  EXPECT_EQ(c.fallbacks_left, 0u);
}

TEST(RoutingFileTest, TheContentHashTellsVersionsApart) {
  const std::string a = R"({"skills": ["s"], "queues": [{"name": "q"}]})";
  const std::string b = R"({"skills": ["s"], "queues": [{"name": "q", "priority": 1}]})";
  const RoutingConfig x = LoadRoutingJson(a).value();
  EXPECT_EQ(x.content_hash(), LoadRoutingJson(a).value().content_hash());
  EXPECT_NE(x.content_hash(), LoadRoutingJson(b).value().content_hash());
  EXPECT_EQ(x.source_name(), "routing.json");
}

TEST(RoutingFileTest, FilesThatCannotBeReadSaySo) {
  EXPECT_EQ(LoadRoutingFile("/nonexistent/routing.json").status().code(),
            absl::StatusCode::kNotFound);
  // A 100 MB file is refused before it is read.
  const std::string path = ::testing::TempDir() + "/huge_routing.json";
  {
    std::ofstream out(path, std::ios::binary);
    out.seekp(100 * 1000 * 1000 - 1);
    out.put('\n');
  }
  absl::StatusOr<RoutingConfig> huge = LoadRoutingFile(path);
  EXPECT_EQ(huge.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(huge.status().message(),
              HasSubstr("the file is 100000000 bytes, more than the limit of 16777216"));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace ccengine::config
