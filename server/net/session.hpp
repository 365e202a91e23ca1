// session: the handle the domain service holds for one WebSocket connection, to reply and to push.
//
// Thread-safety: every member may be called from any thread. send(), close() and abort() never block:
// they post to the connection's strand and return.
// Ownership: a session is a small handle; it does not keep the connection (socket, buffers, queue)
// alive. The connection lives while it is open; once it has ended, send() and close() on its handle
// are no-ops. Keeping a std::shared_ptr<session> is therefore safe, but a std::weak_ptr<session> is
// what a service that pushes later (status, notices) should keep: lock() fails once the connection
// is gone and the transport has let go of the handle.
// This header is free of Asio and Beast: the domain service includes it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "cati/v1/wire.pb.h"

namespace cati::net {

// The WebSocket close codes the server uses (RFC 6455, section 7.4.1).
enum class close_code : std::uint16_t {
  normal = 1000,
  going_away = 1001,        // the server shuts down
  policy_violation = 1008,  // e.g. logged in elsewhere
  too_big = 1009,           // a frame over the read limit
  internal_error = 1011,
};

// Which subprotocol the client chose: "cati.v1" (binary Protobuf frames) or "cati.v1.json" (text
// frames in Protobuf's JSON mapping).
enum class wire_format { binary, json };

// What a session forwards to: the live connection, or a test double in the service's unit tests.
// Implementations are thread-safe and never block.
class session_link {
 public:
  virtual ~session_link() = default;
  virtual void send(cati::v1::ServerMessage message) = 0;
  // Two messages that go out together (an AnswerAck and the Screen that follows it), in this order with
  // nothing between them. The default sends them one by one.
  virtual void send_pair(cati::v1::ServerMessage first, cati::v1::ServerMessage second) {
    send(std::move(first));
    send(std::move(second));
  }
  virtual void close(close_code code) = 0;
  virtual void abort() = 0;
};

class session final {
 public:
  using id_type = std::uint64_t;

  // Made by the transport for every connection; tests of the service may make their own with a fake link.
  session(id_type id, std::string peer, std::string peer_address, wire_format format, bool tls,
          std::weak_ptr<session_link> link)
      : id_(id), peer_(std::move(peer)), peer_address_(std::move(peer_address)), format_(format), tls_(tls),
        link_(std::move(link)) {}

  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // Queues one message (FIFO) for this connection, encoded in its wire format, and returns.
  // A connection whose queue exceeds its bound (a client that does not read) is disconnected.
  // Messages sent after close() or after the connection ended are dropped.
  void send(cati::v1::ServerMessage message) const {
    if (auto link = link_.lock()) link->send(std::move(message));
  }

  // Queues `first` then `second` as one unit (one hand-over to the connection, one allocation for both
  // frames): the reply pair of an answer, its AnswerAck and the Screen after it. Same contract as send().
  void send_pair(cati::v1::ServerMessage first, cati::v1::ServerMessage second) const {
    if (auto link = link_.lock()) link->send_pair(std::move(first), std::move(second));
  }

  // Closes with a WebSocket close handshake, after the messages queued before it.
  void close(close_code code = close_code::normal) const {
    if (auto link = link_.lock()) link->close(code);
  }

  // Cuts the connection at once, without a close handshake; queued messages are dropped.
  void abort() const {
    if (auto link = link_.lock()) link->abort();
  }

  // False once the connection has ended (a true answer may be stale by the time it is read).
  bool is_open() const noexcept { return !link_.expired(); }

  // Unique for the life of the process, never reused; 1, 2, 3 ...
  id_type id() const noexcept { return id_; }
  // The client's address and port, "127.0.0.1:53412" or "[::1]:53412", for logs.
  const std::string& peer() const noexcept { return peer_; }
  // Just the address, "127.0.0.1" or "::1", e.g. to throttle failed logins per address.
  const std::string& peer_address() const noexcept { return peer_address_; }
  wire_format format() const noexcept { return format_; }
  bool is_json() const noexcept { return format_ == wire_format::json; }
  bool is_tls() const noexcept { return tls_; }

 private:
  const id_type id_;
  const std::string peer_;
  const std::string peer_address_;
  const wire_format format_;
  const bool tls_;
  const std::weak_ptr<session_link> link_;
};

}  // namespace cati::net
