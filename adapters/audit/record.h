// The audit log's line format, without the cryptography: how a line is
// written and read back. Every line is "<body>\t<64 hex digits>\n"; the hex
// digits are the line's link hash, SHA-256(previous link ‖ body), computed by
// the caller. Bodies:
//
//   CCAUDIT\t1\t<time>\t<public key, 64 hex>                       the header
//   E\t<seq>\t<time>\t<actor>\t<role>\t<action>\t<subject>\t<before>\t<after>\t<reason>
//   C\t<seq>\t<time>\t<state>\t<signature, 128 hex>                 a checkpoint
//
// <time> is UTC with microseconds ("2026-12-06T18:31:02.123456Z"); <seq> a
// decimal without leading zeros, 1 on the first line after the header. Text
// fields escape "\\" as "\\\\", tab, newline and carriage return as "\\t",
// "\\n", "\\r", and other control bytes (below 0x20, and 0x7f) as "\\x" and
// two lowercase hex digits; other bytes are written as they are. The reader
// accepts exactly what the writer writes: FormatLine(ParseLine(x)) == x.
//
// A checkpoint signs CheckpointMessage: the previous link, its sequence
// number, time and state, so it covers every line before it. Its state says
// why it was written (CheckpointState). The head file holds one line,
// "CCAUDIT-HEAD\t1\t<seq>\t<time>\t<the checkpoint line's link, 64 hex>\t<signature>\n":
// the latest checkpoint and a signature of HeadMessage of its own, which
// appears nowhere in the log (so a head cannot be made from the log).
#ifndef CCENGINE_ADAPTERS_AUDIT_RECORD_H_
#define CCENGINE_ADAPTERS_AUDIT_RECORD_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ccengine/audit/audit_log.h"

namespace ccengine::audit::internal {

inline constexpr size_t kLinkBytes = 32;

enum class LineKind { kHeader, kEntry, kCheckpoint };

// Why a checkpoint was written.
enum class CheckpointState {
  kCreated,    // the log's first line after the header
  kPeriodic,   // after checkpoint_every entries, or asked for
  kClosed,     // the writer closed the log; only kReopened may follow
  kReopened,   // a writer opened a closed log; follows kClosed directly
  kRecovered,  // a writer opened a log whose last writer did not close it:
               // the entries since the checkpoint before were unsigned
};
std::string_view CheckpointStateName(CheckpointState state);

struct ParsedLine {
  LineKind kind = LineKind::kEntry;
  int64_t seq = 0;  // 0 for the header
  absl::Time time;
  AuditEvent event;                                    // kEntry
  std::string public_key;                              // kHeader: 32 raw bytes
  CheckpointState state = CheckpointState::kPeriodic;  // kCheckpoint
  std::string signature;                               // kCheckpoint: 64 raw bytes
  std::string link;      // the line's stored link: 32 raw bytes
  size_t body_size = 0;  // the line's first body_size bytes are its body
};

// `line` without its "\n". InvalidArgument saying what is wrong.
absl::StatusOr<ParsedLine> ParseLine(std::string_view line);

// Bodies, as the log writes them. `time` is truncated to microseconds.
std::string HeaderBody(absl::Time time, std::string_view public_key);
std::string EntryBody(int64_t seq, absl::Time time, const AuditEvent& event);
std::string CheckpointBody(int64_t seq, absl::Time time, CheckpointState state,
                           std::string_view signature);
// "<body>\t<hex of link>\n".
std::string FormatLine(std::string_view body, std::string_view link);

// What a checkpoint at `seq` signs, given the link of the line before it.
std::string CheckpointMessage(std::string_view previous_link, int64_t seq,
                              absl::Time time, CheckpointState state);

struct Head {
  int64_t seq = 0;        // the checkpoint's
  absl::Time time;        // the checkpoint's
  std::string link;       // the checkpoint line's link: 32 raw bytes
  std::string signature;  // of HeadMessage: 64 raw bytes
};
// What a head signs.
std::string HeadMessage(int64_t seq, absl::Time time, std::string_view link);
std::string FormatHead(const Head& head);
// The head file's whole text.
absl::StatusOr<Head> ParseHead(std::string_view text);

// Time as the log writes it, and back (exactly that form). Only the years
// kMinAuditYear to kMaxAuditYear can be written (InAuditYears).
inline constexpr int64_t kMinAuditYear = 1000;
inline constexpr int64_t kMaxAuditYear = 9999;
bool InAuditYears(absl::Time time);
std::string FormatAuditTime(absl::Time time);
absl::StatusOr<absl::Time> ParseAuditTime(std::string_view text);

// Lowercase hex, and back (exactly 2 lowercase digits per byte).
std::string ToHex(std::string_view bytes);
absl::StatusOr<std::string> FromHex(std::string_view hex);

}  // namespace ccengine::audit::internal

#endif  // CCENGINE_ADAPTERS_AUDIT_RECORD_H_
