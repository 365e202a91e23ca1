// The scripted front end: runs script actions (script.hpp) against a started session and prints every
// event in its text form (text_form.hpp). cati-term --script uses it; so can the simulator and tests,
// without a process in between.
//
// - Each request waits for its reply (the message that settles it, or a failure) before the next line
//   is read, printing whatever else arrives meanwhile (pushes, state changes). An Answer/Back/Suspend
//   given while offline does not wait: it prints "queued <interview> seq=N answer" and the script goes on;
//   `wait-online` then waits until the session is online and every request is settled.
// - After a successful `login` the runner also prints what arrives until 150 ms pass quietly: the server
//   follows the LoginOk with the case and screen the terminal was on (a restarted terminal answers on).
// - State changes print as "state online" and "state offline (N answers waiting)" (connecting counts as
//   offline once the session was online), each only when the printed line changes.
// - `expect TEXT` looks at everything printed since the previous action line.
// - Exit code: 0 at the end of the script or on `quit`; 1 on a failed expect, a line that does not
//   parse, a reply that does not come within reply_timeout, or a fatal error (journal, bad URL).
//
// Thread-safety: call from one thread; the session must be in queue mode (no event handler).
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>

#include "lib/session.hpp"

namespace cati::client {

struct script_options {
  std::string user;      // for `login` without a user (--user)
  std::string password;  // for `login` without a password (--password-file)
  std::chrono::milliseconds reply_timeout{30000};
};

int run_script(session& s, std::istream& in, std::ostream& out, const script_options& options);

}  // namespace cati::client
