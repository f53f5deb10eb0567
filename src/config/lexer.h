// -----------------------------------------------------------------------------
// File: src/config/lexer.h (private to ccengine::config)
// -----------------------------------------------------------------------------
//
// Splits an expression's text into tokens (names, literals, keywords,
// punctuation), decoding string literals and checking their UTF-8, and turns
// byte offsets into the line:column places that every error message carries.
// The grammar is in ccengine/config/expression.h.
//
// Thread safety: free functions without state.
//
// Example:
//   std::vector<Token> tokens;
//   Diagnostic error;
//   if (!Lex("time.hour >= 22", &tokens, &error)) return error.message;
//   // tokens: kName "time.hour", kGe, kNumber 22, kEnd

#ifndef CCENGINE_SRC_CONFIG_LEXER_H_
#define CCENGINE_SRC_CONFIG_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ccengine/config/expression.h"

namespace ccengine::config::internal {

enum class TokenKind : uint8_t {
  kEnd,
  kName,
  kString,
  kNumber,
  kTrue,
  kFalse,
  kAnd,
  kOr,
  kNot,
  kIn,
  kHas,
  kContains,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  uint32_t begin = 0;  // byte range in the text
  uint32_t end = 0;
  std::string value;  // kString: the decoded string
  double number = 0;  // kNumber
};

// Tokenizes `text` (at most kMaxExpressionBytes, checked by the caller); the
// last token is kEnd. False and `*error` set at the first lexical error.
bool Lex(std::string_view text, std::vector<Token>* tokens, Diagnostic* error);

// A diagnostic for `what` at byte `offset` of `text`: the message is
// "<what> at <line>:<column> (byte <offset>)<rest>".
Diagnostic At(std::string_view text, size_t offset, std::string_view what,
              std::string_view rest = {});

// The length of the well-formed UTF-8 sequence at s[i] (1..4), or 0 when
// the bytes there are no such sequence (or i is past the end).
size_t Utf8Length(std::string_view s, size_t i);

// Whether `name` follows the grammar's attribute rule and is no keyword.
bool IsValidAttributeName(std::string_view name);

// How a token appears in "found ..." ("end of input", "a string", "'AND'").
std::string DescribeToken(std::string_view text, const Token& token);

}  // namespace ccengine::config::internal

#endif  // CCENGINE_SRC_CONFIG_LEXER_H_
