// The fieldwork service on the seed study: cases, calls, whole interviews, exactly-once sequence numbers,
// quota leases and endings, suspend and resume, and a restart from the persisted snapshot.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <variant>

#include "core/ports/clock_spec.hpp"
#include "core/fieldwork/fieldwork.hpp"
#include "schema/loader.hpp"

using namespace cati::core;

namespace {

time_point at(const char* text) { return parse_instant(text).value(); }

struct harness {
  std::shared_ptr<const questionnaire> study =
      cati::schema::load_study_or_throw(std::string(CATI_SOURCE_DIR) + "/schema/ai_barometer_2025");
  calendar cal = calendar::make(*study).value();
  std::unique_ptr<fieldwork> fw;
  user anna{1, "anna", user_role::interviewer, {"nl", "fr"}};
  user bert{2, "bert", user_role::interviewer, {"nl", "fr"}};
  user sue{3, "sue", user_role::supervisor, {"nl", "fr"}};
  time_point now = at("2025-10-13T09:05:00+02:00");
  change_list persisted;  // everything committed so far, in order

  explicit harness(int cases = 6, quota_state quotas = {}, interview_id next_id = 1) {
    fw = std::make_unique<fieldwork>(study, cal, quotas, next_id, 42);
    std::vector<loaded_case> list;
    for (int i = 1; i <= cases; ++i) list.push_back(make_case(i, i % 3 == 0 ? "WAL" : "VLA"));
    fw->load_cases(std::move(list));
  }

  static loaded_case make_case(case_id id, const std::string& region) {
    loaded_case c;
    c.record.id = id;
    c.record.language = region == "WAL" ? "fr" : "nl";
    c.record.frame = {{"region", region}, {"sector_frame", "services"}, {"fte_frame", "4"}, {"language", c.record.language}};
    c.contact = {"F" + std::to_string(id), "Firma " + std::to_string(id), "Jan Peeters", {"+3292000000" + std::to_string(id % 10)}};
    return c;
  }

  template <class T>
  T take(effect<T> e) {
    EXPECT_TRUE(e.reply.has_value()) << (e.reply ? "" : e.reply.err().message);
    persisted.insert(persisted.end(), e.changes.begin(), e.changes.end());
    return std::move(e.reply).value();
  }

  case_offer next(const user& who) {
    auto v = take(fw->next_case(who, 0, now));
    EXPECT_TRUE(std::holds_alternative<case_offer>(v));
    return std::get<case_offer>(v);
  }

  // Answers the current question; returns the new view.
  interview_view say(const user& who, interview_view& iv, const std::string& text) {
    EXPECT_TRUE(iv.current) << "no question on screen";
    now += std::chrono::seconds(20);
    iv = take(fw->answer(who, 0, iv.id, iv.next_seq, iv.current->name, text, now));
    return iv;
  }

  // What a store would have for the interview: its latest snapshot, its rows, the sequenced ones.
  loaded_interview stored(const interview_view& iv, const std::string& interviewer) const {
    loaded_interview li{iv.id, iv.case_, interviewer, iv.language, "", 0, now, false, std::nullopt, {}};
    for (const auto& c : persisted) {
      if (auto* s = std::get_if<snapshot_saved>(&c); s && s->interview == iv.id) li.snapshot = s->text;
      if (auto* a = std::get_if<answer_logged>(&c); a && a->interview == iv.id) {
        ++li.rows;
        if (a->client_seq != 0) li.sequenced.push_back({a->client_seq, a->print, a->question, a->value});
      }
    }
    return li;
  }
  template <class T>
  std::size_t count_changes() const {
    std::size_t n = 0;
    for (const auto& c : persisted) n += std::holds_alternative<T>(c);
    return n;
  }
};

// Answers that carry an eligible firm through the whole seed questionnaire.
const std::vector<std::string> complete_run = {"", "1", "5", "1", "3", "3", "1 2", "1", "1", "2", "1", "1", "1 2", ""};

}  // namespace

TEST(Fieldwork, WholeInterviewCompletesAndCountsTheQuota) {
  harness h;
  auto offer = h.next(h.anna);
  EXPECT_EQ(offer.attempt, 1);
  EXPECT_EQ(offer.max_attempts, 8);
  const std::string region = offer.frame.at("region");
  EXPECT_EQ(offer.quota_cell, "region=" + region);
  auto iv = h.take(h.fw->start_interview(h.anna, 0, offer.id, "", h.now));
  ASSERT_TRUE(iv.current);
  EXPECT_EQ(iv.current->name, "intro");
  EXPECT_NE(iv.current->label.find("Firma " + std::to_string(offer.id)), std::string::npos) << iv.current->label;
  for (const auto& a : complete_run) {
    if (!iv.current) break;
    h.say(h.anna, iv, a);
  }
  ASSERT_TRUE(iv.ended);
  EXPECT_EQ(*iv.ended, outcome::complete);
  EXPECT_EQ(iv.aapor_code, "1.1");
  const auto* vla = h.fw->quotas().find({"region", {region}});
  const auto* services = h.fw->quotas().find({"sector", {"1"}});
  EXPECT_EQ(vla->completes, 1);
  EXPECT_EQ(services->completes, 1);
  EXPECT_EQ(vla->in_progress, 0);
  EXPECT_EQ(h.count_changes<interview_opened>(), 1u);
  EXPECT_EQ(h.count_changes<interview_closed>(), 1u);
  EXPECT_EQ(h.count_changes<call_logged>(), 1u);
  EXPECT_EQ(h.fw->today(h.anna, h.now).completes, 1);
  EXPECT_EQ(h.fw->today(h.anna, h.now).calls, 1);
}

TEST(Fieldwork, RepeatedSequenceNumberChangesNothing) {
  harness h;
  auto offer = h.next(h.anna);
  auto iv = h.take(h.fw->start_interview(h.anna, 0, offer.id, "", h.now));
  h.say(h.anna, iv, "");   // intro, seq 1
  auto seq = iv.next_seq;  // 2
  h.say(h.anna, iv, "1");  // s1_decider
  auto again = h.fw->answer(h.anna, 0, iv.id, seq, "s1_decider", "1", h.now);
  ASSERT_TRUE(again.reply);
  EXPECT_TRUE(again.reply->duplicate);
  EXPECT_TRUE(again.changes.empty());
  EXPECT_EQ(again.reply->current->name, "s2_fte");
  // The same number for another request is not a repeat: refused, and nothing changes.
  for (const auto& other : {std::pair<std::string, std::string>{"s1_decider", "2"}, {"s2_fte", "1"}}) {
    auto stale = h.fw->answer(h.anna, 0, iv.id, seq, other.first, other.second, h.now);
    ASSERT_FALSE(stale.reply);
    EXPECT_EQ(stale.reply.err().code, fault_code::stale_sequence) << stale.reply.err().message;
    EXPECT_TRUE(stale.changes.empty());
  }
  auto stale_back = h.fw->back(h.anna, 0, iv.id, seq, h.now);
  ASSERT_FALSE(stale_back.reply);
  EXPECT_EQ(stale_back.reply.err().code, fault_code::stale_sequence);
  auto ahead = h.fw->answer(h.anna, 0, iv.id, iv.next_seq + 1, "s2_fte", "5", h.now);
  ASSERT_FALSE(ahead.reply);
  EXPECT_EQ(ahead.reply.err().code, fault_code::future_sequence);
  auto wrong = h.fw->answer(h.anna, 0, iv.id, iv.next_seq, "q1_market", "1", h.now);
  ASSERT_FALSE(wrong.reply);
  EXPECT_EQ(wrong.reply.err().code, fault_code::wrong_question);
  auto invalid = h.fw->answer(h.anna, 0, iv.id, iv.next_seq, "s2_fte", "501", h.now);
  ASSERT_FALSE(invalid.reply);
  EXPECT_EQ(invalid.reply.err().code, fault_code::invalid_answer);
  EXPECT_TRUE(invalid.changes.empty());
}

TEST(Fieldwork, OnlyTheHolderTouchesACaseOrInterview) {
  harness h;
  auto offer = h.next(h.anna);
  auto iv = h.take(h.fw->start_interview(h.anna, 0, offer.id, "", h.now));
  auto other = h.fw->answer(h.bert, 0, iv.id, 1, "intro", "", h.now);
  ASSERT_FALSE(other.reply);
  EXPECT_EQ(other.reply.err().code, fault_code::not_your_case);
  auto call = h.fw->record_call(h.bert, 0, offer.id, outcome::busy, {}, false, "", "", h.now);
  ASSERT_FALSE(call.reply);
  EXPECT_EQ(call.reply.err().code, fault_code::not_your_case);
  auto bert_offer = h.next(h.bert);
  EXPECT_NE(bert_offer.id, offer.id);
}

TEST(Fieldwork, BusyCallIsLoggedAndTheCaseReleased) {
  harness h(1);
  auto offer = h.next(h.anna);
  auto done = h.take(h.fw->record_call(h.anna, 0, offer.id, outcome::busy, {}, false, "", "", h.now));
  EXPECT_EQ(done.result, outcome::busy);
  EXPECT_EQ(h.count_changes<call_logged>(), 1u);
  // Busy: retried after 20 minutes, not before.
  auto idle_now = h.take(h.fw->next_case(h.anna, 0, h.now));
  EXPECT_TRUE(std::holds_alternative<idle>(idle_now));
  h.now += std::chrono::minutes(21);
  auto again = h.next(h.anna);
  EXPECT_EQ(again.id, offer.id);
  EXPECT_EQ(again.history.size(), 1u);
}

TEST(Fieldwork, AppointmentOutsideCallingHoursIsRefused) {
  harness h(1);
  auto offer = h.next(h.anna);
  auto lunch = h.fw->record_call(h.anna, 0, offer.id, outcome::appointment, at("2025-10-14T12:30:00+02:00"), true, "", "", h.now);
  ASSERT_FALSE(lunch.reply);
  EXPECT_EQ(lunch.reply.err().code, fault_code::invalid_request);
  auto ok = h.fw->record_call(h.anna, 0, offer.id, outcome::appointment, at("2025-10-14T10:00:00+02:00"), true, "", "", h.now);
  EXPECT_TRUE(ok.reply);
}

TEST(Fieldwork, AppointmentRefusalSaysWhichRule) {
  harness h(1);
  auto offer = h.next(h.anna);
  auto saturday = h.fw->record_call(h.anna, 0, offer.id, outcome::appointment, at("2025-10-18T10:00:00+02:00"), true, "", "", h.now);
  ASSERT_FALSE(saturday.reply);
  EXPECT_EQ(saturday.reply.err().message,
            "Sat 18 Oct 10:00: no calls on Saturdays; the next calling time is Mon 20 Oct 09:00");
}

// "Not the right person": the screen-out (a call-back) keeps the case held by the interviewer, who makes
// the appointment with the right person on the same call (record_call refuses a case not held).
TEST(Fieldwork, WrongPersonScreenOutKeepsTheCaseForAnAppointment) {
  harness h(1);
  auto offer = h.next(h.anna);
  auto iv = h.take(h.fw->start_interview(h.anna, 0, offer.id, "", h.now));
  for (const auto& a : {"", "2"}) h.say(h.anna, iv, a);
  ASSERT_TRUE(iv.ended);
  EXPECT_EQ(*iv.ended, outcome::callback);
  auto appointment = h.take(h.fw->record_call(h.anna, 0, offer.id, outcome::appointment,
                                              at("2025-10-14T10:00:00+02:00"), true, "", "", h.now));
  EXPECT_EQ(appointment.result, outcome::appointment);
  // One call: the screen-out's call-back, with the appointment agreed in it (not a second attempt).
  EXPECT_EQ(h.count_changes<call_logged>(), 2u);
  const call_logged* logged = nullptr;
  for (auto it = h.persisted.rbegin(); it != h.persisted.rend() && !logged; ++it) logged = std::get_if<call_logged>(&*it);
  ASSERT_TRUE(logged);
  EXPECT_TRUE(logged->same_call);
  const case_record* record = nullptr;
  for (const auto& c : h.fw->cases())
    if (c.id == offer.id) record = &c;
  ASSERT_TRUE(record);
  ASSERT_EQ(record->calls.size(), 1u);
  EXPECT_EQ(record->calls[0].result, outcome::callback);
  ASSERT_TRUE(record->calls[0].callback);
  EXPECT_EQ(record->calls[0].callback->at, at("2025-10-14T10:00:00+02:00"));
}

// The screen-out's hold ends without an appointment (Esc, then the next case): an appointment made on a
// later call of the same case is a call of its own.
TEST(Fieldwork, AppointmentOnALaterHoldAfterAScreenOutIsANewCall) {
  harness h(1);
  auto offer = h.next(h.anna);
  auto iv = h.take(h.fw->start_interview(h.anna, 0, offer.id, "", h.now));
  for (const auto& a : {"", "2"}) h.say(h.anna, iv, a);
  ASSERT_TRUE(iv.ended);
  h.now = at("2025-10-14T14:00:00+02:00");  // the call-back is due again
  auto again = h.next(h.anna);
  ASSERT_EQ(again.id, offer.id);
  h.take(h.fw->record_call(h.anna, 0, offer.id, outcome::appointment, at("2025-10-15T10:00:00+02:00"), true, "", "", h.now));
  for (const auto& c : h.fw->cases()) {
    if (c.id == offer.id) {
      EXPECT_EQ(c.calls.size(), 2u);
    }
  }
}

TEST(Fieldwork, FullSectorCellEndsOverQuota) {
  harness h;
  h.take(h.fw->quota_action(h.sue, 0, fieldwork::quota_op::close, {"sector", {"2"}}, 0, h.now));
  EXPECT_EQ(h.count_changes<audit_logged>(), 1u);
  auto offer = h.next(h.anna);
  auto iv = h.take(h.fw->start_interview(h.anna, 0, offer.id, "", h.now));
  for (const auto& a : {"", "1", "5", "2"}) h.say(h.anna, iv, a);
  ASSERT_TRUE(iv.ended);
  EXPECT_EQ(*iv.ended, outcome::over_quota);
  EXPECT_EQ(iv.aapor_code, "4.80");
  EXPECT_NE(iv.end_message.find("closed"), std::string::npos) << iv.end_message;
  EXPECT_EQ(h.fw->quotas().lease_count(), 0u);
}

TEST(Fieldwork, InterviewersCannotChangeQuotas) {
  harness h;
  auto e = h.fw->quota_action(h.anna, 0, fieldwork::quota_op::close, {"sector", {"2"}}, 0, h.now);
  ASSERT_FALSE(e.reply);
  EXPECT_EQ(e.reply.err().code, fault_code::forbidden);
  auto low = h.fw->quota_action(h.sue, 0, fieldwork::quota_op::set_target, {"region", {"BRU"}}, -1, h.now);
  EXPECT_FALSE(low.reply);
}

TEST(Fieldwork, TooManyEmployeesEndsNotEligible) {
  harness h;
  auto offer = h.next(h.anna);
  auto iv = h.take(h.fw->start_interview(h.anna, 0, offer.id, "", h.now));
  for (const auto& a : {"", "1", "25"}) h.say(h.anna, iv, a);
  ASSERT_TRUE(iv.ended);
  EXPECT_EQ(*iv.ended, outcome::not_eligible);
  EXPECT_EQ(h.fw->quotas().lease_count(), 0u);
}

TEST(Fieldwork, BreakOffReleasesTheLeaseAndResumingTakesItAgain) {
  harness h(1);
  auto offer = h.next(h.anna);
  auto iv = h.take(h.fw->start_interview(h.anna, 0, offer.id, "", h.now));
  for (const auto& a : {"", "1", "5", "1", "3"}) h.say(h.anna, iv, a);
  EXPECT_EQ(h.fw->quotas().lease_count(), 1u);
  auto s = h.take(h.fw->suspend(h.anna, 0, iv.id, iv.next_seq, outcome::break_off, {}, "", h.now));
  EXPECT_EQ(s.ended, outcome::break_off);
  EXPECT_EQ(h.fw->quotas().lease_count(), 0u);
  // Break-off is retried later; the same case comes back with its open interview.
  h.now += std::chrono::hours(2);
  auto again = h.next(h.anna);
  ASSERT_EQ(again.id, offer.id);
  ASSERT_TRUE(again.open_interview);
  auto resumed = h.take(h.fw->start_interview(h.anna, 0, again.id, "", h.now));
  EXPECT_EQ(resumed.id, iv.id);
  ASSERT_TRUE(resumed.current);
  EXPECT_EQ(resumed.current->name, "q2_ai_use");
  EXPECT_EQ(h.fw->quotas().lease_count(), 1u);
}

TEST(Fieldwork, RestartResumesAtTheSameScreenAndRecognisesRepeats) {
  harness h;
  auto offer = h.next(h.anna);
  auto iv = h.take(h.fw->start_interview(h.anna, 0, offer.id, "", h.now));
  for (const auto& a : {"", "1", "5", "1"}) h.say(h.anna, iv, a);
  const auto last_seq = iv.next_seq - 1;
  // What a store would have: the latest snapshot and the rows, the quota state, the case with its history.
  harness after(6, h.fw->quotas().state(), 100);
  auto failed = after.fw->load_interviews({h.stored(iv, "anna")}, h.now);
  EXPECT_TRUE(failed.empty());
  auto back = after.take(after.fw->resume(after.anna, after.now));
  ASSERT_TRUE(back.interview);
  ASSERT_TRUE(back.interview->current);
  EXPECT_EQ(back.interview->current->name, "q1_market");
  EXPECT_EQ(back.interview->next_seq, last_seq + 1);
  auto repeat = after.fw->answer(after.anna, 0, iv.id, last_seq, "s3_sector", "1", after.now);
  ASSERT_TRUE(repeat.reply);
  EXPECT_TRUE(repeat.reply->duplicate);
  // The fingerprints of applied requests survive the restart: another answer under that number is stale.
  auto stale = after.fw->answer(after.anna, 0, iv.id, last_seq, "s3_sector", "2", after.now);
  ASSERT_FALSE(stale.reply);
  EXPECT_EQ(stale.reply.err().code, fault_code::stale_sequence);
  EXPECT_EQ(after.fw->quotas().lease_count(), 1u);
}

// A plain answer (on to the next question, nothing else) is persisted as its row alone, carrying the
// sequence number and the fingerprint; the state is not saved again until a request that does more.
TEST(Fieldwork, APlainAnswerWritesItsRowWithItsSequenceNumberAndNoSnapshot) {
  harness h;
  auto offer = h.next(h.anna);
  auto iv = h.take(h.fw->start_interview(h.anna, 0, offer.id, "", h.now));
  for (const auto& a : {"", "1", "5", "1"}) h.say(h.anna, iv, a);  // past the quota point
  const auto seq = iv.next_seq;
  auto e = h.fw->answer(h.anna, 0, iv.id, seq, "q1_market", "3", h.now);
  ASSERT_TRUE(e.reply) << e.reply.err().message;
  std::size_t rows = 0, snapshots = 0;
  for (const auto& c : e.changes) {
    snapshots += std::holds_alternative<snapshot_saved>(c);
    if (auto* a = std::get_if<answer_logged>(&c)) {
      ++rows;
      EXPECT_EQ(a->client_seq, seq);
      EXPECT_FALSE(a->print.empty());
    }
  }
  EXPECT_EQ(rows, 1u);
  EXPECT_EQ(snapshots, 0u);
  // Going back is not plain: it saves the state (its position is in no row).
  auto back = h.fw->back(h.anna, 0, iv.id, seq + 1, h.now);
  ASSERT_TRUE(back.reply);
  EXPECT_TRUE(std::any_of(back.changes.begin(), back.changes.end(),
                          [](const change& c) { return std::holds_alternative<snapshot_saved>(c); }));
}

// A restart rebuilds an interview from its last snapshot and the plain answers after it: the same screen,
// the same recorded answers, the same next number, and the fingerprints of those answers (a resend is a
// duplicate, another answer under the number is stale). Here after going back and taking another branch.
TEST(Fieldwork, RestartReplaysThePlainAnswersAfterTheSnapshot) {
  harness h;
  auto offer = h.next(h.anna);
  auto iv = h.take(h.fw->start_interview(h.anna, 0, offer.id, "", h.now));
  for (const auto& a : {"", "1", "5", "1", "3", "3", "1 2"}) h.say(h.anna, iv, a);  // at q4_ai_tasks
  iv = h.take(h.fw->back(h.anna, 0, iv.id, iv.next_seq, h.now));
  iv = h.take(h.fw->back(h.anna, 0, iv.id, iv.next_seq, h.now));
  ASSERT_EQ(iv.current->name, "q2_ai_use");
  // "4": no AI areas, so the answer to q3_ai_areas is dropped; then q4_ai_tasks and q5_potential.
  for (const auto& a : {"4", "1 2", "1"}) h.say(h.anna, iv, a);
  ASSERT_TRUE(iv.current);
  ASSERT_EQ(iv.current->name, "q6_attitude");
  const auto last_seq = iv.next_seq - 1;
  const auto li = h.stored(iv, "anna");
  ASSERT_EQ(std::count_if(li.sequenced.begin(), li.sequenced.end(),
                          [&](const sequenced_answer& a) { return a.seq > last_seq - 3; }),
            3) << "the last three answers are rows (and not in the snapshot, written by the second Back)";

  harness after(6, h.fw->quotas().state(), 100);
  auto failed = after.fw->load_interviews({li}, h.now);
  ASSERT_TRUE(failed.empty()) << failed.front().second;
  auto resumed = after.take(after.fw->resume(after.anna, h.now));
  ASSERT_TRUE(resumed.interview && resumed.interview->current);
  EXPECT_EQ(resumed.interview->current->name, iv.current->name);
  EXPECT_EQ(resumed.interview->next_seq, iv.next_seq);
  auto before_view = h.fw->resume(h.anna, h.now);
  ASSERT_TRUE(before_view.reply && before_view.reply->interview && before_view.reply->interview->current);
  EXPECT_EQ(resumed.interview->current->current_answer, before_view.reply->interview->current->current_answer);
  const auto last_question = li.sequenced.back().question;
  auto repeat = after.fw->answer(after.anna, 0, iv.id, last_seq, last_question, "1", h.now);
  ASSERT_TRUE(repeat.reply) << repeat.reply.err().message;
  EXPECT_TRUE(repeat.reply->duplicate);
  auto stale = after.fw->answer(after.anna, 0, iv.id, last_seq, last_question, "2", h.now);
  ASSERT_FALSE(stale.reply);
  EXPECT_EQ(stale.reply.err().code, fault_code::stale_sequence);
  // Both go on to the same end, with the same completes.
  for (auto* side : {&h, &after}) {
    auto v = iv;
    for (const auto& a : {"2", "1", "1", "1 2", ""}) side->say(side->anna, v, a);
    EXPECT_EQ(v.ended, outcome::complete);
  }
  EXPECT_EQ(after.fw->quotas().state().cells, h.fw->quotas().state().cells);
}

// A row that no longer replays where it was answered (the questionnaire changed under the file, or the
// file was edited) leaves the interview unrestored, with the reason, instead of guessing.
TEST(Fieldwork, ARowThatDoesNotReplayIsReportedNotGuessed) {
  harness h;
  auto offer = h.next(h.anna);
  auto iv = h.take(h.fw->start_interview(h.anna, 0, offer.id, "", h.now));
  for (const auto& a : {"", "1", "5", "1", "3"}) h.say(h.anna, iv, a);
  auto li = h.stored(iv, "anna");
  ASSERT_FALSE(li.sequenced.empty());
  li.sequenced.back().question = "s1_decider";
  harness after(6, h.fw->quotas().state(), 100);
  auto failed = after.fw->load_interviews({li}, h.now);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NE(failed.front().second.find("not at that question"), std::string::npos) << failed.front().second;
}

// The fingerprints are kept for the last kept_prints numbers: the snapshot stays small however long the
// interview goes back and forth, and a number older than that is refused (it cannot be checked), never
// acknowledged unchecked.
TEST(Fieldwork, OnlyTheLatestFingerprintsAreKept) {
  harness h;
  auto offer = h.next(h.anna);
  auto iv = h.take(h.fw->start_interview(h.anna, 0, offer.id, "", h.now));
  h.say(h.anna, iv, "");   // intro, seq 1
  h.say(h.anna, iv, "1");  // s1_decider, seq 2
  for (int i = 0; i < 40; ++i) {
    iv = h.take(h.fw->back(h.anna, 0, iv.id, iv.next_seq, h.now));
    h.say(h.anna, iv, "1");
  }
  const auto last = iv.next_seq - 1;  // 82
  ASSERT_GT(last, fieldwork::kept_prints + 2);
  const snapshot_saved* saved = nullptr;  // the last one written (the case lock's renewal comes after it)
  for (auto it = h.persisted.rbegin(); !saved && it != h.persisted.rend(); ++it) saved = std::get_if<snapshot_saved>(&*it);
  ASSERT_NE(saved, nullptr);
  std::size_t lines = 0;
  for (std::size_t at = saved->text.find("seq-print "); at != std::string::npos; at = saved->text.find("seq-print ", at + 1))
    ++lines;
  EXPECT_EQ(lines, fieldwork::kept_prints);
  auto repeat = h.fw->answer(h.anna, 0, iv.id, last, "s1_decider", "1", h.now);
  ASSERT_TRUE(repeat.reply) << repeat.reply.err().message;
  EXPECT_TRUE(repeat.reply->duplicate);
  // Numbers alternate Back (odd) and the answer to s1_decider (even); the oldest kept is a Back.
  auto oldest_kept = h.fw->back(h.anna, 0, iv.id, last - fieldwork::kept_prints + 1, h.now);
  ASSERT_TRUE(oldest_kept.reply) << oldest_kept.reply.err().message;
  auto too_old = h.fw->answer(h.anna, 0, iv.id, 2, "s1_decider", "1", h.now);
  ASSERT_FALSE(too_old.reply);
  EXPECT_EQ(too_old.reply.err().code, fault_code::stale_sequence);
  EXPECT_NE(too_old.reply.err().message.find("older than the last 16"), std::string::npos) << too_old.reply.err().message;
  EXPECT_TRUE(too_old.changes.empty());
}

// --- quota rules at the service (issue 4) ----------------------------------------------------------

namespace {

// Carries an interview to just past the quota point (s3_sector answered with `sector`).
interview_view past_quota_point(harness& h, const user& who, const std::string& sector = "1") {
  auto offer = h.next(who);
  auto iv = h.take(h.fw->start_interview(who, 0, offer.id, "", h.now));
  for (const auto& a : {"", "1", "5"}) h.say(who, iv, a);
  h.say(who, iv, sector);
  return iv;
}

template <class Event>
std::size_t quota_events_of(const change_list& changes) {
  std::size_t n = 0;
  for (const auto& c : changes)
    if (auto* q = std::get_if<quota_changed>(&c))
      for (const auto& e : q->events) n += std::holds_alternative<Event>(e);
  return n;
}

}  // namespace

TEST(FieldworkQuota, RefusalMidInterviewReturnsTheLease) {
  harness h;
  auto iv = past_quota_point(h, h.anna);
  ASSERT_EQ(h.fw->quotas().lease_count(), 1u);
  auto e = h.fw->suspend(h.anna, 0, iv.id, iv.next_seq, outcome::soft_refusal, {}, "", h.now);
  ASSERT_TRUE(e.reply);
  EXPECT_EQ(e.reply->ended, outcome::soft_refusal);
  EXPECT_EQ(quota_events_of<lease_released>(e.changes), 1u);
  EXPECT_EQ(h.fw->quotas().lease_count(), 0u);
  EXPECT_EQ(h.fw->quotas().find({"sector", {"1"}})->completes, 0);
}

TEST(FieldworkQuota, DisconnectNotResumedInTimeReturnsTheLeaseAndComingBackTakesItAgain) {
  harness h;
  auto iv = past_quota_point(h, h.anna);
  const auto deadline = h.fw->quotas().lease_of(iv.id)->second;
  h.now = deadline - std::chrono::seconds(1);
  EXPECT_TRUE(h.fw->tick(h.now).empty()) << "swept before its deadline";
  h.now = deadline;
  auto swept = h.fw->tick(h.now);
  EXPECT_EQ(quota_events_of<lease_expired>(swept), 1u);
  EXPECT_EQ(h.fw->quotas().lease_count(), 0u);
  EXPECT_EQ(h.fw->quotas().find({"sector", {"1"}})->in_progress, 0);
  // The terminal comes back late: the cell still has room, so the interview takes a lease again.
  auto back = h.fw->resume(h.anna, h.now);
  ASSERT_TRUE(back.reply && back.reply->interview);
  EXPECT_TRUE(back.reply->interview->current);
  EXPECT_EQ(quota_events_of<lease_taken>(back.changes), 1u);
  EXPECT_EQ(h.fw->quotas().lease_count(), 1u);
}

TEST(FieldworkQuota, DisconnectNotResumedInTimeEndsOverQuotaWhenTheCellFilledMeanwhile) {
  harness h;
  auto iv = past_quota_point(h, h.anna);
  h.now = h.fw->quotas().lease_of(iv.id)->second;
  EXPECT_EQ(quota_events_of<lease_expired>(h.fw->tick(h.now)), 1u);
  // Meanwhile the supervisor closes the sector cell: the lease cannot be taken again.
  h.take(h.fw->quota_action(h.sue, 0, fieldwork::quota_op::close, {"sector", {"1"}}, 0, h.now));
  auto back = h.take(h.fw->resume(h.anna, h.now));
  ASSERT_TRUE(back.interview);
  ASSERT_TRUE(back.interview->ended);
  EXPECT_EQ(*back.interview->ended, outcome::over_quota);
  EXPECT_NE(back.interview->end_message.find("s3_sector=1: closed"), std::string::npos)
      << back.interview->end_message;
}

TEST(FieldworkQuota, ResumedInterviewKeepsItsLeaseAndTheRenewalIsPersisted) {
  harness h;
  auto iv = past_quota_point(h, h.anna);
  const auto first = *h.fw->quotas().lease_of(iv.id);
  h.now += std::chrono::minutes(5);  // the terminal was away, less than the lease's life
  auto back = h.fw->resume(h.anna, h.now);
  ASSERT_TRUE(back.reply && back.reply->interview && back.reply->interview->current);
  EXPECT_EQ(back.reply->interview->id, iv.id);
  EXPECT_EQ(quota_events_of<lease_taken>(back.changes), 0u);
  EXPECT_EQ(quota_events_of<lease_renewed>(back.changes), 1u) << "the later deadline must reach the store";
  const auto now_held = *h.fw->quotas().lease_of(iv.id);
  EXPECT_EQ(now_held.first, first.first);
  EXPECT_GT(now_held.second, first.second);
  // An answer renews it too, in the changes committed with the answer.
  h.now += std::chrono::minutes(1);
  auto e = h.fw->answer(h.anna, 0, iv.id, iv.next_seq, iv.current->name, "3", h.now);
  ASSERT_TRUE(e.reply);
  EXPECT_EQ(quota_events_of<lease_renewed>(e.changes), 1u);
}

TEST(FieldworkQuota, RefusedRequestLeavesTheLeaseUntouched) {
  harness h;
  auto iv = past_quota_point(h, h.anna);
  const auto before = h.fw->quotas().state();
  h.now += std::chrono::minutes(1);
  // The host does not commit a refused request's changes, so the book must not change either.
  auto wrong = h.fw->answer(h.anna, 0, iv.id, iv.next_seq, iv.current->name, "99", h.now);
  ASSERT_FALSE(wrong.reply);
  EXPECT_TRUE(wrong.changes.empty());
  EXPECT_EQ(h.fw->quotas().state(), before);
}

TEST(FieldworkQuota, LoweringATargetBelowTheCompletesIsRefusedWithAMessageAndChangesAreAudited) {
  harness h;
  auto offer = h.next(h.anna);
  auto iv = h.take(h.fw->start_interview(h.anna, 0, offer.id, "", h.now));
  for (const auto& a : complete_run)
    if (iv.current) h.say(h.anna, iv, a);
  ASSERT_EQ(iv.ended, outcome::complete);
  const cell_id services{"sector", {"1"}};
  auto low = h.fw->quota_action(h.sue, 0, fieldwork::quota_op::set_target, services, 0, h.now);
  ASSERT_FALSE(low.reply);
  EXPECT_EQ(low.reply.err().code, fault_code::invalid_request);
  EXPECT_NE(low.reply.err().message.find("sector=1 (Services): target 0 is below the 1 completes"), std::string::npos)
      << low.reply.err().message;
  EXPECT_TRUE(low.changes.empty()) << "a refused change is not audited as made";
  EXPECT_EQ(h.fw->quotas().find(services)->target, 97);

  h.now += std::chrono::minutes(1);
  auto ok = h.fw->quota_action(h.sue, 0, fieldwork::quota_op::set_target, services, 1, h.now);
  ASSERT_TRUE(ok.reply) << ok.reply.err().message;
  EXPECT_EQ(ok.reply->target, 1);
  EXPECT_EQ(quota_events_of<target_changed>(ok.changes), 1u);
  std::vector<audit_logged> audits;
  for (const auto& c : ok.changes)
    if (auto* a = std::get_if<audit_logged>(&c)) audits.push_back(*a);
  ASSERT_EQ(audits.size(), 1u);
  EXPECT_EQ(audits[0].user, h.sue.id);
  EXPECT_EQ(audits[0].at, h.now);
  EXPECT_EQ(audits[0].action, "quota_target");
  EXPECT_EQ(audits[0].details, "s3_sector=1: target 97 -> 1");
  // Full now: the next interview in services ends over quota.
  auto next = past_quota_point(h, h.bert, "1");
  ASSERT_TRUE(next.ended);
  EXPECT_EQ(*next.ended, outcome::over_quota);
}

TEST(FieldworkQuota, SchedulerDoesNotDialFirmsWhoseFrameCellIsFullOrClosed) {
  harness h;  // six cases: 3 and 6 in Wallonia, the others in Flanders
  h.take(h.fw->quota_action(h.sue, 0, fieldwork::quota_op::close, {"region", {"WAL"}}, 0, h.now));
  std::set<case_id> offered;
  for (;;) {
    auto v = h.take(h.fw->next_case(h.anna, 0, h.now));
    if (!std::holds_alternative<case_offer>(v)) break;
    const auto& offer = std::get<case_offer>(v);
    EXPECT_EQ(offer.frame.at("region"), "VLA") << "case " << offer.id << " is in a closed cell";
    ASSERT_TRUE(offered.insert(offer.id).second) << "case " << offer.id << " offered twice";
    h.take(h.fw->record_call(h.anna, 0, offer.id, outcome::busy, {}, false, "", "", h.now));
  }
  EXPECT_EQ(offered.size(), 4u);
  // Reopened, Wallonia is called again; at target (a target equal to its completes), it is not.
  h.take(h.fw->quota_action(h.sue, 0, fieldwork::quota_op::reopen, {"region", {"WAL"}}, 0, h.now));
  auto v = h.take(h.fw->next_case(h.anna, 0, h.now));
  ASSERT_TRUE(std::holds_alternative<case_offer>(v));
  EXPECT_EQ(std::get<case_offer>(v).frame.at("region"), "WAL");
  h.take(h.fw->record_call(h.anna, 0, std::get<case_offer>(v).id, outcome::busy, {}, false, "", "", h.now));
  h.take(h.fw->quota_action(h.sue, 0, fieldwork::quota_op::set_target, {"region", {"WAL"}}, 0, h.now));
  EXPECT_TRUE(std::holds_alternative<idle>(h.take(h.fw->next_case(h.anna, 0, h.now))));
}

TEST(FieldworkQuota, QuotaTableSharesCountEveryArrivalAtTheQuotaPoint) {
  harness h;
  h.take(h.fw->quota_action(h.sue, 0, fieldwork::quota_op::close, {"sector", {"2"}}, 0, h.now));
  auto iv = past_quota_point(h, h.anna, "2");
  ASSERT_EQ(iv.ended, outcome::over_quota);
  // Commerce has no completes and no lease, but one interview arrived there: its share rests on it.
  for (const auto& row : h.fw->quota_table())
    if (row.cell.id == cell_id{"sector", {"2"}}) {
      EXPECT_EQ(row.share_basis, 1);
      EXPECT_GT(row.share, 1.0 / 3);
    }
  // The arrivals come back after a restart, from the answers the store hands over with the cases.
  harness after(6, h.fw->quotas().state(), 100);
  std::vector<loaded_case> cases;
  loaded_case c = harness::make_case(iv.case_, "VLA");
  c.quota_answers[iv.id] = {{"s3_sector", "2"}};
  cases.push_back(c);
  after.fw->load_cases(std::move(cases));
  for (const auto& row : after.fw->quota_table()) {
    if (row.cell.id == cell_id{"sector", {"2"}}) {
      EXPECT_EQ(row.share_basis, 1);
    }
  }
}

// (research) The firm is the unit: a dead first number sends the next call to the second number and does
// not finish the case; only when both are dead is it finished.
TEST(Fieldwork, ADeadNumberEndsThatNumberNotTheFirm) {
  harness h(0);
  auto c = harness::make_case(1, "VLA");
  c.contact.phones = {"+3292000001", "+3292000002"};
  c.record.numbers = 2;  // as the store's loader sets it (store::fieldwork_port::cases_after)
  std::vector<loaded_case> list;
  list.push_back(std::move(c));
  h.fw->load_cases(std::move(list));

  auto offer = h.next(h.anna);
  EXPECT_EQ(offer.number_to_dial, 0);
  h.take(h.fw->record_call(h.anna, 0, offer.id, outcome::disconnected, {}, false, "", "+3292000001", h.now));
  h.now += std::chrono::minutes(1);
  auto again = h.take(h.fw->next_case(h.anna, 0, h.now));
  ASSERT_TRUE(std::holds_alternative<case_offer>(again))
      << static_cast<int>(std::get<idle>(again).why.reason) << " next "
      << (std::get<idle>(again).why.next ? format_instant(*std::get<idle>(again).why.next) : std::string("-"));
  offer = std::get<case_offer>(again);
  EXPECT_EQ(offer.id, 1);
  EXPECT_EQ(offer.number_to_dial, 1);  // the second number, at once
  EXPECT_EQ(offer.attempt, 1);         // the dead number was no attempt on the firm
  h.take(h.fw->record_call(h.anna, 0, offer.id, outcome::fax_modem, {}, false, "", "+3292000002", h.now));
  h.now += std::chrono::minutes(1);
  auto v = h.take(h.fw->next_case(h.anna, 0, h.now));
  ASSERT_TRUE(std::holds_alternative<idle>(v));
  EXPECT_EQ(std::get<idle>(v).why.reason, idle_reason::finished);
}

// (research) A soft refusal comes back after three days to an interviewer with the converter skill only.
TEST(Fieldwork, ASoftRefusalGoesToAConverterAfterThreeDays) {
  harness h(1);
  user rik{4, "rik", user_role::interviewer, {"nl", "fr"}, true};
  auto offer = h.next(h.anna);
  h.take(h.fw->record_call(h.anna, 0, offer.id, outcome::soft_refusal, {}, false, "", "", h.now));
  h.now = at("2025-10-15T09:05:00+02:00");  // two days later: not yet, not even for a converter
  auto early = h.take(h.fw->next_case(rik, 0, h.now));
  EXPECT_TRUE(std::holds_alternative<idle>(early));
  h.now = at("2025-10-16T09:10:00+02:00");  // three days later
  auto anna = h.take(h.fw->next_case(h.anna, 0, h.now));
  EXPECT_TRUE(std::holds_alternative<idle>(anna));  // not a converter
  auto conversion = h.next(rik);
  EXPECT_EQ(conversion.id, 1);
}
