// One line of typed input (an answer, an appointment time): UTF-8 text and a cursor counted in code
// points. It lives in the view model, so a redraw or a resize never loses what was typed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "term/view/keys.hpp"

namespace cati::term {

class line_editor {
 public:
  // Applies an editing key; false when the key is not an editing key (the caller handles it).
  bool edit(const key& k);
  void set(std::string text);  // cursor at the end
  void clear() { set({}); }

  const std::string& text() const { return text_; }
  std::size_t cursor() const { return cursor_; }  // in code points
  bool empty() const { return text_.empty(); }

 private:
  std::string text_;
  std::size_t cursor_ = 0;
};

// The UTF-8 encoding of one code point.
std::string to_utf8(char32_t c);

}  // namespace cati::term
