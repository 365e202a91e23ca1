// Writing an export_dataset (core/report/export_model.hpp) as an SPSS .sav or a Stata .dta file through ReadStat.
//
// SPSS: numeric variables are F<w>.<d> (DATETIME20 for times, seconds since 1582-10-14), text A<w>;
// value labels, measure levels, and the missing codes (-2 no answer, -1 not asked, the don't-know choice
// codes) as user-missing values: up to three discrete values, else the range -2..-1 plus one value.
// Stata: times %tc (milliseconds since 1960), codes %9.0g with value labels; not asked is .a, no answer
// .b, the missing choices .c, .d, ... in code order, each labelled.
// The file's timestamp is the one given, so the same data gives the same bytes.
#pragma once

#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "core/report/export_model.hpp"

namespace cati::tool {

enum class stat_format { sav, dta };

// Writes `data` to `path` (replacing it). Returns warnings (what a format could not hold, e.g. more
// missing codes than SPSS declares); throws std::runtime_error naming the variable or ReadStat's error.
std::vector<std::string> write_stat_file(const core::export_dataset& data, stat_format format,
                                         const std::filesystem::path& path, std::time_t timestamp);

}  // namespace cati::tool
