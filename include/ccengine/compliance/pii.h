// -----------------------------------------------------------------------------
// File: ccengine/compliance/pii.h
// -----------------------------------------------------------------------------
//
// Personal data (个人信息) in free text, found and masked before it leaves
// the engine: in events, explanation records, logs, reports and exports.
// The detectors know the data a Chinese contact center holds:
//
//   mobile        mainland mobile numbers: 11 digits 1[3-9]xxxxxxxxx, also
//                 written +86 / 0086 / 86 / 0 before them and in groups
//                 ("138 1234 5678", "138-1234-5678")
//   landline      an area code (010, 02x, or 0 and three digits) and a local
//                 number of 7 or 8 digits starting 2-9: "010-12345678",
//                 "(0755) 8765 4321", "075587654321"
//   resident_id   resident identity card numbers (居民身份证号): 17 digits and
//                 a check digit (ISO 7064 MOD 11-2, X for 10), with a real
//                 birth date in digits 7-14
//   bank_card     13-19 digits starting 3-6 (UnionPay 62, Visa 4, …) that
//                 pass the Luhn check, also in groups of four
//   email         local@domain.tld (the domain has a dot; the TLD is two or
//                 more letters)
//
// Digits are ASCII (full-width digits are not read). Digit groups joined by
// one space, hyphen or the ")" of an area code in parentheses are read as one
// number only in the layouts people write: a mobile 3-4-4 or 3-8 (after an
// optional +86 / 0086), a landline's area code then the local number whole or
// 3-4 / 4-4 / 4-3, an identity card 6-8-4 or 6-4-4-4, a card in fours (4-6-5
// for Amex). A match starts and ends on group boundaries — so "2024-12-05",
// "12345" (a hotline), "400-820-8820" (a company line), lists of small
// numbers, order numbers that fail the checks, times and amounts are left
// alone. A number followed by the letter X is read without it unless it is an
// identity card. Service
// numbers without an area code ("87654321") and the 15-digit identity cards
// of before 1999 (no check digit) are not detected: too many ordinary numbers
// look like them.
//
// Masking keeps what an agent or a report needs to tell records apart and no
// more: a mobile its first 3 and last 4 digits ("138****5678"), a landline
// its area code and last 4 ("010-****5678"), an identity card its first 3
// and last 4 ("110***********123X"), a bank card its first 6 and last 4
// (PCI DSS), an e-mail the first character of its local part
// ("z***@example.com"). Separators stay where they were; digits kept at the
// front come from the number's first group only and those at the back from
// its last ("+86 *** **** 5678", "6222 **** **** **** 128"). Masked text
// holds no match (masking twice changes nothing): a digit group next to a
// "*" — directly or across a separator — is never joined to other groups
// (so the grouped number in "* 138 1234 5678" is read as a mask's edge and
// missed, while "* 13812345678" is found).
//
// Fields that are personal as a whole (a customer's name, an address) cannot
// be recognized in free text; the operator names them, and a `Masker` masks
// their values whole: the first character and "**" ("张**").
//
// Cost: linear in the text — at most 5 groups and 19 digits are looked at
// from each group on, and a long run of groups is read in pieces; memory in
// proportion to the text (the matches, the masked copy). Any bytes are accepted (UTF-8 is not
// required; non-ASCII bytes are never part of a match).
//
// Thread safety: the functions are pure; a `Masker` is immutable after
// `Create` and may be shared between threads.
//
// Example:
//   ccengine::compliance::MaskPii("回电 13812345678，卡号 6222 0212 3456 7890 128");
//   // "回电 138****5678，卡号 6222 **** **** **** 128"
#ifndef CCENGINE_COMPLIANCE_PII_H_
#define CCENGINE_COMPLIANCE_PII_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"

namespace ccengine::compliance {

enum class PiiKind : uint8_t { kMobile, kLandline, kResidentId, kBankCard, kEmail };
inline constexpr int kPiiKindCount = 5;
// "mobile", "landline", "resident_id", "bank_card", "email".
std::string_view PiiKindName(PiiKind kind);

struct PiiMatch {
  size_t begin = 0;  // byte offsets: [begin, end)
  size_t end = 0;
  PiiKind kind = PiiKind::kMobile;
  // How many digits (an e-mail: characters of the local part) masking keeps
  // at the front and at the back.
  uint8_t keep_front = 0;
  uint8_t keep_back = 0;
};

// Every piece of personal data in `text`, in order, none overlapping.
std::vector<PiiMatch> FindPii(std::string_view text);

// `text` with every match of FindPii masked.
std::string MaskPii(std::string_view text);

// The detectors' checks, for input validation and tests: 17 digits and a
// check digit (0-9 or X/x) with a birth date between 1900-01-01 and
// 2099-12-31; digits only, passing the Luhn check.
bool IsResidentId(std::string_view id);
bool PassesLuhn(std::string_view digits);

// A value that is personal as a whole: its first character (UTF-8) and
// "**"; "*" for a value of one character, "" for an empty one, "**" when the
// first character is not valid UTF-8.
std::string MaskWhole(std::string_view value);

// What may leave the engine of an attribute's value: its field masked whole
// when the operator named it personal, else its free text masked.
class Masker {
 public:
  // Detectors only; no field is personal as a whole.
  Masker() = default;
  // `personal_fields`: attribute names whose values are personal as a whole
  // ("customer.name", "address"). InvalidArgument for an empty or repeated
  // name.
  static absl::StatusOr<Masker> Create(const std::vector<std::string>& personal_fields);

  bool IsPersonal(std::string_view field) const;
  std::string Mask(std::string_view field, std::string_view value) const;

 private:
  absl::flat_hash_set<std::string> personal_;
};

}  // namespace ccengine::compliance

#endif  // CCENGINE_COMPLIANCE_PII_H_
