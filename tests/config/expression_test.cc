// Tests of the filter expression language (ccengine/config/expression.h):
// each operator, precedence, unset values, keywords, the limits and the
// catalogue of error messages.

#include "ccengine/config/expression.h"

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "absl/status/status.h"

namespace ccengine::config {
namespace {

class ExpressionTest : public ::testing::Test {
 protected:
  ExpressionTest() {
    channel_ = *schema_.Add("contact.channel", ValueType::kString);
    tier_ = *schema_.Add("customer.tier", ValueType::kString);
    vip_ = *schema_.Add("customer.vip", ValueType::kBool);
    tags_ = *schema_.Add("customer.tags", ValueType::kStringList);
    choice_ = *schema_.Add("ivr.choice", ValueType::kString);
    text_ = *schema_.Add("contact.text", ValueType::kString);
    hour_ = *schema_.Add("time.hour", ValueType::kNumber);
    priority_ = *schema_.Add("contact.priority", ValueType::kNumber);
  }

  // Compiles `text` (it must compile) and evaluates it against `values_`.
  bool Eval(const std::string& text) {
    absl::StatusOr<Expression> e = Compile(text, schema_);
    EXPECT_TRUE(e.ok()) << text << ": " << e.status();
    return e.ok() && e->Evaluate(values_);
  }

  struct Case {
    std::string text;
    bool expected;
  };
  // Each text compiles and evaluates to its expected result against values_.
  void ExpectResults(const std::vector<Case>& cases) {
    for (const Case& c : cases) EXPECT_EQ(Eval(c.text), c.expected) << c.text;
  }

  // Each (text, expected) pair: the text's DebugString, or its error message.
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  void ExpectCanonical(const Pairs& pairs) {
    for (const auto& [text, expected] : pairs) EXPECT_EQ(Canonical(text), expected);
  }
  void ExpectErrors(const Pairs& pairs) {
    for (const auto& [text, expected] : pairs) EXPECT_EQ(Error(text), expected);
  }

  std::string Canonical(const std::string& text) {
    absl::StatusOr<Expression> e = Compile(text, schema_);
    EXPECT_TRUE(e.ok()) << text << ": " << e.status();
    return e.ok() ? e->DebugString() : "";
  }

  // The error message of a text that must not compile.
  std::string Error(const std::string& text) {
    absl::StatusOr<Expression> e = Compile(text, schema_);
    if (e.ok()) return "compiled: " + e->DebugString();
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(e.status().message());
  }

  Schema schema_;
  AttributeId channel_, tier_, vip_, tags_, choice_, text_, hour_, priority_;
  Bindings values_{Schema()};

  void SetUp() override {
    values_ = Bindings(schema_);
    values_.SetString(channel_, "voice");
    values_.SetString(tier_, "gold");
    values_.SetBool(vip_, true);
    values_.SetStringList(tags_, {"vip", "elderly"});
    values_.SetString(choice_, "2");
    values_.SetString(text_, "家里着火了，紧急！Fire on the 3rd floor");
    values_.SetNumber(hour_, 22);
    values_.SetNumber(priority_, 1.5);
  }
};

TEST_F(ExpressionTest, Equality) {
  ExpectResults({
      {"contact.channel == 'voice'", true},
      {"contact.channel == \"voice\"", true},
      {"contact.channel == 'Voice'", false},  // strings compare exactly
      {"contact.channel != 'chat'", true},
      {"time.hour == 22", true},
      {"time.hour == 22.0", true},
      {"contact.priority == 1.5", true},
      {"customer.vip == true", true},
      {"customer.vip != false", true},
      {"'a' == 'a'", true},
      {"-3 == -3.0", true},
  });
}

TEST_F(ExpressionTest, Ordering) {
  ExpectResults({
      {"time.hour > 21", true},
      {"time.hour > 22", false},
      {"time.hour >= 22", true},
      {"time.hour < 22.5", true},
      {"time.hour < 22", false},
      {"time.hour <= 22", true},
      {"contact.priority > -1", true},
      {"8 <= time.hour", true},
  });
}

TEST_F(ExpressionTest, InHasContains) {
  ExpectResults({
      {"contact.channel IN ['chat', 'voice']", true},
      {"contact.channel IN ['chat', 'email']", false},
      {"contact.channel IN []", false},
      {"time.hour IN [8, 22]", true},
      {"time.hour IN [8, 9]", false},
      {"'vip' IN customer.tags", true},
      {"customer.tags HAS 'elderly'", true},
      {"customer.tags HAS 'Elderly'", false},
      {"contact.text CONTAINS '紧急'", true},
      {"contact.text CONTAINS '火'", true},
      {"contact.text CONTAINS '火灾'", false},
      {"contact.text CONTAINS 'fire'", true},  // ASCII case-insensitive
      {"contact.text CONTAINS 'FLOOR'", true},
      {"contact.text CONTAINS ''", true},
      {"contact.text CONTAINS 'flood'", false},
  });
}

TEST_F(ExpressionTest, BooleanOperators) {
  ExpectResults({
      {"customer.vip", true},
      {"NOT customer.vip", false},
      {"NOT NOT customer.vip", true},
      {"true", true},
      {"false", false},
      {"customer.vip AND time.hour > 20", true},
      {"customer.vip AND time.hour > 22", false},
      {"time.hour > 22 OR customer.vip", true},
      {"time.hour > 22 OR false", false},
      {"NOT (ivr.choice == '1')", true},
      {"(NOT customer.vip) == false", true},
  });
}

TEST_F(ExpressionTest, KeywordsAreCaseInsensitive) {
  ExpectResults({
      {"contact.channel in ['voice'] and not false Or FALSE", true},
      {"customer.tags has 'vip' AND contact.text contains 'FIRE'", true},
      {"customer.vip == True", true},
  });
}

TEST_F(ExpressionTest, Precedence) {
  // NOT binds tightest, then comparisons, then AND, then OR.
  ExpectCanonical({
      {"customer.vip OR time.hour > 3 AND ivr.choice == '1'",
       "(customer.vip OR ((time.hour > 3) AND (ivr.choice == \"1\")))"},
      {"(customer.vip OR time.hour > 3) AND ivr.choice == '1'",
       "((customer.vip OR (time.hour > 3)) AND (ivr.choice == \"1\"))"},
      {"NOT customer.vip AND true", "(NOT customer.vip AND true)"},
      {"NOT customer.vip == false", "(NOT customer.vip == false)"},
  });
}

TEST_F(ExpressionTest, PrecedenceDecidesTheResult) {
  // true OR (false AND false) is true; (true OR false) AND false would be false.
  EXPECT_TRUE(Eval("true OR false AND false"));
  EXPECT_FALSE(Eval("(true OR false) AND false"));
  // (NOT customer.vip) == false: vip is true, so NOT vip is false, == false.
  EXPECT_TRUE(Eval("NOT customer.vip == false"));
}

TEST_F(ExpressionTest, DebugStringCompilesToItself) {
  for (const std::string text :
       {"contact.channel IN ['a\\'b', \"c\\\"d\", 'e\\\\f'] OR time.hour IN [1, 2.50, "
        "-3]",
        "NOT (customer.tags HAS '紧急') AND (contact.text CONTAINS 'x' OR false)",
        "((customer.vip))"}) {
    const std::string once = Canonical(text);
    EXPECT_EQ(Canonical(once), once) << text;
  }
  EXPECT_EQ(Canonical("time.hour IN [1, 2.50, -3]"), "(time.hour IN [1, 2.50, -3])");
  EXPECT_EQ(Canonical("contact.channel == 'a\\'b\"c\\\\'"),
            "(contact.channel == \"a'b\\\"c\\\\\")");
}

TEST_F(ExpressionTest, UnsetValuesMakeComparisonsFalse) {
  Bindings empty(schema_);
  const auto eval = [&](const std::string& text) {
    absl::StatusOr<Expression> e = Compile(text, schema_);
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() && e->Evaluate(empty);
  };
  for (const char* text :
       {"contact.channel == 'voice'", "contact.channel != 'voice'", "time.hour < 100",
        "time.hour IN [1, 2]", "customer.tags HAS 'vip'", "'vip' IN customer.tags",
        "contact.text CONTAINS ''", "customer.vip", "customer.vip == false"}) {
    EXPECT_FALSE(eval(text)) << text;
  }
  for (const char* text : {"NOT customer.vip", "NOT (customer.tier == 'gold')",
                           "(NOT customer.vip) == true"}) {
    EXPECT_TRUE(eval(text)) << text;
  }
  // Unset again after a value.
  values_.Unset(hour_);
  EXPECT_FALSE(Eval("time.hour >= 0"));
  values_.UnsetAll();
  EXPECT_FALSE(Eval("contact.channel == 'voice'"));
}

TEST_F(ExpressionTest, SettersCheckTheType) {
  Bindings b(schema_);
  EXPECT_FALSE(b.SetNumber(channel_, 3));
  EXPECT_FALSE(b.SetString(hour_, "3"));
  EXPECT_FALSE(b.SetString(AttributeId{1000}, "x"));
  EXPECT_TRUE(b.SetString(channel_, "chat"));
  EXPECT_EQ(b.size(), schema_.size());
}

TEST_F(ExpressionTest, BindingsOfAnotherSchemaReadAsUnset) {
  Schema other;
  ASSERT_TRUE(other.Add("contact.channel", ValueType::kNumber).ok());
  Bindings b(other);
  b.SetNumber(0, 1);
  absl::StatusOr<Expression> e =
      Compile("contact.channel != 'x' OR time.hour < 9", schema_);
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->Evaluate(b));
}

TEST_F(ExpressionTest, ConditionListOfAnotherSchemaReadsUnset) {
  Schema other;
  ASSERT_TRUE(other.Add("contact.channel", ValueType::kNumber).ok());
  Bindings b(other);
  b.SetNumber(0, 1);
  const ConditionList list({*Compile("contact.channel == 'voice'", schema_),
                            *Compile("contact.channel != 'x'", schema_),
                            *Compile("NOT (contact.channel IN ['a'])", schema_)});
  EXPECT_EQ(list.FirstMatch(b), 2);
  EXPECT_EQ(list.FirstMatch(values_), 0);
}

// More guard attributes than the index takes: the conditions guarded by the
// rest are tried in their turn, so the first that holds still wins.
TEST_F(ExpressionTest, ConditionListBeyondTheIndexedAttributes) {
  Schema schema;
  std::vector<AttributeId> ids;
  ids.reserve(12);
  for (int k = 0; k < 12; ++k) {
    ids.push_back(*schema.Add("a" + std::to_string(k), ValueType::kString));
  }
  std::vector<Expression> conditions;
  // Attribute k guards 12 - k conditions: a0 the most, a11 one.
  for (int k = 0; k < 12; ++k) {
    for (int j = 0; j < 12 - k; ++j) {
      conditions.push_back(*Compile("a" + std::to_string(k) + " == 'v" +
                                        std::to_string(j) + "' AND a0 != 'stop'",
                                    schema));
    }
  }
  conditions.push_back(*Compile("a11 IN ['w', 'v0']", schema));
  const ConditionList list(conditions);
  Bindings b(schema);
  EXPECT_EQ(list.FirstMatch(b), -1);
  const int last = static_cast<int>(conditions.size()) - 1;
  b.SetString(ids[11], "v0");           // named only by a11's conditions, the last two
  EXPECT_EQ(list.FirstMatch(b), last);  // a0 unset: "a0 != 'stop'" is false
  b.SetString(ids[0], "x");
  EXPECT_EQ(list.FirstMatch(b), last - 1);
  b.SetString(ids[10], "v1");  // a10's second condition comes before
  EXPECT_EQ(list.FirstMatch(b), last - 2);
  b.SetString(ids[0], "v3");
  EXPECT_EQ(list.FirstMatch(b), 3);
  b.SetString(ids[0], "stop");
  EXPECT_EQ(list.FirstMatch(b), last);
  b.SetString(ids[11], "zz");
  EXPECT_EQ(list.FirstMatch(b), -1);
  EXPECT_EQ(ConditionList().FirstMatch(b), -1);
  EXPECT_EQ(ConditionList().size(), 0u);
}

// Number ranges index a list too: hour bands, open and closed ends, an empty
// range, a bound with the literal on the left; and ranges nested so deeply
// that the attribute is not indexed still pick the first that holds.
TEST_F(ExpressionTest, ConditionListOfNumberRanges) {
  const ConditionList bands({*Compile("time.hour >= 8 AND time.hour < 12", schema_),
                             *Compile("time.hour > 12 AND time.hour < 12", schema_),
                             *Compile("12 <= time.hour AND time.hour <= 18", schema_),
                             *Compile("time.hour == 22", schema_),
                             *Compile("time.hour > 18", schema_)});
  Bindings b(schema_);
  const std::vector<std::pair<double, int>> cases = {
      {7.99, -1}, {8, 0}, {11.5, 0}, {12, 2}, {18, 2}, {18.5, 4}, {22, 3}, {-1, -1}};
  for (const auto& [hour, expected] : cases) {
    b.SetNumber(hour_, hour);
    EXPECT_EQ(bands.FirstMatch(b), expected) << hour;
  }
  b.SetNumber(hour_, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(bands.FirstMatch(b), -1);
  b.Unset(hour_);
  EXPECT_EQ(bands.FirstMatch(b), -1);

  std::vector<Expression> nested;
  nested.reserve(200);
  for (int k = 0; k < 200; ++k) {
    nested.push_back(*Compile("contact.priority >= " + std::to_string(200 - k), schema_));
  }
  const ConditionList list(nested);
  b.SetNumber(priority_, 150.5);
  EXPECT_EQ(list.FirstMatch(b), 50);  // ">= 150", the first bound at or below 150.5
  b.SetNumber(priority_, 0);
  EXPECT_EQ(list.FirstMatch(b), -1);
}

// An OR each of whose branches has a guard is listed under every branch's
// guard — on two attributes, twice on one, beside a range, or as a part of an
// AND — and tried once when several admit the contact; an OR with a branch
// that has none is not indexed.
TEST_F(ExpressionTest, ConditionListIndexesOrsByEachBranch) {
  const ConditionList list(
      {*Compile("contact.channel == 'chat' OR ivr.choice == '8'", schema_),
       *Compile(
           "(customer.tier == 'gold' OR customer.tier IN ['vip']) AND NOT customer.vip",
           schema_),
       *Compile("ivr.choice == '9' OR time.hour >= 20", schema_),
       *Compile("customer.tier == 'gold' OR customer.vip", schema_),
       *Compile("contact.channel == 'voice'", schema_)});
  EXPECT_EQ(list.size(), 5u);
  EXPECT_EQ(list.indexed(), 4u);  // not the OR with a bool branch
  Bindings b(schema_);
  EXPECT_EQ(list.FirstMatch(b), -1);
  b.SetString(choice_, "8");
  EXPECT_EQ(list.FirstMatch(b), 0);
  b.SetString(channel_, "chat");  // both branches admit it: still condition 0
  EXPECT_EQ(list.FirstMatch(b), 0);
  b.SetString(channel_, "voice");
  b.SetString(choice_, "1");
  b.SetString(tier_, "vip");
  EXPECT_EQ(list.FirstMatch(b), 1);
  b.SetBool(vip_, true);  // condition 1 fails; 3's bool branch holds
  EXPECT_EQ(list.FirstMatch(b), 3);
  b.SetBool(vip_, false);
  b.SetString(tier_, "silver");
  b.SetNumber(hour_, 21);
  EXPECT_EQ(list.FirstMatch(b), 2);
  b.Unset(hour_);
  EXPECT_EQ(list.FirstMatch(b), 4);
  b.UnsetAll();
  b.SetBool(vip_, true);
  EXPECT_EQ(list.FirstMatch(b), 3);

  EXPECT_EQ(ConditionList().indexed(), 0u);
  EXPECT_EQ(ConditionList({*Compile("customer.vip", schema_)}).indexed(), 0u);
}

TEST_F(ExpressionTest, CopiesShareTheProgram) {
  absl::StatusOr<Expression> e = Compile("customer.vip", schema_);
  ASSERT_TRUE(e.ok());
  const Expression copy = *e;
  EXPECT_EQ(copy.text(), "customer.vip");
  EXPECT_TRUE(copy.Evaluate(values_));
}

TEST_F(ExpressionTest, SchemaRejectsBadNames) {
  Schema s;
  EXPECT_TRUE(s.Add("a.b_c.d1", ValueType::kString).ok());
  EXPECT_EQ(s.Add("a.b_c.d1", ValueType::kNumber).status().code(),
            absl::StatusCode::kAlreadyExists);
  for (const char* bad :
       {"", "1a", "a.", ".a", "a..b", "a b", "and", "NOT", "a-b", "紧急"}) {
    EXPECT_EQ(s.Add(bad, ValueType::kString).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(*s.Find("a.b_c.d1"), 0u);
  EXPECT_FALSE(s.Find("a.b").has_value());
  EXPECT_EQ(ValueTypeName(ValueType::kStringList), "string list");
}

// --- the error catalogue ------------------------------------------------------

TEST_F(ExpressionTest, ErrorEmptyInput) {
  ExpectErrors({
      {"", "empty expression at 1:1 (byte 0)"},
      {"  \n ", "empty expression at 1:1 (byte 0)"},
  });
}

TEST_F(ExpressionTest, ErrorUnterminatedString) {
  EXPECT_EQ(Error("ivr.choice == '1"), "unterminated string at 1:15 (byte 14)");
}

TEST_F(ExpressionTest, ErrorUnknownEscape) {
  EXPECT_EQ(Error("ivr.choice == 'a\\n'"),
            "unknown escape in string at 1:17 (byte 16); only \\', \\\" and \\\\ are "
            "escapes");
}

TEST_F(ExpressionTest, ErrorInvalidUtf8InString) {
  ExpectErrors({
      {"contact.text CONTAINS '紧\xff'", "invalid UTF-8 in string at 1:25 (byte 26)"},
      {"contact.text CONTAINS '\xed\xa0\x80'",  // a surrogate
       "invalid UTF-8 in string at 1:24 (byte 23)"},
      {"\xc0\x80", "invalid UTF-8 at 1:1 (byte 0)"},
  });
}

TEST_F(ExpressionTest, ErrorUnexpectedCharacter) {
  ExpectErrors({
      {"time.hour = 3", "unexpected character '=' at 1:11 (byte 10); did you mean '=='?"},
      {"!customer.vip",
       "unexpected character '!' at 1:1 (byte 0); did you mean '!=' or NOT?"},
      {"（customer.vip）", "unexpected character '（' at 1:1 (byte 0)"},
      {"time.hour > 3x", "malformed number at 1:14 (byte 13)"},
  });
}

TEST_F(ExpressionTest, ErrorUnknownAttributeWithSuggestion) {
  ExpectErrors({
      {"customer.teir == 'gold'",
       "unknown attribute 'customer.teir' at 1:1 (byte 0); did you mean "
       "'customer.tier'?"},
      {"weather.today == 'rain'", "unknown attribute 'weather.today' at 1:1 (byte 0)"},
  });
}

TEST_F(ExpressionTest, ErrorEveryUnknownAttributeAtOnce) {
  std::vector<Diagnostic> diagnostics;
  absl::StatusOr<Expression> e =
      Compile("contact.chanel == 'voice' AND\n  time.hours > 3 OR customer.tier > 3",
              schema_, &diagnostics);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(
      std::string(e.status().message()),
      "unknown attribute 'contact.chanel' at 1:1 (byte 0); did you mean "
      "'contact.channel'?; unknown attribute 'time.hours' at 2:3 (byte 32); did you "
      "mean 'time.hour'?; '>' needs two numbers at 2:35 (byte 64), found "
      "customer.tier (a string) and a number");
  ASSERT_EQ(diagnostics.size(), 3u);
  EXPECT_EQ(diagnostics[1].line, 2u);
  EXPECT_EQ(diagnostics[1].column, 3u);
  EXPECT_EQ(diagnostics[1].offset, 32u);
}

TEST_F(ExpressionTest, ErrorTypeMismatch) {
  EXPECT_EQ(Error("customer.tier > 3"),
            "'>' needs two numbers at 1:15 (byte 14), found customer.tier (a string) and "
            "a number");
  EXPECT_EQ(Error("time.hour == '3'"),
            "'==' needs two strings, two numbers or two bools at 1:11 (byte 10), found "
            "time.hour (a number) and a string");
  EXPECT_EQ(
      Error("contact.channel IN [1, 2]"),
      "'IN' needs a string or number and a list of its type at 1:17 (byte 16), found "
      "contact.channel (a string) and a list of numbers");
  EXPECT_EQ(Error("contact.channel HAS 'x'"),
            "'HAS' needs a string list attribute and a string at 1:17 (byte 16), found "
            "contact.channel (a string) and a string");
  EXPECT_EQ(Error("time.hour CONTAINS '1'"),
            "'CONTAINS' needs two strings at 1:11 (byte 10), found time.hour (a number) "
            "and a string");
  EXPECT_EQ(Error("['a', 1]"),
            "a list holds strings or numbers, not both at 1:7 (byte 6)");
  EXPECT_EQ(
      Error("time.hour"),
      "the expression must be a condition (a bool) at 1:1 (byte 0), found time.hour "
      "(a number)");
  EXPECT_EQ(Error("customer.vip AND time.hour"),
            "AND needs bools at 1:18 (byte 17), found time.hour (a number)");
  EXPECT_EQ(Error("NOT ivr.choice == '1'"),
            "NOT needs a bool at 1:1 (byte 0), found ivr.choice (a string); to negate a "
            "comparison write NOT (...)");
}

TEST_F(ExpressionTest, ErrorSyntax) {
  ExpectErrors({
      {"(time.hour > 3 AND customer.vip",
       "expected ')' at 1:32 (byte 31), found end of input"},
      {"(time.hour > 3", "expected ')' at 1:15 (byte 14), found end of input"},
      {"time.hour > 3 customer.vip",
       "expected AND, OR or end of input at 1:15 (byte 14), found 'customer.vip'"},
      {"time.hour > 3 )",
       "expected AND, OR or end of input at 1:15 (byte 14), found ')'"},
      {"time.hour > 3 > 2",
       "expected AND, OR or end of input at 1:15 (byte 14), found '>'"},
      {"time.hour >",
       "expected an attribute, a value, '[' or '(' at 1:12 (byte 11), found end of "
       "input"},
      {"customer.vip AND OR true",
       "expected an attribute, a value, '[' or '(' at 1:18 (byte 17), found 'OR'"},
      {"contact.channel IN ['a' 'b']",
       "expected ',' or ']' at 1:25 (byte 24), found a string"},
      {"contact.channel IN [['a']]",
       "expected a string or a number at 1:21 (byte 20), found '['"},
  });
}

// --- limits -------------------------------------------------------------------

TEST_F(ExpressionTest, ErrorTooLong) {
  std::string text = "customer.vip";
  while (text.size() <= kMaxExpressionBytes) text += " OR customer.vip";
  EXPECT_EQ(Error(text), "expression of " + std::to_string(text.size()) +
                             " bytes; the limit is 65536");
}

TEST_F(ExpressionTest, ErrorTooDeep) {
  const std::string ok = std::string(64, '(') + "true" + std::string(64, ')');
  EXPECT_TRUE(Eval(ok));
  const std::string deep = std::string(65, '(') + "true" + std::string(65, ')');
  EXPECT_EQ(Error(deep), "expression nested deeper than 64 at 1:65 (byte 64)");
  std::string nots;
  for (int i = 0; i < 64; ++i) nots += "NOT ";
  EXPECT_TRUE(Eval(nots + "true"));
  EXPECT_EQ(Error("NOT " + nots + "true"),
            "expression nested deeper than 64 at 1:257 (byte 256)");
  // Far deeper than any stack would allow unchecked.
  const std::string very_deep(60000, '(');
  EXPECT_EQ(Error(very_deep), "expression nested deeper than 64 at 1:65 (byte 64)");
}

TEST_F(ExpressionTest, ErrorListTooLong) {
  std::string list = "time.hour IN [22";
  for (size_t i = 1; i < kMaxListItems; ++i) list += ",1";
  EXPECT_TRUE(Eval(list + "]"));
  EXPECT_EQ(Error(list + ",2]"),
            "list longer than 1024 items at 1:" + std::to_string(list.size() + 2) +
                " (byte " + std::to_string(list.size() + 1) + ")");
}

TEST_F(ExpressionTest, ErrorNameAndNumberTooLong) {
  ExpectErrors({
      {std::string(129, 'a'), "name longer than 128 bytes at 1:1 (byte 0)"},
      {"time.hour > " + std::string(65, '9'),
       "number longer than 64 characters at 1:13 (byte 12)"},
  });
}

TEST_F(ExpressionTest, ManyErrorsAreCapped) {
  std::string text = "x0 == 'a'";
  for (int i = 1; i < 20; ++i) text += " OR x" + std::to_string(i) + " == 'a'";
  const std::string message = Error(text);
  EXPECT_NE(message.find("unknown attribute 'x15'"), std::string::npos);
  EXPECT_EQ(message.find("unknown attribute 'x16'"), std::string::npos);
  EXPECT_NE(message.find("; more errors not shown"), std::string::npos);
}

}  // namespace
}  // namespace ccengine::config
