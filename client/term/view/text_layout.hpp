// What a screen shows, as plain data: rows of styled spans and where the cursor goes. The view layer
// (term_render) builds a frame; the ncurses layer only copies it to the terminal. Text is UTF-8 and one
// code point is taken as one column (the study's languages are Latin-script; combining marks and wide
// characters are not expected in questionnaire text).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cati::term {

enum class style {
  normal,
  title,    // the title bar
  status,   // the status bar
  heading,  // section headings, the question name
  hint,     // interviewer-only text: never read out
  key,      // a key name in a key list
  error,    // refusals, constraint messages, offline
  good,     // online, recorded, complete
  input,    // what the interviewer types
  dim,      // secondary information
};

struct span {
  std::string text;
  style look = style::normal;
};

struct row {
  std::vector<span> spans;
  style fill = style::normal;  // the rest of the row (title and status bars are reversed to the edge)
};

struct cursor_at {
  int row = 0;
  int col = 0;
};

struct frame {
  int width = 0;
  int height = 0;
  std::vector<row> rows;            // exactly `height` rows, none wider than `width` columns
  std::optional<cursor_at> cursor;  // hidden when empty
  std::string text() const;         // the rows as plain text, one line each (tests)
};

// Columns a UTF-8 string takes (code points; a malformed byte counts as one).
std::size_t columns(std::string_view s);
// The longest prefix of `s` that fits in `width` columns, never splitting a code point.
std::string clip(std::string_view s, std::size_t width);
// `s` padded with spaces (or clipped) to exactly `width` columns.
std::string pad(std::string_view s, std::size_t width);
// Word-wrapped lines of at most `width` columns; explicit newlines are kept; a word longer than a line
// is cut. An empty text gives no lines.
std::vector<std::string> wrap(std::string_view s, std::size_t width);
// Byte offset of code point `index` in `s` (s.size() past the end).
std::size_t byte_offset(std::string_view s, std::size_t index);

// One line of typed input in `width` columns: when it is longer, it scrolls so that the cursor stays in
// view, and a '<' in the first column says that text is hidden on the left (a long open answer must show
// the end being typed, not its beginning).
struct input_view {
  std::string text;  // at most `width` columns
  int cursor = 0;    // the cursor's column within `text`
};
input_view scroll_input(std::string_view text, std::size_t cursor, std::size_t width);

// Clips every row to the frame's width as spans are added.
class frame_builder {
 public:
  frame_builder(int width, int height);
  // Adds a row; rows beyond the height are dropped (the caller lays out to fit).
  void add(row r);
  void add(std::string text, style look = style::normal);
  void blank() { add(row{}); }
  int width() const { return f_.width; }
  int used() const { return static_cast<int>(f_.rows.size()); }
  int left() const { return f_.height - used(); }
  void place_cursor(int r, int c) { f_.cursor = cursor_at{r, c}; }
  // Pads with blank rows up to `rows_from_bottom` rows above the bottom edge.
  void fill_to(int rows_from_bottom);
  frame take();

 private:
  frame f_;
};

}  // namespace cati::term
