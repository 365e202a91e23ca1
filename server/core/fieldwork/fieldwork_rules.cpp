// The state machine's table and its refusals (fieldwork_rules.hpp), and the wire values that must fit.
#include "core/fieldwork/fieldwork_rules.hpp"

#include <array>
#include <charconv>
#include <limits>

namespace cati::core {
namespace {

using cs = case_phase;
using ls = call_phase;  // the line
using is = interview_phase;

constexpr std::uint32_t interviewers = bit(user_role::interviewer);
constexpr std::uint32_t supervisors = bits(user_role::supervisor, user_role::admin);

// The table. Read a row as: <request> is allowed for <roles> when the case is in <cases>, the call in
// <calls> and the interview in <interviews>. Why each row is what it is:
// - NextCase passes by a held case (releasing it) but never an interview running on it (the call is
//   `interviewing`); once the lock lapsed (the terminal was away) the interviewer may take another case,
//   and finds the interview again when they come back (resume).
// - CallResult ends a call on a held case that is not final and has no interview running on it (the
//   interview's own end records its call): a final outcome stays final, and an interview is never left
//   open behind a call result.
// - StartInterview opens one on a held case, resumes a suspended one (whoever suspended it), gives the
//   screen of the user's own running one, or takes over one left running by an interviewer who lost the
//   case (its lock lapsed and the case was handed to this user): the takeover moves it, it is never
//   answered by two. No call result on such a case: the interview is never left open behind one.
// - Answer, Back and Suspend go on with the user's own running interview only: not a suspended one (it is
//   resumed first), not an ended one. Its case is held by the user, or free (the lock lapsed while the
//   terminal was away: it is taken again).
// - SetLanguage as Answer, and on an ended interview it changes nothing (an ended interview stands for
//   no case any more: its case is `none`).
// - QuotaAction is the supervisors' and concerns no case.
constexpr std::array<request_rule, fieldwork_request_count> table{{
    {fieldwork_request::next_case, interviewers, bits(cs::none, cs::held, cs::available, cs::held_elsewhere, cs::final_), bits(ls::none, ls::dialling),
     bits(is::none, is::active, is::abandoned, is::suspended, is::ended)},
    {fieldwork_request::call_result, interviewers, bits(cs::held), bits(ls::dialling), bits(is::none, is::suspended)},
    {fieldwork_request::start_interview, interviewers, bits(cs::held), bits(ls::dialling, ls::interviewing),
     bits(is::none, is::active, is::abandoned, is::suspended)},
    {fieldwork_request::answer, interviewers, bits(cs::held, cs::available), bits(ls::none, ls::interviewing), bits(is::active)},
    {fieldwork_request::back, interviewers, bits(cs::held, cs::available), bits(ls::none, ls::interviewing), bits(is::active)},
    {fieldwork_request::suspend, interviewers, bits(cs::held, cs::available), bits(ls::none, ls::interviewing), bits(is::active)},
    {fieldwork_request::set_language, interviewers, bits(cs::none, cs::held, cs::available), bits(ls::none, ls::dialling, ls::interviewing),
     bits(is::active, is::ended)},
    {fieldwork_request::quota_action, supervisors, bits(cs::none), bits(ls::none), bits(is::none)},
}};

template <class E, int N>
std::string names(std::uint32_t set) {
  std::string out;
  for (int i = 0; i < N; ++i)
    if (set & (1u << i)) {
      if (!out.empty()) out += ", ";
      out += to_string(static_cast<E>(i));
    }
  return out;
}

std::string case_text(const situation& s) { return "case " + std::to_string(s.case_id_); }
std::string interview_text(const situation& s) { return "interview " + std::to_string(s.interview_id_); }

fault interview_refusal(fieldwork_request r, const situation& s) {
  switch (s.interview) {
    case is::active:
      return {fault_code::invalid_request,
              interview_text(s) + " is still open on " + case_text(s) + ": finish or suspend it first"};
    case is::abandoned:
      return {fault_code::not_your_case,
              interview_text(s) + " on " + case_text(s) + " is open on another interviewer's terminal"};
    case is::suspended:
      return {fault_code::invalid_request,
              interview_text(s) + " is suspended: StartInterview on " + case_text(s) + " resumes it"};
    case is::ended: return {fault_code::invalid_request, interview_text(s) + " has ended"};
    case is::none: break;
  }
  if (r == fieldwork_request::quota_action) return {fault_code::invalid_request, "a quota action concerns no interview"};
  return {fault_code::not_your_case, interview_text(s) + " is not yours"};
}

fault case_refusal(fieldwork_request r, const situation& s) {
  switch (s.case_) {
    case cs::final_:
      return {fault_code::invalid_request,
              case_text(s) + " is final (" + s.final_outcome + "): no more calls or interviews on it"};
    case cs::held_elsewhere:
    case cs::available: return {fault_code::not_your_case, case_text(s) + " is not held by you"};
    case cs::none:
      if (r == fieldwork_request::quota_action) break;
      return {fault_code::not_your_case, case_text(s) + " is not held by you"};
    case cs::held: break;
  }
  return {fault_code::invalid_request, std::string(to_string(r)) + " concerns no case"};
}

fault call_refusal(fieldwork_request r, const situation& s) {
  if (s.call == ls::interviewing)
    return {fault_code::invalid_request,
            interview_text(s) + " is still open on " + case_text(s) + ": finish or suspend it first"};
  return {fault_code::not_your_case, case_text(s) + " is not held by you: " + std::string(to_string(r)) +
                                         " needs a call on it"};
}

}  // namespace

std::span<const request_rule> request_rules() { return table; }

std::optional<fault> role_refusal(fieldwork_request r, user_role role) {
  const auto& rule = table[static_cast<std::size_t>(r)];
  if (rule.roles & bit(role)) return std::nullopt;
  const bool for_supervisors = rule.roles == supervisors;
  return fault{fault_code::forbidden, std::string(to_string(r)) + " needs the " +
                                          (for_supervisors ? "supervisor role" : "interviewer role") + "; " +
                                          std::string(to_string(role)) + "s may not send it"};
}

std::optional<fault> refusal(fieldwork_request r, const situation& s) {
  const auto& rule = table[static_cast<std::size_t>(r)];
  if (auto no = role_refusal(r, s.role)) return no;
  // The interview first: its state says most precisely why (an answer to an ended interview "has ended",
  // not "the case is final").
  if (!(rule.interviews & bit(s.interview))) return interview_refusal(r, s);
  if (!(rule.cases & bit(s.case_))) return case_refusal(r, s);
  if (!(rule.calls & bit(s.call))) return call_refusal(r, s);
  return std::nullopt;
}

std::string rules_markdown() {
  std::string out =
      "| request | roles | case | call | interview |\n"
      "| --- | --- | --- | --- | --- |\n";
  for (const auto& rule : table) {
    out += "| `" + std::string(to_string(rule.request)) + "` | " + names<user_role, 3>(rule.roles) + " | " +
           names<case_phase, 5>(rule.cases) + " | " + names<call_phase, 3>(rule.calls) + " | " +
           names<interview_phase, 5>(rule.interviews) + " |\n";
  }
  return out;
}

std::string_view to_string(fieldwork_request r) {
  switch (r) {
    case fieldwork_request::next_case: return "NextCase";
    case fieldwork_request::call_result: return "CallResult";
    case fieldwork_request::start_interview: return "StartInterview";
    case fieldwork_request::answer: return "Answer";
    case fieldwork_request::back: return "Back";
    case fieldwork_request::suspend: return "Suspend";
    case fieldwork_request::set_language: return "SetLanguage";
    case fieldwork_request::quota_action: return "QuotaAction";
  }
  return "?";
}

std::string_view to_string(case_phase s) {
  switch (s) {
    case cs::none: return "none";
    case cs::available: return "available";
    case cs::held: return "held";
    case cs::held_elsewhere: return "held_elsewhere";
    case cs::final_: return "final";
  }
  return "?";
}

std::string_view to_string(call_phase s) {
  switch (s) {
    case call_phase::none: return "none";
    case ls::dialling: return "dialling";
    case ls::interviewing: return "interviewing";
  }
  return "?";
}

std::string_view to_string(interview_phase s) {
  switch (s) {
    case interview_phase::none: return "none";
    case is::active: return "active";
    case is::abandoned: return "abandoned";
    case is::suspended: return "suspended";
    case is::ended: return "ended";
  }
  return "?";
}

result<std::uint32_t, fault> sequence_number(std::uint64_t wire) {
  if (wire == 0) return fault{fault_code::malformed, "seq 0: sequence numbers start at 1"};
  if (wire > std::numeric_limits<std::uint32_t>::max())
    return fault{fault_code::malformed, "seq " + std::to_string(wire) + " does not fit 32 bits"};
  return static_cast<std::uint32_t>(wire);
}

std::optional<interview_id> parse_interview_id(std::string_view text) {
  if (text.empty() || text.front() < '1' || text.front() > '9') return std::nullopt;  // no sign, blank, 0
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  if (v > static_cast<std::uint64_t>(std::numeric_limits<interview_id>::max())) return std::nullopt;
  return static_cast<interview_id>(v);
}

bool known_outcome(int wire) { return wire >= 0 && wire < outcome_count; }

}  // namespace cati::core
