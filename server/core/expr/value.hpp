// value: what an expression sees and computes, and what an answer holds.
// XLSForm semantics: an unanswered question is *empty*, which is neither 0 nor "" in comparisons with
// numbers (such a comparison is false). A multiple-choice answer is a selection of codes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cati::core {

struct empty_value {
  bool operator==(const empty_value&) const = default;
};

// The codes picked in a multiple-choice question, in the order they were given, without repeats.
struct selection {
  std::vector<std::int64_t> codes;
  bool contains(std::int64_t code) const;
  bool operator==(const selection&) const = default;
};

class value {
 public:
  value() = default;  // empty
  // Out of line on purpose: GCC 12 at -O2 inlines the variant's destructor and then warns falsely
  // (-Wmaybe-uninitialized, -Wfree-nonheap-object) where values of different kinds meet, which breaks
  // -Werror builds at random. Declaring it means the copies and moves must be spelled out.
  ~value();
  value(const value&) = default;
  value(value&&) noexcept = default;
  value& operator=(const value&) = default;
  value& operator=(value&&) noexcept = default;
  value(double number) : v_(number) {}                 // NOLINT: implicit by design
  value(std::int64_t number) : v_(static_cast<double>(number)) {}  // NOLINT
  value(int number) : v_(static_cast<double>(number)) {}           // NOLINT
  value(bool b) : v_(b ? 1.0 : 0.0) {}                 // NOLINT: booleans are numbers, as in XPath
  value(std::string text) : v_(std::move(text)) {}     // NOLINT
  value(const char* text) : v_(std::string(text)) {}   // NOLINT
  value(selection sel) : v_(std::move(sel)) {}         // NOLINT

  bool is_empty() const { return std::holds_alternative<empty_value>(v_); }
  bool is_number() const { return std::holds_alternative<double>(v_); }
  bool is_text() const { return std::holds_alternative<std::string>(v_); }
  bool is_selection() const { return std::holds_alternative<selection>(v_); }

  double number() const { return std::get<double>(v_); }
  const std::string& text() const { return std::get<std::string>(v_); }
  const selection& selected() const { return std::get<selection>(v_); }

  // Truth as in XPath: empty is false, 0 is false, "" is false, an empty selection is false.
  bool truthy() const;

  // A stable text form: "" for empty, numbers without trailing zeros ("3", "2.5"), text as is,
  // selections as space-separated codes ("1 3 5"). Used for fills, storage and exports. Numbers are
  // never in exponent form and round-trip through parse_number(); the non-finite ones, which expressions
  // never produce, print as "NaN", "Infinity" and "-Infinity".
  std::string to_string() const;

  bool operator==(const value&) const = default;

 private:
  std::variant<empty_value, double, std::string, selection> v_;
};

// Reads a number as XPath's number() does and as value::to_string() writes it: an optional '-', digits
// with an optional decimal point (".5" and "5." too), spaces around allowed. No '+', exponent, "NaN" or
// "Infinity": those give nullopt, as does anything else that is not a number.
std::optional<double> parse_number(std::string_view text);

}  // namespace cati::core
