// YAML text to the configuration document tree (ParseYaml, ccengine/yaml/routing_yaml.h),
// from libyaml's event stream: an explicit stack, so nesting costs no
// recursion, and every value keeps the place libyaml marks for it.

#include <yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "ccengine/yaml/routing_yaml.h"
#include "fmt/format.h"

namespace ccengine::yaml {
namespace {

using config::Diagnostic;
using config::Node;
using config::Place;

// Byte offsets of the starts of lines, to turn libyaml's marks (line and
// column in characters) into the byte offset a Place also holds. Marks come
// in text order, so each walk goes on from the last one: linear in all.
class Lines {
 public:
  explicit Lines(std::string_view text) : text_(text) {
    starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') starts_.push_back(static_cast<uint32_t>(i + 1));
    }
  }
  Place At(const yaml_mark_t& mark) {
    Place p;
    p.line = static_cast<uint32_t>(mark.line) + 1;
    p.column = static_cast<uint32_t>(mark.column) + 1;
    if (mark.line != line_ || mark.column < column_) {
      line_ = mark.line;
      column_ = 0;
      offset_ = mark.line < starts_.size() ? starts_[mark.line] : text_.size();
    }
    for (; column_ < mark.column && offset_ < text_.size(); ++column_) {
      // Past one UTF-8 character (libyaml has checked the text).
      ++offset_;
      while (offset_ < text_.size() &&
             (static_cast<unsigned char>(text_[offset_]) & 0xC0) == 0x80) {
        ++offset_;
      }
    }
    p.offset = static_cast<uint32_t>(offset_);
    return p;
  }

 private:
  std::string_view text_;
  std::vector<uint32_t> starts_;
  size_t line_ = 0, column_ = 0, offset_ = 0;
};

absl::Status Fail(Diagnostic* error, const Place& at, const std::string& what) {
  const std::string message =
      fmt::format("{} at {}:{} (byte {})", what, at.line, at.column, at.offset);
  if (error != nullptr) *error = Diagnostic{message, at.line, at.column, at.offset};
  return absl::InvalidArgumentError(message);
}

bool OneOf(std::string_view s, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words) {
    if (s == w) return true;
  }
  return false;
}

// A decimal number as YAML 1.2's core schema writes one: [-+]? digits
// (. digits?)? ([eE] [-+]? digits)?, or . digits.
bool LooksDecimal(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exponent = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exponent;
    if (exponent == 0) return false;
  }
  return i == s.size();
}

// A scalar's value: quoted and block scalars are strings; a plain one is
// null, a bool, a finite number or a string.
absl::Status ScalarNode(const yaml_event_t& e, const Place& at, Diagnostic* error,
                        Node* out) {
  const std::string_view text(reinterpret_cast<const char*>(e.data.scalar.value),
                              e.data.scalar.length);
  out->place = at;
  if (e.data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
    out->kind = Node::Kind::kString;
    out->text = std::string(text);
    return absl::OkStatus();
  }
  if (OneOf(text, {"", "~", "null", "Null", "NULL"})) {
    out->kind = Node::Kind::kNull;
  } else if (OneOf(text, {"true", "True", "TRUE", "false", "False", "FALSE"})) {
    out->kind = Node::Kind::kBool;
    out->boolean = text.front() == 't' || text.front() == 'T';
  } else if (OneOf(text, {".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", "+.inf",
                          ".nan", ".NaN", ".NAN"})) {
    return Fail(error, at, fmt::format("numbers must be finite, got {}", text));
  } else if (LooksDecimal(text)) {
    const std::string copy(text);
    errno = 0;
    const double value = std::strtod(copy.c_str(), nullptr);
    if (!std::isfinite(value) || errno == ERANGE) {
      if (std::isfinite(value) && value == 0) {  // underflow reads as 0
        out->kind = Node::Kind::kNumber;
        out->number = 0;
        return absl::OkStatus();
      }
      return Fail(error, at, fmt::format("number out of range: {}", text));
    }
    out->kind = Node::Kind::kNumber;
    out->number = value;
  } else {
    out->kind = Node::Kind::kString;
    out->text = std::string(text);
  }
  return absl::OkStatus();
}

// One open collection: the node being filled and, for a mapping, its keys
// so far and the key waiting for its value.
struct Frame {
  Node* node;
  absl::flat_hash_set<std::string> keys;
  bool has_key = false;
  std::string key;
};

class Parser {
 public:
  Parser(std::string_view text, Diagnostic* error)
      : text_(text), lines_(text), error_(error) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(
        &parser_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  ~Parser() { yaml_parser_delete(&parser_); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  absl::StatusOr<Node> Parse() {
    Node root;
    bool have_root = false;
    int documents = 0;
    while (true) {
      yaml_event_t event;
      if (!yaml_parser_parse(&parser_, &event)) return SyntaxError();
      struct Deleter {
        yaml_event_t* e;
        ~Deleter() { yaml_event_delete(e); }
      } deleter{&event};
      const Place at = lines_.At(event.start_mark);
      switch (event.type) {
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_END_EVENT: break;
        case YAML_STREAM_END_EVENT:
          if (!have_root) return Fail(error_, at, "empty document: expected a mapping");
          return root;
        case YAML_DOCUMENT_START_EVENT:
          if (++documents > 1) return Fail(error_, at, "a second document: one per file");
          break;
        case YAML_ALIAS_EVENT:
          return Fail(error_, at, "aliases are not supported: write the value out");
        case YAML_SCALAR_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
          if (absl::Status st = CheckPlain(event, at); !st.ok()) return st;
          if (++nodes_ > config::kMaxDocumentNodes) {
            return Fail(error_, at,
                        fmt::format("more than {} values", config::kMaxDocumentNodes));
          }
          // A mapping waiting for a key takes a scalar as the key.
          if (!stack_.empty() && stack_.back().node->kind == Node::Kind::kObject &&
              !stack_.back().has_key) {
            if (event.type != YAML_SCALAR_EVENT) {
              return Fail(error_, at, "a key must be a scalar");
            }
            Frame& f = stack_.back();
            f.key.assign(reinterpret_cast<const char*>(event.data.scalar.value),
                         event.data.scalar.length);
            if (!f.keys.insert(f.key).second) {
              return Fail(error_, at, fmt::format("duplicate key '{}'", f.key));
            }
            f.has_key = true;
            break;
          }
          Node* slot = Slot(&root, &have_root);
          if (event.type == YAML_SCALAR_EVENT) {
            if (absl::Status st = ScalarNode(event, at, error_, slot); !st.ok())
              return st;
            break;
          }
          if (stack_.size() >= static_cast<size_t>(config::kMaxDocumentDepth)) {
            return Fail(
                error_, at,
                fmt::format("nested more than {} deep", config::kMaxDocumentDepth));
          }
          slot->kind = event.type == YAML_MAPPING_START_EVENT ? Node::Kind::kObject
                                                              : Node::Kind::kArray;
          slot->place = at;
          stack_.push_back(Frame{slot, {}, false, {}});
          break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: stack_.pop_back(); break;
        case YAML_NO_EVENT: break;
      }
    }
  }

 private:
  // Where the next value goes: the root, the next item of the open
  // sequence, or the value of the open mapping's waiting key.
  Node* Slot(Node* root, bool* have_root) {
    if (stack_.empty()) {
      *have_root = true;
      return root;
    }
    Frame& f = stack_.back();
    if (f.node->kind == Node::Kind::kArray) {
      f.node->items.emplace_back();
      return &f.node->items.back();
    }
    f.has_key = false;
    f.node->members.push_back(Node::Member{std::move(f.key), Node{}});
    f.key.clear();
    return &f.node->members.back().value;
  }

  absl::Status CheckPlain(const yaml_event_t& e, const Place& at) {
    const yaml_char_t* anchor = nullptr;
    const yaml_char_t* tag = nullptr;
    bool implicit = true;
    if (e.type == YAML_SCALAR_EVENT) {
      anchor = e.data.scalar.anchor;
      tag = e.data.scalar.tag;
      implicit = e.data.scalar.plain_implicit || e.data.scalar.quoted_implicit;
    } else if (e.type == YAML_SEQUENCE_START_EVENT) {
      anchor = e.data.sequence_start.anchor;
      tag = e.data.sequence_start.tag;
      implicit = e.data.sequence_start.implicit;
    } else {
      anchor = e.data.mapping_start.anchor;
      tag = e.data.mapping_start.tag;
      implicit = e.data.mapping_start.implicit;
    }
    if (anchor != nullptr) {
      return Fail(error_, at,
                  fmt::format("anchors are not supported (&{}): write the value out",
                              reinterpret_cast<const char*>(anchor)));
    }
    if (tag != nullptr && !implicit) {
      return Fail(error_, at,
                  fmt::format("tags are not supported ({}): quote a string instead",
                              reinterpret_cast<const char*>(tag)));
    }
    return absl::OkStatus();
  }

  absl::Status SyntaxError() {
    std::string what = parser_.problem != nullptr ? parser_.problem : "invalid YAML";
    if (parser_.context != nullptr) what = fmt::format("{} {}", parser_.context, what);
    if (parser_.error == YAML_READER_ERROR) {
      // The reader reports a byte offset only.
      Place at = lines_.At(parser_.problem_mark);
      return Fail(error_, at, what);
    }
    return Fail(error_, lines_.At(parser_.problem_mark), what);
  }

  std::string_view text_;
  Lines lines_;
  Diagnostic* error_;
  yaml_parser_t parser_;
  std::vector<Frame> stack_;
  size_t nodes_ = 0;
};

}  // namespace

absl::StatusOr<Node> ParseYaml(std::string_view text, Diagnostic* error,
                               size_t max_bytes) {
  if (text.size() > max_bytes) {
    const std::string message = fmt::format(
        "the document is {} bytes, more than the limit of {}", text.size(), max_bytes);
    if (error != nullptr) *error = Diagnostic{message, 0, 0, 0};
    return absl::ResourceExhaustedError(message);
  }
  Parser parser(text, error);
  return parser.Parse();
}

}  // namespace ccengine::yaml
