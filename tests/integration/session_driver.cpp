#include "integration/session_driver.hpp"

#include <gtest/gtest.h>

#include <iostream>

#include "integration/server_fixture.hpp"
#include "lib/text_form.hpp"

namespace cati::it {

namespace {

client::session_options options_for(const std::string& url, const std::filesystem::path& journal_dir) {
  client::session_options o;
  o.url = url;
  o.user = "anna";
  o.journal_dir = journal_dir;
  o.backoff = {std::chrono::milliseconds(50), std::chrono::milliseconds(500)};  // the tests wait for reconnects
  o.request_timeout = reply_wait;
  o.seed = 7;
  return o;
}

// Long enough for a reconnect through the backoff, a server restart and an Argon2id login.
constexpr auto event_wait = std::chrono::seconds(60);

}  // namespace

session_driver::session_driver(const std::string& url, const std::filesystem::path& journal_dir)
    : session_(options_for(url, journal_dir)) {
  session_.start();
}

session_driver::~session_driver() {
  session_.stop();
  if (::testing::Test::HasFailure()) std::cerr << "--- client transcript\n" << transcript_;
}

std::optional<client::event> session_driver::next(std::chrono::milliseconds timeout) {
  auto e = session_.poll(timeout);
  if (!e) return e;
  transcript_ += client::to_text(*e) + "\n";
  if (const auto* m = std::get_if<client::message_event>(&*e)) {
    if (m->message.has_screen()) screen_ = m->message.screen();
    if (m->message.has_interview_end()) end_ = m->message.interview_end();
    if (m->message.has_answer_ack()) acked_ = std::max(acked_, m->message.answer_ack().seq());
  }
  return e;
}

std::optional<v1::ServerMessage> session_driver::settle(client::request_id id) {
  while (auto e = next()) {
    if (const auto* m = std::get_if<client::message_event>(&*e); m && m->settles && m->message.request_id() == id)
      return m->message;
    if (const auto* f = std::get_if<client::failed_event>(&*e); f && f->id == id) {
      ADD_FAILURE() << "request " << id << " failed: " << f->err.message;
      return std::nullopt;
    }
  }
  ADD_FAILURE() << "no reply to request " << id;
  return std::nullopt;
}

bool session_driver::until(const std::function<bool(const client::event&)>& pred, const std::string& what) {
  while (auto e = next())
    if (pred(*e)) return true;
  ADD_FAILURE() << "never came: " << what;
  return false;
}

bool session_driver::until_idle() {
  const auto idle = [this] {
    // The Screen (or InterviewEnd) that follows the last AnswerAck has arrived too: otherwise a test
    // would read the screen before it and answer the wrong question.
    const bool screen_current = end_ || !screen_ || screen_->next_seq() > acked_;
    return session_.state() == client::connection_state::online && session_.unacked() == 0 &&
           session_.outstanding() == 0 && screen_current;
  };
  // The counters change after the events that change them were delivered: look again now and then
  // rather than only after an event.
  const auto deadline = std::chrono::steady_clock::now() + event_wait;
  const auto drain = [this] {  // every event already delivered, before the counters are read
    while (next(std::chrono::milliseconds(0))) {
    }
  };
  drain();
  while (!idle()) {
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "never online with everything acknowledged";
      return false;
    }
    next(std::chrono::milliseconds(50));
    drain();
  }
  return true;
}

}  // namespace cati::it
