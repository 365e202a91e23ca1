// Internal to the expression language: the parsed tree behind `expression` (expression.hpp forward-declares
// expr_node). Included only by expression.cpp and the expr_*.cpp files.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/expr/value.hpp"

namespace cati::core {

enum class expr_op : std::uint8_t {
  // leaves
  number,
  text,
  name,     // ${name}
  current,  // .
  // operators
  negate,
  logical_or,
  logical_and,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  add,
  sub,
  mul,
  div,
  mod,
  // functions
  fn_not,
  fn_if,
  fn_coalesce,
  fn_selected,
  fn_count_selected,
  fn_string_length,
};

struct expr_function {
  std::string_view name;  // as written, without "()"
  expr_op op;
  std::size_t arity;
};

inline constexpr std::array<expr_function, 6> expr_functions{{
    {"not", expr_op::fn_not, 1},
    {"if", expr_op::fn_if, 3},
    {"coalesce", expr_op::fn_coalesce, 2},
    {"selected", expr_op::fn_selected, 2},
    {"count-selected", expr_op::fn_count_selected, 1},
    {"string-length", expr_op::fn_string_length, 1},
}};

// nullptr when there is no such function.
inline const expr_function* find_function(std::string_view name) {
  for (const auto& f : expr_functions)
    if (f.name == name) return &f;
  return nullptr;
}
inline const expr_function* find_function(expr_op op) {
  for (const auto& f : expr_functions)
    if (f.op == op) return &f;
  return nullptr;
}

inline bool is_comparison(expr_op op) { return op >= expr_op::eq && op <= expr_op::ge; }
inline bool is_arithmetic(expr_op op) { return op >= expr_op::add && op <= expr_op::mod; }

// How an operator is written: "=", "div", "-" (negate and sub alike). "" for leaves and functions.
std::string_view symbol(expr_op op);

// Bounds both the parser's recursion and the tree's height, hence evaluation's recursion: a hostile or
// generated expression gets a parse error instead of exhausting the stack. Real ones stay under 10.
inline constexpr std::size_t expr_max_depth = 128;

// One node of a parsed expression. Nodes live in an expr_tree and point at their operands there. The
// tree is immutable once parsed, so it is shared by every copy of an expression and read by any thread.
struct expr_node {
  expr_op op = expr_op::number;
  bool uses_current = false;  // `.` occurs in this sub-expression
  std::uint16_t depth = 1;    // height of this sub-tree (a leaf is 1)
  std::uint32_t offset = 0;   // the token that makes the node: literal, ${, '.', operator, function name
  std::uint32_t begin = 0;    // the whole sub-expression's source, [begin, end), quoted in messages;
  std::uint32_t end = 0;      // without enclosing parentheses
  std::span<const expr_node* const> args;  // operands in source order; a call has as many as written
  value literal;     // number and text literals
  std::string name;  // ${name}
};

// Owns the nodes of one parsed expression. The parser reserves both vectors up front (a node per token
// at most, an operand per node at most) and never grows them past that, so the pointers between nodes
// stay valid.
struct expr_tree {
  std::vector<expr_node> nodes;
  std::vector<const expr_node*> operands;
};

}  // namespace cati::core
