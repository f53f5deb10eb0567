// YAML text to the configuration document tree (ParseYaml, ccengine/yaml/routing_yaml.h),
// from libyaml's event stream: an explicit stack, so nesting costs no
// recursion, and every value keeps the place libyaml marks for it.

#include <locale.h>
#include <stdlib.h>
#include <yaml.h>

#include <algorithm>
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
  // `first` is where the first line starts (past a byte order mark).
  Lines(std::string_view text, size_t first) : text_(text) {
    starts_.push_back(static_cast<uint32_t>(first));
    for (size_t i = first; i < text.size(); ++i) {
      if (text[i] == '\n') starts_.push_back(static_cast<uint32_t>(i + 1));
    }
    offset_ = first;
  }
  Place At(const yaml_mark_t& mark) {
    Place p;
    if (mark.line >= starts_.size()) {
      // libyaml ends a text without a final line break on a line of its
      // own; the place is the end of the text's last line (counted once).
      if (end_.line == 0) {
        end_.line = static_cast<uint32_t>(starts_.size());
        end_.column = 1;
        for (size_t i = starts_.back(); i < text_.size(); ++i) {
          if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++end_.column;
        }
        end_.offset = static_cast<uint32_t>(text_.size());
      }
      return end_;
    }
    p.line = static_cast<uint32_t>(mark.line) + 1;
    p.column = static_cast<uint32_t>(mark.column) + 1;
    if (mark.line != line_ || mark.column < column_) {
      line_ = mark.line;
      column_ = 0;
      offset_ = starts_[mark.line];
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
  Place end_;  // line 0 until needed
};

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

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
    const size_t sign = text.front() == '-' || text.front() == '+' ? 1 : 0;
    if (text.size() > sign + 1 && text[sign] == '0' && text[sign + 1] >= '0' &&
        text[sign + 1] <= '9') {
      // YAML 1.1 reads 010 as 8, YAML 1.2 as 10: neither is assumed.
      return Fail(error, at,
                  fmt::format("a number may not start with 0 followed by digits ({}): "
                              "write it without the zeros, or quote it for a string",
                              text));
    }
    const std::string copy(text);
    // Past the largest double is refused; below the smallest, the nearest
    // (subnormal, or 0), as the JSON reader reads it. The "C" locale's
    // decimal point, whatever the embedding program's locale.
    static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", locale_t{});
    const double value = strtod_l(copy.c_str(), nullptr, c_locale);
    if (!std::isfinite(value)) {
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
  // `text` is UTF-8: a leading byte order mark is skipped (places still
  // count its bytes); libyaml is told the encoding, so UTF-16 is invalid.
  Parser(std::string_view text, Diagnostic* error)
      : text_(text),
        skip_(text.substr(0, kByteOrderMark.size()) == kByteOrderMark
                  ? kByteOrderMark.size()
                  : 0),
        lines_(text, skip_),
        error_(error) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_encoding(&parser_, YAML_UTF8_ENCODING);
    yaml_parser_set_input_string(
        &parser_, reinterpret_cast<const unsigned char*>(text.data()) + skip_,
        text.size() - skip_);
  }
  ~Parser() { yaml_parser_delete(&parser_); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  absl::StatusOr<Node> Parse() {
    if (absl::Status st = CheckLineBreaks(); !st.ok()) return st;
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
          if (const yaml_version_directive_t* v =
                  event.data.document_start.version_directive;
              v != nullptr && !(v->major == 1 && v->minor == 2)) {
            // Under 1.1, yes/no/on/off are bools and 010 is octal.
            return Fail(error_, at,
                        fmt::format("%YAML {}.{}: the file is read as YAML 1.2; drop the "
                                    "directive or write %YAML 1.2",
                                    v->major, v->minor));
          }
          if (event.data.document_start.tag_directives.start !=
              event.data.document_start.tag_directives.end) {
            return Fail(error_, at, "%TAG directives are not supported");
          }
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
              return Fail(error_, at, config::DuplicateKeyMessage(f.key, '\''));
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
    if (e.type == YAML_SCALAR_EVENT) {
      anchor = e.data.scalar.anchor;
      tag = e.data.scalar.tag;
    } else if (e.type == YAML_SEQUENCE_START_EVENT) {
      anchor = e.data.sequence_start.anchor;
      tag = e.data.sequence_start.tag;
    } else {
      anchor = e.data.mapping_start.anchor;
      tag = e.data.mapping_start.tag;
    }
    if (anchor != nullptr) {
      return Fail(error_, at,
                  fmt::format("anchors are not supported (&{}): write the value out",
                              reinterpret_cast<const char*>(anchor)));
    }
    // Any tag, the non-specific `!` included, would change how the value
    // reads.
    if (tag != nullptr) {
      return Fail(error_, at,
                  fmt::format("tags are not supported ({}): quote a string instead",
                              reinterpret_cast<const char*>(tag)));
    }
    return absl::OkStatus();
  }

  // The place of a byte of the text, counted from the start (for errors
  // libyaml reports by offset, and those found before it runs).
  Place PlaceOfByte(size_t offset) const {
    Place at;
    at.line = 1;
    at.column = 1;
    at.offset = static_cast<uint32_t>(std::min(offset, text_.size()));
    for (size_t j = skip_; j < at.offset; ++j) {
      if (text_[j] == '\n') {
        ++at.line;
        at.column = 1;
      } else if ((static_cast<unsigned char>(text_[j]) & 0xC0) != 0x80) {
        ++at.column;
      }
    }
    return at;
  }

  // Lines end in LF or CRLF. libyaml (YAML 1.1) also breaks lines at a lone
  // CR, U+0085, U+2028 and U+2029, which YAML 1.2 and editors do not: a
  // value would read differently from how it looks, and places would be
  // off.
  absl::Status CheckLineBreaks() const {
    struct Break {
      std::string_view bytes, name, escape;
    };
    static constexpr Break kBreaks[] = {{"\r", "a lone CR", "\\r"},
                                        {"\xC2\x85", "U+0085", "\\N"},
                                        {"\xE2\x80\xA8", "U+2028", "\\L"},
                                        {"\xE2\x80\xA9", "U+2029", "\\P"}};
    for (size_t i = skip_; i < text_.size(); ++i) {
      const std::string_view rest = text_.substr(i);
      if (rest.substr(0, 2) == "\r\n") {
        ++i;
        continue;
      }
      for (const Break& b : kBreaks) {
        if (rest.substr(0, b.bytes.size()) != b.bytes) continue;
        return Fail(
            error_, PlaceOfByte(i),
            fmt::format("{} is a line break under YAML 1.1 only: end lines with LF "
                        "or CRLF (in a double-quoted string, write {})",
                        b.name, b.escape));
      }
    }
    return absl::OkStatus();
  }

  absl::Status SyntaxError() {
    std::string what = parser_.problem != nullptr ? parser_.problem : "invalid YAML";
    if (parser_.context != nullptr) what = fmt::format("{} {}", parser_.context, what);
    if (parser_.error == YAML_READER_ERROR) {
      // The reader reports a byte offset (in the text it was given) only.
      return Fail(error_, PlaceOfByte(skip_ + parser_.problem_offset), what);
    }
    return Fail(error_, lines_.At(parser_.problem_mark), what);
  }

  std::string_view text_;
  size_t skip_;
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
