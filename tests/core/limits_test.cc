// Inputs at the edges of time: infinite or huge times and durations are
// refused with InvalidArgument and change nothing (they would overflow the
// engine's microsecond clock), and a rule change that shortens max_wait
// moves the contacts that are already past it at once.

#include <limits>

#include "gtest/gtest.h"
#include "testing/engine_fixture.h"

namespace ccengine::test {
namespace {

class LimitsTest : public EngineFixture {};

TEST_F(LimitsTest, InfiniteOrFarTimesAreRefusedAndChangeNothing) {
  QueueId q = AddQueue("q");
  AddContact(1, q);
  Frozen before = Freeze();
  CCENGINE_EXPECT_CODE(engine_->AdvanceTo(absl::InfiniteFuture()), kInvalidArgument);
  CCENGINE_EXPECT_CODE(engine_->Poll(absl::InfiniteFuture()), kInvalidArgument);
  CCENGINE_EXPECT_CODE(
      engine_->AdvanceTo(absl::UnixEpoch() + absl::Hours(24 * 365 * 20000)),
      kInvalidArgument);
  ContactSpec c;
  c.id = ContactId{2};
  c.queue = q;
  c.arrived_at = absl::InfinitePast();
  CCENGINE_EXPECT_CODE(engine_->AddContact(c), kInvalidArgument);
  ExpectUnchanged(before);
}

TEST_F(LimitsTest, DurationsBeyondAHundredYearsAreRefused) {
  Frozen before = Freeze();
  const absl::Duration huge = absl::Hours(24 * 365 * 1000);
  for (int field = 0; field < 5; ++field) {
    QueueConfig q = QueueSpec("q" + std::to_string(field), {});
    if (field == 0) q.max_wait = huge;
    if (field == 1) q.offer_timeout = huge;
    if (field == 2) q.wrap_up = huge;
    if (field == 3) q.relaxation = {{huge, {}}};
    if (field == 4) q.sl_threshold = huge;
    CCENGINE_EXPECT_CODE(engine_->AddQueue(q), kInvalidArgument);
  }
  ExpectUnchanged(before);
  EngineOptions o;
  o.priority_class_weight = huge;
  EXPECT_EQ(Engine::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
  o = EngineOptions{};
  o.start = absl::InfiniteFuture();
  EXPECT_EQ(Engine::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(LimitsTest, ShorterMaxWaitMovesContactsAlreadyPastItAtOnce) {
  QueueId q = AddQueue("q");
  AddContact(1, q);
  AdvanceTo(60);
  AddContact(2, q);
  QueueConfig shorter = engine_->GetQueueConfig(q).value();
  shorter.max_wait = absl::Seconds(30);
  CCENGINE_ASSERT_OK(engine_->UpdateQueue(q, shorter));
  // Contact 1 waited 60 s: it leaves now. Contact 2 has 30 s to go.
  EXPECT_EQ(engine_->GetAccounting().overflowed, 1u);
  EXPECT_EQ(engine_->GetAccounting().waiting, 1u);
  EXPECT_FALSE(engine_->GetContact(C(1)).ok());
  AdvanceTo(90);
  EXPECT_EQ(engine_->GetAccounting().overflowed, 2u);
}

}  // namespace
}  // namespace ccengine::test
