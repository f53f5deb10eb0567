// Flattening a compiled expression tree into decision code (program.h), and
// chaining several expressions' code into one first-match program.
//
// The generator walks the tree with the two places control goes when a part
// fails and when it holds, from the last part to the first, so every step's
// successors exist when it is emitted; the steps are then reversed so that
// they run front to back.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/program.h"

namespace ccengine::config::internal {
namespace {

// `a op b` read as `b op' a`: `3 < x` is `x > 3`.
Op Mirror(Op op) {
  switch (op) {
    case Op::kLt: return Op::kGt;
    case Op::kLe: return Op::kGe;
    case Op::kGt: return Op::kLt;
    case Op::kGe: return Op::kLe;
    default: return op;
  }
}

// The test of `attribute op number`.
Test NumberTest(Op op) {
  switch (op) {
    case Op::kLt: return Test::kNumberLt;
    case Op::kLe: return Test::kNumberLe;
    case Op::kGt: return Test::kNumberGt;
    case Op::kGe: return Test::kNumberGe;
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
          step.test = NumberTest(left_attr ? node.op : Mirror(node.op));
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

// One end of a number range: a value, and whether the value itself is in.
struct End {
  double value;
  bool closed;
};

// A part of a condition that must hold for it to hold: a string attribute
// equal to one of `values`, or a number attribute within [lo, hi] (each end
// open or closed; ±infinity when unbounded).
struct Guard {
  AttributeId attr = 0;
  bool number = false;
  std::vector<std::string_view> values;
  End lo{-std::numeric_limits<double>::infinity(), false};
  End hi{std::numeric_limits<double>::infinity(), false};
};

// The parts of node `at` when it is an AND, else the node itself.
std::vector<uint32_t> AndParts(const Program& program, uint32_t at) {
  const Node& node = program.nodes[at];
  if (node.kind != NodeKind::kAnd) return {at};
  return {program.children.begin() + node.a, program.children.begin() + node.b};
}

// The guards of node `at` of a program, from each part of its AND (or the
// node itself): a string attribute `==` a string literal or `IN` a list of
// strings; a number attribute compared with a number literal by `==`, `<`,
// `<=`, `>` or `>=` (every such part on one attribute narrows one range).
std::vector<Guard> Guards(const Program& program, uint32_t at) {
  std::vector<Guard> out;
  const std::vector<uint32_t> parts = AndParts(program, at);
  const auto range_of = [&out](AttributeId attr) -> Guard& {
    for (Guard& g : out) {
      if (g.number && g.attr == attr) return g;
    }
    Guard& g = out.emplace_back();
    g.attr = attr;
    g.number = true;
    return g;
  };
  // The tighter of two lower (or upper) ends: at the same value, the open one.
  const auto raise = [](End& lo, End e) {
    if (e.value > lo.value || (e.value == lo.value && !e.closed)) lo = e;
  };
  const auto lower = [](End& hi, End e) {
    if (e.value < hi.value || (e.value == hi.value && !e.closed)) hi = e;
  };
  for (const uint32_t index : parts) {
    const Node& node = program.nodes[index];
    if (node.kind != NodeKind::kCompare) continue;
    const Node& left = program.nodes[node.a];
    const Node& right = program.nodes[node.b];
    const bool left_attr = left.kind == NodeKind::kAttribute;
    if (left_attr == (right.kind == NodeKind::kAttribute)) continue;
    const Node& attr = left_attr ? left : right;
    const Node& literal = left_attr ? right : left;
    if (node.op == Op::kEq && attr.type == Type::kString &&
        literal.kind == NodeKind::kStringLiteral) {
      Guard& g = out.emplace_back();
      g.attr = attr.a;
      g.values = {program.strings[literal.a]};
    } else if (node.op == Op::kIn && left_attr && attr.type == Type::kString &&
               literal.kind == NodeKind::kList &&
               literal.type == Type::kStringListLiteral) {
      Guard& g = out.emplace_back();
      g.attr = attr.a;
      g.values.assign(program.strings.begin() + literal.a,
                      program.strings.begin() + literal.b);
    } else if (attr.type == Type::kNumber && literal.kind == NodeKind::kNumberLiteral) {
      // `attr op c`, or `c op attr` read the other way round.
      const Op op = left_attr ? node.op : Mirror(node.op);
      const double c = literal.number;
      switch (op) {
        case Op::kEq: {
          Guard& g = range_of(attr.a);
          raise(g.lo, {c, true});
          lower(g.hi, {c, true});
          break;
        }
        case Op::kLt: lower(range_of(attr.a).hi, {c, false}); break;
        case Op::kLe: lower(range_of(attr.a).hi, {c, true}); break;
        case Op::kGt: raise(range_of(attr.a).lo, {c, false}); break;
        case Op::kGe: raise(range_of(attr.a).lo, {c, true}); break;
        default: break;
      }
    }
  }
  return out;
}

// A condition's guards: `all` from the parts of its top-level AND (each must
// hold), and `alternatives` from each part that is an OR (the root itself
// when it is one) whose every branch has guards of its own: the condition
// cannot hold unless one branch's guard admits the contact. `alternatives[k]`
// holds, for each branch of the k-th such OR, that branch's guards.
struct ConditionGuards {
  std::vector<Guard> all;
  std::vector<std::vector<std::vector<Guard>>> alternatives;
};

ConditionGuards GuardsOf(const Program& program) {
  ConditionGuards out;
  out.all = Guards(program, program.root);
  for (const uint32_t part : AndParts(program, program.root)) {
    const Node& node = program.nodes[part];
    if (node.kind != NodeKind::kOr) continue;
    std::vector<std::vector<Guard>> branches;
    for (uint32_t k = node.a; k < node.b; ++k) {
      branches.push_back(Guards(program, program.children[k]));
      if (branches.back().empty()) break;
    }
    if (!branches.empty() && !branches.back().empty()) {
      out.alternatives.push_back(std::move(branches));
    }
  }
  return out;
}

// A number attribute's index: its guards' ends cut the line into regions —
// (-inf, p0), [p0], (p0, p1), [p1], ..., (p_last, +inf) — each wholly inside
// or outside every guard's range; a region lists the conditions whose range
// holds it.
class NumberRegions {
 public:
  explicit NumberRegions(const std::vector<const Guard*>& guards) {
    for (const Guard* g : guards) {
      for (const End& e : {g->lo, g->hi}) {
        if (std::isfinite(e.value)) points_.push_back(e.value);
      }
    }
    std::sort(points_.begin(), points_.end());
    points_.erase(std::unique(points_.begin(), points_.end()), points_.end());
  }

  const std::vector<double>& points() const { return points_; }
  size_t regions() const { return 2 * points_.size() + 1; }

  // The regions [first, last] inside the guard's range (first > last: none).
  // Every finite end is one of the points.
  std::pair<size_t, size_t> Covered(const Guard& g) const {
    const size_t first =
        std::isfinite(g.lo.value) ? 2 * Point(g.lo.value) + (g.lo.closed ? 1 : 2) : 0;
    const size_t last = std::isfinite(g.hi.value)
                            ? 2 * Point(g.hi.value) + (g.hi.closed ? 1 : 0)
                            : regions() - 1;
    return {first, last};
  }

 private:
  size_t Point(double value) const {
    return static_cast<size_t>(std::lower_bound(points_.begin(), points_.end(), value) -
                               points_.begin());
  }

  std::vector<double> points_;
};

}  // namespace

GuardIndex BuildGuardIndex(const std::vector<const Program*>& programs) {
  const size_t n = programs.size();
  std::vector<ConditionGuards> guards(n);
  // Each attribute's guards, one per condition: for ranking, and so that a
  // number attribute whose regions would list too many conditions (ranges
  // nested in one another) is left out.
  std::map<AttributeId, std::vector<const Guard*>> by_attr;
  for (size_t i = 0; i < n; ++i) {
    guards[i] = GuardsOf(*programs[i]);
    std::set<AttributeId> mine;
    const auto count = [&](const std::vector<Guard>& list) {
      for (const Guard& g : list) {
        if (mine.insert(g.attr).second) by_attr[g.attr].push_back(&g);
      }
    };
    count(guards[i].all);
    for (const auto& alternative : guards[i].alternatives) {
      for (const std::vector<Guard>& branch : alternative) count(branch);
    }
  }
  std::vector<std::pair<size_t, AttributeId>> ranked;
  ranked.reserve(by_attr.size());
  for (const auto& [attr, list] : by_attr) {
    if (list.front()->number) {
      const NumberRegions regions(list);
      size_t listed = 0;
      for (const Guard* g : list) {
        const auto [first, last] = regions.Covered(*g);
        if (first <= last) listed += last - first + 1;
      }
      if (listed > kMaxRegionListing * list.size()) continue;
    }
    ranked.emplace_back(list.size(), attr);
  }
  // The attributes that guard most conditions; among equals, strings (an
  // equality admits fewer contacts than a range) and then the lower id.
  const auto is_number = [&by_attr](AttributeId attr) {
    return by_attr.at(attr).front()->number;
  };
  std::sort(ranked.begin(), ranked.end(), [&](const auto& x, const auto& y) {
    if (x.first != y.first) return x.first > y.first;
    if (is_number(x.second) != is_number(y.second)) return !is_number(x.second);
    return x.second < y.second;
  });
  if (ranked.size() > kMaxGuards) ranked.resize(kMaxGuards);
  GuardIndex index;
  if (ranked.empty()) return index;
  // Each condition under its best-ranked guard; else, under the guard of each
  // branch of one of its ORs, when every branch has an indexed one (the
  // condition is then listed once per branch).
  std::vector<std::vector<std::pair<size_t, const Guard*>>> chosen(ranked.size());
  std::vector<uint32_t> unguarded;
  // The best-ranked of `list`, as (rank, guard); rank ranked.size() if none.
  const auto best_of = [&ranked](const std::vector<Guard>& list) {
    std::pair<size_t, const Guard*> best{ranked.size(), nullptr};
    for (const Guard& g : list) {
      for (size_t r = 0; r < best.first; ++r) {
        if (ranked[r].second == g.attr) best = {r, &g};
      }
    }
    return best;
  };
  for (size_t i = 0; i < n; ++i) {
    const auto [best, guard] = best_of(guards[i].all);
    if (guard != nullptr) {
      chosen[best].emplace_back(i, guard);
      continue;
    }
    bool listed = false;
    for (const auto& alternative : guards[i].alternatives) {
      std::vector<std::pair<size_t, const Guard*>> picks;
      for (const std::vector<Guard>& branch : alternative) {
        const auto pick = best_of(branch);
        if (pick.second == nullptr) break;
        picks.push_back(pick);
      }
      if (picks.size() != alternative.size()) continue;
      for (const auto& [r, g] : picks) chosen[r].emplace_back(i, g);
      listed = true;
      break;
    }
    if (!listed) unguarded.push_back(static_cast<uint32_t>(i));
  }
  const auto append = [&index](const std::vector<uint32_t>& list) {
    const auto begin = static_cast<uint32_t>(index.members.size());
    index.members.insert(index.members.end(), list.begin(), list.end());
    return std::pair<uint32_t, uint32_t>(begin,
                                         static_cast<uint32_t>(index.members.size()));
  };
  index.unguarded = append(unguarded);
  for (size_t r = 0; r < ranked.size(); ++r) {
    // Every condition it guards may have a better-ranked guard.
    if (chosen[r].empty()) continue;
    GuardIndex::Guard out;
    out.slot = ranked[r].second;
    // chosen[r] is in condition order (a condition with an OR may appear
    // more than once in a row), so every list below is ascending once a
    // repeated condition is skipped.
    if (chosen[r].front().second->number) {
      std::vector<const Guard*> mine;
      for (const auto& [i, g] : chosen[r]) mine.push_back(g);
      const NumberRegions regions(mine);
      std::vector<std::vector<uint32_t>> lists(regions.regions());
      for (const auto& [i, g] : chosen[r]) {
        const auto [first, last] = regions.Covered(*g);
        for (size_t k = first; k <= last && k < lists.size(); ++k) {
          if (lists[k].empty() || lists[k].back() != i) {
            lists[k].push_back(static_cast<uint32_t>(i));
          }
        }
      }
      out.number = true;
      out.points = regions.points();
      for (const std::vector<uint32_t>& list : lists) out.regions.push_back(append(list));
    } else {
      std::map<std::string_view, std::vector<uint32_t>> lists;
      for (const auto& [i, g] : chosen[r]) {
        for (const std::string_view value : g->values) {
          std::vector<uint32_t>& list = lists[value];
          if (list.empty() || list.back() != i) list.push_back(static_cast<uint32_t>(i));
        }
      }
      for (const auto& [value, list] : lists)
        out.values.emplace(std::string(value), append(list));
    }
    index.guards.push_back(std::move(out));
  }
  return index;
}

}  // namespace ccengine::config::internal
