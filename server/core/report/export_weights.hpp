// Raking an export's respondents to the study's quota margins: each quota is a margin, its cells the
// categories and the cells' targets (from the questionnaire) the target counts. A respondent's category
// is the cell its frame values and answers place it in (quota_book::cells_for), the same placement the
// quotas used during fieldwork.
//
// Pure: no I/O.
#pragma once

#include <span>
#include <vector>

#include "core/report/export_model.hpp"
#include "core/report/raking.hpp"

namespace cati::core {

struct quota_weighting {
  std::vector<rake_margin> margins;                   // one per quota, cells in questionnaire order
  std::vector<std::vector<std::string>> membership;  // per respondent, per margin: the cell's values
};

// Refused, naming the respondent and quota, when a respondent falls in no cell of a quota (a value
// outside every cell, an unanswered quota question), or when the study has no quotas to weight to.
result<quota_weighting> quota_margins(const questionnaire& study, std::span<const export_respondent> respondents);

// "VLA", or "VLA,1" for a cell of several variables.
std::string cell_key(const std::vector<std::string>& values);

}  // namespace cati::core
