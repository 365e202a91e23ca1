#define NCURSES_WIDECHAR 1
#include "term/curses_screen.hpp"

#include <curses.h>

#include <clocale>

namespace cati::term {

namespace {

enum pair : short { pair_error = 1, pair_good, pair_hint, pair_key, pair_title };

attr_t attributes(style s) {
  const bool color = has_colors();
  switch (s) {
    case style::title: return A_REVERSE | A_BOLD;
    case style::status: return A_REVERSE;
    case style::heading: return A_BOLD;
    case style::hint: return color ? COLOR_PAIR(pair_hint) : A_DIM;
    case style::key: return A_BOLD | (color ? COLOR_PAIR(pair_key) : 0);
    case style::error: return A_BOLD | (color ? COLOR_PAIR(pair_error) : 0);
    case style::good: return color ? COLOR_PAIR(pair_good) : A_BOLD;
    case style::input: return A_BOLD | A_UNDERLINE;
    case style::dim: return A_DIM;
    case style::normal: break;
  }
  return A_NORMAL;
}

key translate(int status, wint_t c) {
  if (status == KEY_CODE_YES) {
    switch (c) {
      case KEY_ENTER: return key::of(key::kind::enter);
      case KEY_BACKSPACE: return key::of(key::kind::backspace);
      case KEY_DC: return key::of(key::kind::del);
      case KEY_LEFT: return key::of(key::kind::left);
      case KEY_RIGHT: return key::of(key::kind::right);
      case KEY_UP: return key::of(key::kind::up);
      case KEY_DOWN: return key::of(key::kind::down);
      case KEY_HOME: return key::of(key::kind::home);
      case KEY_END: return key::of(key::kind::end);
      case KEY_PPAGE: return key::of(key::kind::page_up);
      case KEY_NPAGE: return key::of(key::kind::page_down);
      case KEY_RESIZE: return key::of(key::kind::resize);
      default: break;
    }
    if (c >= static_cast<wint_t>(KEY_F(1)) && c <= static_cast<wint_t>(KEY_F(12)))
      return key::fn(static_cast<int>(c - static_cast<wint_t>(KEY_F0)));
    return key::character(0);  // a key we do not use: ignored by the model
  }
  switch (c) {
    case L'\n':
    case L'\r': return key::of(key::kind::enter);
    case 8:
    case 127: return key::of(key::kind::backspace);
    case L'\t': return key::of(key::kind::tab);
    case 27: return key::of(key::kind::escape);
    case 21: return key::of(key::kind::kill_line);  // Ctrl-U
    case 3: return key::of(key::kind::interrupt);   // Ctrl-C (raw mode: no SIGINT)
    default: return key::character(static_cast<char32_t>(c));
  }
}

}  // namespace

curses_screen::curses_screen() {
  std::setlocale(LC_ALL, "");  // UTF-8 text in and out
  set_escdelay(25);            // Esc alone cancels a prompt without a noticeable wait
  initscr();
  raw();  // Ctrl-C is a key the model asks about, not a signal that ends the interview mid-sentence
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  if (has_colors()) {
    start_color();
    use_default_colors();
    init_pair(pair_error, COLOR_RED, -1);
    init_pair(pair_good, COLOR_GREEN, -1);
    init_pair(pair_hint, COLOR_CYAN, -1);
    init_pair(pair_key, COLOR_YELLOW, -1);
  }
}

curses_screen::~curses_screen() { endwin(); }

int curses_screen::width() const { return COLS; }
int curses_screen::height() const { return LINES; }

void curses_screen::draw(const frame& f) {
  erase();
  for (int r = 0; r < static_cast<int>(f.rows.size()) && r < LINES; ++r) {
    const row& line = f.rows[static_cast<std::size_t>(r)];
    move(r, 0);
    int col = 0;
    for (const auto& s : line.spans) {
      attrset(attributes(s.look));
      addstr(s.text.c_str());
      col += static_cast<int>(columns(s.text));
    }
    if (line.fill != style::normal && col < COLS) {
      attrset(attributes(line.fill));
      // The last cell of the last row cannot be written without scrolling: stop one short there.
      const int n = COLS - col - (r == LINES - 1 ? 1 : 0);
      if (n > 0) hline(' ', n);
    }
  }
  attrset(A_NORMAL);
  if (f.cursor) {
    curs_set(1);
    move(f.cursor->row, f.cursor->col);
  } else {
    curs_set(0);
  }
  refresh();
}

std::optional<key> curses_screen::read(std::chrono::milliseconds wait) {
  wtimeout(stdscr, static_cast<int>(wait.count()));
  wint_t c = 0;
  const int status = get_wch(&c);
  if (status == ERR) return std::nullopt;
  return translate(status, c);
}

}  // namespace cati::term
