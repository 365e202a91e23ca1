// A plain-text table with aligned columns, for the reports of the `cati` command: a header line, a rule
// of dashes under it, then the rows. Columns are separated by two spaces; text columns are left-aligned,
// numbers right-aligned; no line ends in spaces, so the output is stable to compare in tests and diffs.
//
//   text_table t({{"code"}, {"count", align::right}});
//   t.add_row({"1.1", "12"});
//   t.print(std::cout);
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace cati::tool {

enum class align { left, right };

struct column {
  std::string header;
  align alignment = align::left;
};

class text_table {
 public:
  explicit text_table(std::vector<column> columns) : columns_(std::move(columns)) {}

  // A row with one cell per column (missing cells are empty, extra ones are an error: asserted).
  void add_row(std::vector<std::string> cells);
  // A line of dashes across every column: sets off totals.
  void add_rule();

  // Width of each column: its widest cell or header. Cells are measured in UTF-8 code points, so
  // "Région" lines up like "Region".
  void print(std::ostream& out) const;

 private:
  std::vector<column> columns_;
  std::vector<std::vector<std::string>> rows_;  // an empty row is a rule
};

}  // namespace cati::tool
