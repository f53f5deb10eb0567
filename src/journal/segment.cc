#include "journal/segment.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fmt/format.h"
#include "isa-l/crc.h"

namespace ccengine::journal::internal {
namespace {

constexpr std::string_view kFilePrefix = "journal-";
constexpr std::string_view kFileSuffix = ".ccj";
constexpr size_t kSequenceDigits = 20;

bool AllZero(std::string_view s) {
  for (const char c : s) {
    if (c != 0) return false;
  }
  return true;
}

absl::Status Corrupt(std::string_view name, size_t offset, std::string_view what) {
  return absl::DataLossError(
      fmt::format("journal segment {} at byte offset {}: {}", name, offset, what));
}

}  // namespace

namespace {

// Little-endian stores: one move on a little-endian machine.
template <typename T>
void StoreLittleEndian(T v, char* at) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(at, &v, sizeof(v));
  } else {
    for (size_t i = 0; i < sizeof(v); ++i)
      at[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  }
}

void StoreU32(uint32_t v, char* at) { StoreLittleEndian(v, at); }
void StoreU64(uint64_t v, char* at) { StoreLittleEndian(v, at); }

// CRC-32C a byte at a time (the reflected polynomial 0x82F63B78), for
// inputs too short to be worth a call into ISA-L (a record's length).
constexpr size_t kShortCrcBytes = 8;

constexpr std::array<uint32_t, 256> MakeCrc32cTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t v = i;
    for (int bit = 0; bit < 8; ++bit) v = (v >> 1) ^ ((v & 1) != 0 ? 0x82F63B78u : 0);
    table[i] = v;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrc32cTable = MakeCrc32cTable();

}  // namespace

void PutU32(uint32_t v, std::string* out) {
  char bytes[4];
  StoreU32(v, bytes);
  out->append(bytes, 4);
}

void PutU64(uint64_t v, std::string* out) {
  char bytes[8];
  StoreU64(v, bytes);
  out->append(bytes, 8);
}

uint32_t GetU32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

uint64_t GetU64(std::string_view s, size_t at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

uint32_t Crc32c(std::string_view data, uint32_t crc) {
  // ISA-L's crc32_iscsi neither inverts its input nor its output; the
  // standard CRC-32C does both.
  uint32_t state = ~crc;
  if (data.size() <= kShortCrcBytes) {
    for (const char c : data) {
      state = kCrc32cTable[(state ^ static_cast<unsigned char>(c)) & 0xFF] ^ (state >> 8);
    }
    return ~state;
  }
  size_t done = 0;
  while (done < data.size()) {
    const size_t chunk = std::min<size_t>(data.size() - done, size_t{1} << 30);
    // crc32_iscsi takes a non-const pointer but does not write through it.
    auto* bytes = reinterpret_cast<unsigned char*>(const_cast<char*>(data.data() + done));
    state = crc32_iscsi(bytes, static_cast<int>(chunk), state);
    done += chunk;
  }
  return ~state;
}

std::string SegmentFileName(uint64_t first_sequence) {
  return fmt::format("{}{:0{}}{}", kFilePrefix, first_sequence, kSequenceDigits,
                     kFileSuffix);
}

std::optional<uint64_t> ParseSequenceFileName(std::string_view name,
                                              std::string_view prefix,
                                              std::string_view suffix) {
  if (name.size() != prefix.size() + kSequenceDigits + suffix.size() ||
      name.substr(0, prefix.size()) != prefix ||
      name.substr(name.size() - suffix.size()) != suffix) {
    return std::nullopt;
  }
  const std::string_view digits = name.substr(prefix.size(), kSequenceDigits);
  uint64_t v = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::optional<uint64_t> ParseSegmentFileName(std::string_view name) {
  return ParseSequenceFileName(name, kFilePrefix, kFileSuffix);
}

std::string EncodeSegmentHeader(uint64_t first_sequence) {
  std::string h(kSegmentMagic);
  PutU32(kSegmentFormatVersion, &h);
  PutU32(0, &h);
  PutU64(first_sequence, &h);
  PutU32(Crc32c(h), &h);
  PutU32(0, &h);
  return h;
}

void SealRecord(uint64_t sequence, int64_t time_ns, size_t payload_bytes, char* record) {
  char* body = record + kRecordHeaderBytes;
  StoreU32(static_cast<uint32_t>(payload_bytes), record);
  StoreU32(Crc32c(std::string_view(record, 4)), record + 4);
  StoreU64(sequence, body);
  StoreU64(static_cast<uint64_t>(time_ns), body + 8);
  StoreU32(Crc32c(std::string_view(body, kRecordBodyFixedBytes + payload_bytes)),
           record + 8);
}

void AppendRecord(uint64_t sequence, int64_t time_ns, std::string_view payload,
                  std::string* out) {
  const size_t start = out->size();
  out->resize(start + RecordBytes(payload.size()));
  char* record = out->data() + start;
  if (!payload.empty())
    std::memcpy(record + RecordBytes(0), payload.data(), payload.size());
  SealRecord(sequence, time_ns, payload.size(), record);
}

absl::StatusOr<ScanResult> ScanSegment(
    std::string_view name, std::string_view data, uint64_t expected_first, bool newest,
    absl::FunctionRef<absl::Status(const RecordView&)> fn) {
  ScanResult result;
  result.first_sequence = expected_first;
  result.last_sequence = expected_first - 1;
  if (data.size() < kSegmentHeaderBytes) {
    if (newest) {
      result.torn = true;  // created, its header not yet written
      return result;
    }
    return Corrupt(name, 0,
                   fmt::format("{} bytes, shorter than a segment header ({})",
                               data.size(), kSegmentHeaderBytes));
  }
  if (data.substr(0, kSegmentMagic.size()) != kSegmentMagic) {
    return Corrupt(name, 0, "not a journal segment (the magic bytes differ)");
  }
  if (Crc32c(data.substr(0, 24)) != GetU32(data, 24)) {
    return Corrupt(name, 0, "the segment header's checksum does not match");
  }
  const uint32_t version = GetU32(data, 8);
  if (version != kSegmentFormatVersion) {
    return absl::FailedPreconditionError(
        fmt::format("journal segment {}: format version {}; this build reads version {}",
                    name, version, kSegmentFormatVersion));
  }
  if (GetU32(data, 12) != 0 || GetU32(data, 28) != 0) {
    return Corrupt(name, 0, "the segment header's reserved bytes are not zero");
  }
  const uint64_t first = GetU64(data, 16);
  if (first != expected_first) {
    return Corrupt(name, 16,
                   fmt::format("the header says first sequence {}, the name {}", first,
                               expected_first));
  }

  size_t at = kSegmentHeaderBytes;
  uint64_t next = first;
  const auto torn_here = [&]() -> absl::StatusOr<ScanResult> {
    result.valid_bytes = at;
    result.torn = true;
    return result;
  };
  while (at < data.size()) {
    const std::string_view rest = data.substr(at);
    if (rest.size() < kRecordHeaderBytes + kRecordBodyFixedBytes) {
      if (newest) return torn_here();
      return Corrupt(name, at, "a record cut short");
    }
    const uint32_t length = GetU32(rest, 0);
    if (Crc32c(rest.substr(0, 4)) != GetU32(rest, 4)) {
      if (newest && AllZero(rest)) return torn_here();
      return Corrupt(name, at, "the record length's checksum does not match");
    }
    if (length > kMaxRecordPayloadBytes) {
      return Corrupt(name, at,
                     fmt::format("a record of {} bytes, more than the limit {}", length,
                                 kMaxRecordPayloadBytes));
    }
    const size_t total = RecordBytes(length);
    if (total > rest.size()) {
      if (newest) return torn_here();
      return Corrupt(name, at, "a record runs past the end of the segment");
    }
    const std::string_view body =
        rest.substr(kRecordHeaderBytes, total - kRecordHeaderBytes);
    if (Crc32c(body) != GetU32(rest, 8)) {
      if (newest && total == rest.size()) return torn_here();
      return Corrupt(name, at, "the record's checksum does not match");
    }
    const uint64_t sequence = GetU64(body, 0);
    if (sequence != next) {
      return Corrupt(name, at,
                     fmt::format("sequence {} where {} was expected", sequence, next));
    }
    RecordView view{sequence, static_cast<int64_t>(GetU64(body, 8)),
                    body.substr(kRecordBodyFixedBytes), at};
    if (absl::Status s = fn(view); !s.ok()) return s;
    result.records += 1;
    result.last_sequence = sequence;
    ++next;
    at += total;
  }
  result.valid_bytes = at;
  return result;
}

}  // namespace ccengine::journal::internal
