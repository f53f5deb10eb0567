#include "record.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ccengine/audit/keys.h"
#include "fmt/format.h"

namespace ccengine::audit::internal {
namespace {

constexpr std::string_view kHeaderTag = "CCAUDIT";
constexpr std::string_view kHeadTag = "CCAUDIT-HEAD";
constexpr std::string_view kVersion = "1";
constexpr char kHexDigits[] = "0123456789abcdef";

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

void AppendEscaped(std::string& out, std::string_view text) {
  size_t plain = 0;
  while (plain < text.size() && text[plain] != '\\' &&
         !IsControl(static_cast<unsigned char>(text[plain]))) {
    ++plain;
  }
  out.append(text.substr(0, plain));
  for (const char ch : text.substr(plain)) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default:
        if (IsControl(c)) {
          out += "\\x";
          out += kHexDigits[c >> 4];
          out += kHexDigits[c & 0xf];
        } else {
          out += ch;
        }
    }
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The inverse of AppendEscaped, refusing every form it does not write.
absl::StatusOr<std::string> Unescape(std::string_view field) {
  bool plain = true;
  for (const char c : field) {
    if (c == '\\' || IsControl(static_cast<unsigned char>(c))) {
      plain = false;
      break;
    }
  }
  if (plain) return std::string(field);
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    const auto c = static_cast<unsigned char>(field[i]);
    if (IsControl(c)) {
      return absl::InvalidArgumentError(
          fmt::format("an unescaped control byte 0x{}", ToHex(field.substr(i, 1))));
    }
    if (c != '\\') {
      out += field[i];
      continue;
    }
    if (i + 1 >= field.size())
      return absl::InvalidArgumentError("a lone \\ at a field's end");
    const char e = field[++i];
    switch (e) {
      case '\\': out += '\\'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'x': {
        if (i + 2 >= field.size()) {
          return absl::InvalidArgumentError("a \\x escape without two hex digits");
        }
        const int hi = HexValue(field[i + 1]);
        const int lo = HexValue(field[i + 2]);
        if (hi < 0 || lo < 0) {
          return absl::InvalidArgumentError(
              "a \\x escape without two lowercase hex digits");
        }
        const auto byte = static_cast<unsigned char>(hi * 16 + lo);
        if (!IsControl(byte) || byte == '\t' || byte == '\n' || byte == '\r') {
          return absl::InvalidArgumentError(
              "a \\x escape of a byte that is written otherwise");
        }
        out += static_cast<char>(byte);
        i += 2;
        break;
      }
      default:
        return absl::InvalidArgumentError(
            fmt::format("an unknown escape \\{}", ToHex({&e, 1})));
    }
  }
  return out;
}

// `text` cut at every `sep` (Abseil's StrSplit takes Abseil's own
// string_view here).
std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(sep, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

absl::StatusOr<int64_t> ParseSeq(std::string_view text) {
  int64_t seq = 0;
  if (text.empty() || text.size() > 18 || text[0] == '0' ||
      text.find_first_not_of("0123456789") != std::string_view::npos ||
      !absl::SimpleAtoi(std::string(text), &seq)) {
    return absl::InvalidArgumentError(fmt::format(
        "the sequence number is not a decimal from 1 up: \"{}\"", text.substr(0, 20)));
  }
  return seq;
}

absl::StatusOr<std::string> ParseHexField(std::string_view text, size_t bytes,
                                          std::string_view what) {
  if (text.size() != 2 * bytes) {
    return absl::InvalidArgumentError(
        fmt::format("the {} is not {} hex digits", what, 2 * bytes));
  }
  absl::StatusOr<std::string> raw = FromHex(text);
  if (!raw.ok()) {
    return absl::InvalidArgumentError(fmt::format("the {} is not lowercase hex", what));
  }
  return raw;
}

absl::Status WithField(const absl::Status& status, std::string_view field) {
  return absl::InvalidArgumentError(
      fmt::format("{}: {}", field, std::string(status.message())));
}

}  // namespace

std::string ToHex(std::string_view bytes) {
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kHexDigits[c >> 4];
    out[2 * i + 1] = kHexDigits[c & 0xf];
  }
  return out;
}

absl::StatusOr<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0)
    return absl::InvalidArgumentError("an odd number of hex digits");
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = HexValue(hex[2 * i]);
    const int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return absl::InvalidArgumentError("not lowercase hex");
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string FormatAuditTime(absl::Time time) {
  const absl::CivilSecond civil = absl::ToCivilSecond(time, absl::UTCTimeZone());
  const int64_t micros =
      absl::ToInt64Microseconds(time - absl::FromCivil(civil, absl::UTCTimeZone()));
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", civil.year(),
                     civil.month(), civil.day(), civil.hour(), civil.minute(),
                     civil.second(), micros);
}

absl::StatusOr<absl::Time> ParseAuditTime(std::string_view text) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.ddddddZ";
  bool shaped = text.size() == kShape.size();
  for (size_t i = 0; shaped && i < text.size(); ++i) {
    shaped = kShape[i] == 'd' ? text[i] >= '0' && text[i] <= '9' : text[i] == kShape[i];
  }
  auto number = [&](size_t pos, size_t len) {
    int64_t value = 0;
    for (size_t i = pos; i < pos + len; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  if (shaped) {
    const int64_t year = number(0, 4);
    const int month = static_cast<int>(number(5, 2));
    const int day = static_cast<int>(number(8, 2));
    const int hour = static_cast<int>(number(11, 2));
    const int minute = static_cast<int>(number(14, 2));
    const int second = static_cast<int>(number(17, 2));
    const absl::CivilSecond civil(year, month, day, hour, minute, second);
    // A field out of range (30 February, 24:00, a leap second) normalizes
    // to another time: refused.
    if (year >= kMinAuditYear && civil.year() == year && civil.month() == month &&
        civil.day() == day && civil.hour() == hour && civil.minute() == minute &&
        civil.second() == second) {
      return absl::FromCivil(civil, absl::UTCTimeZone()) +
             absl::Microseconds(number(20, 6));
    }
  }
  return absl::InvalidArgumentError(fmt::format(
      "the time is not YYYY-MM-DDTHH:MM:SS.ffffffZ (UTC, a year from {}): \"{}\"",
      kMinAuditYear, text.substr(0, 40)));
}

bool InAuditYears(absl::Time time) {
  const absl::CivilSecond civil = absl::ToCivilSecond(time, absl::UTCTimeZone());
  return civil.year() >= kMinAuditYear && civil.year() <= kMaxAuditYear;
}

std::string HeaderBody(absl::Time time, std::string_view public_key) {
  return fmt::format("{}\t{}\t{}\t{}", kHeaderTag, kVersion, FormatAuditTime(time),
                     ToHex(public_key));
}

std::string EntryBody(int64_t seq, absl::Time time, const AuditEvent& event) {
  std::string out = fmt::format("E\t{}\t{}", seq, FormatAuditTime(time));
  for (const std::string* field :
       {&event.actor, &event.role, &event.action, &event.subject, &event.before,
        &event.after, &event.reason}) {
    out += '\t';
    AppendEscaped(out, *field);
  }
  return out;
}

std::string_view CheckpointStateName(CheckpointState state) {
  switch (state) {
    case CheckpointState::kCreated: return "created";
    case CheckpointState::kPeriodic: return "periodic";
    case CheckpointState::kClosed: return "closed";
    case CheckpointState::kReopened: return "reopened";
    case CheckpointState::kRecovered: return "recovered";
  }
  return "?";
}

std::string CheckpointBody(int64_t seq, absl::Time time, CheckpointState state,
                           std::string_view signature) {
  return fmt::format("C\t{}\t{}\t{}\t{}", seq, FormatAuditTime(time),
                     CheckpointStateName(state), ToHex(signature));
}

std::string FormatLine(std::string_view body, std::string_view link) {
  return fmt::format("{}\t{}\n", body, ToHex(link));
}

std::string CheckpointMessage(std::string_view previous_link, int64_t seq,
                              absl::Time time, CheckpointState state) {
  return fmt::format("ccengine-audit checkpoint v1\n{}\n{}\n{}\n{}", ToHex(previous_link),
                     seq, FormatAuditTime(time), CheckpointStateName(state));
}

std::string HeadMessage(int64_t seq, absl::Time time, std::string_view link) {
  return fmt::format("ccengine-audit head v1\n{}\n{}\n{}", seq, FormatAuditTime(time),
                     ToHex(link));
}

absl::StatusOr<ParsedLine> ParseLine(std::string_view line) {
  ParsedLine parsed;
  const size_t last_tab = line.rfind('\t');
  if (last_tab == std::string_view::npos) {
    return absl::InvalidArgumentError("the line has no fields");
  }
  absl::StatusOr<std::string> link =
      ParseHexField(line.substr(last_tab + 1), kLinkBytes, "link hash");
  if (!link.ok()) return link.status();
  parsed.link = *std::move(link);
  parsed.body_size = last_tab;
  const std::vector<std::string_view> fields = Split(line.substr(0, last_tab), '\t');
  const std::string_view tag = fields[0];
  auto expect_fields = [&](size_t n, std::string_view what) -> absl::Status {
    if (fields.size() != n) {
      return absl::InvalidArgumentError(
          fmt::format("{} has {} fields, not {}", what, fields.size() + 1, n + 1));
    }
    return absl::OkStatus();
  };
  if (tag == kHeaderTag) {
    parsed.kind = LineKind::kHeader;
    if (absl::Status s = expect_fields(4, "the header"); !s.ok()) return s;
    if (fields[1] != kVersion) {
      return absl::InvalidArgumentError(
          fmt::format("format version \"{}\", not 1", fields[1].substr(0, 20)));
    }
    absl::StatusOr<std::string> key =
        ParseHexField(fields[3], kPublicKeyBytes, "public key");
    if (!key.ok()) return key.status();
    parsed.public_key = *std::move(key);
  } else if (tag == "E") {
    parsed.kind = LineKind::kEntry;
    if (absl::Status s = expect_fields(10, "an entry"); !s.ok()) return s;
    static constexpr std::array<std::string_view, 7> kNames = {
        "actor", "role", "action", "subject", "before", "after", "reason"};
    std::array<std::string*, 7> targets = {&parsed.event.actor,  &parsed.event.role,
                                           &parsed.event.action, &parsed.event.subject,
                                           &parsed.event.before, &parsed.event.after,
                                           &parsed.event.reason};
    for (size_t i = 0; i < targets.size(); ++i) {
      absl::StatusOr<std::string> value = Unescape(fields[3 + i]);
      if (!value.ok()) return WithField(value.status(), kNames[i]);
      *targets[i] = *std::move(value);
    }
  } else if (tag == "C") {
    parsed.kind = LineKind::kCheckpoint;
    if (absl::Status s = expect_fields(5, "a checkpoint"); !s.ok()) return s;
    bool known = false;
    for (const CheckpointState state :
         {CheckpointState::kCreated, CheckpointState::kPeriodic, CheckpointState::kClosed,
          CheckpointState::kReopened, CheckpointState::kRecovered}) {
      if (fields[3] == CheckpointStateName(state)) {
        parsed.state = state;
        known = true;
      }
    }
    if (!known) {
      return absl::InvalidArgumentError(
          fmt::format("unknown checkpoint state \"{}\"", fields[3].substr(0, 20)));
    }
    absl::StatusOr<std::string> signature =
        ParseHexField(fields[4], kSignatureBytes, "signature");
    if (!signature.ok()) return signature.status();
    parsed.signature = *std::move(signature);
  } else {
    return absl::InvalidArgumentError(
        fmt::format("unknown line type \"{}\"", tag.substr(0, 20)));
  }
  if (parsed.kind != LineKind::kHeader) {
    absl::StatusOr<int64_t> seq = ParseSeq(fields[1]);
    if (!seq.ok()) return seq.status();
    parsed.seq = *seq;
  }
  absl::StatusOr<absl::Time> time = ParseAuditTime(fields[2]);
  if (!time.ok()) return time.status();
  parsed.time = *time;
  return parsed;
}

std::string FormatHead(const Head& head) {
  return fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", kHeadTag, kVersion, head.seq,
                     FormatAuditTime(head.time), ToHex(head.link), ToHex(head.signature));
}

absl::StatusOr<Head> ParseHead(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return absl::InvalidArgumentError("the head is not one complete line");
  }
  text.remove_suffix(1);
  const std::vector<std::string_view> fields = Split(text, '\t');
  if (fields.size() != 6 || fields[0] != kHeadTag) {
    return absl::InvalidArgumentError("the head is not a CCAUDIT-HEAD line of 6 fields");
  }
  if (fields[1] != kVersion) {
    return absl::InvalidArgumentError("the head's format version is not 1");
  }
  Head head;
  absl::StatusOr<int64_t> seq = ParseSeq(fields[2]);
  if (!seq.ok()) return seq.status();
  head.seq = *seq;
  absl::StatusOr<absl::Time> time = ParseAuditTime(fields[3]);
  if (!time.ok()) return time.status();
  head.time = *time;
  absl::StatusOr<std::string> link =
      ParseHexField(fields[4], kLinkBytes, "head's link hash");
  if (!link.ok()) return link.status();
  head.link = *std::move(link);
  absl::StatusOr<std::string> signature =
      ParseHexField(fields[5], kSignatureBytes, "head's signature");
  if (!signature.ok()) return signature.status();
  head.signature = *std::move(signature);
  return head;
}

}  // namespace ccengine::audit::internal
