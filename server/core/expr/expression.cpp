#include "core/expr/expression.hpp"

#include "core/expr/expr_check.hpp"
#include "core/expr/expr_eval.hpp"
#include "core/expr/expr_node.hpp"
#include "core/expr/expr_parser.hpp"

namespace cati::core {

// Copies share the immutable tree.
expression::expression() = default;
expression::~expression() = default;
expression::expression(const expression&) = default;
expression& expression::operator=(const expression&) = default;
expression::expression(expression&&) noexcept = default;
expression& expression::operator=(expression&&) noexcept = default;

result<expression, expr_error> expression::parse(std::string_view source) {
  auto parsed = parse_expression(source);
  if (!parsed) return parsed.err();
  expression e;
  e.source_ = std::string(source);
  e.root_ = std::move(parsed->root);
  e.references_ = std::move(parsed->references);
  return e;
}

value expression::evaluate(const eval_context& ctx) const {
  return root_ ? evaluate_tree(*root_, ctx) : value();
}

bool expression::uses_current() const { return root_ && root_->uses_current; }

std::vector<expr_error> expression::check(const std::function<const name_info*(std::string_view)>& lookup,
                                          expr_type current) const {
  if (!root_) return {};
  return check_tree(*root_, source_, lookup, current);
}

}  // namespace cati::core
