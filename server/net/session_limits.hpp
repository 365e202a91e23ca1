// Per-connection limits and timeouts. Defaults suit interviewers' terminals; tests shrink them.
// This header is free of Asio and Beast.
#pragma once

#include <chrono>
#include <cstddef>

namespace cati::net {

struct session_limits {
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
