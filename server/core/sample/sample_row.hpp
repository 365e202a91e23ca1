// A sample frame file (CSV) checked against a study's frame variables, before anything is stored.
//
// Columns: `firm_id`, then one per frame variable of the study, by name, in any order (optional variables
// may be left out). A `phone` variable holds one or more Belgian E.164 numbers separated by ';'.
// Every problem is reported with its line; the caller imports nothing unless there are none. Checks that
// need the fieldwork (firm ids and numbers already stored) are the store's, with the same line numbers.
//
// Pure functions: thread-safe.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/questionnaire/questionnaire.hpp"

namespace cati::core {

inline constexpr std::string_view firm_id_column = "firm_id";

// One firm of the frame, checked.
struct sample_case {
  int line = 0;  // where the row starts in the file
  std::string firm_id;
  std::string language;             // the language the firm is interviewed in
  std::vector<std::string> phones;  // in file order: the first is dialled first
  // Contact-data variables other than phones (company, contact_name, ...): kept apart from answers.
  std::map<std::string, std::string, std::less<>> contact;
  // Research variables (region, sector_frame, fte_frame, language, ...): may go into exports and quotas.
  std::map<std::string, std::string, std::less<>> frame;
};

struct sample_problem {
  int line = 0;  // 1 is the header
  std::string message;
  std::string to_string(std::string_view file) const;  // "frame.csv:12: message"
  bool operator==(const sample_problem&) const = default;
};

struct sample_frame {
  std::vector<sample_case> cases;
  std::vector<sample_problem> problems;  // in line order
  bool ok() const { return problems.empty(); }
};

// Parses and checks the whole file: header, every row, duplicates within the file.
sample_frame parse_sample_frame(std::string_view csv_text, const questionnaire& study);

// "+32" followed by 8 (landline) or 9 (mobile) digits, nothing else.
bool is_belgian_e164(std::string_view number);

// Sorts problems by line, keeping the order of problems on the same line.
void sort_problems(std::vector<sample_problem>& problems);

}  // namespace cati::core
