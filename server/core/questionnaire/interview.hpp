// The state of one interview, and its saved form.
//
// `interview_state` is a plain value: the engine reads and changes it, the caller owns it (one per
// interview, not shared between threads). `saved_interview` is what the store keeps: answers in their
// text form plus where the interview stands; engine::restore rebuilds the state from it by replaying the
// answers, so a restarted server resumes at the same screen.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/calling/outcome.hpp"
#include "core/util/result.hpp"
#include "core/expr/value.hpp"

namespace cati::core {

using answer_map = std::map<std::string, value, std::less<>>;
// The case's sample-frame values by variable name, as loaded from the frame file (text).
using frame_values = std::map<std::string, std::string, std::less<>>;

enum class interview_status {
  in_progress,  // questions()[current] is on screen
  quota_check,  // questions()[current] was just answered; waiting for engine::quota_decision
  finished,     // ended: `result` says how; `current` is the question that ended it, or the count when complete
};

std::string_view to_string(interview_status s);
std::optional<interview_status> interview_status_from_string(std::string_view name);

// The value of one quota variable for this interview, spelled as quota cells spell it (frame text, or
// value::to_string of the answer: "2" for a single-choice code).
struct quota_value {
  std::string variable;
  std::string value;
  bool operator==(const quota_value&) const = default;
};

struct interview_state {
  // From the case, fixed for the interview.
  frame_values frame;
  std::uint64_t seed = 0;  // randomised choice orders derive from it

  // The record. Only questions that were asked and are still relevant have an entry; an empty value
  // means "asked, left unanswered" (a skipped optional question). Notes are shown but not recorded.
  answer_map answers;
  std::size_t current = 0;  // index into questionnaire::questions
  interview_status status = interview_status::in_progress;
  outcome result = outcome::unspecified;       // when finished
  std::optional<std::size_t> screen_out_rule;  // when a screen-out ended it: index into its screen_outs
  // The quota variable values that the granted quota check was for (the lease the store holds).
  std::optional<std::vector<quota_value>> quota_granted;

  bool operator==(const interview_state&) const = default;
};

// What the store keeps of an interview (besides the case's frame values and seed).
struct saved_interview {
  std::vector<std::pair<std::string, std::string>> answers;  // name, value::to_string(), question order
  std::string current;  // the question on screen / that ended it; "" when complete
  interview_status status = interview_status::in_progress;
  outcome result = outcome::unspecified;
  std::optional<std::vector<quota_value>> quota_granted;

  bool operator==(const saved_interview&) const = default;
};

// A line-based text form of a saved interview, for stores that keep one blob per interview:
//   cati-interview 1 / status <s> / current <name> / outcome <o> / quota-granted /
//   quota-value <variable> <value> / answer <name> <value>
// Values are escaped (\\, \n, \r) so free-text answers survive on one line.
std::string to_text(const saved_interview& saved);
result<saved_interview> saved_interview_from_text(std::string_view text);

}  // namespace cati::core
