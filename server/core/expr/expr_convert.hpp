// Internal to the expression language: how it reads values as numbers, codes and blanks. Shared by
// evaluation and by check(), which applies the same reading to literals.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>

#include "core/expr/value.hpp"

namespace cati::core {

// A number, or text that reads as one ("3", " 2.5 "); nullopt for empty, a selection or other text.
inline std::optional<double> to_number(const value& v) {
  if (v.is_number()) return v.number();
  if (v.is_text()) return parse_number(v.text());
  return std::nullopt;
}

// A choice code: a whole number, or text that reads as one ('3').
inline std::optional<std::int64_t> to_code(const value& v) {
  std::optional<double> x = to_number(v);
  // 2^63 as a double: the first value past int64's range.
  constexpr double limit = 9223372036854775808.0;
  if (!x || std::trunc(*x) != *x || *x >= limit || *x < -limit) return std::nullopt;
  return static_cast<std::int64_t>(*x);
}

// Nothing there: empty, "", or a selection without codes. What coalesce() skips.
inline bool is_blank(const value& v) {
  return v.is_empty() || (v.is_text() && v.text().empty()) || (v.is_selection() && v.selected().codes.empty());
}

}  // namespace cati::core
