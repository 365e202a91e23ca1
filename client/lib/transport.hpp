// One WebSocket connection to the server (internal to the library): resolve, TCP connect, TLS handshake
// for wss (peer verified against the system's or a given CA unless insecure), WebSocket handshake with
// subprotocol "cati.v1", then binary frames both ways through a FIFO write queue (one write in flight).
// Keep-alive pings detect a dead server; a frame larger than 4 MiB closes the connection.
//
// A transport is used once: the session makes a new one for every connection attempt. Its handlers run on
// the io_context's thread, which is also the only thread that may call it. on_closed is called exactly
// once, after a failure to connect or the loss of an open connection, unless abort() came first.
// Beast stays out of this header so the session (and the front ends) compile without it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "lib/error.hpp"
#include "lib/url.hpp"

namespace boost::asio {
class io_context;
}

namespace cati::client::detail {

struct tls_options {
  std::string ca_file;    // PEM; empty: the system's trust store
  bool insecure = false;  // do not verify the server's certificate (tests with self-signed certificates)
};

struct transport_handlers {
  std::function<void()> on_open;
  std::function<void(std::string frame)> on_frame;
  std::function<void(error why)> on_closed;  // connect_failed before on_open, connection_lost after
};

class transport {
 public:
  virtual ~transport() = default;
  virtual void start() = 0;
  virtual void send(std::string frame) = 0;  // before on_open or after on_closed: dropped
  virtual void abort() = 0;                  // close the socket now; no handler is called afterwards
};

std::shared_ptr<transport> make_transport(boost::asio::io_context& ioc, const url& server, const tls_options& tls,
                                          std::chrono::milliseconds connect_timeout, transport_handlers handlers);

}  // namespace cati::client::detail
