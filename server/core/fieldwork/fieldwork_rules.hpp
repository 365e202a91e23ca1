// The fieldwork's closed state machine: the states a case, a call and an interview can be in (as the
// requesting user sees them), and the one table of which request is allowed in which state by which role.
// Every interviewer request is checked against it before it changes anything; whatever the table does
// not allow is refused with a typed fault that says what and where, and changes nothing. The table is
// printed in docs/protocol.md ("The state machine"); a test keeps the two equal (rules_markdown()).
//
// The checks the table cannot express (ownership of an interview, sequence numbers, request-id repeats,
// the answer's own validity) stay in the request handlers; they run in this order: a repeat of an
// applied request (by request id, or by (interview, seq)) gets its original reply whatever the state is
// now, and only a fresh request meets the table. So a resent CallResult after the case went final still
// gets CallRecorded, while a new one is refused.
//
// Pure, no state of its own: the fieldwork service derives a `situation` and asks `refusal()`.
// Thread-safety: everything here is immutable or a pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/calling/outcome.hpp"
#include "core/fieldwork/fieldwork.hpp"

namespace cati::core {

// The requests the state machine governs (the interviewer's requests, and the supervisor's quota actions).
enum class fieldwork_request { next_case, call_result, start_interview, answer, back, suspend, set_language, quota_action };
inline constexpr int fieldwork_request_count = 8;

// The case, as the requesting user sees it.
enum class case_phase {
  none,           // the request names no case (NextCase without a held case, QuotaAction)
  available,      // not held by anybody, not final
  held,           // held by the requesting user
  held_elsewhere, // held by another user
  final_,         // finished by a final outcome (complete, refusal, dead numbers ...): it stays final
};
// The requesting user's call on that case: what they are doing on the line.
enum class call_phase {
  none,          // no call: the user does not hold the case
  dialling,      // the user holds the case and no interview is running on it: a call result ends the call
  interviewing,  // an interview is running on the case: the interview's end ends the call
};
// The interview the request is about (for Answer/Back/Suspend/SetLanguage the one named; for
// StartInterview the one open on the case; for CallResult the one open on the case).
enum class interview_phase {
  none,       // no open interview
  active,     // open and running, owned by the requesting user
  abandoned,  // open and running, owned by another interviewer who no longer holds its case
  suspended,  // broken off or put off by an appointment: StartInterview on its case resumes it
  ended,      // closed (complete, over quota, refused ...)
};

struct situation {
  user_role role = user_role::interviewer;
  case_phase case_ = case_phase::none;
  call_phase call = call_phase::none;
  interview_phase interview = interview_phase::none;
  case_id case_id_ = 0;          // for the messages
  interview_id interview_id_ = 0;
  std::string final_outcome;     // when final_: the outcome that finished it
};

// A set of states, as bits of the enum's values.
template <class E>
constexpr std::uint32_t bit(E e) {
  return 1u << static_cast<unsigned>(e);
}
template <class... E>
constexpr std::uint32_t bits(E... e) {
  return (bit(e) | ... | 0u);
}

// One row of the table: the request is allowed when the role and each state are in the row's sets.
struct request_rule {
  fieldwork_request request;
  std::uint32_t roles;
  std::uint32_t cases;
  std::uint32_t calls;
  std::uint32_t interviews;
};

// The table, one row per request, in fieldwork_request order.
std::span<const request_rule> request_rules();

// Why `r` is refused in `s` (the first dimension violated: role, then case, call, interview), or nullopt
// when the table allows it.
std::optional<fault> refusal(fieldwork_request r, const situation& s);

// The role part of refusal() alone: it depends on no state, so handlers check it before they look
// anything up (a supervisor's Answer is forbidden, not "not your case").
std::optional<fault> role_refusal(fieldwork_request r, user_role role);

// The table as the Markdown printed in docs/protocol.md.
std::string rules_markdown();

std::string_view to_string(fieldwork_request r);
std::string_view to_string(case_phase s);
std::string_view to_string(call_phase s);
std::string_view to_string(interview_phase s);

// --- the wire's values that must fit -------------------------------------------------------------------

// A sequence number as sent (the wire field is 64 bits wide so that a number that does not fit 32 bits
// is seen, not truncated): 1 .. 2^32-1, else a malformed fault. 0 is never a sequence number (they
// start at 1), so it is never taken for a repeat.
result<std::uint32_t, fault> sequence_number(std::uint64_t wire);
// An interview id in its text form: decimal digits only, no sign, no blanks, no leading zero, at least 1
// and within 63 bits (" 1", "01", "+1", "1e3" are refused).
std::optional<interview_id> parse_interview_id(std::string_view text);
// Whether an outcome number sent on the wire is one this server knows (an unknown number is refused as
// unknown, not read as "unspecified").
bool known_outcome(int wire);

}  // namespace cati::core
