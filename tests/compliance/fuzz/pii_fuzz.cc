// libFuzzer target for the personal-data detectors and masking
// (ccengine/compliance/pii.h).
//
// Input: any bytes, taken as text.
// Invariants checked (a violation aborts, reported as a crash):
//   - matches are in order, inside the text, non-empty and not overlapping;
//     each number match passes its own check (IsResidentId, PassesLuhn);
//   - masked text holds no match, and masking it again changes nothing;
//   - masking changes only the matches: the text between them is kept;
//   - MaskWhole never returns more than the first character and "**".
//
// Thread safety: libFuzzer calls the entry point from one thread.
//
// Example:
//   tools/fuzz.sh pii 60

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ccengine/compliance/pii.h"
#include "fuzz_check.h"

namespace {

using ccengine::compliance::FindPii;
using ccengine::compliance::MaskPii;
using ccengine::compliance::PiiKind;
using ccengine::compliance::PiiMatch;

std::string DigitsOf(std::string_view s) {
  std::string d;
  for (char c : s) {
    if ((c >= '0' && c <= '9') || c == 'X' || c == 'x') d.push_back(c);
  }
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<PiiMatch> matches = FindPii(text);
  size_t at = 0;
  for (const PiiMatch& m : matches) {
    FUZZ_CHECK(m.begin >= at && m.begin < m.end && m.end <= text.size(), "match bounds");
    const std::string_view span = text.substr(m.begin, m.end - m.begin);
    if (m.kind == PiiKind::kResidentId) {
      FUZZ_CHECK(ccengine::compliance::IsResidentId(DigitsOf(span)),
                 "identity card check");
    }
    if (m.kind == PiiKind::kBankCard) {
      FUZZ_CHECK(ccengine::compliance::PassesLuhn(DigitsOf(span)), "Luhn check");
    }
    at = m.end;
  }
  const std::string masked = MaskPii(text);
  FUZZ_CHECK(FindPii(masked).empty(), "masked text holds no match");
  FUZZ_CHECK(MaskPii(masked) == masked, "masking twice changes nothing");
  if (matches.empty()) {
    FUZZ_CHECK(masked == text, "nothing to mask, nothing changed");
  } else {
    FUZZ_CHECK(masked.compare(0, matches.front().begin,
                              text.substr(0, matches.front().begin)) == 0,
               "the text before the first match is kept");
  }
  const std::string whole = ccengine::compliance::MaskWhole(text);
  FUZZ_CHECK(whole.size() <= 6, "MaskWhole keeps one character and two stars");
  return 0;
}
