#include "net/listener.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include <sstream>
#include <variant>
#include <stdexcept>

#include "net/http_session.hpp"
#include "net/io_failure.hpp"
#include "net/log.hpp"

namespace cati::net {
namespace {

std::string endpoint_text(const tcp::endpoint& ep) {
  std::ostringstream out;
  out << ep;
  return out.str();
}

[[noreturn]] void throw_listen_error(const beast::error_code& ec, const tcp::endpoint& ep, const char* what) {
  // ec.message() ("Address already in use"), not system_error::what(), which appends Boost's source path.
  throw std::runtime_error(std::string("cannot listen on ") + endpoint_text(ep) + ": " + what + ": " + ec.message());
}

}  // namespace

listener::listener(asio::io_context& ioc, const tcp::endpoint& endpoint, std::shared_ptr<server_state> state,
                   std::shared_ptr<asio::ssl::context> tls)
    : ioc_(ioc),
      strand_(asio::make_strand(ioc)),
      acceptor_(strand_),
      retry_timer_(strand_),
      state_(std::move(state)),
      tls_(std::move(tls)),
      gate_(std::make_shared<connection_gate>(state_)) {
  beast::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) throw_listen_error(ec, endpoint, "open");
  // A restarted server gets its port back at once, even with connections of the old one in TIME_WAIT.
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) throw_listen_error(ec, endpoint, "set_option");
  acceptor_.bind(endpoint, ec);
  if (ec) throw_listen_error(ec, endpoint, "bind");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw_listen_error(ec, endpoint, "listen");
  endpoint_ = acceptor_.local_endpoint();
}

void listener::run() {
  asio::dispatch(strand_, [self = shared_from_this()] { self->do_accept(); });
}

void listener::stop() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    beast::error_code ignored;
    self->retry_timer_.cancel();
    self->acceptor_.close(ignored);
  });
}

void listener::do_accept() {
  if (stopped_) return;
  // Each connection gets its own strand: its handlers never run concurrently.
  acceptor_.async_accept(asio::make_strand(ioc_), beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (stopped_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    // E.g. out of file descriptors: log, and retry shortly instead of spinning on the same error.
    log_limited(log_flood::connection, log_level::warn, "accept: ", ec.message());
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec) self->do_accept();
    });
    return;
  }
  beast::error_code peer_ec;
  const auto remote = socket.remote_endpoint(peer_ec);
  if (peer_ec) {
    // Gone between accept and now: nothing to serve.
    log_debug("accept: peer already gone: ", peer_ec.message());
    return do_accept();
  }
  // The local tools (and a reverse proxy) connect from the loopback address: bounded by the total only.
  const auto& a = remote.address();
  const bool exempt = (a.is_v4() && a.to_v4() == asio::ip::address_v4::loopback()) ||
                      (a.is_v6() && a.to_v6() == asio::ip::address_v6::loopback());
  auto admitted = gate_->admit(remote.address().to_string(), exempt);
  if (auto* why = std::get_if<connection_gate::refusal>(&admitted)) {
    log_limited(log_flood::connection, log_level::warn, "refused ", endpoint_text(remote), ": ",
                *why == connection_gate::refusal::max_connections ? "max_connections" : "max_connections_per_address",
                " reached");
    beast::error_code ignored;
    socket.close(ignored);
    return do_accept();
  }
  auto ticket = std::get<connection_ticket>(std::move(admitted));
  // Replies are small frames written back to back (AnswerAck, then Screen): with Nagle on, the second
  // waits for the peer's delayed ACK of the first, about 40 ms per answer (measured by tools/bench).
  beast::error_code nodelay_ec;
  socket.set_option(tcp::no_delay(true), nodelay_ec);
  std::string peer = endpoint_text(remote);
  std::string address = remote.address().to_string();
  log_debug("accepted ", peer);
  if (tls_) {
    std::make_shared<http_session<tls_stream>>(tls_stream(std::move(socket), *tls_), state_, std::move(peer),
                                               std::move(address), std::move(ticket))
        ->run();
  } else {
    std::make_shared<http_session<plain_stream>>(plain_stream(std::move(socket)), state_, std::move(peer),
                                                 std::move(address), std::move(ticket))
        ->run();
  }
  do_accept();
}

}  // namespace cati::net
