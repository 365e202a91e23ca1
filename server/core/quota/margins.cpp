#include "core/quota/margins.hpp"

namespace cati::core {

std::optional<std::string> margin_problem(long long sum, int target_completes) {
  if (target_completes <= 0 || sum == target_completes) return std::nullopt;
  return "the cell targets add up to " + std::to_string(sum) + ", but target_completes is " +
         std::to_string(target_completes);
}

std::optional<std::string> cell_target_problem(long long target, int target_completes) {
  if (target_completes <= 0 || target <= target_completes) return std::nullopt;
  return "target " + std::to_string(target) + " is above the study's target of " + std::to_string(target_completes) +
         " completes";
}

}  // namespace cati::core
