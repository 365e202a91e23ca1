#include "core/calling/disposition.hpp"

#include <array>

namespace cati::core {
namespace {

struct code_info {
  std::string_view text;
  std::string_view description;
  aapor_group group;
  int precedence;
};

// Indexed by aapor_code. Precedence levels: see the header; within a level, sub-ranks order the codes.
constexpr std::array<code_info, aapor_code_count> codes = {{
    {"1.1", "complete interview", aapor_group::interview, 810},
    {"1.2", "partial interview", aapor_group::partial, 800},
    {"2.11", "refusal (soft, refuser not recorded)", aapor_group::refusal, 600},
    {"2.111", "refusal by someone other than the target (receptionist)", aapor_group::refusal, 610},
    {"2.112", "refusal by the target person", aapor_group::refusal, 620},
    {"2.12", "break-off", aapor_group::refusal, 630},
    {"2.21", "target person never available (callback, appointment)", aapor_group::non_contact, 400},
    {"2.221", "answering machine at an eligible firm, message left", aapor_group::non_contact, 400},
    {"2.222", "answering machine at an eligible firm, no message left", aapor_group::non_contact, 400},
    {"2.33", "language problem", aapor_group::other, 500},
    {"2.35", "target away for the whole field period", aapor_group::other, 500},
    {"3.11", "never attempted", aapor_group::unknown_household, 0},
    {"3.12", "always busy", aapor_group::unknown_household, 130},
    {"3.13", "no answer", aapor_group::unknown_household, 140},
    {"3.14", "answering machine, eligibility unknown", aapor_group::unknown_household, 160},
    {"3.15", "call blocking", aapor_group::unknown_household, 150},
    {"3.16", "technical phone problems", aapor_group::unknown_household, 120},
    {"3.90", "unknown eligibility, other (a dead number of several)", aapor_group::unknown_other, 110},
    {"4.10", "out of sample (wrong number: not the firm)", aapor_group::not_eligible, 300},
    {"4.20", "fax or data line", aapor_group::not_eligible, 300},
    {"4.30", "non-working or disconnected number", aapor_group::not_eligible, 300},
    {"4.70", "not eligible (screened out: over 20 FTE)", aapor_group::not_eligible, 700},
    {"4.80", "quota filled", aapor_group::not_eligible, 700},
}};

const code_info& info(aapor_code c) { return codes[static_cast<std::size_t>(c)]; }

}  // namespace

std::string_view code_text(aapor_code c) { return info(c).text; }
std::string_view describe(aapor_code c) { return info(c).description; }
aapor_group group_of(aapor_code c) { return info(c).group; }
int precedence(aapor_code c) { return info(c).precedence; }

aapor_group group_of(aapor_code c, const eligibility_rules& rules) {
  if (c == aapor_code::quota_filled && rules.quota_filled == quota_filled_rule::eligible) return aapor_group::other;
  if (is_dead_number(c) && rules.dead_number == dead_number_rule::unknown) return aapor_group::unknown_household;
  return group_of(c);
}

std::string_view to_string(quota_filled_rule r) { return r == quota_filled_rule::eligible ? "eligible" : "not-eligible"; }
std::string_view to_string(dead_number_rule r) { return r == dead_number_rule::unknown ? "unknown" : "not-eligible"; }
std::optional<quota_filled_rule> quota_filled_rule_from(std::string_view s) {
  if (s == "eligible") return quota_filled_rule::eligible;
  if (s == "not-eligible") return quota_filled_rule::not_eligible;
  return std::nullopt;
}
std::optional<dead_number_rule> dead_number_rule_from(std::string_view s) {
  if (s == "unknown") return dead_number_rule::unknown;
  if (s == "not-eligible") return dead_number_rule::not_eligible;
  return std::nullopt;
}

std::string_view group_text(aapor_group g) {
  constexpr std::array<std::string_view, aapor_group_count> names = {"I", "P", "R", "NC", "O", "UH", "UO", "NE"};
  return names[static_cast<std::size_t>(g)];
}

aapor_code code_of(outcome o, bool known_eligible, bool message_left) {
  switch (o) {
    case outcome::complete: return aapor_code::complete;
    case outcome::refusal_receptionist: return aapor_code::refusal_other;
    case outcome::refusal_target: return aapor_code::refusal_target;
    case outcome::soft_refusal: return aapor_code::refusal;
    case outcome::break_off: return aapor_code::break_off;
    case outcome::appointment:
    case outcome::callback: return aapor_code::never_available;
    case outcome::answering_machine:
    case outcome::answering_machine_message:
      if (!known_eligible) return aapor_code::answering_machine;
      return message_left ? aapor_code::machine_message : aapor_code::machine_no_message;
    case outcome::language_problem: return aapor_code::language_problem;
    case outcome::unavailable: return aapor_code::away;
    case outcome::busy: return aapor_code::always_busy;
    case outcome::no_answer: return aapor_code::no_answer;
    case outcome::call_blocked: return aapor_code::call_blocking;
    case outcome::technical_problem: return aapor_code::technical_problem;
    case outcome::unspecified: return aapor_code::unknown_other;
    case outcome::wrong_number: return aapor_code::out_of_sample;
    case outcome::fax_modem: return aapor_code::fax;
    case outcome::disconnected: return aapor_code::non_working;
    case outcome::not_eligible: return aapor_code::screened_out;
    case outcome::over_quota: return aapor_code::quota_filled;
  }
  return aapor_code::unknown_other;
}

aapor_code code_of(const call_attempt& c, bool known_eligible, bool message_left) {
  if (c.result == outcome::break_off && c.partial) return aapor_code::partial;
  return code_of(c.result, known_eligible, message_left);
}

bool is_dead_number(aapor_code c) {
  return c == aapor_code::out_of_sample || c == aapor_code::fax || c == aapor_code::non_working;
}

disposition final_disposition(std::span<const call_attempt> calls, time_point at) {
  case_record c;
  c.calls.assign(calls.begin(), calls.end());
  return final_disposition(c, at);
}

disposition final_disposition(const case_record& record, time_point at) {
  const auto& calls = record.calls;
  const bool firm_unreachable = every_number_dead(record, at);
  // Eligibility and messages are facts about the case as a whole (up to `at`), not about one call: an
  // answering machine heard before anyone answered still counts as reaching an eligible firm.
  bool known_eligible = false, message_left = false;
  for (const auto& c : calls) {
    if (c.at > at) continue;
    known_eligible = known_eligible || contact_of(c.result) == contact_kind::human;
    message_left = message_left || c.result == outcome::answering_machine_message;
  }
  disposition best;
  std::optional<time_point> best_at;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const auto& c = calls[i];
    if (c.at > at) continue;
    aapor_code code = code_of(c, known_eligible, message_left);
    // Another number may still reach the firm: this one says nothing about it (lowest unknown rank).
    if (is_dead_number(code) && !firm_unreachable) code = aapor_code::unknown_other;
    const bool later = !best_at || c.at >= *best_at;
    if (!best.decisive || precedence(code) > precedence(best.code) ||
        (precedence(code) == precedence(best.code) && later)) {
      best = {code, i};
      best_at = c.at;
    }
  }
  return best;
}

}  // namespace cati::core
