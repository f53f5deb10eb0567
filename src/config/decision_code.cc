// Flattening a compiled expression tree into decision code (program.h), and
// chaining several expressions' code into one first-match program.
//
// The generator walks the tree with the two places control goes when a part
// fails and when it holds, from the last part to the first, so every step's
// successors exist when it is emitted; the steps are then reversed so that
// they run front to back.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/program.h"

namespace ccengine::config::internal {
namespace {

// The test of `attribute op number`, or of `number op attribute` when
// `mirrored`.
Test NumberTest(Op op, bool mirrored) {
  switch (op) {
    case Op::kLt: return mirrored ? Test::kNumberGt : Test::kNumberLt;
    case Op::kLe: return mirrored ? Test::kNumberGe : Test::kNumberLe;
    case Op::kGt: return mirrored ? Test::kNumberLt : Test::kNumberGt;
    case Op::kGe: return mirrored ? Test::kNumberLe : Test::kNumberGe;
    default: return Test::kNumberEq;  // == and !=
  }
}

// The type of attribute a test reads.
ValueType TestType(Test test) {
  switch (test) {
    case Test::kBoolAttribute: return ValueType::kBool;
    case Test::kNumberEq:
    case Test::kNumberLt:
    case Test::kNumberLe:
    case Test::kNumberGt:
    case Test::kNumberGe:
    case Test::kNumberIn: return ValueType::kNumber;
    case Test::kHas: return ValueType::kStringList;
    default: return ValueType::kString;
  }
}

class Generator {
 public:
  explicit Generator(Program& program) : program_(program), code_(program.code) {}

  void Run() {
    code_ = Code();
    code_.programs.push_back(&program_);
    code_.entry = Gen(program_.root, kExit + 0, kExit + 1);
    const auto n = static_cast<uint32_t>(code_.steps.size());
    const auto flip = [n](uint32_t at) { return at < kExit ? n - 1 - at : at; };
    std::vector<Step> steps(code_.steps.rbegin(), code_.steps.rend());
    for (Step& step : steps) {
      step.next[0] = flip(step.next[0]);
      step.next[1] = flip(step.next[1]);
    }
    code_.steps = std::move(steps);
    code_.entry = flip(code_.entry);
  }

 private:
  // The code deciding node `index`: control goes to `no` when it does not
  // hold and to `yes` when it does. Returns where that code starts (a step or,
  // for a constant, `no` or `yes` itself).
  uint32_t Gen(uint32_t index, uint32_t no, uint32_t yes) {
    const Node& node = program_.nodes[index];
    switch (node.kind) {
      case NodeKind::kBoolLiteral: return node.boolean ? yes : no;
      case NodeKind::kAttribute: {
        Step step;
        step.test = Test::kBoolAttribute;
        step.slot = node.a;
        return Emit(step, no, yes);
      }
      case NodeKind::kNot: return Gen(node.a, yes, no);
      case NodeKind::kAnd: {
        uint32_t at = yes;
        for (uint32_t i = node.b; i-- > node.a;) at = Gen(program_.children[i], no, at);
        return at;
      }
      case NodeKind::kOr: {
        uint32_t at = no;
        for (uint32_t i = node.b; i-- > node.a;) at = Gen(program_.children[i], at, yes);
        return at;
      }
      case NodeKind::kCompare: return Compare(index, no, yes);
      default: return Tree(index, no, yes);
    }
  }

  uint32_t Compare(uint32_t index, uint32_t no, uint32_t yes) {
    const Node& node = program_.nodes[index];
    const Node& left = program_.nodes[node.a];
    const Node& right = program_.nodes[node.b];
    const bool left_attr = left.kind == NodeKind::kAttribute;
    const bool right_attr = right.kind == NodeKind::kAttribute;
    Step step;
    switch (node.op) {
      case Op::kEq:
      case Op::kNe:
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe: {
        if (left_attr == right_attr) break;  // two attributes or two literals
        const Node& attr = left_attr ? left : right;
        const Node& literal = left_attr ? right : left;
        step.slot = attr.a;
        if (attr.type == Type::kNumber && literal.kind == NodeKind::kNumberLiteral) {
          step.test = NumberTest(node.op, !left_attr);
          step.negate = node.op == Op::kNe;
          step.number = literal.number;
          return Emit(step, no, yes);
        }
        if (attr.type == Type::kString && literal.kind == NodeKind::kStringLiteral &&
            (node.op == Op::kEq || node.op == Op::kNe)) {
          step.test = Test::kStringEq;
          step.negate = node.op == Op::kNe;
          Literal(program_.strings[literal.a], &step);
          return Emit(step, no, yes);
        }
        break;
      }
      case Op::kIn: {
        if (!left_attr || right.kind != NodeKind::kList) break;
        // An empty list holds nothing whatever the attribute.
        if (right.type == Type::kEmptyListLiteral) return no;
        step.slot = left.a;
        if (left.type == Type::kNumber && right.type == Type::kNumberListLiteral) {
          step.test = Test::kNumberIn;
          step.a = static_cast<uint32_t>(code_.numbers.size());
          for (uint32_t i = right.a; i < right.b; ++i) {
            code_.numbers.push_back(program_.numbers[i]);
          }
          step.b = static_cast<uint32_t>(code_.numbers.size());
          return Emit(step, no, yes);
        }
        if (left.type == Type::kString && right.type == Type::kStringListLiteral) {
          step.test = Test::kStringIn;
          step.a = static_cast<uint32_t>(code_.items.size());
          for (uint32_t i = right.a; i < right.b; ++i) {
            const std::string& s = program_.strings[i];
            code_.items.emplace_back(static_cast<uint32_t>(code_.pool.size()),
                                     static_cast<uint32_t>(s.size()));
            code_.pool += s;
          }
          step.b = static_cast<uint32_t>(code_.items.size());
          return Emit(step, no, yes);
        }
        break;
      }
      case Op::kHas:
      case Op::kContains:
        if (!left_attr || right.kind != NodeKind::kStringLiteral) break;
        step.test = node.op == Op::kHas ? Test::kHas : Test::kContains;
        step.slot = left.a;
        Literal(program_.strings[right.a], &step);
        return Emit(step, no, yes);
    }
    return Tree(index, no, yes);
  }

  uint32_t Tree(uint32_t index, uint32_t no, uint32_t yes) {
    Step step;
    step.test = Test::kTree;
    step.a = index;
    step.b = 0;  // code_.programs[0] is this program
    return Emit(step, no, yes);
  }

  void Literal(const std::string& s, Step* step) {
    step->a = static_cast<uint32_t>(code_.pool.size());
    step->b = static_cast<uint32_t>(s.size());
    code_.pool += s;
  }

  uint32_t Emit(Step step, uint32_t no, uint32_t yes) {
    step.type = TestType(step.test);
    step.next[0] = no;
    step.next[1] = yes;
    code_.steps.push_back(step);
    return static_cast<uint32_t>(code_.steps.size() - 1);
  }

  Program& program_;
  Code& code_;
};

}  // namespace

void GenerateCode(Program& program) { Generator(program).Run(); }

Code ChainCode(const std::vector<const Program*>& programs) {
  Code chain;
  const size_t n = programs.size();
  // Each program's first step in the chain, and where control goes when
  // program i does not hold: program i + 1's start, or "none" after the last.
  std::vector<uint32_t> base(n), start(n + 1);
  uint32_t steps = 0;
  for (size_t i = 0; i < n; ++i) {
    base[i] = steps;
    steps += static_cast<uint32_t>(programs[i]->code.steps.size());
  }
  start[n] = kExit + 0;
  for (size_t i = n; i-- > 0;) {
    const uint32_t entry = programs[i]->code.entry;
    const auto matched = kExit + 1 + static_cast<uint32_t>(i);
    start[i] =
        entry < kExit ? base[i] + entry : (entry == kExit + 1 ? matched : start[i + 1]);
  }
  chain.steps.reserve(steps);
  for (size_t i = 0; i < n; ++i) {
    const Code& code = programs[i]->code;
    const auto pool = static_cast<uint32_t>(chain.pool.size());
    const auto items = static_cast<uint32_t>(chain.items.size());
    const auto numbers = static_cast<uint32_t>(chain.numbers.size());
    const auto tree = static_cast<uint32_t>(chain.programs.size());
    const auto matched = kExit + 1 + static_cast<uint32_t>(i);
    for (Step step : code.steps) {
      for (uint32_t& next : step.next) {
        next =
            next < kExit ? base[i] + next : (next == kExit + 1 ? matched : start[i + 1]);
      }
      switch (step.test) {
        case Test::kStringEq:
        case Test::kHas:
        case Test::kContains: step.a += pool; break;
        case Test::kStringIn:
          step.a += items;
          step.b += items;
          break;
        case Test::kNumberIn:
          step.a += numbers;
          step.b += numbers;
          break;
        case Test::kTree: step.b += tree; break;
        default: break;
      }
      chain.steps.push_back(step);
    }
    chain.pool += code.pool;
    for (auto [offset, length] : code.items)
      chain.items.emplace_back(offset + pool, length);
    chain.numbers.insert(chain.numbers.end(), code.numbers.begin(), code.numbers.end());
    chain.programs.insert(chain.programs.end(), code.programs.begin(),
                          code.programs.end());
  }
  chain.entry = start[0];
  return chain;
}

namespace {

// The equality guards of a program's condition: (attribute, its values) for
// each part of its top-level AND (or the whole condition) that is a string
// attribute `==` a string literal or `IN` a list of strings.
std::vector<std::pair<AttributeId, std::vector<std::string_view>>> Guards(
    const Program& program) {
  std::vector<std::pair<AttributeId, std::vector<std::string_view>>> out;
  const Node& root = program.nodes[program.root];
  std::vector<uint32_t> parts;
  if (root.kind == NodeKind::kAnd) {
    parts.assign(program.children.begin() + root.a, program.children.begin() + root.b);
  } else {
    parts.push_back(program.root);
  }
  for (const uint32_t index : parts) {
    const Node& node = program.nodes[index];
    if (node.kind != NodeKind::kCompare) continue;
    const Node& left = program.nodes[node.a];
    const Node& right = program.nodes[node.b];
    if (node.op == Op::kEq && left.type == Type::kString && right.type == Type::kString &&
        (left.kind == NodeKind::kAttribute) != (right.kind == NodeKind::kAttribute)) {
      const Node& attr = left.kind == NodeKind::kAttribute ? left : right;
      const Node& literal = left.kind == NodeKind::kAttribute ? right : left;
      if (literal.kind != NodeKind::kStringLiteral) continue;
      out.push_back({attr.a, {program.strings[literal.a]}});
    } else if (node.op == Op::kIn && left.kind == NodeKind::kAttribute &&
               left.type == Type::kString && right.kind == NodeKind::kList &&
               right.type == Type::kStringListLiteral) {
      std::vector<std::string_view> values(program.strings.begin() + right.a,
                                           program.strings.begin() + right.b);
      out.push_back({left.a, std::move(values)});
    }
  }
  return out;
}

}  // namespace

GuardIndex BuildGuardIndex(const std::vector<const Program*>& programs) {
  const size_t n = programs.size();
  std::vector<std::vector<std::pair<AttributeId, std::vector<std::string_view>>>> guards(
      n);
  std::map<AttributeId, size_t> uses;  // attribute → conditions it could guard
  for (size_t i = 0; i < n; ++i) {
    guards[i] = Guards(*programs[i]);
    std::set<AttributeId> mine;
    for (const auto& [attr, values] : guards[i]) mine.insert(attr);
    for (const AttributeId attr : mine) ++uses[attr];
  }
  // The most useful attributes, fewest ids first among equals.
  std::vector<std::pair<size_t, AttributeId>> ranked;
  ranked.reserve(uses.size());
  for (const auto& [attr, count] : uses) ranked.emplace_back(count, attr);
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& x, const auto& y) { return x.first > y.first; });
  if (ranked.size() > kMaxGuards) ranked.resize(kMaxGuards);
  GuardIndex index;
  if (ranked.empty()) return index;
  // Each condition under its best-ranked guard; per value, its conditions in order.
  std::vector<std::map<std::string_view, std::vector<uint32_t>>> lists(ranked.size());
  std::vector<uint32_t> unguarded;
  for (size_t i = 0; i < n; ++i) {
    size_t best = ranked.size();
    const std::vector<std::string_view>* values = nullptr;
    for (const auto& [attr, vs] : guards[i]) {
      for (size_t r = 0; r < best; ++r) {
        if (ranked[r].second == attr) {
          best = r;
          values = &vs;
        }
      }
    }
    const auto condition = static_cast<uint32_t>(i);
    if (values == nullptr) {
      unguarded.push_back(condition);
      continue;
    }
    for (const std::string_view value : *values) {
      std::vector<uint32_t>& list = lists[best][value];
      if (list.empty() || list.back() != condition) list.push_back(condition);
    }
  }
  const auto append = [&index](const std::vector<uint32_t>& list) {
    const auto begin = static_cast<uint32_t>(index.members.size());
    index.members.insert(index.members.end(), list.begin(), list.end());
    return std::pair<uint32_t, uint32_t>(begin,
                                         static_cast<uint32_t>(index.members.size()));
  };
  index.unguarded = append(unguarded);
  for (size_t r = 0; r < ranked.size(); ++r) {
    GuardIndex::Guard guard;
    guard.slot = ranked[r].second;
    for (const auto& [value, list] : lists[r])
      guard.values.emplace(std::string(value), append(list));
    index.guards.push_back(std::move(guard));
  }
  return index;
}

}  // namespace ccengine::config::internal
