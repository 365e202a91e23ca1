// Synthetic sample frames of fictitious Belgian small firms, for demos, tests and the simulator.
//
// Mixes: region VLA/WAL/BRU about 58/31/11; sector services/commerce/industry about 45/28/27; size in
// FTE mostly 1-20 with about 8 % over 20 (up to 150, so screening happens); language nl in Flanders,
// fr in Wallonia, Brussels about 70 % fr / 30 % nl. Company and person names are built from syllables
// and word lists, phone numbers are random subscriber numbers behind plausible area codes for the
// region (or a 47x mobile prefix), unique within the frame; about 15 % of firms have two numbers.
// Nothing refers to a real firm. The output depends only on the options (same seed, same frame).
//
// Pure functions: thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/questionnaire/questionnaire.hpp"
#include "core/util/result.hpp"

namespace cati::core {

struct generate_options {
  int count = 0;
  std::uint64_t seed = 0;
  std::string id_prefix = "F";  // firm ids are the prefix and a 6-digit number
  int first_number = 1;         // so that a second frame can continue the numbering
};

struct generated_firm {
  std::string firm_id;
  std::string company;
  std::vector<std::string> phones;
  std::string contact_name;  // empty for about 10 % of firms
  std::string region;        // VLA, WAL, BRU
  std::string sector;        // services, commerce, industry
  int fte = 0;
  std::string language;  // nl, fr
};

std::vector<generated_firm> generate_firms(const generate_options& options);

// The frame as CSV for `study`: firm_id, then the study's frame variables in its order. The study must
// have the variables this generator knows (company, phone, contact_name, region, sector_frame,
// fte_frame, language) with the codes it uses; any other variable must be optional (left empty).
result<std::string> generate_sample_csv(const questionnaire& study, const generate_options& options);

}  // namespace cati::core
