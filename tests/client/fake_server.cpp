#include "fake_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "cati/v1/wire.pb.h"

namespace cati::client::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using beast::error_code;

namespace {

// What the server needs of a connection, whatever its stream.
class connection {
 public:
  virtual ~connection() = default;
  virtual void send(const v1::ServerMessage& m) = 0;
  virtual void abort() = 0;
  bool logged_in = false;
};

}  // namespace

class fake_server::impl {
 public:
  explicit impl(options o) : options_(std::move(o)), acceptor_(ioc_) {
    answers_.assign(static_cast<std::size_t>(options_.questions), "");
    if (!options_.tls_cert_file.empty()) {
      tls_.emplace(asio::ssl::context::tls_server);
      tls_->use_certificate_chain_file(options_.tls_cert_file);
      tls_->use_private_key_file(options_.tls_key_file, asio::ssl::context::pem);
    }
    open_acceptor(0);
    thread_ = std::thread([this] { ioc_.run(); });
  }

  // Handlers capture `this`: the io thread is joined here, before anything is destroyed.
  ~impl() {
    run_on_io([this] {
      error_code ec;
      acceptor_.close(ec);
      abort_all();
      work_.reset();
    });
    thread_.join();
  }

  // Runs f on the io thread and waits for it.
  template <class F>
  void run_on_io(F f) {
    std::promise<void> done;
    asio::post(ioc_, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }

  void open_acceptor(unsigned short port) {
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    do_accept();
  }

  void do_accept();
  void abort_all();
  // The replies to one request, in order; empty: no reply.
  std::vector<v1::ServerMessage> handle(connection& from, const v1::ClientMessage& m, bool& drop);

  options options_;
  asio::io_context ioc_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{ioc_.get_executor()};
  std::optional<asio::ssl::context> tls_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  unsigned short port_ = 0;
  std::vector<std::weak_ptr<connection>> connections_;

  mutable std::mutex mutex_;  // guards what the test thread reads, below
  std::map<std::pair<std::string, std::uint32_t>, int> applied_;
  std::vector<std::string> answers_;
  int logins_ = 0;
  int resumes_ = 0;
  int connection_count_ = 0;
  int drop_after_apply_ = 0;
  bool silent_pings_ = false;
  int token_generation_ = 1;
  int tokens_issued_ = 0;
  bool case_held_ = false;
  std::string interview_;  // open interview id, "" when none
  bool complete_ = false;
  bool ended_ = false;
  v1::Outcome end_outcome_ = v1::OUTCOME_UNSPECIFIED;
  std::size_t position_ = 0;  // index of the current question
  std::uint32_t last_seq_ = 0;
  std::string language_ = "nl";

 private:
  v1::ServerMessage screen(std::uint64_t request_id) const;
  v1::ServerMessage ending(std::uint64_t request_id) const;
  v1::ServerMessage case_card(std::uint64_t request_id) const;
  v1::ServerMessage login_ok(std::uint64_t request_id, const std::string& user);
  // Sequence checks shared by Answer, Back and Suspend; returns true when `out` is the whole reply.
  bool check_seq(const v1::ClientMessage& m, const std::string& interview, std::uint32_t seq,
                 std::vector<v1::ServerMessage>& out) const;
  void apply(const std::string& interview, std::uint32_t seq) { ++applied_[{interview, seq}]; last_seq_ = seq; }
  void push_resume_state(std::vector<v1::ServerMessage>& out) const;
};

namespace {

v1::ServerMessage error_reply(std::uint64_t id, v1::Error::Code code, std::string message) {
  v1::ServerMessage r;
  r.set_request_id(id);
  r.mutable_error()->set_code(code);
  r.mutable_error()->set_message(std::move(message));
  return r;
}

template <class Stream>
class ws_connection final : public connection, public std::enable_shared_from_this<ws_connection<Stream>> {
  static constexpr bool tls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  template <class... Args>
  ws_connection(fake_server::impl& server, Args&&... args) : ws_(std::forward<Args>(args)...), server_(server) {}

  void run() {
    if constexpr (tls) {
      ws_.next_layer().async_handshake(asio::ssl::stream_base::server,
                                       [self = this->shared_from_this()](error_code ec) {
                                         if (!ec) self->accept();
                                       });
    } else {
      accept();
    }
  }

  void send(const v1::ServerMessage& m) override {
    queue_.push_back(m.SerializeAsString());
    if (queue_.size() == 1) do_write();
  }

  void abort() override {
    error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

 private:
  void accept() {
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(beast::http::field::sec_websocket_protocol, "cati.v1");
    }));
    ws_.async_accept([self = this->shared_from_this()](error_code ec) {
      if (!ec) self->do_read();
    });
  }

  void do_read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (ec) return;
    v1::ClientMessage m;
    const bool ok = m.ParseFromString(beast::buffers_to_string(buffer_.data()));
    buffer_.consume(buffer_.size());
    bool drop = false;
    const auto replies = ok ? server_.handle(*this, m, drop)
                            : std::vector<v1::ServerMessage>{error_reply(0, v1::Error::MALFORMED, "not a ClientMessage")};
    if (drop) return abort();
    for (const auto& r : replies) send(r);
    do_read();
  }

  void do_write() {
    ws_.binary(true);
    ws_.async_write(asio::buffer(queue_.front()), [self = this->shared_from_this()](error_code ec, std::size_t) {
      if (ec) return;
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->do_write();
    });
  }

  websocket::stream<Stream> ws_;
  fake_server::impl& server_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
};

}  // namespace

void fake_server::impl::do_accept() {
  acceptor_.async_accept([self = this](error_code ec, tcp::socket socket) {
    if (ec) return;  // closed by set_listening(false) or the destructor
    {
      std::lock_guard lock(self->mutex_);
      ++self->connection_count_;
    }
    if (self->tls_) {
      using tls_stream = beast::ssl_stream<beast::tcp_stream>;
      auto c = std::make_shared<ws_connection<tls_stream>>(*self, std::move(socket), *self->tls_);
      self->connections_.push_back(c);
      c->run();
    } else {
      auto c = std::make_shared<ws_connection<beast::tcp_stream>>(*self, std::move(socket));
      self->connections_.push_back(c);
      c->run();
    }
    self->do_accept();
  });
}

void fake_server::impl::abort_all() {
  for (auto& w : connections_) {
    if (auto c = w.lock()) c->abort();
  }
  connections_.clear();
}

v1::ServerMessage fake_server::impl::screen(std::uint64_t request_id) const {
  v1::ServerMessage r;
  r.set_request_id(request_id);
  auto* s = r.mutable_screen();
  s->set_interview_id(interview_);
  s->set_question("q" + std::to_string(position_ + 1));
  s->set_type(v1::SINGLE);
  s->set_text(language_ == "fr" ? "Question " + std::to_string(position_ + 1) + " ?"
                                : "Vraag " + std::to_string(position_ + 1) + "?");
  for (int code = 1; code <= 3; ++code) {
    auto* c = s->add_choices();
    c->set_code(code);
    c->set_label("Keuze " + std::to_string(code));
  }
  s->set_required(true);
  s->set_current_answer(answers_[position_]);
  s->set_position(static_cast<int>(position_ + 1));
  s->set_total(options_.questions);
  s->set_language(language_);
  s->set_next_seq(last_seq_ + 1);
  s->set_can_go_back(position_ > 0);
  return r;
}

v1::ServerMessage fake_server::impl::ending(std::uint64_t request_id) const {
  v1::ServerMessage r;
  r.set_request_id(request_id);
  auto* e = r.mutable_interview_end();
  e->set_interview_id(interview_);
  e->set_case_id(12);
  e->set_outcome(end_outcome_);
  e->set_aapor_code(end_outcome_ == v1::COMPLETE ? "1.1" : "2.12");
  e->mutable_today()->set_calls(1);
  e->mutable_today()->set_completes(complete_ ? 1 : 0);
  return r;
}

v1::ServerMessage fake_server::impl::case_card(std::uint64_t request_id) const {
  v1::ServerMessage r;
  r.set_request_id(request_id);
  auto* c = r.mutable_case_card();
  c->set_case_id(12);
  c->set_firm_id("F00012");
  c->set_company("Bakkerij Peeters");
  c->set_contact_name("An Peeters");
  c->set_language("nl");
  c->add_numbers("+3231234567");
  c->set_number_to_dial("+3231234567");
  c->set_attempt(1);
  c->set_max_attempts(8);
  c->set_quota_cell("region=VLA");
  if (!interview_.empty() && !ended_) c->set_interview_id(interview_);
  (*c->mutable_frame())["region"] = "VLA";
  return r;
}

v1::ServerMessage fake_server::impl::login_ok(std::uint64_t request_id, const std::string& user) {
  v1::ServerMessage r;
  r.set_request_id(request_id);
  auto* ok = r.mutable_login_ok();
  ok->set_user(user);
  ok->set_role("interviewer");
  ok->set_token("tok-" + std::to_string(token_generation_) + "-" + std::to_string(++tokens_issued_));
  ok->set_study_id("fake_study");
  ok->set_study_version("1");
  ok->set_now("2025-10-13T09:00:00+02:00");
  return r;
}

void fake_server::impl::push_resume_state(std::vector<v1::ServerMessage>& out) const {
  if (case_held_) out.push_back(case_card(0));
  if (!interview_.empty() && !ended_) out.push_back(screen(0));
}

bool fake_server::impl::check_seq(const v1::ClientMessage& m, const std::string& interview, std::uint32_t seq,
                                  std::vector<v1::ServerMessage>& out) const {
  const auto id = m.request_id();
  if (interview.empty() || interview != interview_) {
    out.push_back(error_reply(id, v1::Error::NOT_YOUR_CASE, "not your interview: " + interview));
    return true;
  }
  if (seq == last_seq_ && seq != 0) {  // a repeat: same ack, same next screen, nothing changes
    v1::ServerMessage ack;
    ack.set_request_id(id);
    ack.mutable_answer_ack()->set_interview_id(interview);
    ack.mutable_answer_ack()->set_seq(seq);
    ack.mutable_answer_ack()->set_duplicate(true);
    out.push_back(ack);
    out.push_back(ended_ ? ending(id) : screen(id));
    return true;
  }
  if (seq < last_seq_) {
    out.push_back(error_reply(id, v1::Error::STALE_SEQUENCE, "seq " + std::to_string(seq) + " is stale"));
    return true;
  }
  if (seq > last_seq_ + 1) {
    out.push_back(error_reply(id, v1::Error::FUTURE_SEQUENCE, "expected seq " + std::to_string(last_seq_ + 1)));
    return true;
  }
  if (ended_) {
    out.push_back(error_reply(id, v1::Error::NOT_YOUR_CASE, "the interview has ended"));
    return true;
  }
  return false;
}

std::vector<v1::ServerMessage> fake_server::impl::handle(connection& from, const v1::ClientMessage& m, bool& drop) {
  std::lock_guard lock(mutex_);
  std::vector<v1::ServerMessage> out;
  const auto id = m.request_id();
  using M = v1::ClientMessage;
  if (!from.logged_in && m.body_case() != M::kLogin && m.body_case() != M::kResumeSession && m.body_case() != M::kPing) {
    out.push_back(error_reply(id, v1::Error::NOT_LOGGED_IN, "log in first"));
    return out;
  }
  auto ack = [&](const std::string& interview, std::uint32_t seq) {
    v1::ServerMessage r;
    r.set_request_id(id);
    r.mutable_answer_ack()->set_interview_id(interview);
    r.mutable_answer_ack()->set_seq(seq);
    out.push_back(r);
  };
  auto lose_reply_maybe = [&] {
    if (drop_after_apply_ > 0) {
      --drop_after_apply_;
      drop = true;
    }
  };
  switch (m.body_case()) {
    case M::kLogin:
      if (m.login().password() != options_.password) {
        out.push_back(error_reply(id, v1::Error::BAD_CREDENTIALS, "wrong user or password"));
        break;
      }
      ++logins_;
      from.logged_in = true;
      out.push_back(login_ok(id, m.login().user()));
      push_resume_state(out);
      break;
    case M::kResumeSession: {
      const std::string prefix = "tok-" + std::to_string(token_generation_) + "-";
      if (!m.resume_session().token().starts_with(prefix)) {
        out.push_back(error_reply(id, v1::Error::SESSION_EXPIRED, "the session has expired"));
        break;
      }
      ++resumes_;
      from.logged_in = true;
      out.push_back(login_ok(id, "anna"));
      push_resume_state(out);
      break;
    }
    case M::kLogout: {
      from.logged_in = false;
      v1::ServerMessage r;
      r.set_request_id(id);
      r.mutable_notice()->set_kind(v1::Notice::LOGGED_OUT);
      r.mutable_notice()->set_message("bye");
      out.push_back(r);
      break;
    }
    case M::kNextCase:
      case_held_ = true;
      out.push_back(case_card(id));
      break;
    case M::kCallResult: {
      v1::ServerMessage r;
      r.set_request_id(id);
      r.mutable_call_recorded()->set_case_id(m.call_result().case_id());
      r.mutable_call_recorded()->set_outcome(m.call_result().outcome());
      r.mutable_call_recorded()->mutable_today()->set_calls(1);
      out.push_back(r);
      break;
    }
    case M::kStartInterview:
      if (!case_held_ || m.start_interview().case_id() != 12) {
        out.push_back(error_reply(id, v1::Error::NOT_YOUR_CASE, "not your case"));
        break;
      }
      if (interview_.empty()) interview_ = "iv-12-1";
      if (!m.start_interview().language().empty()) language_ = m.start_interview().language();
      out.push_back(ended_ ? ending(id) : screen(id));
      break;
    case M::kAnswer: {
      const auto& a = m.answer();
      if (check_seq(m, a.interview_id(), static_cast<std::uint32_t>(a.seq()), out)) break;
      const std::string current = "q" + std::to_string(position_ + 1);
      if (a.question() != current) {
        out.push_back(error_reply(id, v1::Error::WRONG_QUESTION, "the current question is " + current));
        break;
      }
      if (a.value() != "1" && a.value() != "2" && a.value() != "3") {
        out.push_back(error_reply(id, v1::Error::INVALID_ANSWER, a.value() + " is not one of the choices 1, 2, 3"));
        break;
      }
      apply(a.interview_id(), static_cast<std::uint32_t>(a.seq()));
      answers_[position_] = a.value();
      if (position_ + 1 == answers_.size()) {
        ended_ = complete_ = true;
        end_outcome_ = v1::COMPLETE;
      } else {
        ++position_;
      }
      lose_reply_maybe();
      ack(a.interview_id(), static_cast<std::uint32_t>(a.seq()));
      out.push_back(ended_ ? ending(id) : screen(id));
      break;
    }
    case M::kBack: {
      if (check_seq(m, m.back().interview_id(), static_cast<std::uint32_t>(m.back().seq()), out)) break;
      apply(m.back().interview_id(), static_cast<std::uint32_t>(m.back().seq()));
      if (position_ > 0) --position_;
      lose_reply_maybe();
      ack(m.back().interview_id(), static_cast<std::uint32_t>(m.back().seq()));
      out.push_back(screen(id));
      break;
    }
    case M::kSuspend: {
      if (check_seq(m, m.suspend().interview_id(), static_cast<std::uint32_t>(m.suspend().seq()), out)) break;
      apply(m.suspend().interview_id(), static_cast<std::uint32_t>(m.suspend().seq()));
      ended_ = true;
      end_outcome_ = m.suspend().outcome();
      lose_reply_maybe();
      ack(m.suspend().interview_id(), static_cast<std::uint32_t>(m.suspend().seq()));
      out.push_back(ending(id));
      break;
    }
    case M::kSetLanguage:
      if (m.set_language().interview_id() != interview_ || interview_.empty()) {
        out.push_back(error_reply(id, v1::Error::NOT_YOUR_CASE, "not your interview"));
        break;
      }
      language_ = m.set_language().language();
      out.push_back(screen(id));
      break;
    case M::kPing: {
      if (silent_pings_) break;
      v1::ServerMessage r;
      r.set_request_id(id);
      r.mutable_pong()->set_now("2025-10-13T09:00:00+02:00");
      out.push_back(r);
      break;
    }
    case M::kWatchStatus: {
      v1::ServerMessage r;
      r.set_request_id(id);
      r.mutable_status()->set_completes(complete_ ? 1 : 0);
      r.mutable_status()->set_target(10);
      out.push_back(r);
      break;
    }
    default:
      out.push_back(error_reply(id, v1::Error::NOT_ALLOWED, "the fake server does not do that"));
      break;
  }
  return out;
}

fake_server::fake_server() : fake_server(options{}) {}
fake_server::fake_server(options o) : impl_(std::make_unique<impl>(std::move(o))) {}
fake_server::~fake_server() = default;

std::string fake_server::url() const {
  return (impl_->tls_ ? "wss://127.0.0.1:" : "ws://127.0.0.1:") + std::to_string(impl_->port_);
}

void fake_server::drop_connections() {
  impl_->run_on_io([this] { impl_->abort_all(); });
}

void fake_server::set_listening(bool listening) {
  impl_->run_on_io([this, listening] {
    if (listening) {
      if (!impl_->acceptor_.is_open()) impl_->open_acceptor(impl_->port_);
    } else {
      error_code ec;
      impl_->acceptor_.close(ec);
      impl_->abort_all();
    }
  });
}

void fake_server::drop_after_apply(int count) {
  std::lock_guard lock(impl_->mutex_);
  impl_->drop_after_apply_ = count;
}

void fake_server::silent_pings(bool silent) {
  std::lock_guard lock(impl_->mutex_);
  impl_->silent_pings_ = silent;
}

void fake_server::expire_tokens() {
  std::lock_guard lock(impl_->mutex_);
  ++impl_->token_generation_;
}

void fake_server::push_notice(const std::string& text) {
  impl_->run_on_io([this, text] {
    v1::ServerMessage r;
    r.mutable_notice()->set_kind(v1::Notice::QUOTA_CELL_CLOSED);
    r.mutable_notice()->set_message(text);
    for (auto& w : impl_->connections_) {
      if (auto c = w.lock()) c->send(r);
    }
  });
}

std::map<std::pair<std::string, std::uint32_t>, int> fake_server::applied() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->applied_;
}

std::vector<std::string> fake_server::answers() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->answers_;
}

bool fake_server::interview_complete() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->complete_;
}

int fake_server::logins() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->logins_;
}

int fake_server::resumes() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->resumes_;
}

int fake_server::connections() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->connection_count_;
}

}  // namespace cati::client::testing
