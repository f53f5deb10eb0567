// Schema, Bindings and the evaluation of a compiled Expression (expression.h).

#include "ccengine/config/expression.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "config/lexer.h"
#include "config/program.h"
#include "fmt/format.h"

namespace ccengine::config {

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kString: return "string";
    case ValueType::kNumber: return "number";
    case ValueType::kBool: return "bool";
    case ValueType::kStringList: return "string list";
  }
  return "?";
}

// --- Schema ------------------------------------------------------------------

absl::StatusOr<AttributeId> Schema::Add(std::string_view name, ValueType type) {
  if (!internal::IsValidAttributeName(name)) {
    return absl::InvalidArgumentError(fmt::format(
        "attribute name '{}' is not a dotted name of letters, digits and '_' (or is a "
        "keyword)",
        name));
  }
  if (ids_.find(name) != ids_.end()) {
    return absl::AlreadyExistsError(fmt::format("attribute '{}' already exists", name));
  }
  if (names_.size() >= kMaxSchemaAttributes) {
    return absl::ResourceExhaustedError(
        fmt::format("a schema holds at most {} attributes", kMaxSchemaAttributes));
  }
  const auto id = static_cast<AttributeId>(names_.size());
  names_.emplace_back(name);
  types_.push_back(type);
  ids_.emplace(std::string(name), id);
  return id;
}

std::optional<AttributeId> Schema::Find(std::string_view name) const {
  const auto it = ids_.find(name);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

// --- Bindings ----------------------------------------------------------------

Bindings::Bindings(const Schema& schema) : slots_(schema.size()) {
  for (AttributeId id = 0; id < schema.size(); ++id) slots_[id].type = schema.type(id);
}

Bindings::Slot* Bindings::Writable(AttributeId id, ValueType type) {
  if (id >= slots_.size() || slots_[id].type != type) return nullptr;
  slots_[id].set = true;
  return &slots_[id];
}

bool Bindings::SetString(AttributeId id, std::string_view value) {
  Slot* slot = Writable(id, ValueType::kString);
  if (slot) slot->text.assign(value.data(), value.size());
  return slot != nullptr;
}

bool Bindings::SetNumber(AttributeId id, double value) {
  Slot* slot = Writable(id, ValueType::kNumber);
  if (slot) slot->number = value;
  return slot != nullptr;
}

bool Bindings::SetBool(AttributeId id, bool value) {
  Slot* slot = Writable(id, ValueType::kBool);
  if (slot) slot->boolean = value;
  return slot != nullptr;
}

bool Bindings::SetStringList(AttributeId id, const std::vector<std::string>& values) {
  Slot* slot = Writable(id, ValueType::kStringList);
  if (slot) slot->list.assign(values.begin(), values.end());
  return slot != nullptr;
}

void Bindings::Unset(AttributeId id) {
  if (id < slots_.size()) slots_[id].set = false;
}

void Bindings::UnsetAll() {
  for (Slot& slot : slots_) slot.set = false;
}

// --- evaluation ----------------------------------------------------------------

namespace internal {

const char* OpName(Op op) {
  switch (op) {
    case Op::kEq: return "==";
    case Op::kNe: return "!=";
    case Op::kLt: return "<";
    case Op::kLe: return "<=";
    case Op::kGt: return ">";
    case Op::kGe: return ">=";
    case Op::kIn: return "IN";
    case Op::kHas: return "HAS";
    case Op::kContains: return "CONTAINS";
  }
  return "?";
}

namespace {

char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool ContainsIgnoringAsciiCase(std::string_view haystack, std::string_view needle) {
  const auto it =
      std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                  [](char a, char b) { return AsciiLower(a) == AsciiLower(b); });
  return it != haystack.end() || needle.empty();
}

template <typename T>
bool Ordered(Op op, const T& a, const T& b) {
  switch (op) {
    case Op::kEq: return a == b;
    case Op::kNe: return a != b;
    case Op::kLt: return a < b;
    case Op::kLe: return a <= b;
    case Op::kGt: return a > b;
    case Op::kGe: return a >= b;
    default: return false;
  }
}

}  // namespace

// Reads a program against bindings; every read of an unset or mistyped slot
// makes the comparison false. `Run` follows the decision code; `Bool` walks
// the tree (for the leaves the code leaves to it), its recursion bounded by
// the compiler's nesting limit.
struct Evaluator {
  using Slots = std::vector<Bindings::Slot>;

  // The code's result (program.h: 0 or 1 for one expression).
  static uint32_t Run(const Code& code, const Bindings& bindings) {
    const Bindings::Slot* slots = bindings.slots_.data();
    const size_t slot_count = bindings.slots_.size();
    const Step* steps = code.steps.data();
    uint32_t at = code.entry;
    while (at < kExit) {
      const Step& step = steps[at];
      const Bindings::Slot* slot = step.slot < slot_count ? &slots[step.slot] : nullptr;
      const bool ready = slot != nullptr && slot->set && slot->type == step.type;
      bool holds = false;
      switch (step.test) {
        case Test::kBoolAttribute: holds = ready && slot->boolean; break;
        case Test::kStringEq:
          holds = ready && (std::string_view(slot->text) ==
                            Literal(code, step.a, step.b)) != step.negate;
          break;
        case Test::kNumberEq:
          holds = ready && (slot->number == step.number) != step.negate;
          break;
        case Test::kNumberLt: holds = ready && slot->number < step.number; break;
        case Test::kNumberLe: holds = ready && slot->number <= step.number; break;
        case Test::kNumberGt: holds = ready && slot->number > step.number; break;
        case Test::kNumberGe: holds = ready && slot->number >= step.number; break;
        case Test::kStringIn:
        case Test::kNumberIn:
        case Test::kHas:
        case Test::kContains: holds = ready && Search(code, step, *slot); break;
        case Test::kTree:
          holds = Evaluator{*code.programs[step.b], bindings.slots_}.Bool(step.a);
          break;
      }
      // A branch, not an index by `holds`: the processor predicts it and
      // starts the next step before this one's test is done, as it does for
      // a chain of `if`s; a data dependency would serialize the steps.
      if (holds) {
        at = step.next[1];
      } else {
        at = step.next[0];
      }
    }
    return at - kExit;
  }

  // The tests that search a list or a text, on a set slot of their type.
  static bool Search(const Code& code, const Step& step, const Bindings::Slot& slot) {
    switch (step.test) {
      case Test::kStringIn: {
        const std::string_view value = slot.text;
        for (uint32_t i = step.a; i < step.b; ++i) {
          const auto [offset, length] = code.items[i];
          if (value == Literal(code, offset, length)) return true;
        }
        return false;
      }
      case Test::kNumberIn: {
        const auto first = code.numbers.begin() + step.a;
        const auto last = code.numbers.begin() + step.b;
        return std::find(first, last, slot.number) != last;
      }
      case Test::kHas: {
        const std::string_view item = Literal(code, step.a, step.b);
        return std::find(slot.list.begin(), slot.list.end(), item) != slot.list.end();
      }
      case Test::kContains:
        return ContainsIgnoringAsciiCase(slot.text, Literal(code, step.a, step.b));
      default: return false;
    }
  }

  // The first of a chain's conditions that holds (-1 when none), trying only
  // those the guard index admits.
  // `programs[i]` is condition i's.
  static int FirstMatch(const Code& chain, const GuardIndex& index,
                        const std::vector<std::shared_ptr<const Program>>& programs,
                        const Bindings& bindings) {
    if (index.guards.empty()) return static_cast<int>(Run(chain, bindings)) - 1;
    // Ascending lists of the conditions to try; merged in order.
    struct Range {
      const uint32_t* at;
      const uint32_t* end;
    };
    std::array<Range, kMaxGuards + 1> ranges;
    size_t count = 0;
    const uint32_t* members = index.members.data();
    const auto add = [&](std::pair<uint32_t, uint32_t> range) {
      if (range.first < range.second) {
        ranges[count++] = {members + range.first, members + range.second};
      }
    };
    add(index.unguarded);
    const Slots& slots = bindings.slots_;
    // An unset or mistyped attribute admits none of the conditions it guards.
    for (const GuardIndex::Guard& guard : index.guards) {
      if (guard.slot >= slots.size()) continue;
      const Bindings::Slot& slot = slots[guard.slot];
      if (!slot.set) continue;
      if (guard.number) {
        if (slot.type != ValueType::kNumber) continue;
        const auto& points = guard.points;
        const auto at = std::lower_bound(points.begin(), points.end(), slot.number);
        const auto i = static_cast<size_t>(at - points.begin());
        add(guard.regions[at != points.end() && *at == slot.number ? 2 * i + 1 : 2 * i]);
      } else if (slot.type == ValueType::kString) {
        const auto it = guard.values.find(absl::string_view(slot.text));
        if (it != guard.values.end()) add(it->second);
      }
    }
    // A condition listed under two guards (the branches of an OR) comes out
    // of the merge twice in a row: tried once.
    uint32_t last = ~uint32_t{0};
    while (count > 0) {
      size_t first = 0;
      for (size_t k = 1; k < count; ++k) {
        if (*ranges[k].at < *ranges[first].at) first = k;
      }
      const uint32_t condition = *ranges[first].at++;
      if (ranges[first].at == ranges[first].end) ranges[first] = ranges[--count];
      if (condition == last) continue;
      last = condition;
      if (Run(programs[condition]->code, bindings) == 1) {
        return static_cast<int>(condition);
      }
    }
    return -1;
  }

  static std::string_view Literal(const Code& code, uint32_t offset, uint32_t length) {
    return {code.pool.data() + offset, length};
  }

  const Program& program;
  const std::vector<Bindings::Slot>& slots;

  const Bindings::Slot* Slot(const Node& node) const {
    if (node.a >= slots.size()) return nullptr;
    const Bindings::Slot& slot = slots[node.a];
    if (!slot.set || slot.type != AttributeValueType(node.type)) return nullptr;
    return &slot;
  }

  // The value of a scalar operand: a literal, a bool-valued part, or an
  // attribute (false when it is unset).
  static void FromSlot(const Bindings::Slot& slot, double* out) { *out = slot.number; }
  static void FromSlot(const Bindings::Slot& slot, std::string_view* out) {
    *out = slot.text;
  }
  static void FromSlot(const Bindings::Slot& slot, bool* out) { *out = slot.boolean; }
  void FromNode(uint32_t index, double* out) const { *out = program.nodes[index].number; }
  void FromNode(uint32_t index, std::string_view* out) const {
    *out = program.strings[program.nodes[index].a];
  }
  void FromNode(uint32_t index, bool* out) const { *out = Bool(index); }

  template <typename T>
  bool Value(uint32_t index, T* out) const {
    const Node& node = program.nodes[index];
    if (node.kind != NodeKind::kAttribute) {
      FromNode(index, out);
      return true;
    }
    const Bindings::Slot* slot = Slot(node);
    if (slot) FromSlot(*slot, out);
    return slot != nullptr;
  }

  template <typename T>
  bool CompareValues(const Node& node) const {
    T a{}, b{};
    return Value(node.a, &a) && Value(node.b, &b) && Ordered(node.op, a, b);
  }

  bool Bool(uint32_t index) const {
    const Node& node = program.nodes[index];
    switch (node.kind) {
      case NodeKind::kBoolLiteral: return node.boolean;
      case NodeKind::kAttribute: {
        const Bindings::Slot* slot = Slot(node);
        return slot != nullptr && slot->boolean;
      }
      case NodeKind::kNot: return !Bool(node.a);
      case NodeKind::kAnd:
        for (uint32_t i = node.a; i < node.b; ++i) {
          if (!Bool(program.children[i])) return false;
        }
        return true;
      case NodeKind::kOr:
        for (uint32_t i = node.a; i < node.b; ++i) {
          if (Bool(program.children[i])) return true;
        }
        return false;
      case NodeKind::kCompare: return Compare(node);
      default: return false;
    }
  }

  bool Compare(const Node& node) const {
    const Type type = program.nodes[node.a].type;
    switch (node.op) {
      case Op::kEq:
      case Op::kNe:
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe:
        if (type == Type::kNumber) return CompareValues<double>(node);
        if (type == Type::kString) return CompareValues<std::string_view>(node);
        return CompareValues<bool>(node);
      case Op::kIn: return In(node);
      case Op::kHas: {
        const Bindings::Slot* list = Slot(program.nodes[node.a]);
        std::string_view item;
        if (list == nullptr || !Value(node.b, &item)) return false;
        return std::find(list->list.begin(), list->list.end(), item) != list->list.end();
      }
      case Op::kContains: {
        std::string_view haystack, needle;
        return Value(node.a, &haystack) && Value(node.b, &needle) &&
               ContainsIgnoringAsciiCase(haystack, needle);
      }
    }
    return false;
  }

  bool In(const Node& node) const {
    const Node& list = program.nodes[node.b];
    if (program.nodes[node.a].type == Type::kNumber) {
      double value = 0;
      if (!Value(node.a, &value)) return false;
      if (list.type != Type::kNumberListLiteral) return false;  // empty
      const auto first = program.numbers.begin() + list.a;
      const auto last = program.numbers.begin() + list.b;
      return std::find(first, last, value) != last;
    }
    std::string_view value;
    if (!Value(node.a, &value)) return false;
    if (list.kind == NodeKind::kAttribute) {
      const Bindings::Slot* slot = Slot(list);
      return slot != nullptr &&
             std::find(slot->list.begin(), slot->list.end(), value) != slot->list.end();
    }
    if (list.type != Type::kStringListLiteral) return false;  // empty
    const auto first = program.strings.begin() + list.a;
    const auto last = program.strings.begin() + list.b;
    return std::find(first, last, value) != last;
  }
};

namespace {

void AppendQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  for (const char c : s) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

void Print(const Program& program, uint32_t index, std::string* out) {
  const Node& node = program.nodes[index];
  switch (node.kind) {
    case NodeKind::kBoolLiteral: out->append(node.boolean ? "true" : "false"); break;
    case NodeKind::kNumberLiteral: out->append(program.strings[node.b]); break;
    case NodeKind::kStringLiteral: AppendQuoted(program.strings[node.a], out); break;
    case NodeKind::kAttribute: out->append(program.strings[node.b]); break;
    case NodeKind::kList:
      out->push_back('[');
      for (uint32_t i = node.a; i < node.b; ++i) {
        if (i > node.a) out->append(", ");
        if (node.type == Type::kNumberListLiteral) {
          out->append(program.number_texts[i]);
        } else {
          AppendQuoted(program.strings[i], out);
        }
      }
      out->push_back(']');
      break;
    case NodeKind::kNot:
      out->append("NOT ");
      Print(program, node.a, out);
      break;
    case NodeKind::kAnd:
    case NodeKind::kOr:
      out->push_back('(');
      for (uint32_t i = node.a; i < node.b; ++i) {
        if (i > node.a) out->append(node.kind == NodeKind::kAnd ? " AND " : " OR ");
        Print(program, program.children[i], out);
      }
      out->push_back(')');
      break;
    case NodeKind::kCompare:
      out->push_back('(');
      Print(program, node.a, out);
      out->append(fmt::format(" {} ", OpName(node.op)));
      Print(program, node.b, out);
      out->push_back(')');
      break;
  }
}

}  // namespace
}  // namespace internal

// --- Expression ----------------------------------------------------------------

Expression::Expression(std::shared_ptr<const internal::Program> program)
    : program_(std::move(program)) {}

bool Expression::Evaluate(const Bindings& bindings) const {
  return internal::Evaluator::Run(program_->code, bindings) == 1;
}

const std::string& Expression::text() const { return program_->text; }

// --- ConditionList -------------------------------------------------------------

struct ConditionList::Chain {
  std::vector<std::shared_ptr<const internal::Program>> programs;  // kept alive
  internal::GuardIndex index;
  internal::Code code;  // all the conditions chained, when none has a guard
};

ConditionList::ConditionList(const std::vector<Expression>& conditions) {
  auto chain = std::make_shared<Chain>();
  std::vector<const internal::Program*> programs;
  programs.reserve(conditions.size());
  for (const Expression& condition : conditions) {
    chain->programs.push_back(condition.program_);
    programs.push_back(condition.program_.get());
  }
  chain->index = internal::BuildGuardIndex(programs);
  if (chain->index.guards.empty()) chain->code = internal::ChainCode(programs);
  chain_ = std::move(chain);
}

int ConditionList::FirstMatch(const Bindings& bindings) const {
  if (chain_ == nullptr) return -1;
  return internal::Evaluator::FirstMatch(chain_->code, chain_->index, chain_->programs,
                                         bindings);
}

size_t ConditionList::size() const {
  return chain_ == nullptr ? 0 : chain_->programs.size();
}

size_t ConditionList::indexed() const {
  if (chain_ == nullptr || chain_->index.guards.empty()) return 0;
  const auto [begin, end] = chain_->index.unguarded;
  return chain_->programs.size() - (end - begin);
}

std::string Expression::DebugString() const {
  std::string out;
  internal::Print(*program_, program_->root, &out);
  return out;
}

}  // namespace ccengine::config
