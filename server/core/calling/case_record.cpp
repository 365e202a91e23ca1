#include "core/calling/case_record.hpp"

#include <algorithm>
#include <set>

namespace cati::core {

contact_kind contact_of(outcome o) {
  switch (o) {
    case outcome::unspecified:  // a call with no recorded outcome tells nothing about the firm
    case outcome::busy:
    case outcome::no_answer:
    case outcome::answering_machine:
    case outcome::answering_machine_message:
    case outcome::call_blocked:
    case outcome::technical_problem:
      return contact_kind::none;
    case outcome::fax_modem:
    case outcome::disconnected:
    case outcome::wrong_number:
      return contact_kind::dead_number;
    case outcome::appointment:
    case outcome::callback:
    case outcome::refusal_receptionist:
    case outcome::refusal_target:
    case outcome::soft_refusal:
    case outcome::not_eligible:
    case outcome::over_quota:
    case outcome::complete:
    case outcome::break_off:
    case outcome::language_problem:
    case outcome::unavailable:
      return contact_kind::human;
  }
  return contact_kind::none;
}

int number_of(const call_attempt& c) { return std::max(0, c.number); }

bool every_number_dead(const case_record& c, time_point at) {
  std::set<int> dead;
  for (const auto& call : c.calls)
    if (call.at <= at && contact_of(call.result) == contact_kind::dead_number) dead.insert(number_of(call));
  return static_cast<int>(dead.size()) >= std::max(1, c.numbers);
}

}  // namespace cati::core
