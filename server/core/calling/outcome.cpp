#include "core/calling/outcome.hpp"

#include <array>

namespace cati::core {
namespace {
constexpr std::array<std::string_view, outcome_count> names = {
    "unspecified",      "busy",           "no_answer",
    "answering_machine", "answering_machine_message", "fax_modem",
    "disconnected",     "wrong_number",   "appointment",
    "callback",         "refusal_receptionist", "refusal_target",
    "soft_refusal",     "not_eligible",   "over_quota",
    "complete",         "break_off",      "language_problem",
    "unavailable",      "call_blocked",   "technical_problem",
};
}  // namespace

std::string_view to_string(outcome o) {
  auto i = static_cast<std::size_t>(o);
  return i < names.size() ? names[i] : "unspecified";
}

std::optional<outcome> outcome_from_string(std::string_view name) {
  for (std::size_t i = 1; i < names.size(); ++i)
    if (names[i] == name) return static_cast<outcome>(i);
  return std::nullopt;
}

}  // namespace cati::core
