// bench-echo: the transport's ceiling. A bare Beast WebSocket server that sends every frame back, on
// the same stack as cati-server (Asio, Beast, subprotocol cati.v1 accepted) and nothing else: no
// parsing, no storage. cati-load drives it with frames of an Answer's size; cati-server's acks per second
// set against its echoes per second say what our own code costs on top of the transport.
// Prints "listening on 127.0.0.1:PORT" (port 0: any free one), runs until SIGTERM/SIGINT.
#include <CLI/CLI.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

class session : public std::enable_shared_from_this<session> {
 public:
  explicit session(tcp::socket socket) : ws_(std::move(socket)) {}

  void start() {
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(beast::http::field::sec_websocket_protocol, "cati.v1");
    }));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;  // closed or failed: the session ends with its last handler
      self->ws_.binary(self->ws_.got_binary());
      self->ws_.async_write(self->buffer_.data(), [self](beast::error_code wec, std::size_t) {
        if (wec) return;
        self->buffer_.clear();
        self->read();
      });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
};

void accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true));
      std::make_shared<session>(std::move(socket))->start();
    }
    accept(acceptor);
  });
}

}  // namespace

int main(int argc, char** argv) {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  unsigned threads = 1;
  CLI::App app{"bench-echo: a bare Beast WebSocket echo server (the transport baseline)"};
  app.add_option("--address", address, "address to listen on");
  app.add_option("--port", port, "port; 0 picks a free one");
  app.add_option("--threads", threads, "io_context threads")->check(CLI::Range(1U, 64U));
  CLI11_PARSE(app, argc, argv);

  try {
    asio::io_context ioc(static_cast<int>(threads));
    tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address(address), port));
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](beast::error_code, int) { ioc.stop(); });
    accept(acceptor);
    const auto local = acceptor.local_endpoint();
    std::printf("listening on %s:%u\n", local.address().to_string().c_str(), static_cast<unsigned>(local.port()));
    std::fflush(stdout);
    std::vector<std::thread> extra;
    for (unsigned i = 1; i < threads; ++i) extra.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : extra) t.join();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench-echo: %s\n", e.what());
    return 1;
  }
  return 0;
}
