// cati-load --mode storm (tools/bench step 5, the reconnect storm): terminals like `terminal` (log in,
// take a case, start the interview, answer the first screens, then a paced loop of Back/Answer at a fixed
// total rate) that survive the server going away. On a closed connection a terminal reconnects with
// jittered backoff, sends ResumeSession with its LoginOk token (Login with the password on
// SESSION_EXPIRED or any other error), takes the screen the server gives back, resends the Answer/Back
// that was in flight unacknowledged with the same seq and content (docs/protocol.md, "Exactly once"),
// and goes on. Given several servers (an active one and standbys: tools/bench's failover step) it finds
// the active one as the client library does (lib/server_rotation.hpp: a standby's redirect followed, the
// next server of the list tried at once, the backoff only after a round). It measures, per lost connection, the time from the loss to the first Screen after the
// re-login. After the window every terminal finishes its in-flight request (the acks are the proof), and
// --ledger FILE gets one line "interview_id seq" per AnswerAck received (setup included; a repeat's
// duplicate ack is a line too), followed by the question when the acknowledged request was an answer with
// a value (it stores one row in `answers`; a Back and a note's empty answer store none).
// Single-threaded: everything runs on the io_context's one thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "cati/v1/wire.pb.h"
#include "lib/server_rotation.hpp"
#include "lib/transport.hpp"
#include "lib/url.hpp"

namespace cati::bench {

struct storm_options {
  std::vector<client::url> servers;  // one, or an active server and its standbys
  std::size_t terminals = 16;
  double rate = 0;  // requests per second in total; 0: closed loop
  double duration = 10;
  double setup_timeout = 300;
  double drain_timeout = 60;  // after the window: until every terminal is back and acknowledged
  std::string user_prefix = "bench";
  std::string password;
  int forward = 3;
  std::string ledger;  // empty: none
};

// Runs the whole storm load; prints one JSON object on stdout. 0: no errors.
int run_storm(const storm_options& options);

struct storm_stats {
  using clock = std::chrono::steady_clock;
  clock::time_point window_end = clock::time_point::max();
  std::size_t ready = 0;
  std::uint64_t acks = 0, duplicates = 0, resent = 0;
  std::uint64_t disconnects = 0;      // connections lost (a terminal may lose several)
  std::uint64_t relogin_token = 0, relogin_password = 0, resume_refused = 0;
  std::uint64_t standby_replies = 0;  // Error{STANDBY}: a standby reached (before or during a takeover)
  std::vector<double> back_ms;        // per lost connection: loss to the first Screen after the re-login
  std::vector<std::string> ledger;  // "interview_id seq [question of the answers row it stored]"
  std::uint64_t errors = 0;
  std::string first_error;
  void error(const std::string& what);
};

class storm_terminal {
 public:
  using clock = storm_stats::clock;
  storm_terminal(boost::asio::io_context& ioc, storm_stats& stats, const storm_options& options, std::size_t index);
  storm_terminal(const storm_terminal&) = delete;
  storm_terminal& operator=(const storm_terminal&) = delete;

  void start() { connect(); }
  // Starts the paced loop: first request at `first_due`, then every `interval` (zero: closed loop).
  void run(clock::time_point first_due, clock::duration interval);
  void stop();
  bool failed() const { return failed_; }
  bool lost_once() const { return lost_once_; }
  // Logged in, nothing unacknowledged, not waiting for a screen: safe to stop after the window.
  bool quiet() const { return failed_ || (online_ && !inflight_ && !busy_); }

 private:
  void connect();
  void closed(const std::string& why);
  void frame(const std::string& bytes);
  void send(v1::ClientMessage& m);
  void login_with_password();
  void after_login();
  void on_screen(const v1::Screen& screen);
  void answer_screen();
  void send_loop_request();
  void send_step(v1::ClientMessage m);  // an Answer or Back: kept until acknowledged
  void schedule_next();
  void fire();
  void step_done();
  void fail(const std::string& what);

  boost::asio::io_context& ioc_;
  storm_stats& stats_;
  const storm_options& options_;
  std::string user_;
  std::shared_ptr<client::detail::transport> transport_;
  std::uint64_t generation_ = 0;  // handlers of an older transport are ignored
  boost::asio::steady_timer pace_timer_, retry_timer_;
  std::mt19937 rng_;
  client::server_rotation rotation_;

  std::uint64_t next_request_id_ = 1;
  std::string token_;
  bool resuming_ = false;   // ResumeSession sent on this connection, no answer yet
  bool logging_in_ = false; // until the Pong after LoginOk
  bool online_ = false;     // logged in on the current connection
  bool failed_ = false, stopped_ = false, ready_reported_ = false, lost_once_ = false;
  std::optional<clock::time_point> lost_at_;
  std::optional<std::int64_t> held_case_;
  std::optional<v1::Screen> held_screen_;
  std::optional<v1::ClientMessage> inflight_;  // the Answer/Back sent and not yet acknowledged
  bool busy_ = false;                          // a step sent, its screen not yet received
  bool standby_ = false;                       // this connection reached a standby (not a lost one)

  v1::Screen screen_;
  bool looping_ = false;
  int answered_ = 0, loop_position_ = 0;

  bool running_ = false, due_pending_ = false, armed_ = false;
  clock::duration interval_{0};
  clock::time_point next_due_{};
};

}  // namespace cati::bench
