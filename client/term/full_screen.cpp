#include "term/full_screen.hpp"

#include <iostream>

#include "lib/session.hpp"
#include "lib/text_form.hpp"
#include "term/curses_screen.hpp"
#include "term/password_prompt.hpp"
#include "term/view/term_model.hpp"
#include "term/view/term_render.hpp"

namespace cati::term {

namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int login_attempts = 3;
constexpr milliseconds key_wait{50};           // between keys the loop drains the session's events
constexpr std::chrono::seconds clock_resync{30};  // a Ping brings the study's clock back in step

// A fatal failure ends the terminal: the journal cannot keep answers safe.
std::optional<std::string> fatal_of(const client::event& e) {
  if (const auto* f = std::get_if<client::failed_event>(&e); f && f->err.fatal()) return f->err.message;
  if (const auto* s = std::get_if<client::state_event>(&e);
      s && s->state == client::connection_state::stopped && s->cause && s->cause->fatal())
    return s->cause->message;
  return std::nullopt;
}

enum class login_result { ok, refused, failed };

// Logs in before the screen starts, feeding every event to the model (a restarted terminal gets its
// case and screen right after the LoginOk).
login_result log_in(client::session& s, term_model& model, const std::string& user, const std::string& password,
                    milliseconds timeout, std::string& why) {
  const client::request_id id = s.login(user, password);
  const auto deadline = steady::now() + timeout + std::chrono::seconds(5);
  while (steady::now() < deadline) {
    auto e = s.poll(milliseconds(100));
    if (!e) continue;
    if (auto fatal = fatal_of(*e)) {
      why = *fatal;
      return login_result::failed;
    }
    // A wrong address or a server that is not running is said at once, not after the login's timeout.
    if (const auto* st = std::get_if<client::state_event>(&*e);
        st && st->cause && st->cause->code == client::errc::connect_failed) {
      why = "cannot connect: " + st->cause->message;
      return login_result::failed;
    }
    model.on_event(*e, steady::now());
    if (const auto* m = std::get_if<client::message_event>(&*e); m && m->message.request_id() == id && m->settles) {
      if (m->message.has_login_ok()) return login_result::ok;
      why = client::to_text(m->message);
      const bool again = m->message.has_error() && m->message.error().code() == v1::Error::BAD_CREDENTIALS;
      return again ? login_result::refused : login_result::failed;
    }
    if (const auto* f = std::get_if<client::failed_event>(&*e); f && f->id == id) {
      why = client::to_text(*e);
      return login_result::failed;
    }
  }
  why = "no answer to the login within the timeout";
  return login_result::failed;
}

void perform(client::session& s, const action& a) {
  struct visitor {
    client::session& s;
    void operator()(const act::next_case&) const { s.next_case(); }
    void operator()(const act::record_call& c) const { s.record_call(c.report); }
    void operator()(const act::start_interview& c) const { s.start_interview(c.language); }
    void operator()(const act::answer& c) const { s.answer(c.value, c.question); }
    void operator()(const act::back&) const { s.back(); }
    void operator()(const act::suspend& c) const { s.suspend(c.report); }
    void operator()(const act::set_language& c) const { s.set_language(c.language); }
    void operator()(const act::quit&) const {}
  };
  std::visit(visitor{s}, a);
}

}  // namespace

int run_full_screen(const term_options& options) {
  std::string user = options.user;
  if (user.empty()) {
    auto u = ask("user: ");
    if (!u || u->empty()) return 1;
    user = *u;
  }

  client::session_options so;
  so.url = options.server;
  so.user = user;
  so.journal_dir = options.journal_dir;
  so.ca_file = options.ca_file;
  so.insecure = options.insecure;
  so.request_timeout = options.reply_timeout;
  client::session session(std::move(so));
  session.start();
  term_model model(user);

  std::optional<std::string> password = options.password;
  for (int attempt = 1;; ++attempt) {
    if (!password) password = ask_hidden("password for " + user + " at " + options.server + ": ");
    if (!password) {
      std::cerr << "cati-term: no password\n";
      return 1;
    }
    std::string why;
    const login_result r = log_in(session, model, user, *password, options.reply_timeout, why);
    if (r == login_result::ok) break;
    std::cerr << "cati-term: " << why << "\n";
    if (r == login_result::failed || attempt == login_attempts) return 1;
    password.reset();
  }

  std::optional<std::string> fatal;
  {
    curses_screen screen;
    auto last_ping = steady::now();
    bool dirty = true;
    std::string shown_clock;
    while (!model.quitting() && !fatal) {
      const auto now = steady::now();
      const std::string clock_text = model.time().show(now);
      if (dirty || clock_text != shown_clock) {
        screen.draw(render(model, screen.width(), screen.height(), now));
        shown_clock = clock_text;
        dirty = false;
      }
      if (auto k = screen.read(key_wait)) {
        dirty = true;
        if (auto a = model.on_key(*k, steady::now())) perform(session, *a);
      }
      while (auto e = session.poll(milliseconds(0))) {
        dirty = true;
        if ((fatal = fatal_of(*e))) break;
        model.on_event(*e, steady::now());
      }
      if (steady::now() - last_ping > clock_resync && model.connection() == link::online) {
        session.ping();
        last_ping = steady::now();
      }
    }
  }
  if (fatal) {
    std::cerr << "cati-term: " << *fatal << "\n";
    session.stop();
    return 1;
  }
  if (session.unacked() > 0) {
    std::cerr << "cati-term: " << session.unacked()
              << " answer(s) not yet acknowledged are kept in the journal and sent when you start again\n";
  }
  session.stop();
  return 0;
}

}  // namespace cati::term
