// The journal's segment format, and the scan that reads a segment back.
//
// A segment file `journal-<first sequence, 20 digits>.ccj` is a header and
// records, all integers little-endian:
//
//   header (32 bytes)  magic "CCJRNL\r\n", u32 format version (1), u32 zero,
//                      u64 first sequence, u32 CRC-32C of the 24 bytes before,
//                      u32 zero
//   record             u32 payload length, u32 CRC-32C of those 4 bytes,
//                      u32 CRC-32C of the body, then the body: u64 sequence,
//                      i64 engine time (Unix nanoseconds), payload
//
// The length has a checksum of its own so that a damaged length is told from
// a record cut short by a crash. CRC-32C (Castagnoli) is ISA-L's
// crc32_iscsi, the checksum of iSCSI, ext4 metadata and LevelDB.
//
// `ScanSegment` decides, record by record, between three outcomes:
//   - a valid record: complete, both checksums right, the next sequence;
//   - a torn tail, only in the newest segment: what a crash during an append
//     leaves — fewer bytes than a record header, a record running past the end
//     of the file, a last record whose body checksum fails, or nothing but
//     zero bytes to the end (a file extended but not written). The scan stops
//     there and says where to cut;
//   - corruption: anything else (a bad length checksum followed by non-zero
//     bytes, a bad body checksum with bytes after it, a sequence out of order,
//     any damage in an older segment). DataLoss naming the segment and the
//     byte offset of the record.
// A damaged last record of the newest segment cannot be told from a torn one
// and is cut like it; nothing before it is ever cut.
//
// Thread safety: plain functions of their arguments.

#ifndef CCENGINE_SRC_JOURNAL_SEGMENT_H_
#define CCENGINE_SRC_JOURNAL_SEGMENT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/journal/command_log.h"

namespace ccengine::journal::internal {

inline constexpr uint32_t kSegmentFormatVersion = 1;
inline constexpr size_t kSegmentHeaderBytes = 32;
inline constexpr size_t kRecordHeaderBytes = 12;
inline constexpr size_t kRecordBodyFixedBytes = 16;  // sequence and time
inline constexpr std::string_view kSegmentMagic = "CCJRNL\r\n";

// Little-endian integers in the files' headers.
void PutU32(uint32_t v, std::string* out);
void PutU64(uint64_t v, std::string* out);
uint32_t GetU32(std::string_view s, size_t at);
uint64_t GetU64(std::string_view s, size_t at);

// CRC-32C of `data`, continuing `crc` (0 to start).
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

// The file name of the segment whose first record has `first_sequence`, and
// the sequence a file name stands for (nullopt for any other name).
std::string SegmentFileName(uint64_t first_sequence);
std::optional<uint64_t> ParseSegmentFileName(std::string_view name);
// `<prefix><20 digits><suffix>`: the sequence, else nullopt (snapshots too).
std::optional<uint64_t> ParseSequenceFileName(std::string_view name,
                                              std::string_view prefix,
                                              std::string_view suffix);

std::string EncodeSegmentHeader(uint64_t first_sequence);
constexpr size_t RecordBytes(size_t payload_bytes) {
  return kRecordHeaderBytes + kRecordBodyFixedBytes + payload_bytes;
}
// Appends one record; `payload` at most kMaxRecordPayloadBytes.
void AppendRecord(uint64_t sequence, int64_t time_ns, std::string_view payload,
                  std::string* out);
// Completes a record whose payload of `payload_bytes` is already in place at
// `record + RecordBytes(0)`: writes the header, the sequence and the time.
void SealRecord(uint64_t sequence, int64_t time_ns, size_t payload_bytes, char* record);

struct RecordView {
  uint64_t sequence = 0;
  int64_t time_ns = 0;
  std::string_view payload;
  size_t offset = 0;  // of the record in the segment
};

struct ScanResult {
  uint64_t first_sequence = 0;  // from the header
  uint64_t records = 0;
  uint64_t last_sequence = 0;  // first_sequence - 1 when there are no records
  // Bytes of whole, valid header and records; the file is cut here when
  // `torn` (nothing to cut otherwise: valid_bytes is the size).
  size_t valid_bytes = 0;
  bool torn = false;
};

// Reads segment `name` (for messages), whose bytes are `data`, whose header
// must say `expected_first` (its file name's sequence). `newest`: the newest
// segment, the only one whose tail may be torn (a newest segment shorter than
// its header is torn at 0: valid_bytes 0). `fn` sees every valid record in
// order; its error ends the scan and is returned. Errors: DataLoss as above;
// FailedPrecondition for a header of another format version.
absl::StatusOr<ScanResult> ScanSegment(
    std::string_view name, std::string_view data, uint64_t expected_first, bool newest,
    absl::FunctionRef<absl::Status(const RecordView&)> fn);

}  // namespace ccengine::journal::internal

#endif  // CCENGINE_SRC_JOURNAL_SEGMENT_H_
