// A fake server, a journal directory and helpers that wait for a session's events.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fake_server.hpp"
#include "lib/session.hpp"
#include "lib/text_form.hpp"

namespace cati::client::testing {

class session_test : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cati-session-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  session_options options() const {
    session_options o;
    o.url = server_.url();
    o.journal_dir = dir_;
    o.backoff = {std::chrono::milliseconds(10), std::chrono::milliseconds(100)};
    o.request_timeout = std::chrono::milliseconds(5000);
    o.seed = 1;
    return o;
  }

  std::unique_ptr<session> make_session(session_options o) {
    auto s = std::make_unique<session>(std::move(o));
    s->start();
    return s;
  }
  std::unique_ptr<session> make_session() { return make_session(options()); }

  // Polls until `match` accepts an event (every event seen is kept in seen_); fails the test after 10 s.
  event until(session& s, const std::function<bool(const event&)>& match) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      auto e = s.poll(std::chrono::milliseconds(50));
      if (!e) continue;
      seen_.push_back(to_text(*e));
      if (match(*e)) return *e;
    }
    ADD_FAILURE() << "no matching event within 10 s; seen:\n" << seen_text();
    return notice_event{"timeout"};
  }

  // The message that settles request `id` (or the failure that ends it).
  event reply(session& s, request_id id) {
    return until(s, [id](const event& e) {
      if (const auto* m = std::get_if<message_event>(&e)) return m->settles && m->message.request_id() == id;
      if (const auto* f = std::get_if<failed_event>(&e)) return f->id == id;
      if (const auto* q = std::get_if<queued_event>(&e)) return q->id == id && !q->online;
      return false;
    });
  }

  std::string reply_text(session& s, request_id id) { return to_text(reply(s, id)); }

  void until_state(session& s, connection_state state) {
    until(s, [state](const event& e) {
      const auto* st = std::get_if<state_event>(&e);
      return st && st->state == state;
    });
  }

  // Logs in, takes the case and starts the interview: the first screen is on.
  void log_in_and_start(session& s) {
    ASSERT_EQ(reply_text(s, s.login("anna", "secret")).substr(0, 10), "login anna");
    ASSERT_EQ(reply_text(s, s.next_case()).substr(0, 7), "case 12");
    ASSERT_EQ(reply_text(s, s.start_interview()).substr(0, 9), "screen q1");
  }

  void expect_exactly_once() const {
    for (const auto& [key, count] : server_.applied()) {
      EXPECT_EQ(count, 1) << key.first << " seq " << key.second << " applied " << count << " times";
    }
  }

  std::string seen_text() const {
    std::string out;
    for (const auto& s : seen_) out += s + "\n";
    return out;
  }

  fake_server server_;
  std::filesystem::path dir_;
  std::vector<std::string> seen_;
};

}  // namespace cati::client::testing
