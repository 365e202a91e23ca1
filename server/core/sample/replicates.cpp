#include "core/sample/replicates.hpp"

#include <algorithm>

#include "core/util/splitmix64.hpp"

namespace cati::core {

result<std::map<case_id, int>> assign_replicates(std::span<const stratified_case> cases, int count, std::uint64_t seed) {
  if (count < 1) return error{"the number of replicates must be at least 1"};
  if (static_cast<std::size_t>(count) > cases.size())
    return error{std::to_string(count) + " replicates for " + std::to_string(cases.size()) +
                 " cases: every replicate needs at least one case"};
  std::map<std::string, std::vector<case_id>> strata;  // ordered: the same frame always deals the same way
  for (const auto& c : cases) strata[c.stratum].push_back(c.id);
  splitmix64 rng(seed);
  std::map<case_id, int> out;
  int next = 0;
  for (auto& [stratum, ids] : strata) {
    std::sort(ids.begin(), ids.end());
    for (std::size_t i = ids.size(); i > 1; --i) std::swap(ids[i - 1], ids[rng.below(i)]);  // Fisher-Yates
    for (auto id : ids) {
      out[id] = next + 1;
      next = (next + 1) % count;
    }
  }
  return out;
}

std::string stratum_of(const case_record& c, std::span<const std::string> variables) {
  std::string out;
  for (std::size_t i = 0; i < variables.size(); ++i) {
    if (i) out += '|';
    if (auto it = c.frame.find(variables[i]); it != c.frame.end()) out += it->second;
  }
  return out;
}

}  // namespace cati::core
