// The audit log's behaviour: entries come back exactly as written (escaped
// bytes included, personal data masked), checkpoints and the head, reopening,
// refusals that change nothing, a failed write undone, the keys in PEM, and
// the line format's own checks.
#include "ccengine/audit/audit_log.h"

#include <sys/resource.h>

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "audit_test_util.h"
#include "ccengine/audit/keys.h"
#include "chain.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "record.h"
#include "sqlite/temp_dir.h"

namespace ccengine::audit {
namespace {

using ::ccengine::audit::testing::ReadAll;
using ::ccengine::audit::testing::SteppingClock;
using ::ccengine::audit::testing::WriteAll;
using ::testing::HasSubstr;

SigningKey NewKey() {
  absl::StatusOr<SigningKey> key = SigningKey::Generate();
  EXPECT_TRUE(key.ok()) << key.status();
  return *std::move(key);
}

AuditLogOptions Options(int64_t checkpoint_every = 1000) {
  AuditLogOptions options;
  options.clock = SteppingClock();
  options.checkpoint_every = checkpoint_every;
  options.sync = AuditSync::kNone;
  return options;
}

AuditEvent Event(int i) {
  return AuditEvent{.actor = absl::StrCat("lead", i % 3),
                    .role = "supervisor",
                    .action = "agent.force_state",
                    .subject = absl::StrCat("agent:", 1000 + i),
                    .before = "busy",
                    .after = "away",
                    .reason = absl::StrCat("stuck call ", i)};
}

std::vector<AuditRecord> Records(const std::string& path, const VerifyKey& key,
                                 AuditVerification* report = nullptr) {
  std::vector<AuditRecord> records;
  AuditVerifyOptions options;
  options.on_record = [&](const AuditRecord& r) { records.push_back(r); };
  absl::StatusOr<AuditVerification> result = VerifyAuditLog(path, key, options);
  EXPECT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->intact) << result->problem_line << ": " << result->problem;
  if (report != nullptr) *report = *result;
  return records;
}

TEST(AuditLogTest, EntriesComeBackAsWrittenWithCheckpointsEveryN) {
  sqlite::TempDir dir;
  const std::string path = dir.File("audit.log");
  SigningKey key = NewKey();
  const VerifyKey verify = key.verify_key();
  AuditEvent odd{.actor = "wang\tli",
                 .role = "team\\lead",
                 .action = "routing.publish",
                 .subject = "queue:账务\n咨询",
                 .before = std::string("v1\r\x01\x7f", 5),
                 .after = "\\x41 stays as typed",
                 .reason = ""};
  {
    auto log = AuditLog::Open(path, key, Options(3));
    ASSERT_TRUE(log.ok()) << log.status();
    for (int i = 0; i < 10; ++i) {
      auto seq = (*log)->Append(i == 4 ? odd : Event(i));
      ASSERT_TRUE(seq.ok()) << seq.status();
    }
    ASSERT_TRUE((*log)->Close().ok());
    EXPECT_EQ((*log)->Close().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ((*log)->Append(Event(0)).status().code(),
              absl::StatusCode::kFailedPrecondition);
  }
  AuditVerification report;
  const std::vector<AuditRecord> records = Records(path, verify, &report);
  ASSERT_EQ(records.size(), 10u);
  // The creation checkpoint, one after every 3 entries, and the close.
  EXPECT_EQ(report.checkpoints, 1 + 3 + 1);
  EXPECT_EQ(report.entries, 10);
  EXPECT_EQ(report.unsigned_entries, 0);
  EXPECT_EQ(report.lines, 1 + 10 + 5);
  int64_t previous_seq = 0;
  for (int i = 0; i < 10; ++i) {
    const AuditEvent expected = i == 4 ? odd : Event(i);
    EXPECT_EQ(records[i].event.actor, expected.actor);
    EXPECT_EQ(records[i].event.role, expected.role);
    EXPECT_EQ(records[i].event.action, expected.action);
    EXPECT_EQ(records[i].event.subject, expected.subject);
    EXPECT_EQ(records[i].event.before, expected.before);
    EXPECT_EQ(records[i].event.after, expected.after);
    EXPECT_EQ(records[i].event.reason, expected.reason);
    EXPECT_GT(records[i].seq, previous_seq);
    previous_seq = records[i].seq;
  }
  // Every line is one line: the odd bytes were escaped.
  const std::string text = ReadAll(path);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), report.lines);
  EXPECT_THAT(text, HasSubstr("wang\\tli\tteam\\\\lead"));
  EXPECT_THAT(text, HasSubstr("v1\\r\\x01\\x7f"));
}

TEST(AuditLogTest, PersonalDataIsMaskedUnlessTurnedOff) {
  sqlite::TempDir dir;
  SigningKey key = NewKey();
  AuditEvent event{.actor = "zhang.wei",
                   .role = "agent",
                   .action = "data.unmask",
                   .subject = "customer 13812345678",
                   .before = "卡号 6222021234567890128",
                   .after = "zhang@example.com",
                   .reason = "callback to 010-62345678"};
  for (const bool mask : {true, false}) {
    const std::string path = dir.File(mask ? "masked.log" : "plain.log");
    AuditLogOptions options = Options();
    options.mask_personal_data = mask;
    {
      auto log = AuditLog::Open(path, key, options);
      ASSERT_TRUE(log.ok()) << log.status();
      ASSERT_TRUE((*log)->Append(event).ok());
    }
    const std::vector<AuditRecord> records = Records(path, key.verify_key());
    ASSERT_EQ(records.size(), 1u);
    const AuditEvent& got = records[0].event;
    if (mask) {
      EXPECT_EQ(got.subject, "customer 138****5678");
      EXPECT_EQ(got.before, "卡号 622202*********0128");
      EXPECT_EQ(got.after, "z***@example.com");
      EXPECT_EQ(got.reason, "callback to 010-****5678");
      EXPECT_THAT(ReadAll(path), ::testing::Not(HasSubstr("13812345678")));
    } else {
      EXPECT_EQ(got.subject, event.subject);
      EXPECT_EQ(got.before, event.before);
    }
    EXPECT_EQ(got.actor, "zhang.wei");
  }
}

TEST(AuditLogTest, BadEventsAreRefusedAndChangeNothing) {
  sqlite::TempDir dir;
  const std::string path = dir.File("audit.log");
  auto log = AuditLog::Open(path, NewKey(), Options());
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_TRUE((*log)->Append(Event(1)).ok());
  const std::string before = ReadAll(path);
  const int64_t seq = (*log)->last_seq();
  struct Case {
    AuditEvent event;
    std::string message;
  };
  AuditEvent no_actor = Event(2);
  no_actor.actor.clear();
  AuditEvent no_role = Event(2);
  no_role.role.clear();
  AuditEvent no_action = Event(2);
  no_action.action.clear();
  AuditEvent spaced = Event(2);
  spaced.action = "force state";
  AuditEvent huge = Event(2);
  huge.reason.assign(kMaxAuditLineBytes, 'x');
  for (const Case& c : std::vector<Case>{{no_actor, "needs an actor"},
                                         {no_role, "needs a role"},
                                         {no_action, "needs an action"},
                                         {spaced, "A-Z a-z 0-9 _ . : -"},
                                         {huge, "over the limit"}}) {
    absl::StatusOr<int64_t> result = (*log)->Append(c.event);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(result.status().message(), HasSubstr(c.message));
    EXPECT_EQ(ReadAll(path), before);
    EXPECT_EQ((*log)->last_seq(), seq);
  }
  auto next = (*log)->Append(Event(3));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, seq + 1);
}

TEST(AuditLogTest, ReopeningContinuesTheChain) {
  sqlite::TempDir dir;
  const std::string path = dir.File("audit.log");
  SigningKey key = NewKey();
  for (int round = 0; round < 3; ++round) {
    auto log = AuditLog::Open(path, key, Options(4));
    ASSERT_TRUE(log.ok()) << log.status();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*log)->Append(Event(round * 5 + i)).ok());
  }
  const std::vector<AuditRecord> records = Records(path, key.verify_key());
  ASSERT_EQ(records.size(), 15u);
  for (int i = 0; i < 15; ++i) EXPECT_EQ(records[i].event.subject, Event(i).subject);
}

TEST(AuditLogTest, AnUnclosedLogVerifiesWithUnsignedEntriesAndReopens) {
  sqlite::TempDir dir;
  const std::string path = dir.File("audit.log");
  const std::string copy = dir.File("crashed.log");
  SigningKey key = NewKey();
  {
    auto log = AuditLog::Open(path, key, Options(1000));
    ASSERT_TRUE(log.ok()) << log.status();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*log)->Append(Event(i)).ok());
    // What a crash leaves: the lines written, no closing checkpoint.
    std::filesystem::copy_file(path, copy);
    std::filesystem::copy_file(path + ".head", copy + ".head");
  }
  AuditVerification report;
  EXPECT_EQ(Records(copy, key.verify_key(), &report).size(), 5u);
  EXPECT_EQ(report.unsigned_entries, 5);
  EXPECT_EQ(report.last_checkpoint_seq, 1);
  EXPECT_EQ(report.recovered_entries, 0);
  // A torn last line (a crash inside a write) is not read, and not a
  // problem by itself.
  WriteAll(copy, ReadAll(copy) + "E\t7\t2026-12-0");
  EXPECT_EQ(Records(copy, key.verify_key(), &report).size(), 5u);
  EXPECT_EQ(report.incomplete_tail_bytes, 13);
  // The next writer cuts the torn line and signs the five as recovered.
  auto reopened = AuditLog::Open(copy, key, Options());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  ASSERT_TRUE((*reopened)->Append(Event(5)).ok());
  ASSERT_TRUE((*reopened)->Close().ok());
  const std::vector<AuditRecord> records = Records(copy, key.verify_key(), &report);
  ASSERT_EQ(records.size(), 6u);
  EXPECT_EQ(records[5].event.subject, Event(5).subject);
  EXPECT_EQ(report.unsigned_entries, 0);
  EXPECT_EQ(report.recovered_entries, 5);
  EXPECT_EQ(report.incomplete_tail_bytes, 0);
}

// History is never replaced by a new chain: a log emptied or deleted while
// its head remains is refused. A creation that stopped half-way (no entry,
// no head) starts again.
TEST(AuditLogTest, AnEmptiedOrDeletedLogWithAHeadIsRefused) {
  sqlite::TempDir dir;
  const std::string path = dir.File("audit.log");
  SigningKey key = NewKey();
  {
    auto log = AuditLog::Open(path, key, Options());
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->Append(Event(0)).ok());
  }
  const std::string good = ReadAll(path);
  const std::string head = ReadAll(path + ".head");
  WriteAll(path, "");
  auto emptied = AuditLog::Open(path, key, Options());
  EXPECT_EQ(emptied.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(emptied.status().message(), HasSubstr("refusing to start a new chain"));
  // The refusal writes nothing: the head, the only evidence left, stays.
  EXPECT_EQ(ReadAll(path), "");
  EXPECT_EQ(ReadAll(path + ".head"), head);
  std::filesystem::remove(path);
  auto deleted = AuditLog::Open(path, key, Options());
  EXPECT_EQ(deleted.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(deleted.status().message(), HasSubstr("is missing but its head"));
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(ReadAll(path + ".head"), head);

  // Header and creation written, the head not: the creation is redone.
  WriteAll(path, good.substr(0, good.find("\nE\t") + 1));
  std::filesystem::remove(path + ".head");
  auto restarted = AuditLog::Open(path, key, Options());
  ASSERT_TRUE(restarted.ok()) << restarted.status();
  ASSERT_TRUE((*restarted)->Close().ok());
  EXPECT_TRUE(Records(path, key.verify_key()).empty());
}

// Without a head the log alone is checked, and still it must start with
// its signed creation: a chain made from scratch with the public key from a
// genuine header is refused.
TEST(AuditLogTest, ALogMadeWithoutTheKeyIsRefusedEvenWithoutAHead) {
  sqlite::TempDir dir;
  const std::string path = dir.File("audit.log");
  SigningKey key = NewKey();
  const auto& raw = key.verify_key().raw();
  const absl::Time t = absl::FromUnixSeconds(1796544000);
  std::string text;
  std::string link(internal::kLinkBytes, '\0');
  for (const std::string& body :
       {internal::HeaderBody(t, {reinterpret_cast<const char*>(raw.data()), raw.size()}),
        internal::EntryBody(1, t, Event(1)), internal::EntryBody(2, t, Event(2))}) {
    link = *internal::Link(link, body);
    text += internal::FormatLine(body, link);
  }
  WriteAll(path, text);
  AuditVerifyOptions lenient;
  lenient.require_head = false;
  auto report = VerifyAuditLog(path, key.verify_key(), lenient);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->intact);
  EXPECT_EQ(report->problem_line, 2);
  EXPECT_THAT(report->problem, HasSubstr("signed creation"));
}

// A monitor's cursor remembers the last checkpoint it verified: a log and
// head rolled back together to older genuine copies pass a verification
// from the start (the documented limit) but not a resumed one; nor does the
// head rolled back alone.
TEST(AuditLogTest, ARollbackIsSeenFromACursor) {
  sqlite::TempDir dir;
  const std::string path = dir.File("audit.log");
  SigningKey key = NewKey();
  std::string old_log;
  std::string old_head;
  {
    auto log = AuditLog::Open(path, key, Options(2));
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 2; ++i) ASSERT_TRUE((*log)->Append(Event(i)).ok());
    old_log = ReadAll(path);
    old_head = ReadAll(path + ".head");
    for (int i = 2; i < 6; ++i) ASSERT_TRUE((*log)->Append(Event(i)).ok());
  }
  const std::string new_log = ReadAll(path);
  const std::string new_head = ReadAll(path + ".head");
  AuditVerification monitor;
  Records(path, key.verify_key(), &monitor);
  AuditVerifyOptions resume;
  resume.resume_from = monitor.cursor;
  for (const bool whole : {true, false}) {
    WriteAll(path, whole ? old_log : new_log);
    WriteAll(path + ".head", old_head);
    if (whole) {
      EXPECT_EQ(Records(path, key.verify_key()).size(), 2u);
    }
    auto report = VerifyAuditLog(path, key.verify_key(), resume);
    ASSERT_TRUE(report.ok());
    EXPECT_FALSE(report->intact);
    EXPECT_THAT(report->problem, HasSubstr("rolled back"));
  }
  // The genuine head, equal to the cursor's last checkpoint: intact.
  WriteAll(path, new_log);
  WriteAll(path + ".head", new_head);
  auto report = VerifyAuditLog(path, key.verify_key(), resume);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->problem;
  EXPECT_EQ(report->lines, 0);
}

// Checkpoints out of their order — even signed with the right key — and a
// partial last line that cannot start the next line are refused.
TEST(AuditLogTest, CheckpointsMustComeInTheirOrder) {
  sqlite::TempDir dir;
  const std::string path = dir.File("audit.log");
  SigningKey key = NewKey();
  using State = internal::CheckpointState;
  const absl::Time t = absl::FromUnixSeconds(1796544000);
  // Lines after the header: an entry, or a checkpoint signed in `state`.
  auto write = [&](const std::vector<std::optional<State>>& lines,
                   const std::string& tail) {
    const auto& raw = key.verify_key().raw();
    std::string link(internal::kLinkBytes, '\0');
    std::string text;
    auto add = [&](const std::string& body) {
      link = *internal::Link(link, body);
      text += internal::FormatLine(body, link);
    };
    add(internal::HeaderBody(t, {reinterpret_cast<const char*>(raw.data()), raw.size()}));
    for (size_t i = 0; i < lines.size(); ++i) {
      const auto seq = static_cast<int64_t>(i) + 1;
      if (lines[i]) {
        add(internal::CheckpointBody(
            seq, t, *lines[i],
            *key.Sign(internal::CheckpointMessage(link, seq, t, *lines[i]))));
      } else {
        add(internal::EntryBody(seq, t, Event(static_cast<int>(i))));
      }
    }
    WriteAll(path, text + tail);
  };
  AuditVerifyOptions no_head;
  no_head.require_head = false;
  const std::optional<State> entry;
  struct Case {
    std::vector<std::optional<State>> lines;
    std::string tail;
    int64_t line;
    std::string problem;
  };
  for (const Case& c : std::vector<Case>{
           {{State::kCreated, entry, State::kReopened},
            "",
            4,
            "reopening of a log that was not"},
           {{State::kCreated, State::kClosed, State::kRecovered},
            "",
            4,
            "after the log was closed"},
           {{State::kCreated, State::kClosed, entry}, "", 4, "after the log was closed"},
           {{State::kCreated, entry, State::kCreated},
            "",
            4,
            "creation checkpoint after"},
           {{State::kPeriodic, entry}, "", 2, "signed creation"},
           {{State::kCreated, State::kClosed}, "E\t3\t2026", 4, "cannot be the start"},
           {{State::kCreated, entry}, "garbage", 4, "cannot be the start"},
       }) {
    write(c.lines, c.tail);
    auto report = VerifyAuditLog(path, key.verify_key(), no_head);
    ASSERT_TRUE(report.ok());
    EXPECT_FALSE(report->intact) << c.problem;
    EXPECT_EQ(report->problem_line, c.line) << c.problem;
    EXPECT_THAT(report->problem, HasSubstr(c.problem));
  }
  // The same orders the writer makes verify.
  write({State::kCreated, entry, State::kClosed, State::kReopened, entry,
         State::kPeriodic, entry, State::kRecovered},
        "C\t9\t20");
  auto report = VerifyAuditLog(path, key.verify_key(), no_head);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->problem;
  EXPECT_EQ(report->recovered_entries, 1);
  EXPECT_EQ(report->incomplete_tail_bytes, 6);
}

// A monitor verifies only what was appended since its last cursor; a cut
// below the cursor and a cursor that is not one are reported.
TEST(AuditLogTest, VerificationResumesFromACursor) {
  sqlite::TempDir dir;
  const std::string path = dir.File("audit.log");
  SigningKey key = NewKey();
  AuditVerification first;
  {
    auto log = AuditLog::Open(path, key, Options(4));
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 6; ++i) ASSERT_TRUE((*log)->Append(Event(i)).ok());
  }
  ASSERT_EQ(Records(path, key.verify_key(), &first).size(), 6u);
  EXPECT_EQ(first.cursor.offset, static_cast<int64_t>(ReadAll(path).size()));
  {
    auto log = AuditLog::Open(path, key, Options(4));
    ASSERT_TRUE(log.ok());
    for (int i = 6; i < 9; ++i) ASSERT_TRUE((*log)->Append(Event(i)).ok());
  }
  std::vector<AuditRecord> records;
  AuditVerifyOptions resume;
  resume.resume_from = first.cursor;
  resume.on_record = [&](const AuditRecord& r) { records.push_back(r); };
  auto report = VerifyAuditLog(path, key.verify_key(), resume);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->intact) << report->problem;
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].event.subject, Event(6).subject);
  EXPECT_EQ(records[0].seq, first.cursor.seq + 2);  // after the signed reopening
  EXPECT_EQ(report->entries, 3);
  // The same end as a verification from the start.
  AuditVerification full;
  Records(path, key.verify_key(), &full);
  EXPECT_EQ(report->cursor.offset, full.cursor.offset);
  EXPECT_EQ(report->cursor.seq, full.cursor.seq);
  EXPECT_EQ(report->cursor.link, full.cursor.link);
  EXPECT_EQ(report->cursor.last_checkpoint_seq, full.cursor.last_checkpoint_seq);

  const std::string text = ReadAll(path);
  WriteAll(path, text.substr(0, first.cursor.offset - 10));
  resume.on_record = nullptr;
  report = VerifyAuditLog(path, key.verify_key(), resume);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->intact);
  EXPECT_THAT(report->problem, HasSubstr("cut short"));
  WriteAll(path, text);

  AuditCursor bad = first.cursor;
  bad.link = "short";
  resume.resume_from = bad;
  EXPECT_EQ(VerifyAuditLog(path, key.verify_key(), resume).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AuditLogTest, AClockOutsideTheFormatIsRefused) {
  sqlite::TempDir dir;
  AuditLogOptions options = Options();
  options.clock = [] { return absl::InfiniteFuture(); };
  auto log = AuditLog::Open(dir.File("audit.log"), NewKey(), options);
  EXPECT_EQ(log.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(log.status().message(), HasSubstr("outside the years 1000-9999"));
}

// A write the file system refuses (here: over RLIMIT_FSIZE, EFBIG) is undone:
// the file ends where the chain does, and the next append after the limit is
// lifted continues it.
TEST(AuditLogTest, AFailedWriteIsUndone) {
  sqlite::TempDir dir;
  const std::string path = dir.File("audit.log");
  SigningKey key = NewKey();
  auto log = AuditLog::Open(path, key, Options());
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->Append(Event(0)).ok());
  const std::string before = ReadAll(path);
  const int64_t seq = (*log)->last_seq();

  struct rlimit old_limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = old_limit;
  limit.rlim_cur = before.size() + 20;  // part of a line fits
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  absl::StatusOr<int64_t> failed = (*log)->Append(Event(1));
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &old_limit), 0);
  std::signal(SIGXFSZ, old_handler);

  EXPECT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("cannot write audit log"));
  EXPECT_EQ(ReadAll(path), before);
  EXPECT_EQ((*log)->last_seq(), seq);
  ASSERT_TRUE((*log)->Append(Event(2)).ok());
  ASSERT_TRUE((*log)->Close().ok());
  const std::vector<AuditRecord> records = Records(path, key.verify_key());
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].event.subject, Event(2).subject);
}

// Bytes another process appends are never signed: the next checkpoint
// finds the file longer than the chain, and the writer stops.
TEST(AuditLogTest, AWriteBehindTheWritersBackStopsIt) {
  sqlite::TempDir dir;
  const std::string path = dir.File("audit.log");
  SigningKey key = NewKey();
  auto log = AuditLog::Open(path, key, Options());
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->Append(Event(0)).ok());
  WriteAll(path, ReadAll(path) + "someone else\n");
  const absl::Status checkpoint = (*log)->Checkpoint();
  EXPECT_EQ(checkpoint.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(checkpoint.message(), HasSubstr("changed size behind the writer's back"));
  EXPECT_EQ((*log)->Append(Event(1)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*log)->Close().code(), absl::StatusCode::kFailedPrecondition);
  auto report = VerifyAuditLog(path, key.verify_key());
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->intact);
}

TEST(AuditKeysTest, PemRoundTripsAndGarbageIsRefused) {
  SigningKey key = NewKey();
  auto again = SigningKey::FromPem(key.PrivatePem());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->verify_key().raw(), key.verify_key().raw());
  auto pub = VerifyKey::FromPem(key.verify_key().PublicPem());
  ASSERT_TRUE(pub.ok()) << pub.status();
  EXPECT_EQ(pub->raw(), key.verify_key().raw());

  auto signature = key.Sign("message");
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE(pub->Verify("message", *signature));
  EXPECT_FALSE(pub->Verify("messagE", *signature));
  EXPECT_FALSE(pub->Verify("message", signature->substr(1)));

  EXPECT_THAT(SigningKey::FromPem("not a key").status().message(),
              HasSubstr("not an Ed25519 private key in PEM"));
  EXPECT_THAT(VerifyKey::FromPem(key.PrivatePem()).status().message(),
              HasSubstr("not an Ed25519 public key in PEM"));
  EXPECT_EQ(VerifyKey::FromRaw("short").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SigningKey::ReadPemFile("/nonexistent/key.pem").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(AuditRecordTest, LinesReadBackExactlyAndOddFormsAreRefused) {
  const absl::Time t = absl::FromUnixMicros(1796544000123456);
  const AuditEvent event{.actor = "a\\b",
                         .role = "r",
                         .action = "x.y",
                         .subject = std::string("s\t\n\r\x1b", 5),
                         .before = "前",
                         .after = "",
                         .reason = "why"};
  const std::string body = internal::EntryBody(42, t, event);
  const std::string line = internal::FormatLine(body, std::string(32, '\x5a'));
  auto parsed = internal::ParseLine(std::string_view(line).substr(0, line.size() - 1));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->seq, 42);
  EXPECT_EQ(parsed->time, t);
  EXPECT_EQ(parsed->event.subject, event.subject);
  EXPECT_EQ(parsed->body_size, body.size());
  EXPECT_EQ(internal::FormatAuditTime(t), "2026-12-06T08:00:00.123456Z");

  const std::string link(64, 'a');
  const std::string time = "2026-12-06T08:00:00.000000Z";
  const std::string entry = absl::StrCat("E\t1\t", time, "\ta\tr\tx\ts\tb\taf\t");
  for (const auto& [bad, message] : std::vector<std::pair<std::string, std::string>>{
           {absl::StrCat(entry, "\\q\t", link), "unknown escape"},
           {absl::StrCat(entry, "\\x09\t", link), "written otherwise"},
           {absl::StrCat(entry, "\\x4\t", link), "two hex digits"},
           {absl::StrCat(entry, "\\x1B\t", link), "lowercase"},
           {absl::StrCat(entry, "\x01\t", link), "unescaped control byte"},
           {absl::StrCat(entry, "\\\t", link), "lone \\"},
           {absl::StrCat("E\t01\t", time, "\ta\tr\tx\ts\tb\taf\tw\t", link),
            "sequence number"},
           {absl::StrCat("E\t1\t2026-12-06T08:00:00Z\ta\tr\tx\ts\tb\taf\tw\t", link),
            "time"},
           {absl::StrCat(entry, "w\t", link.substr(1)), "64 hex digits"},
           {absl::StrCat(entry, "w\t", std::string(64, 'A')), "lowercase hex"},
           {absl::StrCat("E\t1\t", time, "\ta\t", link), "fields"},
           {absl::StrCat("X\t1\t", time, "\t", link), "unknown line type"},
           {absl::StrCat("CCAUDIT\t2\t", time, "\t", link, "\t", link), "format version"},
           {"no tab", "no fields"}}) {
    auto result = internal::ParseLine(bad);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(result.status().message(), HasSubstr(message)) << bad;
  }
}

}  // namespace
}  // namespace ccengine::audit
