// The lexer of the expression language (lexer.h).

#include "config/lexer.h"

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "fmt/format.h"

namespace ccengine::config::internal {
namespace {

bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (x != b[i]) return false;
  }
  return true;
}

struct Keyword {
  std::string_view upper;
  TokenKind kind;
};
constexpr Keyword kKeywords[] = {
    {"AND", TokenKind::kAnd},   {"OR", TokenKind::kOr},
    {"NOT", TokenKind::kNot},   {"IN", TokenKind::kIn},
    {"HAS", TokenKind::kHas},   {"CONTAINS", TokenKind::kContains},
    {"TRUE", TokenKind::kTrue}, {"FALSE", TokenKind::kFalse},
};

TokenKind NameKind(std::string_view word) {
  for (const Keyword& keyword : kKeywords) {
    if (EqualsIgnoringCase(word, keyword.upper)) return keyword.kind;
  }
  return TokenKind::kName;
}

class Lexer {
 public:
  Lexer(std::string_view text, std::vector<Token>* tokens, Diagnostic* error)
      : text_(text), tokens_(tokens), error_(error) {}

  bool Run() {
    while (true) {
      while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                     text_[pos_] == '\r' || text_[pos_] == '\n')) {
        ++pos_;
      }
      if (pos_ == text_.size()) {
        Push(TokenKind::kEnd, pos_, pos_);
        return true;
      }
      if (!Next()) return false;
    }
  }

 private:
  bool Fail(size_t offset, std::string_view what, std::string_view rest = {}) {
    *error_ = At(text_, offset, what, rest);
    return false;
  }

  Token& Push(TokenKind kind, size_t begin, size_t end) {
    Token& token = tokens_->emplace_back();
    token.kind = kind;
    token.begin = static_cast<uint32_t>(begin);
    token.end = static_cast<uint32_t>(end);
    return token;
  }

  bool Next() {
    const size_t begin = pos_;
    const char c = text_[pos_];
    const char next = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    if (IsNameStart(c)) return Name();
    if (IsDigit(c) || (c == '-' && IsDigit(next))) return Number();
    if (c == '\'' || c == '"') return String();
    TokenKind kind = TokenKind::kEnd;
    size_t length = 1;
    switch (c) {
      case '(': kind = TokenKind::kLParen; break;
      case ')': kind = TokenKind::kRParen; break;
      case '[': kind = TokenKind::kLBracket; break;
      case ']': kind = TokenKind::kRBracket; break;
      case ',': kind = TokenKind::kComma; break;
      case '<':
        kind = next == '=' ? TokenKind::kLe : TokenKind::kLt;
        length = next == '=' ? 2 : 1;
        break;
      case '>':
        kind = next == '=' ? TokenKind::kGe : TokenKind::kGt;
        length = next == '=' ? 2 : 1;
        break;
      case '=':
        if (next != '=')
          return Fail(begin, "unexpected character '='", "; did you mean '=='?");
        kind = TokenKind::kEq;
        length = 2;
        break;
      case '!':
        if (next != '=') {
          return Fail(begin, "unexpected character '!'", "; did you mean '!=' or NOT?");
        }
        kind = TokenKind::kNe;
        length = 2;
        break;
      default: {
        const size_t n = Utf8Length(text_, pos_);
        if (n == 0) return Fail(begin, "invalid UTF-8");
        return Fail(begin,
                    fmt::format("unexpected character '{}'", text_.substr(pos_, n)));
      }
    }
    pos_ += length;
    Push(kind, begin, pos_);
    return true;
  }

  bool Name() {
    const size_t begin = pos_;
    while (true) {
      while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
      if (pos_ + 1 < text_.size() && text_[pos_] == '.' && IsNameStart(text_[pos_ + 1])) {
        ++pos_;
        continue;
      }
      break;
    }
    if (pos_ - begin > kMaxNameBytes) {
      return Fail(begin, fmt::format("name longer than {} bytes", kMaxNameBytes));
    }
    Push(NameKind(text_.substr(begin, pos_ - begin)), begin, pos_);
    return true;
  }

  bool Number() {
    const size_t begin = pos_;
    if (text_[pos_] == '-') ++pos_;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    if (pos_ + 1 < text_.size() && text_[pos_] == '.' && IsDigit(text_[pos_ + 1])) {
      ++pos_;
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && (IsNameChar(text_[pos_]) || text_[pos_] == '.')) {
      return Fail(pos_, "malformed number");
    }
    if (pos_ - begin > kMaxNumberBytes) {
      return Fail(begin,
                  fmt::format("number longer than {} characters", kMaxNumberBytes));
    }
    double value = 0;
    const char* first = text_.data() + begin;
    const char* last = text_.data() + pos_;
    const std::from_chars_result result = std::from_chars(first, last, value);
    if (result.ec != std::errc() || result.ptr != last) {
      return Fail(begin, "malformed number");
    }
    Push(TokenKind::kNumber, begin, pos_).number = value;
    return true;
  }

  bool String() {
    const size_t begin = pos_;
    const char quote = text_[pos_++];
    std::string value;
    while (true) {
      if (pos_ >= text_.size()) return Fail(begin, "unterminated string");
      const char c = text_[pos_];
      if (c == quote) {
        ++pos_;
        break;
      }
      if (c == '\\') {
        const char escaped = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
        if (escaped != '\'' && escaped != '"' && escaped != '\\') {
          return Fail(pos_, "unknown escape in string",
                      "; only \\', \\\" and \\\\ are escapes");
        }
        value.push_back(escaped);
        pos_ += 2;
        continue;
      }
      const size_t n = Utf8Length(text_, pos_);
      if (n == 0) return Fail(pos_, "invalid UTF-8 in string");
      value.append(text_.substr(pos_, n));
      pos_ += n;
    }
    Push(TokenKind::kString, begin, pos_).value = std::move(value);
    return true;
  }

  std::string_view text_;
  std::vector<Token>* tokens_;
  Diagnostic* error_;
  size_t pos_ = 0;
};

}  // namespace

size_t Utf8Length(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) -> unsigned {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;
  };
  const unsigned lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned low = 0x80, high = 0xBF;  // the second byte's range
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (byte(1) < low || byte(1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(k) < 0x80 || byte(k) > 0xBF) return 0;
  }
  return length;
}

bool Lex(std::string_view text, std::vector<Token>* tokens, Diagnostic* error) {
  tokens->clear();
  return Lexer(text, tokens, error).Run();
}

Diagnostic At(std::string_view text, size_t offset, std::string_view what,
              std::string_view rest) {
  Diagnostic d;
  d.line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++d.line;
      line_start = i + 1;
    }
  }
  d.column = 1;
  for (size_t i = line_start; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++d.column;
  }
  d.offset = static_cast<uint32_t>(offset);
  d.message =
      fmt::format("{} at {}:{} (byte {}){}", what, d.line, d.column, offset, rest);
  return d;
}

bool IsValidAttributeName(std::string_view name) {
  std::vector<Token> tokens;
  Diagnostic ignored;
  return Lex(name, &tokens, &ignored) && tokens.size() == 2 &&
         tokens[0].kind == TokenKind::kName && tokens[0].begin == 0 &&
         tokens[0].end == name.size();
}

std::string DescribeToken(std::string_view text, const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd: return "end of input";
    case TokenKind::kString: return "a string";
    default:
      return fmt::format("'{}'", text.substr(token.begin, token.end - token.begin));
  }
}

}  // namespace ccengine::config::internal
