// The engine's id → slot index (direct table for small ids, hash map for the
// rest) and the clock calls a simulator drives the engine with: ids of any
// size resolve, a stale timer is never reported by NextTimerAt, and the
// microsecond calls check their input like AdvanceTo.

#include <cstdint>
#include <limits>
#include <map>
#include <random>

#include "ccengine/core/internal/id_index.h"
#include "gtest/gtest.h"
#include "testing/engine_fixture.h"

namespace ccengine::test {
namespace {

using internal::IdIndex;

TEST(IdIndexTest, SmallAndLargeIdsResolveAndErase) {
  IdIndex index;
  EXPECT_EQ(index.Find(0), IdIndex::kAbsent);
  index.emplace(0, 7);
  index.emplace(5, 8);
  index.emplace(uint64_t{1} << 40, 9);  // beyond the direct table
  index.emplace(std::numeric_limits<uint64_t>::max(), 10);
  EXPECT_EQ(index.size(), 4u);
  EXPECT_EQ(index.Find(0), 7u);
  EXPECT_EQ(index.Find(5), 8u);
  EXPECT_EQ(index.Find(uint64_t{1} << 40), 9u);
  EXPECT_EQ(index.Find(std::numeric_limits<uint64_t>::max()), 10u);
  EXPECT_FALSE(index.contains(1));
  EXPECT_FALSE(index.contains((uint64_t{1} << 40) + 1));
  index.erase(5);
  index.erase(5);  // absent: nothing happens
  index.erase(uint64_t{1} << 40);
  index.erase(12345678901);
  EXPECT_EQ(index.size(), 2u);
  EXPECT_FALSE(index.contains(5));
  EXPECT_FALSE(index.contains(uint64_t{1} << 40));
  EXPECT_TRUE(index.contains(0));
}

// Ids that first land in the hash map move to the direct table when it
// grows over them; a random mix of inserts and erases agrees with std::map.
TEST(IdIndexTest, AgreesWithAMapUnderRandomUse) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    std::mt19937_64 rng(seed);
    IdIndex index;
    std::map<uint64_t, uint32_t> model;
    for (int step = 0; step < 20000; ++step) {
      uint64_t id;
      switch (rng() % 3) {
        case 0: id = rng() % 64; break;
        case 1: id = rng() % 20000; break;
        default: id = rng(); break;
      }
      if (rng() % 3 == 0 && model.count(id) != 0) {
        index.erase(id);
        model.erase(id);
      } else if (model.count(id) == 0) {
        uint32_t slot = static_cast<uint32_t>(rng() % 1000);
        index.emplace(id, slot);
        model[id] = slot;
      }
      ASSERT_EQ(index.size(), model.size());
    }
    for (const auto& [id, slot] : model) ASSERT_EQ(index.Find(id), slot) << id;
  }
}

class EngineClockTest : public EngineFixture {};

TEST_F(EngineClockTest, AnsweredOfferTimeoutIsNotReportedAsNextTimer) {
  QueueId q = AddQueue("q");  // offer_timeout 20 s
  AddAgent(1);
  AddContact(10, q);
  ASSERT_EQ(engine_->NextTimerMicros(), std::optional<Micros>(20'000'000));
  ASSERT_EQ(engine_->NextTimerAt(), std::optional<absl::Time>(At(20)));
  Accept(1, 10);
  EXPECT_EQ(engine_->NextTimerMicros(), std::nullopt);
  EXPECT_EQ(engine_->NextTimerAt(), std::nullopt);
}

TEST_F(EngineClockTest, MicrosecondCallsMatchTheTimeCalls) {
  QueueId q = AddQueue("q");
  AddAgent(1);
  AddContact(10, q);
  CCENGINE_ASSERT_OK(engine_->AdvanceToMicros(21'000'000));  // the offer times out
  EXPECT_EQ(engine_->NowMicros(), 21'000'000);
  EXPECT_EQ(engine_->Now(), At(21));
  EXPECT_EQ(engine_->GetContact(ContactId{10})->state,
            ContactState::kWaiting);  // no answer
  Frozen before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->AdvanceToMicros(20'000'000), kInvalidArgument);
  CCENGINE_EXPECT_CODE(engine_->AdvanceToMicros(std::numeric_limits<Micros>::max()),
                       kInvalidArgument);
  ExpectUnchanged(before);
}

}  // namespace
}  // namespace ccengine::test
