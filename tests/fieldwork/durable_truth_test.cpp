// Issue 13, behaviours 1, 5, 6, 7, 8 and 9, each against the fieldwork service over a real SQLite file
// restarted in between (durable_harness.hpp): what decides who may do what is on disk and comes back
// exactly; an ack means stored; a repeated request id gets the original reply.
#include <gtest/gtest.h>

#include <variant>

#include "durable_harness.hpp"
#include "../store/backends.hpp"
#include "store/export_repo.hpp"

namespace cati::durable {
namespace {

class DurableTruth : public test::backend_test {};

// Answers that carry an eligible firm through the whole seed questionnaire (tests/fieldwork/fieldwork_test.cpp).
const std::vector<std::string> complete_run = {"", "1", "5", "1", "3", "3", "1 2", "1", "1", "2", "1", "1", "1 2", ""};

case_offer next(durable_fieldwork& f, const user& who, std::uint64_t request = 0) {
  auto v = f.take(f.fw->next_case(who, request, f.now));
  EXPECT_TRUE(std::holds_alternative<case_offer>(v));
  return std::get<case_offer>(v);
}

void say(durable_fieldwork& f, const user& who, interview_view& iv, const std::string& text) {
  ASSERT_TRUE(iv.current) << "no question on screen";
  f.now += std::chrono::seconds(20);
  iv = f.take(f.fw->answer(who, 0, iv.id, iv.next_seq, iv.current->name, text, f.now));
}

}  // namespace

// Behaviour 1: after kill -9 and a restart, nobody else is offered a case whose interview is open, and
// its interviewer comes back to the same case, interview, screen and language; a second restart too.
TEST_P(DurableTruth, RestartDoesNotHandAnOpenInterviewToAnotherInterviewer) {
  durable_fieldwork f(2, 42, db());
  auto offer = next(f, f.anna);
  auto iv = f.take(f.fw->start_interview(f.anna, 0, offer.id, "", f.now));
  for (const auto& a : {"", "1", "5"}) say(f, f.anna, iv, a);
  ASSERT_TRUE(iv.current);
  EXPECT_EQ(f.sql("SELECT u.name FROM cases c JOIN users u ON u.id = c.held_by WHERE c.id = " + std::to_string(offer.id)),
            "anna");
  for (int restart = 0; restart < 2; ++restart) {
    f.restart();
    f.now += std::chrono::seconds(30);
    auto other = f.take(f.fw->next_case(f.bert, 0, f.now));
    if (auto* o = std::get_if<case_offer>(&other)) {
      EXPECT_NE(o->id, offer.id) << "bert got anna's case";
    }
    auto back = f.take(f.fw->resume(f.anna, f.now));
    ASSERT_TRUE(back.held);
    EXPECT_EQ(back.held->id, offer.id);
    ASSERT_TRUE(back.interview && back.interview->current);
    EXPECT_EQ(back.interview->id, iv.id);
    EXPECT_EQ(back.interview->current->name, iv.current->name);
    EXPECT_EQ(back.interview->language, iv.language);
    EXPECT_EQ(back.interview->next_seq, iv.next_seq);
    // bert's case goes back, so that the next round starts alike.
    if (auto* o = std::get_if<case_offer>(&other)) {
      f.take(f.fw->record_call(f.bert, 0, o->id, outcome::no_answer, {}, false, "", "", f.now));
    }
  }
  EXPECT_EQ(f.sql("SELECT u.name FROM interviews i JOIN users u ON u.id = i.interviewer_id WHERE i.id = " +
                  std::to_string(iv.id)),
            "anna");
}

// A file written before locks were persisted (schema 3, upgraded): the open interview's case has no lock
// on record; the restart holds it for the interview's owner from then on, so nobody else is offered it.
TEST_P(DurableTruth, OpenInterviewOfAFileWithoutLocksIsHeldForItsOwnerAtStart) {
  durable_fieldwork f(2, 42, db());
  auto offer = next(f, f.anna);
  auto iv = f.take(f.fw->start_interview(f.anna, 0, offer.id, "", f.now));
  say(f, f.anna, iv, "");
  {
    auto db = store::open_write_connection(f.file_options());
    db->exec("UPDATE cases SET held_by = NULL, held_until = NULL");  // what an upgraded older file holds
  }
  f.restart();
  auto other = f.take(f.fw->next_case(f.bert, 0, f.now));
  if (auto* o = std::get_if<case_offer>(&other)) {
    EXPECT_NE(o->id, offer.id) << "bert got anna's case";
  }
  auto back = f.take(f.fw->resume(f.anna, f.now));
  ASSERT_TRUE(back.interview && back.interview->current);
  EXPECT_EQ(back.interview->id, iv.id);
  EXPECT_EQ(back.interview->current->name, iv.current->name);
}

// Found by the restart-equivalence test: an interview that went back and took another branch (no AI use,
// then AI use) keeps its answers further on; the restart must resume it, not drop it as unrestorable.
TEST_P(DurableTruth, InterviewThatWentBackToAnotherBranchIsResumedAfterARestart) {
  durable_fieldwork f(2, 42, db());
  auto offer = next(f, f.anna);
  auto iv = f.take(f.fw->start_interview(f.anna, 0, offer.id, "", f.now));
  for (const auto& a : {"", "1", "5", "1", "3", "5", "2"}) say(f, f.anna, iv, a);  // q2 "5": straight to q5
  for (int i = 0; i < 2; ++i) iv = f.take(f.fw->back(f.anna, 0, iv.id, iv.next_seq, f.now));
  ASSERT_EQ(iv.current->name, "q2_ai_use");
  say(f, f.anna, iv, "1");  // uses AI after all: q3_ai_areas is new on the route, q5 is answered further on
  ASSERT_EQ(iv.current->name, "q3_ai_areas");
  f.restart();  // the harness fails the test when an interview cannot be restored
  auto back = f.take(f.fw->resume(f.anna, f.now));
  ASSERT_TRUE(back.interview && back.interview->current);
  EXPECT_EQ(back.interview->current->name, "q3_ai_areas");
  EXPECT_EQ(back.interview->next_seq, iv.next_seq);
}

// Behaviour 5: a takeover, a language switch (F2) and the resumption of a break-off are durable; the
// export's interview_language is the language the interview ran in.
TEST_P(DurableTruth, TakeoverLanguageAndResumedBreakOffSurviveARestart) {
  durable_fieldwork f(1, 42, db());
  auto offer = next(f, f.anna);
  auto iv = f.take(f.fw->start_interview(f.anna, 0, offer.id, "nl", f.now));
  for (const auto& a : {"", "1", "5", "1"}) say(f, f.anna, iv, a);
  const auto at_question = iv.current->name;
  f.take(f.fw->suspend(f.anna, 0, iv.id, iv.next_seq, outcome::break_off, {}, "", f.now));
  EXPECT_EQ(f.sql("SELECT suspended FROM interviews WHERE id = " + std::to_string(iv.id)), "1");

  f.now += std::chrono::hours(2);
  auto again = next(f, f.bert);
  ASSERT_EQ(again.id, offer.id);
  auto taken = f.take(f.fw->start_interview(f.bert, 0, again.id, "nl", f.now));  // bert takes it over
  ASSERT_EQ(taken.id, iv.id);
  auto switched = f.take(f.fw->set_language(f.bert, 0, iv.id, "fr", f.now));   // F2
  EXPECT_EQ(switched.language, "fr");

  f.restart();
  auto anna_back = f.take(f.fw->resume(f.anna, f.now));
  EXPECT_FALSE(anna_back.interview) << "the interview went back to its opener";
  auto bert_back = f.take(f.fw->resume(f.bert, f.now));
  ASSERT_TRUE(bert_back.interview && bert_back.interview->current) << "the resumed break-off is suspended again";
  EXPECT_EQ(bert_back.interview->id, iv.id);
  EXPECT_EQ(bert_back.interview->language, "fr");
  EXPECT_EQ(bert_back.interview->current->name, at_question);
  EXPECT_EQ(f.sql("SELECT suspended FROM interviews WHERE id = " + std::to_string(iv.id)), "0");
  // bert answers on, in French, and the export says French.
  auto view = *bert_back.interview;
  say(f, f.bert, view, "3");
  auto db = store::open_read_connection(f.file_options());
  auto snapshot = store::read_export(*db, {});
  ASSERT_EQ(snapshot.interviews.size(), 1u);
  EXPECT_EQ(snapshot.interviews[0].language, "fr");
  EXPECT_EQ(snapshot.interviews[0].start_language, "nl") << "the language it started in is kept beside";
  EXPECT_EQ(f.sql("SELECT u.name FROM interviews i JOIN users u ON u.id = i.interviewer_id"), "bert");
}

// Behaviour 6: respondent ids are drawn from the randomness port (libsodium in the server), so that a
// restart with the same clock does not repeat them, and the schema refuses one case's id for another.
TEST_P(DurableTruth, RespondentIdsComeFromTheRandomnessPortAndAreUniqueInTheFile) {
  durable_fieldwork f(3, 42, db());
  std::set<std::string> ids;
  for (int round = 0; round < 3; ++round) {
    auto offer = next(f, f.anna);
    auto iv = f.take(f.fw->start_interview(f.anna, 0, offer.id, "", f.now));
    f.take(f.fw->suspend(f.anna, 0, iv.id, 1, outcome::soft_refusal, {}, "", f.now));
    ids.insert(f.sql("SELECT respondent_id FROM interviews WHERE id = " + std::to_string(iv.id)));
    f.restart();  // the same clock every time: what repeated ids before
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(f.sql("SELECT count(*) FROM respondents"), "3");
  // Another case under a taken id is refused by the schema, whoever writes it.
  auto db = store::open_write_connection(f.file_options());
  EXPECT_THROW(db->exec("INSERT INTO interviews (id, respondent_id, seed, case_id, interviewer_id, questionnaire_version,"
                       " language, started_at) SELECT (SELECT max(id) FROM interviews) + 1, respondent_id, 1,"
                       " (SELECT max(id) FROM cases) + 0, interviewer_id,"
                       " 'x', 'nl', 0 FROM interviews WHERE case_id <> (SELECT max(id) FROM cases) LIMIT 1"),
               store::sql::error);
}

// Behaviour 7: the resend of the answer that completed an interview, after a restart, gets the
// duplicate ack and the ended view (not NOT_YOUR_CASE): the terminal learns its complete was stored.
TEST_P(DurableTruth, ResendingTheRequestThatEndedAnInterviewAfterARestartGetsTheDuplicateAck) {
  durable_fieldwork f(2, 42, db());
  auto offer = next(f, f.anna);
  auto iv = f.take(f.fw->start_interview(f.anna, 0, offer.id, "", f.now));
  interview_view before_last;
  for (const auto& a : complete_run) {
    if (!iv.current) break;
    before_last = iv;
    say(f, f.anna, iv, a);
  }
  ASSERT_TRUE(iv.ended);
  ASSERT_EQ(*iv.ended, outcome::complete);
  const auto answers = f.sql("SELECT count(*) FROM answers");
  f.restart();
  auto again = f.fw->answer(f.anna, 0, iv.id, before_last.next_seq, before_last.current->name, complete_run.back(), f.now);
  ASSERT_TRUE(again.reply) << again.reply.err().message;
  EXPECT_TRUE(again.reply->duplicate);
  ASSERT_TRUE(again.reply->ended);
  EXPECT_EQ(*again.reply->ended, outcome::complete);
  EXPECT_TRUE(again.changes.empty());
  EXPECT_EQ(f.sql("SELECT count(*) FROM answers"), answers);
}

// Behaviour 8: an answer sent after the interview's lease lapsed and its cell closed meanwhile is
// stored, and the interview ends over quota with a view that says so: the ack means stored.
TEST_P(DurableTruth, AnswerAfterTheLeaseLapsedIntoAClosedCellIsStoredAndEndsOverQuota) {
  durable_fieldwork f(2, 42, db());
  auto offer = next(f, f.anna);
  auto iv = f.take(f.fw->start_interview(f.anna, 0, offer.id, "", f.now));
  for (const auto& a : {"", "1", "5", "1"}) say(f, f.anna, iv, a);  // past the quota point: sector 1
  ASSERT_EQ(f.fw->quotas().lease_count(), 1u);
  f.now = f.fw->quotas().lease_of(iv.id)->second;
  f.commit(f.fw->tick(f.now));
  ASSERT_EQ(f.fw->quotas().lease_count(), 0u);
  f.take(f.fw->quota_action(f.sue, 0, fieldwork::quota_op::close, {"sector", {"1"}}, 0, f.now));
  const auto question = iv.current->name;
  auto r = f.fw->answer(f.anna, 0, iv.id, iv.next_seq, question, "3", f.now);
  ASSERT_TRUE(r.reply);
  EXPECT_FALSE(r.reply->duplicate);
  ASSERT_TRUE(r.reply->ended);
  EXPECT_EQ(*r.reply->ended, outcome::over_quota);
  EXPECT_NE(r.reply->end_message.find("closed"), std::string::npos) << r.reply->end_message;
  f.commit(std::move(r.changes));
  EXPECT_EQ(f.sql("SELECT value FROM answers WHERE interview_id = " + std::to_string(iv.id) + " AND question = '" +
                  question + "' ORDER BY seq DESC LIMIT 1"),
            "3")
      << "the acknowledged answer is not in the file";
  EXPECT_EQ(f.sql("SELECT final_state FROM interviews WHERE id = " + std::to_string(iv.id)), "over_quota");
  // Its resend is the duplicate of what was stored, after a restart too.
  f.restart();
  auto again = f.fw->answer(f.anna, 0, iv.id, iv.next_seq, question, "3", f.now);
  ASSERT_TRUE(again.reply);
  EXPECT_TRUE(again.reply->duplicate);
  ASSERT_TRUE(again.reply->ended);
  EXPECT_EQ(*again.reply->ended, outcome::over_quota);
}

// Behaviour 9: every state-changing request repeated under its request id (after a lost reply, across
// a restart) gets the original reply and changes nothing; another request under a used id is refused.
TEST_P(DurableTruth, RepeatedRequestIdsGetTheOriginalReplyAcrossRestarts) {
  durable_fieldwork f(4, 42, db());
  // NextCase: the same case again, not the release of it and another.
  auto first = next(f, f.anna, 101);
  for (int i = 0; i < 2; ++i) {
    auto again = f.fw->next_case(f.anna, 101, f.now);
    ASSERT_TRUE(again.reply);
    ASSERT_TRUE(std::holds_alternative<case_offer>(again.reply.value()));
    EXPECT_EQ(std::get<case_offer>(again.reply.value()).id, first.id);
    f.run(std::move(again));
    f.restart();
  }
  // CallResult: recorded once; its resend after a restart is acknowledged, not NOT_YOUR_CASE.
  auto done = f.take(f.fw->record_call(f.anna, 102, first.id, outcome::busy, {}, false, "", "", f.now));
  const auto calls = f.sql("SELECT count(*) FROM call_attempts");
  f.restart();
  auto call_again = f.fw->record_call(f.anna, 102, first.id, outcome::busy, {}, false, "", "", f.now);
  ASSERT_TRUE(call_again.reply) << call_again.reply.err().message;
  EXPECT_EQ(call_again.reply->id, done.id);
  EXPECT_TRUE(call_again.changes.empty());
  EXPECT_EQ(f.sql("SELECT count(*) FROM call_attempts"), calls);
  // StartInterview: the interview it started, not a second one.
  auto second = next(f, f.anna, 103);
  auto iv = f.take(f.fw->start_interview(f.anna, 104, second.id, "", f.now));
  f.restart();
  auto start_again = f.fw->start_interview(f.anna, 104, second.id, "", f.now);
  ASSERT_TRUE(start_again.reply);
  EXPECT_EQ(start_again.reply->id, iv.id);
  EXPECT_EQ(start_again.reply->current->name, iv.current->name);
  EXPECT_EQ(f.sql("SELECT count(*) FROM interviews"), "1");
  // Answer, Back, Suspend: by (interview, seq), across a restart: the same screen, marked duplicate.
  say(f, f.anna, iv, "");
  say(f, f.anna, iv, "1");
  auto after_answer = iv;
  auto went_back = f.take(f.fw->back(f.anna, 105, iv.id, iv.next_seq, f.now));
  f.restart();
  auto back_again = f.fw->back(f.anna, 105, iv.id, iv.next_seq, f.now);
  ASSERT_TRUE(back_again.reply);
  EXPECT_TRUE(back_again.reply->duplicate);
  EXPECT_EQ(back_again.reply->current->name, went_back.current->name);
  auto answer_again = f.fw->answer(f.anna, 0, iv.id, after_answer.next_seq - 1, "s1_decider", "1", f.now);
  ASSERT_TRUE(answer_again.reply);
  EXPECT_TRUE(answer_again.reply->duplicate);
  auto suspended = f.take(f.fw->suspend(f.anna, 106, iv.id, went_back.next_seq, outcome::break_off, {}, "", f.now));
  f.restart();
  auto suspend_again = f.fw->suspend(f.anna, 106, iv.id, went_back.next_seq, outcome::break_off, {}, "", f.now);
  ASSERT_TRUE(suspend_again.reply);
  EXPECT_TRUE(suspend_again.reply->duplicate);
  EXPECT_TRUE(suspend_again.changes.empty());
  EXPECT_EQ(f.sql("SELECT count(*) FROM call_attempts WHERE outcome = 'break_off'"), "1");
  // A supervisor's quota action: done and audited once.
  auto closed = f.take(f.fw->quota_action(f.sue, 107, fieldwork::quota_op::close, {"sector", {"2"}}, 0, f.now));
  f.restart();
  auto close_again = f.fw->quota_action(f.sue, 107, fieldwork::quota_op::close, {"sector", {"2"}}, 0, f.now);
  ASSERT_TRUE(close_again.reply);
  EXPECT_EQ(close_again.reply->closed, closed.closed);
  EXPECT_TRUE(close_again.changes.empty());
  EXPECT_EQ(f.sql("SELECT count(*) FROM audit_log WHERE action = 'quota_close'"), "1");
  auto reopen_under_it = f.fw->quota_action(f.sue, 107, fieldwork::quota_op::reopen, {"sector", {"2"}}, 0, f.now);
  ASSERT_FALSE(reopen_under_it.reply) << "another action under a used id was taken for the old one";
  EXPECT_EQ(reopen_under_it.reply.err().code, fault_code::invalid_request);
  // Another request under a used id is a terminal's bug: refused, nothing changes.
  auto reused = f.fw->record_call(f.anna, 101, first.id, outcome::busy, {}, false, "", "", f.now);
  ASSERT_FALSE(reused.reply);
  EXPECT_EQ(reused.reply.err().code, fault_code::invalid_request);
  (void)suspended;
}

// Issue 16: a fieldwork moved with `cati db copy` (from a SQLite file to this test's backend; on PostgreSQL
// back to a new SQLite file as well) is served there as it would have been on the original after a restart:
// the same rows (sessions, locks, interviews, answers, request log), the open interview resumed by its
// owner with its screen and language and offered to nobody else, a repeated request answered with its
// original reply, and new calls and answers stored after the copied ones.
TEST_P(DurableTruth, AFieldworkCopiedToAnotherDatabaseIsResumedThereAsOnTheOriginal) {
  durable_fieldwork f(4, 42);  // the original: a SQLite file
  auto offer = next(f, f.anna, 201);
  auto iv = f.take(f.fw->start_interview(f.anna, 202, offer.id, "", f.now));
  for (const auto& a : {"", "1", "5"}) say(f, f.anna, iv, a);
  auto bert_case = next(f, f.bert, 301);
  auto call = f.take(f.fw->record_call(f.bert, 302, bert_case.id, outcome::busy, {}, false, "", "", f.now));
  f.commit({session_opened{std::string(64, 'b'), "anna", f.now, f.now + std::chrono::hours(8)}});
  const auto state = [&] {
    return f.dump("SELECT * FROM sessions ORDER BY digest") + f.dump("SELECT * FROM request_log ORDER BY user_id, request_id") +
           f.dump("SELECT id, held_by, held_until, dials, last_outcome, next_call_at FROM cases ORDER BY id") +
           f.dump("SELECT * FROM interviews ORDER BY id") + f.dump("SELECT * FROM answers ORDER BY id") +
           f.dump("SELECT * FROM quota_leases ORDER BY interview_id");
  };
  const auto answers = std::stoi(f.sql("SELECT count(*) FROM answers"));
  std::vector<std::string> copies = {db()};
  if (on_postgresql()) copies.push_back((dir() / "back.db").string());
  for (const auto& to : copies) {
    const auto before = state();
    ASSERT_NE(before.find(std::string(64, 'b')), std::string::npos);
    f.move_to(to);
    ASSERT_EQ(f.db_path(), to);
    EXPECT_EQ(state(), before) << to;
    f.now += std::chrono::seconds(30);
    auto other = f.take(f.fw->next_case(f.bert, 0, f.now));
    if (auto* o = std::get_if<case_offer>(&other)) {
      EXPECT_NE(o->id, offer.id) << "bert got anna's case on " << to;
      f.take(f.fw->record_call(f.bert, 0, o->id, outcome::no_answer, {}, false, "", "", f.now));
    }
    auto back = f.take(f.fw->resume(f.anna, f.now));
    ASSERT_TRUE(back.held && back.interview && back.interview->current) << to;
    EXPECT_EQ(back.held->id, offer.id);
    EXPECT_EQ(back.interview->id, iv.id);
    EXPECT_EQ(back.interview->current->name, iv.current->name);
    EXPECT_EQ(back.interview->language, iv.language);
    EXPECT_EQ(back.interview->next_seq, iv.next_seq);
    auto call_again = f.fw->record_call(f.bert, 302, bert_case.id, outcome::busy, {}, false, "", "", f.now);
    ASSERT_TRUE(call_again.reply) << call_again.reply.err().message;
    EXPECT_EQ(call_again.reply->id, call.id) << "the original reply, from the copied request log";
    EXPECT_TRUE(call_again.changes.empty());
    say(f, f.anna, iv, "1");  // the interview goes on: its next answer is stored after the copied ones
  }
  EXPECT_EQ(f.sql("SELECT count(*) FROM answers"), std::to_string(answers + static_cast<int>(copies.size())));
}

CATI_ON_BOTH_BACKENDS(DurableTruth);

}  // namespace cati::durable

namespace cati::durable {

// Issue 15: the appointment made after a screen-out that asks for one ("not the right person") is agreed
// in the screen-out's call: the file holds one call attempt and its appointment, and a restart loads the
// call with the appointment on it.
TEST(DurableTruth, AppointmentAfterACallbackScreenOutIsStoredWithThatCallNotAsASecondAttempt) {
  durable_fieldwork f(1);
  auto offer = next(f, f.anna);
  auto iv = f.take(f.fw->start_interview(f.anna, 0, offer.id, "", f.now));
  for (const auto* a : {"", "2"}) say(f, f.anna, iv, a);
  ASSERT_TRUE(iv.ended);
  ASSERT_EQ(*iv.ended, outcome::callback);
  f.now += std::chrono::seconds(30);
  f.take(f.fw->record_call(f.anna, 0, offer.id, outcome::appointment, at("2025-10-14T10:00:00+02:00"), true, "", "",
                           f.now));
  EXPECT_EQ(f.sql("SELECT count(*) FROM call_attempts"), "1");
  EXPECT_EQ(f.sql("SELECT outcome FROM call_attempts"), "callback");
  EXPECT_EQ(f.sql("SELECT count(*) FROM appointments a JOIN call_attempts c ON c.case_id = a.case_id AND "
                  "c.at = a.made_at AND c.interviewer_id = a.made_by"),
            "1");
  f.restart();
  for (const auto& c : f.fw->cases()) {
    ASSERT_EQ(c.calls.size(), 1u);
    ASSERT_TRUE(c.calls[0].callback);
    EXPECT_EQ(c.calls[0].callback->at, at("2025-10-14T10:00:00+02:00"));
  }
}

}  // namespace cati::durable
