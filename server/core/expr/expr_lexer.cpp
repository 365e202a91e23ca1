#include "core/expr/expr_lexer.hpp"

#include <cstdio>
#include <optional>

namespace cati::core {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
// XLSForm names: a letter or '_', then letters, digits, '_', '-' and '.'.
bool is_name_char(char c) { return is_letter(c) || is_digit(c) || c == '-' || c == '.'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The character at `at` as a message shows it: quoted, a UTF-8 sequence whole; a control character or
// a byte that cannot start UTF-8 in hex, so that messages stay printable.
std::string describe_char(std::string_view source, std::size_t at) {
  if (at >= source.size()) return "end of expression";
  auto c = static_cast<unsigned char>(source[at]);
  if (c == ' ') return "a space";
  if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xc2) || c > 0xf4) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "byte 0x%02X", static_cast<unsigned>(c));
    return buf;
  }
  std::size_t length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 1;
  return "'" + std::string(source.substr(at, length)) + "'";
}

// Characters people bring from other languages, with what to write instead.
std::string_view hint_for(char c) {
  switch (c) {
    case '&': return ": write 'and'";
    case '|': return ": write 'or'";
    case '/': return ": write 'div' to divide";
    case '%': return ": write 'mod' for the remainder";
    case '!': return ": write != for 'not equal' and not(x) to negate";
    default: return "";
  }
}

class lexer {
 public:
  explicit lexer(std::string_view source) : src_(source) {}

  result<std::vector<token>, expr_error> run() {
    if (src_.size() > expr_max_source)
      return expr_error{0, "expression too long: " + std::to_string(src_.size()) + " bytes, at most " +
                               std::to_string(expr_max_source)};
    for (;;) {
      while (pos_ < src_.size() && is_space(src_[pos_])) ++pos_;
      if (pos_ == src_.size()) break;
      if (auto err = next_token()) return *std::move(err);
    }
    push(token_kind::end, pos_);
    return std::move(tokens_);
  }

 private:
  std::optional<expr_error> next_token() {
    char c = src_[pos_];
    char after = pos_ + 1 < src_.size() ? src_[pos_ + 1] : '\0';
    if (c == '$') return lex_name();
    if (c == '\'' || c == '"') return lex_text(c);
    if (is_digit(c) || (c == '.' && is_digit(after))) return lex_number();
    if (is_letter(c)) return lex_word();
    switch (c) {
      case '.': push(token_kind::dot, pos_ + 1); return std::nullopt;
      case '(': push(token_kind::lparen, pos_ + 1); return std::nullopt;
      case ')': push(token_kind::rparen, pos_ + 1); return std::nullopt;
      case ',': push(token_kind::comma, pos_ + 1); return std::nullopt;
      case '+': push(token_kind::plus, pos_ + 1); return std::nullopt;
      case '-': push(token_kind::minus, pos_ + 1); return std::nullopt;
      case '*': push(token_kind::star, pos_ + 1); return std::nullopt;
      case '=':
        if (after == '=') return error(pos_, "'==' is not an operator: write = to compare");
        push(token_kind::eq, pos_ + 1);
        return std::nullopt;
      case '<':
        push(after == '=' ? token_kind::le : token_kind::lt, pos_ + (after == '=' ? 2 : 1));
        return std::nullopt;
      case '>':
        push(after == '=' ? token_kind::ge : token_kind::gt, pos_ + (after == '=' ? 2 : 1));
        return std::nullopt;
      case '!':
        if (after == '=') {
          push(token_kind::ne, pos_ + 2);
          return std::nullopt;
        }
        break;
      default: break;
    }
    std::string what = describe_char(src_, pos_);
    if (what.starts_with('\'')) what = "character " + what;
    return error(pos_, "unexpected " + what + std::string(hint_for(c)));
  }

  // ${name}
  std::optional<expr_error> lex_name() {
    if (pos_ + 1 >= src_.size() || src_[pos_ + 1] != '{')
      return error(pos_ + 1, "expected '{' after '$' (write ${name}), found " + describe_char(src_, pos_ + 1));
    std::size_t name_start = pos_ + 2;
    if (name_start >= src_.size() || !is_letter(src_[name_start]))
      return error(name_start, "expected a name after '${', found " + describe_char(src_, name_start));
    std::size_t i = name_start;
    while (i < src_.size() && is_name_char(src_[i])) ++i;
    if (i >= src_.size() || src_[i] != '}')
      return error(i, "expected '}' after ${" + std::string(src_.substr(name_start, i - name_start)) +
                          ", found " + describe_char(src_, i));
    push(token_kind::name, i + 1).content = src_.substr(name_start, i - name_start);
    return std::nullopt;
  }

  // 'text' or "text": no escapes, as in XPath 1.0; the other quote may appear inside.
  std::optional<expr_error> lex_text(char quote) {
    std::size_t close = src_.find(quote, pos_ + 1);
    if (close == std::string_view::npos)
      return error(pos_, std::string("unterminated string: expected a closing ") + quote +
                             " before the end of the expression");
    std::size_t start = pos_;
    push(token_kind::text, close + 1).content = src_.substr(start + 1, close - start - 1);
    return std::nullopt;
  }

  std::optional<expr_error> lex_number() {
    std::size_t i = pos_;
    while (i < src_.size() && is_digit(src_[i])) ++i;
    if (i < src_.size() && src_[i] == '.') {
      ++i;
      while (i < src_.size() && is_digit(src_[i])) ++i;
    }
    std::optional<double> x = parse_number(src_.substr(pos_, i - pos_));
    if (!x) return error(pos_, "number too large: " + std::string(src_.substr(pos_, i - pos_)));
    push(token_kind::number, i).number = *x;
    return std::nullopt;
  }

  // A bare word. '-' belongs to it only before a letter, so "count-selected" is one word while
  // "4 div-1" still reads as 4 div -1.
  std::optional<expr_error> lex_word() {
    std::size_t i = pos_;
    for (;;) {
      while (i < src_.size() && (is_letter(src_[i]) || is_digit(src_[i]))) ++i;
      if (i + 1 < src_.size() && src_[i] == '-' && is_letter(src_[i + 1])) {
        ++i;
        continue;
      }
      break;
    }
    std::size_t start = pos_;
    push(token_kind::word, i).content = src_.substr(start, i - start);
    return std::nullopt;
  }

  // Appends the token from pos_ to `end` and moves past it.
  token& push(token_kind kind, std::size_t end) {
    token& t = tokens_.emplace_back();
    t.kind = kind;
    t.offset = static_cast<std::uint32_t>(pos_);
    t.slice = src_.substr(pos_, end - pos_);
    pos_ = end;
    return t;
  }

  static std::optional<expr_error> error(std::size_t offset, std::string message) {
    return expr_error{offset, std::move(message)};
  }

  std::string_view src_;
  std::size_t pos_ = 0;
  std::vector<token> tokens_;
};

}  // namespace

result<std::vector<token>, expr_error> lex(std::string_view source) { return lexer(source).run(); }

std::string describe(const token& t) {
  switch (t.kind) {
    case token_kind::end: return "end of expression";
    case token_kind::number: return "number " + std::string(t.slice);
    case token_kind::text: return "string " + std::string(t.slice);
    case token_kind::name: return std::string(t.slice);
    default: return "'" + std::string(t.slice) + "'";
  }
}

}  // namespace cati::core
