// -----------------------------------------------------------------------------
// File: src/config/program.h (private to ccengine::config)
// -----------------------------------------------------------------------------
//
// The compiled form of an expression: a flat array of typed nodes that refer to
// their children, literals and attributes by index, so evaluation follows
// indexes and allocates nothing. The compiler (compiler.cc) builds it; the
// evaluator and `DebugString` (expression.cc) read it.
//
// Thread safety: a `Program` is immutable once built and shared read-only by
// the copies of an `Expression`.
//
// Example (for `time.hour >= 22`):
//   nodes = [ {kAttribute, kNumber, a=hour's id, b=name's string},
//             {kNumberLiteral, kNumber, number=22, b="22"},
//             {kCompare, kBool, op=kGe, a=0, b=1} ],  root = 2

#ifndef CCENGINE_SRC_CONFIG_PROGRAM_H_
#define CCENGINE_SRC_CONFIG_PROGRAM_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

#include "ccengine/config/expression.h"

namespace ccengine::config::internal {

// The type of a part of an expression: the attribute types plus the list
// literals and a marker for a part whose error has been reported.
enum class Type : uint8_t {
  kString,
  kNumber,
  kBool,
  kStringList,  // an attribute
  kStringListLiteral,
  kNumberListLiteral,
  kEmptyListLiteral,
  kError,
};

enum class Op : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kIn, kHas, kContains };

enum class NodeKind : uint8_t {
  kBoolLiteral,    // boolean
  kNumberLiteral,  // number; strings[b] is its source text
  kStringLiteral,  // strings[a]
  kList,           // strings[a, b) or numbers[a, b), by type
  kAttribute,      // attribute id a; strings[b] is its name
  kNot,            // child a
  kAnd,            // children[a, b)
  kOr,             // children[a, b)
  kCompare,        // a op b
};

struct Node {
  NodeKind kind = NodeKind::kBoolLiteral;
  Type type = Type::kBool;
  Op op = Op::kEq;
  bool boolean = false;
  double number = 0;
  uint32_t a = 0;
  uint32_t b = 0;
};

struct Program {
  std::string text;
  std::vector<Node> nodes;
  std::vector<uint32_t> children;
  std::vector<std::string> strings;
  std::vector<double> numbers;
  std::vector<std::string> number_texts;  // numbers' source text, for DebugString
  uint32_t root = 0;
};

// The schema type an attribute node of `type` reads.
inline ValueType AttributeValueType(Type type) {
  switch (type) {
    case Type::kString: return ValueType::kString;
    case Type::kNumber: return ValueType::kNumber;
    case Type::kBool: return ValueType::kBool;
    default: return ValueType::kStringList;
  }
}

// "==", "IN", ...
const char* OpName(Op op);

// Compile without the "did you mean" of unknown attributes: for a loader that
// has reported all the errors it will show and only needs to know whether
// more fail.
absl::StatusOr<Expression> CompileWithoutSuggestions(
    std::string_view text, const Schema& schema, std::vector<Diagnostic>* diagnostics);

}  // namespace ccengine::config::internal

#endif  // CCENGINE_SRC_CONFIG_PROGRAM_H_
