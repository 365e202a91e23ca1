#include "core/expr/expr_node.hpp"

namespace cati::core {

std::string_view symbol(expr_op op) {
  switch (op) {
    case expr_op::negate:
    case expr_op::sub: return "-";
    case expr_op::logical_or: return "or";
    case expr_op::logical_and: return "and";
    case expr_op::eq: return "=";
    case expr_op::ne: return "!=";
    case expr_op::lt: return "<";
    case expr_op::le: return "<=";
    case expr_op::gt: return ">";
    case expr_op::ge: return ">=";
    case expr_op::add: return "+";
    case expr_op::mul: return "*";
    case expr_op::div: return "div";
    case expr_op::mod: return "mod";
    default: return "";
  }
}

}  // namespace cati::core
