#include "journal/segment.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ccengine::journal::internal {
namespace {

using ::testing::HasSubstr;

TEST(SegmentTest, Crc32cIsTheCastagnoliChecksum) {
  // The check value of CRC-32C (RFC 3720, B.4).
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c("6789", Crc32c("12345")), Crc32c("123456789"));
  // Short inputs take a table of the code's own, longer ones ISA-L: the two
  // agree wherever an input is split.
  EXPECT_EQ(Crc32c("1234"), 0xF63AF4EEu);
  EXPECT_EQ(Crc32c(std::string("\x39\0\0\0", 4)), 0x5D27272Fu);
  std::string bytes;
  for (int i = 0; i < 40; ++i) bytes.push_back(static_cast<char>(i * 37 + 11));
  for (size_t cut = 0; cut <= bytes.size(); ++cut) {
    const std::string_view all(bytes);
    EXPECT_EQ(Crc32c(all.substr(cut), Crc32c(all.substr(0, cut))), Crc32c(all)) << cut;
  }
}

TEST(SegmentTest, FileNames) {
  EXPECT_EQ(SegmentFileName(42), "journal-00000000000000000042.ccj");
  EXPECT_EQ(ParseSegmentFileName("journal-00000000000000000042.ccj"), 42u);
  EXPECT_EQ(ParseSegmentFileName("journal-18446744073709551615.ccj"), UINT64_MAX);
  for (const char* bad :
       {"journal-18446744073709551616.ccj", "journal-0000000000000000004x.ccj",
        "journal-42.ccj", "LOCK", "journal-00000000000000000042.ccj.tmp"}) {
    EXPECT_EQ(ParseSegmentFileName(bad), std::nullopt) << bad;
  }
}

struct Seen {
  uint64_t sequence;
  int64_t time_ns;
  std::string payload;
};

absl::StatusOr<ScanResult> Scan(const std::string& data, bool newest,
                                std::vector<Seen>* seen) {
  seen->clear();
  return ScanSegment("s.ccj", data, 7, newest, [&](const RecordView& r) {
    seen->push_back({r.sequence, r.time_ns, std::string(r.payload)});
    return absl::OkStatus();
  });
}

TEST(SegmentTest, RecordsRoundTrip) {
  std::string data = EncodeSegmentHeader(7);
  ASSERT_EQ(data.size(), kSegmentHeaderBytes);
  AppendRecord(7, -5, "", &data);
  AppendRecord(8, 1'700'000'000'000'000'000, std::string("a\0b", 3), &data);
  std::vector<Seen> seen;
  absl::StatusOr<ScanResult> scan = Scan(data, false, &seen);
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_EQ(scan->records, 2u);
  EXPECT_EQ(scan->last_sequence, 8u);
  EXPECT_EQ(scan->valid_bytes, data.size());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].time_ns, -5);
  EXPECT_EQ(seen[1].payload, std::string("a\0b", 3));
}

TEST(SegmentTest, SequencesMustFollowAndTheHeaderMustAgree) {
  std::string data = EncodeSegmentHeader(7);
  AppendRecord(7, 0, "x", &data);
  AppendRecord(9, 0, "y", &data);
  std::vector<Seen> seen;
  absl::StatusOr<ScanResult> scan = Scan(data, true, &seen);
  ASSERT_FALSE(scan.ok());
  EXPECT_EQ(scan.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(scan.status().message(), HasSubstr("sequence 9 where 8 was expected"));
  const std::string other = EncodeSegmentHeader(8);
  scan = Scan(other, true, &seen);
  ASSERT_FALSE(scan.ok());
  EXPECT_THAT(scan.status().message(), HasSubstr("first sequence 8, the name 7"));
}

TEST(SegmentTest, AnErrorOfTheCallbackEndsTheScan) {
  std::string data = EncodeSegmentHeader(7);
  AppendRecord(7, 0, "x", &data);
  AppendRecord(8, 0, "y", &data);
  int calls = 0;
  absl::StatusOr<ScanResult> scan =
      ScanSegment("s.ccj", data, 7, false, [&](const RecordView&) {
        ++calls;
        return absl::CancelledError("enough");
      });
  EXPECT_EQ(scan.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace ccengine::journal::internal
