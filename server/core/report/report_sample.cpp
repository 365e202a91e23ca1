#include "core/report/report_sample.hpp"

#include <map>

namespace cati::core {

quota_values frame_group(const case_record& c, std::span<const std::string> variables) {
  quota_values out;
  for (const auto& v : variables)
    if (auto it = c.frame.find(v); it != c.frame.end()) out.emplace(v, it->second);
  return out;
}

double sample_summary::completes_per_case() const {
  return finalised > 0 ? static_cast<double>(completes) / finalised : 0.0;
}

void sample_tally::add(const case_record& c, const case_plan& plan) {
  if (plan.finished()) {
    ++counts_.finalised;
    if (plan.final_outcome == outcome::complete) ++counts_.completes;
    return;
  }
  ++counts_.callable;
  ++groups_[frame_group(c, variables_)];
}

sample_summary sample_tally::summary() const {
  sample_summary out = counts_;
  out.left.reserve(groups_.size());
  for (const auto& [values, n] : groups_) out.left.push_back({values, n});
  return out;
}

sample_summary summarise_sample(std::span<const case_record> cases, std::span<const std::string> variables,
                                const call_rules& rules, const calendar& cal) {
  sample_tally tally(variables);
  for (const auto& c : cases) tally.add(c, plan_case(c, rules, cal));
  return tally.summary();
}

std::map<cell_id, int> count_arrivals(const quota_book& book, std::span<const quota_values> interviews) {
  std::map<cell_id, int> out;
  for (const auto& values : interviews)
    for (auto& cell : book.cells_for(values)) ++out[std::move(cell)];
  return out;
}

outlook_input outlook_input_for(const sample_summary& sample, std::map<cell_id, int> arrivals) {
  outlook_input in;
  in.sample_left = sample.left;
  in.completes_per_case = sample.completes_per_case();
  in.arrivals = std::move(arrivals);
  return in;
}

}  // namespace cati::core
