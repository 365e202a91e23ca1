#include "latency.hpp"

#include <algorithm>
#include <cmath>

namespace cati::bench {
namespace {

// Nearest-rank percentile of sorted samples: the smallest sample with at least q of them at or below it.
double percentile(const std::vector<std::int64_t>& sorted, double q) {
  const auto n = static_cast<double>(sorted.size());
  auto rank = static_cast<std::size_t>(std::ceil(q * n));
  if (rank == 0) rank = 1;
  return static_cast<double>(sorted[std::min(rank, sorted.size()) - 1]);
}

}  // namespace

latency_summary latency_recorder::summarise() {
  latency_summary s;
  if (samples_.empty()) return s;
  std::sort(samples_.begin(), samples_.end());
  s.count = samples_.size();
  s.p50_us = percentile(samples_, 0.50);
  s.p99_us = percentile(samples_, 0.99);
  s.p999_us = percentile(samples_, 0.999);
  s.max_us = static_cast<double>(samples_.back());
  return s;
}

}  // namespace cati::bench
