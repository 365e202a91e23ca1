#include "connection.hpp"

#include <cstdio>

namespace cati::bench {

void run_stats::error(const std::string& what) {
  if (errors++ == 0) first_error = what;
  if (errors <= 5) std::fprintf(stderr, "cati-load: %s\n", what.c_str());
}

connection::connection(boost::asio::io_context& ioc, run_stats& stats, std::string name)
    : ioc_(ioc), stats_(stats), name_(std::move(name)), timer_(ioc) {}

void connection::connect(const client::url& server) {
  client::detail::transport_handlers handlers;
  handlers.on_open = [this] { opened(); };
  handlers.on_frame = [this](std::string frame) {
    if (!stopped_) received(frame);
  };
  handlers.on_closed = [this](client::error why) {
    if (!stopped_) fail("connection closed: " + why.message);
  };
  // A generous connect timeout: thousands of connections queue at the listener of a busy server.
  transport_ = client::detail::make_transport(ioc_, server, {}, std::chrono::seconds(60), std::move(handlers));
  transport_->start();
}

void connection::run(bench_clock::time_point first_due, bench_clock::duration interval) {
  if (failed_) return;
  running_ = true;
  interval_ = interval;
  next_due_ = first_due;
  if (interval == bench_clock::duration::zero() && first_due > bench_clock::now()) {
    // Closed loop too starts at the window, not before (--settle).
    timer_.expires_at(first_due);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec && !stopped_) schedule_next();
    });
    return;
  }
  schedule_next();
}

void connection::stop() {
  if (stopped_) return;
  stopped_ = true;
  running_ = false;
  timer_.cancel();
  if (transport_) transport_->abort();
}

void connection::send(std::string frame) {
  if (transport_ && !stopped_) transport_->send(std::move(frame));
}

void connection::setup_done() {
  if (setup_reported_) {
    step_done();  // setup again (a new case) in the middle of the loop: the loop goes on
    return;
  }
  setup_reported_ = true;
  ++stats_.ready;
}

void connection::acknowledged() {
  const auto now = bench_clock::now();
  ++stats_.all_acks;
  if (stats_.in_window(now)) ++stats_.acks;
  if (stats_.in_window(current_due_))
    stats_.latency.add(std::chrono::duration_cast<std::chrono::microseconds>(now - current_due_).count());
}

void connection::step_done() {
  if (stats_.in_window(current_due_))
    stats_.step.add(std::chrono::duration_cast<std::chrono::microseconds>(bench_clock::now() - current_due_).count());
  if (running_) schedule_next();
}

void connection::fail(const std::string& what) {
  if (failed_ || stopped_) return;
  failed_ = true;
  stats_.error(name_ + ": " + what);
  stop();
}

void connection::schedule_next() {
  const auto now = bench_clock::now();
  if (now >= stats_.window_end || (stats_.ack_limit != 0 && stats_.all_acks >= stats_.ack_limit)) {
    running_ = false;
    if (stats_.ack_limit != 0 && stats_.all_acks >= stats_.ack_limit) stats_.limit_reached = true;
    return;
  }
  if (interval_ == bench_clock::duration::zero()) {
    current_due_ = now;
    send_request();
    return;
  }
  current_due_ = next_due_;
  next_due_ += interval_;
  if (current_due_ <= now) {
    if (now - current_due_ > std::chrono::milliseconds(1)) ++stats_.late_sends;
    send_request();
    return;
  }
  timer_.expires_at(current_due_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && !stopped_) send_request();
  });
}

}  // namespace cati::bench
