#include "core/expr/expr_parser.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <optional>
#include <span>

#include "core/expr/expr_lexer.hpp"

namespace cati::core {
namespace {

struct binary_operator {
  token_kind kind;
  std::string_view word;  // for token_kind::word
  expr_op op;
  std::size_t level;      // 0 binds loosest
};

// XPath's precedence: or < and < equality < relational < additive < multiplicative (< unary, below).
// All are left-associative.
constexpr std::size_t binary_levels = 6;
constexpr std::array<binary_operator, 13> binary_operators{{
    {token_kind::word, "or", expr_op::logical_or, 0},
    {token_kind::word, "and", expr_op::logical_and, 1},
    {token_kind::eq, "", expr_op::eq, 2},
    {token_kind::ne, "", expr_op::ne, 2},
    {token_kind::lt, "", expr_op::lt, 3},
    {token_kind::le, "", expr_op::le, 3},
    {token_kind::gt, "", expr_op::gt, 3},
    {token_kind::ge, "", expr_op::ge, 3},
    {token_kind::plus, "", expr_op::add, 4},
    {token_kind::minus, "", expr_op::sub, 4},
    {token_kind::star, "", expr_op::mul, 5},
    {token_kind::word, "div", expr_op::div, 5},
    {token_kind::word, "mod", expr_op::mod, 5},
}};

const binary_operator* find_binary(const token& t) {
  for (const auto& b : binary_operators)
    if (b.kind == t.kind && (t.kind != token_kind::word || b.word == t.content)) return &b;
  return nullptr;
}

std::string function_list() {
  std::string out;
  for (const auto& f : expr_functions) {
    if (!out.empty()) out += ", ";
    out += std::string(f.name) + "()";
  }
  return out;
}

std::string too_deep() {
  return "expression nested too deeply: more than " + std::to_string(expr_max_depth) + " levels";
}

// Recursive descent, one function per kind of construct; binary operators share one function driven
// by the precedence table. Functions return nullptr once error_ is set, and callers pass that up.
class parser {
 public:
  parser(const std::vector<token>& tokens, expr_tree& tree) : tokens_(tokens), tree_(tree) {}

  const expr_node* parse_all() {
    const expr_node* root = parse_binary(0);
    if (!root) return nullptr;
    const token& t = peek();
    if (t.kind == token_kind::rparen) return fail(t.offset, "found ')' without a matching '('");
    if (t.kind != token_kind::end)
      return fail(t.offset, "expected an operator or the end of the expression, found " + describe(t));
    return root;
  }

  expr_error error() const { return *error_; }
  std::vector<std::string> take_references() { return std::move(references_); }

 private:
  const expr_node* parse_binary(std::size_t level) {
    if (level == binary_levels) return parse_unary();
    const expr_node* lhs = parse_binary(level + 1);
    while (lhs) {
      const binary_operator* b = find_binary(peek());
      if (!b || b->level != level) break;
      const token& at = advance();
      const expr_node* rhs = parse_binary(level + 1);
      if (!rhs) return nullptr;
      std::array operands{lhs, rhs};
      lhs = add_inner(b->op, at, lhs->begin, rhs->end, operands);
    }
    return lhs;
  }

  const expr_node* parse_unary() {
    // Every level of parentheses, call arguments and unary minus passes here: bound the recursion.
    struct nesting_guard {
      std::size_t& n;
      ~nesting_guard() { --n; }
    } guard{++nesting_};
    if (nesting_ > expr_max_depth) return fail(peek().offset, too_deep());

    if (peek().kind != token_kind::minus) return parse_primary();
    const token& minus = advance();
    if (peek().kind == token_kind::number) {
      // -3 stays one literal: check() sees the code -1 in `${q} = -1`, and evaluation saves a step.
      const token& digits = advance();
      expr_node& n = add_leaf(expr_op::number, minus);
      n.end = end_of(digits);
      n.literal = -digits.number;
      return &n;
    }
    const expr_node* operand = parse_unary();
    if (!operand) return nullptr;
    return add_inner(expr_op::negate, minus, minus.offset, operand->end, std::span(&operand, 1));
  }

  const expr_node* parse_primary() {
    const token& t = peek();
    switch (t.kind) {
      case token_kind::number: {
        advance();
        expr_node& n = add_leaf(expr_op::number, t);
        n.literal = t.number;
        return &n;
      }
      case token_kind::text: {
        advance();
        expr_node& n = add_leaf(expr_op::text, t);
        n.literal = std::string(t.content);
        return &n;
      }
      case token_kind::name: {
        advance();
        expr_node& n = add_leaf(expr_op::name, t);
        n.name = std::string(t.content);
        if (std::find(references_.begin(), references_.end(), n.name) == references_.end())
          references_.push_back(n.name);
        return &n;
      }
      case token_kind::dot: {
        advance();
        expr_node& n = add_leaf(expr_op::current, t);
        n.uses_current = true;
        return &n;
      }
      case token_kind::lparen: return parse_group();
      case token_kind::word: return parse_call();
      default: return fail(t.offset, expected_value());
    }
  }

  const expr_node* parse_group() {
    const token& open = advance();
    const expr_node* inner = parse_binary(0);
    if (!inner) return nullptr;
    if (peek().kind != token_kind::rparen)
      return fail(peek().offset, "expected ')' to close the '(' at offset " + std::to_string(open.offset) +
                                     ", found " + describe(peek()));
    advance();
    return inner;
  }

  // A word in a value's place: a function call, or a mistake we can name.
  const expr_node* parse_call() {
    const token& name = peek();
    const expr_function* fn = find_function(name.content);
    bool call = tokens_[pos_ + 1].kind == token_kind::lparen;  // `name` is never the end token
    if (!fn && call)
      return fail(name.offset, "unknown function '" + std::string(name.content) + "()'; the functions are " +
                                   function_list());
    if (!fn && find_binary(name)) return fail(name.offset, expected_value());
    if (!fn)
      return fail(name.offset, "expected a value, found '" + std::string(name.content) + "'; write ${" +
                                   std::string(name.content) + "} to refer to a question or sample variable");
    advance();
    if (!call)
      return fail(peek().offset, "expected '(' after '" + std::string(fn->name) + "', found " + describe(peek()));
    advance();

    std::vector<const expr_node*> args;
    if (peek().kind != token_kind::rparen) {
      for (;;) {
        const expr_node* arg = parse_binary(0);
        if (!arg) return nullptr;
        args.push_back(arg);
        if (peek().kind == token_kind::comma) {
          advance();
          continue;
        }
        if (peek().kind == token_kind::rparen) break;
        // The arity is check()'s to judge; here it only picks the more helpful message.
        std::string fn_name = std::string(fn->name) + "()";
        return fail(peek().offset,
                    args.size() >= fn->arity
                        ? "expected ')' after arguments of " + fn_name + ", found " + describe(peek())
                        : "expected ',' or ')' after argument " + std::to_string(args.size()) + " of " +
                              fn_name + ", found " + describe(peek()));
      }
    }
    const token& close = advance();
    return add_inner(fn->op, name, name.offset, end_of(close), args);
  }

  std::string expected_value() const {
    std::string message = "expected a value";
    if (pos_ > 0) message += " after " + describe(tokens_[pos_ - 1]);
    return message + ", found " + describe(peek());
  }

  expr_node& add_leaf(expr_op op, const token& t) {
    assert(tree_.nodes.size() < tree_.nodes.capacity());  // a node per token at most
    expr_node& n = tree_.nodes.emplace_back();
    n.op = op;
    n.offset = n.begin = t.offset;
    n.end = end_of(t);
    return n;
  }

  const expr_node* add_inner(expr_op op, const token& at, std::uint32_t begin, std::uint32_t end,
                             std::span<const expr_node* const> args) {
    std::uint16_t depth = 0;
    bool uses_current = false;
    for (const expr_node* a : args) {
      depth = std::max(depth, a->depth);
      uses_current = uses_current || a->uses_current;
    }
    if (depth >= expr_max_depth) return fail(at.offset, too_deep());
    assert(tree_.operands.size() + args.size() <= tree_.operands.capacity());  // an operand per node at most
    std::size_t first = tree_.operands.size();
    tree_.operands.insert(tree_.operands.end(), args.begin(), args.end());
    expr_node& n = add_leaf(op, at);
    n.begin = begin;
    n.end = end;
    n.args = std::span<const expr_node* const>(tree_.operands.data() + first, args.size());
    n.depth = static_cast<std::uint16_t>(depth + 1);
    n.uses_current = uses_current;
    return &n;
  }

  static std::uint32_t end_of(const token& t) {
    return t.offset + static_cast<std::uint32_t>(t.slice.size());
  }

  const token& peek() const { return tokens_[pos_]; }
  const token& advance() {
    assert(tokens_[pos_].kind != token_kind::end);
    return tokens_[pos_++];
  }

  const expr_node* fail(std::uint32_t offset, std::string message) {
    error_ = expr_error{offset, std::move(message)};
    return nullptr;
  }

  const std::vector<token>& tokens_;
  expr_tree& tree_;
  std::size_t pos_ = 0;
  std::size_t nesting_ = 0;
  std::optional<expr_error> error_;
  std::vector<std::string> references_;
};

}  // namespace

result<parsed_expression, expr_error> parse_expression(std::string_view source) {
  auto tokens = lex(source);
  if (!tokens) return tokens.err();
  if (tokens->size() == 1) return parsed_expression{};  // blank: the empty expression

  auto tree = std::make_shared<expr_tree>();
  tree->nodes.reserve(tokens->size());
  tree->operands.reserve(tokens->size());
  parser p(*tokens, *tree);
  const expr_node* root = p.parse_all();
  if (!root) return p.error();
  return parsed_expression{std::shared_ptr<const expr_node>(std::move(tree), root), p.take_references()};
}

}  // namespace cati::core
