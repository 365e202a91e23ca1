// Issue 18: a plain answer (on to the next question, nothing else) writes its answer row, carrying the
// request's sequence number and fingerprint, and not the interview's snapshot. A restart after kill -9
// rebuilds the interview from its last snapshot and the rows after it: the same screen, answers, next
// number and duplicate detection, on both backends; an older file (every answer wrote its snapshot, the
// rows carry no sequence numbers) opens and restores from its snapshots alone.
#include <gtest/gtest.h>

#include <variant>

#include "../store/backends.hpp"
#include "durable_harness.hpp"
#include "store/connection.hpp"

namespace cati::durable {
namespace {

class PlainAnswerReplay : public test::backend_test {};

std::string snapshot_of(const durable_fieldwork& f, interview_id id) {
  return f.sql("SELECT snapshot FROM interviews WHERE id = " + std::to_string(id));
}

}  // namespace

TEST_P(PlainAnswerReplay, PlainAnswersWriteTheirRowsAndLeaveTheSnapshotAsItWas) {
  durable_fieldwork f(2, 42, db());
  auto offer = take_next(f, f.anna);
  auto iv = f.take(f.fw->start_interview(f.anna, 0, offer.id, "", f.now));
  for (int i = 0; i < 5; ++i) answer_screen(f, f.anna, iv, eligible_answers[i]);  // past the quota point
  const auto snapshot = snapshot_of(f, iv.id);
  for (int i = 5; i < 9; ++i) answer_screen(f, f.anna, iv, eligible_answers[i]);
  EXPECT_EQ(snapshot_of(f, iv.id), snapshot) << "a plain answer rewrote the snapshot";
  EXPECT_EQ(f.sql("SELECT count(*) FROM answers WHERE interview_id = " + std::to_string(iv.id) +
                  " AND client_seq IS NOT NULL AND print IS NOT NULL"),
            "8")
      << "every answer's row carries its sequence number and fingerprint (the intro is a note: no row)";
  EXPECT_EQ(f.sql("SELECT max(client_seq) FROM answers WHERE interview_id = " + std::to_string(iv.id)),
            std::to_string(iv.next_seq - 1));
}

// kill -9 after plain answers, after going back and taking another branch (a drop row), and with a
// language switch in between: the restart lands where the interview was, recognises the resend of the
// last answer as a duplicate and another answer under its number as stale, and goes on to the same end.
TEST_P(PlainAnswerReplay, ARestartAfterPlainAnswersResumesWhereTheInterviewWas) {
  durable_fieldwork f(2, 42, db());
  auto offer = take_next(f, f.anna);
  auto iv = f.take(f.fw->start_interview(f.anna, 0, offer.id, "", f.now));
  for (int i = 0; i < 7; ++i) answer_screen(f, f.anna, iv, eligible_answers[i]);  // at q4_ai_tasks
  for (int i = 0; i < 2; ++i) iv = f.take(f.fw->back(f.anna, 0, iv.id, iv.next_seq, f.now));
  ASSERT_EQ(iv.current->name, "q2_ai_use");
  answer_screen(f, f.anna, iv, "4");  // no AI areas: q3_ai_areas's answer is dropped
  iv = f.take(f.fw->set_language(f.anna, 0, iv.id, "fr", f.now));
  answer_screen(f, f.anna, iv, "1 2");  // q4_ai_tasks
  answer_screen(f, f.anna, iv, "1");    // q5_potential
  ASSERT_EQ(iv.current->name, "q6_attitude");
  const auto last_seq = iv.next_seq - 1;
  const auto answers = f.dump("SELECT question, kind, value FROM answers ORDER BY interview_id, seq");

  f.restart();
  auto back = f.take(f.fw->resume(f.anna, f.now));
  ASSERT_TRUE(back.interview && back.interview->current);
  EXPECT_EQ(back.interview->current->name, "q6_attitude");
  EXPECT_EQ(back.interview->language, "fr");
  EXPECT_EQ(back.interview->next_seq, iv.next_seq);
  EXPECT_EQ(back.interview->current->label, iv.current->label);
  auto repeat = f.run(f.fw->answer(f.anna, 0, iv.id, last_seq, "q5_potential", "1", f.now));
  ASSERT_TRUE(repeat) << repeat.err().message;
  EXPECT_TRUE(repeat->duplicate);
  auto stale = f.run(f.fw->answer(f.anna, 0, iv.id, last_seq, "q5_potential", "2", f.now));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.err().code, fault_code::stale_sequence);
  EXPECT_EQ(f.dump("SELECT question, kind, value FROM answers ORDER BY interview_id, seq"), answers);
  // Going back over a replayed answer shows it as recorded, then on to the complete.
  iv = f.take(f.fw->back(f.anna, 0, iv.id, iv.next_seq, f.now));
  ASSERT_EQ(iv.current->name, "q5_potential");
  ASSERT_TRUE(iv.current->current_answer);
  EXPECT_EQ(iv.current->current_answer->to_string(), "1");
  for (const auto* a : {"1", "2", "1", "1", "1 2", ""}) answer_screen(f, f.anna, iv, a);
  ASSERT_TRUE(iv.ended);
  EXPECT_EQ(*iv.ended, outcome::complete);
  EXPECT_EQ(f.sql("SELECT count(*) FROM interviews WHERE final_state = 'complete'"), "1");
}

CATI_ON_BOTH_BACKENDS(PlainAnswerReplay);

// A file written before schema 11: every answer rewrote the snapshot and no row carries a sequence number.
// Made here from a new file whose last request wrote the snapshot, with the two columns taken out and the
// version set back; opening it migrates it, restores the interview from the snapshot alone, and the plain
// answers after that replay on it at the next restart.
TEST(PlainAnswerReplayOlderFile, AFileFromBeforeTheSequencedRowsRestoresFromItsSnapshot) {
  durable_fieldwork f(2);
  auto offer = take_next(f, f.anna);
  auto iv = f.take(f.fw->start_interview(f.anna, 0, offer.id, "", f.now));
  for (int i = 0; i < 7; ++i) answer_screen(f, f.anna, iv, eligible_answers[i]);
  iv = f.take(f.fw->back(f.anna, 0, iv.id, iv.next_seq, f.now));  // writes the snapshot
  ASSERT_EQ(iv.current->name, "q3_ai_areas");
  {
    auto db = store::open_write_connection(f.file_options());
    db->exec(
        "DROP TRIGGER answers_append_only_u; DROP TRIGGER answers_append_only_d;"
        "ALTER TABLE answers DROP COLUMN client_seq; ALTER TABLE answers DROP COLUMN print;"
        "CREATE TRIGGER answers_append_only_u BEFORE UPDATE ON answers"
        " BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END;"
        "CREATE TRIGGER answers_append_only_d BEFORE DELETE ON answers"
        " BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END;"
        "PRAGMA user_version = 10");
  }
  f.restart();  // the harness fails the test when an interview cannot be restored
  EXPECT_EQ(f.sql("PRAGMA user_version"), "11");
  EXPECT_EQ(f.sql("SELECT count(*) FROM answers WHERE client_seq IS NOT NULL"), "0");
  auto back = f.take(f.fw->resume(f.anna, f.now));
  ASSERT_TRUE(back.interview && back.interview->current);
  EXPECT_EQ(back.interview->current->name, "q3_ai_areas");
  EXPECT_EQ(back.interview->next_seq, iv.next_seq);
  auto repeat = f.run(f.fw->back(f.anna, 0, iv.id, iv.next_seq - 1, f.now));  // the Back's resend
  ASSERT_TRUE(repeat) << repeat.err().message;
  EXPECT_TRUE(repeat->duplicate);
  for (const auto* a : {"1 2", "1"}) answer_screen(f, f.anna, iv, a);
  f.restart();
  back = f.take(f.fw->resume(f.anna, f.now));
  ASSERT_TRUE(back.interview && back.interview->current);
  EXPECT_EQ(back.interview->current->name, "q5_potential");
  EXPECT_EQ(back.interview->next_seq, iv.next_seq);
}

}  // namespace cati::durable
