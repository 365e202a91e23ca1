// websocket_session: one WebSocket connection, plain or TLS (Stream is plain_stream or tls_stream;
// both are instantiated in websocket_session.cpp).
//
// Life: created by http_session with the upgrade request; kept alive by its pending operations (a
// read is always pending until the connection ends) and by the handlers posted by send(). The
// handler sees it through a `session` handle that holds it weakly.
// Threading: everything below runs on the connection's strand (the socket's executor). The
// session_link members post to it and are thread-safe.
// Writes: a FIFO queue with one async_write in flight (chat-multi), bounded by session_limits; a client
// that lets it overflow is cut off. A reply pair (send_pair) is encoded into one allocation and handed to
// the strand in one post; its two frames are still two WebSocket messages, written one after the other.
// Logins: a connection's first unanswered Login is handed to the service only while fewer than
// max_logins_in_progress connections wait for their reply server-wide; otherwise it is refused at once with
// THROTTLED. Further logins on a connection pass (the service throttles them, replying in request order).
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <atomic>
#include <deque>
#include <memory>
#include <string>

#include "net/beast_types.hpp"
#include "net/connection_gate.hpp"
#include "net/http_routes.hpp"
#include "net/net_metrics.hpp"
#include "net/server_state.hpp"
#include "net/session.hpp"

namespace cati::net {

template <class Stream>
class websocket_session final : public session_link,
                                public std::enable_shared_from_this<websocket_session<Stream>> {
 public:
  websocket_session(Stream&& stream, std::shared_ptr<server_state> state, session::id_type id, std::string peer,
                    std::string peer_address, wire_format format, connection_ticket ticket);
  ~websocket_session() override;

  // Answers the upgrade request (with the chosen subprotocol) and starts reading.
  void run(http_request req);

  void send(cati::v1::ServerMessage message) override;
  void send_pair(cati::v1::ServerMessage first, cati::v1::ServerMessage second) override;
  void close(close_code code) override;
  void abort() override;

 private:
  enum class phase { handshake, open, closing, ended };
  using frame = std::shared_ptr<const std::string>;

  void on_accept(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void handle_frame();
  void reply_error(std::uint64_t request_id, cati::v1::Error::Code code, std::string message,
                   int retry_after_seconds = 0);
  void on_send(frame f);
  void note_sent(const cati::v1::ServerMessage& message);
  void do_write();
  void on_write(beast::error_code ec, std::size_t bytes);
  void on_close_request(close_code code);
  void do_close();
  void on_close(beast::error_code ec);
  void cut(disconnect_reason reason, std::string_view why);
  void end();
  void enqueue(const cati::v1::ServerMessage& message);
  const std::string& who() const { return who_; }
  wire_format format() const { return format_; }

  beast::websocket::stream<Stream> ws_;
  std::shared_ptr<server_state> state_;
  const wire_format format_;
  std::shared_ptr<session> handle_;  // what the handler gets; made in run(), once shared_from_this works
  std::string peer_;                 // moved into handle_ by run()
  std::string peer_address_;
  const session::id_type id_;
  const std::string who_;  // "session 7 127.0.0.1:53412", for logs
  connection_ticket ticket_;
  std::atomic<std::uint64_t> login_request_{0};  // request id of the login in progress (see send())
  beast::flat_buffer buffer_;
  std::deque<frame> queue_;  // front() is being written when non-empty
  std::size_t queued_bytes_ = 0;
  phase phase_ = phase::handshake;
  bool joined_ = false;        // in the registry, on_open called: on_close is owed
  bool close_started_ = false; // async_close issued
  close_code close_code_ = close_code::normal;
};

}  // namespace cati::net
