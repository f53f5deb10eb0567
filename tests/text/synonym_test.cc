#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ccengine/text/synonyms.h"
#include "ccengine/text/tokenizer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ccengine::text {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Alternatives = std::vector<std::vector<std::string>>;

constexpr std::string_view kTable =
    "# 12345 hotline synonyms\n"
    "个税 = 个人所得税\n"
    "医保, 医疗保险   # health insurance\n"
    "\n"
    "VAT, 增值税, value added tax\r\n"
    "  落户，户口迁入  \n";

SynonymTable Table() {
  absl::StatusOr<SynonymTable> table = SynonymTable::Parse(kTable);
  EXPECT_TRUE(table.ok()) << table.status();
  return table.ok() ? *std::move(table) : SynonymTable();
}

std::vector<Alternatives> Expand(const SynonymTable& table, std::string_view query) {
  absl::StatusOr<std::vector<QueryTermGroup>> groups = table.Expand(query);
  EXPECT_TRUE(groups.ok()) << groups.status();
  std::vector<Alternatives> out;
  if (groups.ok()) {
    for (const QueryTermGroup& g : *groups) out.push_back(g.alternatives);
  }
  return out;
}

TEST(SynonymTableTest, ParsesGroups) {
  const SynonymTable table = Table();
  ASSERT_EQ(table.group_count(), 4u);
  EXPECT_THAT(table.group_terms(0), ElementsAre("个税", "个人所得税"));
  EXPECT_THAT(table.group_terms(2), ElementsAre("VAT", "增值税", "value added tax"));
  EXPECT_THAT(table.group_terms(3), ElementsAre("落户", "户口迁入"));
}

TEST(SynonymTableTest, ExpandsAChineseQuery) {
  const SynonymTable table = Table();
  EXPECT_THAT(Expand(table, "个税怎么交"),
              ElementsAre(Alternatives{{"个税"}, {"个人", "人所", "所得", "得税"}},
                          Alternatives{{"怎么"}}, Alternatives{{"么交"}}));
  // The other direction, and no bigram straddles the match.
  EXPECT_THAT(Expand(table, "医疗保险报销"),
              ElementsAre(Alternatives{{"医保"}, {"医疗", "疗保", "保险"}},
                          Alternatives{{"报销"}}));
  EXPECT_THAT(Expand(table, "医保卡"),
              ElementsAre(Alternatives{{"医保"}, {"医疗", "疗保", "保险"}},
                          Alternatives{{"卡"}}));
}

TEST(SynonymTableTest, ExpandsMixedAndMultiWordTerms) {
  const SynonymTable table = Table();
  const Alternatives vat{{"vat"}, {"增值", "值税"}, {"value", "add", "tax"}};
  EXPECT_THAT(Expand(table, "VAT发票"), ElementsAre(vat, Alternatives{{"发票"}}));
  EXPECT_THAT(Expand(table, "ＶＡＴ"), ElementsAre(vat));
  EXPECT_THAT(Expand(table, "Value-Added Taxes refund"),
              ElementsAre(vat, Alternatives{{"refund"}}));
  EXPECT_THAT(Expand(table, "增值税专用发票"),
              ElementsAre(vat, Alternatives{{"专用"}}, Alternatives{{"用发"}},
                          Alternatives{{"发票"}}));
}

TEST(SynonymTableTest, OffsetsAndGroupIndex) {
  const SynonymTable table = Table();
  const std::string query = "我的医保";
  absl::StatusOr<std::vector<QueryTermGroup>> groups = table.Expand(query);
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0].synonym_group, -1);
  EXPECT_EQ(query.substr((*groups)[0].start, (*groups)[0].end - (*groups)[0].start),
            "我的");
  EXPECT_EQ((*groups)[1].synonym_group, 1);
  EXPECT_EQ(query.substr((*groups)[1].start, (*groups)[1].end - (*groups)[1].start),
            "医保");
}

TEST(SynonymTableTest, WithoutSynonymsExpandIsTheQueryTokens) {
  const SynonymTable empty;
  const Tokenizer tokenizer;
  for (std::string_view q : {"VAT发票怎么开", "噪音扰民", "噪", "a b 3", "", "！！"}) {
    absl::StatusOr<std::vector<std::string>> terms =
        tokenizer.Terms(q, TokenizeMode::kQuery);
    ASSERT_TRUE(terms.ok());
    std::vector<Alternatives> expected;
    for (const std::string& t : *terms) expected.push_back(Alternatives{{t}});
    EXPECT_EQ(Expand(empty, q), expected) << q;
  }
}

TEST(SynonymTableTest, LongestMatchWins) {
  absl::StatusOr<SynonymTable> table =
      SynonymTable::Create({{"社保", "社会保险"}, {"社保卡", "社会保障卡"}});
  ASSERT_TRUE(table.ok()) << table.status();
  absl::StatusOr<std::vector<QueryTermGroup>> groups = table->Expand("社保卡丢了");
  ASSERT_TRUE(groups.ok());
  ASSERT_GE(groups->size(), 1u);
  EXPECT_EQ((*groups)[0].synonym_group, 1);
}

// The tokenizer forms no bigram across a break in a CJK run, nor does a
// synonym match across one; Latin words match across spaces.
TEST(SynonymTableTest, NoMatchAcrossABreakInACjkRun) {
  absl::StatusOr<SynonymTable> table =
      SynonymTable::Create({{"社保", "社会保险"}, {"社保卡", "社会保障卡"}});
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_THAT(Expand(*table, "社。保"),
              ElementsAre(Alternatives{{"社"}}, Alternatives{{"保"}}));
  EXPECT_THAT(Expand(*table, "社 保卡"),
              ElementsAre(Alternatives{{"社"}}, Alternatives{{"保卡"}}));
  absl::StatusOr<std::vector<QueryTermGroup>> groups = table->Expand("社保 卡");
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0].synonym_group, 0) << "社保, then the lone 卡";
  EXPECT_EQ((*groups)[1].synonym_group, -1);
  // A term written with a break matches only text with a break there.
  absl::StatusOr<SynonymTable> spaced = SynonymTable::Create({{"社 保", "社会 保险"}});
  ASSERT_TRUE(spaced.ok()) << spaced.status();
  ASSERT_TRUE(spaced->Expand("社，保").ok());
  EXPECT_EQ((*spaced->Expand("社，保"))[0].synonym_group, 0);
  EXPECT_EQ((*spaced->Expand("社保"))[0].synonym_group, -1);
  const Alternatives vat{{"vat"}, {"增值", "值税"}, {"value", "add", "tax"}};
  EXPECT_THAT(Expand(Table(), "VAT 发票"), ElementsAre(vat, Alternatives{{"发票"}}));
}

TEST(SynonymTableTest, InvalidQuery) {
  EXPECT_EQ(Table().Expand("ab\xFF").status().code(), absl::StatusCode::kInvalidArgument);
}

void ExpectParseError(std::string_view text, std::string_view what) {
  absl::StatusOr<SynonymTable> table = SynonymTable::Parse(text);
  ASSERT_FALSE(table.ok()) << text;
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(table.status().message()), HasSubstr(std::string(what)))
      << text;
}

TEST(SynonymTableTest, BadLinesNameTheLine) {
  ExpectParseError("a, b\n个税\n", "synonyms line 2: a group needs at least two");
  ExpectParseError("a, b\nc,,d\n", "synonyms line 2: term 2 is empty");
  ExpectParseError("a, !!!\n", "line 1: term 2 (\"!!!\") has no word");
  ExpectParseError("# c\nx = \xC0\xAF\n",
                   "synonyms line 2: invalid UTF-8 at byte offset 4");
  ExpectParseError("个税, 个人所得税\n个税 = tax\n",
                   "line 2: term 1 (\"个税\") is already in group 1");
  ExpectParseError("VAT, vat\n", "line 1: a group needs at least two distinct terms");
  ExpectParseError("a, " + std::string(kMaxSynonymTermBytes + 1, 'x') + "\n",
                   "line 1: term 2 is 257 bytes");
  ExpectParseError("a, b c d e f g h i j k l m n o p q r\n",
                   "line 1: term 2 has 17 words");
  std::string many = "a0";
  for (size_t i = 1; i <= kMaxSynonymTermsPerGroup; ++i) many += ",a" + std::to_string(i);
  ExpectParseError(many, "line 1: 33 terms");
  ExpectParseError(std::string(kMaxSynonymTextBytes + 1, '#'), "synonyms: ");
}

TEST(SynonymTableTest, AcceptsBomCommentsAndSameTermTwice) {
  absl::StatusOr<SynonymTable> table =
      SynonymTable::Parse("\xEF\xBB\xBF# only a comment\n\n  \nVAT = vat = 增值税\n");
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->group_count(), 1u);
  EXPECT_THAT(table->group_terms(0), ElementsAre("VAT", "增值税"));
  absl::StatusOr<SynonymTable> create = SynonymTable::Create({{"a", ""}});
  EXPECT_THAT(std::string(create.status().message()),
              HasSubstr("synonyms group 1: term 2"));
}

}  // namespace
}  // namespace ccengine::text
