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
};

// The engine's saved state of an interview after the request (core::to_text of saved_interview, with
// the terminal's last sequence number), so that a restarted server resumes at the same screen.
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

using change = std::variant<call_logged, interview_opened, answer_logged, snapshot_saved, interview_closed,
                            quota_changed, audit_logged, session_opened, session_closed>;
using change_list = std::vector<change>;

}  // namespace cati::core
