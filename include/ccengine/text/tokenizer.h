// -----------------------------------------------------------------------------
// File: ccengine/text/tokenizer.h
// -----------------------------------------------------------------------------
//
// The one tokenizer for Chinese and English text that duplicate detection (the
// ticket desk) and full-text search (the knowledge base, an SQLite FTS5 custom
// tokenizer) share, so a query and a document always agree on what a term is.
// docs/text.md explains the choices.
//
// Input is UTF-8 of at most `kMaxTextBytes` bytes. It is validated completely
// before the first token is produced: invalid UTF-8 (a stray continuation byte,
// an overlong form, a surrogate, a code point above U+10FFFF, a truncated
// sequence) is `absl::InvalidArgumentError` naming the byte offset, and the sink
// has then received nothing.
//
// Normalization (applied to terms; offsets always refer to the original text):
//   - full-width ASCII forms U+FF01..U+FF5E become ASCII ("ＶＡＴ" is "vat",
//     "１２" is "12"), the ideographic space U+3000 is a space;
//   - ASCII letters are lowercased; the Latin letters with diacritics of
//     Latin-1, Latin Extended-A and the Pinyin caron letters fold to ASCII
//     ("Café" is "cafe", "ǚ" is "u"); combining marks U+0300..U+036F inside a
//     word are dropped from the term (the word's byte range includes them).
//
// Tokens:
//   kWord    a run of letters and digits with at least one letter: "vat",
//            "covid19", "a4" (letter/digit boundaries do NOT split, so product
//            codes and "covid19" stay one term). Pure-letter words are
//            stemmed (`StemEnglish`): "policies" is "policy".
//   kNumber  a run of digits only: "12345". "3.5" is two numbers.
//   kCjkUnigram, kCjkBigram
//            CJK runs: Han (U+4E00..U+9FFF, Extension A U+3400..U+4DBF,
//            compatibility U+F900..U+FAFF, Extensions B.. U+20000..U+3134F),
//            Hiragana, Katakana and Hangul (syllables and jamo). Each character
//            is a unigram, each pair of adjacent characters of a run a bigram;
//            the terms are the original bytes (no normalization).
//   Everything else (punctuation, symbols, spaces, emoji, scripts without a
//   table here such as Greek or Cyrillic) separates tokens and is dropped.
//
// Modes:
//   kIndex  (documents) every unigram and every bigram: "噪音扰民" gives
//           噪 噪音 音 音扰 扰 扰民 民. Unigrams make a one-character query match.
//   kQuery  (queries) for a CJK run of two or more characters only its bigrams
//           ("噪音扰民" gives 噪音 音扰 扰民), for a run of one character its
//           unigram. Every bigram of the query is a bigram of any document
//           that contains the query's text, so "医保" matches "医保报销". A
//           caller that wants looser matches adds the characters itself (the
//           knowledge store does, ccengine/knowledge/query.h).
//
// Positions: every word, number and CJK character takes one position, counted
// from 0 in the order of the text; a bigram has the position of its first
// character. In kIndex mode a bigram follows the unigram of its first character
// and shares its position (`colocated`: what FTS5 calls FTS5_TOKEN_COLOCATED),
// so a phrase of query bigrams at positions p, p+1, ... matches the document's
// bigrams at consecutive positions.
//
// Thread safety: a `Tokenizer` is immutable after construction; all its methods
// are const and may be called from any number of threads at once.
//
// Example:
//   const ccengine::text::Tokenizer tokenizer;
//   absl::StatusOr<std::vector<ccengine::text::Token>> tokens =
//       tokenizer.Tokenize("VAT发票怎么开", ccengine::text::TokenizeMode::kQuery);
//   // vat [0,3) 发票 [3,9) 票怎 [6,12) 怎么 [9,15) 么开 [12,18)
//
//   absl::Status status = tokenizer.ForEachToken(
//       text, ccengine::text::TokenizeMode::kIndex,
//       [&](const ccengine::text::TokenView& t) {
//         index.Add(t.term, t.position);  // t.term is valid during the call only
//         return absl::OkStatus();
//       });

#ifndef CCENGINE_TEXT_TOKENIZER_H_
#define CCENGINE_TEXT_TOKENIZER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ccengine::text {

// Longest input accepted (bytes): 1 MiB. Longer is InvalidArgument.
inline constexpr size_t kMaxTextBytes = size_t{1} << 20;

// Longest word the English stemmer touches (bytes). No English word is longer;
// a longer run of letters (a code, a hash, noise) is kept as it is, which also
// bounds the stemmer's work per word.
inline constexpr size_t kMaxStemmedWordBytes = 64;

enum class TokenizeMode {
  kIndex,  // documents: CJK unigrams and bigrams
  kQuery,  // queries: CJK bigrams, or the unigram of a one-character run
};

enum class TokenKind : uint8_t {
  kWord,        // letters (and digits), folded and stemmed
  kNumber,      // digits only
  kCjkUnigram,  // one CJK character
  kCjkBigram,   // two adjacent CJK characters
};

// "word", "number", "cjk_unigram", "cjk_bigram".
std::string_view TokenKindName(TokenKind kind);

// What the sink of `ForEachToken` receives. `term` points into the original text
// (CJK) or into the tokenizer's scratch buffer (words, numbers): it is valid
// only during the call.
struct TokenView {
  std::string_view term;
  uint32_t start = 0;     // byte offset of the first byte in the original text
  uint32_t end = 0;       // one past the last byte
  uint32_t position = 0;  // see "Positions" above
  TokenKind kind = TokenKind::kWord;
  bool colocated = false;  // same position as the token just before it
};

// An owning token (what `Tokenize` returns).
struct Token {
  std::string term;
  uint32_t start = 0;
  uint32_t end = 0;
  uint32_t position = 0;
  TokenKind kind = TokenKind::kWord;
  bool colocated = false;

  friend bool operator==(const Token&, const Token&) = default;
};

struct TokenizerOptions {
  // Apply `StemEnglish` to pure-letter words.
  bool stem_english = true;
};

// OK, or InvalidArgument "invalid UTF-8 at byte offset N: <why>" for the first
// bad sequence. Does not check the length limit.
absl::Status ValidateUtf8(std::string_view text);

// The light English stemmer, for a lowercase ASCII word. Words of 3 letters or
// fewer, or longer than `kMaxStemmedWordBytes`, are returned as they are;
// otherwise the first rule that applies, and only if what remains has at least
// 3 letters (the -ly rule: 4) and, for -ing and -ed, a vowel (a e i o u y):
//   -ies -> -y     policies policy, cities city
//   -ied -> -y     applied apply
//   -es  -> ""     after x, ch, sh, ss: taxes tax, churches church, classes
//                  class (after one s it is the -s rule: buses buse, houses
//                  house, so house and houses agree)
//   -s   -> ""     not after s, u, i: cats cat, fees fee (class, status, analysis
//                  stay; bus has 3 letters and stays)
//   -ing -> ""     parking park; a doubled final consonant other than l, s, z is
//                  undoubled if 3 letters remain (running run, but adding add);
//                  a short consonant-vowel-consonant stem gets its e back
//                  (making make)
//   -ed  -> ""     as -ing (booked book, stopped stop, hoped hope, needed
//                  need); not after e (agreed, speed stay)
//   -ly  -> ""     not after a vowel or a doubled letter (quickly quick,
//                  monthly month; family, supply, early stay)
// The rules are applied again until none applies ("bookings" is "book"), so a
// stem stems to itself and a term handed back to the tokenizer gives the same
// term. It is deliberately small: index and query are stemmed alike, so a crude
// stem only has to be consistent, never a dictionary word.
std::string StemEnglish(std::string_view word);

class Tokenizer {
 public:
  using Sink = absl::FunctionRef<absl::Status(const TokenView&)>;

  explicit Tokenizer(TokenizerOptions options = {}) : options_(options) {}

  // Calls `sink` for every token of `text`, in order. The first non-OK status a
  // sink returns stops the walk and is returned. Errors: InvalidArgument for
  // invalid UTF-8 or more than `kMaxTextBytes` bytes (the sink is not called).
  // Allocates only when a word is longer than any before it in this call.
  absl::Status ForEachToken(std::string_view text, TokenizeMode mode, Sink sink) const;

  // The tokens of `text` as a vector; errors as `ForEachToken`.
  absl::StatusOr<std::vector<Token>> Tokenize(std::string_view text,
                                              TokenizeMode mode) const;

  // Only the terms, in order.
  absl::StatusOr<std::vector<std::string>> Terms(std::string_view text,
                                                 TokenizeMode mode) const;

  const TokenizerOptions& options() const { return options_; }

 private:
  TokenizerOptions options_;
};

}  // namespace ccengine::text

#endif  // CCENGINE_TEXT_TOKENIZER_H_
