// The seed study (schema/ai_barometer_2025), loaded once per fuzzing process: the questionnaire the
// expression, sample and fieldwork targets run against.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/questionnaire/questionnaire.hpp"

namespace cati::fuzz {

// The study folder in the source tree.
std::string seed_study_dir();
// Loaded on first use (aborts when it does not load: the fuzz run would be meaningless).
const std::shared_ptr<const core::questionnaire>& seed_study();

}  // namespace cati::fuzz

namespace cati::fuzz {

// Words worth putting in a request's string fields: the seed study's question names, codes and
// languages, quota names and cells, user names, interview ids (well and badly formed), times.
std::vector<std::string> protocol_words();

}  // namespace cati::fuzz
