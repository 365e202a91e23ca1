// A small synchronous WebSocket and HTTP client for the transport tests: one connection, each call
// blocks until done or until its timeout (so a broken server fails a test instead of hanging it).
// Built on Beast's async operations driven by a private io_context with run_for().
// Not thread-safe: one thread per client.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "cati/v1/wire.pb.h"

namespace cati::net::test {

using namespace std::chrono_literals;

struct http_result {
  int status = 0;
  std::string content_type;
  std::string body;
};

// One frame as received, or how the connection ended.
struct frame_result {
  bool ok = false;
  bool text = false;
  std::string data;
  std::string error;        // when !ok: the read's error message
  bool closed = false;      // when !ok: a WebSocket close frame arrived
  int close_code = 0;       // the code in it
  bool timed_out = false;   // when !ok: nothing within the timeout
};

struct client_options {
  std::string subprotocols = "cati.v1";  // the Sec-WebSocket-Protocol request header ("" leaves it out)
  bool tls = false;
  std::string ca_file;                   // for TLS: the server's self-signed certificate
  std::chrono::milliseconds timeout = 5s;
};

inline client_options offering(std::string subprotocols) {
  client_options o;
  o.subprotocols = std::move(subprotocols);
  return o;
}

inline client_options tls_offering(std::string subprotocols, std::string ca_file) {
  client_options o = offering(std::move(subprotocols));
  o.tls = true;
  o.ca_file = std::move(ca_file);
  return o;
}

class ws_test_client {
 public:
  explicit ws_test_client(client_options options = {});
  ~ws_test_client();
  ws_test_client(const ws_test_client&) = delete;
  ws_test_client& operator=(const ws_test_client&) = delete;

  // Connects to 127.0.0.1:port and upgrades. False on failure; status() then has the HTTP status of
  // a refused upgrade (0 if there was none), error() the reason.
  bool connect(std::uint16_t port);
  int status() const { return status_; }
  const std::string& error() const { return error_; }
  // The subprotocol the server chose.
  const std::string& subprotocol() const { return subprotocol_; }

  // Sends a message in the connection's format (binary, or JSON for cati.v1.json).
  bool send(const cati::v1::ClientMessage& message);
  // Sends raw bytes as one binary or text frame.
  bool send_frame(const std::string& data, bool text);

  frame_result read_frame(std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // Reads one frame and decodes it in the connection's format; nullopt (and error()) when that fails.
  std::optional<cati::v1::ServerMessage> receive(std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  // Starts a close handshake and waits for it.
  bool close();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  client_options options_;
  int status_ = 0;
  std::string error_;
  std::string subprotocol_;
};

// GET (or another method) over plain HTTP or HTTPS, one request per connection.
http_result http_request(std::uint16_t port, const std::string& target, const std::string& method = "GET",
                         bool tls = false, const std::string& ca_file = {});

}  // namespace cati::net::test
