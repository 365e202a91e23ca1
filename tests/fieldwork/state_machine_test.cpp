// The closed state machine (core/fieldwork/fieldwork_rules.hpp) over a real SQLite file: each hole issue
// 17 found in the fieldwork's handling of valid-looking requests is refused now with a typed fault, and
// the refusal changes nothing, neither in the file nor in what the service does next.
#include <gtest/gtest.h>

#include <limits>
#include <variant>

#include "core/fieldwork/fieldwork_rules.hpp"
#include "durable_harness.hpp"

namespace cati::durable {
namespace {

// Everything a refused request could have touched, from the file.
std::string file_state(const durable_fieldwork& f) {
  return f.dump("SELECT id, held_by, held_until, dials, last_outcome, finished FROM cases ORDER BY id") +
         f.dump("SELECT case_id, interviewer_id, at, number, outcome FROM call_attempts ORDER BY id") +
         f.dump("SELECT id, interviewer_id, language, ended_at, final_state, suspended, snapshot FROM interviews ORDER BY id") +
         f.dump("SELECT interview_id, seq, question, value FROM answers ORDER BY interview_id, seq") +
         f.dump("SELECT * FROM quota_cells ORDER BY 1");
}

template <class T>
fault refused(durable_fieldwork& f, effect<T> e) {
  EXPECT_FALSE(e.reply.has_value()) << "taken, but the state machine should refuse it";
  EXPECT_TRUE(e.changes.empty()) << "a refusal carries changes";
  auto r = f.run(std::move(e));
  return r ? fault{fault_code::unknown, "<taken>"} : r.err();
}

// anna holds a case and is in its interview, past the intro.
struct in_interview {
  durable_fieldwork f{1};
  case_offer offer = take_next(f, f.anna);
  interview_view iv = f.take(f.fw->start_interview(f.anna, 0, offer.id, "", f.now));
  in_interview() { answer_screen(f, f.anna, iv, ""); }
};

}  // namespace

// Hole 1: a call result while the case's interview is running was recorded, and the interview went on.
TEST(StateMachine, CallResultWhileTheCasesInterviewIsOpenIsRefusedAndChangesNothing) {
  in_interview t;
  auto& f = t.f;
  const auto before = file_state(f);
  for (auto o : {outcome::disconnected, outcome::no_answer, outcome::callback}) {
    auto why = refused(f, f.fw->record_call(f.anna, 0, t.offer.id, o, {}, false, "", "", f.now));
    EXPECT_EQ(why.code, fault_code::invalid_request) << why.message;
    EXPECT_NE(why.message.find("interview " + std::to_string(t.iv.id)), std::string::npos) << why.message;
  }
  EXPECT_EQ(file_state(f), before);
  // The interview goes on where it was, under the next sequence number, and ends as one call.
  for (std::size_t i = 1; i < eligible_answers.size() && t.iv.current; ++i) answer_screen(f, f.anna, t.iv, eligible_answers[i]);
  ASSERT_TRUE(t.iv.ended);
  EXPECT_EQ(*t.iv.ended, outcome::complete);
  EXPECT_EQ(f.sql("SELECT count(*) FROM call_attempts"), "1");
}

// Hole 1: a final outcome was followed by more calls (DISCONNECTED, then NO_ANSWER ... callable again).
TEST(StateMachine, AFinalOutcomeStaysFinalAndTakesNoMoreCallAttempts) {
  durable_fieldwork f(1);
  auto offer = take_next(f, f.anna, 7);
  f.take(f.fw->record_call(f.anna, 8, offer.id, outcome::refusal_target, {}, false, "", "", f.now));
  EXPECT_EQ(f.sql("SELECT finished FROM cases WHERE id = " + std::to_string(offer.id)), "1");
  // The lost reply of the NextCase is resent: it gets the case card again, and the case is held again.
  f.now += std::chrono::minutes(1);
  auto again = take_next(f, f.anna, 7);
  ASSERT_EQ(again.id, offer.id);
  const auto before = file_state(f);
  for (auto o : {outcome::no_answer, outcome::wrong_number, outcome::busy, outcome::callback}) {
    auto why = refused(f, f.fw->record_call(f.anna, 9, offer.id, o, {}, false, "", "", f.now));
    EXPECT_EQ(why.code, fault_code::invalid_request) << why.message;
    EXPECT_NE(why.message.find("is final (refusal_target)"), std::string::npos) << why.message;
  }
  auto start = refused(f, f.fw->start_interview(f.anna, 10, offer.id, "", f.now));
  EXPECT_EQ(start.code, fault_code::invalid_request) << start.message;
  EXPECT_EQ(file_state(f), before);
  EXPECT_EQ(f.sql("SELECT count(*) FROM call_attempts"), "1");
  // The resend of the call result that made it final still gets its reply (a repeat, not a new call).
  EXPECT_TRUE(f.run(f.fw->record_call(f.anna, 8, offer.id, outcome::refusal_target, {}, false, "", "", f.now)));
  EXPECT_EQ(f.sql("SELECT count(*) FROM call_attempts"), "1");
}

// Hole 1: an interview left running by an interviewer who lost the case (terminal gone, lock lapsed) is
// never left open behind a call result: the next interviewer handed the case takes it over (the takeover
// moves it: the first one can no longer answer) or passes the case by.
TEST(StateMachine, AnAbandonedInterviewIsTakenOverNotLeftOpenBehindACallResult) {
  in_interview t;
  auto& f = t.f;
  f.now += std::chrono::minutes(f.study->rules.case_lock_minutes + 1);  // anna's terminal is gone; her lock lapsed
  auto bert = take_next(f, f.bert);
  ASSERT_EQ(bert.id, t.offer.id);
  const auto before = file_state(f);
  auto call = refused(f, f.fw->record_call(f.bert, 0, bert.id, outcome::no_answer, {}, false, "", "", f.now));
  EXPECT_EQ(call.code, fault_code::not_your_case) << call.message;
  EXPECT_EQ(file_state(f), before);
  auto taken = f.take(f.fw->start_interview(f.bert, 0, bert.id, "", f.now));
  EXPECT_EQ(taken.id, t.iv.id);
  EXPECT_EQ(f.sql("SELECT u.name FROM interviews i JOIN users u ON u.id = i.interviewer_id WHERE i.id = " +
                  std::to_string(t.iv.id)),
            "bert");
  auto anna = refused(f, f.fw->answer(f.anna, 0, t.iv.id, t.iv.next_seq, t.iv.current->name, "1", f.now));
  EXPECT_EQ(anna.code, fault_code::not_your_case) << anna.message;
  answer_screen(f, f.bert, taken, "1");
}

// The other side of hole 1: an interviewer in the middle of an interview does not take another case,
// but once their lock lapsed (the terminal was away) they may, and their interview waits for them.
TEST(StateMachine, NextCaseWaitsForARunningInterviewUnlessItsLockLapsed) {
  durable_fieldwork f(2);
  auto offer = take_next(f, f.anna);
  auto iv = f.take(f.fw->start_interview(f.anna, 0, offer.id, "", f.now));
  answer_screen(f, f.anna, iv, "");
  auto busy = refused(f, f.fw->next_case(f.anna, 0, f.now));
  EXPECT_EQ(busy.code, fault_code::invalid_request);
  EXPECT_NE(busy.message.find("interview " + std::to_string(iv.id) + " is still open"), std::string::npos) << busy.message;
  f.now += std::chrono::minutes(f.study->rules.case_lock_minutes + 1);
  take_next(f, f.anna);  // a case (her own again, or the other: the scheduler's choice)
  answer_screen(f, f.anna, iv, "1");  // her interview takes its case again
  EXPECT_EQ(f.sql("SELECT u.name FROM cases c JOIN users u ON u.id = c.held_by WHERE c.id = " + std::to_string(offer.id)),
            "anna");
}

// Hole 2: answers after Suspend{BREAK_OFF} were acknowledged and stored; a second break-off was recorded.
TEST(StateMachine, AnswersAndASecondBreakOffAfterABreakOffAreRefused) {
  in_interview t;
  auto& f = t.f;
  const auto seq = t.iv.next_seq;
  f.take(f.fw->suspend(f.anna, 0, t.iv.id, seq, outcome::break_off, {}, "hung up", f.now));
  const auto before = file_state(f);
  auto answer = refused(f, f.fw->answer(f.anna, 0, t.iv.id, seq + 1, t.iv.current->name, "1", f.now));
  EXPECT_EQ(answer.code, fault_code::invalid_request) << answer.message;
  EXPECT_NE(answer.message.find("is suspended"), std::string::npos) << answer.message;
  auto back = refused(f, f.fw->back(f.anna, 0, t.iv.id, seq + 1, f.now));
  EXPECT_EQ(back.code, fault_code::invalid_request) << back.message;
  auto second = refused(f, f.fw->suspend(f.anna, 0, t.iv.id, seq + 1, outcome::break_off, {}, "", f.now));
  EXPECT_EQ(second.code, fault_code::invalid_request) << second.message;
  EXPECT_EQ(file_state(f), before);
  EXPECT_EQ(f.sql("SELECT count(*) FROM call_attempts WHERE outcome = 'break_off'"), "1");
  // The resend of the break-off itself is a repeat: acknowledged again, nothing recorded twice.
  auto resent = f.take(f.fw->suspend(f.anna, 0, t.iv.id, seq, outcome::break_off, {}, "hung up", f.now));
  EXPECT_TRUE(resent.duplicate);
  EXPECT_EQ(file_state(f), before);
}

// Hole 3: seq 0 (and 2^63, whose low 32 bits are 0) got AnswerAck{duplicate: true} whatever the content.
TEST(StateMachine, SequenceNumbersStartAtOneAndZeroIsRefusedNotTakenForARepeat) {
  in_interview t;
  auto& f = t.f;
  answer_screen(f, f.anna, t.iv, "1");  // seq 2 applied: 0 is below the last one
  const auto before = file_state(f);
  auto zero = refused(f, f.fw->answer(f.anna, 0, t.iv.id, 0, t.iv.current->name, "5", f.now));
  EXPECT_EQ(zero.code, fault_code::malformed) << zero.message;
  EXPECT_EQ(refused(f, f.fw->back(f.anna, 0, t.iv.id, 0, f.now)).code, fault_code::malformed);
  EXPECT_EQ(refused(f, f.fw->suspend(f.anna, 0, t.iv.id, 0, outcome::break_off, {}, "", f.now)).code,
            fault_code::malformed);
  EXPECT_EQ(file_state(f), before);
  // What the wire carries is checked before it is narrowed to 32 bits.
  EXPECT_FALSE(sequence_number(0));
  EXPECT_FALSE(sequence_number(std::uint64_t{1} << 63));
  EXPECT_FALSE(sequence_number((std::uint64_t{1} << 32) + 3));
  EXPECT_EQ(sequence_number(1).value(), 1u);
  EXPECT_EQ(sequence_number(std::numeric_limits<std::uint32_t>::max()).value(), std::numeric_limits<std::uint32_t>::max());
}

// Hole 5: CallResult.number was stored whatever it was ("intro", a right-to-left override character).
TEST(StateMachine, CallResultNumberMustBeOneOfTheCasesNumbers) {
  durable_fieldwork f(1);
  auto offer = take_next(f, f.anna);
  ASSERT_EQ(offer.contact.phones.size(), 2u);  // F000001 has two numbers
  const auto before = file_state(f);
  for (const std::string& bad : std::vector<std::string>{"intro", "\u202e", "+3215876903 ", offer.contact.phones[0] + "0"}) {
    auto why = refused(f, f.fw->record_call(f.anna, 0, offer.id, outcome::busy, {}, false, "", bad, f.now));
    EXPECT_EQ(why.code, fault_code::invalid_request) << why.message;
  }
  EXPECT_EQ(file_state(f), before);
  f.take(f.fw->record_call(f.anna, 0, offer.id, outcome::busy, {}, false, "", offer.contact.phones[1], f.now));
  EXPECT_EQ(f.sql("SELECT number FROM call_attempts"), offer.contact.phones[1]);
}

// Hole 5: cases.finished stayed 0 for completed and refused cases.
TEST(StateMachine, CasesFinishedIsSetForCompletedAndRefusedCasesOnly) {
  durable_fieldwork f(3);
  auto refusing = take_next(f, f.anna);
  f.take(f.fw->record_call(f.anna, 0, refusing.id, outcome::refusal_receptionist, {}, false, "", "", f.now));
  auto busy = take_next(f, f.anna);
  f.take(f.fw->record_call(f.anna, 0, busy.id, outcome::busy, {}, false, "", "", f.now));
  auto completing = take_next(f, f.anna);
  auto iv = f.take(f.fw->start_interview(f.anna, 0, completing.id, "", f.now));
  for (const auto& a : eligible_answers)
    if (iv.current) answer_screen(f, f.anna, iv, a);
  ASSERT_TRUE(iv.ended);
  ASSERT_EQ(*iv.ended, outcome::complete);
  const auto finished = [&](case_id id) { return f.sql("SELECT finished FROM cases WHERE id = " + std::to_string(id)); };
  EXPECT_EQ(finished(refusing.id), "1");
  EXPECT_EQ(finished(completing.id), "1");
  EXPECT_EQ(finished(busy.id), "0");
}

// Hole 6: a supervisor could take cases and answer (the role table gives them to interviewers only).
TEST(StateMachine, SupervisorsCannotTakeCasesStartInterviewsAnswerOrSuspend) {
  in_interview t;
  auto& f = t.f;
  const auto before = file_state(f);
  EXPECT_EQ(refused(f, f.fw->next_case(f.sue, 0, f.now)).code, fault_code::forbidden);
  EXPECT_EQ(refused(f, f.fw->start_interview(f.sue, 0, t.offer.id, "", f.now)).code, fault_code::forbidden);
  EXPECT_EQ(refused(f, f.fw->record_call(f.sue, 0, t.offer.id, outcome::busy, {}, false, "", "", f.now)).code,
            fault_code::forbidden);
  EXPECT_EQ(refused(f, f.fw->answer(f.sue, 0, t.iv.id, t.iv.next_seq, t.iv.current->name, "1", f.now)).code,
            fault_code::forbidden);
  EXPECT_EQ(refused(f, f.fw->suspend(f.sue, 0, t.iv.id, t.iv.next_seq, outcome::break_off, {}, "", f.now)).code,
            fault_code::forbidden);
  EXPECT_EQ(file_state(f), before);
  answer_screen(f, f.anna, t.iv, "1");  // anna's interview is untouched
}

// Found by fuzz_fieldwork: the request-id check came first, so a supervisor's NextCase under the id of
// their earlier QuotaAction got INVALID_REQUEST ("used for another request") instead of FORBIDDEN.
TEST(StateMachine, ASupervisorsInterviewerRequestIsForbiddenEvenUnderAnIdAlreadyUsed) {
  in_interview t;
  auto& f = t.f;
  f.take(f.fw->quota_action(f.sue, 41, fieldwork::quota_op::close, {"sector", {"1"}}, 0, f.now));
  const auto before = file_state(f);
  EXPECT_EQ(refused(f, f.fw->next_case(f.sue, 41, f.now)).code, fault_code::forbidden);
  EXPECT_EQ(refused(f, f.fw->start_interview(f.sue, 41, t.offer.id, "", f.now)).code, fault_code::forbidden);
  EXPECT_EQ(refused(f, f.fw->record_call(f.sue, 41, t.offer.id, outcome::busy, {}, false, "", "", f.now)).code,
            fault_code::forbidden);
  EXPECT_EQ(file_state(f), before);
}

}  // namespace cati::durable
