// The session against the fake server: replies matched to requests, reconnects, the journal's
// exactly-once delivery after a lost ack, offline queueing, a restart of the terminal.
#include <thread>

#include "lib/journal.hpp"
#include "session_fixture.hpp"

namespace cati::client::testing {
namespace {

using std::chrono::milliseconds;

using ClientSession = session_test;

bool is_message(const event& e, v1::ServerMessage::BodyCase body) {
  const auto* m = std::get_if<message_event>(&e);
  return m && m->message.body_case() == body;
}

TEST_F(ClientSession, LogsInAndRunsAWholeInterview) {
  auto s = make_session();
  log_in_and_start(*s);
  EXPECT_EQ(reply_text(*s, s->answer("2")).substr(0, 9), "screen q2");
  EXPECT_EQ(reply_text(*s, s->answer("1")).substr(0, 9), "screen q3");
  EXPECT_EQ(reply_text(*s, s->back()).substr(0, 9), "screen q2");
  EXPECT_EQ(reply_text(*s, s->answer("3")).substr(0, 9), "screen q3");
  EXPECT_EQ(reply_text(*s, s->answer("2")).substr(0, 9), "screen q4");
  EXPECT_EQ(reply_text(*s, s->answer("1")), "end iv-12-1 outcome=complete aapor=1.1 calls=1 completes=1");
  EXPECT_EQ(server_.answers(), (std::vector<std::string>{"2", "3", "2", "1"}));
  EXPECT_EQ(server_.applied().size(), 6u);
  expect_exactly_once();
  EXPECT_EQ(s->unacked(), 0u);
  EXPECT_EQ(std::filesystem::file_size(journal::file_for(dir_, "anna", server_.url())), 0u);
  EXPECT_EQ(to_text(reply(*s, s->answer("1"))), "error NO_INTERVIEW: no interview is open");
}

TEST_F(ClientSession, MatchesRepliesToRequestsAndPassesPushesOn) {
  auto s = make_session();
  reply(*s, s->login("anna", "secret"));
  const request_id ping1 = s->ping();
  const request_id next = s->next_case();
  const request_id ping2 = s->ping();
  std::map<request_id, message_event> settled;
  while (settled.size() < 3) {
    const event e = until(*s, [](const event& x) {
      const auto* m = std::get_if<message_event>(&x);
      return m && m->settles;
    });
    const auto& m = std::get<message_event>(e);
    settled[m.message.request_id()] = m;
  }
  EXPECT_EQ(settled[ping1].kind, request_kind::ping);
  EXPECT_TRUE(settled[ping1].message.has_pong());
  EXPECT_EQ(settled[next].kind, request_kind::next_case);
  EXPECT_TRUE(settled[next].message.has_case_card());
  EXPECT_EQ(settled[ping2].kind, request_kind::ping);
  EXPECT_NE(ping1, ping2);

  server_.push_notice("region=BRU is full");
  const event push = until(*s, [](const event& e) { return is_message(e, v1::ServerMessage::kNotice); });
  EXPECT_EQ(std::get<message_event>(push).kind, request_kind::none);
  EXPECT_EQ(std::get<message_event>(push).message.request_id(), 0u);
  EXPECT_EQ(to_text(push), "notice QUOTA_CELL_CLOSED region=BRU is full");
}

TEST_F(ClientSession, RefusesLocallyWhatNeedsACaseOrAnInterview) {
  auto s = make_session();
  reply(*s, s->login("anna", "secret"));
  EXPECT_EQ(to_text(reply(*s, s->answer("1"))), "error NO_INTERVIEW: no interview is open");
  EXPECT_EQ(to_text(reply(*s, s->record_call({}))), "error NO_CASE: no case is held: ask for the next case first");
  EXPECT_EQ(to_text(reply(*s, s->login("anna", "wrong"))), "error BAD_CREDENTIALS: wrong user or password");
}

TEST_F(ClientSession, ALostAckIsResentAndAppliedOnce) {
  auto s = make_session();
  log_in_and_start(*s);
  server_.drop_after_apply(1);  // applies the answer, then the connection dies before the ack
  const std::string screen = reply_text(*s, s->answer("2"));
  EXPECT_EQ(screen.substr(0, 9), "screen q2") << seen_text();
  EXPECT_NE(seen_text().find("ack iv-12-1 seq=1 duplicate=true"), std::string::npos) << seen_text();
  EXPECT_GE(server_.resumes(), 1);
  EXPECT_EQ(reply_text(*s, s->answer("3")).substr(0, 9), "screen q3");
  EXPECT_EQ(server_.answers(), (std::vector<std::string>{"2", "3", "", ""}));
  expect_exactly_once();
}

TEST_F(ClientSession, AnswersTypedOfflineAreKeptThenDeliveredOnce) {
  auto s = make_session();
  log_in_and_start(*s);
  EXPECT_EQ(reply_text(*s, s->answer("1")).substr(0, 9), "screen q2");

  server_.set_listening(false);
  until_state(*s, connection_state::offline);
  const event queued = reply(*s, s->answer("3"));
  ASSERT_TRUE(std::holds_alternative<queued_event>(queued)) << to_text(queued);
  EXPECT_EQ(std::get<queued_event>(queued).seq, 2u);
  EXPECT_EQ(std::get<queued_event>(queued).question, "q2");
  const request_id second = s->answer("2", "q3");  // the front end knows the next question
  reply(*s, second);
  until(*s, [](const event& e) {
    const auto* st = std::get_if<state_event>(&e);
    return st && st->state != connection_state::online && st->unacked == 2;
  });
  EXPECT_EQ(s->unacked(), 2u);
  std::this_thread::sleep_for(milliseconds(300));  // a few failed reconnects
  EXPECT_TRUE(server_.applied().size() == 1u);

  server_.set_listening(true);
  EXPECT_EQ(reply_text(*s, second).substr(0, 9), "screen q4") << seen_text();
  EXPECT_EQ(server_.answers(), (std::vector<std::string>{"1", "3", "2", ""}));
  expect_exactly_once();
  EXPECT_EQ(s->unacked(), 0u);
  EXPECT_EQ(s->state(), connection_state::online);
}

TEST_F(ClientSession, ARefusedQueuedAnswerDropsTheOnesBehindItWithANotice) {
  auto s = make_session();
  log_in_and_start(*s);
  server_.set_listening(false);
  until_state(*s, connection_state::offline);
  const request_id bad = s->answer("7");
  const request_id behind = s->answer("2", "q2");
  reply(*s, behind);
  server_.set_listening(true);
  EXPECT_EQ(to_text(reply(*s, bad)), "error INVALID_ANSWER: 7 is not one of the choices 1, 2, 3");
  const event dropped = reply(*s, behind);
  ASSERT_TRUE(std::holds_alternative<failed_event>(dropped)) << to_text(dropped);
  EXPECT_EQ(std::get<failed_event>(dropped).err.code, errc::dropped);
  EXPECT_EQ(std::get<failed_event>(dropped).seq, 2u);
  EXPECT_EQ(s->unacked(), 0u);
  EXPECT_TRUE(server_.applied().empty());
  // The refused seq is free again: the corrected answer takes it.
  EXPECT_EQ(reply_text(*s, s->answer("2")).substr(0, 9), "screen q2");
  EXPECT_EQ(server_.applied().count({"iv-12-1", 1}), 1u);
}

// With several servers the journal belongs to the set of them: the same servers listed in another
// order (another terminal's configuration, a reordered list) find the same unsent answers.
TEST_F(ClientSession, SeveralServersShareOneJournalWhateverTheirOrder) {
  const std::string other = "ws://127.0.0.1:1";  // nothing listens there: tried, then skipped
  {
    auto o = options();
    o.url = server_.url() + "," + other;
    auto s = make_session(o);
    log_in_and_start(*s);
    server_.set_listening(false);
    until_state(*s, connection_state::offline);
    reply(*s, s->answer("2"));
    s->stop();
  }
  EXPECT_TRUE(server_.applied().empty());
  server_.set_listening(true);
  auto o = options();
  o.url = other + "," + server_.url();
  auto s = make_session(o);
  reply(*s, s->login("anna", "secret"));
  const event resent = until(*s, [](const event& e) {
    const auto* m = std::get_if<message_event>(&e);
    return m && m->kind == request_kind::answer && m->settles;
  });
  EXPECT_EQ(to_text(resent).substr(0, 9), "screen q2");
  EXPECT_EQ(server_.answers()[0], "2");
  expect_exactly_once();
}

TEST_F(ClientSession, TheJournalSurvivesARestartOfTheTerminal) {
  {
    auto s = make_session();
    log_in_and_start(*s);
    server_.set_listening(false);
    until_state(*s, connection_state::offline);
    reply(*s, s->answer("2"));
    s->stop();  // the terminal goes away with the answer unsent
  }
  EXPECT_GT(std::filesystem::file_size(journal::file_for(dir_, "anna", server_.url())), 0u);
  EXPECT_TRUE(server_.applied().empty());
  server_.set_listening(true);

  auto s = make_session();
  reply(*s, s->login("anna", "secret"));
  const event resent = until(*s, [](const event& e) {
    const auto* m = std::get_if<message_event>(&e);
    return m && m->kind == request_kind::answer && m->settles;
  });
  EXPECT_EQ(to_text(resent).substr(0, 9), "screen q2");
  EXPECT_EQ(server_.answers()[0], "2");
  EXPECT_EQ(reply_text(*s, s->answer("1")).substr(0, 9), "screen q3");
  expect_exactly_once();
  EXPECT_EQ(server_.applied().size(), 2u);
}

TEST_F(ClientSession, ASecondTerminalOfTheSameUserCannotShareTheJournal) {
  auto first = make_session();
  reply(*first, first->login("anna", "secret"));
  auto second = make_session();
  const event e = reply(*second, second->login("anna", "secret"));
  ASSERT_TRUE(std::holds_alternative<failed_event>(e)) << to_text(e);
  EXPECT_EQ(std::get<failed_event>(e).err.code, errc::journal_locked);
}

TEST_F(ClientSession, RequestsWithoutAReplyTimeOut) {
  auto o = options();
  o.request_timeout = milliseconds(300);
  auto s = make_session(o);
  reply(*s, s->login("anna", "secret"));
  server_.silent_pings(true);
  const auto started = std::chrono::steady_clock::now();
  const event e = reply(*s, s->ping());
  ASSERT_TRUE(std::holds_alternative<failed_event>(e)) << to_text(e);
  EXPECT_EQ(std::get<failed_event>(e).err.code, errc::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(300));
}

TEST_F(ClientSession, AnExpiredSessionLogsInAgainWithTheSamePassword) {
  auto s = make_session();
  reply(*s, s->login("anna", "secret"));
  server_.expire_tokens();
  server_.drop_connections();
  until_state(*s, connection_state::offline);
  until_state(*s, connection_state::online);
  EXPECT_EQ(server_.logins(), 2);
  EXPECT_NE(seen_text().find("error SESSION_EXPIRED"), std::string::npos) << seen_text();
  EXPECT_EQ(reply_text(*s, s->next_case()).substr(0, 7), "case 12");
}

TEST_F(ClientSession, BacksOffExponentiallyWhileTheServerIsAway) {
  server_.set_listening(false);
  auto s = make_session();
  std::vector<milliseconds> delays;
  while (delays.size() < 7) {
    const event e = until(*s, [](const event& x) {
      const auto* st = std::get_if<state_event>(&x);
      return st && st->state == connection_state::offline;
    });
    delays.push_back(std::get<state_event>(e).retry_in);
  }
  const long ceilings[] = {10, 20, 40, 80, 100, 100, 100};
  for (std::size_t i = 0; i < delays.size(); ++i) {
    EXPECT_GE(delays[i].count(), ceilings[i] / 2) << i;
    EXPECT_LE(delays[i].count(), ceilings[i]) << i;
  }
  server_.set_listening(true);
  const request_id login = s->login("anna", "secret");
  EXPECT_EQ(reply_text(*s, login).substr(0, 10), "login anna");
}

TEST_F(ClientSession, StopFailsWhatIsPendingAndKeepsQueuedAnswers) {
  auto s = make_session();
  log_in_and_start(*s);
  server_.set_listening(false);
  until_state(*s, connection_state::offline);
  reply(*s, s->answer("1"));
  const request_id next = s->next_case();
  s->stop();
  const event e = reply(*s, next);
  ASSERT_TRUE(std::holds_alternative<failed_event>(e)) << to_text(e);
  EXPECT_EQ(std::get<failed_event>(e).err.code, errc::stopped);
  EXPECT_EQ(s->state(), connection_state::stopped);
  EXPECT_EQ(s->unacked(), 1u);
}

}  // namespace
}  // namespace cati::client::testing
