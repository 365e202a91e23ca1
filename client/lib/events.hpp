// What a session tells its front end: connection state changes, every server message (replies matched to
// the request they answer, and pushes), answers put in the journal, and requests that failed.
//
// Events are values; a front end gets them in the order the session produced them, either from
// session::poll() or through the handler given to session::set_event_handler() (see session.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "cati/v1/wire.pb.h"
#include "lib/error.hpp"

namespace cati::client {

using request_id = std::uint64_t;  // never 0: 0 marks a push

// What a request asked for. `none` on a message that answers no request of this session (a push).
enum class request_kind {
  none,
  login,
  resume,  // sent by the session itself after a reconnect
  logout,
  next_case,
  call_result,
  start_interview,
  answer,
  back,
  suspend,
  set_language,
  watch_status,
  quota_action,
  set_clock,
  ping,
};
std::string_view to_string(request_kind kind);
// Answer, Back and Suspend: journaled, resent until acknowledged, never timed out.
bool is_journaled(request_kind kind);

enum class connection_state {
  idle,        // start() not called yet
  connecting,  // resolving, connecting, handshaking (TCP, TLS, WebSocket)
  connected,   // the WebSocket is open but no one is logged in (before login, after logout or a refusal)
  online,      // logged in: requests flow, the journal is being resent or is empty
  offline,     // the connection is gone; a retry is scheduled (retry_in)
  stopped,     // stop() was called
};
std::string_view to_string(connection_state state);

// The connection changed state, or (while offline) the number of unacknowledged answers changed.
struct state_event {
  connection_state state = connection_state::idle;
  std::size_t unacked = 0;             // Answer/Back/Suspend in the journal, not yet acknowledged
  std::optional<error> cause;          // why the connection went away, when it did
  std::chrono::milliseconds retry_in{0};  // offline: the next attempt starts after this
};

// A message from the server. `kind` is the kind of the request it answers (none for a push);
// `settles` is true on the message that completes that request (see outbox.hpp for the rule): a front
// end that waits for a reply waits for the message with settles == true, or a failed_event.
struct message_event {
  v1::ServerMessage message;
  request_kind kind = request_kind::none;
  bool settles = false;
};

// An Answer/Back/Suspend was written to the journal (fsynced) under (interview_id, seq). `online` is
// false when it was queued while the session was not online: it goes out after the reconnect.
struct queued_event {
  request_id id = 0;
  request_kind kind = request_kind::none;
  std::string interview_id;
  std::uint32_t seq = 0;
  std::string question;
  bool online = false;
};

// A request that will get no reply: a timeout, a local refusal (no interview open), a journal failure,
// or (code dropped) a queued answer thrown away because an earlier answer of its interview was refused.
struct failed_event {
  request_id id = 0;
  request_kind kind = request_kind::none;
  error err;
  std::string interview_id;  // journaled requests only
  std::uint32_t seq = 0;
};

// Something the front end should show that is neither a reply nor a state: e.g. a torn journal record
// dropped on load, or a resume that fell back to a fresh login.
struct notice_event {
  std::string text;
};

using event = std::variant<state_event, message_event, queued_event, failed_event, notice_event>;

}  // namespace cati::client
