#include "ws_test_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <google/protobuf/util/json_util.h>

namespace cati::net::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

using plain_ws = websocket::stream<beast::tcp_stream>;
using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

// Runs the io_context until the operation started by `start` completes or `timeout` passes; on a
// timeout the connection is closed (the only way to cancel a Beast operation) and `timed_out` set.
template <class Start, class Lowest>
beast::error_code run_op(asio::io_context& ioc, std::chrono::milliseconds timeout, Lowest& lowest,
                         bool& timed_out, Start&& start) {
  std::optional<beast::error_code> result;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run_for(timeout);
  timed_out = false;
  if (!result) {
    timed_out = true;
    lowest.close();
    ioc.restart();
    ioc.run_for(std::chrono::seconds(2));
    return asio::error::timed_out;
  }
  return *result;
}

asio::ssl::context make_client_tls(const std::string& ca_file) {
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(ca_file);
  ctx.set_verify_mode(asio::ssl::verify_peer);
  return ctx;
}

}  // namespace

struct ws_test_client::impl {
  asio::io_context ioc;
  std::optional<asio::ssl::context> tls_ctx;
  std::unique_ptr<plain_ws> plain;
  std::unique_ptr<tls_ws> tls;
  beast::flat_buffer buffer;

  template <class F>
  auto visit(F&& f) {
    if (tls) return f(*tls);
    return f(*plain);
  }
};

ws_test_client::ws_test_client(client_options options) : impl_(std::make_unique<impl>()), options_(std::move(options)) {}

ws_test_client::~ws_test_client() = default;

bool ws_test_client::connect(std::uint16_t port) {
  auto& i = *impl_;
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  if (options_.tls) {
    i.tls_ctx.emplace(make_client_tls(options_.ca_file));
    i.tls = std::make_unique<tls_ws>(i.ioc, *i.tls_ctx);
    i.tls->next_layer().set_verify_callback(asio::ssl::host_name_verification("localhost"));
    SSL_set_tlsext_host_name(i.tls->next_layer().native_handle(), "localhost");
  } else {
    i.plain = std::make_unique<plain_ws>(i.ioc);
  }
  return i.visit([&](auto& ws) {
    auto& lowest = beast::get_lowest_layer(ws);
    bool timed_out = false;
    auto ec = run_op(i.ioc, options_.timeout, lowest, timed_out,
                     [&](auto handler) { lowest.async_connect(endpoint, std::move(handler)); });
    if (ec) {
      error_ = "connect: " + ec.message();
      return false;
    }
    if constexpr (std::is_same_v<std::decay_t<decltype(ws)>, tls_ws>) {
      ec = run_op(i.ioc, options_.timeout, lowest, timed_out, [&](auto handler) {
        ws.next_layer().async_handshake(asio::ssl::stream_base::client, std::move(handler));
      });
      if (ec) {
        error_ = "TLS handshake: " + ec.message();
        return false;
      }
    }
    const std::string offered = options_.subprotocols;
    ws.set_option(websocket::stream_base::decorator([offered](websocket::request_type& req) {
      if (!offered.empty()) req.set(http::field::sec_websocket_protocol, offered);
    }));
    websocket::response_type res;
    ec = run_op(i.ioc, options_.timeout, lowest, timed_out, [&](auto handler) {
      ws.async_handshake(res, "localhost:" + std::to_string(port), "/", std::move(handler));
    });
    status_ = static_cast<int>(res.result_int());
    if (ec) {
      error_ = "websocket handshake: " + ec.message();
      return false;
    }
    subprotocol_ = std::string(res[http::field::sec_websocket_protocol]);
    if (subprotocol_ == "cati.v1.json") ws.text(true);
    else ws.binary(true);
    ws.read_message_max(64 * 1024 * 1024);
    return true;
  });
}

bool ws_test_client::send(const cati::v1::ClientMessage& message) {
  std::string data;
  if (subprotocol_ == "cati.v1.json") {
    if (!google::protobuf::util::MessageToJsonString(message, &data).ok()) return false;
    return send_frame(data, true);
  }
  message.SerializeToString(&data);
  return send_frame(data, false);
}

bool ws_test_client::send_frame(const std::string& data, bool text) {
  auto& i = *impl_;
  return i.visit([&](auto& ws) {
    ws.text(text);
    bool timed_out = false;
    const auto ec = run_op(i.ioc, options_.timeout, beast::get_lowest_layer(ws), timed_out,
                           [&](auto handler) { ws.async_write(asio::buffer(data), std::move(handler)); });
    if (ec) error_ = "write: " + ec.message();
    return !ec;
  });
}

frame_result ws_test_client::read_frame(std::optional<std::chrono::milliseconds> timeout) {
  auto& i = *impl_;
  return i.visit([&](auto& ws) {
    frame_result out;
    i.buffer.clear();
    bool timed_out = false;
    const auto ec = run_op(i.ioc, timeout.value_or(options_.timeout), beast::get_lowest_layer(ws), timed_out,
                           [&](auto handler) { ws.async_read(i.buffer, std::move(handler)); });
    if (ec) {
      out.error = ec.message();
      out.timed_out = timed_out;
      // A close frame may have arrived even when the read reports another error: Beast's client
      // teardown after the close handshake can fail (e.g. ENOTCONN) once the server has gone.
      const auto code = static_cast<int>(ws.reason().code);
      if (ec == websocket::error::closed || code != 0) {
        out.closed = true;
        out.close_code = code;
      }
      return out;
    }
    out.ok = true;
    out.text = ws.got_text();
    out.data = beast::buffers_to_string(i.buffer.data());
    return out;
  });
}

std::optional<cati::v1::ServerMessage> ws_test_client::receive(std::optional<std::chrono::milliseconds> timeout) {
  auto frame = read_frame(timeout);
  if (!frame.ok) {
    error_ = "read: " + frame.error;
    return std::nullopt;
  }
  cati::v1::ServerMessage message;
  if (frame.text) {
    if (!google::protobuf::util::JsonStringToMessage(frame.data, &message).ok()) {
      error_ = "not a ServerMessage in JSON: " + frame.data;
      return std::nullopt;
    }
  } else if (!message.ParseFromString(frame.data)) {
    error_ = "not a binary ServerMessage";
    return std::nullopt;
  }
  return message;
}

bool ws_test_client::close() {
  auto& i = *impl_;
  return i.visit([&](auto& ws) {
    bool timed_out = false;
    const auto ec = run_op(i.ioc, options_.timeout, beast::get_lowest_layer(ws), timed_out, [&](auto handler) {
      ws.async_close(websocket::close_code::normal, std::move(handler));
    });
    if (ec) error_ = "close: " + ec.message();
    return !ec;
  });
}

http_result http_request(std::uint16_t port, const std::string& target, const std::string& method, bool tls,
                         const std::string& ca_file) {
  asio::io_context ioc;
  http_result out;
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "localhost:" + std::to_string(port));
  req.keep_alive(false);
  http::response<http::string_body> res;
  beast::flat_buffer buffer;
  bool timed_out = false;
  auto exchange = [&](auto& stream, auto&& handshake) {
    auto& lowest = beast::get_lowest_layer(stream);
    auto ec = run_op(ioc, std::chrono::seconds(5), lowest, timed_out,
                     [&](auto handler) { lowest.async_connect(endpoint, std::move(handler)); });
    if (!ec) ec = handshake();
    if (!ec) {
      ec = run_op(ioc, std::chrono::seconds(5), lowest, timed_out,
                  [&](auto handler) { http::async_write(stream, req, std::move(handler)); });
    }
    if (!ec) {
      ec = run_op(ioc, std::chrono::seconds(5), lowest, timed_out,
                  [&](auto handler) { http::async_read(stream, buffer, res, std::move(handler)); });
    }
    if (ec) {
      out.body = ec.message();
      return;
    }
    out.status = static_cast<int>(res.result_int());
    out.content_type = std::string(res[http::field::content_type]);
    out.body = res.body();
  };
  if (tls) {
    auto ctx = make_client_tls(ca_file);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    stream.set_verify_callback(asio::ssl::host_name_verification("localhost"));
    SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
    exchange(stream, [&] {
      return run_op(ioc, std::chrono::seconds(5), beast::get_lowest_layer(stream), timed_out, [&](auto handler) {
        stream.async_handshake(asio::ssl::stream_base::client, std::move(handler));
      });
    });
  } else {
    beast::tcp_stream stream(ioc);
    exchange(stream, [] { return beast::error_code{}; });
  }
  return out;
}

}  // namespace cati::net::test
