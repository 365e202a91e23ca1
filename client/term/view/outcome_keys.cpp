#include "term/view/outcome_keys.hpp"

#include <array>

namespace cati::term {

namespace {

// Letters chosen for the word the interviewer thinks of; upper case for the rarer variant.
constexpr std::array call_keys{
    outcome_key{U'b', v1::BUSY, "busy", "busy", false},
    outcome_key{U'a', v1::NO_ANSWER, "no answer", "no answer", false},
    outcome_key{U'm', v1::ANSWERING_MACHINE, "machine", "answering machine", false},
    outcome_key{U'M', v1::ANSWERING_MACHINE_MESSAGE, "machine+msg", "machine, message left", false},
    outcome_key{U'c', v1::CALLBACK, "call back", "call back (not the right person)", false},
    outcome_key{U'p', v1::APPOINTMENT, "appointment", "appointment (date/time)", false},
    outcome_key{U's', v1::SOFT_REFUSAL, "soft refusal", "soft refusal (not now)", false},
    outcome_key{U'r', v1::REFUSAL_RECEPTIONIST, "refusal recep.", "refusal (receptionist)", true},
    outcome_key{U't', v1::REFUSAL_TARGET, "refusal target", "refusal (target person)", true},
    outcome_key{U'd', v1::DISCONNECTED, "disconnected", "disconnected number", true},
    outcome_key{U'w', v1::WRONG_NUMBER, "wrong number", "wrong number", true},
    outcome_key{U'f', v1::FAX_MODEM, "fax", "fax / modem", true},
    outcome_key{U'l', v1::LANGUAGE_PROBLEM, "language", "language problem", true},
    outcome_key{U'u', v1::UNAVAILABLE, "unavailable", "unavailable all fieldwork", true},
    outcome_key{U'e', v1::NOT_ELIGIBLE, "not eligible", "not eligible", true},
    outcome_key{U'k', v1::CALL_BLOCKED, "blocked", "call blocked", false},
    outcome_key{U'x', v1::TECHNICAL_PROBLEM, "technical", "technical problem", false},
};

constexpr std::array interview_keys{
    suspend_key{5, v1::APPOINTMENT, "appointment (date/time)", false},
    suspend_key{6, v1::BREAK_OFF, "break-off", true},
    suspend_key{7, v1::SOFT_REFUSAL, "soft refusal", true},
    suspend_key{8, v1::REFUSAL_TARGET, "refusal", true},
};

}  // namespace

std::span<const outcome_key> call_outcome_keys() { return call_keys; }

const outcome_key* call_outcome_for(char32_t letter) {
  for (const auto& k : call_keys)
    if (k.letter == letter) return &k;
  return nullptr;
}

std::span<const suspend_key> suspend_keys() { return interview_keys; }

const suspend_key* suspend_for(int function) {
  for (const auto& k : interview_keys)
    if (k.function == function) return &k;
  return nullptr;
}

}  // namespace cati::term
