// The sample left, as the quota table and the scheduler's priority read it: which cases can still be
// called (plan_case says they are not finished), grouped by the values of the quotas' frame variables,
// and how many completes a finalised case has given so far. Shared by `cati quota` and, later, the
// supervisor view, so that both show the same "sample left" and reachability.
//
// Pure: no I/O, no clock. The caller loads the cases (whole call histories) and the quota book.
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/calling/calendar.hpp"
#include "core/calling/case_plan.hpp"
#include "core/calling/case_record.hpp"
#include "core/questionnaire/questionnaire.hpp"
#include "core/quota/quota_outlook.hpp"
#include "core/quota/quota_types.hpp"

namespace cati::core {

// A case's values for `variables`; a variable the case has no value for is left out (the outlook then
// counts the case towards every cell of that variable).
quota_values frame_group(const case_record& c, std::span<const std::string> variables);

struct sample_summary {
  std::vector<sample_group> left;  // callable cases per frame group, groups in value order
  int callable = 0;                // cases not finished
  int finalised = 0;               // cases finished (final outcome, max attempts, no calling time left)
  int completes = 0;               // finalised cases whose final outcome is a complete

  // completes / finalised: the yield of a case once it is worked to the end; 0 while none is finalised
  // (the outlook then says "unknown" rather than guess).
  double completes_per_case() const;
};

// Builds a sample_summary one case at a time, for callers that hold the cases' plans already (the
// fieldwork service's scheduler); summarise_sample() below is the same over plan_case().
class sample_tally {
 public:
  explicit sample_tally(std::span<const std::string> variables) : variables_(variables.begin(), variables.end()) {}
  void add(const case_record& c, const case_plan& plan);
  sample_summary summary() const;

 private:
  std::vector<std::string> variables_;
  sample_summary counts_;
  std::map<quota_values, int> groups_;  // ordered: the same sample always gives the same groups
};

// Plans every case with the study's rules and calendar and counts it as callable or finalised.
// Completes are counted from the same call histories as the finalised cases, not from the quota book,
// so the ratio compares like with like (a complete outside every quota cell still counts).
sample_summary summarise_sample(std::span<const case_record> cases, std::span<const std::string> variables,
                                const call_rules& rules, const calendar& cal);

// How many interviews reached the quota point, per cell they fall in (outlook_input::arrivals): each
// entry of `interviews` is one interview's values for the quota variables there (frame and answers).
std::map<cell_id, int> count_arrivals(const quota_book& book, std::span<const quota_values> interviews);

// What quota_outlook needs, from a summary grouped by quota_frame_variables(book), and the arrivals
// (count_arrivals) that answer-based shares are estimated from. With no arrivals at all the outlook
// falls back on the book's completes and leases, which over-state the cells still open.
outlook_input outlook_input_for(const sample_summary& sample, std::map<cell_id, int> arrivals = {});

}  // namespace cati::core
