// The expression language of `relevant`, `constraint` and screen-out conditions: XLSForm's subset.
//
//   ${name}  numbers  'strings' "strings"  .  (the answer being checked, in a constraint)
//   = != < <= > >=   + - * div mod   and or   unary -
//   not(x) if(c,a,b) coalesce(a,b) selected(${q}, code) count-selected(${q}) string-length(s)
//
// Rules: empty compared with a number is false (both = and !=); empty compared with text behaves as "";
// arithmetic on empty gives empty; `and`/`or` take truthiness (empty is false); a division by zero gives
// empty. Parsing happens once, at load; evaluation walks a compact tree and allocates only for text.
//
// Thread-safety: an `expression` is immutable after parsing and may be evaluated from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/value.hpp"

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

struct expr_node;  // defined in expression.cpp

class expression {
 public:
  expression();  // the empty expression: evaluates to empty, source() == ""
  ~expression();
  expression(const expression&);
  expression& operator=(const expression&);
  expression(expression&&) noexcept;
  expression& operator=(expression&&) noexcept;

  // Parses `source`. An error names the offset and what was expected.
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
  std::vector<expr_error> check(const std::function<const name_info*(std::string_view)>& lookup,
                                expr_type current = expr_type::unknown) const;

 private:
  std::string source_;
  std::shared_ptr<const expr_node> root_;
  std::vector<std::string> references_;
};

}  // namespace cati::core
