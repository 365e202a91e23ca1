// The terminal itself, through ncurses: draws a frame (term_render's output) and reads keys. Thin on
// purpose: what a screen shows is decided in view/; this copies it to the terminal. Drawing erases and
// rewrites the whole virtual screen and lets ncurses send only what changed, so nothing flickers; a
// resize (SIGWINCH, which ncurses turns into KEY_RESIZE) comes back as a key and the next draw uses the
// new size.
//
// One instance at a time (ncurses is global state); the destructor restores the terminal.
#pragma once

#include <chrono>
#include <optional>

#include "term/view/keys.hpp"
#include "term/view/text_layout.hpp"

namespace cati::term {

class curses_screen {
 public:
  curses_screen();
  ~curses_screen();
  curses_screen(const curses_screen&) = delete;
  curses_screen& operator=(const curses_screen&) = delete;

  int width() const;
  int height() const;
  void draw(const frame& f);
  // The next key, waiting up to `wait`; nullopt when none came.
  std::optional<key> read(std::chrono::milliseconds wait);
};

}  // namespace cati::term
