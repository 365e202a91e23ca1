#include "net/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>
#include <chrono>
#include <utility>

#include "net/io_failure.hpp"
#include "net/log.hpp"
#include "net/websocket_session.hpp"
#include "net/wire_codec.hpp"

namespace cati::net {
namespace http = beast::http;

namespace {

// What a client that sent too much may still send after our response: read and dropped, within limits.
constexpr std::size_t drain_bytes = 1 << 20;
constexpr std::chrono::seconds drain_time{5};

}  // namespace

template <class Stream>
http_session<Stream>::http_session(Stream&& stream, std::shared_ptr<server_state> state, std::string peer,
                                   std::string peer_address, connection_ticket ticket)
    : stream_(std::move(stream)),
      state_(std::move(state)),
      peer_(std::move(peer)),
      peer_address_(std::move(peer_address)),
      who_("http " + peer_),
      ticket_(std::move(ticket)),
      // What is read ahead of the parser is bounded too: a request no larger than the limits fits.
      buffer_(state_->limits.max_http_header_bytes + state_->limits.max_http_body_bytes + 4096) {}

template <class Stream>
void http_session<Stream>::run() {
  // The session was made on the acceptor's strand: start on the connection's own.
  asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&http_session::on_run, this->shared_from_this()));
}

template <class Stream>
void http_session<Stream>::on_run() {
  if constexpr (is_tls_stream<Stream>) {
    beast::get_lowest_layer(stream_).expires_after(state_->limits.handshake_timeout);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            beast::bind_front_handler(&http_session::on_handshake, this->shared_from_this()));
  } else {
    do_read();
  }
}

template <class Stream>
void http_session<Stream>::on_handshake(beast::error_code ec) {
  if (ec) return fail(ec, "TLS handshake", who_);
  do_read();
}

template <class Stream>
void http_session<Stream>::do_read() {
  parser_.emplace();
  parser_->body_limit(state_->limits.max_http_body_bytes);
  parser_->header_limit(static_cast<std::uint32_t>(state_->limits.max_http_header_bytes));
  beast::get_lowest_layer(stream_).expires_after(state_->limits.handshake_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&http_session::on_read, this->shared_from_this()));
}

template <class Stream>
void http_session<Stream>::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream) return do_shutdown();
  if (ec == http::error::header_limit) {
    return refuse(http::status::request_header_fields_too_large,
                  "request headers over " + std::to_string(state_->limits.max_http_header_bytes) + " bytes");
  }
  if (ec == http::error::body_limit) {
    return refuse(http::status::payload_too_large,
                  "request body over " + std::to_string(state_->limits.max_http_body_bytes) + " bytes");
  }
  // Anything else the parser refused (not the peer going away mid-request): malformed.
  if (ec.category() == make_error_code(http::error::bad_target).category() && ec != http::error::partial_message &&
      ec != http::error::short_read) {
    return refuse(http::status::bad_request, "malformed request: " + ec.message());
  }
  if (ec) return fail(ec, "read request", who_);
  state_->metrics.http_requests.inc();
  if (beast::websocket::is_upgrade(parser_->get())) return upgrade();
  const auto& req = parser_->get();
  log_debug(who_, ": ", req.method_string(), " ", req.target());
  do_write(route_http_request(req, *state_));
}

template <class Stream>
void http_session<Stream>::upgrade() {
  const auto offered = parser_->get()[http::field::sec_websocket_protocol];
  const auto format = choose_subprotocol(std::string_view(offered.data(), offered.size()));
  if (!format) {
    log_info(who_, ": upgrade refused, subprotocol '", offered, "' is neither cati.v1 nor cati.v1.json");
    return do_write(refuse_upgrade(parser_->get()));
  }
  // The WebSocket session takes the stream (and its strand) over; this object ends here.
  std::make_shared<websocket_session<Stream>>(std::move(stream_), state_, state_->next_session_id(), peer_,
                                              peer_address_, *format, std::move(ticket_))
      ->run(parser_->release());
}

template <class Stream>
void http_session<Stream>::do_write(http_response res) {
  // The response must live until the write completes: the completion handler owns it.
  auto sp = std::make_shared<http_response>(std::move(res));
  beast::get_lowest_layer(stream_).expires_after(state_->limits.handshake_timeout);
  http::async_write(stream_, *sp, [self = this->shared_from_this(), sp](beast::error_code ec, std::size_t n) {
    self->on_write(ec, n, sp->need_eof());
  });
}

template <class Stream>
void http_session<Stream>::on_write(beast::error_code ec, std::size_t, bool close) {
  if (ec) return fail(ec, "write response", who_);
  if (close) return do_shutdown();
  do_read();
}

template <class Stream>
void http_session<Stream>::refuse(http::status status, std::string why) {
  state_->metrics.http_refused.inc();
  log_limited(log_flood::malformed, log_level::info, who_, ": ", static_cast<unsigned>(status), ", ", why);
  http_response res{status, 11};
  res.set(http::field::server, "cati-server");
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.keep_alive(false);
  res.body() = std::move(why) + "\n";
  res.prepare_payload();
  do_write(std::move(res));
}

template <class Stream>
void http_session<Stream>::do_shutdown() {
  if constexpr (is_tls_stream<Stream>) {
    beast::get_lowest_layer(stream_).expires_after(state_->limits.handshake_timeout);
    stream_.async_shutdown(beast::bind_front_handler(&http_session::on_shutdown, this->shared_from_this()));
  } else {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    // Closing with unread bytes in the socket resets the connection, and a reset can destroy our
    // response before the client read it: read until the client closes too (bounded).
    beast::get_lowest_layer(stream_).expires_after(std::min<std::chrono::milliseconds>(drain_time, state_->limits.handshake_timeout));
    drain();
  }
}

template <class Stream>
void http_session<Stream>::drain() {
  if constexpr (!is_tls_stream<Stream>) {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(16 * 1024), [self = this->shared_from_this()](beast::error_code ec,
                                                                                          std::size_t n) {
      if (ec) return;  // the client closed, or the time is up: the session ends
      self->drained_ += n;
      if (self->drained_ < drain_bytes) self->drain();
    });
  }
}

template <class Stream>
void http_session<Stream>::on_shutdown(beast::error_code ec) {
  if (ec) fail(ec, "TLS shutdown", who_);
}

template class http_session<plain_stream>;
template class http_session<tls_stream>;

}  // namespace cati::net
