// A key press as the view model sees it, independent of ncurses (the curses layer translates; tests
// build keys directly).
#pragma once

namespace cati::term {

struct key {
  enum class kind {
    character,  // a printable character: `ch`
    enter,
    backspace,
    del,
    left,
    right,
    home,
    end,
    up,
    down,
    page_up,
    page_down,
    tab,
    escape,
    function,   // F1..F12: `number`
    kill_line,  // Ctrl-U
    interrupt,  // Ctrl-C: asks before quitting (the terminal reads it as a key, not as a signal)
    resize,     // the terminal changed size: nothing to do but redraw
  };
  kind what = kind::character;
  char32_t ch = 0;
  int number = 0;

  static key character(char32_t c) { return key{kind::character, c, 0}; }
  static key fn(int n) { return key{kind::function, 0, n}; }
  static key of(kind k) { return key{k, 0, 0}; }
  bool is(char32_t c) const { return what == kind::character && ch == c; }
  bool is_fn(int n) const { return what == kind::function && number == n; }
};

}  // namespace cati::term
