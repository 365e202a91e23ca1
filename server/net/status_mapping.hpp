// The supervisor's Status on the wire (cati.v1): progress per day, rates per group, interviewers. The
// quota cells are mapped in protocol_mapping (fill(QuotaCellStatus&, ...)); the numbers themselves are
// computed in core/supervisor_status. Pure mapping, no state.
#pragma once

#include "cati/v1/wire.pb.h"
#include "core/quota/quota_book.hpp"
#include "core/report/supervisor_status.hpp"
#include "core/sample/replicate_progress.hpp"

#include <span>
#include <vector>

namespace cati::net {

void fill(cati::v1::DayProgress& out, const core::day_progress& day);
// The dispositions map holds the codes that occur ("1.1" -> 2); a rate that is n/a stays unset. The rates
// under every choice of the eligibility rules (by_eligibility) come from the same counts.
void fill(cati::v1::RateSet& out, const core::rate_group& group);
void fill(cati::v1::ReplicateStatus& out, const core::replicate_row& row);
void fill(cati::v1::InterviewerStatus& out, const core::interviewer_row& row);
// The cases called at least once (worked_rates' base), copied: the status is built off the hot path.
std::vector<core::case_record> worked_cases(std::span<const core::case_record> cases);
// What the numbers need to be read: one warning per quota whose targets break the margin rule
// (core/quota/margins.hpp), and the description of every AAPOR code.
void add_notes(cati::v1::Status& out, const core::quota_book& book);

}  // namespace cati::net
