// message_handler: the interface the domain service implements to receive what the transport decoded.
//
// Threading contract:
// - on_open, on_message and on_close of one session are called one at a time, in order, on that
//   session's strand (a network thread). Calls for different sessions may run concurrently on other
//   network threads.
// - They must not block: no database, no password hashing, no waiting on locks held for long. The
//   service posts the work to its own strand or thread and replies later through session::send(),
//   which is thread-safe.
// - Exceptions escaping on_message are caught by the transport, logged, and answered with
//   Error{code: INTERNAL}; the connection stays open. Do not rely on it.
// Lifecycle: on_open once the WebSocket handshake is done; on_message for every well-formed
// ClientMessage (malformed frames are answered by the transport and never reach the handler); on_close
// exactly once after every on_open, when the connection has ended for any reason, provided the server
// is stopped with server::stop() (a server destroyed while running cuts connections without it).
// This header is free of Asio and Beast: the domain service includes it.
#pragma once

#include <functional>
#include <memory>

#include "cati/v1/wire.pb.h"
#include "net/session.hpp"

namespace cati::net {

class message_handler {
 public:
  virtual ~message_handler() = default;

  virtual void on_open(const std::shared_ptr<session>& s) = 0;
  // `message` has a body set; its request_id is whatever the client chose (maybe 0).
  virtual void on_message(const std::shared_ptr<session>& s, cati::v1::ClientMessage message) = 0;
  virtual void on_close(const std::shared_ptr<session>& s) = 0;

  // Graceful shutdown, after the server stopped accepting and sent every session
  // Notice{SHUTTING_DOWN}: finish in-flight work (commit what is queued, send its acks) and then call
  // done(), once, from any thread. Called on a network thread: it must return at once (post the work). Sessions stay open and messages keep arriving until done() is
  // called (answer them with Error{UNAVAILABLE} if new work is unwelcome). The server waits at most its
  // drain timeout, then closes the sessions anyway. The default has nothing to finish.
  virtual void drain(std::function<void()> done) { done(); }
};

}  // namespace cati::net
