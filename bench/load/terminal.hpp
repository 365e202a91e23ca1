// A simulated interviewer's terminal speaking cati.v1 (docs/protocol.md): logs in as its own user,
// takes a case (NextCase), starts the interview and answers the first `forward` screens (the setup, not
// measured). Then the paced loop alternates Back and Answer on the screens before the quota point:
// every step is a durable write (a row in `answers` and the interview's snapshot, committed before the
// AnswerAck) that uses no case and no quota, so a run of any length keeps the same load. Sequence
// numbers are the screen's next_seq, as a terminal must use them.
// An idle terminal (--mode idle) only logs in and sits: it is ready after the Pong that follows LoginOk
// and never takes a case.
// An interview that ends anyway (InterviewEnd) is followed by the next case; any Error stops the
// terminal and is reported.
#pragma once

#include <optional>

#include "cati/v1/wire.pb.h"
#include "connection.hpp"

namespace cati::bench {

struct terminal_options {
  std::string user;
  std::string password;
  int forward = 3;  // screens answered before the loop starts
  bool idle = false;  // only log in (ready after LoginOk + Pong), then sit: no case, no request
};

class terminal final : public connection {
 public:
  terminal(boost::asio::io_context& ioc, run_stats& stats, terminal_options options)
      : connection(ioc, stats, options.user), options_(std::move(options)) {}

  // A valid answer in the terminal's text form for this screen (first non-missing choice, 1 for a
  // number, a short text, "" for a note).
  static std::string answer_for(const v1::Screen& screen);

 private:
  void opened() override;
  void received(const std::string& frame) override;
  void send_request() override;

  void request(v1::ClientMessage& message);
  void answer_screen();
  void on_screen(const v1::Screen& screen);
  void resume_or_take_case();

  terminal_options options_;
  std::uint64_t next_request_id_ = 1;
  v1::Screen screen_;
  bool logging_in_ = true;    // until the Pong after LoginOk: the held case and screen come before it
  std::optional<std::int64_t> held_case_;
  std::optional<v1::Screen> held_screen_;
  bool looping_ = false;      // past the setup's forward answers
  int answered_ = 0;          // forward answers in this interview
  int loop_position_ = 0;     // the screen the loop goes Back from
};

}  // namespace cati::bench
