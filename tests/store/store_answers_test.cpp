// Interviews and answers: exactly-once by (interview, seq), history kept, current values, closing.
#include <latch>
#include <regex>

#include "store/sql/sql.hpp"
#include "store/error.hpp"
#include "store/interview_repo.hpp"
#include "backends.hpp"
#include "round_trips.hpp"
#include "store_fixture.hpp"
#include "writer_hold.hpp"

namespace cati::test {
namespace {

template <class Future>
store::store_errc error_of(Future&& f) {
  try {
    f.get();
  } catch (const store::store_error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no error";
  return store::store_errc::sqlite;
}

class StoreAnswers : public backend_test {
 protected:
  void SetUp() override {
    backend_test::SetUp();
    if (IsSkipped()) return;
    import_ok(fw, std::string(frame_header) + "F1,Alpha BV,+3220000001,,BRU,services,5,nl\n"
                                                "F2,Beta SRL,+3240000002,,WAL,commerce,3,fr\n");
    ann = add_interviewer(fw, "ann");
    case1 = *fw.find_case("F1");
    case2 = *fw.find_case("F2");
    interview = fw.create_interview({case1, ann, "2025.1", "nl", fieldwork_time()}).get();
  }

  store::answer answer(std::int64_t seq, std::string question, std::optional<std::string> value,
                       store::answer_kind kind = store::answer_kind::set) {
    return {interview.id, seq, std::move(question), kind, std::move(value), fieldwork_time(seq), ann};
  }
  std::size_t rows() {
    return fw.read([](store::sql::connection& db) { return db.execAndGet("SELECT count(*) FROM answers").getInt(); });
  }

  store::fieldwork_store fw{options_for(db())};
  store::row_id ann = 0, case1 = 0, case2 = 0;
  store::interview_record interview;
};

TEST_P(StoreAnswers, RepeatGetsTheOriginalAckAndChangesNothing) {
  auto first = fw.append_answer(answer(1, "s1_decider", "1")).get();
  EXPECT_FALSE(first.repeated);
  // The terminal resends after a lost ack, later, with its own clock moved on: same content.
  auto again_answer = answer(1, "s1_decider", "1");
  again_answer.at = fieldwork_time(99);
  auto again = fw.append_answer(again_answer).get();
  EXPECT_TRUE(again.repeated);
  EXPECT_EQ(again.interview_id, first.interview_id);
  EXPECT_EQ(again.seq, first.seq);
  EXPECT_EQ(again.at, first.at);
  EXPECT_EQ(rows(), 1u);
}

TEST_P(StoreAnswers, ManyConcurrentRetriesStoreTheAnswerOnce) {
  std::vector<std::future<store::answer_ack>> acks;
  for (int i = 0; i < 20; ++i) acks.push_back(fw.append_answer(answer(1, "s1_decider", "1")));
  int fresh = 0;
  for (auto& a : acks) fresh += a.get().repeated ? 0 : 1;
  EXPECT_EQ(fresh, 1);
  EXPECT_EQ(rows(), 1u);
}

TEST_P(StoreAnswers, SequenceNumberReusedForOtherContentIsAConflict) {
  fw.append_answer(answer(1, "s1_decider", "1")).get();
  EXPECT_EQ(error_of(fw.append_answer(answer(1, "s1_decider", "2"))), store::store_errc::conflict);
  EXPECT_EQ(error_of(fw.append_answer(answer(1, "s2_fte", "1"))), store::store_errc::conflict);
  EXPECT_EQ(rows(), 1u);
}

TEST_P(StoreAnswers, SequenceGapIsRefused) {
  EXPECT_EQ(error_of(fw.append_answer(answer(2, "s1_decider", "1"))), store::store_errc::sequence_gap);
  fw.append_answer(answer(1, "s1_decider", "1")).get();
  EXPECT_EQ(error_of(fw.append_answer(answer(3, "s2_fte", "4"))), store::store_errc::sequence_gap);
  EXPECT_EQ(rows(), 1u);
}

TEST_P(StoreAnswers, UnknownInterviewIsNotFound) {
  auto a = answer(1, "s1_decider", "1");
  a.interview_id = 999;
  EXPECT_EQ(error_of(fw.append_answer(a)), store::store_errc::not_found);
}

TEST_P(StoreAnswers, HistoryKeepsEveryChangeAndKnowsTheCurrentValues) {
  fw.append_answer(answer(1, "s1_decider", "1")).get();
  fw.append_answer(answer(2, "s2_fte", "30")).get();
  fw.append_answer(answer(3, "q3_other", std::nullopt)).get();  // asked, left unanswered
  fw.append_answer(answer(4, "s2_fte", "12")).get();            // back, corrected
  fw.append_answer(answer(5, "q3_other", std::nullopt, store::answer_kind::drop)).get();  // off the route

  auto history = fw.answer_history(interview.id);
  ASSERT_EQ(history.size(), 5u);
  EXPECT_EQ(history[1].value, "30");
  EXPECT_FALSE(history[1].current);
  EXPECT_TRUE(history[3].current);
  EXPECT_EQ(history[4].kind, store::answer_kind::drop);

  auto current = fw.current_answers(interview.id);
  ASSERT_EQ(current.size(), 2u);
  EXPECT_EQ(current[0].question, "s1_decider");
  EXPECT_EQ(current[1].question, "s2_fte");
  EXPECT_EQ(current[1].value, "12");
}

TEST_P(StoreAnswers, UnansweredIsStoredApartFromNotAsked) {
  fw.append_answer(answer(1, "q3_other", std::nullopt)).get();
  auto current = fw.current_answers(interview.id);
  ASSERT_EQ(current.size(), 1u);
  EXPECT_FALSE(current[0].value.has_value());
}

TEST_P(StoreAnswers, AnswersCannotBeRewritten) {
  fw.append_answer(answer(1, "s1_decider", "1")).get();
  auto update = fw.submit([](store::sql::connection& db) { db.exec("UPDATE answers SET value = '2'"); });
  EXPECT_EQ(error_of(update), store::store_errc::sqlite);
  auto erase = fw.submit([](store::sql::connection& db) { db.exec("DELETE FROM answers"); });
  EXPECT_EQ(error_of(erase), store::store_errc::sqlite);
  EXPECT_EQ(fw.current_answers(interview.id).at(0).value, "1");
}

TEST_P(StoreAnswers, SnapshotIsSavedWithTheAnswer) {
  fw.append_answer(answer(1, "s1_decider", "1"), std::string("cati-interview 1\ncurrent s2_fte\n")).get();
  EXPECT_EQ(fw.find_interview(interview.id)->snapshot, "cati-interview 1\ncurrent s2_fte\n");
}

TEST_P(StoreAnswers, EndedInterviewTakesNoNewAnswerButStillAcksARepeat) {
  fw.append_answer(answer(1, "s1_decider", "1")).get();
  EXPECT_TRUE(fw.finish_interview(interview.id, core::outcome::complete, fieldwork_time(10)).get());
  EXPECT_EQ(error_of(fw.append_answer(answer(2, "s2_fte", "3"))), store::store_errc::closed);
  EXPECT_TRUE(fw.append_answer(answer(1, "s1_decider", "1")).get().repeated);

  auto ended = fw.find_interview(interview.id);
  EXPECT_EQ(ended->final_state, core::outcome::complete);
  EXPECT_EQ(ended->ended_at, fieldwork_time(10));
  EXPECT_TRUE(fw.open_interviews().empty());
}

TEST_P(StoreAnswers, FinishingAgainIsHarmlessAndAnotherEndIsAConflict) {
  EXPECT_TRUE(fw.finish_interview(interview.id, core::outcome::break_off, fieldwork_time(5)).get());
  EXPECT_FALSE(fw.finish_interview(interview.id, core::outcome::break_off, fieldwork_time(6)).get());
  EXPECT_EQ(error_of(fw.finish_interview(interview.id, core::outcome::complete, fieldwork_time(7))),
            store::store_errc::conflict);
  EXPECT_EQ(fw.find_interview(interview.id)->ended_at, fieldwork_time(5));
}

TEST_P(StoreAnswers, RespondentIdIsRandomAndSharedByTheInterviewsOfACase) {
  auto second = fw.create_interview({case1, ann, "2025.1", "nl", fieldwork_time(60)}).get();
  auto other = fw.create_interview({case2, ann, "2025.1", "fr", fieldwork_time(61)}).get();
  EXPECT_TRUE(std::regex_match(interview.respondent_id, std::regex("R[0-9A-HJKMNP-TV-Z]{10}")))
      << interview.respondent_id;
  EXPECT_EQ(second.respondent_id, interview.respondent_id);
  EXPECT_EQ(second.seed, interview.seed);
  EXPECT_NE(other.respondent_id, interview.respondent_id);
  EXPECT_NE(second.id, interview.id);
  // Not derived from the firm's number. (Not checked against the firm id "F1": two random characters
  // spell it about once in a hundred runs, which made this test flaky.)
  EXPECT_EQ(interview.respondent_id.find("2000000"), std::string::npos);
  EXPECT_EQ(fw.open_interviews().size(), 3u);
}

TEST_P(StoreAnswers, InterviewNeedsAKnownCaseAndInterviewer) {
  EXPECT_EQ(error_of(fw.create_interview({999, ann, "2025.1", "nl", fieldwork_time()})),
            store::store_errc::not_found);
  EXPECT_EQ(error_of(fw.create_interview({case1, 999, "2025.1", "nl", fieldwork_time()})),
            store::store_errc::not_found);
}

// One batch of the writer (held while the answers queue): on PostgreSQL its answers are pipelined, each
// inserted without a lookup whose result must be waited for, their checks inside the insert (and a
// snapshot saved without waiting for its row count). What each caller is told must be what it is told
// one answer at a time: a refusal among good answers fails that answer alone, with its own reason, a
// resend is acknowledged as before, and a snapshot of no interview is not_found.
TEST_P(StoreAnswers, AnswersInOneBatchAreCheckedEachAsIfAlone) {
  auto second = fw.create_interview({case2, ann, "2025.1", "fr", fieldwork_time(2)}).get();
  fw.append_answer(answer(1, "s1_decider", "1")).get();
  EXPECT_TRUE(fw.finish_interview(second.id, core::outcome::break_off, fieldwork_time(3)).get());
  auto on_second = answer(1, "s1_decider", "1");
  on_second.interview_id = second.id;

  const auto unpipelined_before = fw.write_stats().unpipelined;
  std::latch go(1);
  hold_writer(fw, go);
  auto next = fw.append_answer(answer(2, "s2_fte", "30"));
  auto resent = fw.append_answer(answer(1, "s1_decider", "1"));
  auto reused = fw.append_answer(answer(2, "s2_fte", "31"));  // 2 is taken by `next`, ahead in the batch
  auto gap = fw.append_answer(answer(9, "q3_other", "x"));
  auto ended = fw.append_answer(on_second);
  auto after = fw.append_answer(answer(3, "q3_other", std::nullopt));
  auto no_interview = fw.submit([](store::sql::connection& c) { store::save_snapshot(c, 999, "cati-interview 1\n"); });
  auto saved = fw.submit([id = interview.id](store::sql::connection& c) { store::save_snapshot(c, id, "after 3\n"); });
  go.count_down();

  EXPECT_FALSE(next.get().repeated);
  EXPECT_TRUE(resent.get().repeated);
  EXPECT_EQ(error_of(reused), store::store_errc::conflict);
  EXPECT_EQ(error_of(gap), store::store_errc::sequence_gap);
  EXPECT_EQ(error_of(ended), store::store_errc::closed);
  EXPECT_FALSE(after.get().repeated);
  EXPECT_EQ(error_of(no_interview), store::store_errc::not_found);
  saved.get();
  EXPECT_EQ(fw.find_interview(interview.id)->snapshot, "after 3\n");
  const auto history = fw.answer_history(interview.id);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[1].value, "30");
  EXPECT_FALSE(history[2].value.has_value());
  EXPECT_TRUE(fw.answer_history(second.id).empty());
  // PostgreSQL's first attempt failed as a whole (the refusals' NULL seq), and the batch ran again
  // without pipelining, where each answer was looked up; SQLite never pipelines.
  EXPECT_EQ(fw.write_stats().unpipelined - unpipelined_before, on_postgresql() ? 1u : 0u);
}

TEST_P(StoreAnswers, ABatchOfGoodAnswersIsStoredInOnePipelinedAttempt) {
  const auto trips_before = round_trips(fw);
  std::latch go(1);
  hold_writer(fw, go);
  std::vector<std::future<store::answer_ack>> acks;
  for (int seq = 1; seq <= 40; ++seq) {  // every fourth with a snapshot, as an answer at a quota point has
    auto snapshot = seq % 4 == 0 ? std::optional<std::string>("at " + std::to_string(seq) + "\n") : std::nullopt;
    acks.push_back(fw.append_answer(answer(seq, "q" + std::to_string(seq), "v"), snapshot));
  }
  go.count_down();
  for (auto& a : acks) EXPECT_FALSE(a.get().repeated);
  // Not one wait per answer, nor one for the transaction's start: one per batch, at its COMMIT, whatever
  // its size; three batches here (the holding job, the answers, the count's own). (With BEGIN and the
  // writers' lock waited for before the pipeline: 6.)
  if (on_postgresql()) {
    EXPECT_LE(round_trips(fw) - trips_before, 3u);
  }
  EXPECT_EQ(rows(), 40u);
  EXPECT_EQ(fw.find_interview(interview.id)->snapshot, "at 40\n");
  EXPECT_EQ(fw.write_stats().unpipelined, 0u) << "a good answer's checks failed inside the pipeline";
  EXPECT_EQ(fw.write_stats().failed_jobs, 0u);
}

}  // namespace
CATI_ON_BOTH_BACKENDS(StoreAnswers);

}  // namespace cati::test
