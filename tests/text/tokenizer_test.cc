#include "ccengine/text/tokenizer.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ccengine::text {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

const Tokenizer kTokenizer;

std::vector<std::string> Terms(std::string_view text, TokenizeMode mode) {
  absl::StatusOr<std::vector<std::string>> terms = kTokenizer.Terms(text, mode);
  EXPECT_TRUE(terms.ok()) << terms.status();
  return terms.ok() ? *terms : std::vector<std::string>{};
}

std::vector<std::string> Index(std::string_view text) {
  return Terms(text, TokenizeMode::kIndex);
}
std::vector<std::string> Query(std::string_view text) {
  return Terms(text, TokenizeMode::kQuery);
}

std::vector<Token> Tokens(std::string_view text, TokenizeMode mode) {
  absl::StatusOr<std::vector<Token>> tokens = kTokenizer.Tokenize(text, mode);
  EXPECT_TRUE(tokens.ok()) << tokens.status();
  return tokens.ok() ? *tokens : std::vector<Token>{};
}

// --- CJK -------------------------------------------------------------------------

TEST(TokenizerTest, IndexModeGivesUnigramsAndBigrams) {
  EXPECT_THAT(Index("噪音扰民"),
              ElementsAre("噪", "噪音", "音", "音扰", "扰", "扰民", "民"));
}

TEST(TokenizerTest, QueryModeGivesBigramsOrTheUnigram) {
  EXPECT_THAT(Query("噪音扰民"), ElementsAre("噪音", "音扰", "扰民"));
  EXPECT_THAT(Query("噪音"), ElementsAre("噪音"));
  EXPECT_THAT(Query("噪"), ElementsAre("噪"));
  EXPECT_THAT(Query("噪，音"), ElementsAre("噪", "音"));
}

TEST(TokenizerTest, QueryTermsOfASubstringAreIndexTermsOfTheText) {
  EXPECT_THAT(Index("噪音扰民"), IsSupersetOf(Query("噪音")));
  const std::string document = "我想咨询医保报销、个税退税、落户手续和小区停车的问题";
  const std::vector<std::string> index = Index(document);
  for (std::string_view query :
       {"医保", "个税", "落户", "停车", "医", "税", "医保报销"}) {
    EXPECT_THAT(index, IsSupersetOf(Query(query))) << query;
  }
  // And a query whose text is not in the document misses a term.
  const std::vector<std::string> query = Query("医疗保险");
  EXPECT_FALSE(std::all_of(query.begin(), query.end(), [&](const std::string& t) {
    return std::find(index.begin(), index.end(), t) != index.end();
  }));
}

TEST(TokenizerTest, KanaAndHangulAreCjkLike) {
  EXPECT_THAT(Query("ひらがな"), ElementsAre("ひら", "らが", "がな"));
  EXPECT_THAT(Query("한국어"), ElementsAre("한국", "국어"));
  EXPECT_THAT(Query("カタカナ・テスト"),
              ElementsAre("カタ", "タカ", "カナ", "テス", "スト"));
}

TEST(TokenizerTest, MixedChineseAndEnglish) {
  EXPECT_THAT(Query("VAT发票怎么开"), ElementsAre("vat", "发票", "票怎", "怎么", "么开"));
  EXPECT_THAT(Index("VAT发票"), ElementsAre("vat", "发", "发票", "票"));
  EXPECT_THAT(Query("2024年12月"), ElementsAre("2024", "年", "12", "月"));
  EXPECT_THAT(Query("covid19疫苗"), ElementsAre("covid19", "疫苗"));
}

TEST(TokenizerTest, PositionsAndColocation) {
  const std::vector<Token> index = Tokens("ab 医保卡", TokenizeMode::kIndex);
  ASSERT_EQ(index.size(), 6u);
  const uint32_t positions[] = {0, 1, 1, 2, 2, 3};
  const bool colocated[] = {false, false, true, false, true, false};
  for (size_t i = 0; i < index.size(); ++i) {
    EXPECT_EQ(index[i].position, positions[i]) << index[i].term;
    EXPECT_EQ(index[i].colocated, colocated[i]) << index[i].term;
  }
  EXPECT_EQ(index[2].kind, TokenKind::kCjkBigram);
  const std::vector<Token> query = Tokens("ab 医保卡", TokenizeMode::kQuery);
  ASSERT_EQ(query.size(), 3u);
  EXPECT_EQ(query[1].term, "医保");
  EXPECT_EQ(query[1].position, 1u);
  EXPECT_EQ(query[2].position, 2u);
  EXPECT_FALSE(query[2].colocated);
}

// --- normalization ------------------------------------------------------------

TEST(TokenizerTest, FullWidthAndCaseFolding) {
  EXPECT_THAT(Query("ＶＡＴ"), ElementsAre("vat"));
  EXPECT_EQ(Query("ＶＡＴ"), Query("vat"));
  EXPECT_EQ(Query("VaT"), Query("vat"));
  EXPECT_THAT(Query("１２３４５"), ElementsAre("12345"));
  EXPECT_THAT(Query("ｃｏｖｉｄ１９！"), ElementsAre("covid19"));
  EXPECT_THAT(Query("个税\u3000ＶＡＴ"), ElementsAre("个税", "vat"));
}

TEST(TokenizerTest, LatinDiacriticsFold) {
  EXPECT_THAT(Query("Café CAFÉ cafe"), ElementsAre("cafe", "cafe", "cafe"));
  EXPECT_THAT(Query("Lǚ Straße"), ElementsAre("lu", "strasse"));
  EXPECT_THAT(Query("cafe\u0301"), ElementsAre("cafe"));  // combining acute
  const std::vector<Token> t = Tokens("x cafe\u0301 y", TokenizeMode::kQuery);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[1].end, 8u);  // the mark belongs to the word
  EXPECT_THAT(Query("3×4"), ElementsAre("3", "4"));
}

TEST(TokenizerTest, PunctuationAndSymbolsSeparateAndAreDropped) {
  EXPECT_THAT(Query("hello, world! 你好。世界？😀 a-b"),
              ElementsAre("hello", "world", "你好", "世界", "a", "b"));
  EXPECT_THAT(Query("3.5"), ElementsAre("3", "5"));
  EXPECT_THAT(Query("!!! ，。 😀"), ElementsAre());
  EXPECT_THAT(Query(""), ElementsAre());
}

TEST(TokenizerTest, WordsAndNumbers) {
  const std::vector<Token> t = Tokens("Covid19 12345 abc", TokenizeMode::kQuery);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].kind, TokenKind::kWord);
  EXPECT_EQ(t[1].kind, TokenKind::kNumber);
  EXPECT_EQ(t[2].kind, TokenKind::kWord);
  EXPECT_EQ(TokenKindName(t[1].kind), "number");
}

// --- the stemmer --------------------------------------------------------------

TEST(StemmerTest, Table) {
  const struct {
    const char* word;
    const char* stem;
  } kCases[] = {
      {"cats", "cat"},       {"policies", "policy"}, {"parking", "park"},
      {"bus", "bus"},        {"buses", "buse"},      {"taxes", "tax"},
      {"boxes", "box"},      {"churches", "church"}, {"classes", "class"},
      {"class", "class"},    {"status", "status"},   {"analysis", "analysis"},
      {"fees", "fee"},       {"houses", "house"},    {"cities", "city"},
      {"applied", "apply"},  {"running", "run"},     {"making", "make"},
      {"calling", "call"},   {"visiting", "visit"},  {"booked", "book"},
      {"stopped", "stop"},   {"hoped", "hope"},      {"needed", "need"},
      {"agreed", "agreed"},  {"quickly", "quick"},   {"monthly", "month"},
      {"family", "family"},  {"supply", "supply"},   {"early", "early"},
      {"vat", "vat"},        {"its", "its"},         {"thing", "thing"},
      {"using", "using"},    {"ties", "tie"},        {"registered", "register"},
      {"refunds", "refund"}, {"bookings", "book"},   {"settings", "set"},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(StemEnglish(c.word), c.stem) << c.word;
    EXPECT_EQ(StemEnglish(c.stem), c.stem) << "a stem stems to itself: " << c.stem;
  }
}

// A store hands query terms back to the tokenizer (an FTS5 MATCH string of
// quoted terms): every term must give itself.
TEST(StemmerTest, TermsGiveThemselves) {
  const Tokenizer tokenizer;
  for (const char* text : {"bookings settings policies taxes running quickly",
                           "医保报销 VAT发票", "ＶＡＴ Café covid19s 12345"}) {
    absl::StatusOr<std::vector<std::string>> terms =
        tokenizer.Terms(text, TokenizeMode::kIndex);
    ASSERT_TRUE(terms.ok());
    for (const std::string& term : *terms) {
      absl::StatusOr<std::vector<std::string>> again =
          tokenizer.Terms(term, TokenizeMode::kQuery);
      ASSERT_TRUE(again.ok());
      EXPECT_THAT(*again, ElementsAre(term)) << text;
    }
  }
}

TEST(StemmerTest, AppliedToWordsNotToNumbersOrMixed) {
  EXPECT_THAT(Query("Parking Policies covid19s 1990s"),
              ElementsAre("park", "policy", "covid19s", "1990s"));
  const Tokenizer no_stem(TokenizerOptions{.stem_english = false});
  absl::StatusOr<std::vector<std::string>> terms =
      no_stem.Terms("Parking", TokenizeMode::kQuery);
  ASSERT_TRUE(terms.ok());
  EXPECT_THAT(*terms, ElementsAre("parking"));
}

// Porter's y alternates in a run of y's: "yyy" + "ing" keeps a vowel.
TEST(StemmerTest, RunsOfYAlternate) {
  EXPECT_EQ(StemEnglish("crying"), "cry");
  EXPECT_EQ(StemEnglish("yyying"), "yyy");
  EXPECT_EQ(StemEnglish(std::string(60, 'y') + "ing"), std::string(60, 'y'));
  EXPECT_EQ(StemEnglish("bbbing"), "bbbing") << "no vowel before -ing";
}

// Longer runs of letters are not English words: kept as they are, in bounded
// time and stack, however long (once a stack overflow on a run of y's).
TEST(StemmerTest, LongWordsAreNotStemmed) {
  const std::string one_over = "a" + std::string(kMaxStemmedWordBytes - 3, 'l') + "ing";
  EXPECT_EQ(StemEnglish(one_over), one_over);
  EXPECT_EQ(StemEnglish("ab" + std::string(kMaxStemmedWordBytes - 5, 'l') + "ing"),
            "ab" + std::string(kMaxStemmedWordBytes - 5, 'l'));
  const Tokenizer tokenizer;
  for (const char* suffix : {"ing", "ed", "ly", "ies"}) {
    const std::string word = std::string(kMaxTextBytes - 4, 'y') + suffix;
    absl::StatusOr<std::vector<std::string>> terms =
        tokenizer.Terms(word, TokenizeMode::kIndex);
    ASSERT_TRUE(terms.ok()) << terms.status();
    EXPECT_THAT(*terms, ElementsAre(word));
  }
  std::string repeated = "x";
  while (repeated.size() + 2 <= kMaxTextBytes) repeated += "ed";
  absl::StatusOr<std::vector<std::string>> terms =
      tokenizer.Terms(repeated, TokenizeMode::kQuery);
  ASSERT_TRUE(terms.ok()) << terms.status();
  EXPECT_THAT(*terms, ElementsAre(repeated));
}

// --- offsets ------------------------------------------------------------------

TEST(TokenizerTest, OffsetsSliceTheOriginalText) {
  const std::string text = "ＶＡＴ发票, Café 医保报销 covid19！12月";
  for (TokenizeMode mode : {TokenizeMode::kIndex, TokenizeMode::kQuery}) {
    for (const Token& t : Tokens(text, mode)) {
      const std::string slice = text.substr(t.start, t.end - t.start);
      if (t.kind == TokenKind::kCjkUnigram || t.kind == TokenKind::kCjkBigram) {
        EXPECT_EQ(slice, t.term);
      }
      // The slice alone gives the token back.
      EXPECT_THAT(Query(slice), ElementsAre(t.term)) << slice;
    }
  }
  const std::vector<Token> t = Tokens(text, TokenizeMode::kQuery);
  ASSERT_GE(t.size(), 2u);
  EXPECT_EQ(text.substr(t[0].start, t[0].end - t[0].start), "ＶＡＴ");
  EXPECT_EQ(t[0].term, "vat");
  EXPECT_EQ(text.substr(t[1].start, t[1].end - t[1].start), "发票");
}

// --- errors -------------------------------------------------------------------

void ExpectInvalidAt(std::string_view text, size_t offset) {
  for (TokenizeMode mode : {TokenizeMode::kIndex, TokenizeMode::kQuery}) {
    int calls = 0;
    absl::Status s = kTokenizer.ForEachToken(text, mode, [&](const TokenView&) {
      ++calls;
      return absl::OkStatus();
    });
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(std::string(s.message()),
                HasSubstr("at byte offset " + std::to_string(offset) + ":"));
    EXPECT_EQ(calls, 0) << "no partial result";
  }
}

TEST(TokenizerTest, InvalidUtf8IsRejectedWithTheOffset) {
  ExpectInvalidAt(
      "ab\x80"
      "cd",
      2);                                   // lone continuation byte
  ExpectInvalidAt("abc\xC0\xAF", 3);        // overlong '/'
  ExpectInvalidAt("医\xE0\x80\xAF", 3);     // overlong, 3 bytes
  ExpectInvalidAt("\xF0\x82\x82\xAC", 0);   // overlong, 4 bytes
  ExpectInvalidAt("x\xED\xA0\x80y", 1);     // surrogate U+D800
  ExpectInvalidAt("x\xF4\x90\x80\x80", 1);  // U+110000
  ExpectInvalidAt("\xF5\x80\x80\x80", 0);   // cannot start a sequence
  ExpectInvalidAt("医保\xE5\x8C", 6);       // truncated at the end
  ExpectInvalidAt("医\xE5\x8C保", 3);       // truncated by a new character
  ExpectInvalidAt("\xFF", 0);
  EXPECT_THAT(std::string(ValidateUtf8("ab\x80").message()),
              HasSubstr("unexpected continuation byte"));
  EXPECT_THAT(std::string(ValidateUtf8("x\xED\xA0\x80").message()),
              HasSubstr("surrogate"));
  EXPECT_THAT(std::string(ValidateUtf8("\xC1\xBF").message()), HasSubstr("overlong"));
  EXPECT_TRUE(ValidateUtf8("\xF4\x8F\xBF\xBF 医 \xED\x9F\xBF").ok());  // U+10FFFF, U+D7FF
}

TEST(TokenizerTest, LengthLimit) {
  const std::string at_limit(kMaxTextBytes, 'a');
  EXPECT_TRUE(kTokenizer.Tokenize(at_limit, TokenizeMode::kIndex).ok());
  const std::string over(kMaxTextBytes + 1, ' ');
  absl::StatusOr<std::vector<Token>> t = kTokenizer.Tokenize(over, TokenizeMode::kIndex);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(t.status().message()), HasSubstr("limit"));
}

TEST(TokenizerTest, SinkErrorStopsTheWalk) {
  int calls = 0;
  absl::Status s =
      kTokenizer.ForEachToken("a b c d", TokenizeMode::kQuery, [&](const TokenView&) {
        return ++calls == 2 ? absl::CancelledError("enough") : absl::OkStatus();
      });
  EXPECT_EQ(s.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(calls, 2);
}

// --- randomized ---------------------------------------------------------------

std::string RandomText(std::mt19937& rng) {
  static const char* const kPieces[] = {
      "a",  "Z",  "q",      "7",  "0",  " ",      ",",
      ".",  "-",  "'",      "\t", "\n", "ies",    "ing",
      "s",  "医", "保",     "报", "销", "个",     "税",
      "噪", "音", "ひ",     "カ", "한", "ＶＡ",   "Ｔ",
      "１", "！", "，",     "。", "、", "\u3000", "é",
      "ß",  "Ǚ",  "\u0301", "😀",  "×",  "々",     "\xF0\xA0\x80\x80"};  // U+20000
  std::uniform_int_distribution<size_t> piece(0, std::size(kPieces) - 1);
  std::uniform_int_distribution<int> length(0, 40);
  std::string text;
  for (int n = length(rng); n > 0; --n) text += kPieces[piece(rng)];
  return text;
}

TEST(TokenizerRandomTest, OffsetsAreConsistent) {
  std::mt19937 rng(20241204);
  for (int iteration = 0; iteration < 3000; ++iteration) {
    const std::string text = RandomText(rng);
    for (TokenizeMode mode : {TokenizeMode::kIndex, TokenizeMode::kQuery}) {
      const std::vector<Token> tokens = Tokens(text, mode);
      uint32_t word_end = 0, unigram_end = 0, bigram_start = 0;
      uint32_t last_position = 0;
      bool first = true;
      for (const Token& t : tokens) {
        ASSERT_LT(t.start, t.end) << text;
        ASSERT_LE(t.end, text.size()) << text;
        ASSERT_FALSE(t.term.empty());
        if (!first) {
          ASSERT_GE(t.position, last_position) << text;
          ASSERT_EQ(t.colocated, t.position == last_position) << text;
        }
        first = false;
        last_position = t.position;
        switch (t.kind) {
          case TokenKind::kWord:
          case TokenKind::kNumber:
            ASSERT_GE(t.start, std::max(word_end, unigram_end)) << text;
            word_end = t.end;
            break;
          case TokenKind::kCjkUnigram:
            ASSERT_GE(t.start, std::max(word_end, unigram_end)) << text;
            unigram_end = t.end;
            break;
          case TokenKind::kCjkBigram:
            ASSERT_TRUE(bigram_start == 0 || t.start > bigram_start) << text;
            bigram_start = t.start;
            break;
        }
        // The slice alone, in query mode, gives exactly this token back.
        const std::string slice = text.substr(t.start, t.end - t.start);
        const std::vector<Token> again = Tokens(slice, TokenizeMode::kQuery);
        ASSERT_EQ(again.size(), 1u) << text << " | " << slice;
        EXPECT_EQ(again[0].term, t.term);
        EXPECT_EQ(again[0].kind, t.kind);
        EXPECT_EQ(again[0].start, 0u);
        EXPECT_EQ(again[0].end, slice.size());
      }
    }
  }
}

}  // namespace
}  // namespace ccengine::text
