// Reading the exports' CSV files back in the export tests: a file as rows of fields (core::csv_reader, the
// same parser the tests trust for quoting), and one field found by another column's value.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/report/csv.hpp"

namespace cati::test {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A CSV file as rows of fields, header first.
inline std::vector<std::vector<std::string>> read_csv(const std::filesystem::path& p) {
  const std::string text = slurp(p);
  core::csv_reader reader(text);
  std::vector<std::vector<std::string>> rows;
  while (auto r = reader.next()) rows.push_back(r->fields);
  return rows;
}

// The value of column `name` in the row whose column `key` is `value`.
inline std::string field(const std::vector<std::vector<std::string>>& rows, const std::string& key,
                         const std::string& value, const std::string& name) {
  if (rows.empty()) return "(empty file)";
  auto col = [&](const std::string& n) {
    auto it = std::find(rows[0].begin(), rows[0].end(), n);
    return it == rows[0].end() ? std::string::npos : static_cast<std::size_t>(it - rows[0].begin());
  };
  const auto k = col(key), c = col(name);
  if (k == std::string::npos || c == std::string::npos) return "(no column " + key + " or " + name + ")";
  for (std::size_t i = 1; i < rows.size(); ++i)
    if (rows[i].size() > std::max(k, c) && rows[i][k] == value) return rows[i][c];
  return "(no row " + value + ")";
}

}  // namespace cati::test
