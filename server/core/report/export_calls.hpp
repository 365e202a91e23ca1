// The call log as a research file (`cati export --format calls`): one row per call attempt, for
// paradata analysis (when firms answer, how many attempts a complete costs, interviewer effects).
//
// Variables: case_ref (a pseudonym of the case, "C0001", numbered in the order of each case's first call:
// stable within one file, not the sample order, so it does not link to the sample), respondent_id ("" for
// a case never interviewed: links to the respondent and dispositions files), call (1, 2, ... within the
// case), time (UTC), number (which of the firm's numbers was dialled, 1 = the first in dialling order;
// 0 when the log does not say), outcome, aapor_code (the call's own code, as final_disposition reads it
// at that call), interviewer_id (pseudonym code, labelled INT07), duration (minutes of interview time the
// call carried, suspensions left out; system-missing for calls that opened no interview).
// With include_contact: case_id and firm_id first.
//
// Pure: no I/O.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/report/export_model.hpp"

namespace cati::core {

struct logged_call {
  std::int64_t case_id = 0;
  std::string firm_id;
  std::string respondent_id;
  time_point at{};
  int number = -1;  // index in the case's dialling order; -1 unknown
  outcome result = outcome::unspecified;
  bool partial = false;  // a break-off recorded as a partial interview (call_attempt::partial): 1.2
  std::int64_t interviewer_id = 0;
  std::optional<double> duration_minutes;
};

// `calls` ordered by case, then time. A call's aapor code reads eligibility (someone at the firm answered)
// and messages left from the case's calls up to and including it.
result<export_dataset> calls_dataset(const questionnaire& study, const export_settings& settings,
                                     std::span<const logged_call> calls);

}  // namespace cati::core
