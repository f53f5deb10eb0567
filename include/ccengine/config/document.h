// -----------------------------------------------------------------------------
// File: ccengine/config/document.h
// -----------------------------------------------------------------------------
//
// A configuration document as a tree of values that remember where they were
// written: the form the routing file (routing_file.h) is read from. JSON
// (RFC 8259) is parsed here; other syntaxes (YAML, in an adapter) build the
// same tree, so every error a loader reports can name its line and column.
//
// The JSON parser is strict: one value, nothing after it but whitespace; no
// comments, no trailing commas, no NaN; strings valid UTF-8 (escapes
// included: a lone surrogate is an error); a key at most once per object.
// Numbers are read as doubles and must be finite.
//
// Errors: InvalidArgument with the first error and its place, in the form of
// the expression language's messages:
//   "expected ',' or '}' at 3:14 (byte 40), found 'x'"
// `error` (when not null) receives the same as a Diagnostic. Limits, each an
// InvalidArgument (the size: ResourceExhausted) naming the limit: the text is
// at most `max_bytes`, arrays and objects nest at most kMaxDocumentDepth deep
// (the parser's recursion is bounded by it), a document has at most
// kMaxDocumentNodes values.
//
// Thread safety: `ParseJson` is a pure function; a `Node` is a plain value.
//
// Example:
//   absl::StatusOr<Node> doc = ParseJson(R"({"queues": [{"name": "policy"}]})");
//   const Node* queues = doc->Find("queues");  // kind kArray, place 1:12
//   // queues->items[0].Find("name")->text == "policy"

#ifndef CCENGINE_CONFIG_DOCUMENT_H_
#define CCENGINE_CONFIG_DOCUMENT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ccengine/config/expression.h"

namespace ccengine::config {

inline constexpr size_t kMaxDocumentBytes = size_t{16} << 20;
inline constexpr int kMaxDocumentDepth = 64;
inline constexpr size_t kMaxDocumentNodes = size_t{1} << 20;

// Where a value starts in its text.
struct Place {
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based, in code points
  uint32_t offset = 0;  // 0-based byte offset
};

struct Node {
  struct Member;
  enum class Kind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind = Kind::kNull;
  Place place;
  bool boolean = false;         // kBool
  double number = 0;            // kNumber
  std::string text;             // kString
  std::vector<Node> items;      // kArray
  std::vector<Member> members;  // kObject, in order

  // The member named `key` of an object; null when absent or not an object.
  const Node* Find(std::string_view key) const;
};

struct Node::Member {
  std::string key;
  Node value;
};

// "null", "a bool", "a number", "a string", "an array", "an object".
std::string_view KindName(Node::Kind kind);

// The message every reader of a document gives for a key written twice in one
// object: "duplicate key \"queues\"" with `quote` '"'. The key is quoted only
// when it is at most 64 bytes and free of control characters, which would
// break the message's single line; the error's place names it either way.
std::string DuplicateKeyMessage(std::string_view key, char quote);

absl::StatusOr<Node> ParseJson(std::string_view text, Diagnostic* error = nullptr,
                               size_t max_bytes = kMaxDocumentBytes);

}  // namespace ccengine::config

#endif  // CCENGINE_CONFIG_DOCUMENT_H_
