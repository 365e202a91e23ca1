// CSV as RFC 4180 writes it: fields separated by ',', optionally quoted with '"' (a quote inside a
// quoted field is doubled), quoted fields may hold commas and line breaks; lines end in LF or CRLF.
// Used for sample frames (read) and for generated frames and exports (write).
//
// Thread-safety: a csv_reader is used by one thread; the free functions are pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cati::core {

struct csv_record {
  int line = 0;  // 1-based line of the file where the record starts
  std::vector<std::string> fields;
};

// Reads records from text it does not own (the text must outlive the reader).
class csv_reader {
 public:
  explicit csv_reader(std::string_view text);

  // The next record, or nullopt at the end. A malformed record (a quote left open, text after a closing
  // quote) is still returned, with `error()` saying what and reading resuming on the next line.
  std::optional<csv_record> next();
  // What was wrong with the record `next()` returned last; "" when it was well formed.
  const std::string& error() const { return error_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::string error_;
};

// One field as CSV: quoted only when it must be (comma, quote, CR or LF inside, or edge spaces).
std::string csv_escape(std::string_view field);
// A whole record, fields escaped and joined by ',', ending in '\n'.
std::string csv_line(const std::vector<std::string>& fields);

}  // namespace cati::core
