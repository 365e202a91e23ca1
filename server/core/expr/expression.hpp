// The expression language of `relevant`, `constraint` and screen-out conditions: XLSForm's subset.
//
//   ${name}  numbers  'strings' "strings"  .  (the answer being checked, in a constraint)
//   = != < <= > >=   + - * div mod   and or   unary -
//   not(x) if(c,a,b) coalesce(a,b) selected(${q}, code) count-selected(${q}) string-length(s)
//
// Precedence, loosest first, as in XPath: or, and, = !=, < <= > >=, + -, * div mod, unary -. Binary
// operators are left-associative. String literals have no escapes (use the other quote inside).
//
// Rules: empty compared with a number is false (both = and !=); empty compared with text behaves as "";
// arithmetic on empty gives empty; `and`/`or` take truthiness (empty is false); a division by zero gives
// empty. Parsing happens once, at load; evaluation walks a compact tree and allocates only for text.
// In detail:
//  - Comparisons give 1 or 0 (booleans are numbers). Empty = empty holds. A number against text compares
//    the text read as a number, and is false when it is not one ('3' = 3 holds, 'abc' != 3 does not).
//    Text against text compares bytes, so ISO dates order as dates. Any comparison involving a
//    selection is false (check() reports it): use selected() or count-selected().
//  - Arithmetic reads text as a number when it is one, else gives empty, as does a selection; so do
//    x div 0, x mod 0 and an overflow. mod truncates (-7 mod 3 = -1), as XPath's does.
//  - `and`/`or` short-circuit and give 1 or 0; if() evaluates only the branch taken.
//  - coalesce(a, b) is a unless a is empty, "" or a selection of nothing.
//  - selected(s, code) with code a number or a quoted number ('3'); false for empty s. A single value
//    (not a selection) counts as a selection of one: selected(3, 3) holds, count-selected(3) = 1.
//  - count-selected(empty) = 0; string-length counts characters (UTF-8), string-length(empty) = 0.
//  - A call with the wrong number of arguments parses (check() reports it) and reads a missing argument
//    as empty; extra arguments are ignored.
//  - Names follow XLSForm: a letter or '_', then letters, digits, '_', '-', '.'.
//
// Thread-safety: an `expression` is immutable after parsing and may be evaluated from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.hpp"
#include "core/expr/value.hpp"

namespace cati::core {

// Where in the expression's source text (0-based byte offset) a problem is.
struct expr_error {
  std::size_t offset = 0;
  std::string message;
};

// The static type of a variable or of a sub-expression, for checks at load time.
enum class expr_type {
  unknown,    // not known (e.g. an unknown name: reported separately)
  number,     // integer/decimal questions, single-choice codes, integer frame variables, booleans
  text,       // text questions and text/code frame variables
  selection,  // multiple-choice questions
  boolean,    // comparisons and logic; usable as a number
};

// What the type checker needs to know about a referenced name.
struct name_info {
  expr_type type = expr_type::unknown;
  bool single_choice = false;            // a single-choice question (codes are numbers)
  std::vector<std::int64_t> codes;       // valid codes when the name is a choice question
};

// Answers `${name}` lookups during evaluation.
class eval_context {
 public:
  virtual ~eval_context() = default;
  virtual value lookup(std::string_view name) const = 0;
  // The answer being checked (`.`); empty outside constraints.
  virtual value current() const { return {}; }
};

struct expr_node;  // defined in expr_node.hpp (internal to the expression language)

class expression {
 public:
  expression();  // the empty expression: evaluates to empty, source() == ""
  ~expression();
  expression(const expression&);
  expression& operator=(const expression&);
  expression(expression&&) noexcept;
  expression& operator=(expression&&) noexcept;

  // Parses `source`. An error names the offset and what was expected and found ("expected ')' after
  // arguments of if(), found end of expression"). A blank source gives the empty expression. Unknown
  // functions are errors here; unknown names, types and arity are check()'s. Nesting deeper than 128
  // levels and sources over 1 MiB are refused.
  static result<expression, expr_error> parse(std::string_view source);

  bool is_empty() const { return root_ == nullptr; }
  const std::string& source() const { return source_; }

  value evaluate(const eval_context& ctx) const;

  // Every ${name} referenced, in order of first appearance, each once.
  const std::vector<std::string>& references() const { return references_; }
  bool uses_current() const;  // uses `.`

  // Type-checks against the names the caller knows. `lookup` returns nullptr for an unknown name.
  // `current` is the type of `.` (unknown outside constraints). Returns every problem found:
  // unknown names, comparing text with a number, `selected`/`count-selected` on a non-multiple,
  // a code in `selected(${q}, code)` or `${q} = code` that is not one of q's codes, wrong arity.
  // Also: comparing a selection, and arithmetic on text or a selection. Each error's offset is the
  // offending token (operator, ${, function name) or sub-expression; errors come in offset order, and an
  // unknown name's message contains "unknown name". A name of unknown type raises nothing further.
  // An empty `lookup` knows no names.
  std::vector<expr_error> check(const std::function<const name_info*(std::string_view)>& lookup,
                                expr_type current = expr_type::unknown) const;

 private:
  std::string source_;
  std::shared_ptr<const expr_node> root_;
  std::vector<std::string> references_;
};

}  // namespace cati::core
