// The disposition report of a fieldwork as of a moment: per breakdown (overall, per day, per interviewer,
// per frame variable such as region) the cases of each group per AAPOR code, and the rates of each
// group. Shared by `cati report` and, later, the supervisor view; formatting is the caller's.
//
// Pure: no I/O, no clock. Dispositions come from the call histories up to `at` (aapor.hpp, tabulate).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/report/aapor.hpp"
#include "core/calling/calendar.hpp"
#include "core/calling/case_record.hpp"
#include "core/questionnaire/questionnaire.hpp"
#include "core/util/result.hpp"

namespace cati::core {

// One way of splitting the report.
struct breakdown {
  std::string name;  // "overall", "day", "interviewer", or the frame variable's name
  group_key key;
};

// "overall", "day" (the local date of the deciding call), "interviewer" (who made it), or a research
// frame variable of the study ("region"). Contact-data variables are refused: a report grouped by
// company or phone would list firms. `cal` must outlive the result (the day key refers to it).
result<breakdown> make_breakdown(std::string_view name, const questionnaire& study, const calendar& cal);

struct disposition_column {
  std::string group;  // the key's value; "" for cases the key gives no value (never attempted, no frame value)
  disposition_counts counts;
  aapor_rates rates;
};

struct disposition_report {
  std::string breakdown;
  // One per group in key order, except that the "" group, when there is one, comes last: it is the
  // remainder, not a group people look for first. Empty when there are no cases.
  std::vector<disposition_column> columns;
  disposition_column total;  // every case, whatever its group
};

// `e`, when given, is used for every column; otherwise each column's e is estimated from its own counts,
// as AAPOR's calculator does for a sample of that size. `rules` group 4.80 and dead numbers.
disposition_report tabulate_report(std::span<const case_record> cases, time_point at, const breakdown& by,
                                   std::optional<double> e = std::nullopt, eligibility_rules rules = {});

// The rates in their usual order (RR1..RR6, COOP1..COOP4, REF1..REF3, CON1..CON3), e excluded.
struct named_rate {
  std::string_view name;  // "RR1"
  rate aapor_rates::*field;
};
std::span<const named_rate> rate_fields();

// "refusals and break-offs": what an AAPOR group letter (group_text) stands for.
std::string_view group_description(aapor_group g);

}  // namespace cati::core
