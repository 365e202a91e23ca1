// Sample released in replicates, as `cati sample release` and `cati sim`'s fieldwork manager both do it:
// the split of the cases never called into replicates (stratified by the quotas' frame variables,
// core/sample/replicates.hpp), a release, and each replicate's progress (worked out, callable, completes)
// planned as the scheduler plans the released cases.
//
// Thread-safety: none; each call opens what it needs and closes it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/ports/clock.hpp"
#include "core/questionnaire/questionnaire.hpp"

namespace cati::tool {

struct split_result {
  int cases = 0;                        // cases put in a replicate
  std::vector<std::string> stratified;  // the frame variables of the strata
};
// Splits every case of `db` never called into `count` replicates at random (`seed`). Throws
// std::runtime_error (store_error) when refused: replicates exist already, more replicates than cases.
split_result split_replicates(const std::filesystem::path& db, const core::questionnaire& study, int count,
                              std::uint64_t seed);

// Releases replicate `which` at `at`; nullopt `which`: the lowest not yet released. Returns the replicate
// released. Throws std::runtime_error when there is none left or the store refuses.
int release_replicate(const std::filesystem::path& db, std::optional<int> which, core::time_point at);

struct replicate_progress {
  int replicate = 0;
  int cases = 0;
  std::optional<core::time_point> released_at;  // nullopt: replicate 0 (as imported) or not released
  bool released = false;
  int called = 0;      // cases dialled at least once (released replicates only)
  int worked_out = 0;  // finalised by the call rules (released replicates only)
  int callable = 0;    // still to be called (released replicates only)
  int completes = 0;
  int attempts = 0;    // calls made to its cases
};
// Every replicate of `db` (replicate 0 too when it holds cases), by replicate. Reads only: the file is
// never created, migrated nor written (an older one is read through an upgraded temporary copy).
std::vector<replicate_progress> replicate_progress_of(const std::filesystem::path& db, const core::questionnaire& study);

}  // namespace cati::tool
