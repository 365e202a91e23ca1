#include "core/expr/value.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>

namespace cati::core {
namespace {

std::string number_to_string(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x == 0) return "0";  // also for -0, which would otherwise print as "-0"
  // Fixed notation, shortest digits that read back as the same double: "2.5", "123456789012",
  // "0.0000001". The largest double has 309 integer digits.
  char buf[352];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed);
  assert(ec == std::errc{});
  return std::string(buf, end);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

value::~value() = default;

bool selection::contains(std::int64_t code) const {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

bool value::truthy() const {
  if (is_number()) return number() != 0 && !std::isnan(number());
  if (is_text()) return !text().empty();
  if (is_selection()) return !selected().codes.empty();
  return false;
}

std::string value::to_string() const {
  if (is_number()) return number_to_string(number());
  if (is_text()) return text();
  if (is_selection()) {
    std::string out;
    for (std::int64_t code : selected().codes) {
      if (!out.empty()) out += ' ';
      out += std::to_string(code);
    }
    return out;
  }
  return {};
}

std::optional<double> parse_number(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  // Validate XPath's grammar first: from_chars alone would also take exponents, "inf" and "nan".
  std::size_t i = text.starts_with('-') ? 1 : 0;
  std::size_t digits = 0;
  bool point = false;
  for (; i < text.size(); ++i) {
    if (is_digit(text[i])) {
      ++digits;
    } else if (text[i] == '.' && !point) {
      point = true;
    } else {
      return std::nullopt;
    }
  }
  if (digits == 0) return std::nullopt;
  double x = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
  // A literal beyond the double range (over 300 digits) is not a number we can hold.
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return x;
}

}  // namespace cati::core
