// Call and interview outcomes. The numbering matches cati.v1.Outcome in proto/cati/v1/questionnaire.proto
// (the mapping layers convert by value; a static_assert in server/schema keeps the two in step).
#pragma once

#include <optional>
#include <string_view>

namespace cati::core {

enum class outcome {
  unspecified = 0,
  busy = 1,
  no_answer = 2,
  answering_machine = 3,
  answering_machine_message = 4,
  fax_modem = 5,
  disconnected = 6,
  wrong_number = 7,
  appointment = 8,
  callback = 9,
  refusal_receptionist = 10,
  refusal_target = 11,
  soft_refusal = 12,
  not_eligible = 13,
  over_quota = 14,
  complete = 15,
  break_off = 16,
  language_problem = 17,
  unavailable = 18,
  call_blocked = 19,
  technical_problem = 20,
};
inline constexpr int outcome_count = 21;

// Stable lower-case names ("busy", "refusal_target"), used on the command line, in reports and storage.
std::string_view to_string(outcome o);
std::optional<outcome> outcome_from_string(std::string_view name);

}  // namespace cati::core
