#include "core/report/report_breakdown.hpp"

#include <algorithm>
#include <array>

namespace cati::core {

result<breakdown> make_breakdown(std::string_view name, const questionnaire& study, const calendar& cal) {
  if (name == "overall") return breakdown{std::string(name), overall()};
  if (name == "day") return breakdown{std::string(name), by_day(cal)};
  if (name == "interviewer") return breakdown{std::string(name), by_interviewer()};
  std::string choices = "overall, day, interviewer";
  for (const auto& v : study.frame) {
    if (v.contact_data) {
      if (v.name == name) return error{"'" + v.name + "' is contact data: reports are not grouped by it"};
      continue;
    }
    if (v.name == name) return breakdown{std::string(name), by_frame(v.name)};
    choices += ", " + v.name;
  }
  return error{"unknown breakdown '" + std::string(name) + "' (expected " + choices + ")"};
}

namespace {

disposition_column column_of(std::string group, const disposition_counts& counts, std::optional<double> e) {
  return {std::move(group), counts, compute_rates(counts, e)};
}

}  // namespace

disposition_report tabulate_report(std::span<const case_record> cases, time_point at, const breakdown& by,
                                   std::optional<double> e, eligibility_rules rules) {
  disposition_report out;
  out.breakdown = by.name;
  disposition_counts all(rules);
  for (const auto& [group, counts] : tabulate(cases, at, by.key, rules)) {
    out.columns.push_back(column_of(group, counts, e));
    all += counts;
  }
  // std::map puts "" first; move that remainder to the end, keeping the others in order.
  std::stable_partition(out.columns.begin(), out.columns.end(),
                        [](const disposition_column& c) { return !c.group.empty(); });
  out.total = column_of("", all, e);
  return out;
}

std::span<const named_rate> rate_fields() {
  static constexpr std::array<named_rate, 16> fields = {{
      {"RR1", &aapor_rates::rr1},     {"RR2", &aapor_rates::rr2},     {"RR3", &aapor_rates::rr3},
      {"RR4", &aapor_rates::rr4},     {"RR5", &aapor_rates::rr5},     {"RR6", &aapor_rates::rr6},
      {"COOP1", &aapor_rates::coop1}, {"COOP2", &aapor_rates::coop2}, {"COOP3", &aapor_rates::coop3},
      {"COOP4", &aapor_rates::coop4}, {"REF1", &aapor_rates::ref1},   {"REF2", &aapor_rates::ref2},
      {"REF3", &aapor_rates::ref3},   {"CON1", &aapor_rates::con1},   {"CON2", &aapor_rates::con2},
      {"CON3", &aapor_rates::con3},
  }};
  return fields;
}

std::string_view group_description(aapor_group g) {
  static constexpr std::array<std::string_view, aapor_group_count> names = {
      "interviews",
      "partial interviews",
      "refusals and break-offs",
      "non-contacts",
      "other eligible non-interviews",
      "unknown eligibility, not reached",
      "unknown eligibility, other",
      "not eligible",
  };
  return names[static_cast<std::size_t>(g)];
}

}  // namespace cati::core
