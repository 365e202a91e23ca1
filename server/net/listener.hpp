// listener: accepts connections on one endpoint and starts an http_session for each, over TLS when
// the server has a certificate (then every connection is TLS: https and wss), plain otherwise. Each
// connection needs a place from the connection_gate (session_limits: in all, per address); one that
// gets none is closed at once.
// Life: shared_from_this kept alive by its pending accept; stop() closes the acceptor, which ends it.
// Threading: the acceptor runs on its own strand; each accepted socket gets a new strand of its own.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <memory>

#include "net/beast_types.hpp"
#include "net/connection_gate.hpp"
#include "net/server_state.hpp"

namespace cati::net {

class listener : public std::enable_shared_from_this<listener> {
 public:
  // Opens, binds and listens at once (so the bound port is known before run()). Throws
  // boost::system::system_error naming the endpoint when that fails. `tls` may be null.
  listener(asio::io_context& ioc, const tcp::endpoint& endpoint, std::shared_ptr<server_state> state,
           std::shared_ptr<asio::ssl::context> tls);

  // The bound endpoint: the real port when 0 was asked for.
  tcp::endpoint local_endpoint() const { return endpoint_; }

  void run();
  // Thread-safe; the pending accept completes with operation_aborted and nothing else is accepted.
  void stop();

 private:
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);

  asio::io_context& ioc_;
  asio::strand<asio::io_context::executor_type> strand_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  tcp::endpoint endpoint_;
  std::shared_ptr<server_state> state_;
  std::shared_ptr<asio::ssl::context> tls_;
  std::shared_ptr<connection_gate> gate_;
  bool stopped_ = false;  // on strand_
};

}  // namespace cati::net
