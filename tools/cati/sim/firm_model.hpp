// How a firm of the frame behaves on the telephone: what happens when an interviewer dials it.
//
// Each firm's character is fixed the first time it is dialled, from the simulation seed and its firm id
// only (never from who calls it or when), and so is each later call's draw: its own generator advances
// once per call. Outcomes therefore do not depend on the order in which interviewers happen to reach it.
//
//   line       working 93 %, disconnected 4 %, wrong number 2 %, fax 1 %
//   reachable  the chance that someone picks up, per firm (10-60 %: small firms' owners are out); the rest: no answer, an answering
//              machine (one message left at most, as the call rules say), busy, now and then a blocked call
//   gatekeeper firms of 5 FTE and more usually have a receptionist who refuses (2.111), is asked to call
//              back, gives an appointment, or puts the call through
//   target     the owner/manager: refuses (2.112), says "not now" (soft refusal), asks for an
//              appointment, is away for the fortnight, or agrees (then the interview starts)
//   interview  the first person may not be a decision maker (s1 = 2: the server calls back); break-offs
//              happen; appointments are kept three times in four; a resumed interview usually goes on.
// Durations are what the call takes on the line, in seconds.
//
// Pure: no I/O.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "cati/v1/questionnaire.pb.h"
#include "core/util/splitmix64.hpp"
#include "sim/respondent_model.hpp"

namespace cati::tool::sim {

// What the interviewer sees on the case card that matters to the call.
struct dial_context {
  bool appointment_due = false;  // the card says this call is an appointment
  bool resumes_interview = false;  // a suspended interview waits on the case
};

struct call_plan {
  bool interview = false;  // the target agreed: start (or resume) the interview
  v1::Outcome outcome = v1::OUTCOME_UNSPECIFIED;  // otherwise: how the call ends
  int appointment_after_minutes = 0;  // APPOINTMENT: how far ahead the firm wants it
  bool personal = false;              // APPOINTMENT: with this interviewer
  std::chrono::seconds duration{0};   // until the outcome is coded, or the interview starts
};

class firm_model {
 public:
  firm_model(std::uint64_t sim_seed, const std::string& firm_id, int fte_frame, int sector_frame,
             const std::string& region);

  call_plan dial(const dial_context& context);

  // For the interview: the respondent's facts and answers, fixed per firm.
  const answer_sheet& answers() const { return answers_; }
  // The first interview may reach someone who does not decide (s1_decider = 2); later ones reach the
  // decider. Call once per interview started.
  std::string decider_answer();
  // Whether the respondent breaks off before answering `question_index` (0-based) of this interview.
  bool breaks_off_at(int question_index);
  // Seconds the respondent takes over a screen of this kind (the interviewer reads, they answer).
  int seconds_for(v1::QuestionType type, int choices);

 private:
  enum class line { working, disconnected, wrong, fax };

  call_plan target_on_line(bool keen);

  core::splitmix64 rng_;
  line line_ = line::working;
  std::uint64_t pickup_ = 500;      // per mille
  std::uint64_t cooperation_ = 300; // per mille, of targets reached
  bool gatekeeper_ = false;
  bool message_left_ = false;
  bool wrong_person_first_ = false;
  int interviews_ = 0;
  int break_at_ = -1;  // the question index of a planned break-off, -1 none
  answer_sheet answers_;
};

// A stable 64-bit hash of a text (FNV-1a), to seed per-firm generators from firm ids.
std::uint64_t text_hash(const std::string& text);

}  // namespace cati::tool::sim
