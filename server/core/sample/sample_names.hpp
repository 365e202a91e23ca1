// Fictitious names for synthetic sample frames: companies (coined words, sector words, surnames and a
// Belgian legal form) and contact persons, in Dutch or French flavour. Used by sample_generate only.
//
// Pure functions of the generator's state: thread-safe with one generator per thread.
#pragma once

#include <string>
#include <string_view>

#include "core/util/splitmix64.hpp"

namespace cati::core::synthetic {

// `sector` is services, commerce or industry; `language` nl or fr.
std::string company_name(splitmix64& rng, std::string_view sector, std::string_view language);
std::string person_name(splitmix64& rng, std::string_view language);

}  // namespace cati::core::synthetic
