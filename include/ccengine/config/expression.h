// -----------------------------------------------------------------------------
// File: ccengine/config/expression.h
// -----------------------------------------------------------------------------
//
// The expression language of entry-flow filters ("route a voice call from a VIP
// whose text mentions 紧急 to the priority queue"), in the manner of Twilio
// TaskRouter's target expressions. The caller describes the attributes a
// contact can have in a `Schema`; `Compile` checks a text against it once;
// `Expression::Evaluate` then decides a contact from its `Bindings` (one value
// per attribute, found by an index fixed at compile time: no name lookups and
// no allocation while evaluating), and a `ConditionList` finds the first of
// several that holds. docs/routing-config.md has the tutorial.
//
// Grammar (keywords case-insensitive; whitespace is space, tab, CR, LF):
//
//   expression := or
//   or         := and { OR and }
//   and        := comparison { AND comparison }
//   comparison := unary [ operator unary ]
//   unary      := NOT unary | primary
//   primary    := attribute | literal | list | '(' expression ')'
//   operator   := '==' | '!=' | '<' | '<=' | '>' | '>=' | IN | HAS | CONTAINS
//   attribute  := name { '.' name }             name := [A-Za-z_][A-Za-z0-9_]*
//   literal    := string | number | TRUE | FALSE
//   string     := '...' | "..."  UTF-8; escapes \' \" \\ only
//   number     := [-] digits [ '.' digits ]     integers and decimals, as double
//   list       := '[' [ literal { ',' literal } ] ']'  all strings or all numbers
//
// Precedence, tightest first: NOT, comparisons, AND, OR. So NOT applies to the
// primary after it (`NOT customer.vip`, `NOT (ivr.choice == '1')`);
// `NOT ivr.choice == '1'` is `(NOT ivr.choice) == '1'`, a type error that says
// to add parentheses. A comparison does not chain (`a < b < c` is an error).
//
// Types: every attribute has a `ValueType`; every part of an expression has a
// type, and a mismatch is a compile error:
//   ==  !=            two numbers, two strings or two bools (strings compare
//                     bytes exactly)
//   <  <=  >  >=      two numbers
//   x IN [..]         a string or number x in a list literal of its type, or a
//                     string x in a string-list attribute
//   list HAS x        a string-list attribute has the string x as an element
//   s CONTAINS t      the string s contains t; ASCII letters match either case,
//                     other bytes exactly (紧急, 火灾, "FIRE" in "a fire")
//   AND  OR  NOT      bools
// The whole expression must be a bool. A bool attribute or TRUE/FALSE alone is
// a condition.
//
// Unset attributes: a `Bindings` slot may be unset (the contact has no such
// value). Every comparison with an unset operand is false — `!=` too — and an
// unset bool used as a condition is false; NOT, AND and OR see only those bools,
// so `NOT (customer.tier == 'gold')` is true for a contact without a tier.
//
// Errors: `Compile` fails with absl::InvalidArgumentError. Its message lists
// the first lexical or syntax error, or every unknown attribute and type error
// (up to `kMaxExpressionErrors`), joined by "; ", each with its place as
// line:column (1-based; columns count code points) and byte offset (0-based):
//   "expected ')' at 1:17 (byte 16), found end of input"
//   "unknown attribute 'customer.teir' at 1:1 (byte 0); did you mean
//    'customer.tier'?"
// Pass `diagnostics` to get the same errors one by one.
//
// Limits: the text is at most `kMaxExpressionBytes`, parentheses and NOTs nest
// at most `kMaxExpressionDepth` deep, a list literal has at most
// `kMaxListItems` items, a name at most `kMaxNameBytes` bytes, a number at
// most `kMaxNumberBytes` characters. Each excess is an InvalidArgument with its
// place; the compiler never recurses deeper than the nesting limit.
//
// Thread safety: a `Schema`, a compiled `Expression` and a `ConditionList` are
// immutable once built; their const methods may be called from any number of
// threads at once (copies share the compiled program). A `Bindings` is a
// plain value: one thread writes it, then any number may evaluate against it.
//
// Example:
//   ccengine::config::Schema schema;
//   auto channel = schema.Add("contact.channel", ValueType::kString);
//   auto text = schema.Add("contact.text", ValueType::kString);
//   auto hour = schema.Add("time.hour", ValueType::kNumber);
//   absl::StatusOr<ccengine::config::Expression> filter = ccengine::config::Compile(
//       "contact.channel IN ['voice', 'chat'] AND (contact.text CONTAINS '紧急' OR "
//       "time.hour >= 22)", schema);
//   if (!filter.ok()) return filter.status();
//   ccengine::config::Bindings values(schema);
//   values.SetString(*channel, "voice");
//   values.SetString(*text, "家里着火了，紧急！");
//   bool route = filter->Evaluate(values);  // true; time.hour is unset

#ifndef CCENGINE_CONFIG_EXPRESSION_H_
#define CCENGINE_CONFIG_EXPRESSION_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ccengine::config {

inline constexpr size_t kMaxExpressionBytes = size_t{64} << 10;
inline constexpr int kMaxExpressionDepth = 64;
inline constexpr size_t kMaxListItems = 1024;
inline constexpr size_t kMaxNameBytes = 128;
inline constexpr size_t kMaxNumberBytes = 64;
inline constexpr size_t kMaxExpressionErrors = 16;
inline constexpr size_t kMaxSchemaAttributes = 4096;

enum class ValueType : uint8_t { kString, kNumber, kBool, kStringList };

// "string", "number", "bool", "string list".
std::string_view ValueTypeName(ValueType type);

// An attribute's index in its schema (0, 1, 2, ... in the order of `Add`).
using AttributeId = uint32_t;

namespace internal {
struct Program;
struct Evaluator;
class Compiler;
}  // namespace internal

// The attributes an expression may name, with their types.
class Schema {
 public:
  // Adds an attribute. InvalidArgument when the name does not follow the
  // grammar's `attribute` rule or is a keyword, AlreadyExists when it is there,
  // ResourceExhausted past kMaxSchemaAttributes.
  absl::StatusOr<AttributeId> Add(std::string_view name, ValueType type);

  std::optional<AttributeId> Find(std::string_view name) const;
  size_t size() const { return names_.size(); }
  const std::string& name(AttributeId id) const { return names_[id]; }
  ValueType type(AttributeId id) const { return types_[id]; }

 private:
  std::vector<std::string> names_;
  std::vector<ValueType> types_;
  std::map<std::string, AttributeId, std::less<>> ids_;
};

// One contact's values, one slot per attribute of a schema, all unset at
// first. Setters return false (and change nothing) when `id` is not an
// attribute of that type in the schema the bindings were made from. Setting
// reuses the slot's storage, so refilling one Bindings per contact settles into
// allocating nothing.
class Bindings {
 public:
  explicit Bindings(const Schema& schema);

  bool SetString(AttributeId id, std::string_view value);
  bool SetNumber(AttributeId id, double value);
  bool SetBool(AttributeId id, bool value);
  bool SetStringList(AttributeId id, const std::vector<std::string>& values);
  void Unset(AttributeId id);
  void UnsetAll();

  size_t size() const { return slots_.size(); }

 private:
  friend struct internal::Evaluator;
  struct Slot {
    ValueType type = ValueType::kString;
    bool set = false;
    bool boolean = false;
    double number = 0;
    std::string text;
    std::vector<std::string> list;
  };
  Slot* Writable(AttributeId id, ValueType type);

  std::vector<Slot> slots_;
};

// A compiled expression: immutable, cheap to copy.
class Expression {
 public:
  // Whether `bindings` satisfy the expression. Allocates nothing. Bindings
  // made from another schema are safe: a slot that is missing or of another
  // type than the compiled schema's reads as unset.
  bool Evaluate(const Bindings& bindings) const;

  // The source text as compiled.
  const std::string& text() const;
  // A canonical, fully parenthesized form that compiles to the same
  // expression: `((contact.channel == "voice") AND NOT customer.vip)`.
  std::string DebugString() const;

 private:
  friend class internal::Compiler;
  friend class ConditionList;
  explicit Expression(std::shared_ptr<const internal::Program> program);
  std::shared_ptr<const internal::Program> program_;
};

// An ordered list of expressions (an entry flow's filters) that finds the
// first one holding for a contact — what trying `Evaluate` on each in turn
// gives — without trying them all: expressions with a guard (`attr == 'x'`,
// `attr IN [...]`, a number attribute compared with a number, or an AND with
// such parts; or an OR each of whose branches has one) are indexed by it, so
// one lookup per guarded attribute (at most 8 are indexed) leaves only the
// expressions the contact's values admit and the unguarded ones to try, in
// order; with no guard at all, the list is one chained program.
// docs/routing-config.md#how-a-flow-decides-fast.
// Immutable, cheap to copy; it keeps the expressions' compiled programs alive.
//
// Example:
//   ConditionList filters({*Compile("ivr.choice == '1'", schema),
//                          *Compile("contact.text CONTAINS '紧急'", schema)});
//   int first = filters.FirstMatch(values);  // 0, 1, or -1 when none holds
class ConditionList {
 public:
  ConditionList() = default;  // no conditions: FirstMatch is -1
  explicit ConditionList(const std::vector<Expression>& conditions);

  // The index of the first condition that `bindings` satisfy, or -1.
  // Allocates nothing.
  int FirstMatch(const Bindings& bindings) const;
  size_t size() const;
  // How many of the conditions the index lists under a guard (the others are
  // tried for every contact): what a flow's author can check.
  size_t indexed() const;

 private:
  struct Chain;
  std::shared_ptr<const Chain> chain_;
};

// One compile error.
struct Diagnostic {
  std::string message;  // with its place, as in the status message
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based, in code points
  uint32_t offset = 0;  // 0-based byte offset

  friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

// Compiles `text` against `schema` (which must outlive nothing: the expression
// keeps the attribute indexes and names it needs). On failure, and when
// `diagnostics` is not null, the errors are also appended there.
absl::StatusOr<Expression> Compile(std::string_view text, const Schema& schema,
                                   std::vector<Diagnostic>* diagnostics = nullptr);

}  // namespace ccengine::config

#endif  // CCENGINE_CONFIG_EXPRESSION_H_
