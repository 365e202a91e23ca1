// The line editor on key codes that are not characters: found by fuzzing (fuzz/term_input.cpp), where a
// code point beyond U+10FFFF moved the cursor past the end of the text and a surrogate put invalid UTF-8
// into the answer.
#include <gtest/gtest.h>

#include "term/view/line_editor.hpp"
#include "term/view/text_layout.hpp"

namespace cati::term {
namespace {

TEST(TermLineEditor, CodePointsWithoutAUtf8FormAreSwallowed) {
  line_editor e;
  e.edit(key::character(U'a'));
  // Beyond Unicode, a lone surrogate (high and low), the largest wchar: none has a UTF-8 form.
  for (char32_t c : {char32_t{0x110000}, char32_t{0xD800}, char32_t{0xDFFF}, char32_t{0xFFFFFFFF}}) {
    EXPECT_TRUE(e.edit(key::character(c))) << "taken as an editing key, not handed on as a command";
    EXPECT_EQ(e.text(), "a");
    EXPECT_EQ(e.cursor(), 1U) << "the cursor stays on the text";
  }
  e.edit(key::character(U'\U0010FFFF'));  // the last code point there is still goes in
  e.edit(key::of(key::kind::backspace));
  e.edit(key::character(U'b'));
  EXPECT_EQ(e.text(), "ab");
  EXPECT_EQ(e.cursor(), columns(e.text()));
}

}  // namespace
}  // namespace cati::term
