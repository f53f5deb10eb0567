// The strict JSON parser of configuration documents (ccengine/config/document.h):
// values and their places, and each error with its exact message.

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "ccengine/config/document.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ccengine::config {
namespace {

using ::testing::HasSubstr;

TEST(JsonTest, ReadsEveryKindWithItsPlace) {
  const std::string text =
      "{\n"
      "  \"name\": \"政策\",\n"
      "  \"list\": [1, -2.5e1, true, false, null],\n"
      "  \"nested\": {\"a\": {}}\n"
      "}";
  absl::StatusOr<Node> doc = ParseJson(text);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->kind, Node::Kind::kObject);
  ASSERT_EQ(doc->members.size(), 3u);
  EXPECT_EQ(doc->members[0].key, "name");
  const Node* name = doc->Find("name");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->text, "政策");
  EXPECT_EQ(name->place.line, 2u);
  EXPECT_EQ(name->place.column, 11u);
  const Node* list = doc->Find("list");
  ASSERT_EQ(list->items.size(), 5u);
  EXPECT_EQ(list->items[0].number, 1);
  EXPECT_EQ(list->items[1].number, -25);
  EXPECT_TRUE(list->items[2].boolean);
  EXPECT_EQ(list->items[3].kind, Node::Kind::kBool);
  EXPECT_FALSE(list->items[3].boolean);
  EXPECT_EQ(list->items[4].kind, Node::Kind::kNull);
  EXPECT_EQ(list->items[4].place.line, 3u);
  EXPECT_EQ(list->items[4].place.column, 36u);
  EXPECT_EQ(doc->Find("nested")->Find("a")->kind, Node::Kind::kObject);
  EXPECT_EQ(doc->Find("missing"), nullptr);
  EXPECT_EQ(list->Find("x"), nullptr);  // not an object
}

TEST(JsonTest, ColumnsCountCodePoints) {
  // "紧急" is 6 bytes and 2 code points: the value after it starts at column 10.
  absl::StatusOr<Node> doc = ParseJson("[\"紧急\", 1]");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->items[1].place.column, 8u);
  EXPECT_EQ(doc->items[1].place.offset, 11u);
}

TEST(JsonTest, DecodesEscapes) {
  absl::StatusOr<Node> doc =
      ParseJson(R"(["a\"b\\c\/d\b\f\n\r\t", "\u7d27\u6025", "\ud83d\ude00", "\u00e9"])");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->items[0].text, "a\"b\\c/d\b\f\n\r\t");
  EXPECT_EQ(doc->items[1].text, "紧急");
  EXPECT_EQ(doc->items[2].text, "\xF0\x9F\x98\x80");
  EXPECT_EQ(doc->items[3].text, "\xC3\xA9");
}

TEST(JsonTest, NumbersFollowTheGrammar) {
  absl::StatusOr<Node> doc = ParseJson("[0, -0, 0.5, 1e3, 1E-2, 123456789012, 1e-400]");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->items[3].number, 1000);
  EXPECT_EQ(doc->items[4].number, 0.01);
  EXPECT_EQ(doc->items[5].number, 123456789012.0);
  EXPECT_EQ(doc->items[6].number, 0);  // underflows to zero
}

// Every error: its exact message (the place is 1-based line:column and the
// byte offset).
TEST(JsonTest, EachErrorHasItsMessage) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "expected a value at 1:1 (byte 0), found end of input"},
      {"   ", "expected a value at 1:4 (byte 3), found end of input"},
      {"{", "expected a key in double quotes at 1:2 (byte 1), found end of input"},
      {"{\"a\" 1}", "expected ':' after a key at 1:6 (byte 5), found '1'"},
      {"{\"a\": 1 \"b\": 2}", "expected ',' or '}' at 1:9 (byte 8), found '\"'"},
      {"[1 2]", "expected ',' or ']' at 1:4 (byte 3), found '2'"},
      {"[1,]", "expected a value after ',' at 1:4 (byte 3) (no trailing commas in JSON)"},
      {"{\"a\": 1,}",
       "expected a key after ',' at 1:9 (byte 8) (no trailing commas in JSON)"},
      {"{a: 1}", "expected a key in double quotes at 1:2 (byte 1), found 'a'"},
      {"{'a': 1}", "expected a key in double quotes at 1:2 (byte 1), found '''"},
      {"[tru]", "expected a value at 1:2 (byte 1), found 't'"},
      {"[trueish]",
       "expected a value at 1:2 (byte 1), found a word that is not true, false or null"},
      {"[NaN]", "expected a value at 1:2 (byte 1), found 'N'"},
      {"[01]", "a number may not start with 0 followed by digits at 1:2 (byte 1)"},
      {"[1.]", "expected a digit after '.' at 1:4 (byte 3), found ']'"},
      {"[-]", "expected a digit at 1:3 (byte 2), found ']'"},
      {"[1e]", "expected a digit in the exponent at 1:4 (byte 3), found ']'"},
      {"[1e999]", "number out of range at 1:2 (byte 1)"},
      {"[\"abc", "unterminated string at 1:2 (byte 1)"},
      {"[\"a\nb\"]",
       "control character in a string at 1:4 (byte 3) (write it as an escape such as "
       "\\n)"},
      {"[\"\\x\"]", "unknown escape after '\\' at 1:3 (byte 2), found 'x'"},
      {"[\"\\u12\"]", "expected 4 hex digits after \\u at 1:7 (byte 6)"},
      {"[\"\\ud800\"]",
       "a high surrogate escape without its low surrogate at 1:3 (byte 2)"},
      {"[\"\\udc00\"]",
       "a low surrogate escape without its high surrogate at 1:3 (byte 2)"},
      {"[\"\xff\"]", "invalid UTF-8 at 1:3 (byte 2), found byte 0xff"},
      {"[\"\xc0\xaf\"]", "invalid UTF-8 at 1:3 (byte 2), found byte 0xc0"},
      {"[\"\xed\xa0\x80\"]", "invalid UTF-8 at 1:3 (byte 2), found byte 0xed"},
      {"{\"a\": 1, \"a\": 2}", "duplicate key \"a\" at 1:10 (byte 9)"},
      // A key that would break the line, or make it long, is named by its place.
      {"{\"a\\nb\": 1, \"a\\nb\": 2}", "duplicate key at 1:13 (byte 12)"},
      {"{\"" + std::string(65, 'k') + "\": 1, \"" + std::string(65, 'k') + "\": 2}",
       "duplicate key at 1:74 (byte 73)"},
      {"[1] [2]", "expected end of input at 1:5 (byte 4), found '['"},
      {"// c\n[]", "expected a value at 1:1 (byte 0), found '/'"},
      {"[\x01]", "expected a value at 1:2 (byte 1), found control character 0x01"},
      {"\n\n  [1,\n  x]", "expected a value at 4:3 (byte 10), found 'x'"},
  };
  for (const auto& [text, message] : cases) {
    Diagnostic error;
    absl::StatusOr<Node> doc = ParseJson(text, &error);
    ASSERT_FALSE(doc.ok()) << text;
    EXPECT_EQ(doc.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(doc.status().message(), message) << text;
    EXPECT_EQ(error.message, message);
  }
}

TEST(JsonTest, DuplicateKeysAreFoundInLargeObjects) {
  std::string text = "{";
  for (int i = 0; i < 40; ++i) text += "\"k" + std::to_string(i) + "\": 1, ";
  absl::StatusOr<Node> ok = ParseJson(text + "\"last\": 1}");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->members.size(), 41u);
  for (int repeat : {0, 6, 7, 8, 39}) {
    absl::StatusOr<Node> doc =
        ParseJson(text + "\"k" + std::to_string(repeat) + "\": 2}");
    ASSERT_FALSE(doc.ok()) << repeat;
    EXPECT_THAT(doc.status().message(),
                HasSubstr("duplicate key \"k" + std::to_string(repeat) + "\""));
  }
}

TEST(JsonTest, DuplicateKeyMessageQuotesOnlyOneShortLine) {
  EXPECT_EQ(DuplicateKeyMessage("queues", '"'), "duplicate key \"queues\"");
  EXPECT_EQ(DuplicateKeyMessage("queues", '\''), "duplicate key 'queues'");
  EXPECT_EQ(DuplicateKeyMessage("", '"'), "duplicate key \"\"");
  EXPECT_EQ(DuplicateKeyMessage(std::string(64, 'k'), '"'),
            "duplicate key \"" + std::string(64, 'k') + "\"");
  EXPECT_EQ(DuplicateKeyMessage(std::string(65, 'k'), '"'), "duplicate key");
  for (const char* key : {"a\nb", "a\rb", "tab\t", "del\x7f"}) {
    EXPECT_EQ(DuplicateKeyMessage(key, '"'), "duplicate key") << key;
  }
  EXPECT_EQ(DuplicateKeyMessage("政策", '"'), "duplicate key \"政策\"");
}

TEST(JsonTest, LimitsAreClearErrors) {
  const std::string deep =
      std::string(kMaxDocumentDepth, '[') + std::string(kMaxDocumentDepth, ']');
  EXPECT_TRUE(ParseJson(deep).ok());
  const std::string deeper = "[" + deep + "]";
  EXPECT_EQ(ParseJson(deeper).status().message(),
            "nested deeper than 64 levels at 1:65 (byte 64)");
  // A million-deep text fails at the limit without recursing further.
  EXPECT_FALSE(ParseJson(std::string(1'000'000, '[')).ok());

  std::string many = "[";
  for (size_t i = 0; i < kMaxDocumentNodes; ++i) many += "0,";
  many += "0]";
  absl::StatusOr<Node> doc = ParseJson(many);
  ASSERT_FALSE(doc.ok());
  EXPECT_THAT(doc.status().message(), HasSubstr("more than 1048576 values"));

  Diagnostic error;
  absl::StatusOr<Node> big = ParseJson("[1, 2, 3]", &error, 5);
  EXPECT_EQ(big.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(big.status().message(), "the document is 9 bytes, more than the limit of 5");
  EXPECT_EQ(error.message, big.status().message());
}

}  // namespace
}  // namespace ccengine::config
