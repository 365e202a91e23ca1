#include "term/view/text_layout.hpp"

#include <algorithm>

namespace cati::term {

namespace {

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

}  // namespace

std::size_t columns(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += continuation(c) ? 0 : 1;
  return n;
}

std::size_t byte_offset(std::string_view s, std::size_t index) {
  std::size_t i = 0;
  for (std::size_t seen = 0; i < s.size(); ++i) {
    if (continuation(s[i])) continue;
    if (seen++ == index) return i;
  }
  return s.size();
}

input_view scroll_input(std::string_view text, std::size_t cursor, std::size_t width) {
  const std::size_t n = columns(text);
  cursor = std::min(cursor, n);
  if (width < 3 || cursor + 1 < width) return {clip(text, width), static_cast<int>(cursor)};
  // Scrolled: '<' then the text from `first`, the cursor at most in the last column.
  const std::size_t first = cursor + 2 - width;
  std::string shown = "<" + clip(text.substr(byte_offset(text, first)), width - 1);
  return {std::move(shown), static_cast<int>(cursor - first + 1)};
}

std::string clip(std::string_view s, std::size_t width) { return std::string(s.substr(0, byte_offset(s, width))); }

std::string pad(std::string_view s, std::size_t width) {
  std::string out = clip(s, width);
  out.append(width - columns(out), ' ');
  return out;
}

std::vector<std::string> wrap(std::string_view s, std::size_t width) {
  std::vector<std::string> lines;
  if (width == 0) return lines;
  std::size_t start = 0;
  while (start <= s.size() && !s.empty()) {
    const std::size_t nl = s.find('\n', start);
    std::string_view para = s.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    std::string line;
    std::size_t pos = 0;
    while (pos < para.size()) {
      while (pos < para.size() && para[pos] == ' ') ++pos;
      if (pos >= para.size()) break;
      std::size_t end = para.find(' ', pos);
      if (end == std::string_view::npos) end = para.size();
      std::string_view word = para.substr(pos, end - pos);
      pos = end;
      const std::size_t need = columns(line) + (line.empty() ? 0 : 1) + columns(word);
      if (need <= width) {
        if (!line.empty()) line += ' ';
        line += word;
        continue;
      }
      if (!line.empty()) lines.push_back(std::move(line));
      line.clear();
      while (columns(word) > width) {  // a word longer than a line: cut it
        const std::size_t cut = byte_offset(word, width);
        lines.emplace_back(word.substr(0, cut));
        word.remove_prefix(cut);
      }
      line = std::string(word);
    }
    lines.push_back(std::move(line));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

std::string frame::text() const {
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (const auto& s : r.spans) line += s.text;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  }
  return out;
}

frame_builder::frame_builder(int width, int height) {
  f_.width = width < 0 ? 0 : width;
  f_.height = height < 0 ? 0 : height;
}

void frame_builder::add(row r) {
  if (used() >= f_.height) return;
  std::size_t room = static_cast<std::size_t>(f_.width);
  row clipped{{}, r.fill};
  for (auto& s : r.spans) {
    if (room == 0) break;
    std::string text = clip(s.text, room);
    room -= columns(text);
    clipped.spans.push_back(span{std::move(text), s.look});
  }
  f_.rows.push_back(std::move(clipped));
}

void frame_builder::add(std::string text, style look) { add(row{{span{std::move(text), look}}, style::normal}); }

void frame_builder::fill_to(int rows_from_bottom) {
  while (left() > rows_from_bottom) blank();
}

frame frame_builder::take() {
  while (left() > 0) blank();
  return std::move(f_);
}

}  // namespace cati::term
