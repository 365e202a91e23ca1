#include "storm_terminal.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>

#include "terminal.hpp"

namespace cati::bench {

using namespace std::chrono_literals;

void storm_stats::error(const std::string& what) {
  if (errors++ == 0) first_error = what;
  if (errors <= 5) std::fprintf(stderr, "cati-load: %s\n", what.c_str());
}

storm_terminal::storm_terminal(boost::asio::io_context& ioc, storm_stats& stats, const storm_options& options,
                               std::size_t index)
    : ioc_(ioc),
      stats_(stats),
      options_(options),
      user_(options.user_prefix + std::to_string(index)),
      pace_timer_(ioc),
      retry_timer_(ioc),
      rng_(static_cast<std::uint32_t>(index * 2654435761u + 12345)),
      // Backoff 100-200 ms at first, the ceiling doubling to 1 s: a room of terminals spread over a
      // second, not in lockstep.
      rotation_(options.servers, {std::chrono::milliseconds(200), std::chrono::milliseconds(1000)}, index * 7919 + 1) {}

void storm_terminal::connect() {
  if (stopped_) return;
  const auto g = ++generation_;
  client::detail::transport_handlers h;
  h.on_open = [this, g] {
    if (g != generation_ || stopped_) return;
    logging_in_ = true;
    held_case_.reset();
    held_screen_.reset();
    if (!token_.empty()) {
      resuming_ = true;
      v1::ClientMessage m;
      m.mutable_resume_session()->set_token(token_);
      send(m);
    } else {
      login_with_password();
    }
  };
  h.on_frame = [this, g](std::string f) {
    if (g == generation_ && !stopped_) frame(f);
  };
  h.on_closed = [this, g](client::error why) {
    if (g == generation_ && !stopped_) closed(why.message);
  };
  // A generous connect timeout: thousands of connections queue at the listener of a busy server.
  transport_ = client::detail::make_transport(ioc_, rotation_.current(), {}, std::chrono::seconds(60), std::move(h));
  transport_->start();
}

void storm_terminal::closed(const std::string&) {
  const bool was_open = logging_in_ || online_;
  online_ = logging_in_ = resuming_ = false;
  transport_.reset();
  if (was_open && !lost_at_) {
    lost_at_ = clock::now();
    lost_once_ = true;
    ++stats_.disconnects;
  }
  if (!standby_) rotation_.lost();
  standby_ = false;
  retry_timer_.expires_after(rotation_.next());
  retry_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && !stopped_) connect();
  });
}

void storm_terminal::send(v1::ClientMessage& m) {
  m.set_request_id(next_request_id_++);
  if (transport_) transport_->send(m.SerializeAsString());
}

void storm_terminal::login_with_password() {
  resuming_ = false;
  v1::ClientMessage m;
  auto* login = m.mutable_login();
  login->set_user(user_);
  login->set_password(options_.password);
  login->set_client("cati-load storm");
  send(m);
}

void storm_terminal::send_step(v1::ClientMessage m) {
  inflight_ = m;
  busy_ = true;
  send(m);
}

void storm_terminal::answer_screen() {
  v1::ClientMessage m;
  auto* a = m.mutable_answer();
  a->set_interview_id(screen_.interview_id());
  a->set_seq(screen_.next_seq());
  a->set_question(screen_.question());
  a->set_value(terminal::answer_for(screen_));
  send_step(std::move(m));
}

void storm_terminal::send_loop_request() {
  if (clock::now() >= stats_.window_end) {
    running_ = false;
    return;
  }
  if (screen_.position() == loop_position_ && screen_.can_go_back()) {
    v1::ClientMessage m;
    auto* b = m.mutable_back();
    b->set_interview_id(screen_.interview_id());
    b->set_seq(screen_.next_seq());
    send_step(std::move(m));
  } else {
    answer_screen();
  }
}

// After the Pong that follows LoginOk: the held case and screen are in.
void storm_terminal::after_login() {
  logging_in_ = false;
  online_ = true;
  rotation_.logged_in(true);
  if (held_screen_) screen_ = *held_screen_;
  if (inflight_) {
    // The request the connection took with it: the same seq and content again. Either it was stored
    // (a repeat: AnswerAck{duplicate}) or it was not (stored now); then the screen follows.
    ++stats_.resent;
    v1::ClientMessage m = *inflight_;
    busy_ = true;
    send(m);
    return;
  }
  if (due_pending_ && running_ && interval_ > clock::duration::zero()) {
    // Requests that fell due while away are not caught up in a burst: one now, the schedule from here.
    std::uniform_int_distribution<long> phase(0, std::chrono::duration_cast<std::chrono::microseconds>(interval_).count());
    next_due_ = std::max(next_due_, clock::now() + std::chrono::microseconds(phase(rng_)));
  }
  if (held_screen_) {
    busy_ = false;
    if (!looping_ && answered_ == 0 && !ready_reported_) answered_ = options_.forward;  // an earlier run's interview
    return on_screen(*held_screen_);
  }
  busy_ = false;
  v1::ClientMessage m;
  if (held_case_)
    m.mutable_start_interview()->set_case_id(*held_case_);
  else
    m.mutable_next_case();
  send(m);
}

void storm_terminal::on_screen(const v1::Screen& screen) {
  screen_ = screen;
  if (looping_) return step_done();
  if (answered_ < options_.forward) {
    ++answered_;
    return answer_screen();
  }
  looping_ = true;
  loop_position_ = screen.position();
  if (!ready_reported_) {
    ready_reported_ = true;
    ++stats_.ready;
    return;
  }
  step_done();  // a new case in the middle of the loop: the loop goes on
}

void storm_terminal::run(clock::time_point first_due, clock::duration interval) {
  if (failed_) return;
  running_ = true;
  interval_ = interval;
  next_due_ = first_due;
  schedule_next();
}

void storm_terminal::step_done() {
  if (!running_ || armed_) return;
  if (due_pending_) {
    due_pending_ = false;
    return send_loop_request();
  }
  schedule_next();
}

void storm_terminal::schedule_next() {
  const auto now = clock::now();
  if (now >= stats_.window_end) {
    running_ = false;
    return;
  }
  if (interval_ == clock::duration::zero()) return fire();
  const auto due = next_due_;
  next_due_ += interval_;
  if (due <= now) return fire();
  armed_ = true;
  pace_timer_.expires_at(due);
  pace_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    armed_ = false;
    fire();
  });
}

void storm_terminal::fire() {
  if (online_ && !busy_)
    send_loop_request();
  else
    due_pending_ = true;  // away (or mid-step): sent when back
}

void storm_terminal::frame(const std::string& bytes) {
  v1::ServerMessage m;
  if (!m.ParseFromString(bytes)) return fail("a frame that is not a ServerMessage");
  switch (m.body_case()) {
    case v1::ServerMessage::kLoginOk: {
      token_ = m.login_ok().token();
      if (lost_at_) ++(resuming_ ? stats_.relogin_token : stats_.relogin_password);
      resuming_ = false;
      // Replies come in request order: when the Ping's Pong is in, so is any held case and screen.
      v1::ClientMessage ping;
      ping.mutable_ping();
      return send(ping);
    }
    case v1::ServerMessage::kPong:
      if (logging_in_) after_login();
      return;
    case v1::ServerMessage::kCaseCard:
      if (logging_in_) {
        held_case_ = m.case_card().case_id();
        return;
      }
      {
        v1::ClientMessage start;
        start.mutable_start_interview()->set_case_id(m.case_card().case_id());
        return send(start);
      }
    case v1::ServerMessage::kNoCase:
      return fail("NoCase: " + m.no_case().ShortDebugString());
    case v1::ServerMessage::kScreen:
      if (lost_at_ && (logging_in_ || online_)) {
        // Back at its screen: the first Screen after the re-login.
        stats_.back_ms.push_back(std::chrono::duration<double, std::milli>(clock::now() - *lost_at_).count());
        lost_at_.reset();
      }
      if (logging_in_) {
        held_screen_ = m.screen();
        return;
      }
      busy_ = false;
      return on_screen(m.screen());
    case v1::ServerMessage::kAnswerAck: {
      const auto& a = m.answer_ack();
      std::string line = a.interview_id() + " " + std::to_string(a.seq());
      ++stats_.acks;
      if (a.duplicate()) ++stats_.duplicates;
      if (inflight_) {
        const bool back = inflight_->has_back();
        const auto& id = back ? inflight_->back().interview_id() : inflight_->answer().interview_id();
        const auto seq = back ? inflight_->back().seq() : inflight_->answer().seq();
        if (id == a.interview_id() && seq == a.seq()) {
          // An answer with a value is a row in `answers` (whose seq is the store's own row number, not the
          // request's); a Back, or a note's empty answer, is not.
          if (!back && !inflight_->answer().value().empty()) line += " " + inflight_->answer().question();
          inflight_.reset();
        }
      }
      stats_.ledger.push_back(std::move(line));
      return;
    }
    case v1::ServerMessage::kInterviewEnd: {
      // Not expected before the quota point; take the next case and go on.
      busy_ = false;
      inflight_.reset();
      looping_ = false;
      answered_ = 0;
      v1::ClientMessage next;
      next.mutable_next_case();
      return send(next);
    }
    case v1::ServerMessage::kError:
      if (m.error().code() == v1::Error::STANDBY) {
        // Nothing was done; the standby closes the connection and the next one goes to the active server
        // it names (or the next of the list). Not a lost session: the token stays.
        ++stats_.standby_replies;
        standby_ = true;
        rotation_.standby_named(m.error().active_server());
        logging_in_ = resuming_ = false;
        return;
      }
      if (logging_in_ && resuming_) {
        // SESSION_EXPIRED (the server forgot its tokens) or anything else: log in with the password.
        ++stats_.resume_refused;
        token_.clear();
        return login_with_password();
      }
      return fail("Error " + v1::Error::Code_Name(m.error().code()) + ": " + m.error().message());
    default:
      return;  // pushes (Notice): nothing to do
  }
}

void storm_terminal::stop() {
  if (stopped_) return;
  stopped_ = true;
  running_ = false;
  pace_timer_.cancel();
  retry_timer_.cancel();
  if (transport_) transport_->abort();
}

void storm_terminal::fail(const std::string& what) {
  if (failed_ || stopped_) return;
  failed_ = true;
  stats_.error(user_ + ": " + what);
  stop();
}

namespace {

double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size(), std::max<std::size_t>(rank, 1)) - 1];
}

std::string json_escape(const std::string& in) {
  std::string s;
  for (char c : in) {
    if (c == '"' || c == '\\') s += '\\';
    s += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  }
  return s;
}

}  // namespace

int run_storm(const storm_options& o) {
  boost::asio::io_context ioc;
  storm_stats stats;
  std::vector<std::unique_ptr<storm_terminal>> terms;
  for (std::size_t i = 0; i < o.terminals; ++i) terms.push_back(std::make_unique<storm_terminal>(ioc, stats, o, i));

  using clock = storm_stats::clock;
  const auto setup_started = clock::now();
  const auto setup_deadline =
      setup_started + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(o.setup_timeout));
  const auto window = std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(o.duration));
  const auto drain = std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(o.drain_timeout));
  double setup_seconds = 0, drain_seconds = 0;
  bool setup_complete = false;
  boost::asio::steady_timer poll(ioc);

  auto failed_count = [&] {
    std::size_t n = 0;
    for (auto& t : terms) n += t->failed() ? 1 : 0;
    return n;
  };
  // After the window: wait until every terminal is logged in with nothing unacknowledged.
  std::function<void()> wait_drain = [&] {
    const auto now = clock::now();
    std::size_t busy = 0;
    for (auto& t : terms) busy += t->quiet() ? 0 : 1;
    if (now < stats.window_end || (busy > 0 && now < stats.window_end + drain)) {
      poll.expires_after(10ms);
      poll.async_wait([&](boost::system::error_code) { wait_drain(); });
      return;
    }
    if (busy > 0)
      stats.error(std::to_string(busy) + " terminals not back at their screen with every request acknowledged " +
                  std::to_string(o.drain_timeout) + " s after the window");
    drain_seconds = std::chrono::duration<double>(now - stats.window_end).count();
    for (auto& t : terms) t->stop();
    ioc.stop();
  };
  std::function<void()> wait_setup = [&] {
    const auto now = clock::now();
    if (stats.ready + failed_count() < terms.size() && now < setup_deadline) {
      poll.expires_after(10ms);
      poll.async_wait([&](boost::system::error_code) { wait_setup(); });
      return;
    }
    setup_complete = stats.ready == terms.size();
    if (!setup_complete && failed_count() == 0)
      stats.error(std::to_string(terms.size() - stats.ready) + " terminals not set up within the setup timeout");
    setup_seconds = std::chrono::duration<double>(now - setup_started).count();
    const auto window_start = now + 50ms;
    stats.window_end = window_start + window;
    std::fprintf(stderr, "cati-load: storm window starts (setup %.2f s, window %.1f s)\n", setup_seconds, o.duration);
    std::fflush(stderr);
    const bool paced = o.rate > 0;
    const auto interval = paced ? std::chrono::duration_cast<clock::duration>(
                                      std::chrono::duration<double>(static_cast<double>(terms.size()) / o.rate))
                                : clock::duration::zero();
    for (std::size_t i = 0; i < terms.size(); ++i) {
      const auto phase =
          paced ? interval * static_cast<long>(i) / static_cast<long>(terms.size()) : clock::duration::zero();
      terms[i]->run(window_start + phase, interval);
    }
    wait_drain();
  };
  for (auto& t : terms) t->start();
  wait_setup();
  ioc.run();

  std::size_t lost = 0;
  for (auto& t : terms) lost += t->lost_once() ? 1 : 0;
  auto back = stats.back_ms;
  std::sort(back.begin(), back.end());

  if (!o.ledger.empty()) {
    std::ofstream out(o.ledger);
    for (const auto& line : stats.ledger) out << line << '\n';
    if (!out) stats.error(o.ledger + ": cannot write the ledger");
  }

  std::printf(
      "{\"mode\": \"storm\", \"connections\": %zu, \"rate_target\": %.1f, \"duration_s\": %.2f, \"setup_s\": %.2f, "
      "\"drain_s\": %.2f, \"acks\": %llu, \"duplicate_acks\": %llu, \"resent\": %llu, \"lost_connection\": %zu, "
      "\"disconnects\": %llu, \"back\": %zu, \"back_p50_ms\": %.1f, \"back_p99_ms\": %.1f, \"back_max_ms\": %.1f, "
      "\"relogin_token\": %llu, \"relogin_password\": %llu, \"resume_refused\": %llu, \"standby_replies\": %llu, "
      "\"errors\": %llu, "
      "\"first_error\": \"%s\"}\n",
      terms.size(), o.rate, o.duration, setup_seconds, drain_seconds, static_cast<unsigned long long>(stats.acks),
      static_cast<unsigned long long>(stats.duplicates), static_cast<unsigned long long>(stats.resent), lost,
      static_cast<unsigned long long>(stats.disconnects), back.size(), percentile(back, 0.5), percentile(back, 0.99),
      back.empty() ? 0.0 : back.back(), static_cast<unsigned long long>(stats.relogin_token),
      static_cast<unsigned long long>(stats.relogin_password), static_cast<unsigned long long>(stats.resume_refused),
      static_cast<unsigned long long>(stats.standby_replies),
      static_cast<unsigned long long>(stats.errors), json_escape(stats.first_error).c_str());
  return stats.errors == 0 && setup_complete ? 0 : 1;
}

}  // namespace cati::bench
