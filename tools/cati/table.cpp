#include "table.hpp"

#include <algorithm>
#include <cassert>

namespace cati::tool {
namespace {

// Code points, not bytes: labels are in nl/fr (é, è, ô). Wide characters are not expected here.
std::size_t display_width(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

void text_table::add_row(std::vector<std::string> cells) {
  assert(cells.size() <= columns_.size());
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

void text_table::add_rule() { rows_.emplace_back(); }

void text_table::print(std::ostream& out) const {
  std::vector<std::size_t> width(columns_.size());
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    width[c] = display_width(columns_[c].header);
    for (const auto& row : rows_)
      if (!row.empty()) width[c] = std::max(width[c], display_width(row[c]));
  }

  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      if (c > 0) text += "  ";
      const std::string pad(width[c] - display_width(cells[c]), ' ');
      text += columns_[c].alignment == align::right ? pad + cells[c] : cells[c] + pad;
    }
    text.erase(text.find_last_not_of(' ') + 1);
    out << text << '\n';
  };
  auto rule = [&] {
    std::vector<std::string> dashes;
    for (auto w : width) dashes.emplace_back(w, '-');
    line(dashes);
  };

  std::vector<std::string> headers;
  for (const auto& c : columns_) headers.push_back(c.header);
  line(headers);
  rule();
  for (const auto& row : rows_) {
    if (row.empty()) {
      rule();
    } else {
      line(row);
    }
  }
}

}  // namespace cati::tool
