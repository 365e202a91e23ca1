// Cases for scheduling, contact data, the call log, appointments, case holds, quota persistence.
#include <SQLiteCpp/SQLiteCpp.h>

#include "store/error.hpp"
#include "store/study_repo.hpp"
#include "backends.hpp"
#include "store_fixture.hpp"

namespace cati::test {
namespace {

class StoreCases : public backend_test {
 protected:
  void SetUp() override {
    backend_test::SetUp();
    if (IsSkipped()) return;
    import_ok(fw, std::string(frame_header) +
                      "F1,Alpha BV,+3220000001;+32470000001,Jan Peeters,BRU,services,5,nl\n"
                      "F2,Beta SRL,+3240000002,,WAL,commerce,3,fr\n");
    ann = add_interviewer(fw, "ann");
    bo = add_interviewer(fw, "bo");
    f1 = *fw.find_case("F1");
    f2 = *fw.find_case("F2");
  }

  store::call_attempt call(store::row_id case_id, store::row_id who, long long minute, core::outcome o) {
    store::call_attempt a;
    a.case_id = case_id;
    a.interviewer_id = who;
    a.at = fieldwork_time(minute);
    a.number = "+3220000001";
    a.result = o;
    return a;
  }

  store::fieldwork_store fw{options_for(db())};
  store::row_id ann = 0, bo = 0, f1 = 0, f2 = 0;
};

TEST_P(StoreCases, FrameAndContactDataAreKeptApart) {
  auto cases = fw.cases_for_scheduling();
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].firm_id, "F1");
  EXPECT_EQ(cases[0].language, "nl");
  EXPECT_EQ(cases[0].frame.at("region"), "BRU");
  EXPECT_EQ(cases[0].frame.at("fte_frame"), "5");
  EXPECT_FALSE(cases[0].frame.contains("company"));  // contact data is not in the scheduler's view
  EXPECT_EQ(cases[0].dials, 0);

  auto contact = fw.contact_of(f1);
  ASSERT_TRUE(contact);
  EXPECT_EQ(contact->fields.at("company"), "Alpha BV");
  EXPECT_EQ(contact->fields.at("contact_name"), "Jan Peeters");
  EXPECT_EQ(contact->phones, (std::vector<std::string>{"+3220000001", "+32470000001"}));
  EXPECT_FALSE(fw.contact_of(f2)->fields.contains("contact_name"));  // optional, not given
  EXPECT_FALSE(fw.contact_of(999));
}

TEST_P(StoreCases, CallAttemptsAreLoggedAndSummarisedOnTheCase) {
  fw.record_call_attempt(call(f1, ann, 10, core::outcome::busy)).get();
  auto second = call(f1, bo, 40, core::outcome::no_answer);
  second.notes = "rang out";
  second.schedule = store::case_schedule{fieldwork_time(160), false};
  fw.record_call_attempt(second).get();
  fw.record_call_attempt(call(f1, ann, 20, core::outcome::answering_machine)).get();  // late, out of order

  auto history = fw.call_history(f1);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].result, core::outcome::busy);
  EXPECT_EQ(history[1].result, core::outcome::answering_machine);
  EXPECT_EQ(history[2].notes, "rang out");
  EXPECT_EQ(history[2].interviewer_id, bo);

  auto summary = fw.case_for_scheduling(f1);
  EXPECT_EQ(summary->dials, 3);
  EXPECT_EQ(summary->last_call_at, fieldwork_time(40));
  EXPECT_EQ(summary->last_outcome, core::outcome::no_answer);
  EXPECT_EQ(summary->schedule.next_call_at, fieldwork_time(160));
  EXPECT_TRUE(fw.call_history(f2).empty());
  EXPECT_EQ(fw.call_log(fieldwork_time(15)).size(), 1u);
  EXPECT_EQ(fw.call_log().size(), 3u);
}

TEST_P(StoreCases, CallOnAnUnknownCaseChangesNothing) {
  EXPECT_THROW(fw.record_call_attempt(call(999, ann, 1, core::outcome::busy)).get(), store::store_error);
  EXPECT_THROW(fw.record_call_attempt(call(f1, 999, 1, core::outcome::busy)).get(), store::store_error);
  EXPECT_TRUE(fw.call_log().empty());
  EXPECT_EQ(fw.case_for_scheduling(f1)->dials, 0);
}

TEST_P(StoreCases, AppointmentsArePendingUntilResolved) {
  auto later = fw.create_appointment({f1, fieldwork_time(300), ann, fieldwork_time(10), true, "ask for Jan"}).get();
  auto sooner = fw.create_appointment({f1, fieldwork_time(200), bo, fieldwork_time(11), false, ""}).get();
  auto summary = fw.case_for_scheduling(f1);
  ASSERT_TRUE(summary->appointment);
  EXPECT_EQ(summary->appointment->id, sooner);  // the earliest pending one
  EXPECT_FALSE(fw.cases_for_scheduling()[1].appointment);

  fw.resolve_appointment(sooner, store::appointment_state::missed, fieldwork_time(230)).get();
  EXPECT_EQ(fw.cases_for_scheduling()[0].appointment->id, later);
  EXPECT_TRUE(fw.cases_for_scheduling()[0].appointment->personal);
  fw.resolve_appointment(sooner, store::appointment_state::missed, fieldwork_time(231)).get();  // again: fine
  EXPECT_THROW(fw.resolve_appointment(sooner, store::appointment_state::kept, fieldwork_time(232)).get(),
               store::store_error);

  auto all = fw.appointments_of(f1);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].state, store::appointment_state::missed);
  EXPECT_EQ(all[0].resolved_at, fieldwork_time(230));
  EXPECT_EQ(fw.pending_appointments().size(), 1u);
}

TEST_P(StoreCases, ACaseIsHeldByOneInterviewerUntilReleasedOrExpired) {
  EXPECT_TRUE(fw.hold_case(f1, ann, fieldwork_time(0), fieldwork_time(30)).get());
  EXPECT_FALSE(fw.hold_case(f1, bo, fieldwork_time(10), fieldwork_time(40)).get());
  EXPECT_TRUE(fw.hold_case(f1, ann, fieldwork_time(10), fieldwork_time(40)).get());  // extends
  EXPECT_FALSE(fw.hold_case(f1, bo, fieldwork_time(35), fieldwork_time(65)).get());
  EXPECT_TRUE(fw.hold_case(f1, bo, fieldwork_time(40), fieldwork_time(70)).get());  // ann's hold ran out
  EXPECT_EQ(fw.case_for_scheduling(f1)->held_by, bo);
  fw.release_case(f1, ann).get();  // not ann's any more: no effect
  EXPECT_EQ(fw.case_for_scheduling(f1)->held_by, bo);
  fw.release_case(f1, bo).get();
  EXPECT_FALSE(fw.case_for_scheduling(f1)->held_by);
  EXPECT_THROW(fw.hold_case(999, ann, fieldwork_time(0), fieldwork_time(1)).get(), store::store_error);
}

TEST_P(StoreCases, StudyVersionsAreKeptAndAnotherStudyIsRefused) {
  auto now = fieldwork_time();
  EXPECT_TRUE(fw.register_study({"ai_barometer_2025", "2025.1", "h1", "text 1", now}).get());
  EXPECT_FALSE(fw.register_study({"ai_barometer_2025", "2025.1", "h1", "text 1", now}).get());
  EXPECT_TRUE(fw.register_study({"ai_barometer_2025", "2025.2", "h2", "text 2", now}).get());
  EXPECT_EQ(fw.current_study()->version, "2025.2");
  EXPECT_THROW(fw.register_study({"other_study", "1", "h3", "text 3", now}).get(), store::store_error);
  EXPECT_EQ(fw.current_study()->questionnaire_text, "text 2");
}

// A server started with another questionnaire than the file last ran: a new version is recorded and said
// in the log; the same version with another text is refused, both digests named.
TEST(StudyChange, NewVersionIsSaidAndChangedTextUnderTheSameVersionIsRefused) {
  const store::study_record ran{"ai_barometer_2025", "2025.1", "aaaaaaaaaaaaaaaa", "text 1", {}};
  EXPECT_FALSE(store::study_change(std::nullopt, ran, "f.db")) << "a new file";
  EXPECT_FALSE(store::study_change(ran, ran, "f.db")) << "the same questionnaire";
  const store::study_record next{"ai_barometer_2025", "2025.2", "bbbbbbbbbbbbbbbb", "text 2", {}};
  auto said = store::study_change(ran, next, "f.db");
  ASSERT_TRUE(said);
  EXPECT_EQ(*said, "questionnaire ai_barometer_2025 2025.2 (digest bbbbbbbbbbbb) replaces 2025.1 (digest aaaaaaaaaaaa) "
                   "that f.db ran: recorded; open interviews go on under 2025.2");
  const store::study_record edited{"ai_barometer_2025", "2025.1", "cccccccccccccccc", "text 1, edited", {}};
  try {
    store::study_change(ran, edited, "f.db");
    FAIL() << "changed text under the same version was taken";
  } catch (const store::store_error& e) {
    EXPECT_EQ(e.code(), store::store_errc::conflict);
    EXPECT_NE(std::string(e.what()).find("differs from version 2025.1 that f.db ran (digest aaaaaaaaaaaa, now cccccccccccc)"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
CATI_ON_BOTH_BACKENDS(StoreCases);

}  // namespace cati::test
