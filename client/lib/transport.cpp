#include "lib/transport.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <type_traits>

namespace cati::client::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using beast::error_code;

namespace {

constexpr std::size_t max_frame = 4u << 20;
constexpr auto idle_timeout = std::chrono::seconds(20);  // keep-alive pings at half of it
constexpr const char* subprotocol = "cati.v1";

template <class Next>
class ws_transport final : public transport, public std::enable_shared_from_this<ws_transport<Next>> {
  static constexpr bool tls = !std::is_same_v<Next, beast::tcp_stream>;

 public:
  template <class... StreamArgs>
  ws_transport(asio::io_context& ioc, url server, bool verify, std::chrono::milliseconds connect_timeout,
               transport_handlers handlers, std::shared_ptr<ssl::context> ctx, StreamArgs&&... stream_args)
      : ctx_(std::move(ctx)),
        server_(std::move(server)),
        verify_(verify),
        connect_timeout_(connect_timeout),
        handlers_(std::move(handlers)),
        resolver_(ioc),
        ws_(std::forward<StreamArgs>(stream_args)...) {}

  void start() override {
    resolver_.async_resolve(server_.host, server_.port,
                            [self = this->shared_from_this()](error_code ec, tcp::resolver::results_type r) {
                              self->on_resolve(ec, std::move(r));
                            });
  }

  void send(std::string frame) override {
    if (!open_ || closed_) return;
    queue_.push_back(std::move(frame));
    if (queue_.size() == 1) do_write();
  }

  void abort() override {
    if (closed_) return;
    closed_ = true;
    resolver_.cancel();
    error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

 private:
  void on_resolve(error_code ec, tcp::resolver::results_type results) {
    if (closed_) return;  // aborted: the operation finished anyway, go no further
    if (ec) return fail(ec, "resolve");
    beast::get_lowest_layer(ws_).expires_after(connect_timeout_);
    beast::get_lowest_layer(ws_).async_connect(
        results, [self = this->shared_from_this()](error_code e, const tcp::endpoint&) { self->on_connect(e); });
  }

  void on_connect(error_code ec) {
    if (closed_) return;  // aborted: the operation finished anyway, go no further
    if (ec) return fail(ec, "connect");
    // Small frames back to back must not wait for delayed ACKs (see the server's listener).
    error_code nodelay_ec;
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), nodelay_ec);
    if constexpr (tls) {
      auto& stream = ws_.next_layer();
      // SNI, so that a server with several names picks the right certificate.
      if (!SSL_set_tlsext_host_name(stream.native_handle(), server_.host.c_str())) {
        return fail(error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()), "TLS SNI");
      }
      if (verify_) stream.set_verify_callback(ssl::host_name_verification(server_.host));
      stream.async_handshake(ssl::stream_base::client,
                             [self = this->shared_from_this()](error_code e) { self->on_tls_handshake(e); });
    } else {
      on_tls_handshake({});
    }
  }

  void on_tls_handshake(error_code ec) {
    if (closed_) return;  // aborted: the operation finished anyway, go no further
    if (ec) return fail(ec, "TLS handshake");
    beast::get_lowest_layer(ws_).expires_never();  // the websocket stream has its own timeouts from here
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = connect_timeout_;
    timeouts.idle_timeout = idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(beast::http::field::sec_websocket_protocol, subprotocol);
      req.set(beast::http::field::user_agent, "cati-term");
    }));
    ws_.read_message_max(max_frame);
    ws_.async_handshake(response_, server_.authority(), server_.target,
                        [self = this->shared_from_this()](error_code e) { self->on_handshake(e); });
  }

  void on_handshake(error_code ec) {
    if (closed_) return;  // aborted: the operation finished anyway, go no further
    if (ec) return fail(ec, "WebSocket handshake");
    if (response_[beast::http::field::sec_websocket_protocol] != subprotocol) {
      return fail_with(error{errc::connect_failed, "the server at " + server_.authority() +
                                                       " does not speak the cati.v1 subprotocol"});
    }
    ws_.binary(true);
    open_ = true;
    if (handlers_.on_open) handlers_.on_open();
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (closed_) return;
    if (ec) return fail(ec, "read");
    std::string frame = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (handlers_.on_frame) handlers_.on_frame(std::move(frame));
    if (!closed_) do_read();
  }

  void do_write() {
    ws_.async_write(asio::buffer(queue_.front()),
                    [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(error_code ec) {
    if (closed_) return;  // aborted: the operation finished anyway, go no further
    if (ec) return fail(ec, "write");
    queue_.pop_front();
    if (!queue_.empty() && !closed_) do_write();
  }

  void fail(error_code ec, std::string_view what) {
    std::string message = std::string(what) + " " + server_.authority() + ": " + ec.message();
    if (ec == websocket::error::closed) message = "the server closed the connection";
    fail_with(error{open_ ? errc::connection_lost : errc::connect_failed, std::move(message)});
  }

  // One report per transport: the first failure wins, the echoes of the other pending operations are quiet.
  void fail_with(error why) {
    if (closed_) return;
    closed_ = true;
    error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    if (handlers_.on_closed) handlers_.on_closed(std::move(why));
  }

  std::shared_ptr<ssl::context> ctx_;  // wss: outlives ws_, which refers to it
  url server_;
  bool verify_;
  std::chrono::milliseconds connect_timeout_;
  transport_handlers handlers_;
  tcp::resolver resolver_;
  websocket::stream<Next> ws_;
  websocket::response_type response_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  bool open_ = false;
  bool closed_ = false;
};

// The SSL context for wss, or why it could not be set up (an unreadable CA file).
std::shared_ptr<ssl::context> make_tls_context(const tls_options& tls, std::string& load_error) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (tls.insecure) {
    ctx->set_verify_mode(ssl::verify_none);
    return ctx;
  }
  ctx->set_verify_mode(ssl::verify_peer);
  error_code ec;
  if (!tls.ca_file.empty()) {
    ctx->load_verify_file(tls.ca_file, ec);
    if (ec) load_error = "cannot load the CA file " + tls.ca_file + ": " + ec.message();
  } else {
    ctx->set_default_verify_paths(ec);
    if (ec) load_error = "cannot load the system's CA certificates: " + ec.message();
  }
  return ctx;
}

// A transport that only reports, on start(), why it could not be made.
class failed_transport final : public transport {
 public:
  failed_transport(asio::io_context& ioc, error why, transport_handlers handlers)
      : ioc_(ioc), why_(std::move(why)), handlers_(std::move(handlers)) {}
  void start() override {
    asio::post(ioc_, [h = handlers_.on_closed, why = why_] { if (h) h(why); });
  }
  void send(std::string) override {}
  void abort() override { handlers_ = {}; }

 private:
  asio::io_context& ioc_;
  error why_;
  transport_handlers handlers_;
};

}  // namespace

std::shared_ptr<transport> make_transport(asio::io_context& ioc, const url& server, const tls_options& tls,
                                          std::chrono::milliseconds connect_timeout, transport_handlers handlers) {
  if (!server.tls) {
    return std::make_shared<ws_transport<beast::tcp_stream>>(ioc, server, false, connect_timeout,
                                                             std::move(handlers), nullptr, ioc);
  }
  std::string load_error;
  auto ctx = make_tls_context(tls, load_error);
  if (!load_error.empty()) {
    return std::make_shared<failed_transport>(ioc, error{errc::connect_failed, load_error}, std::move(handlers));
  }
  ssl::context& ctx_ref = *ctx;
  return std::make_shared<ws_transport<beast::ssl_stream<beast::tcp_stream>>>(
      ioc, server, !tls.insecure, connect_timeout, std::move(handlers), std::move(ctx), ioc, ctx_ref);
}

}  // namespace cati::client::detail
