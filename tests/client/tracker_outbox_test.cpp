// Stamping interview messages, and which requests go out when.
#include <gtest/gtest.h>

#include "lib/interview_tracker.hpp"
#include "lib/outbox.hpp"

namespace cati::client {
namespace {

v1::ServerMessage screen(const std::string& interview, const std::string& question, std::uint32_t next_seq) {
  v1::ServerMessage m;
  m.mutable_screen()->set_interview_id(interview);
  m.mutable_screen()->set_question(question);
  m.mutable_screen()->set_next_seq(next_seq);
  return m;
}

TEST(ClientTracker, StampsWithTheScreensInterviewQuestionAndSeq) {
  interview_tracker t;
  EXPECT_FALSE(t.assign());
  t.observe(screen("iv", "q1", 1));
  auto s = t.assign();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->interview_id, "iv");
  EXPECT_EQ(s->seq, 1u);
  EXPECT_EQ(s->question, "q1");
  EXPECT_EQ(t.assign("q9")->question, "q9");  // the front end may name the question
}

TEST(ClientTracker, AScreenNeverMovesTheSeqBelowAnswersQueuedAhead) {
  interview_tracker t;
  t.observe(screen("iv", "q3", 3));
  EXPECT_EQ(t.assign()->seq, 3u);
  EXPECT_EQ(t.assign()->seq, 4u);
  t.observe(screen("iv", "q3", 3));  // the screen pushed on resume, before the queued ones are applied
  EXPECT_EQ(t.assign()->seq, 5u);
  t.observe(screen("iv", "q9", 9));  // the server is ahead: follow it
  EXPECT_EQ(t.next_seq(), 9u);
}

TEST(ClientTracker, ARefusedSeqIsUsedAgainAndAReleasedOneToo) {
  interview_tracker t;
  t.observe(screen("iv", "q1", 1));
  t.assign();
  const auto second = *t.assign();
  t.assign();
  t.refused("iv", second.seq);
  EXPECT_EQ(t.next_seq(), 2u);
  const auto again = *t.assign();
  EXPECT_EQ(again.seq, 2u);
  t.release(again);
  EXPECT_EQ(t.next_seq(), 2u);
}

TEST(ClientTracker, ANewInterviewStartsFromItsScreenAndAnEndClosesIt) {
  interview_tracker t;
  t.observe(screen("a", "q1", 1));
  t.assign();
  t.assign();
  t.observe(screen("b", "q1", 1));
  EXPECT_EQ(t.assign()->seq, 1u);
  v1::ServerMessage end;
  end.mutable_interview_end()->set_interview_id("b");
  t.observe(end);
  EXPECT_FALSE(t.assign());
}

TEST(ClientTracker, RestoresFromTheJournal) {
  interview_tracker t;
  t.restore("iv", 6, "q5");
  auto s = t.assign();
  EXPECT_EQ(s->seq, 7u);
  EXPECT_EQ(s->question, "q5");
}

pending_request req(request_id id, request_kind kind) {
  pending_request p;
  p.id = id;
  p.kind = kind;
  return p;
}

std::vector<request_id> ids(const std::vector<const pending_request*>& ps) {
  std::vector<request_id> out;
  for (const auto* p : ps) out.push_back(p->id);
  return out;
}

TEST(ClientOutbox, LoginGoesFirstAndAloneThenJournaledOnesAreBarriers) {
  outbox o;
  o.push(req(1, request_kind::answer));
  o.push(req(2, request_kind::ping));
  o.push(req(3, request_kind::login));
  EXPECT_EQ(ids(o.pick_sendable(false)), (std::vector<request_id>{3}));
  EXPECT_TRUE(o.pick_sendable(false).empty());  // nothing else while the login is unanswered
  o.take(3);
  EXPECT_TRUE(o.pick_sendable(false).empty());  // not logged in: the answer waits, the ping behind it too
  EXPECT_EQ(ids(o.pick_sendable(true)), (std::vector<request_id>{1}));
  o.push(req(4, request_kind::answer));
  EXPECT_TRUE(o.pick_sendable(true).empty());
  o.take(1);
  EXPECT_EQ(ids(o.pick_sendable(true)), (std::vector<request_id>{2, 4}));
}

TEST(ClientOutbox, AfterAReconnectEverythingUnsettledGoesOutAgainInOrder) {
  outbox o;
  o.push(req(1, request_kind::next_case));
  o.push(req(2, request_kind::ping));
  EXPECT_EQ(ids(o.pick_sendable(true)), (std::vector<request_id>{1, 2}));
  o.mark_unsent();
  EXPECT_EQ(ids(o.pick_sendable(true)), (std::vector<request_id>{1, 2}));
}

TEST(ClientOutbox, SettlingRule) {
  using B = v1::ServerMessage;
  EXPECT_FALSE(settles(request_kind::answer, B::kAnswerAck));
  EXPECT_TRUE(settles(request_kind::answer, B::kScreen));
  EXPECT_TRUE(settles(request_kind::answer, B::kInterviewEnd));
  EXPECT_TRUE(settles(request_kind::answer, B::kError));
  EXPECT_FALSE(settles(request_kind::next_case, B::kNotice));
  EXPECT_TRUE(settles(request_kind::next_case, B::kNoCase));
  EXPECT_TRUE(settles(request_kind::logout, B::kNotice));
}

TEST(ClientOutbox, DropsJournaledOnesBehindARefusalAndExpiresOthers) {
  outbox o;
  auto a = [](request_id id, std::uint32_t seq, const char* iv) {
    pending_request p = req(id, request_kind::answer);
    p.seq = seq;
    p.interview_id = iv;
    return p;
  };
  o.push(a(1, 1, "x"));
  o.push(a(2, 2, "x"));
  o.push(a(3, 1, "y"));
  auto ping = req(4, request_kind::ping);
  ping.deadline = std::chrono::steady_clock::now();
  o.push(ping);
  EXPECT_EQ(o.journaled(), 3u);
  const auto dropped = o.take_journaled_after("x", 1);
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].id, 2u);
  const auto expired = o.take_expired(std::chrono::steady_clock::now());
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].id, 4u);
  EXPECT_EQ(o.size(), 2u);  // journaled ones never expire
}

}  // namespace
}  // namespace cati::client
