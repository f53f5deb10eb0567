// Versions of a routing file on a live engine (ccengine/config/routing_versions.h):
// a reload changes queues under waiting contacts, adds skills and queues,
// refuses an incompatible file whole, and a rollback returns to the earlier
// content as a new version; every change is recorded once.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/config/routing_versions.h"
#include "ccengine/core/engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ccengine::config {
namespace {

using ::testing::HasSubstr;

// Version 1: policy needs level 5; a junior agent (level 3) cannot take it.
constexpr const char* kV1 = R"({
  "skills": ["policy", "complaint"],
  "strategies": [{"name": "mine", "proficiency": 2}],
  "queues": [{"name": "policy", "skills": {"policy": 5}, "strategy": "mine"},
             {"name": "complaint", "skills": {"complaint": 5}}]
})";
// Version 2: policy relaxes to level 3 after 30 s and is VIP-class; a skill
// and a queue are added at the end.
constexpr const char* kV2 = R"({
  "skills": ["policy", "complaint", "english"],
  "strategies": [{"name": "mine", "proficiency": 2}],
  "queues": [{"name": "policy", "skills": {"policy": 5}, "priority": 1, "strategy": "mine",
              "relaxation": [{"after_s": 30, "skills": {"policy": 3}}]},
             {"name": "complaint", "skills": {"complaint": 5}, "overflow_to": "English",
              "max_wait_s": 600},
             {"name": "English", "skills": {"english": 5}}]
})";

RoutingConfig Load(const char* json, const char* name) {
  absl::StatusOr<RoutingConfig> loaded = LoadRoutingJson(json, name);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return *std::move(loaded);
}

class VersionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = Engine::Create().value();
    absl::StatusOr<std::unique_ptr<RoutingVersions>> started =
        RoutingVersions::Start(*engine_, Load(kV1, "v1.json"),
                               [this](const RoutingChange& c) { changes_.push_back(c); });
    ASSERT_TRUE(started.ok()) << started.status();
    versions_ = *std::move(started);
    engine_->Subscribe([this](const Event& e) { offers_.push_back(e); },
                       EventBit(EventType::kOffered));
    // A junior agent, and a contact waiting in policy for a minute.
    AgentConfig junior;
    junior.id = AgentId(1);
    junior.skills = {{SkillId(0), 3}};
    ASSERT_TRUE(engine_->AddAgent(junior).ok());
    ASSERT_TRUE(engine_->Login(AgentId(1)).ok());
    ContactSpec waiting;
    waiting.id = ContactId(9);
    waiting.queue = QueueId(0);
    ASSERT_TRUE(engine_->AddContact(waiting).ok());
    ASSERT_TRUE(engine_->AdvanceTo(engine_->Now() + absl::Seconds(60)).ok());
    ASSERT_TRUE(offers_.empty());
  }

  std::unique_ptr<Engine> engine_;
  std::unique_ptr<RoutingVersions> versions_;
  std::vector<RoutingChange> changes_;
  std::vector<Event> offers_;
};

TEST_F(VersionsTest, StartIsVersionOne) {
  EXPECT_EQ(versions_->version(), 1u);
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_EQ(changes_[0].from_version, 0u);
  EXPECT_EQ(changes_[0].to_version, 1u);
  EXPECT_EQ(changes_[0].from_hash, "");
  EXPECT_EQ(changes_[0].to_hash, versions_->current()->content_hash());
  EXPECT_EQ(changes_[0].source, "v1.json");
  EXPECT_EQ(versions_->Rollback().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(versions_->version(), 1u);
}

TEST_F(VersionsTest, AReloadReevaluatesWaitingContactsAndAddsAtTheEnd) {
  const std::string v1_hash = versions_->current()->content_hash();
  ASSERT_TRUE(versions_->Reload(Load(kV2, "v2.json")).ok());
  EXPECT_EQ(versions_->version(), 2u);
  // The waiting contact has waited 60 s: under the new rules the junior
  // agent qualifies at once.
  ASSERT_EQ(offers_.size(), 1u);
  EXPECT_EQ(offers_[0].contact, ContactId(9));
  EXPECT_EQ(offers_[0].agent, AgentId(1));
  EXPECT_EQ(engine_->skill_count(), 3u);
  EXPECT_EQ(engine_->FindQueue("English").value(), QueueId(2));
  EXPECT_EQ(engine_->GetQueueConfig(QueueId(0))->priority, 1);
  EXPECT_EQ(engine_->GetQueueConfig(QueueId(1))->overflow_queue, QueueId(2));
  ASSERT_EQ(changes_.size(), 2u);
  EXPECT_EQ(changes_[1].from_version, 1u);
  EXPECT_EQ(changes_[1].to_version, 2u);
  EXPECT_EQ(changes_[1].from_hash, v1_hash);
  EXPECT_EQ(changes_[1].to_hash, versions_->current()->content_hash());
  EXPECT_FALSE(changes_[1].rollback);
  EXPECT_EQ(versions_->history().size(), 2u);
}

TEST_F(VersionsTest, AnIncompatibleFileChangesNothing) {
  const std::shared_ptr<const RoutingConfig> before = versions_->current();
  const RoutingConfig renamed = Load(R"({
    "skills": ["complaint", "policy"],
    "strategies": [{"name": "mine", "proficiency": 3}],
    "queues": [{"name": "policy"}, {"name": "complaints"}]})",
                                     "bad.json");
  const absl::Status refused = versions_->Reload(renamed);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("bad.json cannot follow version 1"));
  EXPECT_THAT(
      refused.message(),
      HasSubstr("skill 0 is \"policy\" in the engine but \"complaint\" in bad.json"));
  EXPECT_THAT(refused.message(), HasSubstr("skill 1 is \"complaint\""));
  EXPECT_THAT(refused.message(),
              HasSubstr("queue 1 is \"complaint\" in the engine but \"complaints\""));
  EXPECT_THAT(refused.message(), HasSubstr("strategy \"mine\" has other weights"));
  EXPECT_EQ(versions_->version(), 1u);
  EXPECT_EQ(versions_->current(), before);
  EXPECT_EQ(changes_.size(), 1u);
  EXPECT_EQ(engine_->skill_count(), 2u);
  EXPECT_EQ(engine_->GetQueueConfig(QueueId(0))->skills.size(), 1u);
  EXPECT_TRUE(offers_.empty());
}

TEST_F(VersionsTest, ARollbackReturnsToTheEarlierContentAsANewVersion) {
  const std::string v1_hash = versions_->current()->content_hash();
  ASSERT_TRUE(versions_->Reload(Load(kV2, "v2.json")).ok());
  const std::string v2_hash = versions_->current()->content_hash();
  ASSERT_TRUE(versions_->Rollback().ok());
  EXPECT_EQ(versions_->version(), 3u);
  EXPECT_EQ(versions_->current()->content_hash(), v1_hash);
  EXPECT_EQ(engine_->GetQueueConfig(QueueId(0))->priority, 0);
  EXPECT_TRUE(engine_->GetQueueConfig(QueueId(0))->relaxation.empty());
  EXPECT_FALSE(engine_->GetQueueConfig(QueueId(1))->overflow_queue.has_value());
  // The queue version 2 added stays in the engine as it was.
  EXPECT_EQ(engine_->queue_count(), 3u);
  ASSERT_EQ(changes_.size(), 3u);
  EXPECT_TRUE(changes_[2].rollback);
  EXPECT_EQ(changes_[2].from_hash, v2_hash);
  EXPECT_EQ(changes_[2].to_hash, v1_hash);
  // Nothing earlier than version 1's content remains.
  EXPECT_EQ(versions_->Rollback().code(), absl::StatusCode::kFailedPrecondition);
  // And reloading forward again works from there.
  ASSERT_TRUE(versions_->Reload(Load(kV2, "v2.json")).ok());
  EXPECT_EQ(versions_->version(), 4u);
}

TEST_F(VersionsTest, OnlyTheLastVersionsAreKeptToReturnTo) {
  for (int i = 0; i < 40; ++i) {
    const std::string json = std::string(R"({"skills": ["policy", "complaint"],
        "strategies": [{"name": "mine", "proficiency": 2}],
        "queues": [{"name": "policy", "priority": )") +
                             std::to_string(i % 10) + R"(}]})";
    ASSERT_TRUE(versions_->Reload(Load(json.c_str(), "v.json")).ok());
  }
  int rollbacks = 0;
  while (versions_->Rollback().ok()) ++rollbacks;
  EXPECT_EQ(rollbacks, static_cast<int>(RoutingVersions::kMaxKeptVersions) - 1);
  EXPECT_EQ(versions_->history().size(), 1u + 40u + static_cast<size_t>(rollbacks));
}

TEST_F(VersionsTest, TheCallbackSeesTheNewVersion) {
  std::vector<std::string> seen;
  std::unique_ptr<Engine> engine = Engine::Create().value();
  RoutingVersions* versions_seen = nullptr;
  auto versions =
      RoutingVersions::Start(*engine, Load(kV1, "v1.json"), [&](const RoutingChange& c) {
        if (versions_seen == nullptr) return;
        EXPECT_EQ(versions_seen->version(), c.to_version);
        seen.push_back(versions_seen->current()->content_hash());
        EXPECT_EQ(seen.back(), c.to_hash);
      }).value();
  versions_seen = versions.get();
  ASSERT_TRUE(versions->Reload(Load(kV2, "v2.json")).ok());
  ASSERT_TRUE(versions->Rollback().ok());
  EXPECT_EQ(seen.size(), 2u);
}

// A contact that a new version's limits move on is judged under the whole new
// version: the queue it moves into has already its new, larger size.
TEST(RoutingVersionsTest, AContactMovedOnMeetsItsNextQueuesNewRules) {
  constexpr const char* kOld = R"({"skills": ["x"],
      "queues": [{"name": "A", "skills": {"x": 5}},
                 {"name": "B", "skills": {"x": 5}, "max_size": 1}]})";
  constexpr const char* kNew = R"({"skills": ["x"],
      "queues": [{"name": "A", "skills": {"x": 5}, "max_wait_s": 30, "overflow_to": "B"},
                 {"name": "B", "skills": {"x": 5}, "max_size": 10}]})";
  std::unique_ptr<Engine> engine = Engine::Create().value();
  auto versions = RoutingVersions::Start(*engine, Load(kOld, "old.json")).value();
  for (uint64_t id : {1, 2}) {
    ContactSpec c;
    c.id = ContactId(id);
    c.queue = QueueId(id == 1 ? 1 : 0);  // contact 1 fills B, contact 2 waits in A
    ASSERT_TRUE(engine->AddContact(c).ok());
  }
  ASSERT_TRUE(engine->AdvanceTo(engine->Now() + absl::Seconds(60)).ok());
  ASSERT_TRUE(versions->Reload(Load(kNew, "new.json")).ok());
  absl::StatusOr<ContactSnapshot> moved = engine->GetContact(ContactId(2));
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->queue, QueueId(1));
  EXPECT_EQ(moved->state, ContactState::kWaiting);
  EXPECT_EQ(engine->GetQueueStats(QueueId(1))->waiting, 2u);
  EXPECT_TRUE(engine->CheckInvariants().ok());
}

TEST(RoutingVersionsTest, UpdateQueuesChecksEveryUpdateFirst) {
  std::unique_ptr<Engine> engine = Engine::Create().value();
  auto versions = RoutingVersions::Start(*engine, Load(kV1, "v1.json")).value();
  QueueConfig policy = engine->GetQueueConfig(QueueId(0)).value();
  policy.priority = 3;
  QueueConfig bad = engine->GetQueueConfig(QueueId(1)).value();
  bad.sl_target = 2;
  std::vector<std::pair<QueueId, QueueConfig>> updates = {{QueueId(0), policy},
                                                          {QueueId(1), bad}};
  EXPECT_EQ(engine->UpdateQueues(updates).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(engine->GetQueueConfig(QueueId(0))->priority, 0);  // nothing applied
  updates = {{QueueId(0), policy}, {QueueId(0), policy}};
  EXPECT_THAT(engine->UpdateQueues(updates).message(), HasSubstr("updated twice"));
  EXPECT_EQ(engine->GetQueueConfig(QueueId(0))->priority, 0);
}

TEST(RoutingVersionsTest, StartRefusesAStrategyNameTheEngineHasAlready) {
  std::unique_ptr<Engine> engine = Engine::Create().value();
  ASSERT_TRUE(
      engine->RegisterStrategy("mine", std::make_unique<CompositeStrategy>()).ok());
  const absl::Status refused =
      RoutingVersions::Start(*engine, Load(kV1, "v1.json")).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("already has a strategy named 'mine'"));
  EXPECT_EQ(engine->skill_count(), 0u);  // nothing added
  EXPECT_EQ(LoadRoutingFile(std::string("/tmp/x\0y", 8)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RoutingVersionsTest, StartNeedsAnEmptyEngine) {
  std::unique_ptr<Engine> engine = Engine::Create().value();
  ASSERT_TRUE(engine->AddSkill("own").ok());
  EXPECT_EQ(RoutingVersions::Start(*engine, Load(kV1, "v1.json")).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace ccengine::config
