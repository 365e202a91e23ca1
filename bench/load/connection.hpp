// One load connection on the shared io_context, over the client library's transport, and the pacing
// every kind of connection shares. A connection first does its unpaced setup (an echo connection has
// none; a terminal logs in, takes a case, starts an interview); then, once run() starts the measured
// window, it sends one request at a time:
// - closed loop (interval 0): the next request as soon as the previous step is done; latency is
//   measured from the send;
// - fixed rate: request k is due at start + k * interval. When the previous step is late the request
//   goes out late, and its latency still counts from its due time (no coordinated omission: a stall
//   shows as the latency of every request it delayed, not as one slow sample).
// Single-threaded: every member runs on the io_context's one thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "latency.hpp"
#include "lib/transport.hpp"
#include "lib/url.hpp"

namespace cati::bench {

using bench_clock = std::chrono::steady_clock;

// What all connections of one run share (one thread: no locking).
struct run_stats {
  bench_clock::time_point window_start = bench_clock::time_point::max();
  bench_clock::time_point window_end = bench_clock::time_point::max();
  std::uint64_t acks = 0;         // acknowledgements received inside the window
  std::uint64_t late_sends = 0;   // fixed rate: requests sent after their due time (the schedule slipped)
  latency_recorder latency;       // for the requests due inside the window: due time to ack
  latency_recorder step;          // the same requests, due time to the end of their step (a terminal: the
                                  // next screen), which is when the next request may go
  std::size_t ready = 0;          // connections through their setup
  std::uint64_t ack_limit = 0;    // not 0: the paced loops stop once this many acks are in (--answers)
  std::uint64_t all_acks = 0;     // acks received, inside the window or not
  bool limit_reached = false;     // all_acks reached ack_limit and a loop stopped on it
  std::uint64_t errors = 0;
  std::string first_error;

  void error(const std::string& what);
  bool in_window(bench_clock::time_point t) const { return t >= window_start && t < window_end; }
};

class connection {
 public:
  connection(boost::asio::io_context& ioc, run_stats& stats, std::string name);
  virtual ~connection() = default;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  void connect(const client::url& server);
  // Starts the paced loop: the first request is due at `first_due`, then one every `interval` (zero:
  // closed loop).
  void run(bench_clock::time_point first_due, bench_clock::duration interval);
  // Closes the connection; no handler runs afterwards.
  void stop();
  bool failed() const { return failed_; }

 protected:
  // The subclass's protocol.
  virtual void opened() = 0;
  virtual void received(const std::string& frame) = 0;
  // Sends the paced request.
  virtual void send_request() = 0;

  void send(std::string frame);
  // Setup finished: counted as ready; the paced loop starts when run() is called.
  void setup_done();
  // The paced request was acknowledged (counts it and its latency).
  void acknowledged();
  // The step is over (for a terminal: the next screen arrived): the next request may go.
  void step_done();
  // Stops this connection and reports why.
  void fail(const std::string& what);
  const std::string& name() const { return name_; }

 private:
  void schedule_next();

  boost::asio::io_context& ioc_;
  run_stats& stats_;
  std::string name_;
  std::shared_ptr<client::detail::transport> transport_;
  boost::asio::steady_timer timer_;
  bool running_ = false, failed_ = false, stopped_ = false, setup_reported_ = false;
  bench_clock::duration interval_{0};
  bench_clock::time_point next_due_{}, current_due_{};
};

}  // namespace cati::bench
