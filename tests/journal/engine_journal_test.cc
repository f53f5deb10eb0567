// The engine with its journal: a randomized day of commands (both through
// Apply and through Submit + Poll) is journaled; at a random step the process
// "crashes" (the journal is closed where it stands, sometimes with half a
// record after it); a fresh engine replays the journal and must be in exactly
// the state the first one was in after its last journaled command, and, once
// its clock is advanced, in the state the first one is in now. Both engines
// then take the same further commands and must emit the same events.

#include "ccengine/journal/engine_journal.h"

#include <algorithm>
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
#include "ccengine/journal/command_codec.h"
#include "ccengine/journal/file_journal.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "journal/segment.h"
#include "sqlite/temp_dir.h"
#include "testing/engine_day.h"

namespace ccengine::journal {
namespace {

using test::DayDriver;
using test::DescribeState;
using test::NewDayCenter;

// Appends `bytes` to the newest segment file: what a crash mid-append leaves.
void TearNewestSegment(const std::filesystem::path& dir, const std::string& bytes) {
  std::filesystem::path newest;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (internal::ParseSegmentFileName(f.path().filename().string()) &&
        f.path() > newest) {
      newest = f.path();
    }
  }
  std::ofstream out(newest, std::ios::binary | std::ios::app);
  out << bytes;
}

void CrashAndRecover(uint64_t seed, int steps, int crash_at, bool torn) {
  SCOPED_TRACE(
      fmt::format("seed {} crash at step {}{}", seed, crash_at, torn ? " torn" : ""));
  sqlite::TempDir tmp;
  const FileJournalOptions options{
      .dir = tmp.File("journal"), .fsync = FsyncPolicy::kNever, .segment_bytes = 65536};
  DayDriver driver(seed);

  std::unique_ptr<Engine> live = NewDayCenter();
  std::unique_ptr<std::vector<std::string>> live_events = test::RecordEvents(*live);
  std::map<uint64_t, std::string> digest_at;  // by the journal's last sequence
  {
    auto log = FileJournal::Open(options);
    ASSERT_TRUE(log.ok()) << log.status();
    EngineJournal journal(*live, **log);
    for (int i = 0; i < crash_at; ++i) {
      const uint64_t before = (*log)->last_sequence();
      ASSERT_NO_FATAL_FAILURE(driver.Step({live.get()}));
      if ((*log)->last_sequence() != before) {
        digest_at[(*log)->last_sequence()] =
            DescribeState(*live, driver.agents, driver.contacts);
      }
    }
    EXPECT_EQ(journal.refused(), 0u);
  }  // the crash: the hook and the journal go, the files stay
  if (torn) TearNewestSegment(options.dir, std::string("\x10\x00\x00\x00\x7f", 5));

  OpenReport report;
  auto log = FileJournal::Open(options, &report);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(report.truncated_bytes, torn ? 5u : 0u);
  std::unique_ptr<Engine> recovered = NewDayCenter();
  absl::StatusOr<ReplayReport> replayed = ReplayJournal(**log, *recovered);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  ASSERT_FALSE(digest_at.empty());
  const uint64_t last = digest_at.rbegin()->first;
  EXPECT_EQ(replayed->last_sequence, last);
  EXPECT_EQ(replayed->records, last);
  EXPECT_GT(replayed->refused, 0u) << "the workload includes refused commands";
  EXPECT_EQ(DescribeState(*recovered, driver.agents, driver.contacts), digest_at[last]);
  ASSERT_TRUE(recovered->AdvanceTo(live->Now()).ok());
  EXPECT_EQ(DescribeState(*recovered, driver.agents, driver.contacts),
            DescribeState(*live, driver.agents, driver.contacts));
  ASSERT_TRUE(recovered->CheckInvariants().ok());

  // The producer, unsure what the crashed engine took, sends its latest
  // numbered commands again: each was applied once already.
  ASSERT_FALSE(driver.originated.empty());
  const std::string before_resend = test::SavedState(*recovered);
  for (const auto& [command, origin] : driver.originated) {
    EXPECT_EQ(recovered->Apply(command, origin).code(), absl::StatusCode::kAlreadyExists);
  }
  EXPECT_EQ(test::SavedState(*recovered), before_resend);

  // Both go on with the same commands; the recovered one journals again.
  std::unique_ptr<std::vector<std::string>> recovered_events =
      test::RecordEvents(*recovered);
  const size_t live_mark = live_events->size();
  {
    EngineJournal journal(*recovered, **log);
    for (int i = crash_at; i < steps; ++i) {
      ASSERT_NO_FATAL_FAILURE(driver.Step({live.get(), recovered.get()}));
    }
  }
  ASSERT_EQ(recovered_events->size(), live_events->size() - live_mark);
  for (size_t i = 0; i < recovered_events->size(); ++i) {
    ASSERT_EQ((*recovered_events)[i], (*live_events)[live_mark + i]) << "event " << i;
  }
  EXPECT_EQ(DescribeState(*recovered, driver.agents, driver.contacts),
            DescribeState(*live, driver.agents, driver.contacts));

  // The day was a busy one.
  const Accounting acc = live->GetAccounting();
  EXPECT_GT(acc.completed, 300u);
  EXPECT_GT(acc.abandoned + acc.overflowed + acc.withdrawn, 20u);
  EXPECT_GT(live_events->size(), 1000u);

  // And the whole journal, crash included, replays to the end.
  log->reset();
  log = FileJournal::Open(options);
  ASSERT_TRUE(log.ok());
  std::unique_ptr<Engine> again = NewDayCenter();
  ASSERT_TRUE(ReplayJournal(**log, *again).ok());
  ASSERT_TRUE(again->AdvanceTo(live->Now()).ok());
  EXPECT_EQ(DescribeState(*again, driver.agents, driver.contacts),
            DescribeState(*live, driver.agents, driver.contacts));
}

TEST(EngineJournalTest, RecoveryGivesTheSameStateAndTheSameFuture) {
  std::mt19937_64 pick(2026);
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    const int crash_at = std::uniform_int_distribution<int>(300, 1700)(pick);
    ASSERT_NO_FATAL_FAILURE(CrashAndRecover(seed, 2000, crash_at, seed % 2 == 0));
  }
}

TEST(EngineJournalTest, ACommandThatCannotBeJournaledIsNotApplied) {
  sqlite::TempDir tmp;
  auto log = FileJournal::Open({.dir = tmp.File("j")});
  ASSERT_TRUE(log.ok());
  std::unique_ptr<Engine> e = NewDayCenter();
  EngineJournal journal(*e, **log);
  ContactSpec s;
  s.id = ContactId{1};
  s.queue = QueueId{0};
  s.arrived_at = e->Now() - absl::Nanoseconds(1) / 4;  // not whole nanoseconds
  const absl::Status st = e->Apply(cmd::AddContact{s});
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_FALSE(e->GetContact(ContactId{1}).ok());
  EXPECT_EQ(journal.refused(), 1u);
  EXPECT_EQ((*log)->last_sequence(), 0u);
  // Through Submit + Poll the refusal is a kCommandFailed event.
  std::vector<Event> failed;
  e->Subscribe([&](const Event& ev) { failed.push_back(ev); },
               EventBit(EventType::kCommandFailed));
  ASSERT_TRUE(e->Submit(cmd::AddContact{s}).ok());
  ASSERT_TRUE(e->Poll(e->Now()).ok());
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].status.code(), absl::StatusCode::kInvalidArgument);
  // The event names the contact the refused command was about.
  EXPECT_TRUE(failed[0].has_contact);
  EXPECT_EQ(failed[0].contact, s.id);
  EXPECT_FALSE(failed[0].has_agent);
  s.arrived_at.reset();
  ASSERT_TRUE(e->Apply(cmd::AddContact{s}).ok());
  EXPECT_EQ((*log)->last_sequence(), 1u);
  EXPECT_EQ(journal.appended(), 1u);
}

TEST(EngineJournalTest, ReplayRefusesWhatDoesNotFit) {
  sqlite::TempDir tmp;
  auto log = FileJournal::Open({.dir = tmp.File("j")});
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)
                  ->Append(absl::UnixEpoch() + absl::Hours(9),
                           *EncodeCommand(cmd::Logout{AgentId{1}}))
                  .ok());
  ASSERT_TRUE(
      (*log)->Append(absl::UnixEpoch(), *EncodeCommand(cmd::Logout{AgentId{1}})).ok());
  ASSERT_TRUE((*log)->Append(absl::UnixEpoch() + absl::Hours(10), "\x01\x63").ok());

  std::unique_ptr<Engine> e = NewDayCenter();
  absl::StatusOr<ReplayReport> r = ReplayJournal(**log, *e);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("journal record 2 was applied at"),
            std::string::npos)
      << r.status();

  std::unique_ptr<Engine> hooked = NewDayCenter();
  EngineJournal journal(*hooked, **log);
  EXPECT_EQ(ReplayJournal(**log, *hooked).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReplayJournal(**log, *NewDayCenter(), 0).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // The journal keeps no actors: an engine that authorizes by them is
  // recovered first, then given its access control.
  std::unique_ptr<Engine> guarded = NewDayCenter();
  guarded->SetAuthorizer([](const Engine&, const Command&, const CommandOrigin&) {
    return absl::PermissionDeniedError("no");
  });
  const absl::Status refused = ReplayJournal(**log, *guarded).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("replay first, then attach"), std::string::npos)
      << refused;
}

}  // namespace
}  // namespace ccengine::journal
