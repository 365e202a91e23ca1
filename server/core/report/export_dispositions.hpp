// The sample for the methodology report (`cati export --format dispositions`): one row per released case
// (rates are computed on released sample) with its replicate,
// final AAPOR disposition as of a moment, the outcome of the call that decided it, its number of call
// attempts and the quota cell it falls in (per quota; "" while the values that place it are unknown).
// Contact data only with export_settings::include_contact, as in the research export.
//
// Pure: no I/O. The caller loads the cases (whole call histories) and each case's latest answers.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/calling/case_record.hpp"
#include "core/report/export_model.hpp"

namespace cati::core {

struct disposition_case {
  case_record record;  // frame and whole call history
  std::string firm_id;
  std::string respondent_id;  // "" when the case never had an interview
  std::map<std::string, std::string, std::less<>> contact;
  // The current answers of the case's latest interview (see export_respondent::answers).
  std::map<std::string, std::optional<std::string>, std::less<>> answers;
};

// Variables: [case_id], respondent_id, [firm_id, contact] (case_id and contact only with
// include_contact: the case number links to the sample), research frame, replicate, attempts, outcome (of the
// deciding call), aapor_code ("2.111"), aapor_group ("R"), then quota_<name> per quota (the cell's
// values joined by ","). Refused for an unknown frame code (naming the case) or a quota name that makes
// a bad variable name.
result<export_dataset> dispositions_dataset(const questionnaire& study, const export_settings& settings,
                                            std::span<const disposition_case> cases, time_point at);

}  // namespace cati::core
