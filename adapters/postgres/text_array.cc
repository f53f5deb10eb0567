// PostgreSQL's text[] literal and its parser (text_array.h).

#include "text_array.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/types/span.h"
#include "fmt/format.h"

namespace ccengine::postgres {

std::string TextArrayLiteral(absl::Span<const std::string> elements) {
  std::string out = "{";
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : elements[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

absl::StatusOr<std::vector<std::string>> ParseTextArray(std::string_view text) {
  auto bad = [text](std::string_view why) {
    return absl::InvalidArgumentError(
        fmt::format("text array \"{}\": {}", text.substr(0, 80), why));
  };
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') {
    return bad("not a one-dimensional array");
  }
  std::vector<std::string> out;
  const size_t end = text.size() - 1;  // the closing brace
  size_t i = 1;
  if (i == end) return out;
  for (;;) {
    std::string element;
    if (text[i] == '"') {
      ++i;
      for (;;) {
        if (i >= end) return bad("an unterminated quoted element");
        char c = text[i++];
        if (c == '"') break;
        if (c == '\\') {
          if (i >= end) return bad("an escape at the end");
          c = text[i++];
        }
        element += c;
      }
    } else {
      while (i < end && text[i] != ',') {
        char c = text[i++];
        if (c == '{' || c == '}' || c == '"') return bad("not a one-dimensional array");
        if (c == '\\') {
          if (i >= end) return bad("an escape at the end");
          c = text[i++];
        }
        element += c;
      }
      if (element.empty()) return bad("an empty unquoted element");
      if (absl::EqualsIgnoreCase(element, "NULL")) return bad("a NULL element");
    }
    out.push_back(std::move(element));
    if (i == end) return out;
    if (text[i] != ',') return bad("no comma between elements");
    ++i;
  }
}

}  // namespace ccengine::postgres
