#include "ccengine/text/tokenizer.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fmt/format.h"
#include "text/latin_fold.h"
#include "text/utf8.h"

namespace ccengine::text {
namespace {

using internal::DecodeUtf8;
using internal::FoldLatin;
using internal::Utf8Char;

// --- characters ----------------------------------------------------------------

enum class CharClass { kSeparator, kLetter, kDigit, kMark, kCjk };

bool IsCjk(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) ||    // CJK Unified Ideographs
         (cp >= 0x3400 && cp <= 0x4DBF) ||    // Extension A
         (cp >= 0xF900 && cp <= 0xFAFF) ||    // Compatibility Ideographs
         (cp >= 0x20000 && cp <= 0x3134F) ||  // Extensions B..G, compat. supplement
         cp == 0x3005 || cp == 0x3007 ||      // 々 〇
         (cp >= 0x3040 && cp <= 0x309F) ||    // Hiragana
         (cp >= 0x30A0 && cp <= 0x30FF && cp != 0x30FB) ||  // Katakana but ・
         (cp >= 0x31F0 && cp <= 0x31FF) ||                  // Katakana extension
         (cp >= 0xAC00 && cp <= 0xD7AF) ||                  // Hangul syllables
         (cp >= 0x1100 && cp <= 0x11FF) ||                  // Hangul Jamo
         (cp >= 0x3130 && cp <= 0x318F) ||                  // Hangul compatibility Jamo
         (cp >= 0xA960 && cp <= 0xA97F) ||                  // Hangul Jamo Extended-A
         (cp >= 0xD7B0 && cp <= 0xD7FF);                    // Hangul Jamo Extended-B
}

// Classifies `cp` after normalization and sets `*folded` to what a letter or
// digit adds to a term.
CharClass Classify(char32_t cp, std::string_view* folded) {
  static constexpr char kAscii[] =
      " !\"#$%&'()*+,-./0123456789:;<=>?@abcdefghijklmnopqrstuvwxyz[\\]^_`"
      "abcdefghijklmnopqrstuvwxyz{|}~";
  if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;  // full-width ASCII forms
  if (cp < 0x80) {
    if (cp >= '0' && cp <= '9') {
      *folded = std::string_view(&kAscii[cp - 0x20], 1);
      return CharClass::kDigit;
    }
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
      *folded = std::string_view(&kAscii[cp - 0x20], 1);
      return CharClass::kLetter;
    }
    return CharClass::kSeparator;
  }
  if (cp >= 0x0300 && cp <= 0x036F) return CharClass::kMark;
  if (std::string_view f = FoldLatin(cp); !f.empty()) {
    *folded = f;
    return CharClass::kLetter;
  }
  if (IsCjk(cp)) return CharClass::kCjk;
  return CharClass::kSeparator;  // U+3000 and everything without a table
}

// --- the stemmer ---------------------------------------------------------------

bool IsPlainVowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

// Porter's y: a consonant at the start or after a vowel, a vowel after a
// consonant. In a run of y's the roles alternate from the run's first y, so
// the run is walked back without recursion.
bool IsVowelAt(std::string_view w, size_t i) {
  if (w[i] != 'y') return IsPlainVowel(w[i]);
  size_t first = i;
  while (first > 0 && w[first - 1] == 'y') --first;
  const bool first_is_vowel = first > 0 && !IsPlainVowel(w[first - 1]);
  return first_is_vowel != ((i - first) % 2 == 1);
}

// A y after anything but a plain vowel is a vowel itself or follows a y that
// is one, so the word has a vowel either way.
bool HasVowel(std::string_view w) {
  for (size_t i = 0; i < w.size(); ++i) {
    if (IsPlainVowel(w[i]) || (w[i] == 'y' && i > 0 && !IsPlainVowel(w[i - 1]))) {
      return true;
    }
  }
  return false;
}

// Porter's measure: the number of vowel-consonant sequences. One pass: a y's
// role follows from the letter before it.
int Measure(std::string_view w) {
  int m = 0;
  bool prev_vowel = false;
  for (size_t i = 0; i < w.size(); ++i) {
    const bool vowel = w[i] == 'y' ? (i > 0 && !prev_vowel) : IsPlainVowel(w[i]);
    if (prev_vowel && !vowel) ++m;
    prev_vowel = vowel;
  }
  return m;
}

bool EndsWith(std::string_view w, std::string_view suffix) {
  return w.size() >= suffix.size() && w.substr(w.size() - suffix.size()) == suffix;
}

// After -ing or -ed: undouble (keeping 3 letters: added add), or put back a
// silent e.
void FixStem(std::string* w) {
  const size_t n = w->size();
  const char last = (*w)[n - 1];
  if (n >= 4 && last == (*w)[n - 2] && !IsVowelAt(*w, n - 1) && last != 'l' &&
      last != 's' && last != 'z') {
    w->pop_back();
    return;
  }
  if (n >= 3 && !IsVowelAt(*w, n - 1) && IsVowelAt(*w, n - 2) && !IsVowelAt(*w, n - 3) &&
      last != 'w' && last != 'x' && last != 'y' && Measure(*w) == 1) {
    w->push_back('e');
  }
}

// One application of the first rule that applies (see StemEnglish).
void StemOnce(std::string* word) {
  std::string& w = *word;
  const size_t n = w.size();
  if (n <= 3) return;
  const auto cut = [&](size_t k) { w.resize(n - k); };
  if (EndsWith(w, "ies") && n - 3 >= 3) {
    cut(3);
    w.push_back('y');
    return;
  }
  if (EndsWith(w, "ied") && n - 3 >= 3) {
    cut(3);
    w.push_back('y');
    return;
  }
  if (EndsWith(w, "es") && n - 2 >= 3) {
    const std::string_view stem = std::string_view(w).substr(0, n - 2);
    if (EndsWith(stem, "x") || EndsWith(stem, "ch") || EndsWith(stem, "sh") ||
        EndsWith(stem, "ss")) {
      cut(2);
      return;
    }
  }
  if (w[n - 1] == 's') {
    const char before = w[n - 2];
    if (before != 's' && before != 'u' && before != 'i') cut(1);
    return;
  }
  if (EndsWith(w, "ing") && n - 3 >= 3 &&
      HasVowel(std::string_view(w).substr(0, n - 3))) {
    cut(3);
    FixStem(&w);
    return;
  }
  if (EndsWith(w, "ed") && n - 2 >= 3 && w[n - 3] != 'e' &&
      HasVowel(std::string_view(w).substr(0, n - 2))) {
    cut(2);
    FixStem(&w);
    return;
  }
  if (EndsWith(w, "ly") && n - 2 >= 4 && !IsVowelAt(w, n - 3) && w[n - 3] != 'y' &&
      w[n - 3] != w[n - 4]) {
    cut(2);
  }
}

// Rules until none applies, so that a stem stems to itself ("bookings" is
// "booking" after one rule and "book" after two): a store may hand a term back
// to the tokenizer and get the same term. Every rule shortens the word, so
// this ends.
void StemInPlace(std::string* word) {
  if (word->size() > kMaxStemmedWordBytes) return;
  for (size_t before = word->size() + 1; word->size() < before;) {
    before = word->size();
    StemOnce(word);
  }
}

// --- the walk ------------------------------------------------------------------

class Walker {
 public:
  Walker(std::string_view text, TokenizeMode mode, bool stem, Tokenizer::Sink sink)
      : text_(text), mode_(mode), stem_(stem), sink_(sink) {}

  absl::Status Run() {
    size_t i = 0;
    while (i < text_.size()) {
      const Utf8Char c = DecodeUtf8(text_, i);
      const uint32_t start = static_cast<uint32_t>(i);
      const uint32_t end = static_cast<uint32_t>(i + c.length);
      i = end;
      std::string_view folded;
      switch (Classify(c.code_point, &folded)) {
        case CharClass::kLetter:
        case CharClass::kDigit: {
          if (auto s = EndRun(); !s.ok()) return s;
          if (!word_open_) {
            word_open_ = true;
            word_start_ = start;
            word_has_letter_ = false;
            word_has_digit_ = false;
            word_.clear();
          }
          word_.append(folded);
          if (folded[0] > '9') {
            word_has_letter_ = true;
          } else {
            word_has_digit_ = true;
          }
          word_end_ = end;
          break;
        }
        case CharClass::kMark:
          if (word_open_) {
            word_end_ = end;
            break;
          }
          if (auto s = EndRun(); !s.ok()) return s;
          break;
        case CharClass::kCjk:
          if (auto s = EndWord(); !s.ok()) return s;
          if (auto s = AddCjk(start, end); !s.ok()) return s;
          break;
        case CharClass::kSeparator:
          if (auto s = EndWord(); !s.ok()) return s;
          if (auto s = EndRun(); !s.ok()) return s;
          break;
      }
    }
    if (auto s = EndWord(); !s.ok()) return s;
    return EndRun();
  }

 private:
  absl::Status Emit(std::string_view term, uint32_t start, uint32_t end,
                    uint32_t position, TokenKind kind, bool colocated) {
    return sink_(TokenView{term, start, end, position, kind, colocated});
  }

  absl::Status EndWord() {
    if (!word_open_) return absl::OkStatus();
    word_open_ = false;
    if (word_has_letter_ && !word_has_digit_ && stem_) StemInPlace(&word_);
    return Emit(word_, word_start_, word_end_, position_++,
                word_has_letter_ ? TokenKind::kWord : TokenKind::kNumber, false);
  }

  absl::Status AddCjk(uint32_t start, uint32_t end) {
    const uint32_t position = position_++;
    if (run_length_ > 0) {
      const bool colocated = mode_ == TokenizeMode::kIndex;
      if (auto s = Emit(text_.substr(prev_start_, end - prev_start_), prev_start_, end,
                        position - 1, TokenKind::kCjkBigram, colocated);
          !s.ok()) {
        return s;
      }
    }
    ++run_length_;
    prev_start_ = start;
    prev_end_ = end;
    if (mode_ == TokenizeMode::kIndex) {
      return Emit(text_.substr(start, end - start), start, end, position,
                  TokenKind::kCjkUnigram, false);
    }
    return absl::OkStatus();
  }

  // Ends a CJK run; in query mode a run of one character is its unigram.
  absl::Status EndRun() {
    const uint32_t length = run_length_;
    run_length_ = 0;
    if (length == 1 && mode_ == TokenizeMode::kQuery) {
      return Emit(text_.substr(prev_start_, prev_end_ - prev_start_), prev_start_,
                  prev_end_, position_ - 1, TokenKind::kCjkUnigram, false);
    }
    return absl::OkStatus();
  }

  const std::string_view text_;
  const TokenizeMode mode_;
  const bool stem_;
  const Tokenizer::Sink sink_;
  uint32_t position_ = 0;
  // The open word.
  bool word_open_ = false;
  bool word_has_letter_ = false;
  bool word_has_digit_ = false;
  uint32_t word_start_ = 0;
  uint32_t word_end_ = 0;
  std::string word_;
  // The open CJK run: its length and its last character.
  uint32_t run_length_ = 0;
  uint32_t prev_start_ = 0;
  uint32_t prev_end_ = 0;
};

}  // namespace

std::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kWord: return "word";
    case TokenKind::kNumber: return "number";
    case TokenKind::kCjkUnigram: return "cjk_unigram";
    case TokenKind::kCjkBigram: return "cjk_bigram";
  }
  return "unknown";
}

absl::Status ValidateUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const Utf8Char c = DecodeUtf8(text, i);
    if (c.error != nullptr) {
      return absl::InvalidArgumentError(
          fmt::format("invalid UTF-8 at byte offset {}: {}", i, c.error));
    }
    i += c.length;
  }
  return absl::OkStatus();
}

std::string StemEnglish(std::string_view word) {
  std::string w(word);
  StemInPlace(&w);
  return w;
}

absl::Status Tokenizer::ForEachToken(std::string_view text, TokenizeMode mode,
                                     Sink sink) const {
  if (text.size() > kMaxTextBytes) {
    return absl::InvalidArgumentError(fmt::format(
        "text is {} bytes, more than the limit of {}", text.size(), kMaxTextBytes));
  }
  if (absl::Status s = ValidateUtf8(text); !s.ok()) return s;
  return Walker(text, mode, options_.stem_english, sink).Run();
}

absl::StatusOr<std::vector<Token>> Tokenizer::Tokenize(std::string_view text,
                                                       TokenizeMode mode) const {
  std::vector<Token> tokens;
  absl::Status s = ForEachToken(text, mode, [&](const TokenView& t) {
    tokens.push_back(
        Token{std::string(t.term), t.start, t.end, t.position, t.kind, t.colocated});
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return tokens;
}

absl::StatusOr<std::vector<std::string>> Tokenizer::Terms(std::string_view text,
                                                          TokenizeMode mode) const {
  std::vector<std::string> terms;
  absl::Status s = ForEachToken(text, mode, [&](const TokenView& t) {
    terms.emplace_back(t.term);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return terms;
}

}  // namespace ccengine::text
