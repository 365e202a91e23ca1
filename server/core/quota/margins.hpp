// The margin rule, shared by `cati lint` (which refuses a questionnaire that breaks it) and a
// supervisor's target change (quota_book::set_target): in a quota whose cells all have targets, the
// targets add up to the study's target_completes; otherwise not every margin can be met at once.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

namespace cati::core {

// Why a quota's targets adding up to `sum` break the rule for a study of `target_completes` (0: no study
// target, nothing to check): "the cell targets add up to 227, but target_completes is 225". nullopt when
// they agree. The caller names the quota.
std::optional<std::string> margin_problem(long long sum, int target_completes);

// A single cell's target above the whole study's can never be right, whatever the other cells say:
// "target 5000 is above the study's target of 225 completes". nullopt when it is not.
std::optional<std::string> cell_target_problem(long long target, int target_completes);

}  // namespace cati::core
