#include "lib/session.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <cassert>
#include <thread>

#include "lib/event_queue.hpp"
#include "lib/interview_tracker.hpp"
#include "lib/journal.hpp"
#include "lib/outbox.hpp"
#include "lib/server_rotation.hpp"
#include "lib/transport.hpp"
#include "lib/url.hpp"

namespace cati::client {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

namespace {

constexpr auto tick_period = std::chrono::milliseconds(100);

// Request ids must not repeat across restarts of the terminal (journaled requests keep theirs), so they
// start from the wall clock in microseconds: far above any id an earlier run could have reached.
request_id first_request_id() {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return static_cast<request_id>(us.count()) + 1;
}

request_kind kind_of(const v1::ClientMessage& m) {
  switch (m.body_case()) {
    case v1::ClientMessage::kAnswer: return request_kind::answer;
    case v1::ClientMessage::kBack: return request_kind::back;
    case v1::ClientMessage::kSuspend: return request_kind::suspend;
    default: return request_kind::none;
  }
}

interview_tracker::stamp stamp_of(const v1::ClientMessage& m) {
  switch (m.body_case()) {
    case v1::ClientMessage::kAnswer:
      return {m.answer().interview_id(), static_cast<std::uint32_t>(m.answer().seq()), m.answer().question()};
    case v1::ClientMessage::kBack: return {m.back().interview_id(), static_cast<std::uint32_t>(m.back().seq()), {}};
    case v1::ClientMessage::kSuspend: return {m.suspend().interview_id(), static_cast<std::uint32_t>(m.suspend().seq()), {}};
    default: return {};
  }
}

}  // namespace

class session::impl {
 public:
  using fill_request = std::function<std::optional<error>(v1::ClientMessage&, const interview_tracker&)>;
  using fill_stamped = std::function<void(v1::ClientMessage&, const interview_tracker::stamp&)>;

  explicit impl(session_options options)
      : options_(std::move(options)),
        next_id_(first_request_id()),
        retry_timer_(ioc_),
        tick_timer_(ioc_) {}

  // ---- called on the front end's threads ----------------------------------------------------------

  void start() {
    if (started_.exchange(true)) return;
    work_.emplace(ioc_.get_executor());
    asio::post(ioc_, [this] { do_start(); });
    thread_ = std::thread([this] { ioc_.run(); });
  }

  void stop() {
    if (!started_ || stopped_.exchange(true)) return;
    assert(std::this_thread::get_id() != thread_.get_id() && "stop() from the event handler would deadlock");
    asio::post(ioc_, [this] { do_stop(); });
    thread_.join();
  }

  request_id request(request_kind kind, fill_request fill) {
    const request_id id = next_id_++;
    asio::post(ioc_, [this, id, kind, fill = std::move(fill)] { do_request(id, kind, fill); });
    return id;
  }

  request_id stamped(request_kind kind, std::string question, fill_stamped fill) {
    const request_id id = next_id_++;
    asio::post(ioc_, [this, id, kind, question = std::move(question), fill = std::move(fill)] {
      do_stamped(id, kind, question, fill);
    });
    return id;
  }

  request_id login(std::string user, std::string password) {
    const request_id id = next_id_++;
    asio::post(ioc_, [this, id, user = std::move(user), password = std::move(password)]() mutable {
      do_login(id, std::move(user), std::move(password));
    });
    return id;
  }

  std::optional<event> poll(std::chrono::milliseconds timeout) { return queue_.pop(timeout); }

  session_options options_;
  event_handler handler_;
  std::atomic<connection_state> state_{connection_state::idle};
  std::atomic<std::size_t> unacked_{0};
  std::atomic<std::size_t> outstanding_{0};

 private:
  // ---- everything below runs on the io thread -----------------------------------------------------

  void emit(event e) {
    if (handler_) {
      handler_(std::move(e));
    } else {
      queue_.push(std::move(e));
    }
  }

  void set_state(connection_state s, std::optional<error> cause = {}, std::chrono::milliseconds retry_in = {}) {
    state_ = s;
    emit(state_event{s, unacked_.load(), std::move(cause), retry_in});
  }

  // While not online, the front end shows how many answers wait ("offline, 3 answers waiting").
  void update_unacked() {
    outstanding_ = outbox_.size();
    const std::size_t n = outbox_.journaled();
    if (n == unacked_.exchange(n)) return;
    if (state_ != connection_state::online) emit(state_event{state_.load(), n, {}, {}});
  }

  void do_start() {
    auto parsed = parse_url_list(options_.url);
    if (!parsed) {
      set_state(connection_state::stopped, parsed.error());
      return;
    }
    rotation_.emplace(std::move(*parsed), options_.backoff,
                      options_.seed != 0 ? options_.seed
                                         : static_cast<std::uint64_t>(steady::now().time_since_epoch().count()));
    if (!options_.user.empty()) {
      if (auto s = open_journal(options_.user); !s) emit(failed_event{0, request_kind::login, s.error(), {}, 0});
    }
    connect();
  }

  void do_stop() {
    stopping_ = true;
    retry_timer_.cancel();
    tick_timer_.cancel();
    if (transport_) transport_->abort();
    transport_.reset();
    // Journaled requests stay in the journal file: the next run sends them.
    for (auto& p : outbox_.take_all()) {
      if (!is_journaled(p.kind) && !p.internal) {
        emit(failed_event{p.id, p.kind, error{errc::stopped, "the session was stopped"}, {}, 0});
      }
    }
    outstanding_ = 0;  // unacked_ stays: those answers wait in the journal file
    set_state(connection_state::stopped);
    ++generation_;
    work_.reset();
    // Operations the abort cancelled may still be queued; none of them has anything left to do, and
    // waiting for them could wait for a peer. Their handlers are destroyed with the io_context.
    ioc_.stop();
  }

  // ---- the connection -------------------------------------------------------------------------------

  void connect() {
    if (stopping_) return;
    set_state(connection_state::connecting);
    const std::uint64_t gen = ++generation_;
    detail::transport_handlers handlers;
    handlers.on_open = [this, gen] {
      if (gen == generation_) on_open();
    };
    handlers.on_frame = [this, gen](std::string frame) {
      if (gen == generation_) on_frame(frame);
    };
    handlers.on_closed = [this, gen](error why) {
      if (gen != generation_) return;
      rotation_->lost();
      on_closed(std::move(why));
    };
    transport_ = detail::make_transport(ioc_, rotation_->current(), {options_.ca_file, options_.insecure}, options_.connect_timeout,
                                        std::move(handlers));
    transport_->start();
  }

  void on_open() {
    open_ = true;
    set_state(connection_state::connected);
    if (!outbox_.contains(request_kind::login)) {
      if (!token_.empty()) {
        push_internal(request_kind::resume, [&](v1::ClientMessage& m) { m.mutable_resume_session()->set_token(token_); });
      } else if (!password_.empty()) {
        push_internal(request_kind::login, [&](v1::ClientMessage& m) { fill_login(m, user_, password_); });
      }
    }
    pump();
  }

  void on_closed(error why) {
    transport_.reset();
    open_ = false;
    logged_in_ = false;
    outbox_.drop_internal();
    outbox_.mark_unsent();
    if (stopping_) return;
    const auto delay = rotation_->next();
    set_state(connection_state::offline, std::move(why), delay);
    retry_timer_.expires_after(delay);
    retry_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec && !stopping_) connect();
    });
  }

  // A standby answered: the next connection goes where it says the active server is, or to the next
  // server of the list (server_rotation's rule).
  void on_standby(const v1::Error& e) {
    emit(notice_event{rotation_->current().text() + " is a standby: " + e.message()});
    rotation_->standby_named(e.active_server());
    ++generation_;  // the old transport's handlers go quiet
    if (transport_) transport_->abort();
    on_closed(error{errc::standby, e.message()});
  }

  // The server says our session is gone (not logged in, shutting down): start over with a new
  // connection, which resumes or logs in again and resends what is unacknowledged.
  void restart_connection(error why) {
    // Until an answer goes through again, logging in does not reset the backoff: a server that accepts
    // the login and then refuses the resend must not be hammered ten times a second.
    server_trouble_ = true;
    ++generation_;  // the old transport's handlers go quiet
    if (transport_) transport_->abort();
    on_closed(std::move(why));
  }

  // ---- messages from the server ---------------------------------------------------------------------

  void on_frame(const std::string& frame) {
    v1::ServerMessage message;
    if (!message.ParseFromString(frame)) {
      emit(notice_event{"the server sent an unreadable frame (" + std::to_string(frame.size()) + " bytes)"});
      return;
    }
    // Not an answer to the request: the request stays queued and goes to the active server.
    if (message.has_error() && message.error().code() == v1::Error::STANDBY) {
      on_standby(message.error());
      return;
    }
    tracker_.observe(message);
    if (message.has_login_ok()) token_ = message.login_ok().token();
    if (message.has_notice() && message.notice().kind() == v1::Notice::LOGGED_OUT) {
      token_.clear();
      // Pushed (not the reply to our Logout): another login took the session, or a supervisor ended it.
      // Logging in again by ourselves would take it back, and the two terminals would take it from each
      // other for ever: only the person at this terminal may decide to log in again.
      if (message.request_id() == 0) password_.clear();
      if (logged_in_ && open_) set_state(connection_state::connected);
      logged_in_ = false;
    }
    const request_id id = message.request_id();
    pending_request* p = id == 0 ? nullptr : outbox_.find(id);
    if (p == nullptr) {  // a push, or a late reply to a request that timed out
      emit(message_event{std::move(message), request_kind::none, false});
      return;
    }
    if (is_journaled(p->kind) && !on_journaled_reply(*p, message)) return;
    const request_kind kind = p->kind;
    const bool internal = p->internal;
    const bool settled = settles(kind, message.body_case());
    if (settled) outbox_.take(id);
    const auto body = message.body_case();
    const error err = message.has_error() ? from_wire(message.error()) : error{};
    update_unacked();
    // State changes a reply causes are reported before the reply: a front end waiting for the LoginOk
    // has seen "online" by then.
    if (settled && is_auth(kind) && body == v1::ServerMessage::kLoginOk) {
      logged_in_ = true;
      rotation_->logged_in(!server_trouble_);
      set_state(connection_state::online);
    }
    emit(message_event{std::move(message), kind, settled});
    if (settled) on_settled(kind, internal, body, err);
    update_unacked();
    pump();
  }

  // Journal bookkeeping for a reply to Answer/Back/Suspend. Returns false when it handled the reply
  // completely (a refusal, or a transient error that restarts the connection).
  bool on_journaled_reply(pending_request& p, v1::ServerMessage& message) {
    if (!message.has_error()) {
      server_trouble_ = false;
      if (!p.acked) {
        journal_remove(p.id);
        p.acked = true;
      }
      return true;
    }
    const error err = from_wire(message.error());
    if (!is_refusal(err.code)) {
      emit(message_event{std::move(message), p.kind, false});
      restart_connection(err);
      return false;
    }
    const pending_request refused = *outbox_.take(p.id);
    journal_remove(refused.id);
    // A stale seq on a resend means the server is already past it: it was applied, nothing else is lost.
    std::vector<pending_request> dropped;
    if (err.code != errc::stale_sequence) {
      tracker_.refused(refused.interview_id, refused.seq);
      dropped = outbox_.take_journaled_after(refused.interview_id, refused.seq);
      for (const auto& d : dropped) journal_remove(d.id);
    }
    update_unacked();  // before the events, so a front end reading unacked() on them sees the new count
    emit(message_event{std::move(message), refused.kind, true});
    for (const auto& d : dropped) {
      const std::string why = "seq " + std::to_string(refused.seq) + " was refused (" +
                              std::string(to_string(err.code)) + "), so seq " + std::to_string(d.seq) +
                              " cannot follow it";
      emit(failed_event{d.id, d.kind, error{errc::dropped, why}, d.interview_id, d.seq});
    }
    pump();
    return false;
  }

  void on_settled(request_kind kind, bool internal, v1::ServerMessage::BodyCase body, const error& err) {
    if (is_auth(kind) && body == v1::ServerMessage::kLoginOk) return;  // handled before the reply went out
    if (kind == request_kind::resume) {
      token_.clear();
      if (err.code == errc::session_taken_over) {
        // Woken after another terminal took the session (or a supervisor ended it): not by ourselves.
        password_.clear();
        emit(notice_event{"the session was taken over or ended: " + err.message});
      } else if (!password_.empty()) {
        emit(notice_event{"the session could not be resumed (" + std::string(to_string(err.code)) + "): logging in again"});
        push_internal(request_kind::login, [&](v1::ClientMessage& m) { fill_login(m, user_, password_); });
      } else {
        emit(notice_event{"the session could not be resumed (" + std::string(to_string(err.code)) + "): log in again"});
      }
    } else if (kind == request_kind::login) {
      if (err.code == errc::bad_credentials) password_.clear();
      if (internal) emit(notice_event{"logging in again failed (" + std::string(to_string(err.code)) + ")"});
    } else if (kind == request_kind::logout) {
      token_.clear();
      password_.clear();
      logged_in_ = false;
      if (open_) set_state(connection_state::connected);
    }
  }

  // ---- requests -------------------------------------------------------------------------------------

  void pump() {
    if (!open_ || !transport_) return;
    for (const pending_request* p : outbox_.pick_sendable(logged_in_)) transport_->send(p->frame);
    arm_tick();
  }

  void arm_tick() {
    if (ticking_ || stopping_ || !outbox_.has_deadlines()) return;
    ticking_ = true;
    tick_timer_.expires_after(tick_period);
    tick_timer_.async_wait([this](boost::system::error_code ec) {
      ticking_ = false;
      if (ec || stopping_) return;
      expire();
      arm_tick();
    });
  }

  void expire() {
    bool auth_expired = false;
    for (auto& p : outbox_.take_expired(steady::now())) {
      auth_expired = auth_expired || is_auth(p.kind);
      const std::string why = "no reply to " + std::string(to_string(p.kind)) + " within " +
                              std::to_string(options_.request_timeout.count()) + " ms";
      emit(failed_event{p.id, p.kind, error{errc::timeout, why}, {}, 0});
    }
    update_unacked();
    // A server that does not answer a login is not one to keep talking to.
    if (auth_expired && open_) restart_connection(error{errc::timeout, "the server did not answer the login"});
  }

  void do_request(request_id id, request_kind kind, const fill_request& fill) {
    v1::ClientMessage m;
    m.set_request_id(id);
    if (auto e = fill(m, tracker_)) {
      emit(failed_event{id, kind, std::move(*e), {}, 0});
      return;
    }
    push(id, kind, m, false);
  }

  void do_stamped(request_id id, request_kind kind, const std::string& question, const fill_stamped& fill) {
    auto stamp = tracker_.assign(question);
    if (!stamp) {
      emit(failed_event{id, kind, error{errc::no_interview, "no interview is open"}, {}, 0});
      return;
    }
    v1::ClientMessage m;
    m.set_request_id(id);
    fill(m, *stamp);
    std::string frame = m.SerializeAsString();
    if (journal_) {
      if (auto s = journal_->append(id, frame); !s) {
        tracker_.release(*stamp);
        emit(failed_event{id, kind, s.error(), stamp->interview_id, stamp->seq});
        return;
      }
    }
    pending_request p;
    p.id = id;
    p.kind = kind;
    p.frame = std::move(frame);
    p.interview_id = stamp->interview_id;
    p.seq = stamp->seq;
    outbox_.push(std::move(p));
    update_unacked();  // "offline, N answers waiting" first, then what was queued
    emit(queued_event{id, kind, stamp->interview_id, stamp->seq, stamp->question, logged_in_ && open_});
    pump();
  }

  void do_login(request_id id, std::string user, std::string password) {
    if (auto s = open_journal(user); !s) {
      emit(failed_event{id, request_kind::login, s.error(), {}, 0});
      return;
    }
    user_ = std::move(user);
    password_ = std::move(password);
    v1::ClientMessage m;
    m.set_request_id(id);
    fill_login(m, user_, password_);
    push(id, request_kind::login, m, false);
  }

  void push(request_id id, request_kind kind, const v1::ClientMessage& m, bool internal) {
    pending_request p;
    p.id = id;
    p.kind = kind;
    p.frame = m.SerializeAsString();
    p.internal = internal;
    p.deadline = steady::now() + options_.request_timeout;
    outbox_.push(std::move(p));
    update_unacked();
    pump();
  }

  template <class Fill>
  void push_internal(request_kind kind, Fill fill) {
    v1::ClientMessage m;
    m.set_request_id(next_id_++);
    fill(m);
    push(m.request_id(), kind, m, true);
  }

  void fill_login(v1::ClientMessage& m, const std::string& user, const std::string& password) const {
    auto* login = m.mutable_login();
    login->set_user(user);
    login->set_password(password);
    login->set_client(options_.client_name);
  }

  // ---- the journal ----------------------------------------------------------------------------------

  status open_journal(const std::string& user) {
    if (user == journal_user_) return {};
    if (outbox_.journaled() > 0) {
      return error{errc::bad_input, "answers of " + journal_user_ + " are still waiting to be sent"};
    }
    journal_.reset();
    journal_user_ = user;
    if (options_.journal_dir.empty()) return {};
    auto opened = journal::open(journal::file_for(options_.journal_dir, user, journal_key()));
    if (!opened) {
      journal_user_.clear();
      return opened.error();
    }
    journal_.emplace(std::move(*opened));
    if (journal_->torn_bytes_dropped() > 0) {
      emit(notice_event{"journal " + journal_->path().string() + ": dropped a torn last record (" +
                        std::to_string(journal_->torn_bytes_dropped()) + " bytes) left by a crash"});
    }
    for (const auto& e : journal_->entries()) {
      v1::ClientMessage m;
      if (!m.ParseFromString(e.payload) || kind_of(m) == request_kind::none) {
        emit(notice_event{"journal: skipped an entry that is not an answer, back or suspend"});
        (void)journal_->remove(e.id);
        continue;
      }
      const auto s = stamp_of(m);
      tracker_.restore(s.interview_id, s.seq, s.question);
      pending_request p;
      p.id = e.id;
      p.kind = kind_of(m);
      p.frame = e.payload;
      p.interview_id = s.interview_id;
      p.seq = s.seq;
      outbox_.push(std::move(p));
    }
    update_unacked();
    return {};
  }

  // The servers a journal belongs to: the URL as given, or for several servers of one fieldwork their
  // sorted list, so that the same servers listed in another order find the same journal.
  std::string journal_key() const {
    const auto& servers = rotation_->servers();
    if (servers.size() < 2) return options_.url;
    std::vector<std::string> texts;
    for (const auto& s : servers) texts.push_back(s.text());
    std::sort(texts.begin(), texts.end());
    std::string key;
    for (const auto& t : texts) key += (key.empty() ? "" : ",") + t;
    return key;
  }

  void journal_remove(request_id id) {
    if (!journal_) return;
    if (auto s = journal_->remove(id); !s) emit(notice_event{s.error().message});
  }

  asio::io_context ioc_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<request_id> next_id_;
  event_queue queue_;

  // io thread only
  std::optional<server_rotation> rotation_;  // options_.url's servers, from do_start on
  asio::steady_timer retry_timer_;
  asio::steady_timer tick_timer_;
  std::shared_ptr<detail::transport> transport_;
  std::uint64_t generation_ = 0;
  bool open_ = false;
  bool logged_in_ = false;
  bool stopping_ = false;
  bool ticking_ = false;
  bool server_trouble_ = false;  // the last connection was restarted because the server lost our session
  std::string user_;
  std::string password_;  // kept to log in again when the token expired
  std::string token_;
  std::string journal_user_;
  std::optional<journal> journal_;
  outbox outbox_;
  interview_tracker tracker_;
};

// ---- session: the front end's side --------------------------------------------------------------------

session::session(session_options options) : impl_(std::make_unique<impl>(std::move(options))) {}
session::~session() { stop(); }

void session::set_event_handler(event_handler handler) { impl_->handler_ = std::move(handler); }
void session::start() { impl_->start(); }
void session::stop() { impl_->stop(); }
std::optional<event> session::poll(std::chrono::milliseconds timeout) { return impl_->poll(timeout); }
connection_state session::state() const { return impl_->state_.load(); }
std::size_t session::unacked() const { return impl_->unacked_.load(); }
std::size_t session::outstanding() const { return impl_->outstanding_.load(); }

namespace {

// The fill for requests whose body has no fields: just select it.
template <auto Mutable>
std::optional<error> body(v1::ClientMessage& m, const interview_tracker&) {
  (m.*Mutable)();
  return std::nullopt;
}

std::optional<std::int64_t> held_case(const std::optional<std::int64_t>& given, const interview_tracker& t) {
  return given ? given : t.case_id();
}

error no_case_error() { return error{errc::no_case, "no case is held: ask for the next case first"}; }

}  // namespace

request_id session::login(std::string user, std::string password) {
  return impl_->login(std::move(user), std::move(password));
}

request_id session::logout() { return impl_->request(request_kind::logout, body<&v1::ClientMessage::mutable_logout>); }

request_id session::next_case() {
  return impl_->request(request_kind::next_case, body<&v1::ClientMessage::mutable_next_case>);
}

request_id session::record_call(call_report report) {
  return impl_->request(request_kind::call_result,
                        [r = std::move(report)](v1::ClientMessage& m, const interview_tracker& t) -> std::optional<error> {
                          const auto case_id = held_case(r.case_id, t);
                          if (!case_id) return no_case_error();
                          auto* c = m.mutable_call_result();
                          c->set_case_id(*case_id);
                          c->set_outcome(r.outcome);
                          c->set_appointment_at(r.appointment_at);
                          c->set_personal_appointment(r.personal_appointment);
                          c->set_note(r.note);
                          c->set_number(r.number);
                          return std::nullopt;
                        });
}

request_id session::start_interview(std::string language, std::optional<std::int64_t> case_id) {
  return impl_->request(request_kind::start_interview,
                        [language = std::move(language), case_id](v1::ClientMessage& m,
                                                                  const interview_tracker& t) -> std::optional<error> {
                          const auto held = held_case(case_id, t);
                          if (!held) return no_case_error();
                          auto* s = m.mutable_start_interview();
                          s->set_case_id(*held);
                          s->set_language(language);
                          return std::nullopt;
                        });
}

request_id session::answer(std::string value, std::string question) {
  return impl_->stamped(request_kind::answer, std::move(question),
                        [value = std::move(value)](v1::ClientMessage& m, const interview_tracker::stamp& s) {
                          auto* a = m.mutable_answer();
                          a->set_interview_id(s.interview_id);
                          a->set_seq(s.seq);
                          a->set_question(s.question);
                          a->set_value(value);
                        });
}

request_id session::back() {
  return impl_->stamped(request_kind::back, {}, [](v1::ClientMessage& m, const interview_tracker::stamp& s) {
    auto* b = m.mutable_back();
    b->set_interview_id(s.interview_id);
    b->set_seq(s.seq);
  });
}

request_id session::suspend(suspend_report report) {
  return impl_->stamped(request_kind::suspend, {},
                        [r = std::move(report)](v1::ClientMessage& m, const interview_tracker::stamp& s) {
                          auto* x = m.mutable_suspend();
                          x->set_interview_id(s.interview_id);
                          x->set_seq(s.seq);
                          x->set_outcome(r.outcome);
                          x->set_appointment_at(r.appointment_at);
                          x->set_note(r.note);
                        });
}

request_id session::set_language(std::string language) {
  return impl_->request(request_kind::set_language,
                        [language = std::move(language)](v1::ClientMessage& m,
                                                         const interview_tracker& t) -> std::optional<error> {
                          if (t.interview_id().empty()) return error{errc::no_interview, "no interview is open"};
                          auto* l = m.mutable_set_language();
                          l->set_interview_id(t.interview_id());
                          l->set_language(language);
                          return std::nullopt;
                        });
}

request_id session::watch_status() {
  return impl_->request(request_kind::watch_status, body<&v1::ClientMessage::mutable_watch_status>);
}

request_id session::quota_action(quota_request request) {
  return impl_->request(request_kind::quota_action,
                        [q = std::move(request)](v1::ClientMessage& m, const interview_tracker&) -> std::optional<error> {
                          auto* a = m.mutable_quota_action();
                          a->set_kind(q.kind);
                          a->set_quota(q.quota);
                          for (const auto& v : q.values) a->add_values(v);
                          a->set_target(q.target);
                          return std::nullopt;
                        });
}

request_id session::set_clock(std::string now) {
  return impl_->request(request_kind::set_clock,
                        [now = std::move(now)](v1::ClientMessage& m, const interview_tracker&) -> std::optional<error> {
                          m.mutable_set_clock()->set_now(now);
                          return std::nullopt;
                        });
}

request_id session::ping() { return impl_->request(request_kind::ping, body<&v1::ClientMessage::mutable_ping>); }

}  // namespace cati::client
