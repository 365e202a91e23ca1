#include "core/sample/replicate_progress.hpp"

#include <map>

#include "core/calling/case_plan.hpp"

namespace cati::core {

std::vector<replicate_row> replicate_rows(std::span<const case_record> cases, const call_rules& rules,
                                          const calendar& cal) {
  std::map<int, replicate_row> by;
  for (const auto& c : cases) {
    auto& r = by[c.replicate];
    r.replicate = c.replicate;
    ++r.cases;
    const auto plan = plan_case(c, rules, cal);
    ++(plan.finished() ? r.worked_out : r.left);
    if (plan.final_outcome == outcome::complete) ++r.completes;
    if (!c.calls.empty()) ++r.called;
    r.attempts += static_cast<int>(c.calls.size());
  }
  std::vector<replicate_row> out;
  for (auto& [k, r] : by) out.push_back(r);
  return out;
}

}  // namespace cati::core
