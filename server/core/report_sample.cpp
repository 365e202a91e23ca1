#include "core/report_sample.hpp"

#include <map>

#include "core/case_plan.hpp"

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

sample_summary summarise_sample(std::span<const case_record> cases, std::span<const std::string> variables,
                                const call_rules& rules, const calendar& cal) {
  sample_summary out;
  std::map<quota_values, int> groups;  // ordered: the same sample always gives the same groups
  for (const auto& c : cases) {
    const case_plan plan = plan_case(c, rules, cal);
    if (plan.finished()) {
      ++out.finalised;
      if (plan.final_outcome == outcome::complete) ++out.completes;
      continue;
    }
    ++out.callable;
    ++groups[frame_group(c, variables)];
  }
  out.left.reserve(groups.size());
  for (auto& [values, n] : groups) out.left.push_back({values, n});
  return out;
}

outlook_input outlook_input_for(const sample_summary& sample) {
  outlook_input in;
  in.sample_left = sample.left;
  in.completes_per_case = sample.completes_per_case();
  return in;
}

}  // namespace cati::core
