// The stable text form of what a session reports: one or more lines per message, the first line starting
// with a keyword, continuation lines indented by two spaces. cati-term --script prints it, the simulator
// logs it, the tests compare it. Changing a form breaks scripts that `expect` it: add, do not reword.
//
//   login anna role=interviewer study=ai_barometer_2025 version=2025.1 now=<rfc3339> calls=0 completes=0
//   error INVALID_ANSWER: 7 is not one of the choices [retry_after=30]
//   case 12 firm=F00012 company="Bakkerij Peeters" lang=nl attempt=1/8 cell=region=VLA
//     contact "An Peeters"
//     dial +3231234567 [numbers=+32...,+32...]
//     appointment <rfc3339> "note"
//     interview <id>                     (a suspended interview, resumed by start)
//     history <at> <interviewer> <outcome> <number> ["note"]
//     frame region=VLA sector_frame=...  (sorted by name)
//   nocase OUTSIDE_CALLING_HOURS next=<rfc3339> ["message"]
//   recorded 12 outcome=busy calls=3 completes=1
//   screen q2_ai_use (5/15) single: How often ...
//     1 Daily
//     9 Don't know (missing)
//     hint: ...  |  constraint: ...  |  current: ...
//     interview=<id> seq=5 lang=nl back=yes
//   ack <interview> seq=3 duplicate=false
//   end <interview> outcome=complete aapor=1.1 calls=4 completes=2 ["message"]
//   notice SHUTTING_DOWN <message>
//   status now=<rfc3339> completes=10/225   (then "  cell ...", "  interviewer ...", "  rates ...")
//   pong <now>
// and for the session's own events:
//   state online | state offline (2 answers waiting) | state connecting | state connected | state stopped
//   queued <interview> seq=4 answer
//   dropped <interview> seq=5: <why>
//   error TIMEOUT: no reply to next within 30000 ms   (failed_event)
//   notice <text>                                     (notice_event)
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cati/v1/wire.pb.h"
#include "lib/events.hpp"

namespace cati::client {

std::string to_text(const v1::ServerMessage& message);
// The text of any event (a message_event as above).
std::string to_text(const event& e);

// "busy", "refusal_target" <-> cati.v1.Outcome, and "single", "integer", ... for question types.
std::string outcome_name(v1::Outcome outcome);
std::optional<v1::Outcome> outcome_from_name(std::string_view name);
std::string question_type_name(v1::QuestionType type);

}  // namespace cati::client
