#include "net/websocket_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <array>
#include <exception>
#include <utility>

#include "net/io_failure.hpp"
#include "net/log.hpp"
#include "net/wire_codec.hpp"

namespace cati::net {
namespace websocket = beast::websocket;
namespace http = beast::http;

template <class Stream>
websocket_session<Stream>::websocket_session(Stream&& stream, std::shared_ptr<server_state> state,
                                             session::id_type id, std::string peer, std::string peer_address,
                                             wire_format format, connection_ticket ticket)
    : ws_(std::move(stream)),
      state_(std::move(state)),
      format_(format),
      peer_(std::move(peer)),
      peer_address_(std::move(peer_address)),
      id_(id),
      who_("session " + std::to_string(id) + " " + peer_),
      ticket_(std::move(ticket)) {}

template <class Stream>
websocket_session<Stream>::~websocket_session() {
  log_debug(who(), ": released");
}

template <class Stream>
void websocket_session<Stream>::run(http_request req) {
  handle_ = std::make_shared<session>(id_, std::move(peer_), std::move(peer_address_), format_,
                                      is_tls_stream<Stream>, this->weak_from_this());
  // The WebSocket stream has its own timeouts; the TCP stream's would cut a quiet, healthy connection.
  beast::get_lowest_layer(ws_).expires_never();
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.handshake_timeout = state_->limits.handshake_timeout;
  timeouts.idle_timeout = state_->limits.idle_timeout;
  timeouts.keep_alive_pings = true;  // a dead peer is found by an unanswered ping, not by the next write
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
      [protocol = std::string(subprotocol_name(format()))](websocket::response_type& res) {
        res.set(http::field::server, "cati-server");
        res.set(http::field::sec_websocket_protocol, protocol);
      }));
  ws_.read_message_max(state_->limits.max_frame_bytes);
  if (format_ == wire_format::json) ws_.text(true);
  else ws_.binary(true);
  ws_.async_accept(req, beast::bind_front_handler(&websocket_session::on_accept, this->shared_from_this()));
}

template <class Stream>
void websocket_session<Stream>::on_accept(beast::error_code ec) {
  if (ec) {
    phase_ = phase::ended;
    return fail(ec, "websocket handshake", who());  // rate-limited there
  }
  phase_ = phase::open;
  if (!state_->sessions.join(handle_)) {
    // Upgraded while the server was stopping: say so and close; the handler never hears of it.
    log_info(who(), ": refused, shutting down");
    cati::v1::ServerMessage notice;
    notice.mutable_notice()->set_kind(cati::v1::Notice::SHUTTING_DOWN);
    notice.mutable_notice()->set_message("the server is shutting down");
    enqueue(notice);
    on_close_request(close_code::going_away);
    return do_read();
  }
  joined_ = true;
  state_->metrics.connections.inc();
  log_limited(log_flood::connection, log_level::info, who(), ": open, ", subprotocol_name(format_),
              is_tls_stream<Stream> ? " over TLS" : "");
  try {
    state_->handler.on_open(handle_);
  } catch (const std::exception& e) {
    log_error(who(), ": on_open threw: ", e.what());
    on_close_request(close_code::internal_error);
  }
  do_read();
}

template <class Stream>
void websocket_session<Stream>::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&websocket_session::on_read, this->shared_from_this()));
}

template <class Stream>
void websocket_session<Stream>::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    if (ec == websocket::error::message_too_big) {
      // Beast has already sent close code 1009 and torn the connection down.
      log_limited(log_flood::malformed, log_level::warn, who(), ": frame over ", state_->limits.max_frame_bytes,
                  " bytes, closed (1009 too big)");
      state_->metrics.disconnect(disconnect_reason::too_big);
    } else if (ec == beast::error::timeout) {
      log_limited(log_flood::connection, log_level::info, who(),
                  ": timed out (no traffic, or an unanswered ping or close)");
      state_->metrics.disconnect(disconnect_reason::timeout);
    } else {
      fail(ec, "read", who());
    }
    return end();
  }
  handle_frame();
  do_read();
}

template <class Stream>
void websocket_session<Stream>::handle_frame() {
  const std::string_view data(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  std::uint64_t request_id = 0;
  auto decoded = decode_client_message(data, ws_.got_text(), format_, request_id);
  buffer_.consume(buffer_.size());
  if (!decoded) {
    log_limited(log_flood::malformed, log_level::info, who(), ": malformed frame: ", decoded.err().message);
    return reply_error(request_id, cati::v1::Error::MALFORMED, decoded.err().message);
  }
  state_->metrics.message_in(*decoded);
  // Once closing (our close() or shutdown), frames still in flight are read but start no new work.
  if (phase_ != phase::open) return;
  if (decoded->has_login()) {
    // Each login costs a slow password hash: only so many wait for one at a time.
    if (!ticket_.start_login()) {
      log_limited(log_flood::connection, log_level::info, who(), ": login refused, too many in progress");
      return reply_error(request_id, cati::v1::Error::THROTTLED, "too many logins in progress: try again shortly", 1);
    }
    login_request_ = request_id;
  }
  const bool login = decoded->has_login();
  try {
    state_->handler.on_message(handle_, std::move(decoded).value());
  } catch (const std::exception& e) {
    log_error(who(), ": on_message threw: ", e.what());
    if (login) ticket_.end_login();  // answered here, not through send()
    reply_error(request_id, cati::v1::Error::INTERNAL, "internal error");
  }
}

template <class Stream>
void websocket_session<Stream>::reply_error(std::uint64_t request_id, cati::v1::Error::Code code,
                                            std::string message, int retry_after_seconds) {
  cati::v1::ServerMessage reply;
  reply.set_request_id(request_id);
  reply.mutable_error()->set_code(code);
  reply.mutable_error()->set_message(std::move(message));
  if (retry_after_seconds > 0) reply.mutable_error()->set_retry_after_seconds(retry_after_seconds);
  enqueue(reply);
}

template <class Stream>
void websocket_session<Stream>::enqueue(const cati::v1::ServerMessage& message) {
  state_->metrics.message_out(message);
  on_send(std::make_shared<const std::string>(encode_server_message(message, format_)));
}

template <class Stream>
void websocket_session<Stream>::note_sent(const cati::v1::ServerMessage& message) {
  // The reply to the login in progress ends it (the service answers a Login with LoginOk or an Error).
  if ((message.has_login_ok() || message.has_error()) && message.request_id() == login_request_.load())
    ticket_.end_login();
  state_->metrics.message_out(message);
}

template <class Stream>
void websocket_session<Stream>::send(cati::v1::ServerMessage message) {
  note_sent(message);
  // Encoded on the caller's thread: the strand only queues bytes.
  auto f = std::make_shared<const std::string>(encode_server_message(message, format_));
  asio::post(ws_.get_executor(), [self = this->shared_from_this(), f = std::move(f)]() mutable {
    self->on_send(std::move(f));
  });
}

template <class Stream>
void websocket_session<Stream>::send_pair(cati::v1::ServerMessage first, cati::v1::ServerMessage second) {
  note_sent(first);
  note_sent(second);
  // Both frames in one block; each queued frame shares its ownership (aliasing shared_ptrs).
  auto both = std::make_shared<const std::array<std::string, 2>>(
      std::array<std::string, 2>{encode_server_message(first, format_), encode_server_message(second, format_)});
  asio::post(ws_.get_executor(), [self = this->shared_from_this(), both = std::move(both)]() mutable {
    self->on_send(frame(both, &(*both)[0]));
    self->on_send(frame(both, &(*both)[1]));
  });
}

template <class Stream>
void websocket_session<Stream>::on_send(frame f) {
  if (phase_ != phase::open) return;  // closing or ended: dropped, as the contract says
  const auto& limits = state_->limits;
  if (!queue_.empty() &&
      (queue_.size() >= limits.max_queue_messages || queued_bytes_ + f->size() > limits.max_queue_bytes)) {
    return cut(disconnect_reason::slow_consumer,
               "not reading: write queue at " + std::to_string(queue_.size()) + " messages, " +
                   std::to_string(queued_bytes_) + " bytes");
  }
  queued_bytes_ += f->size();
  state_->metrics.queued_bytes.add(static_cast<double>(f->size()));
  queue_.push_back(std::move(f));
  if (queue_.size() > 1) return;  // a write is in flight; on_write continues with the queue
  do_write();
}

template <class Stream>
void websocket_session<Stream>::do_write() {
  ws_.async_write(asio::buffer(*queue_.front()),
                  beast::bind_front_handler(&websocket_session::on_write, this->shared_from_this()));
}

template <class Stream>
void websocket_session<Stream>::on_write(beast::error_code ec, std::size_t) {
  if (phase_ == phase::ended) return;  // the queue is gone
  if (ec) {
    fail(ec, "write", who());
    // The read may not notice a broken connection soon: end it so on_close is not delayed.
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    return;
  }
  queued_bytes_ -= queue_.front()->size();
  state_->metrics.queued_bytes.add(-static_cast<double>(queue_.front()->size()));
  queue_.pop_front();
  if (!queue_.empty()) return do_write();
  if (phase_ == phase::closing && !close_started_) do_close();
}

template <class Stream>
void websocket_session<Stream>::close(close_code code) {
  asio::post(ws_.get_executor(),
             [self = this->shared_from_this(), code] { self->on_close_request(code); });
}

template <class Stream>
void websocket_session<Stream>::on_close_request(close_code code) {
  if (phase_ != phase::open) return;
  phase_ = phase::closing;
  close_code_ = code;
  // The close frame goes after what is queued (the shutdown notice, the last acks).
  if (queue_.empty()) do_close();
}

template <class Stream>
void websocket_session<Stream>::do_close() {
  close_started_ = true;
  ws_.async_close(websocket::close_reason(static_cast<std::uint16_t>(close_code_)),
                  beast::bind_front_handler(&websocket_session::on_close, this->shared_from_this()));
}

template <class Stream>
void websocket_session<Stream>::on_close(beast::error_code ec) {
  // The pending read completes too (closed, or timeout when the peer never answers) and ends us.
  if (ec) fail(ec, "close", who());
}

template <class Stream>
void websocket_session<Stream>::abort() {
  asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
    if (self->phase_ == phase::ended) return;
    log_info(self->who(), ": aborted");
    self->phase_ = phase::closing;
    beast::error_code ignored;
    beast::get_lowest_layer(self->ws_).socket().close(ignored);
  });
}

template <class Stream>
void websocket_session<Stream>::cut(disconnect_reason reason, std::string_view why) {
  if (phase_ == phase::ended) return;
  log_warn(who(), ": disconnecting, ", why);
  state_->metrics.disconnect(reason);
  phase_ = phase::closing;
  // No close handshake: the peer is not reading, so a close frame would only wait behind the rest.
  // Closing the socket completes the pending read (operation_aborted), which ends the session.
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

template <class Stream>
void websocket_session<Stream>::end() {
  if (phase_ == phase::ended && !joined_) return;
  phase_ = phase::ended;
  queue_.clear();
  state_->metrics.queued_bytes.add(-static_cast<double>(queued_bytes_));
  queued_bytes_ = 0;
  ticket_.end_login();  // a login whose connection is gone is not in progress for us any more
  if (!joined_) return;
  joined_ = false;
  // on_close before leaving the registry: leaving the last one may let a stopping server finish.
  try {
    state_->handler.on_close(handle_);
  } catch (const std::exception& e) {
    log_error(who(), ": on_close threw: ", e.what());
  }
  state_->metrics.connections.dec();
  log_limited(log_flood::connection, log_level::info, who(), ": closed");
  state_->sessions.leave(id_);
}

template class websocket_session<plain_stream>;
template class websocket_session<tls_stream>;

}  // namespace cati::net
