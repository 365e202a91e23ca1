// How far each released replicate is worked (core/sample/replicates.hpp): of its cases, how many were
// called, how many are worked out (finalised by the call rules, as the scheduler plans them) and how many
// are left to call, with its completes and call attempts. `cati quota`, `cati sample release`, the
// simulator's fieldwork manager and the supervisor page all count them here.
//
// Pure: no I/O, no clock. Thread-safe to call.
#pragma once

#include <span>
#include <vector>

#include "core/calling/calendar.hpp"
#include "core/calling/case_record.hpp"
#include "core/questionnaire/questionnaire.hpp"

namespace cati::core {

struct replicate_row {
  int replicate = 0;   // 0: the frame as imported
  int cases = 0;       // its cases (released ones: the caller hands released cases)
  int called = 0;      // called at least once
  int worked_out = 0;  // finalised: a final outcome, the attempts used up, or no calling time left
  int left = 0;        // still to call: cases - worked_out
  int completes = 0;
  int attempts = 0;    // calls made to its cases
};

// One row per replicate present in `cases`, by replicate.
std::vector<replicate_row> replicate_rows(std::span<const case_record> cases, const call_rules& rules,
                                          const calendar& cal);

}  // namespace cati::core
