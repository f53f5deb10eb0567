// -----------------------------------------------------------------------------
// File: src/text/latin_fold.h
// -----------------------------------------------------------------------------
//
// Private: the small explicit table that folds the commonest Latin letters with
// diacritics to lowercase ASCII (Latin-1 Supplement U+00C0..U+00FF, Latin
// Extended-A U+0100..U+017F, and the Pinyin tone letters with caron U+01CD..U+01DC),
// so "Café", "CAFÉ" and "cafe" are one term and "lǚ" is "lu". Generated once from
// Python's unicodedata (NFKD, combining marks dropped, lowercased) with explicit
// entries for letters that have no decomposition (Æ ae, Ø o, Đ d, Ł l, ß ss,
// Þ th, Œ oe, ı i, ĸ k, ŋ n, ſ s). An empty entry (× U+00D7, ÷ U+00F7) is not a
// letter: the tokenizer treats it as a separator.
//
// Thread safety: constant data and a pure function.
//
// Example:
//   std::string_view f = FoldLatin(0x00C9);  // "e" (É)
//   bool letter = !f.empty();

#ifndef CCENGINE_SRC_TEXT_LATIN_FOLD_H_
#define CCENGINE_SRC_TEXT_LATIN_FOLD_H_

#include <string_view>

namespace ccengine::text::internal {

// U+00C0..U+017F.
inline constexpr std::string_view kLatinFoldFromC0[] = {
    "a", "a", "a",  "a",  "a", "a", "ae", "c",   // U+00C0
    "e", "e", "e",  "e",  "i", "i", "i",  "i",   // U+00C8
    "d", "n", "o",  "o",  "o", "o", "o",  "",    // U+00D0
    "o", "u", "u",  "u",  "u", "y", "th", "ss",  // U+00D8
    "a", "a", "a",  "a",  "a", "a", "ae", "c",   // U+00E0
    "e", "e", "e",  "e",  "i", "i", "i",  "i",   // U+00E8
    "d", "n", "o",  "o",  "o", "o", "o",  "",    // U+00F0
    "o", "u", "u",  "u",  "u", "y", "th", "y",   // U+00F8
    "a", "a", "a",  "a",  "a", "a", "c",  "c",   // U+0100
    "c", "c", "c",  "c",  "c", "c", "d",  "d",   // U+0108
    "d", "d", "e",  "e",  "e", "e", "e",  "e",   // U+0110
    "e", "e", "e",  "e",  "g", "g", "g",  "g",   // U+0118
    "g", "g", "g",  "g",  "h", "h", "h",  "h",   // U+0120
    "i", "i", "i",  "i",  "i", "i", "i",  "i",   // U+0128
    "i", "i", "ij", "ij", "j", "j", "k",  "k",   // U+0130
    "k", "l", "l",  "l",  "l", "l", "l",  "l",   // U+0138
    "l", "l", "l",  "n",  "n", "n", "n",  "n",   // U+0140
    "n", "n", "n",  "n",  "o", "o", "o",  "o",   // U+0148
    "o", "o", "oe", "oe", "r", "r", "r",  "r",   // U+0150
    "r", "r", "s",  "s",  "s", "s", "s",  "s",   // U+0158
    "s", "s", "t",  "t",  "t", "t", "t",  "t",   // U+0160
    "u", "u", "u",  "u",  "u", "u", "u",  "u",   // U+0168
    "u", "u", "u",  "u",  "w", "w", "y",  "y",   // U+0170
    "y", "z", "z",  "z",  "z", "z", "z",  "s",   // U+0178
};

// U+01CD..U+01DC (Ǎ ǎ Ǐ ǐ Ǒ ǒ Ǔ ǔ Ǖ ǖ Ǘ ǘ Ǚ ǚ Ǜ ǜ).
inline constexpr std::string_view kLatinFoldFrom1CD[] = {
    "a", "a", "i", "i", "o", "o", "u", "u",  // U+01CD
    "u", "u", "u", "u", "u", "u", "u", "u",  // U+01D5
};

// The ASCII letters `cp` folds to, or "" when `cp` is not in the table.
constexpr std::string_view FoldLatin(char32_t cp) {
  if (cp >= 0xC0 && cp <= 0x17F) return kLatinFoldFromC0[cp - 0xC0];
  if (cp >= 0x1CD && cp <= 0x1DC) return kLatinFoldFrom1CD[cp - 0x1CD];
  return {};
}

}  // namespace ccengine::text::internal

#endif  // CCENGINE_SRC_TEXT_LATIN_FOLD_H_
