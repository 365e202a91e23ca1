#include "export_text.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "core/report/csv.hpp"

namespace cati::tool {
namespace {

using core::export_dataset;
using core::export_variable;

std::string number_text(double x) {
  if (std::trunc(x) == x && std::abs(x) < 1e15) return std::to_string(static_cast<long long>(x));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10f", x);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string utc_text(double unix_seconds) {
  const auto t = static_cast<std::time_t>(std::floor(unix_seconds));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string cell_text(const export_variable& v, const core::export_cell& c) {
  if (v.type == core::storage_type::text) return c.text;
  auto n = c.numeric();
  if (!n) return "";
  if (v.format == core::display_format::datetime && c.why == core::absence::none) return utc_text(*n);
  if (v.format == core::display_format::decimal && c.why == core::absence::none) {
    // As many decimals as the codebook (and the .sav's format) declares, not the double's full digits.
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", v.decimals, *n);
    return buf;
  }
  return number_text(*n);
}

std::string type_text(const export_variable& v) {
  using core::display_format;
  switch (v.format) {
    case display_format::integer: return "numeric, whole numbers";
    case display_format::decimal: return "numeric, " + std::to_string(v.decimals) + " decimals";
    case display_format::datetime: return "date and time (UTC)";
    case display_format::text: return "text, up to " + std::to_string(v.width) + " bytes";
  }
  return "";
}

std::string measure_text(core::measure_level m) {
  switch (m) {
    case core::measure_level::nominal: return "nominal";
    case core::measure_level::ordinal: return "ordinal";
    case core::measure_level::scale: return "scale";
  }
  return "";
}

// Markdown table cells must not break the table.
std::string md(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

}  // namespace

std::string csv_text(const export_dataset& data) {
  std::vector<std::string> fields;
  for (const auto& v : data.variables) fields.push_back(v.name);
  std::string out = core::csv_line(fields);
  for (const auto& row : data.rows) {
    fields.clear();
    for (std::size_t i = 0; i < data.variables.size(); ++i) fields.push_back(cell_text(data.variables[i], row[i]));
    out += core::csv_line(fields);
  }
  return out;
}

std::string codebook_text(const export_dataset& data, const std::string& title) {
  std::ostringstream out;
  out << "# Codebook: " << title << "\n\n"
      << data.rows.size() << " rows, " << data.variables.size() << " variables.\n\n"
      << "Missing values in question variables: -1 = not asked (the question was not on the respondent's route), "
         "-2 = asked, no answer; choices marked as missing in the questionnaire (don't know) keep their code. "
         "In SPSS all three are user-missing; in Stata -1 is .a, -2 is .b and the missing choices .c, .d, ... "
         "Text variables are empty when not asked or not answered. An empty numeric field is system-missing.\n\n";
  if (!data.notes.empty()) {
    out << "## Notes\n\n";
    for (const auto& n : data.notes) out << "- " << md(n) << "\n";
    out << "\n";
  }
  if (!data.warnings.empty()) {
    out << "## Warnings\n\n";
    for (const auto& w : data.warnings) out << "- " << md(w) << "\n";
    out << "\n";
  }
  for (std::size_t i = 0; i < data.variables.size(); ++i) {
    const auto& v = data.variables[i];
    std::size_t answered = 0;
    std::map<double, std::size_t> counts;
    for (const auto& row : data.rows) {
      const auto& c = row[i];
      if (v.type == core::storage_type::text) {
        answered += c.text.empty() ? 0 : 1;
        continue;
      }
      if (auto n = c.numeric()) ++counts[*n];
      if (c.why == core::absence::none && c.number) answered += 1;
    }
    out << "## " << v.name << "\n\n"
 << md(v.label) << "\n\n";
    if (!v.text.empty() && v.text != v.label) out << "Question: " << md(v.text) << "\n\n";
    out << "- type: " << type_text(v) << "; measure: " << measure_text(v.measure) << "\n"
        << "- base: " << md(v.base.empty() ? "all rows" : v.base) << "; " << answered << " of " << data.rows.size()
        << " rows with a value\n";
    if (!v.missing_choices.empty() || v.has_absence) {
      out << "- missing codes:";
      for (double c : v.missing_codes()) out << " " << number_text(c);
      out << "\n";
    }
    if (!v.values.empty()) {
      out << "\n| code | label | count |\n| ---: | --- | ---: |\n";
      for (const auto& l : v.values)
        out << "| " << number_text(l.code) << " | " << md(l.label) << " | " << counts[l.code] << " |\n";
    }
    out << "\n";
  }
  if (!data.sets.empty()) {
    out << "## Multiple-response sets\n\n";
    for (const auto& s : data.sets) {
      out << "- " << s.name << " (" << md(s.label) << "):";
      for (const auto& name : s.variables) out << " " << name;
      out << "\n";
    }
  }
  return out.str();
}

std::string mrsets_syntax(const export_dataset& data, const std::string& sav_name) {
  if (data.sets.empty()) return "";
  std::ostringstream out;
  out << "* Multiple-response sets of " << sav_name << " (ReadStat cannot store them in the .sav).\n"
      << "* Open the file first: GET FILE='" << sav_name << "'.\n"
      << "MRSETS\n";
  for (const auto& s : data.sets) {
    std::string label;
    for (char c : s.label) label += c == '\'' ? std::string("''") : std::string(1, c);
    out << "  /MDGROUP NAME=$" << s.name << " LABEL='" << label << "' CATEGORYLABELS=VARLABELS VARIABLES=";
    for (std::size_t i = 0; i < s.variables.size(); ++i) out << (i ? " " : "") << s.variables[i];
    out << " VALUE=1\n";
  }
  out << ".\n";
  return out.str();
}

std::string cannot_write(const std::filesystem::path& path, int error) {
  std::error_code ec;
  const auto folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(folder, ec))
    return path.string() + ": cannot write the file: the folder " + folder.string() + " does not exist";
  return path.string() + ": cannot write the file: " + std::strerror(error);
}

void write_text_file(const std::filesystem::path& path, const std::string& text) {
  errno = 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error(cannot_write(path, errno));
}

}  // namespace cati::tool
