#include "net/status_mapping.hpp"

#include "core/calling/disposition.hpp"

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
  // The counts per code do not depend on the eligibility rules, only their grouping does: each choice is
  // the same counts regrouped, no second tabulation.
  for (const auto qf : {core::quota_filled_rule::not_eligible, core::quota_filled_rule::eligible})
    for (const auto dn : {core::dead_number_rule::unknown, core::dead_number_rule::not_eligible}) {
      core::disposition_counts n({qf, dn});
      for (int c = 0; c < core::aapor_code_count; ++c) {
        const auto code = static_cast<core::aapor_code>(c);
        n.add(code, group.counts[code]);
      }
      const auto r = core::compute_rates(n);
      auto* v = out.add_by_eligibility();
      v->set_quota_filled(std::string(core::to_string(qf)));
      v->set_dead_number(std::string(core::to_string(dn)));
      if (r.e) v->set_e(*r.e);
      if (r.rr3) v->set_rr3(*r.rr3);
      if (r.coop1) v->set_coop1(*r.coop1);
      if (r.ref1) v->set_ref1(*r.ref1);
      if (r.con1) v->set_con1(*r.con1);
    }
}

void fill(v1::ReplicateStatus& out, const core::replicate_row& row) {
  out.set_replicate(row.replicate);
  out.set_cases(row.cases);
  out.set_called(row.called);
  out.set_worked_out(row.worked_out);
  out.set_left(row.left);
  out.set_completes(row.completes);
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

std::vector<core::case_record> worked_cases(std::span<const core::case_record> cases) {
  std::vector<core::case_record> out;
  for (const auto& c : cases)
    if (!c.calls.empty()) out.push_back(c);
  return out;
}

void add_notes(v1::Status& out, const core::quota_book& book) {
  for (const auto& q : book.quotas())
    if (q.cell_count > 0)
      if (auto why = book.margin_warning(book.cells()[q.first_cell].id)) out.add_warnings(*why);
  for (int c = 0; c < core::aapor_code_count; ++c) {
    const auto code = static_cast<core::aapor_code>(c);
    (*out.mutable_disposition_names())[std::string(core::code_text(code))] = std::string(core::describe(code));
  }
}

}  // namespace cati::net
