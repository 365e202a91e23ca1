#include "core/report/csv.hpp"

namespace cati::core {

csv_reader::csv_reader(std::string_view text) : text_(text) {
  // Spreadsheets save UTF-8 with a byte order mark; it is not part of the first column's name.
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

std::optional<csv_record> csv_reader::next() {
  error_.clear();
  if (pos_ >= text_.size()) return std::nullopt;
  csv_record rec;
  rec.line = line_;
  std::string field;
  bool quoted = false;      // inside a quoted field
  bool was_quoted = false;  // the current field began with a quote
  auto end_record = [&] {
    rec.fields.push_back(std::move(field));
    return rec;
  };
  while (pos_ < text_.size()) {
    char c = text_[pos_++];
    if (quoted) {
      if (c == '"') {
        if (pos_ < text_.size() && text_[pos_] == '"') {
          field += '"';
          ++pos_;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line_;
        field += c;
      }
      continue;
    }
    if (c == ',') {
      rec.fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n' || (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n')) {
      if (c == '\r') ++pos_;
      ++line_;
      return end_record();
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (was_quoted) {
      // Text after the closing quote: keep reading to the end of the line so the next record starts
      // where it should, but say the field was malformed.
      if (error_.empty()) error_ = "unexpected text after a closing quote";
      field += c;
    } else {
      field += c;
    }
  }
  if (quoted) error_ = "a quoted field is not closed before the end of the file";
  return end_record();
}

std::string csv_escape(std::string_view field) {
  // A leading byte order mark is quoted too: unquoted at the start of a file, a reader takes it for the
  // file's mark and drops it.
  bool needs = field.find_first_of(",\"\r\n") != std::string_view::npos ||
               (!field.empty() && (field.front() == ' ' || field.back() == ' ')) || field.starts_with("\xEF\xBB\xBF");
  if (!needs) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    out += csv_escape(fields[i]);
  }
  out += '\n';
  return out;
}

}  // namespace cati::core
