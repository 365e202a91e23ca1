// Sample released in replicates: the frame is split at random into replicates, each a small random sample
// of the whole frame, stratified by the frame's quota cells so that each replicate has the frame's mix of
// regions (and sectors); the fieldwork manager releases them one at a time and works each one out before
// the next. Rates are computed on released sample only (AAPOR: cases never released are not part of any
// denominator).
//
// Pure: no I/O, no clock. Deterministic by seed.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/calling/case_record.hpp"
#include "core/util/result.hpp"

namespace cati::core {

struct stratified_case {
  case_id id = 0;
  std::string stratum;  // the case's values of the stratifying variables, joined ("VLA|1")
};

// Replicate 1..count per case. Within each stratum (in stratum order) the cases are shuffled with `seed`
// and dealt to the replicates in turn, the deal carrying on from one stratum to the next: every replicate
// gets its share of every stratum (up to one case), and replicate sizes differ by at most one. Refused for
// count < 1 or more replicates than cases.
result<std::map<case_id, int>> assign_replicates(std::span<const stratified_case> cases, int count, std::uint64_t seed);

// The stratum of a case: its frame values for `variables`, joined by '|' ("" for a missing value).
std::string stratum_of(const case_record& c, std::span<const std::string> variables);

}  // namespace cati::core
