#include "export_readstat.hpp"

#include <readstat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "export_text.hpp"  // cannot_write

namespace cati::tool {
namespace {

using core::export_dataset;
using core::export_variable;
using core::storage_type;

constexpr double spss_epoch_offset = 12219379200.0;  // seconds from 1582-10-14 to 1970-01-01
constexpr double stata_epoch_offset = -315619200.0;  // seconds from 1960-01-01 to 1970-01-01, negated

// Byte limits of labels, per format (ReadStat cuts or refuses longer ones; we cut on a character).
struct limits {
  std::size_t file_label, variable_label, value_label, text_width;
};
constexpr limits sav_limits{64, 256, 120, 32767};
constexpr limits dta_limits{80, 320, 32000, 2045};

struct writer_deleter {
  void operator()(readstat_writer_t* w) const { readstat_writer_free(w); }
};
struct file_closer {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

ssize_t write_bytes(const void* data, size_t len, void* ctx) {
  auto* f = static_cast<std::FILE*>(ctx);
  return static_cast<ssize_t>(std::fwrite(data, 1, len, f));
}

std::vector<std::string> document_lines(const std::string& text, std::size_t width) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t i = 0;
  while (i < text.size()) {
    auto end = text.find(' ', i);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(i, end - i);
    i = end + 1;
    while (word.size() > width) {  // a word longer than a line: split on a character boundary
      auto head = core::utf8_prefix(word, width);
      if (head.empty()) head = word.substr(0, width);
      if (!line.empty()) lines.push_back(std::move(line)), line.clear();
      lines.push_back(head);
      word.erase(0, head.size());
    }
    if (!line.empty() && line.size() + 1 + word.size() > width) lines.push_back(std::move(line)), line.clear();
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

void check(readstat_error_t e, const std::string& what) {
  if (e != READSTAT_OK) throw std::runtime_error(what + ": " + readstat_error_message(e));
}

std::string format_of(const export_variable& v, stat_format f) {
  using core::display_format;
  if (f == stat_format::sav) {
    switch (v.format) {
      case display_format::integer: return "F" + std::to_string(v.width) + ".0";
      case display_format::decimal: return "F" + std::to_string(v.width) + "." + std::to_string(v.decimals);
      case display_format::datetime: return "DATETIME20";
      case display_format::text: return "A" + std::to_string(v.width);
    }
  }
  switch (v.format) {
    case display_format::integer: return "%9.0g";
    case display_format::decimal: return "%" + std::to_string(v.width) + "." + std::to_string(v.decimals) + "f";
    case display_format::datetime: return "%tc";
    case display_format::text: return "%" + std::to_string(v.width) + "s";
  }
  return "";
}

readstat_measure_t measure_of(core::measure_level m) {
  switch (m) {
    case core::measure_level::nominal: return READSTAT_MEASURE_NOMINAL;
    case core::measure_level::ordinal: return READSTAT_MEASURE_ORDINAL;
    case core::measure_level::scale: return READSTAT_MEASURE_SCALE;
  }
  return READSTAT_MEASURE_UNKNOWN;
}

// Stata's tag for a missing code: .a not asked, .b no answer, .c on for the missing choices.
char stata_tag(const export_variable& v, double code) {
  if (code == core::not_asked_code) return 'a';
  if (code == core::no_answer_code) return 'b';
  for (std::size_t i = 0; i < v.missing_choices.size() && i < 24; ++i)
    if (v.missing_choices[i] == code) return static_cast<char>('c' + i);
  return 0;
}

std::vector<std::string> declare_spss_missing(readstat_variable_t* var, const export_variable& v) {
  const auto codes = v.missing_codes();
  std::vector<std::string> warnings;
  if (codes.size() <= 3) {
    for (double c : codes) check(readstat_variable_add_missing_double_value(var, c), v.name + ": missing value");
    return warnings;
  }
  // SPSS holds one range and one value: the range takes the two absence codes.
  check(readstat_variable_add_missing_double_range(var, core::no_answer_code, core::not_asked_code),
        v.name + ": missing range");
  if (!v.missing_choices.empty())
    check(readstat_variable_add_missing_double_value(var, v.missing_choices.front()), v.name + ": missing value");
  if (v.missing_choices.size() > 1)
    warnings.push_back("variable " + v.name + ": SPSS declares only one missing choice code besides -2..-1; " +
                       std::to_string(v.missing_choices.size() - 1) + " more are labelled but not declared missing");
  return warnings;
}

// "Measurement level ordinal: q2_ai_use, q6_attitude", one line per level that some variable has.
std::vector<std::string> measure_notes(const export_dataset& data) {
  std::vector<std::string> out;
  for (const auto level : {core::measure_level::nominal, core::measure_level::ordinal, core::measure_level::scale}) {
    std::string names;
    for (const auto& v : data.variables)
      if (v.measure == level) names += (names.empty() ? "" : ", ") + v.name;
    if (names.empty()) continue;
    const char* word = level == core::measure_level::nominal ? "nominal" : level == core::measure_level::ordinal ? "ordinal" : "scale";
    out.push_back(std::string("Measurement level ") + word + ": " + names);
  }
  return out;
}

}  // namespace

std::vector<std::string> write_stat_file(const export_dataset& data, stat_format format,
                                         const std::filesystem::path& path, std::time_t timestamp) {
  const bool sav = format == stat_format::sav;
  const limits lim = sav ? sav_limits : dta_limits;
  std::vector<std::string> warnings;
  std::unique_ptr<readstat_writer_t, writer_deleter> writer(readstat_writer_init());
  if (!writer) throw std::runtime_error("ReadStat could not start a writer");
  auto* w = writer.get();
  check(readstat_set_data_writer(w, write_bytes), "data writer");
  check(readstat_writer_set_file_label(w, core::utf8_prefix(data.label, lim.file_label).c_str()), "file label");
  check(readstat_writer_set_file_timestamp(w, timestamp), "file timestamp");
  if (sav) {
    check(readstat_writer_set_compression(w, READSTAT_COMPRESS_ROWS), "compression");
  } else {
    check(readstat_writer_set_file_format_version(w, 118), "Stata version");  // 118: UTF-8 text
  }

  // The documents (SPSS's DISPLAY DOCUMENTS, Stata's notes): what the codebook says of the weight and the
  // partial rule. SPSS stores documents in lines of 80 bytes: each note is broken at spaces to fit.
  for (const auto& note : data.notes)
    for (const auto& line : document_lines(note, 80)) readstat_add_note(w, line.c_str());
  // Stata has no measurement levels of its own: the .dta says them in a note of its own (Stata's `notes`),
  // one line per level, so that a Stata user sees which scales are ordinal.
  if (!sav)
    for (const auto& line : measure_notes(data)) readstat_add_note(w, line.c_str());

  std::vector<readstat_variable_t*> vars;
  for (const auto& v : data.variables) {
    const bool text = v.type == storage_type::text;
    if (text && static_cast<std::size_t>(v.width) > lim.text_width)
      throw std::runtime_error("variable " + v.name + ": a value of " + std::to_string(v.width) +
                               " bytes is longer than the format holds (" + std::to_string(lim.text_width) + ")");
    readstat_label_set_t* labels = nullptr;
    if (!v.values.empty() && !text) {
      labels = readstat_add_label_set(w, sav ? READSTAT_TYPE_DOUBLE : READSTAT_TYPE_INT32, ("l_" + v.name).c_str());
      for (const auto& l : v.values) {
        const auto label = core::utf8_prefix(l.label, lim.value_label);
        if (label.size() < l.label.size())
          warnings.push_back("variable " + v.name + ": the label of value " + std::to_string(static_cast<long long>(l.code)) + " is cut to " +
                             std::to_string(lim.value_label) + " bytes");
        if (sav) {
          readstat_label_double_value(labels, l.code, label.c_str());
        } else if (char tag = stata_tag(v, l.code)) {
          readstat_label_tagged_value(labels, tag, label.c_str());
        } else {
          readstat_label_int32_value(labels, static_cast<std::int32_t>(l.code), label.c_str());
        }
      }
    }
    auto* var = readstat_add_variable(w, v.name.c_str(), text ? READSTAT_TYPE_STRING : READSTAT_TYPE_DOUBLE,
                                      text ? static_cast<std::size_t>(v.width) : 0);
    if (!var) throw std::runtime_error("variable " + v.name + ": ReadStat refused it");
    readstat_variable_set_label(var, core::utf8_prefix(v.label, lim.variable_label).c_str());
    readstat_variable_set_format(var, format_of(v, format).c_str());
    readstat_variable_set_measure(var, measure_of(v.measure));
    readstat_variable_set_display_width(var, std::max(v.width, 8));
    if (labels) readstat_variable_set_label_set(var, labels);
    if (sav && !text) {
      auto more = declare_spss_missing(var, v);
      warnings.insert(warnings.end(), more.begin(), more.end());
    }
    vars.push_back(var);
  }

  std::unique_ptr<std::FILE, file_closer> out(std::fopen(path.c_str(), "wb"));
  if (!out) throw std::runtime_error(cannot_write(path, errno));
  const long rows = static_cast<long>(data.rows.size());
  check(sav ? readstat_begin_writing_sav(w, out.get(), rows) : readstat_begin_writing_dta(w, out.get(), rows),
        path.string());
  check(readstat_validate_metadata(w), path.string() + ": metadata");
  for (std::size_t i = 0; i < vars.size(); ++i)
    check(readstat_validate_variable(w, vars[i]), "variable " + data.variables[i].name);

  for (const auto& row : data.rows) {
    check(readstat_begin_row(w), "row");
    for (std::size_t i = 0; i < vars.size(); ++i) {
      const auto& v = data.variables[i];
      const auto& cell = row[i];
      const std::string where = "variable " + v.name;
      if (v.type == storage_type::text) {
        check(readstat_insert_string_value(w, vars[i], cell.text.c_str()), where);
        continue;
      }
      auto value = cell.numeric();
      if (!value) {
        check(readstat_insert_missing_value(w, vars[i]), where);
        continue;
      }
      if (v.format == core::display_format::datetime && cell.number) {
        value = sav ? *value + spss_epoch_offset : (*value + -stata_epoch_offset) * 1000.0;
      }
      if (!sav) {
        const bool missing_code = cell.why != core::absence::none ||
                                  std::find(v.missing_choices.begin(), v.missing_choices.end(), *value) !=
                                      v.missing_choices.end();
        if (char tag = missing_code ? stata_tag(v, *value) : 0) {
          check(readstat_insert_tagged_missing_value(w, vars[i], tag), where);
          continue;
        }
      }
      check(readstat_insert_double_value(w, vars[i], *value), where);
    }
    check(readstat_end_row(w), "row");
  }
  check(readstat_end_writing(w), path.string());
  if (std::fflush(out.get()) != 0 || std::ferror(out.get()))
    throw std::runtime_error(path.string() + ": writing failed");
  return warnings;
}

}  // namespace cati::tool
