// Disk faults under the journal (FileJournalOptions::files): a full disk, a
// short write, a failed fdatasync. The engine then refuses the command with
// Unavailable and stays exactly as it was; it never acknowledges what is not
// on disk; after a failed sync the journal stops until it is opened again,
// and the recovered engine holds every acknowledged command (and, at most,
// the one whose sync failed: its producer's resend is then refused as
// applied already).

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ccengine/core/engine.h"
#include "ccengine/journal/engine_journal.h"
#include "ccengine/journal/file_journal.h"
#include "ccengine/journal/snapshot.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sqlite/temp_dir.h"
#include "testing/engine_day.h"

namespace ccengine::journal {
namespace {

using test::DayDriver;
using test::NewDayCenter;
using test::SavedState;
using ::testing::HasSubstr;

// Fails writes and syncs as told; otherwise passes them on.
class FaultyFiles : public FileLayer {
 public:
  // Every write fails with ENOSPC until told otherwise.
  void SetDiskFull(bool full) {
    std::lock_guard<std::mutex> l(mu_);
    disk_full_ = full;
  }
  // Writes at the start of a file (a new segment's header) fail with ENOSPC
  // until told otherwise.
  void SetFullForNewFiles(bool full) {
    std::lock_guard<std::mutex> l(mu_);
    full_for_new_files_ = full;
  }
  // The next write puts down only `bytes` of its data; the one after it fails
  // with ENOSPC.
  void ShortenNextWrite(size_t bytes) {
    std::lock_guard<std::mutex> l(mu_);
    short_write_ = bytes;
  }
  // The next fdatasync fails with EIO.
  void FailNextSync() {
    std::lock_guard<std::mutex> l(mu_);
    fail_sync_ = true;
  }
  // The first fdatasync after the next write fails with EIO (a sync already
  // under way for earlier records is not the one).
  void FailSyncAfterNextWrite() {
    std::lock_guard<std::mutex> l(mu_);
    fail_sync_after_write_ = true;
  }
  int syncs() const {
    std::lock_guard<std::mutex> l(mu_);
    return syncs_;
  }

  ssize_t Write(int fd, const void* data, size_t bytes) override {
    std::lock_guard<std::mutex> l(mu_);
    if (short_write_ > 0) {
      const size_t put = std::min(short_write_, bytes - 1);
      short_write_ = 0;
      fail_write_ = true;
      return ::write(fd, data, put);
    }
    if (disk_full_ || fail_write_ ||
        (full_for_new_files_ && ::lseek(fd, 0, SEEK_CUR) == 0)) {
      fail_write_ = false;
      errno = ENOSPC;
      return -1;
    }
    if (fail_sync_after_write_) {
      fail_sync_after_write_ = false;
      fail_sync_ = true;
    }
    return ::write(fd, data, bytes);
  }

  int DataSync(int fd) override {
    std::lock_guard<std::mutex> l(mu_);
    ++syncs_;
    if (fail_sync_) {
      fail_sync_ = false;
      errno = EIO;
      return -1;
    }
    return ::fdatasync(fd);
  }

 private:
  mutable std::mutex mu_;
  bool disk_full_ = false;
  bool full_for_new_files_ = false;
  size_t short_write_ = 0;
  bool fail_write_ = false;
  bool fail_sync_ = false;
  bool fail_sync_after_write_ = false;
  int syncs_ = 0;
};

// A journaled engine and a reference engine fed the same commands, both
// after a randomized morning.
class JournalFaultsTest : public ::testing::Test {
 protected:
  void Start(FsyncPolicy policy, size_t segment_bytes = size_t{64} << 10) {
    options_ = {.dir = dir_.File("journal"),
                .fsync = policy,
                .batch_interval = absl::Milliseconds(1),
                .segment_bytes = segment_bytes,
                .files = &files_};
    auto log = FileJournal::Open(options_);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
    journal_ = std::make_unique<EngineJournal>(*live_, *log_);
    DayDriver driver(11);
    for (int i = 0; i < 300; ++i) {
      driver.Step({live_.get(), reference_.get()});
      ASSERT_FALSE(HasFatalFailure());
    }
    ASSERT_TRUE(SavedState(*live_) == SavedState(*reference_));
  }

  // A new caller in the general queue, from producer 7.
  static Command NewCall(uint64_t id) {
    ContactSpec spec;
    spec.id = ContactId{id};
    spec.queue = QueueId{0};
    spec.customer_id = "c-faults";
    return cmd::AddContact{spec};
  }

  // The journal closed and opened again, and recovered into a fresh engine.
  std::unique_ptr<Engine> Recovered(OpenReport* report = nullptr) {
    journal_.reset();
    log_.reset();
    options_.files = nullptr;
    auto log = FileJournal::Open(options_, report);
    EXPECT_TRUE(log.ok()) << log.status();
    if (!log.ok()) return nullptr;
    std::unique_ptr<Engine> e = NewDayCenter();
    auto replayed = ReplayJournal(**log, *e);
    EXPECT_TRUE(replayed.ok()) << replayed.status();
    // The timers that fell due since the last record.
    EXPECT_TRUE(e->AdvanceTo(live_->Now()).ok());
    return e;
  }

  sqlite::TempDir dir_;
  FaultyFiles files_;
  FileJournalOptions options_;
  std::unique_ptr<Engine> live_ = NewDayCenter();
  std::unique_ptr<Engine> reference_ = NewDayCenter();
  std::unique_ptr<FileJournal> log_;
  std::unique_ptr<EngineJournal> journal_;
};

TEST_F(JournalFaultsTest, AFullDiskRefusesTheCommandAndLeavesTheEngineAsItWas) {
  Start(FsyncPolicy::kAlways);
  const std::string before = SavedState(*live_);
  const uint64_t last = log_->last_sequence();
  files_.SetDiskFull(true);
  const absl::Status refused = live_->Apply(NewCall(900001), {7, 1});
  EXPECT_TRUE(absl::IsUnavailable(refused)) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("No space left on device"));
  EXPECT_TRUE(SavedState(*live_) == before);
  EXPECT_EQ(live_->ProducerSequence(7), 0u) << "a refused command's number is not used";
  EXPECT_EQ(log_->last_sequence(), last);

  // Space again: the journal goes on, and the producer's resend is applied.
  files_.SetDiskFull(false);
  ASSERT_TRUE(live_->Apply(NewCall(900001), {7, 1}).ok());
  ASSERT_TRUE(reference_->Apply(NewCall(900001), {7, 1}).ok());
  EXPECT_EQ(log_->last_sequence(), last + 1);

  OpenReport report;
  std::unique_ptr<Engine> recovered = Recovered(&report);
  ASSERT_NE(recovered, nullptr);
  EXPECT_EQ(report.truncated_bytes, 0u);
  EXPECT_TRUE(SavedState(*recovered) == SavedState(*reference_));
}

TEST_F(JournalFaultsTest, AFullDiskAtASegmentRollIsRefusedAndTheRollTriedAgain) {
  Start(FsyncPolicy::kAlways, /*segment_bytes=*/4096);
  const size_t segments = log_->segment_count();
  ASSERT_GT(segments, 1u);
  // Commands until one needs a new segment, which cannot be started.
  files_.SetFullForNewFiles(true);
  std::string before;
  absl::Status refused;
  uint64_t id = 900001;
  for (; id < 900200 && refused.ok(); ++id) {
    before = SavedState(*live_);
    refused = live_->Apply(NewCall(id), {7, id - 900000});
    if (refused.ok()) {
      ASSERT_TRUE(reference_->Apply(NewCall(id), {7, id - 900000}).ok());
    }
  }
  EXPECT_TRUE(absl::IsUnavailable(refused)) << refused;
  EXPECT_TRUE(SavedState(*live_) == before);
  EXPECT_EQ(log_->segment_count(), segments);
  files_.SetFullForNewFiles(false);
  for (--id; id < 900240; ++id) {
    ASSERT_TRUE(live_->Apply(NewCall(id), {7, id - 900000}).ok());
    ASSERT_TRUE(reference_->Apply(NewCall(id), {7, id - 900000}).ok());
  }
  EXPECT_GT(log_->segment_count(), segments);
  std::unique_ptr<Engine> recovered = Recovered();
  ASSERT_NE(recovered, nullptr);
  EXPECT_TRUE(SavedState(*recovered) == SavedState(*reference_));
}

TEST_F(JournalFaultsTest, AShortWriteIsCutOffAndNotAcknowledged) {
  Start(FsyncPolicy::kAlways);
  const std::string before = SavedState(*live_);
  files_.ShortenNextWrite(10);
  const absl::Status refused = live_->Apply(NewCall(900001), {7, 1});
  EXPECT_TRUE(absl::IsUnavailable(refused)) << refused;
  EXPECT_TRUE(SavedState(*live_) == before);

  ASSERT_TRUE(live_->Apply(NewCall(900002), {7, 2}).ok());
  ASSERT_TRUE(reference_->Apply(NewCall(900002), {7, 2}).ok());
  OpenReport report;
  std::unique_ptr<Engine> recovered = Recovered(&report);
  ASSERT_NE(recovered, nullptr);
  EXPECT_EQ(report.truncated_bytes, 0u) << "the short record was cut off when it failed";
  EXPECT_TRUE(SavedState(*recovered) == SavedState(*reference_));
}

TEST_F(JournalFaultsTest, AFailedSyncStopsTheJournalUntilItIsOpenedAgain) {
  Start(FsyncPolicy::kAlways);
  const std::string before = SavedState(*live_);
  files_.FailNextSync();
  const absl::Status refused = live_->Apply(NewCall(900001), {7, 1});
  EXPECT_TRUE(absl::IsUnavailable(refused)) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("Input/output error"));
  EXPECT_TRUE(SavedState(*live_) == before);

  // The sync is not tried again, and nothing more is acknowledged.
  const int syncs = files_.syncs();
  const absl::Status after = live_->Apply(NewCall(900002), {7, 2});
  EXPECT_TRUE(absl::IsUnavailable(after)) << after;
  EXPECT_THAT(after.message(), HasSubstr("open it again"));
  EXPECT_TRUE(absl::IsUnavailable(log_->Sync()));
  EXPECT_TRUE(
      absl::IsUnavailable(log_->AwaitDurable(log_->last_sequence(), absl::Seconds(1))));
  EXPECT_EQ(files_.syncs(), syncs);
  EXPECT_TRUE(SavedState(*live_) == before);

  // Opened again, the journal holds the record whose sync failed (the page
  // cache kept it): the command counts as applied, and its resend says so.
  std::unique_ptr<Engine> recovered = Recovered();
  ASSERT_NE(recovered, nullptr);
  ASSERT_TRUE(reference_->Apply(NewCall(900001), {7, 1}).ok());
  EXPECT_TRUE(SavedState(*recovered) == SavedState(*reference_));
  EXPECT_TRUE(absl::IsAlreadyExists(recovered->Apply(NewCall(900001), {7, 1})));
}

TEST_F(JournalFaultsTest, UnderBatchAFailedBackgroundSyncStopsTheJournal) {
  Start(FsyncPolicy::kBatch);
  ASSERT_TRUE(log_->Sync().ok());
  // The background thread writes the record, then syncs it: that sync fails.
  files_.FailSyncAfterNextWrite();
  ASSERT_TRUE(live_->Apply(NewCall(900001), {7, 1}).ok());  // not yet acknowledged
  const absl::Status durable =
      log_->AwaitDurable(log_->last_sequence(), absl::Seconds(30));
  EXPECT_TRUE(absl::IsUnavailable(durable)) << durable;
  const std::string before = SavedState(*live_);
  const absl::Status after = live_->Apply(NewCall(900002), {7, 2});
  EXPECT_TRUE(absl::IsUnavailable(after)) << after;
  EXPECT_TRUE(SavedState(*live_) == before);
}

TEST_F(JournalFaultsTest, NoFaultNoDifference) {
  Start(FsyncPolicy::kAlways);
  EXPECT_GT(files_.syncs(), 0);
  std::unique_ptr<Engine> recovered = Recovered();
  ASSERT_NE(recovered, nullptr);
  EXPECT_TRUE(SavedState(*recovered) == SavedState(*reference_));
}

}  // namespace
}  // namespace ccengine::journal
