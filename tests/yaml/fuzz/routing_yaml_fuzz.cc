// -----------------------------------------------------------------------------
// File: tests/yaml/fuzz/routing_yaml_fuzz.cc
// -----------------------------------------------------------------------------
//
// libFuzzer target for the YAML reader of the routing file
// (ccengine/yaml/routing_yaml.h: ParseYaml over libyaml's events), over
// arbitrary bytes. A failure is InvalidArgument with its message and place
// in the Diagnostic, on one line, the place inside the text and its line and
// column those of its byte offset. A success is a
// tree whose every place lies inside the text and which says the same as
// JSON: written out as JSON and read back by config::ParseJson, it is the
// same tree, value for value; every place's line and column are those of
// its byte offset. Built and run by
// tools/fuzz.sh routing_yaml SECONDS.
//
// Thread safety: libFuzzer calls the entry point from one thread.
//
// Example:
//   tools/fuzz.sh routing_yaml 60

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ccengine/config/document.h"
#include "ccengine/yaml/routing_yaml.h"
#include "fmt/format.h"
#include "fuzz_check.h"

namespace {

using ccengine::config::Node;

void WriteJson(const Node& n, std::string& out) {
  switch (n.kind) {
    case Node::Kind::kNull: out += "null"; return;
    case Node::Kind::kBool: out += n.boolean ? "true" : "false"; return;
    case Node::Kind::kNumber: out += fmt::format("{}", n.number); return;
    case Node::Kind::kString: {
      out += '"';
      for (char c : n.text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
          out += '\\';
          out += c;
        } else if (u < 0x20) {
          out += fmt::format("\\u{:04x}", u);
        } else {
          out += c;
        }
      }
      out += '"';
      return;
    }
    case Node::Kind::kArray:
      out += '[';
      for (size_t i = 0; i < n.items.size(); ++i) {
        if (i > 0) out += ',';
        WriteJson(n.items[i], out);
      }
      out += ']';
      return;
    case Node::Kind::kObject:
      out += '{';
      for (size_t i = 0; i < n.members.size(); ++i) {
        if (i > 0) out += ',';
        Node key;
        key.kind = Node::Kind::kString;
        key.text = n.members[i].key;
        WriteJson(key, out);
        out += ':';
        WriteJson(n.members[i].value, out);
      }
      out += '}';
      return;
  }
}

bool Same(const Node& a, const Node& b) {
  if (a.kind != b.kind || a.boolean != b.boolean || a.text != b.text ||
      a.items.size() != b.items.size() || a.members.size() != b.members.size()) {
    return false;
  }
  if (a.kind == Node::Kind::kNumber && !(a.number == b.number)) return false;
  for (size_t i = 0; i < a.items.size(); ++i) {
    if (!Same(a.items[i], b.items[i])) return false;
  }
  for (size_t i = 0; i < a.members.size(); ++i) {
    if (a.members[i].key != b.members[i].key ||
        !Same(a.members[i].value, b.members[i].value))
      return false;
  }
  return true;
}

// A place inside the text, its line and column those of its offset: lines
// end at LF, columns count UTF-8 characters, and the first line starts past
// a byte order mark.
void CheckPlace(const ccengine::config::Place& place, std::string_view text) {
  const size_t first = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  FUZZ_CHECK(place.offset >= first && place.offset <= text.size(),
             "a place outside the text");
  uint32_t line = 1, column = 1;
  for (size_t i = first; i < place.offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  FUZZ_CHECK(place.line == line && place.column == column,
             "a place whose line and column are not its offset's");
}

void CheckPlaces(const Node& n, std::string_view text) {
  CheckPlace(n.place, text);
  for (const Node& item : n.items) CheckPlaces(item, text);
  for (const Node::Member& m : n.members) CheckPlaces(m.value, text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ccengine::config::Diagnostic error;
  absl::StatusOr<Node> doc = ccengine::yaml::ParseYaml(text, &error);
  if (!doc.ok()) {
    FUZZ_CHECK(doc.status().code() == absl::StatusCode::kInvalidArgument, "error code");
    FUZZ_CHECK(!error.message.empty() && error.message == doc.status().message(),
               "the diagnostic is not the status");
    FUZZ_CHECK(error.message.find('\n') == std::string::npos, "an error of two lines");
    CheckPlace(ccengine::config::Place{error.line, error.column, error.offset}, text);
    return 0;
  }
  CheckPlaces(*doc, text);
  std::string json;
  WriteJson(*doc, json);
  absl::StatusOr<Node> again = ccengine::config::ParseJson(json);
  FUZZ_CHECK(again.ok(), "the tree written as JSON does not read back");
  FUZZ_CHECK(Same(*doc, *again), "the tree written as JSON reads back as another");
  return 0;
}
