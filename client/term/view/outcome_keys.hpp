// The keys an interviewer codes a call with, on the case screen (one letter per outcome) and during an
// interview (function keys that suspend it). One table, read by the key handling and the help screen,
// so a key and its label cannot drift apart.
#pragma once

#include <span>
#include <string_view>

#include "cati/v1/questionnaire.pb.h"

namespace cati::term {

struct outcome_key {
  char32_t letter = 0;     // case screen
  v1::Outcome outcome = v1::OUTCOME_UNSPECIFIED;
  std::string_view brief;  // on the case screen: "busy", "refus.target"
  std::string_view label;  // in messages and the help screen: "refusal (target person)"
  bool final = false;      // closes the case: asks for a confirmation first
};

// Case screen: every call outcome an interviewer records by hand (not complete, over quota, break-off:
// those come from the interview). APPOINTMENT opens the date/time entry.
std::span<const outcome_key> call_outcome_keys();
const outcome_key* call_outcome_for(char32_t letter);

struct suspend_key {
  int function = 0;  // F5, F6, ...
  v1::Outcome outcome = v1::OUTCOME_UNSPECIFIED;
  std::string_view label;
  bool confirm = false;
};

// Interview screen: the ways to stop an interview before its end (Suspend).
std::span<const suspend_key> suspend_keys();
const suspend_key* suspend_for(int function);

}  // namespace cati::term
