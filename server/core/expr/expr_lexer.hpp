// Internal to the expression language: splits an expression's source into tokens.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/expr/expression.hpp"

namespace cati::core {

enum class token_kind : std::uint8_t {
  end,     // after the last token
  number,  // 3  2.5  .5
  text,    // 'abc'  "abc"
  name,    // ${name}
  dot,     // .
  word,    // and or div mod, function names, and any other bare word (a parse error unless a function)
  lparen,
  rparen,
  comma,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  plus,
  minus,
  star,
};

// Views into the source passed to lex(), which must outlive the tokens.
struct token {
  token_kind kind = token_kind::end;
  std::uint32_t offset = 0;
  std::string_view slice;    // the token as written
  std::string_view content;  // text: without the quotes; name: between ${ and }; word: the word
  double number = 0;         // number: its value
};

// Longer sources are refused, which keeps every offset within 32 bits.
inline constexpr std::size_t expr_max_source = 1 << 20;

// The tokens of `source`, ending with one `end` token at source.size(); or where and why it cannot be
// split into tokens.
result<std::vector<token>, expr_error> lex(std::string_view source);

// The token as a parse error's "found ...": "end of expression", "')'", "${q1}", "number 3", ...
std::string describe(const token& t);

}  // namespace cati::core
