// The compiler of the expression language: a recursive-descent parser that
// resolves attributes and checks types as it builds the program (program.h).
// Recursion is bounded by kMaxExpressionDepth: each NOT and each '(' counts.

#include <algorithm>
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
#include "ccengine/config/expression.h"
#include "common/edit_distance.h"
#include "config/lexer.h"
#include "config/program.h"
#include "fmt/format.h"

namespace ccengine::config::internal {
namespace {

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kString: return "a string";
    case Type::kNumber: return "a number";
    case Type::kBool: return "a bool";
    case Type::kStringList: return "a string list";
    case Type::kStringListLiteral: return "a list of strings";
    case Type::kNumberListLiteral: return "a list of numbers";
    case Type::kEmptyListLiteral: return "an empty list";
    case Type::kError: return "an error";
  }
  return "?";
}

}  // namespace

class Compiler {
 public:
  Compiler(std::string_view text, const Schema& schema, bool suggest = true)
      : text_(text),
        schema_(schema),
        suggest_(suggest),
        program_(std::make_shared<Program>()) {}

  absl::StatusOr<Expression> Run(std::vector<Diagnostic>* diagnostics) {
    if (text_.size() > kMaxExpressionBytes) {
      Diagnostic d;
      d.message = fmt::format("expression of {} bytes; the limit is {}", text_.size(),
                              kMaxExpressionBytes);
      return Finish(std::move(d), diagnostics);
    }
    Diagnostic lexical;
    if (!Lex(text_, &tokens_, &lexical)) return Finish(std::move(lexical), diagnostics);
    if (tokens_.front().kind == TokenKind::kEnd) {
      return Finish(At(text_, 0, "empty expression"), diagnostics);
    }
    const std::optional<uint32_t> root = ParseOr(0);
    if (root && Peek().kind != TokenKind::kEnd) {
      Expected("AND, OR or end of input");
    }
    if (!syntax_error_ && root) {
      const Node& node = program_->nodes[*root];
      if (node.type != Type::kBool && node.type != Type::kError) {
        Error(At(text_, Begin(*root), "the expression must be a condition (a bool)",
                 fmt::format(", found {}", Describe(*root))));
      }
    }
    if (!errors_.empty()) {
      std::string message;
      for (const Diagnostic& error : errors_) {
        if (!message.empty()) message += "; ";
        message += error.message;
      }
      if (dropped_errors_) message += "; more errors not shown";
      if (diagnostics)
        diagnostics->insert(diagnostics->end(), errors_.begin(), errors_.end());
      return absl::InvalidArgumentError(message);
    }
    program_->text = std::string(text_);
    program_->root = *root;
    GenerateCode(*program_);
    return Expression(std::move(program_));
  }

 private:
  static absl::Status Finish(Diagnostic d, std::vector<Diagnostic>* diagnostics) {
    absl::Status status = absl::InvalidArgumentError(d.message);
    if (diagnostics) diagnostics->push_back(std::move(d));
    return status;
  }

  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Take() { return tokens_[pos_++]; }

  void Error(Diagnostic d) {
    if (errors_.size() >= kMaxExpressionErrors) {
      dropped_errors_ = true;
      return;
    }
    errors_.push_back(std::move(d));
  }

  // A syntax error ends the parse: report it and return nothing.
  std::nullopt_t Expected(std::string_view what) {
    const Token& token = Peek();
    Error(At(text_, token.begin, fmt::format("expected {}", what),
             fmt::format(", found {}", DescribeToken(text_, token))));
    syntax_error_ = true;
    return std::nullopt;
  }

  std::optional<uint32_t> TooDeep() {
    Error(At(text_, Peek().begin,
             fmt::format("expression nested deeper than {}", kMaxExpressionDepth)));
    syntax_error_ = true;
    return std::nullopt;
  }

  uint32_t Add(Node node, size_t begin) {
    program_->nodes.push_back(node);
    begins_.push_back(static_cast<uint32_t>(begin));
    return static_cast<uint32_t>(program_->nodes.size() - 1);
  }
  uint32_t Begin(uint32_t node) const { return begins_[node]; }
  Type TypeOf(uint32_t node) const { return program_->nodes[node].type; }

  uint32_t AddString(std::string value) {
    program_->strings.push_back(std::move(value));
    return static_cast<uint32_t>(program_->strings.size() - 1);
  }

  // "customer.tier (a string)" for an attribute, else its type.
  std::string Describe(uint32_t node) const {
    const Node& n = program_->nodes[node];
    if (n.kind == NodeKind::kAttribute) {
      return fmt::format("{} ({})", program_->strings[n.b], TypeName(n.type));
    }
    return std::string(TypeName(n.type));
  }

  // or := and { OR and }; and := comparison { AND comparison }
  std::optional<uint32_t> ParseOr(int depth) { return ParseJunction(depth, true); }

  std::optional<uint32_t> ParseJunction(int depth, bool is_or) {
    const TokenKind keyword = is_or ? TokenKind::kOr : TokenKind::kAnd;
    const size_t begin = Peek().begin;
    std::optional<uint32_t> first =
        is_or ? ParseJunction(depth, false) : ParseComparison(depth);
    if (!first || Peek().kind != keyword) return first;
    std::vector<uint32_t> operands = {*first};
    while (Peek().kind == keyword) {
      Take();
      std::optional<uint32_t> next =
          is_or ? ParseJunction(depth, false) : ParseComparison(depth);
      if (!next) return std::nullopt;
      operands.push_back(*next);
    }
    Node node;
    node.kind = is_or ? NodeKind::kOr : NodeKind::kAnd;
    node.type = Type::kBool;
    for (const uint32_t operand : operands) {
      const Type type = TypeOf(operand);
      if (type != Type::kBool && type != Type::kError) {
        Error(At(text_, Begin(operand),
                 fmt::format("{} needs bools", is_or ? "OR" : "AND"),
                 fmt::format(", found {}", Describe(operand))));
        node.type = Type::kError;
      }
    }
    node.a = static_cast<uint32_t>(program_->children.size());
    program_->children.insert(program_->children.end(), operands.begin(), operands.end());
    node.b = static_cast<uint32_t>(program_->children.size());
    if (node.type == Type::kBool) {
      for (const uint32_t operand : operands) {
        if (TypeOf(operand) == Type::kError) node.type = Type::kError;
      }
    }
    return Add(node, begin);
  }

  static std::optional<Op> OperatorOf(TokenKind kind) {
    switch (kind) {
      case TokenKind::kEq: return Op::kEq;
      case TokenKind::kNe: return Op::kNe;
      case TokenKind::kLt: return Op::kLt;
      case TokenKind::kLe: return Op::kLe;
      case TokenKind::kGt: return Op::kGt;
      case TokenKind::kGe: return Op::kGe;
      case TokenKind::kIn: return Op::kIn;
      case TokenKind::kHas: return Op::kHas;
      case TokenKind::kContains: return Op::kContains;
      default: return std::nullopt;
    }
  }

  // comparison := unary [ operator unary ]
  std::optional<uint32_t> ParseComparison(int depth) {
    std::optional<uint32_t> lhs = ParseUnary(depth);
    if (!lhs) return std::nullopt;
    const std::optional<Op> op = OperatorOf(Peek().kind);
    if (!op) return lhs;
    const size_t op_offset = Take().begin;
    std::optional<uint32_t> rhs = ParseUnary(depth);
    if (!rhs) return std::nullopt;
    Node node;
    node.kind = NodeKind::kCompare;
    node.op = *op;
    node.a = *lhs;
    node.b = *rhs;
    node.type = CheckComparison(*op, *lhs, *rhs, op_offset) ? Type::kBool : Type::kError;
    return Add(node, Begin(*lhs));
  }

  bool CheckComparison(Op op, uint32_t lhs, uint32_t rhs, size_t op_offset) {
    const Type left = TypeOf(lhs);
    const Type right = TypeOf(rhs);
    if (left == Type::kError || right == Type::kError) return false;
    bool ok = false;
    std::string_view needs;
    switch (op) {
      case Op::kEq:
      case Op::kNe:
        ok = left == right &&
             (left == Type::kString || left == Type::kNumber || left == Type::kBool);
        needs = "two strings, two numbers or two bools";
        break;
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe:
        ok = left == Type::kNumber && right == Type::kNumber;
        needs = "two numbers";
        break;
      case Op::kIn:
        ok = (left == Type::kString &&
              (right == Type::kStringListLiteral || right == Type::kEmptyListLiteral ||
               right == Type::kStringList)) ||
             (left == Type::kNumber &&
              (right == Type::kNumberListLiteral || right == Type::kEmptyListLiteral));
        needs = "a string or number and a list of its type";
        break;
      case Op::kHas:
        ok = left == Type::kStringList && right == Type::kString;
        needs = "a string list attribute and a string";
        break;
      case Op::kContains:
        ok = left == Type::kString && right == Type::kString;
        needs = "two strings";
        break;
    }
    if (ok) return true;
    std::string rest = fmt::format(", found {} and {}", Describe(lhs), Describe(rhs));
    const Node& left_node = program_->nodes[lhs];
    if (left_node.kind == NodeKind::kNot && right != Type::kBool) {
      rest += "; NOT applies to the value before the operator: write NOT (...)";
    }
    Error(At(text_, op_offset, fmt::format("'{}' needs {}", OpName(op), needs), rest));
    return false;
  }

  // unary := NOT unary | primary
  std::optional<uint32_t> ParseUnary(int depth) {
    if (Peek().kind != TokenKind::kNot) return ParsePrimary(depth);
    if (depth >= kMaxExpressionDepth) return TooDeep();
    const size_t begin = Take().begin;
    std::optional<uint32_t> operand = ParseUnary(depth + 1);
    if (!operand) return std::nullopt;
    Node node;
    node.kind = NodeKind::kNot;
    node.a = *operand;
    node.type = TypeOf(*operand) == Type::kError ? Type::kError : Type::kBool;
    if (TypeOf(*operand) != Type::kBool && TypeOf(*operand) != Type::kError) {
      Error(At(text_, begin, "NOT needs a bool",
               fmt::format(", found {}; to negate a comparison write NOT (...)",
                           Describe(*operand))));
      node.type = Type::kError;
    }
    return Add(node, begin);
  }

  std::optional<uint32_t> ParsePrimary(int depth) {
    const Token& token = Peek();
    Node node;
    switch (token.kind) {
      case TokenKind::kLParen: {
        if (depth >= kMaxExpressionDepth) return TooDeep();
        Take();
        std::optional<uint32_t> inner = ParseOr(depth + 1);
        if (!inner) return std::nullopt;
        if (Peek().kind != TokenKind::kRParen) return Expected("')'");
        Take();
        return inner;
      }
      case TokenKind::kLBracket: return ParseList();
      case TokenKind::kTrue:
      case TokenKind::kFalse:
        node.kind = NodeKind::kBoolLiteral;
        node.type = Type::kBool;
        node.boolean = token.kind == TokenKind::kTrue;
        break;
      case TokenKind::kNumber:
        node.kind = NodeKind::kNumberLiteral;
        node.type = Type::kNumber;
        node.number = token.number;
        node.b =
            AddString(std::string(text_.substr(token.begin, token.end - token.begin)));
        break;
      case TokenKind::kString:
        node.kind = NodeKind::kStringLiteral;
        node.type = Type::kString;
        node.a = AddString(token.value);
        break;
      case TokenKind::kName: return ParseAttribute();
      default: return Expected("an attribute, a value, '[' or '('");
    }
    Take();
    return Add(node, token.begin);
  }

  std::optional<uint32_t> ParseAttribute() {
    const Token& token = Take();
    const std::string_view name = text_.substr(token.begin, token.end - token.begin);
    Node node;
    node.kind = NodeKind::kAttribute;
    node.b = AddString(std::string(name));
    if (const std::optional<AttributeId> id = schema_.Find(name)) {
      node.a = *id;
      switch (schema_.type(*id)) {
        case ValueType::kString: node.type = Type::kString; break;
        case ValueType::kNumber: node.type = Type::kNumber; break;
        case ValueType::kBool: node.type = Type::kBool; break;
        case ValueType::kStringList: node.type = Type::kStringList; break;
      }
    } else {
      node.type = Type::kError;
      std::string rest;
      if (const std::string* suggestion = suggest_ ? Suggest(name) : nullptr) {
        rest = fmt::format("; did you mean '{}'?", *suggestion);
      }
      Error(At(text_, token.begin, fmt::format("unknown attribute '{}'", name), rest));
    }
    return Add(node, token.begin);
  }

  // The nearest attribute within 2 edits, or a third of the longer name up to
  // 4. The distance is computed only up to that bound (and the best found so
  // far), so a schema of thousands of long names stays cheap.
  const std::string* Suggest(std::string_view name) const {
    const std::string* best = nullptr;
    size_t best_distance = 0;
    for (AttributeId id = 0; id < schema_.size(); ++id) {
      const std::string& candidate = schema_.name(id);
      const size_t longer = std::max(name.size(), candidate.size());
      size_t limit = std::max<size_t>(2, std::min<size_t>(4, longer / 3));
      if (best != nullptr) {
        if (best_distance == 0) break;
        limit = std::min(limit, best_distance - 1);
      }
      const size_t distance =
          common::BoundedEditDistance(name, candidate, limit, /*fold_ascii_case=*/true);
      if (distance > limit) continue;
      best = &candidate;
      best_distance = distance;
    }
    return best;
  }

  // list := '[' [ literal { ',' literal } ] ']'
  std::optional<uint32_t> ParseList() {
    const size_t begin = Take().begin;
    Node node;
    node.kind = NodeKind::kList;
    node.type = Type::kEmptyListLiteral;
    std::vector<std::string> strings;
    std::vector<double> numbers;
    std::vector<std::string> number_texts;
    if (Peek().kind != TokenKind::kRBracket) {
      while (true) {
        const Token& item = Peek();
        if (item.kind != TokenKind::kString && item.kind != TokenKind::kNumber) {
          return Expected("a string or a number");
        }
        if (strings.size() + numbers.size() >= kMaxListItems) {
          Error(At(text_, item.begin,
                   fmt::format("list longer than {} items", kMaxListItems)));
          syntax_error_ = true;
          return std::nullopt;
        }
        Take();
        const Type type = item.kind == TokenKind::kString ? Type::kStringListLiteral
                                                          : Type::kNumberListLiteral;
        if (node.type == Type::kEmptyListLiteral) {
          node.type = type;
        } else if (node.type != type && node.type != Type::kError) {
          Error(At(text_, item.begin, "a list holds strings or numbers, not both"));
          node.type = Type::kError;
        }
        if (item.kind == TokenKind::kString) {
          strings.push_back(item.value);
        } else {
          numbers.push_back(item.number);
          number_texts.emplace_back(text_.substr(item.begin, item.end - item.begin));
        }
        if (Peek().kind == TokenKind::kComma) {
          Take();
          continue;
        }
        if (Peek().kind == TokenKind::kRBracket) break;
        return Expected("',' or ']'");
      }
    }
    Take();
    if (node.type == Type::kNumberListLiteral) {
      node.a = static_cast<uint32_t>(program_->numbers.size());
      program_->numbers.insert(program_->numbers.end(), numbers.begin(), numbers.end());
      for (std::string& s : number_texts) program_->number_texts.push_back(std::move(s));
      node.b = static_cast<uint32_t>(program_->numbers.size());
    } else {
      node.a = static_cast<uint32_t>(program_->strings.size());
      for (std::string& s : strings) program_->strings.push_back(std::move(s));
      node.b = static_cast<uint32_t>(program_->strings.size());
    }
    return Add(node, begin);
  }

  std::string_view text_;
  const Schema& schema_;
  const bool suggest_;
  std::shared_ptr<Program> program_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::vector<uint32_t> begins_;  // per node, its first byte
  std::vector<Diagnostic> errors_;
  bool syntax_error_ = false;
  bool dropped_errors_ = false;
};

}  // namespace ccengine::config::internal

namespace ccengine::config {

absl::StatusOr<Expression> Compile(std::string_view text, const Schema& schema,
                                   std::vector<Diagnostic>* diagnostics) {
  return internal::Compiler(text, schema).Run(diagnostics);
}

namespace internal {

absl::StatusOr<Expression> CompileWithoutSuggestions(
    std::string_view text, const Schema& schema, std::vector<Diagnostic>* diagnostics) {
  return Compiler(text, schema, /*suggest=*/false).Run(diagnostics);
}

}  // namespace internal

}  // namespace ccengine::config
