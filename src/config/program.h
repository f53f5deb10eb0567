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
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
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

// The decision code of one or more expressions: the condition tree flattened
// into leaf tests, each with the step to take when it fails and when it holds
// (NOT swaps them, AND and OR chain them), so evaluation is a loop over one
// array with no recursion. A leaf whose operands are an attribute and a
// literal gets its own test kind with the literal inline; any other leaf
// (two attributes, a comparison of bools, ...) reads its node in the tree.
//
// Example (for `a == 'x' AND NOT b`, a a string, b a bool):
//   steps = [ {kStringEq, slot a, "x", next = {exit 0, 1}},
//             {kBoolAttribute, slot b, next = {exit 1, exit 0}} ],  entry = 0
enum class Test : uint8_t {
  kBoolAttribute,  // a set bool that is true
  kStringEq,       // a set string equal to pool[a, a + b); `negate` for !=
  kNumberEq,       // a set number == `number`; `negate` for !=
  kNumberLt,       // a set number < `number`
  kNumberLe,       // a set number <= `number`
  kNumberGt,       // a set number > `number`
  kNumberGe,       // a set number >= `number`
  kStringIn,       // a set string equal to one of items[a, b)
  kNumberIn,       // a set number equal to one of numbers[a, b)
  kHas,            // a set string list with an element equal to pool[a, a + b)
  kContains,       // a set string containing pool[a, a + b), ASCII case folded
  kTree,           // programs[b]'s node a, by the tree evaluator
};

// `next` values from kExit up are results: kExit + r ends with r.
inline constexpr uint32_t kExit = uint32_t{1} << 31;

struct Step {
  Test test = Test::kTree;
  bool negate = false;
  ValueType type = ValueType::kString;  // the attribute's, for every test but kTree
  uint32_t slot = 0;                    // the attribute read
  uint32_t a = 0;
  uint32_t b = 0;
  double number = 0;
  uint32_t next[2] = {kExit, kExit};  // [when the test fails, when it holds]
};

struct Program;

struct Code {
  std::vector<Step> steps;
  std::string pool;                                  // string literals
  std::vector<std::pair<uint32_t, uint32_t>> items;  // kStringIn: offset, length
  std::vector<double> numbers;                       // kNumberIn
  std::vector<const Program*> programs;              // kTree
  uint32_t entry = kExit;                            // a step, or the result
};

struct Program {
  Program() = default;
  // `code` refers to the program itself (a kTree step's program 0): a copy
  // would read the original's tree.
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  std::string text;
  std::vector<Node> nodes;
  std::vector<uint32_t> children;
  std::vector<std::string> strings;
  std::vector<double> numbers;
  std::vector<std::string> number_texts;  // numbers' source text, for DebugString
  uint32_t root = 0;
  Code code;  // the tree above as decision code: exit 1 when it holds, else 0
};

// Fills `program.code` from its tree (decision_code.cc).
void GenerateCode(Program& program);

// One program whose result is 1 + the index of the first of `programs` whose
// expression holds, or 0 when none does.
Code ChainCode(const std::vector<const Program*>& programs);

// An index of a list of conditions by their guards. A condition that is
// `attr == 'x'`, `attr IN ['x', 'y']`, a comparison of a number attribute with
// a number (`time.hour >= 22`), or an AND with such parts, cannot hold unless
// the contact's `attr` is one of those values or in that range. So the
// conditions worth trying for a contact are the unguarded ones and, for each
// indexed attribute, those listed under the contact's value — a hash lookup
// (strings) or a binary search over the ranges' ends (numbers) per attribute
// instead of a test per condition. Each condition is listed under at most one
// attribute (the one guarding most conditions); at most kMaxGuards attributes
// are indexed, the conditions guarded only by others count as unguarded. A
// condition without such a part but with an OR (at the top, or as a part of
// its AND) each of whose branches has one (`lang == 'en' OR ivr == '8'`) is
// listed under each branch's guard, and tried once when several admit it. A
// number attribute whose ranges nest so that its regions would list more than
// kMaxRegionListing conditions each on average is not indexed.
inline constexpr size_t kMaxGuards = 8;
inline constexpr size_t kMaxRegionListing = 16;

struct GuardIndex {
  struct Guard {
    AttributeId slot = 0;
    bool number = false;
    // A string value → the range of `members` listing the conditions it admits.
    absl::flat_hash_map<std::string, std::pair<uint32_t, uint32_t>> values;
    // Numbers: the ranges' ends, ascending, and for each of the regions they
    // cut the line into — (-inf, p0), [p0], (p0, p1), ..., (p_last, +inf) —
    // the range of `members` listing the conditions it admits.
    std::vector<double> points;
    std::vector<std::pair<uint32_t, uint32_t>> regions;
  };
  std::vector<Guard> guards;                // empty: no condition has a guard
  std::pair<uint32_t, uint32_t> unguarded;  // a range of `members`
  std::vector<uint32_t> members;            // condition indexes, ascending per range
};

GuardIndex BuildGuardIndex(const std::vector<const Program*>& programs);

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
