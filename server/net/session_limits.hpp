// Per-connection limits and timeouts, and the bounds on what peers can hold before they log in.
// Defaults suit interviewers' terminals; tests shrink them. README ("Limits") lists them; /metrics shows
// them as cati_limit{name}. This header is free of Asio and Beast.
#pragma once

#include <chrono>
#include <cstddef>

namespace cati::net {

struct session_limits {
  // Open TCP connections (HTTP, WebSocket, TLS handshakes) at most; one more is closed at once. Lowered
  // at start to what the open-file limit (ulimit -n) allows, less a reserve for the database and the log.
  std::size_t max_connections = 20'000;
  // From one remote address at most. 127.0.0.1 and ::1 count in the total only: the local tools (and a
  // reverse proxy, behind which every client has that address) connect from there.
  std::size_t max_connections_per_address = 1'000;
  // Login requests handed to the service and not yet answered (each costs a deliberately slow password
  // hash), server-wide, one counted per connection; one more is refused at once with THROTTLED. As high as
  // access's bound on queued checks (net/access/login_guard.hpp), which refuses in request order first.
  std::size_t max_logins_in_progress = 8'192;
  // An HTTP request's start line and headers at most; a larger one gets 431 and the connection closes.
  std::size_t max_http_header_bytes = 8 * 1024;
  // A WebSocket message (frame) larger than this closes the connection with code 1009 (too big).
  std::size_t max_frame_bytes = 64 * 1024;
  // The write queue of one connection; beyond either bound the client is not reading and is cut off.
  std::size_t max_queue_messages = 1024;
  std::size_t max_queue_bytes = 4 * 1024 * 1024;
  // Plain HTTP request bodies (the server serves GETs; anything larger is refused).
  std::size_t max_http_body_bytes = 16 * 1024;
  // TLS handshake, reading an HTTP request, the WebSocket upgrade and the close handshake.
  std::chrono::milliseconds handshake_timeout{30'000};
  // A WebSocket connection silent this long is closed; Beast pings it at half the time, so a live
  // client that merely has nothing to say answers the ping and stays.
  std::chrono::milliseconds idle_timeout{300'000};
};

}  // namespace cati::net
