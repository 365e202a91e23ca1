// What the fieldwork service asks the store to persist: one list of changes per request, written in one
// transaction, in order. The service replies to a terminal only after its changes are committed, so
// whatever a terminal was told is on disk (DESIGN.md, "Threading and durability").
//
// These are plain domain structs; server/store maps them onto its tables (store/fieldwork_journal).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/calling/case_record.hpp"
#include "core/ports/clock.hpp"
#include "core/calling/outcome.hpp"
#include "core/quota/quota_state.hpp"
#include "core/quota/quota_types.hpp"

namespace cati::core {

using user_id = std::int64_t;

// A dial and how it ended (every call, with or without an interview).
struct call_logged {
  case_id case_ = 0;
  user_id interviewer = 0;
  time_point at{};
  std::string number;
  outcome result = outcome::unspecified;
  std::string note;
  std::optional<interview_id> interview;
  std::optional<appointment> callback;  // an appointment agreed in this call
  bool finishes_case = false;           // the case's plan is finished after this call (cases.finished)
  // The call was logged already (at `at`, with `result`): this only adds the appointment agreed later in it,
  // after a screen-out that asks for one (no second call attempt). Set by name, never by position.
  bool same_call = false;
  // A break-off past the study's partial point: AAPOR 1.2 instead of 2.12 (call_attempt::partial). Decided
  // here, when the break-off happens, so that a reader of the file alone reads the same code.
  bool partial = false;
};

// An interview began. Its id, respondent id and seed are chosen by the service (ids count up from the
// largest in the store; respondent id and seed are per case, random, never derived from contact data).
struct interview_opened {
  interview_id id = 0;
  case_id case_ = 0;
  user_id interviewer = 0;
  std::string questionnaire_version;
  std::string language;
  time_point at{};
  std::string respondent_id;
  std::uint64_t seed = 0;
};

// One row of an interview's answer history: a value set (nullopt: asked, left unanswered) or a drop
// (the question left the route). `row` numbers the interview's rows from 1 without gaps.
struct answer_logged {
  interview_id interview = 0;
  std::int64_t row = 0;
  std::string question;
  bool drop = false;
  std::optional<std::string> value;
  time_point at{};
  user_id by = 0;
  // On the row of the answer a terminal sent (never on a drop): the request's sequence number and its
  // fingerprint. A plain answer writes no snapshot_saved, only this row: a restart replays the rows
  // numbered after the snapshot's sequence number on it (loaded_interview::sequenced). 0: not a
  // terminal's answer (a drop), or a row written before these were kept.
  std::uint32_t client_seq = 0;
  std::string print;
};

// The engine's saved state of an interview after the request (core::to_text of saved_interview, with
// the terminal's last sequence number), so that a restarted server resumes at the same screen. Written
// by every sequenced request except a plain answer (fieldwork::answer: one that only moves the interview
// on to its next question), whose answer row carries what a restart needs instead.
struct snapshot_saved {
  interview_id interview = 0;
  std::string text;
};

struct interview_closed {
  interview_id interview = 0;
  outcome result = outcome::unspecified;
  time_point at{};
};

struct quota_changed {
  quota_events events;
};

struct audit_logged {
  time_point at{};
  user_id user = 0;
  std::string action;   // "quota_target", "quota_close", "quota_reopen"
  std::string details;  // what changed, for people
};

// A terminal's session token, kept so that a terminal reconnecting after a server restart resumes with
// it instead of the password (2,000 Argon2id checks would keep them waiting for minutes). Only the
// token's digest is stored: the file does not hold a usable token. Expired tokens are forgotten when a
// new one is issued.
struct session_opened {
  std::string digest;  // lowercase hex SHA-256 of the token
  std::string user;
  time_point at{};
  time_point expires{};
};

struct session_closed {
  std::string digest;
};

// Who holds a case and until when (the scheduler's lock), written with the request that takes, renews or
// releases it: a restarted server offers a held case to nobody else, and the lock lapses when it would
// have without the restart.
struct case_held {
  case_id case_ = 0;
  std::string holder;  // the interviewer's name; "" when released
  time_point until{};
};

// A screen-out that asks for a call-back ("not the right person") leaves its call open for the appointment
// its interviewer makes next on the same hold (`at`: that call's time); nullopt when that is over (the
// appointment was made, another call result was given, the case was handed out again). Persisted so that a
// restart in between changes nothing: the appointment still goes with that call.
struct screen_out_pending {
  case_id case_ = 0;
  std::optional<time_point> at;
};

// Who owns an open interview, the language it runs in and whether it is suspended (a break-off or an
// appointment): written with the request that changes any of them (a takeover by another interviewer,
// a language switch, a suspension, a resumption), so that a restart brings back the same owner,
// language and state. The language written last is the one the interview ran in (the export's).
struct interview_owned {
  interview_id interview = 0;
  user_id interviewer = 0;
  std::string language;
  bool suspended = false;
};

// The requests whose repeat (same user, same request id: a resend after a lost reply, across reconnects
// and restarts) must get the original reply instead of a second effect. Answer, Back and Suspend are
// recognised by (interview, seq) instead (snapshot_saved keeps their fingerprints).
enum class request_kind { next_case, call_result, start_interview, quota_action };

// A request that changed something, written in the same commit as its changes. What the reply is
// rebuilt from: the case offered (next_case), the case and outcome (call_result), the interview
// (start_interview), the quota action (quota_action, `detail`: its kind, target and cell).
struct request_logged {
  user_id user = 0;
  std::uint64_t request = 0;
  request_kind kind = request_kind::next_case;
  case_id case_ = 0;
  interview_id interview = 0;
  outcome result = outcome::unspecified;
  std::string detail;
  time_point at{};
};

using change = std::variant<call_logged, interview_opened, answer_logged, snapshot_saved, interview_closed,
                            quota_changed, audit_logged, session_opened, session_closed, case_held,
                            screen_out_pending, interview_owned, request_logged>;
using change_list = std::vector<change>;

}  // namespace cati::core
