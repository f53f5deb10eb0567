// Engine::SaveState / LoadState: a randomized day is saved at a random step
// and loaded into a freshly configured engine, which must then show the same
// state, write the same bytes, and — given the same later commands — emit the
// same events as the engine that saved it. Bad states are refused with the
// engine left as it was.

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "ccengine/core/events.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "testing/engine_day.h"

namespace ccengine {
namespace {

using test::DayDriver;
using test::DescribeState;
using test::NewDayCenter;

void SaveLoadAndGoOn(uint64_t seed, int steps, int save_at) {
  SCOPED_TRACE(fmt::format("seed {} saved at step {}", seed, save_at));
  DayDriver driver(seed);
  std::unique_ptr<Engine> live = NewDayCenter();
  for (int i = 0; i < save_at; ++i) ASSERT_NO_FATAL_FAILURE(driver.Step({live.get()}));
  const std::string state = test::SavedState(*live);
  EXPECT_EQ(test::SavedState(*live), state) << "saving changes nothing";

  std::unique_ptr<Engine> restored = NewDayCenter();
  ASSERT_TRUE(restored->LoadState(state).ok()) << restored->LoadState(state);
  ASSERT_TRUE(restored->CheckInvariants().ok()) << restored->CheckInvariants();
  EXPECT_EQ(DescribeState(*restored, driver.agents, driver.contacts),
            DescribeState(*live, driver.agents, driver.contacts));
  EXPECT_EQ(test::SavedState(*restored), state);

  std::unique_ptr<std::vector<std::string>> live_events = test::RecordEvents(*live);
  std::unique_ptr<std::vector<std::string>> restored_events =
      test::RecordEvents(*restored);
  for (int i = save_at; i < steps; ++i) {
    ASSERT_NO_FATAL_FAILURE(driver.Step({live.get(), restored.get()}));
    if (i % 97 == 0) {
      ASSERT_EQ(test::SavedState(*restored), test::SavedState(*live)) << "step " << i;
    }
  }
  ASSERT_EQ(restored_events->size(), live_events->size());
  for (size_t i = 0; i < live_events->size(); ++i) {
    ASSERT_EQ((*restored_events)[i], (*live_events)[i]) << "event " << i;
  }
  EXPECT_EQ(test::SavedState(*restored), test::SavedState(*live));
  EXPECT_EQ(DescribeState(*restored, driver.agents, driver.contacts),
            DescribeState(*live, driver.agents, driver.contacts));
  EXPECT_GT(live_events->size(), 500u);
}

TEST(SnapshotTest, ARestoredEngineHasTheSameStateAndTheSameFuture) {
  std::mt19937_64 pick(4242);
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    const int save_at = std::uniform_int_distribution<int>(200, 1500)(pick);
    ASSERT_NO_FATAL_FAILURE(SaveLoadAndGoOn(seed, 2000, save_at));
  }
}

TEST(SnapshotTest, AFreshEngineSavesAndLoads) {
  std::unique_ptr<Engine> a = NewDayCenter();
  std::unique_ptr<Engine> b = NewDayCenter();
  const std::string state = test::SavedState(*a);
  ASSERT_TRUE(b->LoadState(state).ok());
  EXPECT_EQ(test::SavedState(*b), state);
}

TEST(SnapshotTest, TheBytesAreCanonical) {
  // Two engines given the same commands write the same bytes, even when one
  // of them was asked questions along the way (the next timer, which drops
  // dead ones; every agent's window occupancy).
  DayDriver driver(11);
  std::unique_ptr<Engine> a = NewDayCenter();
  std::unique_ptr<Engine> b = NewDayCenter();
  for (int i = 0; i < 800; ++i) {
    ASSERT_NO_FATAL_FAILURE(driver.Step({a.get(), b.get()}));
    (void)b->NextTimerAt();
    for (const AgentId agent : driver.agents) (void)b->GetWindowOccupancy(agent);
    if (i % 50 == 0) {
      ASSERT_EQ(test::SavedState(*a), test::SavedState(*b)) << "step " << i;
    }
  }
}

std::string ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

TEST(SnapshotTest, TheFuzzSeedsAreStatesThisBuildLoads) {
  // tests/core/fuzz/corpus/engine_state: states of the fuzz target's center
  // (this one), written by an earlier build; a format change must renew them
  // (CCENGINE_RENEW_STATE_SEEDS=1 rewrites each seed as this build saves it,
  // when this build still reads the old format).
  const bool renew = std::getenv("CCENGINE_RENEW_STATE_SEEDS") != nullptr;
  size_t seeds = 0;
  for (const auto& f : std::filesystem::directory_iterator(CCENGINE_ENGINE_STATE_SEEDS)) {
    const std::string bytes = ReadBytes(f.path());
    std::unique_ptr<Engine> e = NewDayCenter();
    const absl::Status s = e->LoadState(bytes);
    EXPECT_TRUE(s.ok()) << f.path() << ": " << s;
    if (s.ok() && renew) {
      std::ofstream(f.path(), std::ios::binary | std::ios::trunc) << test::SavedState(*e);
    } else if (s.ok()) {
      EXPECT_EQ(test::SavedState(*e), bytes) << f.path();
    }
    ++seeds;
  }
  if (renew) {
    // One more: a day of the current driver, whose contacts carry fallback
    // targets, so that the fuzzer starts from routes in flight.
    DayDriver driver(3);
    std::unique_ptr<Engine> e = NewDayCenter();
    size_t routed = 0;
    int step = 0;
    for (; step < 5000 && routed < 2; ++step) {
      ASSERT_NO_FATAL_FAILURE(driver.Step({e.get()}));
      routed = 0;
      for (const ContactId id : driver.contacts) {
        const absl::StatusOr<ContactSnapshot> c = e->GetContact(id);
        routed += c.ok() && c->fallbacks_left > 0;
      }
    }
    ASSERT_GE(routed, 2u);
    std::ofstream(std::filesystem::path(CCENGINE_ENGINE_STATE_SEEDS) /
                      fmt::format("day-3-{}", step),
                  std::ios::binary | std::ios::trunc)
        << test::SavedState(*e);
  }
  EXPECT_GE(seeds, 4u);
}

TEST(SnapshotTest, AStateOfFormatTwoStillLoads) {
  // A state the build before fallback targets wrote (tests/data/
  // engine_state_v2): it loads, saves as this build's format, and that loads
  // back to the same bytes.
  const std::string v2 = ReadBytes(CCENGINE_ENGINE_STATE_V2);
  ASSERT_EQ(v2.at(0), 2);
  std::unique_ptr<Engine> e = NewDayCenter();
  ASSERT_TRUE(e->LoadState(v2).ok());
  const std::string now = test::SavedState(*e);
  EXPECT_EQ(now.at(0), static_cast<char>(Engine::kStateFormatVersion));
  std::unique_ptr<Engine> again = NewDayCenter();
  ASSERT_TRUE(again->LoadState(now).ok());
  EXPECT_EQ(test::SavedState(*again), now);
  EXPECT_EQ(e->GetAccounting().entered, again->GetAccounting().entered);
}

TEST(SnapshotTest, StatesTheFuzzerFoundInconsistentAreRefused) {
  // tests/data/engine_state_refused/<what is wrong>: inputs that once loaded
  // and broke an invariant later (idle-mask-not-from-capacity: an agent whose
  // voice capacity is 0 but whose idle channels still list voice, so an
  // offer put it over capacity).
  size_t files = 0;
  for (const auto& f :
       std::filesystem::directory_iterator(CCENGINE_ENGINE_STATE_REFUSED)) {
    std::unique_ptr<Engine> e = NewDayCenter();
    const std::string fresh = test::SavedState(*e);
    const absl::Status s = e->LoadState(ReadBytes(f.path()));
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << f.path() << ": " << s;
    EXPECT_NE(s.message().find("inconsistent record"), std::string::npos) << s;
    EXPECT_EQ(test::SavedState(*e), fresh);
    ++files;
  }
  EXPECT_GE(files, 1u);
}

class SnapshotRefusalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    live_ = NewDayCenter();
    DayDriver driver(3);
    for (int i = 0; i < 600; ++i) ASSERT_NO_FATAL_FAILURE(driver.Step({live_.get()}));
    state_ = test::SavedState(*live_);
  }
  std::unique_ptr<Engine> live_;
  std::string state_;
};

TEST_F(SnapshotRefusalTest, AnEngineThatDidSomethingIsRefused) {
  std::unique_ptr<Engine> e = NewDayCenter();
  AgentConfig a;
  a.id = AgentId{1};
  ASSERT_TRUE(e->AddAgent(a).ok());
  const absl::Status s = e->LoadState(state_);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_TRUE(e->GetAgent(AgentId{1}).ok());
}

TEST_F(SnapshotRefusalTest, AnotherFormatVersionIsRefused) {
  std::string other = state_;
  other[0] = static_cast<char>(Engine::kStateFormatVersion + 1);
  std::unique_ptr<Engine> e = NewDayCenter();
  const std::string fresh = test::SavedState(*e);
  const absl::Status s = e->LoadState(other);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_NE(s.message().find("format version"), std::string::npos) << s;
  EXPECT_EQ(test::SavedState(*e), fresh);
}

TEST_F(SnapshotRefusalTest, AnotherConfigurationIsRefusedByName) {
  EngineOptions options;
  options.seed = 7;
  std::unique_ptr<Engine> e = *Engine::Create(options);
  ASSERT_TRUE(e->AddSkill("tax").ok());
  ASSERT_TRUE(e->AddSkill("health").ok());
  ASSERT_TRUE(e->AddSkill("english").ok());
  const absl::Status s = e->LoadState(state_);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_NE(s.message().find("skills 1 is 'medical' there, 'health' here"),
            std::string::npos)
      << s;
  std::unique_ptr<Engine> fewer = *Engine::Create(options);
  EXPECT_NE(fewer->LoadState(state_).message().find("with 3 skills; this one has 0"),
            std::string::npos);
}

TEST_F(SnapshotRefusalTest, EveryTruncationIsRefusedAndChangesNothing) {
  std::unique_ptr<Engine> e = NewDayCenter();
  const std::string fresh = test::SavedState(*e);
  const absl::Time now = e->Now();
  // Every length near the ends, and a stride through the middle.
  for (size_t n = 0; n < state_.size();
       n += (n < 300 || n + 300 > state_.size()) ? 1 : 37) {
    const absl::Status s = e->LoadState(std::string_view(state_).substr(0, n));
    ASSERT_FALSE(s.ok()) << "length " << n;
    ASSERT_NE(s.code(), absl::StatusCode::kInternal) << s;
  }
  EXPECT_EQ(test::SavedState(*e), fresh);
  EXPECT_EQ(e->Now(), now);
  EXPECT_EQ(e->agent_count(), 0u);
  ASSERT_TRUE(e->LoadState(state_).ok()) << "still fresh";
  EXPECT_EQ(test::SavedState(*e), state_);
}

TEST_F(SnapshotRefusalTest, DamagedBytesNeverBreakTheEngine) {
  // A flipped byte is refused, or loads into an engine that passes its own
  // invariant check; a refused load leaves the engine fresh.
  std::mt19937_64 rng(99);
  std::unique_ptr<Engine> e = NewDayCenter();
  const std::string fresh = test::SavedState(*e);
  int refused = 0;
  for (int i = 0; i < 1000; ++i) {
    std::string damaged = state_;
    const size_t at = std::uniform_int_distribution<size_t>(1, damaged.size() - 1)(rng);
    damaged[at] = static_cast<char>(damaged[at] ^ (1 << (i % 8)));
    const absl::Status s = e->LoadState(damaged);
    if (s.ok()) {
      ASSERT_TRUE(e->CheckInvariants().ok()) << "byte " << at;
      e = NewDayCenter();
      continue;
    }
    ++refused;
    ASSERT_TRUE(s.code() == absl::StatusCode::kInvalidArgument ||
                s.code() == absl::StatusCode::kFailedPrecondition)  // the fingerprint
        << "byte " << at << ": " << s;
    ASSERT_EQ(test::SavedState(*e), fresh) << "byte " << at << ": " << s;
  }
  EXPECT_GT(refused, 300);
}

}  // namespace
}  // namespace ccengine
