#include "core/expr/expr_check.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "core/expr/expr_convert.hpp"

namespace cati::core {
namespace {

bool is_numeric(expr_type t) { return t == expr_type::number || t == expr_type::boolean; }

// The type of if()'s branches or coalesce()'s arguments taken together.
expr_type unify(expr_type a, expr_type b) {
  if (a == b) return a;
  if (is_numeric(a) && is_numeric(b)) return expr_type::number;
  return expr_type::unknown;
}

std::string join(const std::vector<std::int64_t>& codes) {
  std::string out;
  for (std::int64_t c : codes) {
    if (!out.empty()) out += ", ";
    out += std::to_string(c);
  }
  return out;
}

class checker {
 public:
  using lookup_fn = std::function<const name_info*(std::string_view)>;

  checker(std::string_view source, const lookup_fn& lookup, expr_type current)
      : source_(source), lookup_(lookup), current_(current) {}

  std::vector<expr_error> run(const expr_node& root) {
    visit(root);
    std::stable_sort(errors_.begin(), errors_.end(),
                     [](const expr_error& a, const expr_error& b) { return a.offset < b.offset; });
    return std::move(errors_);
  }

 private:
  // The static type of `n`, reporting what is wrong inside it on the way.
  expr_type visit(const expr_node& n) {
    switch (n.op) {
      case expr_op::number: return expr_type::number;
      case expr_op::text: return expr_type::text;
      case expr_op::current: return current_;
      case expr_op::name: {
        const name_info* info = info_of(n);
        if (!info) {
          report(n.offset, "unknown name ${" + n.name + "}: no question or sample variable has this name");
          return expr_type::unknown;
        }
        return info->type;
      }
      case expr_op::logical_or:
      case expr_op::logical_and:
        // Any value has a truth value.
        for (const expr_node* a : n.args) visit(*a);
        return expr_type::boolean;
      default:
        if (is_comparison(n.op)) return visit_comparison(n);
        if (is_arithmetic(n.op) || n.op == expr_op::negate) return visit_arithmetic(n);
        return visit_call(n);
    }
  }

  expr_type visit_comparison(const expr_node& n) {
    const expr_node& left = *n.args[0];
    const expr_node& right = *n.args[1];
    expr_type lt = visit(left);
    expr_type rt = visit(right);
    std::string op = "'" + std::string(symbol(n.op)) + "'";

    bool has_selection = false;
    for (auto [side, type] : {std::pair{&left, lt}, std::pair{&right, rt}}) {
      if (type != expr_type::selection) continue;
      has_selection = true;
      report(side->begin, describe(*side, type) + " and cannot be compared with " + op + "; use selected(" +
                              quote(*side) + ", code) or count-selected(" + quote(*side) + ")");
    }
    if (has_selection) return expr_type::boolean;

    if (lt == expr_type::text && is_numeric(rt)) {
      report(n.offset, mismatch(left, lt, right, rt, left, right));
    } else if (is_numeric(lt) && rt == expr_type::text) {
      report(n.offset, mismatch(left, lt, right, rt, right, left));
    } else if (n.op == expr_op::eq || n.op == expr_op::ne) {
      check_compared_code(left, right);
      check_compared_code(right, left);
    }
    return expr_type::boolean;
  }

  std::string mismatch(const expr_node& left, expr_type lt, const expr_node& right, expr_type rt,
                       const expr_node& text_side, const expr_node& number_side) {
    std::string message =
        "cannot compare text with a number: " + describe(left, lt) + " and " + describe(right, rt);
    // `${q} != ''` is how other tools test for an answer; here it is always false for a number.
    if (text_side.op == expr_op::text && text_side.literal.text().empty())
      return message + "; to test whether " + quote(number_side) + " is answered, use string-length(" +
             quote(number_side) + ") > 0";
    if (text_side.op == expr_op::text)
      if (std::optional<double> x = parse_number(text_side.literal.text()))
        return message + "; write " + value(*x).to_string() + " without quotes";
    if (number_side.op == expr_op::number)
      return message + "; write '" + quote(number_side) + "' to compare as text";
    return message;
  }

  // `${q} = code` where q is a choice question: the code must be one of q's.
  void check_compared_code(const expr_node& question, const expr_node& code) {
    const name_info* info = info_of(question);
    if (!info || info->type == expr_type::selection || code.op != expr_op::number) return;
    check_code(question, *info, code);
  }

  void check_code(const expr_node& question, const name_info& info, const expr_node& code) {
    if (info.codes.empty()) return;
    std::optional<std::int64_t> c = to_code(code.literal);
    if (c && std::find(info.codes.begin(), info.codes.end(), *c) != info.codes.end()) return;
    report(code.begin, "code " + quote(code) + " is not a choice of " + quote(question) + "; its codes are " +
                           join(info.codes));
  }

  expr_type visit_arithmetic(const expr_node& n) {
    for (const expr_node* a : n.args) {
      expr_type t = visit(*a);
      if (t == expr_type::text || t == expr_type::selection)
        report(a->begin, "'" + std::string(symbol(n.op)) + "' needs " +
                             (n.args.size() == 1 ? "a number" : "numbers") + "; " + describe(*a, t));
    }
    return expr_type::number;
  }

  expr_type visit_call(const expr_node& n) {
    const expr_function& fn = *find_function(n.op);
    std::string fn_name = std::string(fn.name) + "()";
    if (n.args.size() != fn.arity)
      report(n.offset, fn_name + " takes " + std::to_string(fn.arity) +
                           (fn.arity == 1 ? " argument" : " arguments") + ", found " +
                           std::to_string(n.args.size()));
    // Missing arguments stay unknown, so an arity error does not bring others with it.
    std::array<expr_type, 3> t{};
    for (std::size_t i = 0; i < n.args.size(); ++i) {
      expr_type type = visit(*n.args[i]);
      if (i < t.size()) t[i] = type;
    }
    switch (n.op) {
      case expr_op::fn_not: return expr_type::boolean;
      case expr_op::fn_if: return unify(t[1], t[2]);
      case expr_op::fn_coalesce: return unify(t[0], t[1]);
      case expr_op::fn_selected:
        if (check_multiple(n, fn_name, t[0]) && n.args.size() >= 2) {
          const expr_node& code = *n.args[1];
          const name_info* info = info_of(*n.args[0]);
          if (info && (code.op == expr_op::number || code.op == expr_op::text))
            check_code(*n.args[0], *info, code);
        }
        return expr_type::boolean;
      case expr_op::fn_count_selected: check_multiple(n, fn_name, t[0]); return expr_type::number;
      default: return expr_type::number;  // string-length()
    }
  }

  // Whether the first argument of selected()/count-selected() may be a multiple-choice answer;
  // reports it when it cannot.
  bool check_multiple(const expr_node& call, const std::string& fn_name, expr_type type) {
    if (call.args.empty()) return false;
    if (type == expr_type::selection || type == expr_type::unknown) return true;
    const expr_node& q = *call.args[0];
    std::string message = fn_name + " needs a multiple-choice question; " + describe(q, type);
    const name_info* info = info_of(q);
    if (call.op == expr_op::fn_selected && info && info->single_choice) message += ": compare with = instead";
    report(q.begin, std::move(message));
    return false;
  }

  // "${q2} is single-choice", "'abc' is text", "the answer (.) is a number"
  std::string describe(const expr_node& n, expr_type type) {
    const name_info* info = info_of(n);
    std::string_view phrase;
    switch (type) {
      case expr_type::number: phrase = info && info->single_choice ? "single-choice" : "a number"; break;
      case expr_type::text: phrase = "text"; break;
      case expr_type::selection: phrase = info ? "multiple-choice" : "a selection"; break;
      case expr_type::boolean: phrase = "true/false"; break;
      case expr_type::unknown: phrase = "of unknown type"; break;
    }
    return quote(n) + " is " + std::string(phrase);
  }

  // The sub-expression as written, shortened when long.
  std::string quote(const expr_node& n) const {
    if (n.op == expr_op::current) return "the answer (.)";
    std::string_view text = source_.substr(n.begin, n.end - n.begin);
    constexpr std::size_t max_quote = 40;
    if (text.size() > max_quote) {
      std::size_t cut = max_quote - 3;
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // whole characters
      return std::string(text.substr(0, cut)) + "...";
    }
    return std::string(text);
  }

  const name_info* info_of(const expr_node& n) const {
    if (n.op != expr_op::name || !lookup_) return nullptr;
    return lookup_(n.name);
  }

  void report(std::uint32_t offset, std::string message) { errors_.push_back({offset, std::move(message)}); }

  std::string_view source_;
  const lookup_fn& lookup_;
  expr_type current_;
  std::vector<expr_error> errors_;
};

}  // namespace

std::vector<expr_error> check_tree(const expr_node& root, std::string_view source,
                                   const std::function<const name_info*(std::string_view)>& lookup,
                                   expr_type current) {
  return checker(source, lookup, current).run(root);
}

}  // namespace cati::core
