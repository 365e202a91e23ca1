// The supervisor's Status on the wire (cati.v1): progress per day, rates per group, interviewers. The
// quota cells are mapped in protocol_mapping (fill(QuotaCellStatus&, ...)); the numbers themselves are
// computed in core/supervisor_status. Pure mapping, no state.
#pragma once

#include "cati/v1/wire.pb.h"
#include "core/report/supervisor_status.hpp"

namespace cati::net {

void fill(cati::v1::DayProgress& out, const core::day_progress& day);
// The dispositions map holds the codes that occur ("1.1" -> 2); a rate that is n/a stays unset.
void fill(cati::v1::RateSet& out, const core::rate_group& group);
void fill(cati::v1::InterviewerStatus& out, const core::interviewer_row& row);

}  // namespace cati::net
