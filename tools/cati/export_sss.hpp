// Triple-S (https://triple-s.org, version 2.0): the market-research exchange format that tabulation tools
// read. Two files: an XML metadata file (variables, their labels in every language of the study, codes,
// positions) and a fixed-width data file, one line per respondent.
//
// Variables, from the export's dataset (core/report/export_model.hpp), in its order:
//   single choice and coded frame / meta variables  type "single", codes with labels
//   multiple choice                                 type "multiple", one column per choice ('1' picked,
//                                                   '0' not), in choice order: a spread of dichotomies
//                                                   (the `<q>` codes text and `<q>_<code>` variables of the
//                                                   other formats are this one field)
//   numbers                                         type "quantity", a range whose decimals are the
//                                                   variable's; the weight has use="weight"
//   text and times                                  type "character" (times as UTC ISO 8601)
// Not asked, asked without an answer and system-missing are blank fields (Triple-S has no missing codes);
// a "don't know" choice keeps its code. Positions count characters (the data file is UTF-8).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/report/export_model.hpp"

namespace cati::tool {

struct sss_files {
  std::string xml;
  std::string data;
};

// `by_language`: the same dataset built once per language of the study (labels differ, values not); the
// first is the one the values come from. `languages` names them, in the same order.
sss_files triple_s(const std::vector<core::export_dataset>& by_language, const std::vector<std::string>& languages,
                   const std::string& survey_name, const std::string& title, const std::string& data_file_name);

}  // namespace cati::tool
