// The action language of cati-term --script: one action per line, `#` starts a comment line, blank
// lines are skipped. Words are separated by blanks; the last field of some actions is "the rest of the
// line" (kept as typed, trailing blanks and a CR removed).
//
//   login [USER [PASSWORD]]          USER defaults to --user, PASSWORD (rest of line) to --password-file
//   next                             ask for the next case
//   outcome CODE [appointment=T] [personal] [number=N] [note=TEXT...]
//                                    how the call ended; CODE is an outcome name in lower case (busy,
//                                    no_answer, answering_machine, refusal_receptionist, refusal_target,
//                                    soft_refusal, appointment, disconnected, ...); note= takes the rest
//   start [LANG]                     start (or resume) the interview of the held case
//   answer [VALUE...]                the rest of the line is the answer ("2", "1 3 5", free text, "")
//   back
//   suspend OUTCOME [appointment=T] [note=TEXT...]
//   lang LANG                        switch the interview's language
//   watch                            supervisor: status pushes
//   quota close|reopen QUOTA VALUE...
//   quota target QUOTA VALUE... N
//   clock TIME                       move a manual server clock (RFC 3339)
//   ping
//   sleep MS                         print what arrives meanwhile
//   wait-online                      until online with every queued answer answered
//   expect TEXT                      fail (exit 1) unless the output of the last action contains TEXT
//   logout
//   quit                             stop here (exit 0); queued answers stay in the journal
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "lib/error.hpp"
#include "lib/session.hpp"

namespace cati::client {

enum class script_verb {
  login, next, outcome, start, answer, back, suspend, lang, watch, quota, clock, ping,
  sleep, wait_online, expect, logout, quit,
};

struct script_action {
  script_verb verb = script_verb::quit;
  int line = 0;
  std::string text;      // answer value, expect text, start/lang language, clock time
  std::string user;      // login
  std::optional<std::string> password;  // login
  call_report call;      // outcome (case_id left to the session: the held case)
  suspend_report pause;  // suspend
  quota_request quota;
  std::chrono::milliseconds duration{0};  // sleep
};

// nullopt for a blank or comment line; bad_input saying "line N: ..." for anything else unparseable.
result<std::optional<script_action>> parse_script_line(std::string_view text, int line);

}  // namespace cati::client
