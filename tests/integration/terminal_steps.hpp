// What the tests of the client library against the real server share (resilience_test.cpp,
// network_fault_test.cpp): the terminal's steps through the seed interview, driven by session_driver, and
// the check that the answers table holds each answer exactly once.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "integration/server_fixture.hpp"
#include "integration/session_driver.hpp"

namespace cati::it {
namespace client = cati::client;

// The questions answered so far whose answers make a row in the answers table (every one but notes).
using answered = std::vector<std::string>;

// Answers the screen on show with the eligible firm's answer; returns what settles it.
inline v1::ServerMessage answer_current(session_driver& d, answered& stored) {
  if (!d.screen()) {
    ADD_FAILURE() << "no screen to answer";
    return {};
  }
  const auto q = d.screen()->question();
  if (d.screen()->type() != v1::NOTE) stored.push_back(q);
  auto r = d.settle(d.session().answer(eligible_answers().at(q)));
  EXPECT_TRUE(r && (r->has_screen() || r->has_interview_end())) << q << ": " << (r ? r->DebugString() : "");
  return r.value_or(v1::ServerMessage{});
}

// Answers a question the terminal has not been shown yet (it is offline): the answer is journaled.
inline void answer_offline(session_driver& d, const std::string& question, answered& stored) {
  stored.push_back(question);
  d.session().answer(eligible_answers().at(question), question);
  d.until(
      [&](const client::event& e) {
        const auto* q = std::get_if<client::queued_event>(&e);
        return q != nullptr && q->question == question && !q->online;
      },
      "the answer to " + question + " queued offline");
}

inline bool went_offline(const client::event& e) {
  const auto* s = std::get_if<client::state_event>(&e);
  return s != nullptr && s->state == client::connection_state::offline;
}

// Logs in, takes the next case and starts its interview in Dutch; the interview id.
inline std::string begin(session_driver& d) {
  auto& s = d.session();
  auto ok = d.settle(s.login("anna", anna_password));
  EXPECT_TRUE(ok && ok->has_login_ok());
  auto card = d.settle(s.next_case());
  EXPECT_TRUE(card && card->has_case_card());
  auto first = d.settle(s.start_interview("nl"));
  EXPECT_TRUE(first && first->has_screen());
  return first && first->has_screen() ? first->screen().interview_id() : std::string{};
}

inline std::int64_t rows_of(const fieldwork_dir& fw, const std::string& interview) {
  return fw.count("SELECT COUNT(*) FROM answers WHERE interview_id = " + interview);
}

// The answers table of a finished interview holds each answer exactly once, in the order given: one
// row per question answered (no back was used), rows numbered 1..n, the eligible firm's values.
inline void expect_each_answer_once(const fieldwork_dir& fw, const std::string& interview, const answered& stored) {
  std::vector<std::string> expected;
  for (std::size_t i = 0; i < stored.size(); ++i)
    expected.push_back(std::to_string(i + 1) + " " + stored[i] + " set " + eligible_answers().at(stored[i]));
  EXPECT_EQ(answer_rows(fw, interview), expected);
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM interviews WHERE id = " + interview + " AND final_state = 'complete'"), 1);
}


}  // namespace cati::it
