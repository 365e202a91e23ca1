// server: the network side of cati-server. Owns the io_context and its thread pool, the listener,
// the session registry and the metrics; hands every decoded message to the message_handler.
//
//   cati::net::server srv(options, service);  // binds now: port() is known, errors throw here
//   asio::signal_set signals(srv.context(), SIGINT, SIGTERM);
//   signals.async_wait([&](auto, int) { srv.stop(); });
//   srv.run();                                 // prints "listening on 127.0.0.1:PORT", blocks until stopped
//
// Thread-safety: stop(), broadcast(), sessions(), session_count(), metrics(), port() may be called
// from any thread, including from handlers running on the server's own threads (a signal handler's
// completion, the service's strand). start(), run() and wait() belong to the owning thread.
// Ownership: the handler must outlive the server. The server outlives its sessions' on_close calls:
// wait() returns after the last one.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cati/v1/wire.pb.h"
#include "net/message_handler.hpp"
#include "net/metrics.hpp"
#include "net/session.hpp"
#include "net/server_state.hpp"
#include "net/session_limits.hpp"
#include "net/static_files.hpp"

namespace cati::net {

class listener;

struct server_options {
  std::string address = "127.0.0.1";  // an IP address or "localhost" (binds 127.0.0.1)
  std::uint16_t port = 0;              // 0: any free port, see port()
  unsigned threads = 2;                // network threads running the io_context
  // PEM files; both set: every connection is TLS (https, wss). Both empty: plain.
  // The address policy (check_listen_address) is main's to apply before constructing the server.
  std::string tls_cert;
  std::string tls_key;
  session_limits limits;
  static_files files;  // served over plain HTTP by exact path
  // Graceful stop: how long the handler's drain() may take, then how long sessions get to finish their
  // close handshakes before their sockets are cut.
  std::chrono::milliseconds drain_timeout{10'000};
  std::chrono::milliseconds close_timeout{5'000};
  // Print "listening on 127.0.0.1:PORT" on stdout (flushed) when start() begins accepting: the line
  // scripts and tests read to learn the port.
  bool announce = true;
  // GET /healthz: 200 for a server that serves, 503 (so a load balancer skips it) for one that does not
  // (a standby), with a one-line body saying which; unset: 200 "ok". Called on network threads: it must be thread-safe and not block.
  std::function<health_report()> health;
};

class server {
 public:
  // Binds and listens. Throws std::runtime_error (TLS files), boost::system::system_error (bind).
  // `metrics`: a registry to share with the service; the server makes its own when null.
  server(server_options options, message_handler& handler, std::shared_ptr<metrics_registry> metrics = nullptr);
  // Stops at once if still running (no drain, no on_close for open sessions) and joins the threads.
  ~server();

  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // For main's signal_set, and for a service that wants its strand on the network threads.
  boost::asio::io_context& context() noexcept { return ioc_; }

  std::uint16_t port() const noexcept { return port_; }
  // "127.0.0.1:PORT" or "[::1]:PORT".
  const std::string& local_address() const noexcept { return local_address_; }
  bool tls() const noexcept { return tls_; }
  metrics_registry& metrics() noexcept { return *metrics_; }
  const std::shared_ptr<metrics_registry>& shared_metrics() const noexcept { return metrics_; }

  // Starts accepting and the thread pool; returns at once.
  void start();
  // Blocks until the server has stopped (after stop()) and its threads are joined.
  void wait();
  // start() then wait().
  void run();

  // Graceful stop, asynchronous and idempotent: stop accepting; send every session
  // Notice{SHUTTING_DOWN}; call handler.drain(done); once done (or after drain_timeout) close every
  // session with close code 1001 (going away) after its queued messages; when all have closed (or after
  // close_timeout, cutting the rest) stop the io_context. Safe from any thread, including a
  // signal_set's completion on one of the server's threads; never blocks.
  void stop();
  bool stopping() const noexcept { return stopping_.load(); }

  // Sends `message` to every open session. The lock is held only to copy the session list.
  void broadcast(const cati::v1::ServerMessage& message);
  std::vector<std::shared_ptr<session>> sessions() const;
  std::size_t session_count() const;

 private:
  struct stop_control;

  void begin_stop();
  void after_drain();
  void finish_stop();

  void run_thread();

  // Declared first so it is destroyed last: everything below may hold handlers or I/O objects of it.
  boost::asio::io_context ioc_;
  // The graceful stop's sequence runs on this strand, so it needs no lock.
  boost::asio::strand<boost::asio::io_context::executor_type> stop_strand_;
  boost::asio::steady_timer drain_timer_;
  boost::asio::steady_timer close_timer_;
  bool drained_ = false;   // on stop_strand_
  bool finished_ = false;  // on stop_strand_
  std::shared_ptr<metrics_registry> metrics_;
  std::shared_ptr<server_state> state_;
  std::shared_ptr<listener> listener_;
  std::shared_ptr<stop_control> stop_;
  server_options options_;
  std::uint16_t port_ = 0;
  std::string local_address_;
  bool tls_ = false;
  std::atomic<bool> stopping_{false};
  bool started_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace cati::net
