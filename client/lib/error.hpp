// Typed errors of the client library: the server's cati.v1.Error codes (same numbers), and the failures
// that happen on this side of the wire (timeouts, the journal, the connection, a bad URL).
//
// Fallible calls return `result<T>` (boost::system::result with `error` as the error type).
#pragma once

#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace cati::v1 {
class Error;
}

namespace cati::client {

enum class errc {
  // From the server: the numbers of cati.v1.Error.Code.
  unspecified = 0,
  malformed = 1,
  not_logged_in = 2,
  bad_credentials = 3,
  throttled = 4,
  session_expired = 5,
  forbidden = 6,
  not_your_case = 7,
  invalid_answer = 8,
  stale_sequence = 9,
  future_sequence = 10,
  wrong_question = 11,
  invalid_request = 12,
  logged_in_elsewhere = 13,
  not_allowed = 14,
  internal = 15,
  unavailable = 16,
  session_taken_over = 17,  // a resume refused: another login took the session (do not log in again by itself)
  standby = 18,             // the server is a standby: the session goes to the active one by itself
  // On this side of the wire.
  timeout = 100,        // no reply within the request timeout
  no_case = 101,        // a call or interview request, but no case card was received
  no_interview = 102,   // answer/back/suspend, but no interview is open
  dropped = 103,        // a queued answer dropped because an earlier one of its interview was refused
  journal_io = 104,     // the journal could not be read or written: nothing was sent
  journal_locked = 105, // another cati-term uses the same journal
  bad_url = 106,
  connect_failed = 107, // resolve, TCP, TLS or WebSocket handshake failed
  connection_lost = 108,
  protocol = 109,       // the server sent something that is not a ServerMessage
  stopped = 110,        // the session was stopped before the request could be answered
  bad_input = 111,      // the front end passed something unusable (unknown outcome name, ...)
};

struct error {
  errc code = errc::unspecified;
  std::string message;
  int retry_after_seconds = 0;  // THROTTLED

  // Errors after which a front end should not go on (the journal cannot keep answers safe).
  bool fatal() const { return code == errc::journal_io || code == errc::journal_locked || code == errc::bad_url; }
};

// "INVALID_ANSWER", "TIMEOUT", ...: the wire's names for server codes, the same style for ours.
std::string_view to_string(errc code);
error from_wire(const cati::v1::Error& e);

// Server refusals after which resending the same message can never succeed (the answer is dropped from the
// journal), as opposed to transient ones (not logged in, shutting down, internal) that are retried later.
bool is_refusal(errc code);

template <class T>
using result = boost::system::result<T, error>;
using status = result<void>;

// boost::system::result::value() on an error throws this.
struct error_exception : std::exception {
  explicit error_exception(error e) : err(std::move(e)) {}
  const char* what() const noexcept override { return err.message.c_str(); }
  error err;
};
[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

}  // namespace cati::client
