// Every change to a closed 1,000-entry audit log is detected and located:
// each single byte changed in turn, the log cut at every line boundary and
// inside lines, two entries swapped, each line deleted in turn, every byte
// of the head changed, a head made from an earlier checkpoint to hide a cut,
// entries added after the close, a rewrite that recomputes every hash after
// an edit, and a rewrite signed with another key.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "audit_test_util.h"
#include "ccengine/audit/audit_log.h"
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

constexpr int kEntries = 1000;

class AuditTamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("audit.log");
    auto key = SigningKey::Generate();
    ASSERT_TRUE(key.ok());
    key_ = *std::move(key);
    AuditLogOptions options;
    options.clock = SteppingClock();
    options.checkpoint_every = 250;
    options.sync = AuditSync::kNone;
    auto log = AuditLog::Open(path_, *key_, options);
    ASSERT_TRUE(log.ok()) << log.status();
    const std::vector<std::string> actions = {"agent.force_state", "queue.change",
                                              "routing.publish", "ticket.state",
                                              "session.login"};
    for (int i = 0; i < kEntries; ++i) {
      auto seq = (*log)->Append(
          AuditEvent{.actor = absl::StrCat("lead", i % 7),
                     .role = i % 5 == 0 ? "administrator" : "supervisor",
                     .action = actions[i % actions.size()],
                     .subject = absl::StrCat("agent:", 1000 + i),
                     .before = "busy",
                     .after = "away",
                     .reason = i % 3 == 0 ? "" : absl::StrCat("call ", i, " stuck")});
      ASSERT_TRUE(seq.ok()) << seq.status();
    }
    ASSERT_TRUE((*log)->Close().ok());
    original_ = ReadAll(path_);
    head_ = ReadAll(path_ + ".head");
    for (size_t i = 0; i < original_.size(); ++i) {
      if (i == 0 || original_[i - 1] == '\n')
        line_starts_.push_back(static_cast<int64_t>(i));
    }
    lines_ = line_starts_.size();
    auto report = Verify();
    ASSERT_TRUE(report.intact) << report.problem;
    ASSERT_EQ(report.entries, kEntries);
    // Created, after every 250 entries, and closed.
    ASSERT_EQ(report.checkpoints, 1 + kEntries / 250 + 1);
    ASSERT_EQ(report.lines, static_cast<int64_t>(lines_));
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    ASSERT_GE(fd_, 0);
  }

  void TearDown() override {
    if (fd_ >= 0) ::close(fd_);
  }

  AuditVerification Verify() {
    auto report = VerifyAuditLog(path_, key_->verify_key());
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *report : AuditVerification{};
  }

  // The 1-based line holding byte `offset`.
  int64_t LineOf(int64_t offset) const {
    return std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) -
           line_starts_.begin();
  }

  std::vector<std::string> Lines() const {
    std::vector<std::string> lines;
    for (size_t i = 0; i < lines_; ++i) {
      const size_t end = i + 1 < lines_ ? line_starts_[i + 1] : original_.size();
      lines.push_back(original_.substr(line_starts_[i], end - line_starts_[i]));
    }
    return lines;
  }

  // The 1-based line `line`, with its newline.
  std::string_view LineText(int64_t line) const {
    const size_t begin = line_starts_[line - 1];
    const size_t end =
        static_cast<size_t>(line) < lines_ ? line_starts_[line] : original_.size();
    return std::string_view(original_).substr(begin, end - begin);
  }

  // For each line, the cursor a verification of the lines before it ends
  // with (none for the header and the creation), computed from the text.
  std::vector<std::optional<AuditCursor>> CursorsBeforeEachLine() const {
    std::vector<std::optional<AuditCursor>> cursors = {std::nullopt};
    AuditCursor cursor;
    cursor.link.assign(internal::kLinkBytes, '\0');
    for (size_t i = 0; i + 1 < lines_; ++i) {
      const std::string_view text = LineText(static_cast<int64_t>(i) + 1);
      cursor.link = *internal::Link(cursor.link, text.substr(0, text.rfind('\t')));
      cursor.offset = line_starts_[i + 1];
      cursor.seq = static_cast<int64_t>(i);
      if (text.starts_with("C\t")) {
        cursor.last_checkpoint_seq = cursor.seq;
        cursor.last_checkpoint_link = cursor.link;
        cursor.closed = text.find("\tclosed\t") != std::string_view::npos;
        cursor.unsigned_entries = 0;
      } else if (text.starts_with("E\t")) {
        ++cursor.unsigned_entries;
      }
      // A cursor starts after the signed creation (line 2).
      cursors.push_back(i == 0 ? std::nullopt : std::optional<AuditCursor>(cursor));
    }
    return cursors;
  }

  // Byte `i` changed in the file (the lowest bit, or a higher one, by turns)
  // while verifying, then put back.
  AuditVerification VerifyChanged(size_t i, const AuditVerifyOptions& options) {
    const char changed = static_cast<char>(original_[i] ^ (i % 2 == 0 ? 0x01 : 0x40));
    EXPECT_EQ(::pwrite(fd_, &changed, 1, static_cast<off_t>(i)), 1);
    auto report = VerifyAuditLog(path_, key_->verify_key(), options);
    EXPECT_EQ(::pwrite(fd_, &original_[i], 1, static_cast<off_t>(i)), 1);
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *report : AuditVerification{};
  }

  // The change of byte `i` was found, on its line (the first few failures
  // reported, all counted).
  void Expect(const AuditVerification& report, size_t i, int64_t& missed,
              int64_t& misplaced) const {
    const int64_t line = LineOf(static_cast<int64_t>(i));
    if (report.intact) {
      if (++missed <= 5) ADD_FAILURE() << "byte " << i << " changed went unseen";
    } else if (report.problem_line != line) {
      if (++misplaced <= 5) {
        ADD_FAILURE() << "byte " << i << " (line " << line << ") reported on line "
                      << report.problem_line << ": " << report.problem;
      }
    }
  }

  static std::string Join(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& line : lines) out += line;
    return out;
  }

  sqlite::TempDir dir_;
  std::string path_;
  std::optional<SigningKey> key_;
  std::string original_;
  std::string head_;
  std::vector<int64_t> line_starts_;
  size_t lines_ = 0;
  int fd_ = -1;  // the log, for changing bytes in place
};

// Every byte changed in turn, each verified from the end of the line before
// it (a cursor, as a monitor resumes): what is after the change is read by
// the same code as in a verification from the start. The next test checks
// from the start, on a sample of the bytes and every byte of the header and
// of the checkpoints.
TEST_F(AuditTamperTest, EverySingleByteChangedIsDetectedOnItsLine) {
  const std::vector<std::optional<AuditCursor>> cursors = CursorsBeforeEachLine();
  int64_t missed = 0;
  int64_t misplaced = 0;
  for (size_t i = 0; i < original_.size(); ++i) {
    AuditVerifyOptions options;
    options.resume_from = cursors[LineOf(static_cast<int64_t>(i)) - 1];
    const AuditVerification report = VerifyChanged(i, options);
    Expect(report, i, missed, misplaced);
  }
  EXPECT_EQ(missed, 0);
  EXPECT_EQ(misplaced, 0);
  EXPECT_TRUE(Verify().intact);
  std::cout << "changed each of the " << original_.size() << " bytes of " << lines_
            << " lines in turn\n";
}

TEST_F(AuditTamperTest, ChangesFoundByAVerificationFromTheStart) {
  int64_t missed = 0;
  int64_t misplaced = 0;
  int64_t checked = 0;
  for (size_t i = 0; i < original_.size(); ++i) {
    const std::string_view line = LineText(LineOf(static_cast<int64_t>(i)));
    const bool header_or_checkpoint =
        line.starts_with("CCAUDIT") || line.starts_with("C\t");
    if (!header_or_checkpoint && i % 41 != 0) continue;
    ++checked;
    Expect(VerifyChanged(i, {}), i, missed, misplaced);
  }
  EXPECT_GT(checked, 4000);
  EXPECT_EQ(missed, 0);
  EXPECT_EQ(misplaced, 0);
}

TEST_F(AuditTamperTest, ACutAnywhereIsDetectedAtTheEnd) {
  std::vector<int64_t> cuts(line_starts_.begin() + 1, line_starts_.end());
  std::mt19937_64 rng(7);
  for (int i = 0; i < 300; ++i) {
    cuts.push_back(static_cast<int64_t>(rng() % original_.size()));
  }
  cuts.push_back(static_cast<int64_t>(original_.size()) - 1);  // the last newline
  cuts.push_back(0);
  for (const int64_t cut : cuts) {
    WriteAll(path_, original_.substr(0, cut));
    const AuditVerification report = Verify();
    ASSERT_FALSE(report.intact) << "cut at " << cut;
    const bool at_boundary =
        std::binary_search(line_starts_.begin(), line_starts_.end(), cut);
    // A cut inside a line is found on that line; one at a boundary after the
    // line before it.
    EXPECT_EQ(report.problem_line, at_boundary ? LineOf(cut - 1) + 1 : LineOf(cut))
        << "cut at " << cut << ": " << report.problem;
    if (at_boundary && cut > line_starts_[1]) {
      EXPECT_THAT(report.problem, HasSubstr("cut short"));
    }
  }
}

TEST_F(AuditTamperTest, SwappedEntriesAreDetectedWhereTheOrderBreaks) {
  std::vector<std::string> lines = Lines();
  for (const auto& [a, b] : std::vector<std::pair<size_t, size_t>>{
           {2, 3}, {100, 101}, {500, 900}, {lines_ - 3, lines_ - 2}}) {
    std::vector<std::string> swapped = lines;
    std::swap(swapped[a], swapped[b]);
    WriteAll(path_, Join(swapped));
    const AuditVerification report = Verify();
    ASSERT_FALSE(report.intact);
    EXPECT_EQ(report.problem_line, static_cast<int64_t>(a) + 1);
    EXPECT_THAT(report.problem, HasSubstr("out of order"));
  }
}

TEST_F(AuditTamperTest, EachDeletedLineIsDetectedWhereItWas) {
  const std::vector<std::string> lines = Lines();
  for (size_t i = 0; i < lines_; ++i) {
    std::vector<std::string> fewer = lines;
    fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(i));
    WriteAll(path_, Join(fewer));
    const AuditVerification report = Verify();
    ASSERT_FALSE(report.intact) << "line " << i + 1 << " deleted";
    // The last line (the head's checkpoint) deleted is a cut at the end.
    EXPECT_EQ(report.problem_line, static_cast<int64_t>(i) + 1) << report.problem;
  }
}

TEST_F(AuditTamperTest, TheHeadIsCheckedToo) {
  for (size_t i = 0; i < head_.size(); ++i) {
    std::string changed = head_;
    changed[i] = static_cast<char>(changed[i] ^ 0x01);
    WriteAll(path_ + ".head", changed);
    const AuditVerification report = Verify();
    ASSERT_FALSE(report.intact) << "head byte " << i;
    EXPECT_THAT(report.problem, HasSubstr("head")) << "head byte " << i;
  }
  WriteAll(path_ + ".head", head_);
  EXPECT_TRUE(Verify().intact);
}

// Without the key, an edit can be hidden from the hashes (recompute every
// link after it) but not from the next checkpoint's signature.
TEST_F(AuditTamperTest, RecomputedLinksAreCaughtByTheNextCheckpoint) {
  std::vector<std::string> lines = Lines();
  const size_t edited = 300;  // an entry between the checkpoints at 251 and 502
  std::string link(internal::kLinkBytes, '\0');
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string body = lines[i].substr(0, lines[i].rfind('\t'));
    if (i == edited)
      body = absl::StrCat(body.substr(0, body.rfind('\t')), "\tnothing happened");
    link = *internal::Link(link, body);
    lines[i] = internal::FormatLine(body, link);
  }
  WriteAll(path_, Join(lines));
  const AuditVerification report = Verify();
  ASSERT_FALSE(report.intact);
  const auto next_checkpoint = static_cast<int64_t>(
      std::find_if(lines.begin() + edited, lines.end(),
                   [](const std::string& l) { return l.starts_with("C\t"); }) -
      lines.begin());
  EXPECT_EQ(report.problem_line, next_checkpoint + 1);
  EXPECT_THAT(report.problem, HasSubstr("signature does not verify"));
}

// A head made from the log itself — an earlier checkpoint's number, time,
// link and signature — to hide a cut after it: the head's own signature
// fails.
TEST_F(AuditTamperTest, AHeadMadeFromTheLogIsRefused) {
  const std::vector<std::string> lines = Lines();
  std::string link(internal::kLinkBytes, '\0');
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string body = lines[i].substr(0, lines[i].rfind('\t'));
    link = *internal::Link(link, body);
    if (i < 3 || !lines[i].starts_with("C\t")) continue;
    auto parsed =
        internal::ParseLine(std::string_view(lines[i]).substr(0, lines[i].size() - 1));
    ASSERT_TRUE(parsed.ok());
    WriteAll(path_,
             Join({lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(i) + 1}));
    WriteAll(path_ + ".head",
             internal::FormatHead({parsed->seq, parsed->time, link, parsed->signature}));
    const AuditVerification report = Verify();
    ASSERT_FALSE(report.intact) << "cut after line " << i + 1;
    EXPECT_THAT(report.problem, HasSubstr("head")) << report.problem;
    EXPECT_THAT(report.problem, HasSubstr("signature does not verify")) << report.problem;
  }
}

// Lines appended after the close, correctly chained but unsigned: refused
// where they start, and Open will not append after them.
TEST_F(AuditTamperTest, EntriesAddedAfterTheCloseAreRefused) {
  const std::vector<std::string> lines = Lines();
  std::string link(internal::kLinkBytes, '\0');
  for (const std::string& line : lines) {
    link = *internal::Link(link, line.substr(0, line.rfind('\t')));
  }
  AuditEvent forged;
  forged.actor = "lead1";
  forged.role = "supervisor";
  forged.action = "agent.force_state";
  forged.subject = "agent:9999";
  const absl::Time time = absl::FromUnixSeconds(1796544000 + 5000);
  const std::string body =
      internal::EntryBody(static_cast<int64_t>(lines_), time, forged);
  WriteAll(path_, original_ + internal::FormatLine(body, *internal::Link(link, body)));
  const AuditVerification report = Verify();
  ASSERT_FALSE(report.intact);
  EXPECT_EQ(report.problem_line, static_cast<int64_t>(lines_) + 1);
  EXPECT_THAT(report.problem, HasSubstr("after the log was closed"));
  auto reopened = AuditLog::Open(path_, *key_);
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(AuditTamperTest, ALogRewrittenWithAnotherKeyIsRefused) {
  const std::string other = dir_.File("forged.log");
  auto forger = SigningKey::Generate();
  ASSERT_TRUE(forger.ok());
  {
    auto log = AuditLog::Open(other, *forger);
    ASSERT_TRUE(log.ok());
    AuditEvent event;
    event.actor = "x";
    event.role = "y";
    event.action = "z";
    ASSERT_TRUE((*log)->Append(event).ok());
  }
  std::filesystem::copy_file(other, path_,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(other + ".head", path_ + ".head",
                             std::filesystem::copy_options::overwrite_existing);
  const AuditVerification report = Verify();
  ASSERT_FALSE(report.intact);
  EXPECT_EQ(report.problem_line, 1);
  EXPECT_THAT(report.problem, HasSubstr("not by the key given"));
}

}  // namespace
}  // namespace ccengine::audit
