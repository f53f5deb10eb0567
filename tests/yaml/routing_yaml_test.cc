// The routing file in YAML (ccengine/yaml/routing_yaml.h): the same tree as
// JSON with places, the strict reading of plain scalars, what is refused,
// and the example hotline file loading to the configuration of its JSON twin.

#include "ccengine/yaml/routing_yaml.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "ccengine/config/document.h"
#include "ccengine/config/routing_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ccengine::yaml {
namespace {

using config::Node;
using ::testing::HasSubstr;

TEST(ParseYamlTest, PlainScalarsAreReadStrictly) {
  const Node doc = ParseYaml(
                       "a: ~\n"
                       "b:\n"
                       "c: true\n"
                       "d: False\n"
                       "e: yes\n"
                       "f: 08:00\n"
                       "g: -12.5e1\n"
                       "h: '12'\n"
                       "i: 2026-10-01\n"
                       "hex: 0x1F\n"
                       "under: 1_000\n"
                       "010: key\n"
                       "j: [1, x, \"y\"]\n"
                       "k: |\n  two\n  lines\n")
                       .value();
  ASSERT_EQ(doc.kind, Node::Kind::kObject);
  EXPECT_EQ(doc.Find("a")->kind, Node::Kind::kNull);
  EXPECT_EQ(doc.Find("b")->kind, Node::Kind::kNull);
  EXPECT_TRUE(doc.Find("c")->boolean);
  EXPECT_EQ(doc.Find("d")->kind, Node::Kind::kBool);
  EXPECT_FALSE(doc.Find("d")->boolean);
  EXPECT_EQ(doc.Find("e")->text, "yes");    // not a bool
  EXPECT_EQ(doc.Find("f")->text, "08:00");  // not sexagesimal
  EXPECT_EQ(doc.Find("g")->number, -125);
  EXPECT_EQ(doc.Find("h")->kind, Node::Kind::kString);
  EXPECT_EQ(doc.Find("i")->text, "2026-10-01");
  EXPECT_EQ(doc.Find("hex")->text, "0x1F");     // not 31
  EXPECT_EQ(doc.Find("under")->text, "1_000");  // not 1000
  EXPECT_EQ(doc.Find("010")->text, "key");      // keys are strings
  ASSERT_EQ(doc.Find("j")->items.size(), 3u);
  EXPECT_EQ(doc.Find("j")->items[0].number, 1);
  EXPECT_EQ(doc.Find("j")->items[1].text, "x");
  EXPECT_EQ(doc.Find("k")->text, "two\nlines\n");
  // Members keep their order.
  EXPECT_EQ(doc.members[0].key, "a");
  EXPECT_EQ(doc.members.back().key, "k");
}

TEST(ParseYamlTest, ValuesKnowTheirPlace) {
  const std::string text = "queues:\n  - name: 政策咨询\n    max_wait_s: 600\n";
  const Node doc = ParseYaml(text).value();
  const Node& queue = doc.Find("queues")->items[0];
  EXPECT_EQ(queue.place.line, 2u);
  EXPECT_EQ(queue.place.column, 5u);
  const Node& wait = *queue.Find("max_wait_s");
  EXPECT_EQ(wait.place.line, 3u);
  EXPECT_EQ(wait.place.column, 17u);
  EXPECT_EQ(text.substr(wait.place.offset, 3), "600");
  // Columns count characters, offsets bytes.
  const std::string cjk = "名字: 政策咨询\n值: 5\n";
  const Node two = ParseYaml(cjk).value();
  EXPECT_EQ(two.Find("名字")->place.column, 5u);
  EXPECT_EQ(cjk.substr(two.Find("名字")->place.offset, 3), "政");
}

TEST(ParseYamlTest, RefusesWhatCouldMeanSomethingElse) {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"a: 1\na: 2\n", "duplicate key 'a' at 2:1 (byte 5)"},
      {"\"a\\nb\": 1\n\"a\\nb\": 2\n", "duplicate key at 2:1 (byte 10)"},
      {"a: &x 1\nb: *x\n", "anchors are not supported (&x): write the value out at 1:4"},
      {"b: *x\n", "aliases are not supported: write the value out at 1:4"},
      {"a: !!str 1\n", "tags are not supported (tag:yaml.org,2002:str)"},
      {"a: 1\n---\nb: 2\n", "a second document: one per file at 2:1"},
      {"? [a, b]\n: 1\n", "a key must be a scalar at 1:3"},
      {"a: .inf\n", "numbers must be finite, got .inf at 1:4"},
      {"a: 1e999\n", "number out of range: 1e999 at 1:4"},
      {"", "empty document: expected a mapping"},
      {"a: [1, 2\n", "while parsing a flow sequence did not find expected ',' or ']'"},
      {"a: b: c\n", "mapping values are not allowed in this context at 1:5"},
      {"a: \"\xff\"\n", "invalid leading UTF-8 octet"},
      // The same under YAML 1.1 and 1.2, or refused.
      {"a: 010\n",
       "a number may not start with 0 followed by digits (010): write it without the "
       "zeros, or quote it for a string at 1:4"},
      {"a: -00.5\n", "a number may not start with 0 followed by digits (-00.5)"},
      {"%YAML 1.1\n---\na: 1\n", "%YAML 1.1: the file is read as YAML 1.2"},
      {"%TAG !e! tag:example.com,2026:\n---\na: 1\n",
       "%TAG directives are not supported"},
      {"a: ! 12\n", "tags are not supported (!): quote a string instead at 1:4"},
      {"a: 1\rb: 2\n",
       "a lone CR is a line break under YAML 1.1 only: end lines with LF or "
       "CRLF (in a double-quoted string, write \\r) at 1:5 (byte 4)"},
      {"a: x\xC2\x85y\n", "U+0085 is a line break under YAML 1.1 only"},
      {"名: \"x\xE2\x80\xA8y\"\n",
       "U+2028 is a line break under YAML 1.1 only: end lines "
       "with LF or CRLF (in a double-quoted string, write "
       "\\L) at 1:6 (byte 7)"},
      {"a: 1\nb: \xE2\x80\xA9\n", "U+2029 is a line break under YAML 1.1 only"},
      // UTF-16 (here with its byte order mark) is not UTF-8.
      {std::string("\xFF\xFE"
                   "a\0:\0 \0"
                   "1\0\n\0",
                   12),
       "invalid leading UTF-8 octet at 1:1"},
      {"a: 1\nb: \"\xC3\x28\"\n", "invalid trailing UTF-8 octet at 2:6 (byte 10)"},
  };
  for (const Case& c : cases) {
    config::Diagnostic error;
    absl::StatusOr<Node> doc = ParseYaml(c.text, &error);
    ASSERT_FALSE(doc.ok()) << c.text;
    EXPECT_THAT(std::string(doc.status().message()), HasSubstr(c.message)) << c.text;
    EXPECT_EQ(error.message, doc.status().message());
  }
}

TEST(ParseYamlTest, WhatBothYamlVersionsReadAlike) {
  const Node doc = ParseYaml(
                       "%YAML 1.2\n---\n"
                       "zero: 0\n"
                       "half: 0.5\n"
                       "minus: -0\n"
                       "tiny: 1e-310\n"
                       "zip: '010'\n"
                       "breaks: \"a\\Lb\"\n")
                       .value();
  EXPECT_EQ(doc.Find("zero")->number, 0);
  EXPECT_EQ(doc.Find("half")->number, 0.5);
  EXPECT_EQ(doc.Find("minus")->number, 0);
  // Subnormal, as the JSON reader reads it; smaller still, 0.
  EXPECT_EQ(doc.Find("tiny")->number,
            config::ParseJson("{\"tiny\": 1e-310}").value().Find("tiny")->number);
  EXPECT_GT(doc.Find("tiny")->number, 0);
  EXPECT_EQ(ParseYaml("a: -1e-400\n").value().Find("a")->number, 0);
  EXPECT_EQ(doc.Find("zip")->text, "010");
  EXPECT_EQ(doc.Find("breaks")->text,
            "a\xE2\x80\xA8"
            "b");
}

TEST(ParseYamlTest, PlacesCountCrLfTheByteOrderMarkAndTheEnd) {
  const std::string crlf = "a: 1\r\nbb: 22\r\n";
  const Node doc = ParseYaml(crlf).value();
  EXPECT_EQ(doc.Find("bb")->place.line, 2u);
  EXPECT_EQ(doc.Find("bb")->place.column, 5u);
  EXPECT_EQ(crlf.substr(doc.Find("bb")->place.offset, 2), "22");
  // The mark is skipped: the first line's columns start after it, offsets
  // count its three bytes.
  const std::string bom =
      "\xEF\xBB\xBF"
      "a: 1\nb: [x, 2]\n";
  const Node marked = ParseYaml(bom).value();
  EXPECT_EQ(marked.Find("a")->place.line, 1u);
  EXPECT_EQ(marked.Find("a")->place.column, 4u);
  EXPECT_EQ(bom.substr(marked.Find("a")->place.offset, 1), "1");
  EXPECT_EQ(bom.substr(marked.Find("b")->items[1].place.offset, 1), "2");
  // An empty value at the end of a text without a final line break: the
  // end of the last line.
  const Node last = ParseYaml("k: v\nlast:").value();
  EXPECT_EQ(last.Find("last")->kind, Node::Kind::kNull);
  EXPECT_EQ(last.Find("last")->place.line, 2u);
  EXPECT_EQ(last.Find("last")->place.column, 6u);
  EXPECT_EQ(last.Find("last")->place.offset, 10u);
  config::Diagnostic error;
  EXPECT_FALSE(ParseYaml("\xEF\xBB\xBF"
                         "a: [1\n",
                         &error)
                   .ok());
  EXPECT_EQ(error.line, 2u);
}

TEST(ParseYamlTest, Limits) {
  std::string deep;
  for (int i = 0; i < config::kMaxDocumentDepth + 1; ++i) deep += "[";
  EXPECT_THAT(ParseYaml(deep).status().message(), HasSubstr("nested more than 64 deep"));
  EXPECT_EQ(ParseYaml("a: 1\n", nullptr, 3).status().code(),
            absl::StatusCode::kResourceExhausted);
  std::string wide = "[";
  for (size_t i = 0; i <= config::kMaxDocumentNodes; ++i) wide += "1,";
  wide += "1]";
  EXPECT_THAT(ParseYaml(wide).status().message(), HasSubstr("more than 1048576 values"));
}

TEST(LoadRoutingYamlTest, ErrorsNameTheirPlaceInTheYaml) {
  std::vector<std::string> errors;
  absl::StatusOr<config::RoutingConfig> r = LoadRoutingYaml(
      "format: 1\nskills: [policy]\nqueues:\n  - name: a\n    max_wait_s: -5\n    "
      "wrap_up: 3\n",
      "f.yaml", &errors);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(errors,
              ::testing::ElementsAre(
                  "f.yaml:5:17: /queues/0/max_wait_s: must be > 0 seconds, got -5",
                  "f.yaml:6:14: /queues/0/wrap_up: unknown key \"wrap_up\"; did you "
                  "mean \"wrap_up_s\"?"));
  EXPECT_THAT(std::string(LoadRoutingYaml("format: [1\n", "g.yaml").status().message()),
              ::testing::StartsWith("g.yaml: while parsing a flow sequence"));
}

// The example in YAML loads to the configuration of its JSON twin.
TEST(LoadRoutingYamlTest, TheHotlineInYamlIsTheHotlineInJson) {
  const std::string dir = std::string(CCENGINE_SOURCE_DIR) + "/examples/routing/";
  absl::StatusOr<config::RoutingConfig> y =
      LoadRoutingFileAnySyntax(dir + "hotline.yaml");
  ASSERT_TRUE(y.ok()) << y.status();
  absl::StatusOr<config::RoutingConfig> j =
      LoadRoutingFileAnySyntax(dir + "hotline.json");
  ASSERT_TRUE(j.ok()) << j.status();
  EXPECT_EQ(y->skills(), j->skills());
  EXPECT_EQ(y->holidays(), j->holidays());
  EXPECT_EQ(y->utc_offset_s(), j->utc_offset_s());
  ASSERT_EQ(y->queues().size(), j->queues().size());
  for (size_t i = 0; i < y->queues().size(); ++i) {
    const QueueConfig &a = y->queues()[i], &b = j->queues()[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.skills, b.skills) << a.name;
    EXPECT_EQ(a.relaxation.size(), b.relaxation.size()) << a.name;
    EXPECT_EQ(a.priority, b.priority) << a.name;
    EXPECT_EQ(a.sl_threshold, b.sl_threshold) << a.name;
    EXPECT_EQ(a.sl_target, b.sl_target) << a.name;
    EXPECT_EQ(a.max_wait, b.max_wait) << a.name;
    EXPECT_EQ(a.overflow_queue, b.overflow_queue) << a.name;
    EXPECT_EQ(a.hours.has_value(), b.hours.has_value()) << a.name;
    EXPECT_EQ(a.wrap_up, b.wrap_up) << a.name;
    EXPECT_EQ(a.strategy, b.strategy) << a.name;
    EXPECT_EQ(a.guards.occupancy_cap, b.guards.occupancy_cap) << a.name;
  }
  ASSERT_EQ(y->agent_profiles().size(), j->agent_profiles().size());
  for (size_t i = 0; i < y->agent_profiles().size(); ++i) {
    EXPECT_EQ(y->agent_profiles()[i].skills, j->agent_profiles()[i].skills);
  }
  const compliance::AccessPolicy &ay = y->access_policy(), &aj = j->access_policy();
  ASSERT_EQ(ay.departments().size(), 2u);
  ASSERT_EQ(ay.departments().size(), aj.departments().size());
  for (size_t i = 0; i < ay.departments().size(); ++i) {
    EXPECT_EQ(ay.departments()[i].name, aj.departments()[i].name);
    EXPECT_EQ(ay.departments()[i].tenant, aj.departments()[i].tenant);
    EXPECT_EQ(ay.departments()[i].queues, aj.departments()[i].queues);
  }
  ASSERT_EQ(ay.roles().size(), aj.roles().size());
  for (size_t i = 0; i < ay.roles().size(); ++i) {
    EXPECT_EQ(ay.roles()[i].name, aj.roles()[i].name);
    EXPECT_EQ(ay.roles()[i].grants, aj.roles()[i].grants);
  }
  ASSERT_EQ(y->flows().size(), 1u);
  const config::EntryFlow &fy = y->flows()[0], &fj = j->flows()[0];
  ASSERT_EQ(fy.rules().size(), fj.rules().size());
  for (size_t i = 0; i < fy.rules().size(); ++i) {
    EXPECT_EQ(fy.rules()[i].name, fj.rules()[i].name);
    EXPECT_EQ(fy.rules()[i].condition.DebugString(),
              fj.rules()[i].condition.DebugString());
    EXPECT_EQ(fy.rules()[i].target.queue, fj.rules()[i].target.queue);
    EXPECT_EQ(fy.rules()[i].target.priority, fj.rules()[i].target.priority);
    EXPECT_EQ(fy.rules()[i].target.preferred_wait, fj.rules()[i].target.preferred_wait);
  }
  // The English line's hours: open on a Monday morning in both, closed at night.
  const absl::Time monday_10 = absl::FromUnixSeconds(1796572800) + absl::Hours(10);
  for (const absl::Time t : {monday_10, monday_10 + absl::Hours(12)}) {
    EXPECT_EQ(y->queues()[4].hours->IsOpen(t), j->queues()[4].hours->IsOpen(t));
  }
  EXPECT_NE(y->content_hash(), j->content_hash());  // other bytes
}

}  // namespace
}  // namespace ccengine::yaml
