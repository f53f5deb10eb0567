// libFuzzer target: the tokenizer in both modes and a synonym expansion, with
// the invariants of tokenizer.h checked on every input (tools/fuzz.sh tokenizer).
//
//   - a rejected input is InvalidArgument, is invalid UTF-8 or too long, and the
//     sink saw no token;
//   - every token lies inside the text, is non-empty, positions never decrease,
//     `colocated` is exactly "same position as the token before";
//   - words, numbers and unigrams do not overlap; bigrams start strictly later
//     than the bigram before; a CJK term is its slice of the text;
//   - the slice of a token, tokenized alone in query mode, is that token, and so
//     is its term (a store may hand terms back to the tokenizer);
//   - every query term of the text is one of its index terms;
//   - an expansion's groups lie inside the query, starts increasing, and have non-empty
//     alternatives of non-empty terms.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "ccengine/text/synonyms.h"
#include "ccengine/text/tokenizer.h"
#include "fuzz_check.h"

namespace {

using ccengine::text::QueryTermGroup;
using ccengine::text::SynonymTable;
using ccengine::text::Token;
using ccengine::text::TokenizeMode;
using ccengine::text::Tokenizer;
using ccengine::text::TokenKind;
using ccengine::text::TokenView;

const SynonymTable& Table() {
  static const SynonymTable* table = [] {
    auto t = SynonymTable::Parse(
        "个税 = 个人所得税\n医保, 医疗保险\nVAT, 增值税, value added tax\n"
        "社保, 社会保险\n社保卡 = 社会保障卡\nab, a b c\n");
    FUZZ_CHECK(t.ok(), "the fuzz synonym table parses");
    return new SynonymTable(*std::move(t));
  }();
  return *table;
}

std::vector<Token> CheckMode(const Tokenizer& tokenizer, std::string_view text,
                             TokenizeMode mode, bool valid) {
  std::vector<Token> tokens;
  const absl::Status status = tokenizer.ForEachToken(text, mode, [&](const TokenView& t) {
    tokens.push_back(
        Token{std::string(t.term), t.start, t.end, t.position, t.kind, t.colocated});
    return absl::OkStatus();
  });
  if (!valid) {
    FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument,
               "bad input is InvalidArgument");
    FUZZ_CHECK(tokens.empty(), "no partial result");
    return tokens;
  }
  FUZZ_CHECK(status.ok(), "valid input is accepted");
  uint32_t covered = 0;  // end of the last word, number or unigram
  bool have_bigram = false;
  uint32_t bigram_start = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    FUZZ_CHECK(t.start < t.end && t.end <= text.size(), "token inside the text");
    FUZZ_CHECK(!t.term.empty(), "non-empty term");
    if (i > 0) {
      FUZZ_CHECK(t.position >= tokens[i - 1].position, "positions never decrease");
      FUZZ_CHECK(t.colocated == (t.position == tokens[i - 1].position),
                 "colocated means same position");
    } else {
      FUZZ_CHECK(!t.colocated, "the first token is not colocated");
    }
    const std::string_view slice = text.substr(t.start, t.end - t.start);
    if (t.kind == TokenKind::kCjkBigram) {
      FUZZ_CHECK(!have_bigram || t.start > bigram_start, "bigrams move forward");
      FUZZ_CHECK(mode == TokenizeMode::kQuery || t.colocated, "index bigram colocated");
      have_bigram = true;
      bigram_start = t.start;
    } else {
      FUZZ_CHECK(t.start >= covered, "words and unigrams do not overlap");
      covered = t.end;
    }
    if (t.kind == TokenKind::kCjkBigram || t.kind == TokenKind::kCjkUnigram) {
      FUZZ_CHECK(slice == t.term, "a CJK term is its slice");
    }
    auto again = tokenizer.Tokenize(slice, TokenizeMode::kQuery);
    FUZZ_CHECK(again.ok() && again->size() == 1, "a slice gives one token");
    const Token& a = again->front();
    FUZZ_CHECK(a.term == t.term && a.kind == t.kind, "a slice gives the same token");
    FUZZ_CHECK(a.start == 0 && a.end == slice.size(), "a slice's token spans it");
    auto term_again = tokenizer.Terms(t.term, TokenizeMode::kQuery);
    FUZZ_CHECK(term_again.ok() && term_again->size() == 1 &&
                   term_again->front() == t.term,
               "a term gives itself");
  }
  return tokens;
}

// Well-formed UTF-8 decided independently of the decoder under test, by
// Unicode's definition: each sequence decodes by the plain bit rules to a
// scalar value (not a surrogate, at most U+10FFFF) whose shortest encoding is
// that very sequence (no overlongs).
bool ReferenceValid(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    size_t n = b0 < 0x80           ? 1
               : (b0 >> 5) == 0x6  ? 2
               : (b0 >> 4) == 0xE  ? 3
               : (b0 >> 3) == 0x1E ? 4
                                   : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? b0 : n == 2 ? (b0 & 0x1F) : n == 3 ? (b0 & 0x0F) : (b0 & 0x07);
    for (size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b >> 6) != 0x2) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    const size_t shortest = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (shortest != n || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool valid =
      size <= ccengine::text::kMaxTextBytes && ccengine::text::ValidateUtf8(text).ok();
  FUZZ_CHECK(valid == (size <= ccengine::text::kMaxTextBytes && ReferenceValid(text)),
             "the decoder accepts exactly the well-formed UTF-8");
  const Tokenizer tokenizer;
  const std::vector<Token> index =
      CheckMode(tokenizer, text, TokenizeMode::kIndex, valid);
  const std::vector<Token> query =
      CheckMode(tokenizer, text, TokenizeMode::kQuery, valid);
  absl::flat_hash_set<std::string> index_terms;
  for (const Token& t : index) index_terms.insert(t.term);
  for (const Token& t : query) {
    FUZZ_CHECK(index_terms.contains(t.term), "query terms are index terms");
  }

  auto groups = Table().Expand(text);
  FUZZ_CHECK(groups.ok() == valid, "Expand accepts what the tokenizer accepts");
  if (!groups.ok()) return 0;
  bool first = true;
  uint32_t last_start = 0;
  for (const QueryTermGroup& g : *groups) {
    FUZZ_CHECK(g.start < g.end && g.end <= size && (first || g.start > last_start),
               "groups inside the query, starts increasing");
    first = false;
    last_start = g.start;
    FUZZ_CHECK(!g.alternatives.empty(), "a group has alternatives");
    for (const auto& alternative : g.alternatives) {
      FUZZ_CHECK(!alternative.empty(), "an alternative has terms");
      for (const std::string& term : alternative) FUZZ_CHECK(!term.empty(), "term");
    }
    if (g.synonym_group < 0) {
      FUZZ_CHECK(g.alternatives.size() == 1 && g.alternatives[0].size() == 1,
                 "a plain group is one term");
    }
  }
  return 0;
}
