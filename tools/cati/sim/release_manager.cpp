#include "sim/release_manager.hpp"

#include <algorithm>
#include <cstdio>

namespace cati::tool::sim {
namespace {

constexpr double prior_yield = 0.08;
constexpr int yield_base = 100;        // worked-out cases before the observed yield is trusted
constexpr double left_share = 0.5;     // the cases left give half the yield
constexpr double days_to_work_out = 4;

}  // namespace

release_decision decide_release(const std::vector<replicate_state>& replicates, int target, int completes,
                                int days_left) {
  release_decision d;
  int worked_out = 0, left = 0, released_completes = 0;
  for (const auto& r : replicates)
    if (r.released) {
      worked_out += r.worked_out;
      left += r.left;
      released_completes += r.completes;
    }
  d.yield = worked_out >= yield_base ? static_cast<double>(released_completes) / worked_out : prior_yield;
  d.expected = completes + left * d.yield * left_share;
  const double time_share = std::min(1.0, std::max(0, days_left) / days_to_work_out);
  const bool first = std::none_of(replicates.begin(), replicates.end(), [](const auto& r) { return r.released; });
  if (first) {
    const std::size_t quarter = (replicates.size() + 3) / 4;
    for (std::size_t i = 0; i < quarter; ++i) {
      d.release.push_back(replicates[i].replicate);
      d.expected += replicates[i].cases * d.yield * time_share;
    }
    d.why = "the first release: a quarter of the replicates, to learn the yield from";
    return d;
  }
  for (const auto& r : replicates) {
    if (r.released || d.expected >= target) continue;
    d.release.push_back(r.replicate);
    d.expected += r.cases * d.yield * time_share;
  }
  char line[200];
  std::snprintf(line, sizeof line, "%d completes, %d cases left in the field, yield %.3f per worked-out case%s: %.0f expected",
                completes, left, d.yield, worked_out >= yield_base ? "" : " (assumed)", d.expected);
  d.why = line;
  return d;
}

}  // namespace cati::tool::sim
