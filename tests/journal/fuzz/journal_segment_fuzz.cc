// libFuzzer target for the journal's segment reader (src/journal/segment.h).
//
// Input: one flag byte, then a segment file. Flags: bit 0, the segment is the
// newest (its tail may be torn); bit 1, repair: before the scan, the header's
// and every record's checksums are recomputed where the lengths allow, so that
// mutations reach the length, sequence and tail rules behind the checksums.
// The expected first sequence is the header's own (bytes 16..23), 1 when the
// input is shorter.
//
// Invariants checked (a violation aborts, reported as a crash):
//   - no crash, no sanitizer report, no unbounded allocation;
//   - the scan ends OK, DataLoss or FailedPrecondition (another version);
//   - when OK: the records' sequences run from the first on without a gap;
//     `valid_bytes` never exceeds the input, equals it unless `torn`, and only
//     the newest segment is torn; re-encoding the header and the records gives
//     back the input's first `valid_bytes` bytes exactly;
//   - the valid prefix of a torn segment scans OK as an older segment, with
//     the same records; and a record appended to the valid prefix is read back.
//
// Thread safety: libFuzzer calls the entry point from one thread.
//
// Example:
//   tools/fuzz.sh journal_segment 60

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "fuzz_check.h"
#include "journal/segment.h"

namespace {

namespace in = ccengine::journal::internal;

void PutU32(uint32_t v, std::string* s, size_t at) {
  for (int i = 0; i < 4; ++i) (*s)[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

void Repair(std::string* s) {
  if (s->size() < in::kSegmentHeaderBytes) return;
  PutU32(in::Crc32c(std::string_view(*s).substr(0, 24)), s, 24);
  size_t at = in::kSegmentHeaderBytes;
  while (at + in::kRecordHeaderBytes + in::kRecordBodyFixedBytes <= s->size()) {
    const uint32_t length = in::GetU32(*s, at);
    PutU32(in::Crc32c(std::string_view(*s).substr(at, 4)), s, at + 4);
    if (length > ccengine::journal::kMaxRecordPayloadBytes) return;
    const size_t total = in::RecordBytes(length);
    if (at + total > s->size()) return;
    PutU32(in::Crc32c(std::string_view(*s).substr(at + in::kRecordHeaderBytes,
                                                  total - in::kRecordHeaderBytes)),
           s, at + 8);
    at += total;
  }
}

struct Seen {
  uint64_t sequence;
  int64_t time_ns;
  std::string payload;
};

absl::StatusOr<in::ScanResult> Scan(std::string_view data, uint64_t first, bool newest,
                                    std::vector<Seen>* seen) {
  seen->clear();
  return in::ScanSegment(
      "fuzz.ccj", data, first, newest, [&](const in::RecordView& r) -> absl::Status {
        seen->push_back({r.sequence, r.time_ns, std::string(r.payload)});
        return absl::OkStatus();
      });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = bytes[0];
  std::string data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  const bool newest = (flags & 1) != 0;
  if ((flags & 2) != 0) Repair(&data);
  const uint64_t first = data.size() >= 24 ? in::GetU64(data, 16) : 1;
  if (first == 0) return 0;  // the journal refuses sequence 0 by its file name

  std::vector<Seen> seen;
  absl::StatusOr<in::ScanResult> scan = Scan(data, first, newest, &seen);
  if (!scan.ok()) {
    FUZZ_CHECK(scan.status().code() == absl::StatusCode::kDataLoss ||
                   scan.status().code() == absl::StatusCode::kFailedPrecondition,
               "a scan fails with DataLoss or FailedPrecondition");
    return 0;
  }
  FUZZ_CHECK(scan->valid_bytes <= data.size(), "valid bytes within the input");
  FUZZ_CHECK(scan->torn || scan->valid_bytes == data.size(), "all valid unless torn");
  FUZZ_CHECK(newest || !scan->torn, "only the newest segment is torn");
  FUZZ_CHECK(scan->records == seen.size(), "records counted");
  for (size_t i = 0; i < seen.size(); ++i) {
    FUZZ_CHECK(seen[i].sequence == first + i, "consecutive sequences");
  }
  FUZZ_CHECK(scan->last_sequence == first + seen.size() - 1, "the last sequence");
  if (scan->valid_bytes == 0) {
    FUZZ_CHECK(scan->torn && data.size() < in::kSegmentHeaderBytes, "a torn header");
    return 0;
  }
  std::string again = in::EncodeSegmentHeader(first);
  for (const Seen& r : seen) in::AppendRecord(r.sequence, r.time_ns, r.payload, &again);
  FUZZ_CHECK(again == std::string_view(data).substr(0, scan->valid_bytes),
             "the valid prefix re-encodes exactly");

  std::vector<Seen> prefix_seen;
  absl::StatusOr<in::ScanResult> prefix = Scan(again, first, false, &prefix_seen);
  FUZZ_CHECK(prefix.ok() && !prefix->torn && prefix_seen.size() == seen.size(),
             "the valid prefix scans as an older segment");
  const uint64_t next = first + seen.size();
  if (next == 0) return 0;  // the sequence space ends
  in::AppendRecord(next, -1, "appended", &again);
  std::vector<Seen> appended_seen;
  absl::StatusOr<in::ScanResult> appended = Scan(again, first, true, &appended_seen);
  FUZZ_CHECK(appended.ok() && !appended->torn &&
                 appended_seen.size() == seen.size() + 1 &&
                 appended_seen.back().payload == "appended" &&
                 appended_seen.back().time_ns == -1,
             "a record appended to the valid prefix reads back");
  return 0;
}
