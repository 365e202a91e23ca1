// Shared set-up for the quota tests: small studies built in code, a fixed start time, short names.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/quota/quota_book.hpp"

namespace cati::core::quota_testing {

struct cell_def {
  std::vector<std::string> values;
  int target = 0;
  cell_policy policy = cell_policy::normal;
};

inline quota make_quota(std::string name, std::vector<std::string> variables, std::vector<cell_def> cells) {
  quota q;
  q.name = std::move(name);
  q.variables = std::move(variables);
  for (auto& c : cells) q.cells.push_back(quota_cell{std::move(c.values), c.target, c.policy, {}});
  return q;
}

// As in the seed study: region and sector_frame come with the sample; s3_sector is asked.
inline const std::vector<std::string> frame_variables = {"region", "sector_frame", "language"};

inline quota_book make_book(const std::vector<quota>& quotas) {
  auto book = quota_book::build(quotas, frame_variables);
  if (!book) throw std::runtime_error(book.err().message);
  return std::move(book).value();
}

inline quota region_quota(int vla, int wal, int bru, cell_policy policy = cell_policy::normal) {
  return make_quota("region", {"region"}, {{{"VLA"}, vla, policy}, {{"WAL"}, wal, policy}, {{"BRU"}, bru, policy}});
}

// Services normal, commerce allow-over, industry count-only: one of each policy.
inline quota sector_quota(int services, int commerce) {
  return make_quota("sector", {"s3_sector"},
                    {{{"1"}, services}, {{"2"}, commerce, cell_policy::allow_over}, {{"3"}, 0, cell_policy::count_only}});
}

// Region x sector, interlocked, one target for every cell.
inline quota region_sector_quota(int each) {
  std::vector<cell_def> cells;
  for (const char* r : {"VLA", "WAL", "BRU"})
    for (const char* s : {"1", "2", "3"}) cells.push_back({{r, s}, each});
  return make_quota("region_sector", {"region", "s3_sector"}, std::move(cells));
}

inline quota_values at(std::string region) { return {{"region", std::move(region)}}; }
inline quota_values at(std::string region, std::string sector) {
  return {{"region", std::move(region)}, {"s3_sector", std::move(sector)}};
}

inline cell_id cell(std::string quota, std::vector<std::string> values) { return {std::move(quota), std::move(values)}; }

// Monday 13 October 2025, 09:00 in Brussels.
inline const time_point t0 = time_point{std::chrono::sys_days{std::chrono::year{2025} / 10 / 13}} + std::chrono::hours{7};
inline constexpr milliseconds ttl = minutes{30};

inline int completes(const quota_book& book, const cell_id& id) { return book.find(id)->completes; }
inline int in_progress(const quota_book& book, const cell_id& id) { return book.find(id)->in_progress; }

}  // namespace cati::core::quota_testing
