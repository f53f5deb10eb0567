// The duplicate index: what it matches, what it refuses to match, the
// dedupe window, removal, and bad text leaving it unchanged.

#include "ccengine/tickets/dedupe.h"

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace ccengine::tickets {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1796000000);

Ticket T(TicketId id, std::string text, std::string address, std::string customer = "",
         std::string category = "noise", absl::Time created = kT0) {
  Ticket t;
  t.id = id;
  t.text = std::move(text);
  t.address = std::move(address);
  t.customer_id = std::move(customer);
  t.category = std::move(category);
  t.created_at = created;
  return t;
}

class DedupeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(index_
                    .Add(T(1, "楼下烧烤店每晚噪音扰民，凌晨两点还在营业",
                           "朝阳区建国路88号", "c1"))
                    .ok());
    ASSERT_TRUE(index_
                    .Add(T(2, "小区垃圾桶三天没人清运，臭气熏天", "朝阳区建国路88号",
                           "c2", "garbage"))
                    .ok());
    ASSERT_TRUE(
        index_
            .Add(T(3, "The street light outside number 12 has been off for a week",
                   "12 Elm Street", "e1", "street_light"))
            .ok());
  }
  std::optional<TicketId> Find(const Ticket& t, absl::Time since = absl::InfinitePast()) {
    absl::StatusOr<std::optional<DuplicateMatch>> m = index_.Find(t, since);
    EXPECT_TRUE(m.ok()) << m.status();
    if (!m.ok() || !m->has_value()) return std::nullopt;
    return (*m)->ticket;
  }
  DuplicateIndex index_;
};

TEST_F(DedupeTest, TheSameCallerAboutTheSameThingIsADuplicate) {
  EXPECT_EQ(Find(T(9, "又是那家烧烤店，半夜噪音扰民", "建国路88号", "c1")), 1);
  EXPECT_EQ(Find(T(9, "Street light outside number 12 still off, reported last week",
                   "12 Elm St", "e1", "street_light")),
            3);
}

TEST_F(DedupeTest, AnotherBuildingOrAnotherProblemIsNot) {
  EXPECT_EQ(
      Find(T(9, "楼下烧烤店每晚噪音扰民，凌晨两点还在营业", "朝阳区建国路86号", "c9")),
      std::nullopt);
  EXPECT_EQ(Find(T(9, "The street light outside number 21 has been off for a week",
                   "21 Elm Street", "e9", "street_light")),
            std::nullopt);
  // Same building: the open ticket of the same category (garbage) is the
  // match; under another category (food safety) there is none.
  EXPECT_EQ(Find(T(9, "楼道里的垃圾没人清运", "朝阳区建国路88号", "c1", "garbage")), 2);
  EXPECT_EQ(Find(T(9, "楼下烧烤店油烟太大", "朝阳区建国路88号", "c1", "food_safety")),
            std::nullopt);
}

TEST_F(DedupeTest, TheWindowAndRemovalAreHonoured) {
  const Ticket again = T(9, "又是那家烧烤店，半夜噪音扰民", "建国路88号", "c1");
  EXPECT_EQ(Find(again, kT0 + absl::Seconds(1)), std::nullopt);  // ticket 1 is older
  index_.Remove(1);
  EXPECT_FALSE(index_.Contains(1));
  EXPECT_EQ(Find(again), std::nullopt);
  EXPECT_EQ(index_.size(), 2u);
  index_.Remove(1);  // twice is harmless
  // A ticket never matches itself.
  EXPECT_EQ(
      Find(T(2, "小区垃圾桶三天没人清运，臭气熏天", "朝阳区建国路88号", "c2", "garbage")),
      std::nullopt);
}

TEST_F(DedupeTest, BadTextLeavesTheIndexAsItWas) {
  const size_t bytes = index_.MemoryBytes();
  EXPECT_EQ(index_.Add(T(1, "坏\xff", "")).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(index_.Contains(1));
  EXPECT_EQ(index_.MemoryBytes(), bytes);
  EXPECT_EQ(index_.Find(T(9, "ok", "坏\xc3"), kT0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(index_.Score(42, T(9, "x", "")).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace ccengine::tickets
