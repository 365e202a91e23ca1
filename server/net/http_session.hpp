// http_session: one accepted connection until it is an HTTP exchange or a WebSocket. Plain or TLS
// (Stream is plain_stream or tls_stream; both are instantiated in http_session.cpp).
//
// For TLS it first does the server handshake. It then reads requests: /healthz, /metrics and static
// files are answered here (keep-alive honoured); an upgrade with a known subprotocol moves the stream
// into a websocket_session; an upgrade without one gets 400 and the connection closes. A request the
// parser refuses gets an HTTP error instead of a reset: 431 for headers over max_http_header_bytes, 413
// for a body over max_http_body_bytes, 400 for anything malformed; then the connection closes, after
// reading and dropping what the client still sends (a few seconds at most), so that the client sees the
// response rather than a reset.
// Life: kept alive by its pending operation; runs on the connection's strand.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>
#include <optional>
#include <string>

#include "net/beast_types.hpp"
#include "net/connection_gate.hpp"
#include "net/http_routes.hpp"
#include "net/server_state.hpp"

namespace cati::net {

template <class Stream>
class http_session final : public std::enable_shared_from_this<http_session<Stream>> {
 public:
  // `ticket`: the connection's place (connection_gate), handed on to the WebSocket session.
  http_session(Stream&& stream, std::shared_ptr<server_state> state, std::string peer, std::string peer_address,
               connection_ticket ticket);

  void run();

 private:
  void on_run();
  void on_handshake(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void upgrade();
  void do_write(http_response res);
  void on_write(beast::error_code ec, std::size_t bytes, bool close);
  void refuse(beast::http::status status, std::string why);
  void do_shutdown();
  void on_shutdown(beast::error_code ec);
  void drain();

  Stream stream_;
  std::shared_ptr<server_state> state_;
  const std::string peer_;
  const std::string peer_address_;
  const std::string who_;  // "http 127.0.0.1:53412", for logs
  connection_ticket ticket_;
  std::size_t drained_ = 0;  // bytes read and dropped after the response
  beast::flat_buffer buffer_;
  // A fresh parser per request (Beast parsers are single-use); optional so it can be re-made.
  std::optional<beast::http::request_parser<beast::http::string_body>> parser_;
};

}  // namespace cati::net
