// The checks `cati lint` runs on a parsed questionnaire, before it is mapped into the domain. Each
// problem becomes a diagnostic at file:line:col. Internal to server/schema (loader.cpp calls it).
#pragma once

#include <string>
#include <vector>

#include "cati/v1/questionnaire.pb.h"
#include "schema/loader.hpp"
#include "schema/source_map.hpp"

namespace cati::schema {

// Appends every problem of `q` to `out`. `root` locates fields; `src` locates offsets in strings.
void lint_questionnaire(const cati::v1::Questionnaire& q, const source_node& root, const source_text& src,
                        const std::string& file, std::vector<diagnostic>& out);

}  // namespace cati::schema
