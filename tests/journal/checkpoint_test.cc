// Snapshots and recovery: a randomized day is journaled with checkpoints
// along the way (old segments dropped); at a random step the process
// "crashes"; `Recover` loads the newest snapshot and replays the tail, and the
// recovered engine's state digest (Engine::SaveState) must equal the crashed
// engine's right after its last journaled command. Damaged, foreign and
// missing pieces are passed over or refused as snapshot.h says.

#include "ccengine/journal/snapshot.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "ccengine/journal/engine_journal.h"
#include "ccengine/journal/file_journal.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "journal/segment.h"
#include "sqlite/temp_dir.h"
#include "testing/engine_day.h"

namespace ccengine::journal {
namespace {

using test::DayDriver;
using test::NewDayCenter;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// A journaled day with a checkpoint every `every` steps; the digest after
// each journaled record, by sequence.
struct Day {
  std::map<uint64_t, std::string> digest_at;
  std::vector<SnapshotInfo> checkpoints;
};

Day RunDay(uint64_t seed, int steps, int every, const FileJournalOptions& options,
           const std::string& snapshots) {
  Day day;
  DayDriver driver(seed);
  std::unique_ptr<Engine> live = NewDayCenter();
  auto log = FileJournal::Open(options);
  EXPECT_TRUE(log.ok()) << log.status();
  EngineJournal journal(*live, **log);
  for (int i = 1; i <= steps; ++i) {
    const uint64_t before = (*log)->last_sequence();
    driver.Step({live.get()});
    if ((*log)->last_sequence() != before)
      day.digest_at[(*log)->last_sequence()] = test::SavedState(*live);
    if (i % every == 0) {
      absl::StatusOr<SnapshotInfo> c = Checkpoint(*live, **log, snapshots);
      EXPECT_TRUE(c.ok()) << c.status();
      if (c.ok()) day.checkpoints.push_back(*c);
    }
  }
  return day;
}

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_ = {
        .dir = tmp_.File("journal"), .fsync = FsyncPolicy::kNever, .segment_bytes = 4096};
    snapshots_ = tmp_.File("snapshots");
    std::filesystem::create_directories(snapshots_);
  }
  sqlite::TempDir tmp_;
  FileJournalOptions options_;
  std::string snapshots_;
};

TEST_F(CheckpointTest, RecoveryFromASnapshotAndTheTailGivesTheSameDigest) {
  std::mt19937_64 pick(77);
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    SCOPED_TRACE(fmt::format("seed {}", seed));
    sqlite::TempDir tmp;
    FileJournalOptions options = options_;
    options.dir = tmp.File("journal");
    const std::string snapshots = tmp.File("snapshots");
    std::filesystem::create_directories(snapshots);
    const int steps = std::uniform_int_distribution<int>(700, 1500)(pick);
    const Day day = RunDay(seed, steps, 250, options, snapshots);
    ASSERT_GE(day.checkpoints.size(), 2u);
    if (seed % 2 == 0) {  // a crash in the middle of an append
      std::filesystem::path newest;
      for (const auto& f : std::filesystem::directory_iterator(options.dir)) {
        if (internal::ParseSegmentFileName(f.path().filename().string()) &&
            f.path() > newest) {
          newest = f.path();
        }
      }
      std::ofstream(newest, std::ios::binary | std::ios::app)
          << std::string("\x20\x00\x00", 3);
    }

    auto log = FileJournal::Open(options);
    ASSERT_TRUE(log.ok()) << log.status();
    EXPECT_GT((*log)->first_sequence(), 1u) << "checkpoints dropped old segments";
    std::unique_ptr<Engine> recovered = NewDayCenter();
    absl::StatusOr<RecoveryReport> r = Recover(**log, snapshots, *recovered);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(r->snapshot.has_value());
    EXPECT_EQ(r->snapshot->sequence, day.checkpoints.back().sequence);
    EXPECT_TRUE(r->passed_over.empty());
    const uint64_t last = day.digest_at.rbegin()->first;
    EXPECT_EQ(r->replay.last_sequence, last);
    EXPECT_EQ(r->replay.records, last - r->snapshot->sequence);
    EXPECT_EQ(test::SavedState(*recovered), day.digest_at.at(last));
    EXPECT_TRUE(recovered->CheckInvariants().ok());
    // Only the two newest snapshots are kept.
    absl::StatusOr<std::vector<SnapshotInfo>> kept = ListSnapshots(snapshots);
    ASSERT_TRUE(kept.ok());
    EXPECT_EQ(kept->size(), 2u);
  }
}

TEST_F(CheckpointTest, ADamagedNewestSnapshotIsPassedOverForTheOlderOne) {
  const Day day = RunDay(5, 900, 300, options_, snapshots_);
  ASSERT_EQ(day.checkpoints.size(), 3u);
  const SnapshotInfo& newest = day.checkpoints.back();
  std::string bytes = ReadAll(newest.path);
  bytes[bytes.size() / 2] ^= 0x01;
  WriteAll(newest.path, bytes);

  auto log = FileJournal::Open(options_);
  ASSERT_TRUE(log.ok());
  std::unique_ptr<Engine> recovered = NewDayCenter();
  absl::StatusOr<RecoveryReport> r = Recover(**log, snapshots_, *recovered);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->passed_over.size(), 1u);
  EXPECT_NE(r->passed_over[0].find("the state's checksum does not match"),
            std::string::npos)
      << r->passed_over[0];
  EXPECT_EQ(r->snapshot->sequence, day.checkpoints[1].sequence);
  EXPECT_EQ(test::SavedState(*recovered), day.digest_at.rbegin()->second);
}

TEST_F(CheckpointTest, EveryCutOfASnapshotIsFoundAndNamed) {
  const Day day = RunDay(6, 300, 300, options_, snapshots_);
  ASSERT_EQ(day.checkpoints.size(), 1u);
  const std::string whole = ReadAll(day.checkpoints[0].path);
  for (size_t n = 0; n < whole.size(); n += (n < 100 ? 1 : 97)) {
    WriteAll(day.checkpoints[0].path, whole.substr(0, n));
    std::unique_ptr<Engine> e = NewDayCenter();
    absl::StatusOr<SnapshotInfo> s = LoadSnapshot(day.checkpoints[0].path, *e);
    ASSERT_EQ(s.status().code(), absl::StatusCode::kDataLoss) << n << ": " << s.status();
    ASSERT_NE(s.status().message().find(day.checkpoints[0].path), std::string::npos);
    ASSERT_EQ(e->agent_count(), 0u);
  }
  // A damaged magic and a damaged header are each named.
  for (const auto& [at, what] :
       {std::pair<size_t, std::string_view>{0, "not a snapshot file"},
        std::pair<size_t, std::string_view>{20,
                                            "the header's checksum does not match"}}) {
    std::string bytes = whole;
    bytes[at] ^= 0x01;
    WriteAll(day.checkpoints[0].path, bytes);
    std::unique_ptr<Engine> e = NewDayCenter();
    const absl::Status s = LoadSnapshot(day.checkpoints[0].path, *e).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
    EXPECT_NE(std::string(s.message()).find(what), std::string::npos) << s;
    EXPECT_EQ(e->agent_count(), 0u);
  }
  // With its only snapshot damaged, the journal no longer holds what replaces
  // it: recovery stops with DataLoss rather than start from nothing.
  auto log = FileJournal::Open(options_);
  ASSERT_TRUE(log.ok());
  std::unique_ptr<Engine> e = NewDayCenter();
  absl::StatusOr<RecoveryReport> r = Recover(**log, snapshots_, *e);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << r.status();
}

TEST_F(CheckpointTest, ASnapshotWhoseNameAndHeaderDisagreeIsPassedOver) {
  const Day day = RunDay(9, 600, 300, options_, snapshots_);
  ASSERT_EQ(day.checkpoints.size(), 2u);
  // The newest renamed as if it covered one more record.
  const std::string renamed =
      fmt::format("{}/snapshot-{:020}.ccs", snapshots_, day.checkpoints[1].sequence + 1);
  std::filesystem::rename(day.checkpoints[1].path, renamed);
  auto log = FileJournal::Open(options_);
  ASSERT_TRUE(log.ok());
  std::unique_ptr<Engine> e = NewDayCenter();
  absl::StatusOr<RecoveryReport> r = Recover(**log, snapshots_, *e);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->passed_over.size(), 1u);
  EXPECT_NE(r->passed_over[0].find("its header says record"), std::string::npos);
  EXPECT_EQ(r->snapshot->sequence, day.checkpoints[0].sequence);
  EXPECT_EQ(test::SavedState(*e), day.digest_at.rbegin()->second);
  // And a checkpoint will not write behind a snapshot ahead of its journal.
  EngineJournal journal(*e, **log);
  const absl::StatusOr<SnapshotInfo> c = Checkpoint(*e, **log, snapshots_);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kFailedPrecondition) << c.status();
  EXPECT_TRUE(std::filesystem::exists(renamed));
}

TEST_F(CheckpointTest, AnotherFormatVersionIsRefused) {
  const Day day = RunDay(7, 300, 300, options_, snapshots_);
  ASSERT_EQ(day.checkpoints.size(), 1u);
  std::string bytes = ReadAll(day.checkpoints[0].path);
  std::string header = bytes.substr(0, 40);
  header[8] = 2;  // the file format version
  std::string crc;
  internal::PutU32(internal::Crc32c(header), &crc);
  WriteAll(day.checkpoints[0].path, header + crc + bytes.substr(44));
  auto log = FileJournal::Open(options_);
  ASSERT_TRUE(log.ok());
  std::unique_ptr<Engine> e = NewDayCenter();
  absl::StatusOr<RecoveryReport> r = Recover(**log, snapshots_, *e);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition) << r.status();
  EXPECT_NE(r.status().message().find("file format version 2"), std::string::npos);
}

TEST_F(CheckpointTest, AnEngineConfiguredOtherwiseIsRefused) {
  const Day day = RunDay(8, 300, 300, options_, snapshots_);
  auto log = FileJournal::Open(options_);
  ASSERT_TRUE(log.ok());
  std::unique_ptr<Engine> e = *Engine::Create();
  absl::StatusOr<RecoveryReport> r = Recover(**log, snapshots_, *e);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition) << r.status();
  EXPECT_NE(r.status().message().find("snapshot "), std::string::npos) << r.status();
}

// Retention by age: after each checkpoint no kept snapshot but the newest is
// older than max_age, the journal starts right after the oldest kept one (no
// older record stays, although segments are far larger than the day), and
// recovery still gives the live engine's digest. Without the age rule the
// same day keeps all `keep` snapshots and its older records.
TEST_F(CheckpointTest, RetentionByAgeKeepsNoSnapshotOrRecordPastTheAge) {
  const absl::Duration max_age = absl::Seconds(300);
  for (const bool by_age : {true, false}) {
    SCOPED_TRACE(by_age ? "max_age 300 s" : "no age rule");
    sqlite::TempDir tmp;
    const FileJournalOptions options{.dir = tmp.File("journal"),
                                     .fsync = FsyncPolicy::kNever,
                                     .segment_bytes = size_t{64} << 20};
    const std::string snapshots = tmp.File("snapshots");
    std::filesystem::create_directories(snapshots);
    CheckpointOptions checkpoint{.keep = 5};
    if (by_age) checkpoint.max_age = max_age;
    DayDriver driver(31);
    std::unique_ptr<Engine> live = NewDayCenter();
    auto log = FileJournal::Open(options);
    ASSERT_TRUE(log.ok()) << log.status();
    EngineJournal journal(*live, **log);
    std::map<uint64_t, absl::Time> written;  // snapshot sequence -> engine time
    int checks = 0;
    for (int i = 1; i <= 2000; ++i) {
      driver.Step({live.get()});
      if (i % 100 != 0) continue;
      absl::StatusOr<SnapshotInfo> c = Checkpoint(*live, **log, snapshots, checkpoint);
      ASSERT_TRUE(c.ok()) << c.status();
      written[c->sequence] = c->engine_time;
      absl::StatusOr<std::vector<SnapshotInfo>> kept = ListSnapshots(snapshots);
      ASSERT_TRUE(kept.ok());
      ASSERT_FALSE(kept->empty());
      EXPECT_EQ(kept->front().sequence, c->sequence);
      EXPECT_LE(kept->size(), 5u);
      if (by_age) {
        for (size_t k = 1; k < kept->size(); ++k) {
          EXPECT_GE(written.at((*kept)[k].sequence), live->Now() - max_age);
        }
        EXPECT_EQ((*log)->first_sequence(), kept->back().sequence + 1);
        EXPECT_TRUE((*log)
                        ->Read((*log)->first_sequence(),
                               [&](const LogRecord& r) {
                                 EXPECT_GE(r.engine_time, live->Now() - max_age);
                                 return absl::OkStatus();
                               })
                        .ok());
      } else {
        EXPECT_EQ((*log)->first_sequence(), 1u) << "one segment holds the whole day";
        if (written.size() >= 5) {
          EXPECT_EQ(kept->size(), 5u);
        }
      }
      ++checks;
    }
    ASSERT_EQ(checks, 20);
    if (by_age) {
      // The day moved on far past the age: most snapshots went by age.
      EXPECT_GT(live->Now() - written.begin()->second, 4 * max_age);
      absl::StatusOr<std::vector<SnapshotInfo>> kept = ListSnapshots(snapshots);
      ASSERT_TRUE(kept.ok());
      EXPECT_LT(kept->size(), 5u);
    }
    const std::string digest = test::SavedState(*live);
    log->reset();
    auto reopened = FileJournal::Open(options);
    ASSERT_TRUE(reopened.ok()) << reopened.status();
    std::unique_ptr<Engine> recovered = NewDayCenter();
    absl::StatusOr<RecoveryReport> r = Recover(**reopened, snapshots, *recovered);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(test::SavedState(*recovered), digest);
  }
}

TEST_F(CheckpointTest, AMaxAgeNotAboveZeroIsRefusedBeforeAnythingIsWritten) {
  std::unique_ptr<Engine> e = NewDayCenter();
  auto log = FileJournal::Open(options_);
  ASSERT_TRUE(log.ok());
  for (const absl::Duration age : {absl::ZeroDuration(), absl::Seconds(-1)}) {
    const absl::Status s =
        Checkpoint(*e, **log, snapshots_, CheckpointOptions{.max_age = age}).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_NE(s.message().find("max_age"), std::string::npos) << s;
  }
  absl::StatusOr<std::vector<SnapshotInfo>> listed = ListSnapshots(snapshots_);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

TEST_F(CheckpointTest, LeftoverTemporaryFilesAreIgnoredAndRemoved) {
  {
    std::unique_ptr<Engine> e = NewDayCenter();
    auto log = FileJournal::Open(options_);
    ASSERT_TRUE(log.ok());
    WriteAll(snapshots_ + "/snapshot-00000000000000000009.ccs.tmp", "half a snapshot");
    absl::StatusOr<std::vector<SnapshotInfo>> listed = ListSnapshots(snapshots_);
    ASSERT_TRUE(listed.ok());
    EXPECT_TRUE(listed->empty());
    ASSERT_TRUE(Checkpoint(*e, **log, snapshots_).ok());
  }
  EXPECT_FALSE(
      std::filesystem::exists(snapshots_ + "/snapshot-00000000000000000009.ccs.tmp"));
  EXPECT_TRUE(std::filesystem::exists(snapshots_ + "/snapshot-00000000000000000000.ccs"));
  auto log = FileJournal::Open(options_);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(Checkpoint(*NewDayCenter(), **log, snapshots_, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ccengine::journal
