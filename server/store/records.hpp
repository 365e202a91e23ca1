// The plain structs the store takes and returns. No SQLite types: callers outside server/store see only
// these. Times are UTC milliseconds (core::time_point); stored as integers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ports/clock.hpp"
#include "core/calling/outcome.hpp"

namespace cati::store {

using core::time_point;
using row_id = std::int64_t;

// A questionnaire version loaded into the fieldwork.
struct study_record {
  std::string study_id;
  std::string version;
  std::string questionnaire_hash;  // BLAKE2b of the text, hex (study_hash())
  std::string questionnaire_text;
  time_point loaded_at{};
};

enum class user_role { interviewer, supervisor, admin };

struct new_user {
  std::string name;
  user_role role = user_role::interviewer;
  std::vector<std::string> languages;  // interview languages ("nl", "fr")
  std::string password_hash;           // hash_password()'s output, never the password
  time_point created_at{};
  std::vector<std::string> skills{};   // "converter": calls soft refusals back
};

struct user_record {
  row_id id = 0;
  std::string name;
  user_role role = user_role::interviewer;
  std::vector<std::string> languages;
  std::string password_hash;
  bool disabled = false;
  time_point created_at{};
  std::vector<std::string> skills{};  // "converter"
};

enum class appointment_state { pending, kept, missed, cancelled };

struct appointment {
  row_id case_id = 0;
  time_point due{};
  row_id made_by = 0;
  time_point made_at{};
  bool personal = false;  // the maker gets it first; others after the grace period
  std::string notes;
};

struct appointment_record : appointment {
  row_id id = 0;
  appointment_state state = appointment_state::pending;
  std::optional<time_point> resolved_at;
};

// What the scheduler decides about a case after a call; kept on the case so that listing is cheap. The
// call log stays the authority (dispositions are derived from it, never from these fields).
struct case_schedule {
  std::optional<time_point> next_call_at;  // not before; nullopt: whenever
  bool finished = false;                   // no more calls (final disposition reached)
};

// A case as the scheduler sees it: no contact data.
struct case_summary {
  row_id id = 0;
  std::string firm_id;
  std::string language;
  std::map<std::string, std::string, std::less<>> frame;  // research frame variables
  int dials = 0;                                          // call attempts logged
  std::optional<time_point> last_call_at;
  std::optional<core::outcome> last_outcome;
  case_schedule schedule;
  std::optional<row_id> held_by;
  std::optional<time_point> held_until;
  std::optional<appointment_record> appointment;  // the earliest pending one
};

// A case's contact data: what the interviewer's case card shows, never what an export gets by default.
struct case_contact {
  row_id case_id = 0;
  std::string firm_id;
  std::map<std::string, std::string, std::less<>> fields;  // company, contact_name, ...
  std::vector<std::string> phones;                        // in dialling order
};

struct call_attempt {
  row_id case_id = 0;
  row_id interviewer_id = 0;
  time_point at{};
  std::string number;
  core::outcome result = core::outcome::unspecified;
  std::string notes;
  std::optional<row_id> interview_id;
  std::optional<case_schedule> schedule;  // stored on the case in the same transaction when given
  bool partial = false;  // a break-off past the study's partial point, AAPOR 1.2 (core::call_attempt::partial)
};

struct call_record {
  row_id id = 0;
  row_id case_id = 0;
  row_id interviewer_id = 0;
  time_point at{};
  std::string number;
  core::outcome result = core::outcome::unspecified;
  std::string notes;
  std::optional<row_id> interview_id;
  bool partial = false;  // call_attempts.partial
};

struct new_interview {
  row_id case_id = 0;
  row_id interviewer_id = 0;
  std::string questionnaire_version;
  std::string language;
  time_point started_at{};
};

struct interview_record {
  row_id id = 0;
  // Random, not derived from the firm or its phone; the same for every interview of a case. Answers and
  // exports are keyed by it; only the case link (kept with contact data) leads back to the firm.
  std::string respondent_id;
  std::uint64_t seed = 0;  // for stable randomised choice orders; the same for every interview of a case
  row_id case_id = 0;
  row_id interviewer_id = 0;
  std::string questionnaire_version;
  std::string language;
  time_point started_at{};
  std::optional<time_point> ended_at;
  std::optional<core::outcome> final_state;  // nullopt while open
  std::string snapshot;                      // the engine's saved form (core::to_text), "" if none yet
};

// `set` records a value (nullopt: asked and left unanswered); `drop` removes a question's answer (it is
// no longer on the route after going back). The history keeps both; the current value of a question is
// its row with the highest sequence number, unless that row is a drop.
enum class answer_kind { set, drop };

struct answer {
  row_id interview_id = 0;
  std::int64_t seq = 0;  // per interview, from 1, no gaps
  std::string question;
  answer_kind kind = answer_kind::set;
  std::optional<std::string> value;  // value::to_string() form
  time_point at{};
  row_id by = 0;  // the interviewer
};

// The terminal's sequence number of an answer request and the request's fingerprint, kept on the answer's
// row (core::answer_logged): what a restart replays after the interview's snapshot. NULL on drops, on
// rows written through the store's own API and on rows written before schema version 11.
struct answer_sequence {
  std::int64_t client_seq = 0;
  std::string print;
};

struct answer_ack {
  row_id interview_id = 0;
  std::int64_t seq = 0;
  time_point at{};        // as first recorded
  bool repeated = false;  // this (interview, seq) had been recorded before: nothing changed
  bool operator==(const answer_ack&) const = default;
};

struct answer_record : answer {
  bool current = false;  // the question's current row (false for replaced rows and drops)
};

struct audit_entry {
  time_point at{};
  std::optional<row_id> user_id;
  std::string action;  // "sample_import", "user_disable", "quota_target", ...
  std::string details;
};

}  // namespace cati::store
