// The order in which a question's choices are read out for one case. Randomised questions are shuffled
// with our own PRNG (FNV-1a, core/util/splitmix64.hpp, Fisher-Yates) rather than std::shuffle/std::hash, whose results
// differ between standard libraries: the same case sees the same order on every server and after a
// restart, and exports can reproduce it.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/questionnaire/questionnaire.hpp"

namespace cati::core {

// 64-bit FNV-1a of the bytes of `text`.
std::uint64_t fnv1a64(std::string_view text);

// A stable per-case seed from a case or respondent id (for callers whose ids are not numbers).
inline std::uint64_t stable_seed(std::string_view case_id) { return fnv1a64(case_id); }

// Whether a choice stays where the author put it when the list is randomised: missing codes, choices
// marked `fixed`, and "other" choices with a `specify` follow-up.
bool keeps_place(const choice& c);

// Indices into q.choices in the order to show them for the case with `case_seed`: the author's order
// unless q.randomize, else the movable choices shuffled among their own slots.
std::vector<std::size_t> choice_order(const question& q, std::uint64_t case_seed);

}  // namespace cati::core
