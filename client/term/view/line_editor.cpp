#include "term/view/line_editor.hpp"

#include "term/view/text_layout.hpp"

namespace cati::term {

std::string to_utf8(char32_t c) {
  std::string out;
  const auto u = static_cast<std::uint32_t>(c);
  auto byte = [](std::uint32_t v) { return static_cast<char>(static_cast<unsigned char>(v)); };
  if (u < 0x80) {
    out += byte(u);
  } else if (u < 0x800) {
    out += byte(0xC0U | (u >> 6));
    out += byte(0x80U | (u & 0x3FU));
  } else if (u < 0x10000) {
    out += byte(0xE0U | (u >> 12));
    out += byte(0x80U | ((u >> 6) & 0x3FU));
    out += byte(0x80U | (u & 0x3FU));
  } else if (u < 0x110000) {
    out += byte(0xF0U | (u >> 18));
    out += byte(0x80U | ((u >> 12) & 0x3FU));
    out += byte(0x80U | ((u >> 6) & 0x3FU));
    out += byte(0x80U | (u & 0x3FU));
  }
  return out;
}

void line_editor::set(std::string text) {
  text_ = std::move(text);
  cursor_ = columns(text_);
}

bool line_editor::edit(const key& k) {
  const std::size_t length = columns(text_);
  switch (k.what) {
    case key::kind::character:
      if (k.ch < 0x20 || k.ch == 0x7F) return false;  // control characters are commands, not text
      // Not a Unicode scalar value (a surrogate, or beyond U+10FFFF): it has no UTF-8 form, so taking it
      // would move the cursor past the text or put invalid UTF-8 into an answer. Swallowed.
      if (k.ch > 0x10FFFF || (k.ch >= 0xD800 && k.ch <= 0xDFFF)) return true;
      text_.insert(byte_offset(text_, cursor_), to_utf8(k.ch));
      ++cursor_;
      return true;
    case key::kind::backspace:
      if (cursor_ > 0) {
        const std::size_t from = byte_offset(text_, cursor_ - 1);
        text_.erase(from, byte_offset(text_, cursor_) - from);
        --cursor_;
      }
      return true;
    case key::kind::del:
      if (cursor_ < length) {
        const std::size_t from = byte_offset(text_, cursor_);
        text_.erase(from, byte_offset(text_, cursor_ + 1) - from);
      }
      return true;
    case key::kind::left:
      if (cursor_ > 0) --cursor_;
      return true;
    case key::kind::right:
      if (cursor_ < length) ++cursor_;
      return true;
    case key::kind::home: cursor_ = 0; return true;
    case key::kind::end: cursor_ = length; return true;
    case key::kind::kill_line: clear(); return true;
    default: return false;
  }
}

}  // namespace cati::term
