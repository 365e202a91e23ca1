#include "net/server.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "net/listen_policy.hpp"
#include "net/listener.hpp"
#include "net/log.hpp"
#include "net/server_state.hpp"
#include "net/tls_context.hpp"

namespace cati::net {

// The handler's drain(done) may call done() late, even after the server is gone (a service bug, or a
// drain that outlived drain_timeout and the server): done() reaches the server only through this
// block, which the destructor disconnects under its lock.
struct server::stop_control {
  std::mutex mutex;
  server* owner = nullptr;
};

namespace {

asio::ip::address parse_bind_address(const std::string& text) {
  if (text == "localhost") return asio::ip::address_v4::loopback();
  boost::system::error_code ec;
  auto address = asio::ip::make_address(text, ec);
  if (ec) throw std::runtime_error("cannot listen on '" + text + "': not an IP address (nor localhost)");
  return address;
}

}  // namespace

server::server(server_options options, message_handler& handler, std::shared_ptr<metrics_registry> metrics)
    : stop_strand_(asio::make_strand(ioc_)),
      drain_timer_(stop_strand_),
      close_timer_(stop_strand_),
      metrics_(metrics ? std::move(metrics) : std::make_shared<metrics_registry>()),
      stop_(std::make_shared<stop_control>()),
      options_(std::move(options)) {
  // Protobuf writes its own decoding complaints to stderr, one per bad frame: through our rate limit.
  route_protobuf_logs();
  if (options_.tls_cert.empty() != options_.tls_key.empty()) {
    throw std::runtime_error("TLS needs both a certificate and a key (--tls-cert and --tls-key)");
  }
  std::shared_ptr<asio::ssl::context> tls;
  if (!options_.tls_cert.empty()) tls = make_tls_context(options_.tls_cert, options_.tls_key);
  tls_ = tls != nullptr;
  state_ = std::make_shared<server_state>(options_.limits, handler, metrics_, options_.files, options_.health);
  const tcp::endpoint endpoint(parse_bind_address(options_.address), options_.port);
  listener_ = std::make_shared<listener>(ioc_, endpoint, state_, std::move(tls));
  const auto bound = listener_->local_endpoint();
  port_ = bound.port();
  local_address_ = format_host_port(bound.address().to_string(), port_);
  stop_->owner = this;
}

server::~server() {
  {
    const std::lock_guard lock(stop_->mutex);
    stop_->owner = nullptr;
  }
  ioc_.stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void server::start() {
  if (started_) return;
  started_ = true;
  listener_->run();
  log_info("listening on ", local_address_, tls_ ? " (TLS)" : "", ", ", std::max(1U, options_.threads),
           " network threads");
  if (options_.announce) {
    std::printf("listening on %s\n", local_address_.c_str());
    std::fflush(stdout);
  }
  const unsigned n = std::max(1U, options_.threads);
  threads_.reserve(n);
  for (unsigned i = 0; i < n; ++i) threads_.emplace_back([this] { run_thread(); });
}

void server::run_thread() {
  for (;;) {
    try {
      ioc_.run();
      return;
    } catch (const std::exception& e) {
      // Sessions catch what their handlers throw; this is the last line, and the thread carries on.
      log_error("network thread: uncaught exception: ", e.what());
    }
  }
}

void server::wait() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void server::run() {
  start();
  wait();
}

void server::stop() {
  if (stopping_.exchange(true)) return;
  asio::post(stop_strand_, [this] { begin_stop(); });
}

void server::begin_stop() {
  listener_->stop();
  const auto open = state_->sessions.close();
  log_info("stopping: no longer accepting; telling ", open.size(), " sessions");
  cati::v1::ServerMessage notice;
  notice.mutable_notice()->set_kind(cati::v1::Notice::SHUTTING_DOWN);
  notice.mutable_notice()->set_message("the server is shutting down");
  for (const auto& s : open) s->send(notice);

  drain_timer_.expires_after(options_.drain_timeout);
  drain_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // cancelled: drained in time
    log_warn("stopping: the service did not drain within ", options_.drain_timeout.count(),
             " ms; closing sessions anyway");
    after_drain();
  });
  std::function<void()> done = [control = stop_] {
    const std::lock_guard lock(control->mutex);
    if (control->owner == nullptr) return;
    server* const owner = control->owner;
    asio::post(owner->stop_strand_, [owner] { owner->after_drain(); });
  };
  try {
    state_->handler.drain(std::move(done));
  } catch (const std::exception& e) {
    log_error("stopping: drain threw: ", e.what());
    after_drain();
  }
}

void server::after_drain() {
  if (drained_) return;
  drained_ = true;
  drain_timer_.cancel();
  const auto open = state_->sessions.snapshot();
  log_info("stopping: closing ", open.size(), " sessions");
  for (const auto& s : open) s->close(close_code::going_away);

  close_timer_.expires_after(options_.close_timeout);
  close_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    const auto left = state_->sessions.snapshot();
    log_warn("stopping: ", left.size(), " sessions did not close within ", options_.close_timeout.count(),
             " ms; cutting them");
    for (const auto& s : left) {
      state_->metrics.disconnect(disconnect_reason::shutdown_timeout);
      s->abort();
    }
    // Their reads end with operation_aborted, on_close runs, and the registry empties (below). The
    // last second is a backstop so that stop() always ends.
    close_timer_.expires_after(std::chrono::seconds(1));
    close_timer_.async_wait([this](boost::system::error_code again) {
      if (!again) finish_stop();
    });
  });
  state_->sessions.when_closed_and_empty([this] { asio::post(stop_strand_, [this] { finish_stop(); }); });
}

void server::finish_stop() {
  if (finished_) return;
  finished_ = true;
  close_timer_.cancel();
  log_info("stopping: every session closed");
  ioc_.stop();
}

void server::broadcast(const cati::v1::ServerMessage& message) {
  for (const auto& s : state_->sessions.snapshot()) s->send(message);
}

std::vector<std::shared_ptr<session>> server::sessions() const { return state_->sessions.snapshot(); }

std::size_t server::session_count() const { return state_->sessions.size(); }

}  // namespace cati::net
