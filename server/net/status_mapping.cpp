#include "net/status_mapping.hpp"

namespace cati::net {

namespace v1 = cati::v1;

void fill(v1::DayProgress& out, const core::day_progress& day) {
  out.set_date(day.date);
  out.set_completes(day.completes);
  out.set_cumulative(day.cumulative);
  out.set_planned_cumulative(day.planned_cumulative);
}

void fill(v1::RateSet& out, const core::rate_group& group) {
  out.set_group(group.group);
  out.set_interviews(static_cast<std::int32_t>(group.counts.group(core::aapor_group::interview)));
  if (group.rates.rr3) out.set_rr3(*group.rates.rr3);
  if (group.rates.coop1) out.set_coop1(*group.rates.coop1);
  if (group.rates.ref1) out.set_ref1(*group.rates.ref1);
  if (group.rates.con1) out.set_con1(*group.rates.con1);
  for (const auto& row : core::disposition_table(group.counts))
    if (row.count > 0) (*out.mutable_dispositions())[std::string(row.text)] = static_cast<std::int32_t>(row.count);
}

void fill(v1::InterviewerStatus& out, const core::interviewer_row& row) {
  out.set_user(row.name);
  out.set_online(row.online);
  out.set_state(std::string(core::to_string(row.activity)));
  out.set_calls(row.calls);
  out.set_completes(row.completes);
  out.set_calls_per_hour(row.calls_per_hour);
  out.set_completes_per_hour(row.completes_per_hour);
  if (row.mean_interview_minutes) out.set_mean_interview_minutes(*row.mean_interview_minutes);
}

}  // namespace cati::net
