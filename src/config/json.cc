// The strict JSON parser behind configuration documents (document.h).

#include <locale.h>
#include <stdlib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "ccengine/config/document.h"
#include "config/lexer.h"
#include "fmt/format.h"

namespace ccengine::config {
namespace {

using internal::At;
using internal::Utf8Length;

void AppendUtf8(uint32_t code, std::string& out) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  bool Parse(Node* root) {
    SkipSpace();
    if (!Value(root, 1)) return false;
    SkipSpace();
    if (pos_ != text_.size()) return Fail(pos_, "expected end of input", Found());
    return true;
  }

  const Diagnostic& error() const { return error_; }

 private:
  bool Fail(size_t offset, std::string_view what, std::string_view rest = {}) {
    error_ = At(text_, offset, what, rest);
    return false;
  }

  // ", found 'x'" / ", found end of input" / ", found byte 0xff".
  std::string Found() const {
    if (pos_ >= text_.size()) return ", found end of input";
    const size_t n = Utf8Length(text_, pos_);
    if (n == 0) {
      return fmt::format(", found byte 0x{:02x}",
                         static_cast<unsigned char>(text_[pos_]));
    }
    const unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c < 0x20) return fmt::format(", found control character 0x{:02x}", c);
    return fmt::format(", found '{}'", text_.substr(pos_, n));
  }

  void SkipSpace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }

  bool Value(Node* node, int depth) {
    if (++nodes_ > kMaxDocumentNodes) {
      return Fail(pos_, fmt::format("more than {} values", kMaxDocumentNodes));
    }
    node->place = PlaceOf(pos_);
    if (pos_ >= text_.size()) return Fail(pos_, "expected a value", Found());
    const char c = text_[pos_];
    switch (c) {
      case '{':
        if (depth > kMaxDocumentDepth) {
          return Fail(pos_,
                      fmt::format("nested deeper than {} levels", kMaxDocumentDepth));
        }
        return Object(node, depth);
      case '[':
        if (depth > kMaxDocumentDepth) {
          return Fail(pos_,
                      fmt::format("nested deeper than {} levels", kMaxDocumentDepth));
        }
        return Array(node, depth);
      case '"': node->kind = Node::Kind::kString; return String(&node->text);
      case 't':
      case 'f':
      case 'n': return Literal(node);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return Number(node);
        return Fail(pos_, "expected a value", Found());
    }
  }

  bool Literal(Node* node) {
    const auto match = [&](std::string_view word) {
      return text_.substr(pos_, word.size()) == word;
    };
    if (match("true") || match("false")) {
      node->kind = Node::Kind::kBool;
      node->boolean = text_[pos_] == 't';
      pos_ += node->boolean ? 4 : 5;
    } else if (match("null")) {
      node->kind = Node::Kind::kNull;
      pos_ += 4;
    } else {
      return Fail(pos_, "expected a value", Found());
    }
    // "trueish" is one bad word, not true followed by junk.
    if (pos_ < text_.size() && ((text_[pos_] >= 'a' && text_[pos_] <= 'z') ||
                                (text_[pos_] >= 'A' && text_[pos_] <= 'Z'))) {
      return Fail(node->place.offset, "expected a value",
                  ", found a word that is not true, false or null");
    }
    return true;
  }

  bool Number(Node* node) {
    const size_t begin = pos_;
    const auto digits = [&]() {
      const size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ - from;
    };
    if (text_[pos_] == '-') ++pos_;
    const size_t int_begin = pos_;
    const size_t int_digits = digits();
    if (int_digits == 0) return Fail(pos_, "expected a digit", Found());
    if (int_digits > 1 && text_[int_begin] == '0') {
      return Fail(int_begin, "a number may not start with 0 followed by digits");
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (digits() == 0) return Fail(pos_, "expected a digit after '.'", Found());
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (digits() == 0) return Fail(pos_, "expected a digit in the exponent", Found());
    }
    double value = 0;
    const auto [end, ec] =
        std::from_chars(text_.data() + begin, text_.data() + pos_, value);
    if (ec == std::errc::result_out_of_range) {
      // from_chars leaves `value` alone here; strtod tells overflow (a number
      // no file means) from underflow (harmlessly zero).
      const std::string copy(text_.substr(begin, pos_ - begin));
      // The "C" locale's decimal point, whatever the program's locale.
      static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", locale_t{});
      value = strtod_l(copy.c_str(), nullptr, c_locale);
      if (!std::isfinite(value) || std::fabs(value) > 1) {
        return Fail(begin, "number out of range");
      }
      value = 0;
    } else if (ec != std::errc() || end != text_.data() + pos_ || !std::isfinite(value)) {
      return Fail(begin, "malformed number");
    }
    node->kind = Node::Kind::kNumber;
    node->number = value;
    return true;
  }

  bool Hex4(uint32_t* out) {
    if (pos_ + 4 > text_.size()) return Fail(pos_, "expected 4 hex digits after \\u");
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      const char c = text_[pos_ + k];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return Fail(pos_ + k, "expected 4 hex digits after \\u");
      }
    }
    pos_ += 4;
    *out = v;
    return true;
  }

  bool String(std::string* out) {
    const size_t open = pos_++;
    out->clear();
    while (true) {
      if (pos_ >= text_.size()) return Fail(open, "unterminated string");
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) {
        return Fail(pos_, "control character in a string",
                    " (write it as an escape such as \\n)");
      }
      if (c != '\\') {
        const size_t n = Utf8Length(text_, pos_);
        if (n == 0) return Fail(pos_, "invalid UTF-8", Found());
        out->append(text_.substr(pos_, n));
        pos_ += n;
        continue;
      }
      const size_t escape = pos_++;
      if (pos_ >= text_.size()) return Fail(open, "unterminated string");
      const char e = text_[pos_++];
      switch (e) {
        case '"': *out += '"'; break;
        case '\\': *out += '\\'; break;
        case '/': *out += '/'; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'u': {
          uint32_t code = 0;
          if (!Hex4(&code)) return false;
          if (code >= 0xDC00 && code <= 0xDFFF) {
            return Fail(escape, "a low surrogate escape without its high surrogate");
          }
          if (code >= 0xD800 && code <= 0xDBFF) {
            uint32_t low = 0;
            if (text_.substr(pos_, 2) != "\\u") {
              return Fail(escape, "a high surrogate escape without its low surrogate");
            }
            pos_ += 2;
            if (!Hex4(&low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) {
              return Fail(escape, "a high surrogate escape without its low surrogate");
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(code, *out);
          break;
        }
        default:
          pos_ = escape + 1;
          return Fail(escape, "unknown escape after '\\'", Found());
      }
    }
  }

  bool Array(Node* node, int depth) {
    node->kind = Node::Kind::kArray;
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      node->items.emplace_back();
      if (!Value(&node->items.back(), depth + 1)) return false;
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        SkipSpace();
        if (pos_ < text_.size() && text_[pos_] == ']') {
          return Fail(pos_, "expected a value after ','",
                      " (no trailing commas in JSON)");
        }
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return Fail(pos_, "expected ',' or ']'", Found());
    }
  }

  bool Object(Node* node, int depth) {
    node->kind = Node::Kind::kObject;
    ++pos_;
    absl::flat_hash_set<std::string> keys;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      if (pos_ >= text_.size() || text_[pos_] != '"') {
        return Fail(pos_, "expected a key in double quotes", Found());
      }
      const size_t key_at = pos_;
      std::string key;
      if (!String(&key)) return false;
      // Past a few keys a set finds repeats in constant time.
      bool repeated = false;
      if (node->members.size() < 8) {
        repeated = node->Find(key) != nullptr;
        if (!repeated && node->members.size() == 7) {
          for (const auto& member : node->members) keys.insert(member.key);
          keys.insert(key);
        }
      } else {
        repeated = !keys.insert(key).second;
      }
      if (repeated) {
        return Fail(key_at, DuplicateKeyMessage(key, '"'));
      }
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') {
        return Fail(pos_, "expected ':' after a key", Found());
      }
      ++pos_;
      SkipSpace();
      node->members.push_back(Node::Member{std::move(key), Node{}});
      if (!Value(&node->members.back().value, depth + 1)) return false;
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        SkipSpace();
        if (pos_ < text_.size() && text_[pos_] == '}') {
          return Fail(pos_, "expected a key after ','", " (no trailing commas in JSON)");
        }
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return Fail(pos_, "expected ',' or '}'", Found());
    }
  }

  // Places advance with the parse, so each costs the bytes since the last.
  Place PlaceOf(size_t offset) {
    for (; scanned_ < offset; ++scanned_) {
      const unsigned char c = static_cast<unsigned char>(text_[scanned_]);
      if (c == '\n') {
        ++line_;
        column_ = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++column_;
      }
    }
    return Place{line_, column_, static_cast<uint32_t>(offset)};
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t nodes_ = 0;
  size_t scanned_ = 0;
  uint32_t line_ = 1;
  uint32_t column_ = 1;
  Diagnostic error_;
};

}  // namespace

const Node* Node::Find(std::string_view key) const {
  if (kind != Kind::kObject) return nullptr;
  for (const Member& member : members) {
    if (member.key == key) return &member.value;
  }
  return nullptr;
}

std::string DuplicateKeyMessage(std::string_view key, char quote) {
  const bool quotable =
      key.size() <= 64 && std::none_of(key.begin(), key.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
      });
  if (!quotable) return "duplicate key";
  return fmt::format("duplicate key {}{}{}", quote, key, quote);
}

std::string_view KindName(Node::Kind kind) {
  switch (kind) {
    case Node::Kind::kNull: return "null";
    case Node::Kind::kBool: return "a bool";
    case Node::Kind::kNumber: return "a number";
    case Node::Kind::kString: return "a string";
    case Node::Kind::kArray: return "an array";
    case Node::Kind::kObject: return "an object";
  }
  return "a value";
}

absl::StatusOr<Node> ParseJson(std::string_view text, Diagnostic* error,
                               size_t max_bytes) {
  if (text.size() > max_bytes || text.size() > UINT32_MAX) {
    const std::string message = fmt::format(
        "the document is {} bytes, more than the limit of {}", text.size(), max_bytes);
    if (error != nullptr) *error = Diagnostic{message, 1, 1, 0};
    return absl::ResourceExhaustedError(message);
  }
  Parser parser(text);
  Node root;
  if (!parser.Parse(&root)) {
    if (error != nullptr) *error = parser.error();
    return absl::InvalidArgumentError(parser.error().message);
  }
  return root;
}

}  // namespace ccengine::config
