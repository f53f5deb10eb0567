#include "ccengine/journal/file_journal.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "journal/segment.h"
#include "sqlite/temp_dir.h"

namespace ccengine::journal {
namespace {

using ::ccengine::sqlite::TempDir;
using ::testing::HasSubstr;

// The payload of record `sequence`: its length varies, with zero bytes in it.
std::string PayloadOf(uint64_t sequence) {
  std::string p = "command " + std::to_string(sequence);
  p.append(sequence % 97, static_cast<char>(sequence % 3 == 0 ? 0 : 'x'));
  return p;
}

absl::Time TimeOf(uint64_t sequence) {
  return absl::FromUnixSeconds(1'700'000'000) + absl::Milliseconds(sequence * 7);
}

std::unique_ptr<FileJournal> MustOpen(const FileJournalOptions& options,
                                      OpenReport* report = nullptr) {
  absl::StatusOr<std::unique_ptr<FileJournal>> j = FileJournal::Open(options, report);
  EXPECT_TRUE(j.ok()) << j.status();
  return j.ok() ? *std::move(j) : nullptr;
}

void AppendRange(FileJournal& j, uint64_t from, uint64_t to) {
  for (uint64_t s = from; s <= to; ++s) {
    absl::StatusOr<uint64_t> got = j.Append(TimeOf(s), PayloadOf(s));
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(*got, s);
  }
}

// Every record from `from` to `to`, as written.
void ExpectRecords(const FileJournal& j, uint64_t from, uint64_t to) {
  uint64_t next = from;
  absl::Status s = j.Read(from, [&](const LogRecord& r) {
    EXPECT_EQ(r.sequence, next);
    EXPECT_EQ(r.engine_time, TimeOf(r.sequence));
    EXPECT_EQ(r.payload, PayloadOf(r.sequence));
    ++next;
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(next, to + 1);
}

// The segment files of the journal in `dir`/j.
std::vector<std::filesystem::path> Segments(const TempDir& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() / "j")) {
    if (internal::ParseSegmentFileName(e.path().filename().string()))
      out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::filesystem::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << data;
}

TEST(FileJournalTest, AppendsReadsBackAndReopens) {
  TempDir dir;
  {
    auto j = MustOpen({.dir = dir.File("j")});
    ASSERT_NE(j, nullptr);
    EXPECT_EQ(j->first_sequence(), 1u);
    EXPECT_EQ(j->last_sequence(), 0u);
    AppendRange(*j, 1, 300);
    ExpectRecords(*j, 1, 300);
    ExpectRecords(*j, 250, 300);
    EXPECT_EQ(j->durable_sequence(), 300u);
  }
  OpenReport report;
  auto j = MustOpen({.dir = dir.File("j")}, &report);
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(report.records, 300u);
  EXPECT_EQ(report.truncated_bytes, 0u);
  EXPECT_EQ(j->last_sequence(), 300u);
  AppendRange(*j, 301, 310);
  ExpectRecords(*j, 1, 310);
}

TEST(FileJournalTest, AnEmptyJournalCanContinueAnotherSequence) {
  TempDir dir;
  auto j = MustOpen({.dir = dir.File("j"), .first_sequence = 1000});
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->last_sequence(), 999u);
  AppendRange(*j, 1000, 1002);
  ExpectRecords(*j, 1000, 1002);
}

TEST(FileJournalTest, SegmentsRollAndOldOnesAreDropped) {
  TempDir dir;
  const FileJournalOptions options{.dir = dir.File("j"), .segment_bytes = 4096};
  {
    auto j = MustOpen(options);
    ASSERT_NE(j, nullptr);
    AppendRange(*j, 1, 1000);
    EXPECT_GT(j->segment_count(), 10u);
    EXPECT_EQ(Segments(dir).size(), j->segment_count());
    ASSERT_TRUE(j->DropBefore(500).ok());
    EXPECT_LE(j->first_sequence(), 500u);
    EXPECT_GT(j->first_sequence(), 400u);
    EXPECT_EQ(j->Read(1, [](const LogRecord&) { return absl::OkStatus(); }).code(),
              absl::StatusCode::kOutOfRange);
    ExpectRecords(*j, 500, 1000);
    // A record larger than a segment gets one of its own.
    ASSERT_TRUE(j->Append(TimeOf(1001), std::string(10'000, 'b')).ok());
    ASSERT_TRUE(j->Append(TimeOf(1002), "after").ok());
  }
  for (const auto& p : Segments(dir)) {
    const std::string data = ReadAll(p);
    EXPECT_TRUE(data.size() <= 4096 ||
                data.find(std::string(10'000, 'b')) != std::string::npos)
        << p;
  }
  auto j = MustOpen(options);
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->last_sequence(), 1002u);
  EXPECT_LE(j->first_sequence(), 500u);
  // Dropping never takes the newest segment.
  ASSERT_TRUE(j->DropBefore(5000).ok());
  EXPECT_EQ(j->segment_count(), 1u);
  EXPECT_EQ(j->last_sequence(), 1002u);
}

TEST(FileJournalTest, RotateLetsEveryRecordBeDroppedAndTheNumberingGoesOn) {
  TempDir dir;
  const FileJournalOptions options{.dir = dir.File("j")};
  {
    auto j = MustOpen(options);
    ASSERT_NE(j, nullptr);
    ASSERT_TRUE(j->Rotate().ok());  // nothing to end: no new segment
    EXPECT_EQ(j->segment_count(), 1u);
    AppendRange(*j, 1, 50);
    ASSERT_TRUE(j->DropBefore(51).ok());  // without Rotate, the newest stays
    EXPECT_EQ(j->first_sequence(), 1u);
    ASSERT_TRUE(j->Rotate().ok());
    EXPECT_EQ(j->segment_count(), 2u);
    EXPECT_EQ(j->durable_sequence(), 50u);
    ASSERT_TRUE(j->Rotate().ok());  // the new segment is still empty
    EXPECT_EQ(j->segment_count(), 2u);
    ExpectRecords(*j, 1, 50);
    ASSERT_TRUE(j->DropBefore(51).ok());
    EXPECT_EQ(j->first_sequence(), 51u);
    EXPECT_EQ(j->last_sequence(), 50u);
    EXPECT_EQ(Segments(dir).size(), 1u);
    EXPECT_EQ(j->Read(50, [](const LogRecord&) { return absl::OkStatus(); }).code(),
              absl::StatusCode::kOutOfRange);
  }
  // The empty segment keeps the numbering across a reopen.
  auto j = MustOpen(options);
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->first_sequence(), 51u);
  EXPECT_EQ(j->last_sequence(), 50u);
  AppendRange(*j, 51, 60);
  ExpectRecords(*j, 51, 60);
}

// Segments written with larger segments than the journal now has are read
// whole, never cut.
TEST(FileJournalTest, SegmentsOfAnotherSizeAreReadWhole) {
  TempDir dir;
  // A 20 MiB segment: more than the new segment size plus the largest record.
  const std::string big(100 << 10, 'r');
  {
    auto j = MustOpen(
        {.dir = dir.File("j"), .fsync = FsyncPolicy::kNever, .segment_bytes = 64 << 20});
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(j->Append(TimeOf(i + 1), big).ok());
  }
  OpenReport report;
  auto j = MustOpen({.dir = dir.File("j"), .segment_bytes = 4096}, &report);
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(report.truncated_bytes, 0u);
  EXPECT_EQ(j->last_sequence(), 200u);
  ASSERT_TRUE(j->Append(TimeOf(201), "after").ok());
  EXPECT_EQ(j->segment_count(), 2u) << "the big one, then a new one";
  uint64_t n = 0;
  ASSERT_TRUE(j->Read(1, [&](const LogRecord& r) {
                 EXPECT_EQ(r.payload, ++n <= 200 ? big : "after");
                 return absl::OkStatus();
               }).ok());
  EXPECT_EQ(n, 201u);
}

// A crash in the middle of an append leaves a prefix of the record: every
// such prefix is cut off on open, and the journal goes on from there.
TEST(FileJournalTest, ATornLastRecordIsCutAtEveryLength) {
  TempDir dir;
  const FileJournalOptions options{.dir = dir.File("j")};
  {
    auto j = MustOpen(options);
    AppendRange(*j, 1, 20);
  }
  const std::filesystem::path segment = Segments(dir).back();
  const std::string whole = ReadAll(segment);
  const size_t last_record = internal::RecordBytes(PayloadOf(20).size());
  const std::string without_last = whole.substr(0, whole.size() - last_record);
  for (size_t keep = 0; keep < last_record; ++keep) {
    WriteAll(segment, whole.substr(0, without_last.size() + keep));
    OpenReport report;
    auto j = MustOpen(options, &report);
    ASSERT_NE(j, nullptr) << keep;
    EXPECT_EQ(j->last_sequence(), 19u) << keep;
    EXPECT_EQ(report.truncated_bytes, keep);
    EXPECT_EQ(std::filesystem::file_size(segment), without_last.size());
    AppendRange(*j, 20, 20);
    ExpectRecords(*j, 1, 20);
  }
  // A file extended with zeros that were never written.
  WriteAll(segment, whole + std::string(8192, '\0'));
  OpenReport report;
  auto j = MustOpen(options, &report);
  EXPECT_EQ(report.truncated_bytes, 8192u);
  EXPECT_EQ(j->last_sequence(), 20u);
}

// Damage before the torn tail is never cut: every byte of a record in the
// middle, flipped, stops the open with the segment and the record's offset.
TEST(FileJournalTest, CorruptionInTheMiddleNamesTheSegmentAndOffset) {
  TempDir dir;
  const FileJournalOptions options{.dir = dir.File("j")};
  { AppendRange(*MustOpen(options), 1, 5); }
  const std::filesystem::path segment = Segments(dir).back();
  const std::string whole = ReadAll(segment);
  size_t offset = internal::kSegmentHeaderBytes;
  for (uint64_t s = 1; s < 3; ++s) offset += internal::RecordBytes(PayloadOf(s).size());
  const size_t size = internal::RecordBytes(PayloadOf(3).size());
  for (size_t i = offset; i < offset + size; ++i) {
    std::string damaged = whole;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x20);
    WriteAll(segment, damaged);
    absl::StatusOr<std::unique_ptr<FileJournal>> j = FileJournal::Open(options);
    ASSERT_FALSE(j.ok()) << "byte " << i;
    EXPECT_EQ(j.status().code(), absl::StatusCode::kDataLoss) << j.status();
    EXPECT_THAT(j.status().message(), HasSubstr(segment.filename().string()));
    EXPECT_THAT(j.status().message(), HasSubstr("byte offset " + std::to_string(offset)))
        << "byte " << i << ": " << j.status();
  }
  // The file is left as it was found.
  std::string damaged = whole;
  damaged[offset + 20] ^= 1;
  WriteAll(segment, damaged);
  EXPECT_FALSE(FileJournal::Open(options).ok());
  EXPECT_EQ(ReadAll(segment), damaged);
}

TEST(FileJournalTest, DamageInAnOlderSegmentIsNeverTorn) {
  TempDir dir;
  const FileJournalOptions options{.dir = dir.File("j"), .segment_bytes = 4096};
  { AppendRange(*MustOpen(options), 1, 200); }
  const auto segments = Segments(dir);
  ASSERT_GE(segments.size(), 3u);
  const std::string older = ReadAll(segments[1]);
  WriteAll(segments[1], older.substr(0, older.size() - 3));  // its last record cut
  absl::StatusOr<std::unique_ptr<FileJournal>> j = FileJournal::Open(options);
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(j.status().message(), HasSubstr(segments[1].filename().string()));
  // A segment missing from the middle.
  WriteAll(segments[1], older);
  std::filesystem::remove(segments[1]);
  j = FileJournal::Open(options);
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(j.status().message(), HasSubstr("the segment before ends at"));
}

TEST(FileJournalTest, AnotherFormatVersionIsRefused) {
  TempDir dir;
  const FileJournalOptions options{.dir = dir.File("j")};
  { AppendRange(*MustOpen(options), 1, 3); }
  const std::filesystem::path segment = Segments(dir).back();
  std::string data = ReadAll(segment);
  data[8] = 2;  // the version, then the header's checksum made right again
  const uint32_t crc = internal::Crc32c(std::string_view(data).substr(0, 24));
  for (int i = 0; i < 4; ++i) data[24 + i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
  WriteAll(segment, data);
  absl::StatusOr<std::unique_ptr<FileJournal>> j = FileJournal::Open(options);
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(j.status().message(), HasSubstr("format version 2"));
}

TEST(FileJournalTest, ANewestSegmentWithoutItsHeaderIsRemoved) {
  TempDir dir;
  const FileJournalOptions options{.dir = dir.File("j")};
  { AppendRange(*MustOpen(options), 1, 3); }
  WriteAll(dir.path() / "j" / internal::SegmentFileName(4), "CCJRN");
  OpenReport report;
  auto j = MustOpen(options, &report);
  ASSERT_NE(j, nullptr);
  EXPECT_TRUE(report.removed_empty_segment);
  EXPECT_EQ(j->last_sequence(), 3u);
  AppendRange(*j, 4, 4);
  ExpectRecords(*j, 1, 4);
}

TEST(FileJournalTest, OneJournalPerFolder) {
  TempDir dir;
  auto j = MustOpen({.dir = dir.File("j")});
  absl::StatusOr<std::unique_ptr<FileJournal>> again =
      FileJournal::Open({.dir = dir.File("j")});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  j.reset();
  EXPECT_TRUE(FileJournal::Open({.dir = dir.File("j")}).ok());
}

TEST(FileJournalTest, BadInputLeavesTheJournalAsItWas) {
  TempDir dir;
  for (const FileJournalOptions& bad :
       {FileJournalOptions{.dir = ""},
        FileJournalOptions{.dir = dir.File("a"), .segment_bytes = 10},
        FileJournalOptions{.dir = dir.File("b"), .batch_interval = absl::ZeroDuration()},
        FileJournalOptions{.dir = dir.File("c"), .first_sequence = 0}}) {
    EXPECT_EQ(FileJournal::Open(bad).status().code(), absl::StatusCode::kInvalidArgument);
  }
  auto j = MustOpen({.dir = dir.File("j")});
  AppendRange(*j, 1, 2);
  EXPECT_EQ(
      j->Append(TimeOf(3), std::string(kMaxRecordPayloadBytes + 1, 'x')).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(j->Append(absl::InfiniteFuture(), "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(j->AwaitDurable(3, absl::Seconds(1)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(j->last_sequence(), 2u);
  AppendRange(*j, 3, 3);
  ExpectRecords(*j, 1, 3);
}

TEST(FileJournalTest, AppendEncodedWritesInPlaceAndUndoesWhatFails) {
  TempDir dir;
  for (const FsyncPolicy policy :
       {FsyncPolicy::kAlways, FsyncPolicy::kBatch, FsyncPolicy::kNever}) {
    SCOPED_TRACE(FsyncPolicyName(policy));
    const std::string folder = dir.File(std::string(FsyncPolicyName(policy)));
    const FileJournalOptions options{
        .dir = folder, .fsync = policy, .segment_bytes = 4096};
    auto j = MustOpen(options);
    ASSERT_NE(j, nullptr);
    // Records appended both ways interleave, across segment rolls.
    for (uint64_t s = 1; s <= 300; ++s) {
      absl::StatusOr<uint64_t> got;
      if (s % 2 == 0) {
        got = j->Append(TimeOf(s), PayloadOf(s));
      } else {
        got = j->AppendEncoded(TimeOf(s), [s](std::string* out) {
          out->append(PayloadOf(s));
          return absl::OkStatus();
        });
      }
      ASSERT_TRUE(got.ok()) << got.status();
      ASSERT_EQ(*got, s);
      if (s % 50 != 0) continue;
      // An encoder that fails leaves nothing behind, whatever it wrote first;
      // one that writes more than a record may hold is refused the same way.
      const absl::Status failed = j->AppendEncoded(TimeOf(s), [](std::string* out) {
                                     out->append("half a command");
                                     return absl::InvalidArgumentError("cannot encode");
                                   }).status();
      EXPECT_EQ(failed, absl::InvalidArgumentError("cannot encode"));
      const absl::Status too_large = j->AppendEncoded(TimeOf(s), [](std::string* out) {
                                        out->append(kMaxRecordPayloadBytes + 1, 'x');
                                        return absl::OkStatus();
                                      }).status();
      EXPECT_EQ(too_large.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(too_large.message(), HasSubstr("more than the limit"));
      EXPECT_EQ(j->AppendEncoded(absl::InfinitePast(),
                                 [](std::string*) { return absl::OkStatus(); })
                    .status()
                    .code(),
                absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(j->last_sequence(), s);
    }
    EXPECT_GT(j->segment_count(), 3u);
    ExpectRecords(*j, 1, 300);
    j.reset();
    j = MustOpen(options);
    ASSERT_NE(j, nullptr);
    ExpectRecords(*j, 1, 300);
  }
}

// The port's own AppendEncoded, for a log without a buffer of its own: the
// payload encoded into a string of its own, then Append.
TEST(CommandLogTest, TheDefaultAppendEncodedCallsAppend) {
  class Recorder final : public CommandLog {
   public:
    absl::StatusOr<uint64_t> Append(absl::Time time, std::string_view payload) override {
      records.push_back({++last, time, std::string(payload)});
      return last;
    }
    absl::Status Sync() override { return absl::OkStatus(); }
    absl::Status AwaitDurable(uint64_t, absl::Duration) override {
      return absl::OkStatus();
    }
    uint64_t first_sequence() const override { return 1; }
    uint64_t last_sequence() const override { return last; }
    uint64_t durable_sequence() const override { return last; }
    absl::Status Read(uint64_t,
                      absl::FunctionRef<absl::Status(const LogRecord&)>) const override {
      return absl::OkStatus();
    }
    absl::Status DropBefore(uint64_t) override { return absl::OkStatus(); }
    absl::Status Rotate() override { return absl::OkStatus(); }

    std::vector<LogRecord> records;
    uint64_t last = 0;
  };
  Recorder log;
  CommandLog& port = log;
  absl::StatusOr<uint64_t> got = port.AppendEncoded(TimeOf(1), [](std::string* out) {
    out->append("abc");
    return absl::OkStatus();
  });
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, 1u);
  EXPECT_EQ(port.AppendEncoded(TimeOf(2),
                               [](std::string*) { return absl::DataLossError("no"); })
                .status(),
            absl::DataLossError("no"));
  ASSERT_EQ(log.records.size(), 1u);
  EXPECT_EQ(log.records[0].payload, "abc");
  EXPECT_EQ(log.records[0].engine_time, TimeOf(1));
}

TEST(FileJournalTest, FsyncPolicies) {
  TempDir dir;
  {
    auto always = MustOpen({.dir = dir.File("always"), .fsync = FsyncPolicy::kAlways});
    const uint64_t before = always->sync_count();
    AppendRange(*always, 1, 10);
    EXPECT_EQ(always->sync_count() - before, 10u);
    EXPECT_EQ(always->durable_sequence(), 10u);
  }
  {
    auto never = MustOpen({.dir = dir.File("never"), .fsync = FsyncPolicy::kNever});
    const uint64_t before = never->sync_count();
    AppendRange(*never, 1, 10);
    EXPECT_EQ(never->sync_count(), before);
    EXPECT_LT(never->durable_sequence(), 10u);
    // Asked to acknowledge, it syncs.
    ASSERT_TRUE(never->AwaitDurable(10, absl::Seconds(1)).ok());
    EXPECT_EQ(never->durable_sequence(), 10u);
  }
  {
    auto batch = MustOpen({.dir = dir.File("batch"),
                           .fsync = FsyncPolicy::kBatch,
                           .batch_interval = absl::Milliseconds(2)});
    AppendRange(*batch, 1, 500);
    ASSERT_TRUE(batch->AwaitDurable(500, absl::Seconds(30)).ok());
    EXPECT_EQ(batch->durable_sequence(), 500u);
    // Group commit: far fewer syncs than records.
    EXPECT_LT(batch->sync_count(), 500u);
  }
  auto batch = MustOpen({.dir = dir.File("batch"), .fsync = FsyncPolicy::kBatch});
  EXPECT_EQ(batch->last_sequence(), 500u);
}

// kill -9 of a process appending: every record it acknowledged is found.
// Under kAlways a record is acknowledged when Append returns; under kBatch
// when AwaitDurable returns (every 25th record here).
void KillWhileAppending(FsyncPolicy policy) {
  TempDir dir;
  const FileJournalOptions options{
      .dir = dir.File("j"), .fsync = policy, .segment_bytes = 8192};
  for (int round = 0; round < 3; ++round) {
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(pipe_fds[0]);
      absl::StatusOr<std::unique_ptr<FileJournal>> j = FileJournal::Open(options);
      if (!j.ok()) ::_exit(2);
      for (uint64_t s = (*j)->last_sequence() + 1;; ++s) {
        if (!(*j)->Append(TimeOf(s), PayloadOf(s)).ok()) ::_exit(3);
        if (policy == FsyncPolicy::kBatch) {
          if (s % 25 != 0) continue;
          if (!(*j)->AwaitDurable(s, absl::Seconds(30)).ok()) ::_exit(5);
        }
        if (::write(pipe_fds[1], &s, sizeof(s)) != sizeof(s)) ::_exit(4);
      }
    }
    ::close(pipe_fds[1]);
    uint64_t acknowledged = 0;
    uint64_t s = 0;
    for (int n = 0;
         n < 40 + 30 * round && ::read(pipe_fds[0], &s, sizeof(s)) == sizeof(s); ++n) {
      acknowledged = s;
    }
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    while (::read(pipe_fds[0], &s, sizeof(s)) == sizeof(s)) acknowledged = s;
    ::close(pipe_fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child stopped on its own: " << status;
    auto j = MustOpen(options);
    ASSERT_NE(j, nullptr);
    EXPECT_GT(acknowledged, 0u);
    EXPECT_GE(j->last_sequence(), acknowledged) << "round " << round;
    ExpectRecords(*j, 1, j->last_sequence());
  }
}

TEST(FileJournalTest, NothingAcknowledgedIsLostToKillNine) {
  KillWhileAppending(FsyncPolicy::kAlways);
}

TEST(FileJournalTest, NothingAwaitedIsLostToKillNineUnderBatch) {
  KillWhileAppending(FsyncPolicy::kBatch);
}

// Buffered policies still read back what was appended a moment ago, and a
// journal closed normally has written everything.
TEST(FileJournalTest, BufferedRecordsReadBackAndSurviveTheClose) {
  TempDir dir;
  for (const FsyncPolicy policy : {FsyncPolicy::kNever, FsyncPolicy::kBatch}) {
    const FileJournalOptions options{.dir =
                                         dir.File(std::string(FsyncPolicyName(policy))),
                                     .fsync = policy,
                                     .batch_interval = absl::Seconds(10)};
    {
      auto j = MustOpen(options);
      AppendRange(*j, 1, 5);
      ExpectRecords(*j, 1, 5);
      AppendRange(*j, 6, 3000);  // past the write buffer
      ExpectRecords(*j, 1, 3000);
      AppendRange(*j, 3001, 3003);
    }
    auto j = MustOpen(options);
    EXPECT_EQ(j->last_sequence(), 3003u);
    ExpectRecords(*j, 1, 3003);
  }
}

}  // namespace
}  // namespace ccengine::journal
