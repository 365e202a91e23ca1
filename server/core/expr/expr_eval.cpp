#include "core/expr/expr_eval.hpp"

#include <cassert>
#include <cmath>
#include <compare>
#include <optional>
#include <string_view>

#include "core/expr/expr_convert.hpp"

namespace cati::core {
namespace {

bool holds(expr_op op, std::partial_ordering order) {
  switch (op) {
    case expr_op::eq: return order == 0;
    case expr_op::ne: return order != 0;
    case expr_op::lt: return order < 0;
    case expr_op::le: return order <= 0;
    case expr_op::gt: return order > 0;
    case expr_op::ge: return order >= 0;
    default: assert(false && "not a comparison"); return false;
  }
}

std::string_view text_or_blank(const value& v) { return v.is_text() ? std::string_view(v.text()) : ""; }

bool compare(expr_op op, const value& a, const value& b) {
  // Selections are tested with selected() and count-selected(); check() reports a direct comparison.
  if (a.is_selection() || b.is_selection()) return false;
  if (a.is_number() || b.is_number()) {
    // Empty against a number is false whatever the operator (so `${q} != 1` does not hold for an
    // unanswered q), and so is text that does not read as a number.
    std::optional<double> x = to_number(a);
    std::optional<double> y = to_number(b);
    return x && y && holds(op, *x <=> *y);
  }
  // Text with text, empty counting as "". Byte order, so that ISO dates compare as dates.
  return holds(op, text_or_blank(a) <=> text_or_blank(b));
}

value arithmetic(expr_op op, const value& a, const value& b) {
  std::optional<double> x = to_number(a);
  std::optional<double> y = to_number(b);
  if (!x || !y) return {};
  double r = 0;
  switch (op) {
    case expr_op::add: r = *x + *y; break;
    case expr_op::sub: r = *x - *y; break;
    case expr_op::mul: r = *x * *y; break;
    case expr_op::div:
      if (*y == 0) return {};
      r = *x / *y;
      break;
    case expr_op::mod:  // XPath's mod truncates: the result has the sign of the dividend, like fmod
      if (*y == 0) return {};
      r = std::fmod(*x, *y);
      break;
    default: assert(false && "not arithmetic"); return {};
  }
  // An overflow to infinity is no answer anyone could give or compare: treat it as no result.
  return std::isfinite(r) ? value(r) : value();
}

// Characters, not bytes: the study's texts are Dutch and French.
double utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;  // skip continuation bytes
  return static_cast<double>(n);
}

value string_length(const value& v) {
  if (v.is_text()) return utf8_length(v.text());
  if (v.is_empty()) return 0.0;
  return utf8_length(v.to_string());  // numbers and selections as they print
}

// A single value (a single-choice answer, say) counts as a selection of one; a blank one as none.
value count_selected(const value& answer) {
  if (answer.is_selection()) return static_cast<double>(answer.selected().codes.size());
  return is_blank(answer) ? 0.0 : 1.0;
}

bool selected(const value& answer, const value& code) {
  if (answer.is_selection()) {
    std::optional<std::int64_t> c = to_code(code);
    return c && answer.selected().contains(*c);
  }
  return !is_blank(answer) && compare(expr_op::eq, answer, code);
}

class evaluator {
 public:
  explicit evaluator(const eval_context& ctx) : ctx_(ctx) {}

  value eval(const expr_node& n) const {
    switch (n.op) {
      case expr_op::number:
      case expr_op::text: return n.literal;
      case expr_op::name: return ctx_.lookup(n.name);
      case expr_op::current: return ctx_.current();
      case expr_op::negate: {
        value slot;
        std::optional<double> x = to_number(operand(arg(n, 0), slot));
        return x ? value(-*x) : value();
      }
      case expr_op::logical_or: return test(arg(n, 0)) || test(arg(n, 1));
      case expr_op::logical_and: return test(arg(n, 0)) && test(arg(n, 1));
      case expr_op::eq:
      case expr_op::ne:
      case expr_op::lt:
      case expr_op::le:
      case expr_op::gt:
      case expr_op::ge: {
        value a, b;
        return compare(n.op, operand(arg(n, 0), a), operand(arg(n, 1), b));
      }
      case expr_op::add:
      case expr_op::sub:
      case expr_op::mul:
      case expr_op::div:
      case expr_op::mod: {
        value a, b;
        return arithmetic(n.op, operand(arg(n, 0), a), operand(arg(n, 1), b));
      }
      case expr_op::fn_not: return !test(arg(n, 0));
      case expr_op::fn_if: return eval_arg(n, test(arg(n, 0)) ? 1 : 2);
      case expr_op::fn_coalesce: {
        value first = eval_arg(n, 0);
        return is_blank(first) ? eval_arg(n, 1) : first;
      }
      case expr_op::fn_selected: {
        value a, b;
        return selected(operand(arg(n, 0), a), operand(arg(n, 1), b));
      }
      case expr_op::fn_count_selected: {
        value a;
        return count_selected(operand(arg(n, 0), a));
      }
      case expr_op::fn_string_length: {
        value a;
        return string_length(operand(arg(n, 0), a));
      }
    }
    assert(false && "unknown expr_op");
    return {};
  }

 private:
  // A call written with too few arguments (check() reports it) reads the missing ones as empty.
  static const expr_node* arg(const expr_node& n, std::size_t i) {
    return i < n.args.size() ? n.args[i] : nullptr;
  }

  // The value of `n`, without copying a literal: a literal is read in place, anything else is
  // computed into `slot`.
  const value& operand(const expr_node* n, value& slot) const {
    static const value none;
    if (!n) return none;
    if (n->op == expr_op::number || n->op == expr_op::text) return n->literal;
    slot = eval(*n);
    return slot;
  }

  bool test(const expr_node* n) const {
    value slot;
    return operand(n, slot).truthy();
  }

  value eval_arg(const expr_node& n, std::size_t i) const {
    const expr_node* a = arg(n, i);
    return a ? eval(*a) : value();
  }

  const eval_context& ctx_;
};

}  // namespace

value evaluate_tree(const expr_node& root, const eval_context& ctx) { return evaluator(ctx).eval(root); }

}  // namespace cati::core
