// -----------------------------------------------------------------------------
// File: src/text/utf8.h
// -----------------------------------------------------------------------------
//
// Private: a strict UTF-8 decoder (RFC 3629, the Unicode "well-formed" table):
// rejects stray continuation bytes, overlong forms (C0, C1, E0 80..9F,
// F0 80..8F), surrogates (ED A0..BF), code points above U+10FFFF (F4 90.., F5..FF)
// and sequences cut short by the end of the text or by a byte that is not a
// continuation byte.
//
// Thread safety: pure functions.
//
// Example:
//   Utf8Char c = DecodeUtf8(text, offset);
//   if (c.error != nullptr) return Fail(offset, c.error);
//   offset += c.length;

#ifndef CCENGINE_SRC_TEXT_UTF8_H_
#define CCENGINE_SRC_TEXT_UTF8_H_

#include <cstddef>
#include <string_view>

namespace ccengine::text::internal {

struct Utf8Char {
  char32_t code_point = 0;
  int length = 0;               // bytes, 1..4; 0 on error
  const char* error = nullptr;  // why the sequence at the offset is invalid
};

// Decodes the character at `text[offset]` (`offset < text.size()`).
inline Utf8Char DecodeUtf8(std::string_view text, size_t offset) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char b0 = byte(offset);
  if (b0 < 0x80) return {b0, 1, nullptr};
  if (b0 < 0xC0) return {0, 0, "unexpected continuation byte"};
  if (b0 < 0xC2) return {0, 0, "overlong encoding"};
  int length;
  char32_t cp;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (b0 < 0xE0) {
    length = 2;
    cp = b0 & 0x1F;
  } else if (b0 < 0xF0) {
    length = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 < 0xF5) {
    length = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return {0, 0, "byte cannot start a sequence (above U+10FFFF)"};
  }
  if (text.size() - offset < static_cast<size_t>(length)) {
    // Report a bad byte before the end ahead of the truncation.
    for (size_t i = offset + 1; i < text.size(); ++i) {
      if ((byte(i) & 0xC0) != 0x80) return {0, 0, "truncated sequence"};
    }
    return {0, 0, "truncated sequence at the end of the text"};
  }
  const unsigned char b1 = byte(offset + 1);
  if (b1 < lo || b1 > hi) {
    if ((b1 & 0xC0) != 0x80) return {0, 0, "truncated sequence"};
    if (b0 == 0xED) return {0, 0, "surrogate code point"};
    if (b0 == 0xF4) return {0, 0, "code point above U+10FFFF"};
    return {0, 0, "overlong encoding"};
  }
  cp = (cp << 6) | (b1 & 0x3F);
  for (int i = 2; i < length; ++i) {
    const unsigned char b = byte(offset + i);
    if ((b & 0xC0) != 0x80) return {0, 0, "truncated sequence"};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, length, nullptr};
}

}  // namespace ccengine::text::internal

#endif  // CCENGINE_SRC_TEXT_UTF8_H_
