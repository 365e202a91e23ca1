// Latency samples of one run and their percentiles. Every sample is kept (a run of a few minutes at
// tens of thousands of acks per second is a few million numbers): exact percentiles, no bucketing error.
#pragma once

#include <cstdint>
#include <vector>

namespace cati::bench {

struct latency_summary {
  std::uint64_t count = 0;
  double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
};

class latency_recorder {
 public:
  void add(std::int64_t microseconds) { samples_.push_back(microseconds < 0 ? 0 : microseconds); }
  // Sorts the samples (once, at the end of a run); all zero when there are none.
  latency_summary summarise();

 private:
  std::vector<std::int64_t> samples_;
};

}  // namespace cati::bench
