// A randomized test of the expression language: random well-typed expression
// trees over a small schema are printed as text (random keyword case, spacing
// and redundant parentheses, parentheses only where precedence needs them),
// compiled, and evaluated against random bindings; the result must match a
// direct evaluation of the tree by the model below, and DebugString must
// compile to itself.

#include <cstddef>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ccengine/config/expression.h"

namespace ccengine::config {
namespace {

// The schema: attribute i has kTypes[i].
enum Attr { kS1, kS2, kN1, kN2, kB1, kL1, kAttrCount };
constexpr ValueType kTypes[kAttrCount] = {ValueType::kString, ValueType::kString,
                                          ValueType::kNumber, ValueType::kNumber,
                                          ValueType::kBool,   ValueType::kStringList};
const char* const kNames[kAttrCount] = {"contact.channel", "contact.text",
                                        "time.hour",       "customer.age",
                                        "customer.vip",    "customer.tags"};

const std::vector<std::string> kStrings = {
    "voice", "chat", "紧急", "Fire", "fire alarm", "", "a'b\"c\\", "FIRE ALARM"};
const std::vector<std::string> kNumberTexts = {"0", "1", "2.5", "-3", "22", "22.0"};

// One contact's values in the model: nullopt is unset.
struct Values {
  std::optional<std::string> s[2];
  std::optional<double> n[2];
  std::optional<bool> b;
  std::optional<std::vector<std::string>> l;
};

// An operand of a comparison.
struct Operand {
  enum Kind { kAttribute, kString, kNumber, kBool, kNotBool, kStringList, kNumberList };
  Kind kind = kString;
  int attr = 0;
  std::string text;   // kString
  size_t number = 0;  // kNumber: index into kNumberTexts
  bool boolean = false;
  std::vector<std::string> strings;
  std::vector<size_t> numbers;
};

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kIn, kHas, kContains };
const char* const kOpText[] = {"==", "!=", "<", "<=", ">", ">=", "in", "has", "contains"};

struct Tree {
  enum Kind { kAnd, kOr, kNot, kCompare, kBoolAttr, kBoolLiteral };
  Kind kind = kBoolLiteral;
  std::vector<Tree> children;
  Op op = Op::kEq;
  Operand lhs, rhs;
  bool boolean = false;
};

double NumberOf(size_t i) { return std::stod(kNumberTexts[i]); }

// --- the model ------------------------------------------------------------------

std::string AsciiLower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::optional<std::string> StringOf(const Operand& o, const Values& v) {
  if (o.kind == Operand::kString) return o.text;
  return v.s[o.attr == kS1 ? 0 : 1];
}
std::optional<double> NumberOf(const Operand& o, const Values& v) {
  if (o.kind == Operand::kNumber) return NumberOf(o.number);
  return v.n[o.attr == kN1 ? 0 : 1];
}
std::optional<bool> BoolOf(const Operand& o, const Values& v) {
  if (o.kind == Operand::kBool) return o.boolean;
  if (o.kind == Operand::kNotBool) return !(v.b.has_value() && *v.b);
  return v.b;
}

bool IsNumber(const Operand& o) {
  return o.kind == Operand::kNumber ||
         (o.kind == Operand::kAttribute && (o.attr == kN1 || o.attr == kN2));
}
bool IsString(const Operand& o) {
  return o.kind == Operand::kString ||
         (o.kind == Operand::kAttribute && (o.attr == kS1 || o.attr == kS2));
}

template <typename T>
bool Apply(Op op, const T& a, const T& b) {
  // In the order of Op: ==, !=, <, <=, >, >=.
  const bool outcomes[] = {a == b, !(a == b), a < b, !(b < a), b < a, !(a < b)};
  return outcomes[static_cast<int>(op)];
}

bool Model(const Tree& t, const Values& v) {
  switch (t.kind) {
    case Tree::kBoolLiteral: return t.boolean;
    case Tree::kBoolAttr: return v.b.has_value() && *v.b;
    case Tree::kNot: return !Model(t.children[0], v);
    case Tree::kAnd:
      for (const Tree& c : t.children) {
        if (!Model(c, v)) return false;
      }
      return true;
    case Tree::kOr:
      for (const Tree& c : t.children) {
        if (Model(c, v)) return true;
      }
      return false;
    case Tree::kCompare: break;
  }
  switch (t.op) {
    case Op::kIn:
      if (IsNumber(t.lhs)) {
        const std::optional<double> x = NumberOf(t.lhs, v);
        if (!x) return false;
        for (size_t i : t.rhs.numbers) {
          if (NumberOf(i) == *x) return true;
        }
        return false;
      } else {
        const std::optional<std::string> x = StringOf(t.lhs, v);
        if (!x) return false;
        const std::vector<std::string>* list = &t.rhs.strings;
        if (t.rhs.kind == Operand::kAttribute) {
          if (!v.l) return false;
          list = &*v.l;
        }
        for (const std::string& s : *list) {
          if (s == *x) return true;
        }
        return false;
      }
    case Op::kHas: {
      const std::optional<std::string> x = StringOf(t.rhs, v);
      if (!v.l || !x) return false;
      for (const std::string& s : *v.l) {
        if (s == *x) return true;
      }
      return false;
    }
    case Op::kContains: {
      const std::optional<std::string> a = StringOf(t.lhs, v);
      const std::optional<std::string> b = StringOf(t.rhs, v);
      return a && b && AsciiLower(*a).find(AsciiLower(*b)) != std::string::npos;
    }
    default: break;
  }
  if (IsNumber(t.lhs)) {
    const std::optional<double> a = NumberOf(t.lhs, v), b = NumberOf(t.rhs, v);
    return a && b && Apply(t.op, *a, *b);
  }
  if (IsString(t.lhs)) {
    const std::optional<std::string> a = StringOf(t.lhs, v), b = StringOf(t.rhs, v);
    return a && b && Apply(t.op, *a, *b);
  }
  const std::optional<bool> a = BoolOf(t.lhs, v), b = BoolOf(t.rhs, v);
  return a && b && Apply(t.op, *a, *b);
}

// --- generation and printing --------------------------------------------------------

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  size_t Below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  Tree Condition(int depth) {
    Tree t;
    const size_t choice = depth >= 4 ? 3 + Below(3) : Below(6);
    switch (choice) {
      case 0:
      case 1: {
        t.kind = choice == 0 ? Tree::kAnd : Tree::kOr;
        const size_t n = 2 + Below(3);
        for (size_t i = 0; i < n; ++i) t.children.push_back(Condition(depth + 1));
        break;
      }
      case 2:
        t.kind = Tree::kNot;
        t.children.push_back(Condition(depth + 1));
        break;
      case 3: t.kind = Tree::kBoolAttr; break;
      case 4:
        t.kind = Tree::kBoolLiteral;
        t.boolean = Chance(0.5);
        break;
      default: Compare(&t); break;
    }
    return t;
  }

  void Compare(Tree* t) {
    t->kind = Tree::kCompare;
    switch (Below(5)) {
      case 0:  // numbers
        t->op = static_cast<Op>(Below(6));
        t->lhs = NumberOperand();
        t->rhs = NumberOperand();
        if (Chance(0.3)) {
          t->op = Op::kIn;
          t->rhs = Operand{};
          t->rhs.kind = Operand::kNumberList;
          for (size_t n = Below(4); n > 0; --n) t->rhs.numbers.push_back(Below(6));
        }
        break;
      case 1:  // strings
        t->op = Chance(0.5) ? Op::kEq : Op::kNe;
        t->lhs = StringOperand();
        t->rhs = StringOperand();
        break;
      case 2:
        t->op = Op::kContains;
        t->lhs = StringOperand();
        t->rhs = StringOperand();
        break;
      case 3:
        t->op = Chance(0.5) ? Op::kHas : Op::kIn;
        if (t->op == Op::kHas) {
          t->lhs.kind = Operand::kAttribute;
          t->lhs.attr = kL1;
          t->rhs = StringOperand();
        } else {
          t->lhs = StringOperand();
          if (Chance(0.5)) {
            t->rhs.kind = Operand::kAttribute;
            t->rhs.attr = kL1;
          } else {
            t->rhs.kind = Operand::kStringList;
            for (size_t n = Below(4); n > 0; --n) {
              t->rhs.strings.push_back(kStrings[Below(kStrings.size())]);
            }
          }
        }
        break;
      default:  // bools
        t->op = Chance(0.5) ? Op::kEq : Op::kNe;
        t->lhs = BoolOperand();
        t->rhs = BoolOperand();
        break;
    }
  }

  // A number (or string) attribute or literal.
  Operand ScalarOperand(bool number) {
    Operand o;
    if (Chance(0.5)) {
      o.kind = Operand::kAttribute;
      o.attr = number ? (Chance(0.5) ? kN1 : kN2) : (Chance(0.5) ? kS1 : kS2);
    } else if (number) {
      o.kind = Operand::kNumber;
      o.number = Below(kNumberTexts.size());
    } else {
      o.kind = Operand::kString;
      o.text = kStrings[Below(kStrings.size())];
    }
    return o;
  }
  Operand NumberOperand() { return ScalarOperand(true); }
  Operand StringOperand() { return ScalarOperand(false); }
  Operand BoolOperand() {
    Operand o;
    const size_t c = Below(3);
    o.kind = c == 0 ? Operand::kAttribute : c == 1 ? Operand::kBool : Operand::kNotBool;
    o.attr = kB1;
    o.boolean = Chance(0.5);
    return o;
  }

  Values RandomValues() {
    Values v;
    for (auto& s : v.s) {
      if (Chance(0.85)) s = kStrings[Below(kStrings.size())];
    }
    for (auto& n : v.n) {
      if (Chance(0.85)) n = NumberOf(Below(kNumberTexts.size()));
    }
    if (Chance(0.85)) v.b = Chance(0.5);
    if (Chance(0.85)) {
      v.l.emplace();
      for (size_t n = Below(4); n > 0; --n)
        v.l->push_back(kStrings[Below(kStrings.size())]);
    }
    return v;
  }

  // --- printing -----------------------------------------------------------------

  std::string Keyword(std::string word) {
    for (char& c : word) {
      if (Chance(0.5)) c = static_cast<char>(c >= 'a' ? c - 'a' + 'A' : c);
    }
    return word;
  }
  std::string Space() {
    const size_t c = Below(6);
    return c == 0 ? "  " : c == 1 ? "\n" : c == 2 ? "\t" : " ";
  }
  std::string Quoted(const std::string& s) {
    const char quote = Chance(0.5) ? '\'' : '"';
    std::string out(1, quote);
    for (char c : s) {
      if (c == '\\' || c == quote) out.push_back('\\');
      out.push_back(c);
    }
    out.push_back(quote);
    return out;
  }

  std::string Print(const Operand& o) {
    switch (o.kind) {
      case Operand::kAttribute: return kNames[o.attr];
      case Operand::kString: return Quoted(o.text);
      case Operand::kNumber: return kNumberTexts[o.number];
      case Operand::kBool: return Keyword(o.boolean ? "true" : "false");
      case Operand::kNotBool: return Keyword("not") + Space() + kNames[kB1];
      case Operand::kStringList:
      case Operand::kNumberList: {
        std::string out = "[";
        const size_t n =
            o.kind == Operand::kStringList ? o.strings.size() : o.numbers.size();
        for (size_t i = 0; i < n; ++i) {
          if (i > 0) out += "," + Space();
          out += o.kind == Operand::kStringList ? Quoted(o.strings[i])
                                                : kNumberTexts[o.numbers[i]];
        }
        return out + "]";
      }
    }
    return "?";
  }

  // Precedence: OR 1, AND 2, everything else (comparisons, NOT, primaries) 3; a
  // child is parenthesized when it binds no tighter than its parent needs.
  static int Precedence(const Tree& t) {
    return t.kind == Tree::kOr ? 1 : t.kind == Tree::kAnd ? 2 : 3;
  }
  static bool IsPrimary(const Tree& t) {
    return t.kind == Tree::kBoolAttr || t.kind == Tree::kBoolLiteral ||
           t.kind == Tree::kNot;
  }

  std::string Print(const Tree& t) {
    std::string out;
    switch (t.kind) {
      case Tree::kBoolLiteral: out = Keyword(t.boolean ? "true" : "false"); break;
      case Tree::kBoolAttr: out = kNames[kB1]; break;
      case Tree::kNot: {
        const Tree& c = t.children[0];
        out = Keyword("not") + Space() + (IsPrimary(c) ? Print(c) : "(" + Print(c) + ")");
        break;
      }
      case Tree::kAnd:
      case Tree::kOr:
        for (size_t i = 0; i < t.children.size(); ++i) {
          const Tree& c = t.children[i];
          if (i > 0) {
            out += Space() + Keyword(t.kind == Tree::kAnd ? "and" : "or") + Space();
          }
          out += Precedence(c) > Precedence(t) ? Print(c) : "(" + Print(c) + ")";
        }
        break;
      case Tree::kCompare:
        out = Print(t.lhs) + Space() + Keyword(kOpText[static_cast<int>(t.op)]) +
              Space() + Print(t.rhs);
        break;
    }
    return Chance(0.1) ? "(" + out + ")" : out;
  }

 private:
  std::mt19937_64 rng_;
};

// The model's values in bindings of the test's schema.
void Bind(const Values& v, Bindings& bindings) {
  bindings.UnsetAll();
  for (int i = 0; i < 2; ++i) {
    if (v.s[i]) bindings.SetString(i == 0 ? kS1 : kS2, *v.s[i]);
    if (v.n[i]) bindings.SetNumber(i == 0 ? kN1 : kN2, *v.n[i]);
  }
  if (v.b) bindings.SetBool(kB1, *v.b);
  if (v.l) bindings.SetStringList(kL1, *v.l);
}

TEST(ExpressionRandomTest, MatchesTheModel) {
  Schema schema;
  for (int i = 0; i < kAttrCount; ++i) ASSERT_TRUE(schema.Add(kNames[i], kTypes[i]).ok());
  Generator gen(20261204);
  Bindings bindings(schema);
  size_t true_results = 0, evaluations = 0;
  for (int round = 0; round < 3000; ++round) {
    const Tree tree = gen.Condition(0);
    const std::string text = gen.Print(tree);
    absl::StatusOr<Expression> e = Compile(text, schema);
    ASSERT_TRUE(e.ok()) << text << "\n" << e.status();
    absl::StatusOr<Expression> again = Compile(e->DebugString(), schema);
    ASSERT_TRUE(again.ok()) << e->DebugString() << "\n" << again.status();
    ASSERT_EQ(again->DebugString(), e->DebugString());
    for (int k = 0; k < 8; ++k) {
      const Values v = gen.RandomValues();
      Bind(v, bindings);
      const bool expected = Model(tree, v);
      ASSERT_EQ(e->Evaluate(bindings), expected) << text;
      ASSERT_EQ(again->Evaluate(bindings), expected) << e->DebugString();
      true_results += expected;
      ++evaluations;
    }
  }
  // Both outcomes occur often enough for the comparison to mean something.
  EXPECT_GT(true_results, evaluations / 10);
  EXPECT_LT(true_results, evaluations * 9 / 10);
}

// A number attribute compared with a literal (either side) by ==, <, <=, >
// or >=: what a number guard is made of.
Tree NumberBound(Generator& gen, Attr attr) {
  Tree t;
  t.kind = Tree::kCompare;
  constexpr Op kOps[] = {Op::kEq, Op::kLt, Op::kLe, Op::kGt, Op::kGe};
  t.op = kOps[gen.Below(5)];
  Operand a;
  a.kind = Operand::kAttribute;
  a.attr = attr;
  Operand literal;
  literal.kind = Operand::kNumber;
  literal.number = gen.Below(kNumberTexts.size());
  const bool flip = gen.Chance(0.3);
  t.lhs = flip ? literal : a;
  t.rhs = flip ? a : literal;
  return t;
}

// A condition an index can use: a string attribute `==` a literal (either
// side) or `IN` a list of literals, or one or two bounds of a number
// attribute (a range, possibly empty), alone or ANDed with a random condition.
Tree GuardedPart(Generator& gen) {
  if (gen.Chance(0.4)) {
    const Attr attr = gen.Chance(0.5) ? kN1 : kN2;
    Tree range;
    range.kind = Tree::kAnd;
    for (size_t n = 1 + gen.Below(2); n > 0; --n) {
      range.children.push_back(NumberBound(gen, attr));
    }
    if (gen.Chance(0.5)) {
      range.children.insert(range.children.begin() + static_cast<long>(gen.Below(2)),
                            gen.Condition(2));
    }
    return range.children.size() == 1 ? range.children[0] : range;
  }
  Tree guard;
  guard.kind = Tree::kCompare;
  Operand attr;
  attr.kind = Operand::kAttribute;
  attr.attr = gen.Chance(0.5) ? kS1 : kS2;
  if (gen.Chance(0.5)) {
    guard.op = Op::kEq;
    Operand literal;
    literal.kind = Operand::kString;
    literal.text = kStrings[gen.Below(kStrings.size())];
    const bool flip = gen.Chance(0.3);
    guard.lhs = flip ? literal : attr;
    guard.rhs = flip ? attr : literal;
  } else {
    guard.op = Op::kIn;
    guard.lhs = attr;
    guard.rhs.kind = Operand::kStringList;
    for (size_t n = 1 + gen.Below(3); n > 0; --n) {
      guard.rhs.strings.push_back(kStrings[gen.Below(kStrings.size())]);
    }
  }
  if (gen.Chance(0.3)) return guard;
  Tree both;
  both.kind = Tree::kAnd;
  both.children.push_back(gen.Condition(2));
  both.children.insert(both.children.begin() + static_cast<long>(gen.Below(2)), guard);
  return both;
}

// A guarded condition (above), or an OR of two or three of them (now and then
// with a branch that has no guard, which leaves the OR unindexed), alone or
// ANDed with a random condition: the index lists such a condition under each
// branch's guard.
Tree Guarded(Generator& gen) {
  if (!gen.Chance(0.3)) return GuardedPart(gen);
  Tree any;
  any.kind = Tree::kOr;
  for (size_t n = 2 + gen.Below(2); n > 0; --n) {
    any.children.push_back(gen.Chance(0.1) ? gen.Condition(2) : GuardedPart(gen));
  }
  if (gen.Chance(0.6)) return any;
  Tree both;
  both.kind = Tree::kAnd;
  both.children.push_back(gen.Condition(2));
  both.children.insert(both.children.begin() + static_cast<long>(gen.Below(2)), any);
  return both;
}

// A ConditionList picks the first condition the model says holds, whether the
// conditions are indexed by their guards, mixed with unguarded ones, or none
// has a guard.
TEST(ExpressionRandomTest, ConditionListFindsTheFirstThatHolds) {
  Schema schema;
  for (int i = 0; i < kAttrCount; ++i) ASSERT_TRUE(schema.Add(kNames[i], kTypes[i]).ok());
  Generator gen(20261206);
  Bindings bindings(schema);
  size_t none = 0, first = 0, later = 0;
  for (int round = 0; round < 400; ++round) {
    const double guarded = round % 4 == 0 ? 0.0 : round % 4 == 1 ? 1.0 : 0.7;
    const size_t n = 1 + gen.Below(40);
    std::vector<Tree> trees;
    std::vector<std::string> texts;
    std::vector<Expression> conditions;
    for (size_t i = 0; i < n; ++i) {
      trees.push_back(gen.Chance(guarded) ? Guarded(gen) : gen.Condition(1));
      texts.push_back(gen.Print(trees.back()));
      absl::StatusOr<Expression> e = Compile(texts.back(), schema);
      ASSERT_TRUE(e.ok()) << texts.back() << "\n" << e.status();
      conditions.push_back(*std::move(e));
    }
    const ConditionList list(conditions);
    ASSERT_EQ(list.size(), n);
    for (int k = 0; k < 20; ++k) {
      const Values v = gen.RandomValues();
      Bind(v, bindings);
      int expected = -1;
      for (size_t i = 0; i < n && expected < 0; ++i) {
        if (Model(trees[i], v)) expected = static_cast<int>(i);
      }
      std::string all;
      for (const std::string& t : texts) all += t + "\n";
      ASSERT_EQ(list.FirstMatch(bindings), expected) << all;
      none += expected < 0;
      first += expected == 0;
      later += expected > 0;
    }
  }
  // Every kind of outcome occurs often.
  EXPECT_GT(none, 500u);
  EXPECT_GT(first, 500u);
  EXPECT_GT(later, 500u);
}

}  // namespace
}  // namespace ccengine::config
