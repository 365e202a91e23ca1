// `cati report` and `cati quota` on a small real fieldwork of the seed study, written through the store's
// API: nine firms, two interviewers, eleven calls over two days, and the quota events of three
// interviews and three supervisor actions. Every number checked is computed by hand below. At the end,
// `cati db copy` of the same fieldwork (DbCopy).
#include <sstream>

#include "core/quota/quota_book.hpp"
#include "schema/loader.hpp"
#include "store/copy.hpp"
#include "store/migrations.hpp"
#include "store/ownership.hpp"
#include "store/request_repo.hpp"
#include "store/session_repo.hpp"
#include "store/study_repo.hpp"
#include "backends.hpp"
#include "store_fixture.hpp"

namespace cati::test {
namespace {

const std::string seed_dir = std::string(CATI_SOURCE_DIR) + "/schema/ai_barometer_2025";

core::cell_id cell(std::string quota, std::string value) { return {std::move(quota), {std::move(value)}}; }

// The fieldwork, by firm (fieldwork_time(m) is Monday 13 October 2025 09:00 Brussels + m minutes; day 2
// is Tuesday 14, m >= 1440). The AAPOR code each case ends with, and after day 1 only (--at 2025-10-13):
//
//   firm region calls                                                   final      after day 1
//   F1   VLA    ann d1 complete                                         1.1   I    1.1   I
//   F2   VLA    ann d1 refusal_target                                   2.112 R    2.112 R
//   F3   VLA    bob d1 no_answer, bob d1 busy, ann d2 soft_refusal      2.11  R    3.13  UH
//   F4   WAL    bob d1 disconnected                                     4.30  NE   4.30  NE
//   F5   WAL    ann d1 answering_machine, bob d2 complete               1.1   I    3.14  UH
//   F6   BRU    bob d1 callback, ann d2 refusal_receptionist            2.111 R    2.21  NC
//   F7   BRU    never called (in an interview now, see the quotas)      3.11  UH   3.11  UH
//   F8   VLA    ann d1 not_eligible                                     4.70  NE   4.70  NE
//   F9   WAL    bob d1 language_problem                                 2.33  O    2.33  O
//
// Final: I 2, R 3, NC 0, O 1, UH 1, NE 2 (9 cases).
//   e     = (I+R+NC+O) / (I+R+NC+O+NE) = 6/8 = 0.75
//   RR1   = I / (I+R+NC+O+UH)          = 2/7 = 0.2857
//   RR3   = I / (I+R+NC+O + e*UH)      = 2/6.75 = 0.2963   (--e 0.5: 2/6.5 = 0.3077)
//   COOP1 = I / (I+R+O)                = 2/6 = 0.3333
//   REF1  = R / (I+R+NC+O+UH)          = 3/7 = 0.4286
//   CON1  = (I+R+O) / (I+R+O+NC+UH)    = 6/7 = 0.8571
// After day 1: I 1, R 1, NC 1, O 1, UH 3, NE 2.
//   e = 4/6 = 0.6667; RR1 = 1/7 = 0.1429; RR3 = 1/(4 + 2/3*3) = 1/6 = 0.1667; COOP1 = 1/3 = 0.3333;
//   REF1 = 1/7 = 0.1429; CON1 = 3/7 = 0.4286.
//
// Quotas (seed targets region VLA 131 / WAL 70 / BRU 24, sector 1 97 / 2 64 / 3 64):
//   interview 1 (F1, VLA, sector 1) completes; interview 2 (F5, WAL, sector 2) completes;
//   interview 3 (F7, BRU, sector 3) takes a lease on Tuesday 11:00 until 12:00 and is still open;
//   a supervisor lowers BRU to 1 and sector 2 to 1, and closes WAL.
class ReportFieldwork : public ::testing::Test {
 protected:
  void SetUp() override {
    // CTest builds the tool before this suite (tests/CMakeLists.txt): a missing one is an error.
    if (!fs::exists(cati_binary)) FAIL() << "the cati tool is not built (" << cati_binary << ")";
    study_ = schema::load_study_or_throw(seed_dir);
    store::fieldwork_store fw(options_for(db_));
    register_study(fw, study_->id);
    import(fw);
    ann_ = add_interviewer(fw, "ann");
    bob_ = add_interviewer(fw, "bob");
    calls(fw);
    quotas(fw);
  }

  void register_study(store::fieldwork_store& fw, const std::string& id) {
    std::ifstream in(seed_dir + "/questionnaire.textproto");
    std::stringstream text;
    text << in.rdbuf();
    fw.register_study({id, "2025.1", store::study_hash(text.str()), text.str(), fieldwork_time()}).get();
  }

  void import(store::fieldwork_store& fw) {
    const std::string csv = std::string(frame_header) +
                            "F1,Alpha BV,+3220000001,,VLA,services,5,nl\n"
                            "F2,Beta BV,+3220000002,,VLA,commerce,3,nl\n"
                            "F3,Gamma NV,+3220000003,,VLA,industry,4,nl\n"
                            "F4,Delta SRL,+3220000004,,WAL,services,2,fr\n"
                            "F5,Epsilon SRL,+3220000005,,WAL,commerce,6,fr\n"
                            "F6,Zeta SRL,+3220000006,,BRU,services,1,fr\n"
                            "F7,Eta BV,+3220000007,,BRU,industry,8,nl\n"
                            "F8,Theta BV,+3220000008,,VLA,services,40,nl\n"
                            "F9,Iota SRL,+3220000009,,WAL,industry,3,fr\n";
    auto frame = core::parse_sample_frame(csv, *study_);
    ASSERT_TRUE(frame.ok()) << frame.problems.front().to_string("frame.csv");
    auto result = fw.import_sample(frame, {"frame.csv", fieldwork_time(), std::nullopt}).get();
    ASSERT_TRUE(result.ok()) << result.problems.front().to_string("frame.csv");
  }

  void call(store::fieldwork_store& fw, const char* firm, store::row_id who, int minutes, core::outcome o) {
    fw.record_call_attempt({*fw.find_case(firm), who, fieldwork_time(minutes), "+3220000000", o, "", {}, {}}).get();
  }

  void calls(store::fieldwork_store& fw) {
    using core::outcome;
    call(fw, "F1", ann_, 0, outcome::complete);
    call(fw, "F2", ann_, 10, outcome::refusal_target);
    call(fw, "F3", bob_, 20, outcome::no_answer);
    call(fw, "F4", bob_, 30, outcome::disconnected);
    call(fw, "F5", ann_, 40, outcome::answering_machine);
    call(fw, "F6", bob_, 50, outcome::callback);
    call(fw, "F8", ann_, 60, outcome::not_eligible);
    call(fw, "F9", bob_, 70, outcome::language_problem);
    call(fw, "F3", bob_, 150, outcome::busy);
    call(fw, "F5", bob_, 1440, outcome::complete);
    call(fw, "F6", ann_, 1470, outcome::refusal_receptionist);
    call(fw, "F3", ann_, 1500, outcome::soft_refusal);
  }

  void quotas(store::fieldwork_store& fw) {
    auto built = core::quota_book::build(*study_);
    ASSERT_TRUE(built);
    auto book = std::move(built).value();
    fw.ensure_quota_cells(book.state()).get();
    auto apply = [&](const core::quota_events& events) { fw.apply_quota_events(events).get(); };
    auto interview = [&](const char* firm, store::row_id who, int minutes) {
      return fw.create_interview({*fw.find_case(firm), who, "2025.1", "nl", fieldwork_time(minutes)}).get().id;
    };
    const core::milliseconds hour = std::chrono::hours(1);

    const auto i1 = interview("F1", ann_, 0);
    auto lease = book.try_lease(i1, {{"region", "VLA"}, {"s3_sector", "1"}}, fieldwork_time(2), hour);
    ASSERT_TRUE(lease.granted);
    apply(lease.events);
    apply(book.complete(i1).value());

    const auto i2 = interview("F5", bob_, 1440);
    lease = book.try_lease(i2, {{"region", "WAL"}, {"s3_sector", "2"}}, fieldwork_time(1442), hour);
    ASSERT_TRUE(lease.granted);
    apply(lease.events);
    apply(book.complete(i2).value());

    const auto i3 = interview("F7", bob_, 1558);
    lease = book.try_lease(i3, {{"region", "BRU"}, {"s3_sector", "3"}}, fieldwork_time(1560), hour);  // until 12:00
    ASSERT_TRUE(lease.granted);
    apply(lease.events);

    apply(book.set_target(cell("region", "BRU"), 1).value());  // 0 completes + 1 in progress: allowed
    apply(book.set_target(cell("sector", "2"), 1).value());
    apply(book.close(cell("region", "WAL")).value());
  }

  run_result cati(const std::string& args) { return run_cati(args, "", dir_); }
  std::string db_args() const { return "--db " + db_.string() + " --study " + seed_dir; }
  // The hand computations of this suite read 4.30 as not eligible (AAPOR's number-as-unit table); the
  // default, unknown eligibility, is checked in DeadNumbersAreOfUnknownEligibilityByDefault.
  std::string report_args() const { return db_args() + " --dead-number not-eligible"; }

  temp_dir dir_;
  fs::path db_ = dir_ / "fieldwork.db";
  std::shared_ptr<const core::questionnaire> study_;
  store::row_id ann_ = 0, bob_ = 0;
};

// The lines of `output` from the line `title` to the next blank line, title excluded.
std::string section(const std::string& output, const std::string& title) {
  auto start = output.find("\n" + title + "\n");
  if (start == std::string::npos) return "";
  start += title.size() + 2;
  auto end = output.find("\n\n", start);
  return output.substr(start, end == std::string::npos ? std::string::npos : end + 1 - start);
}

// The whitespace-separated cells of the line of `table` whose first cell is `first`.
std::vector<std::string> row(const std::string& table, const std::string& first) {
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::vector<std::string> cells;
    for (std::string w; words >> w;) cells.push_back(w);
    if (!cells.empty() && cells.front() == first) return cells;
  }
  return {};
}

// The last cell of the row: the count or rate of a one-column (overall) table.
std::string last(const std::string& table, const std::string& first) {
  auto cells = row(table, first);
  return cells.empty() ? "(no row " + first + ")" : cells.back();
}

using ReportCli = ReportFieldwork;

TEST_F(ReportCli, DispositionsAndRatesFromTheWholeHistory) {
  auto r = cati("report " + report_args() + " --at 2025-10-20");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Fieldwork report: ai_barometer_2025 (questionnaire 2025.1), 9 cases, as of "
                          "2025-10-21 00:00 CEST (--at 2025-10-20)\n"),
            std::string::npos) << r.output;
  EXPECT_NE(r.output.find("e estimated per column as AAPOR's calculator does"), std::string::npos);

  const auto counts = section(r.output, "Dispositions, overall");
  EXPECT_EQ(last(counts, "1.1"), "2");
  EXPECT_EQ(last(counts, "2.11"), "1");
  EXPECT_EQ(last(counts, "2.111"), "1");
  EXPECT_EQ(last(counts, "2.112"), "1");
  EXPECT_EQ(last(counts, "2.21"), "0");  // every code is listed overall, zeros too
  EXPECT_EQ(last(counts, "2.33"), "1");
  EXPECT_EQ(last(counts, "3.11"), "1");
  EXPECT_EQ(last(counts, "3.13"), "0");
  EXPECT_EQ(last(counts, "4.30"), "1");
  EXPECT_EQ(last(counts, "4.70"), "1");
  EXPECT_EQ(last(counts, "I"), "2");
  EXPECT_EQ(last(counts, "R"), "3");
  EXPECT_EQ(last(counts, "UH"), "1");
  EXPECT_EQ(last(counts, "NE"), "2");
  EXPECT_EQ(last(counts, "cases"), "9");

  const auto rates = section(r.output, "Rates, overall");
  EXPECT_EQ(last(rates, "e"), "0.7500");
  EXPECT_EQ(last(rates, "RR1"), "0.2857");
  EXPECT_EQ(last(rates, "RR3"), "0.2963");
  EXPECT_EQ(last(rates, "COOP1"), "0.3333");
  EXPECT_EQ(last(rates, "REF1"), "0.4286");
  EXPECT_EQ(last(rates, "CON1"), "0.8571");
}

// Per region (in name order), every rate by hand:
//   BRU: R 1, UH 1 (known 1, contacted 1, e = 1/1)   VLA: I 1, R 2, NE 1 (known 3, e = 3/4)
//   WAL: I 1, O 1, NE 1 (known 2, e = 2/3)           total: as above.
// BRU: RR1-6 0; COOP1-4 0; REF1 = 1/2, REF2 = 1/(1+1*1), REF3 = 1/1; CON1 = 1/2, CON2 = 1/2, CON3 = 1/1.
// VLA: RR1-6 = COOP1-4 = 1/3 (COOP3 = I/(I+R) = 1/3); REF1-3 = 2/3; CON1-3 = 3/3.
// WAL: RR1-6 = 1/2; COOP1-2 = 1/2, COOP3-4 = I/(I+R) = 1/1; REF 0; CON1-3 = 2/2.
// Total: RR1-2 2/7, RR3-4 2/6.75, RR5-6 2/6, COOP1-2 2/6, COOP3-4 2/5, REF1 3/7, REF2 3/6.75, REF3 3/6,
//        CON1 6/7, CON2 6/6.75, CON3 6/6.
TEST_F(ReportCli, RatesPerRegionInAStableTable) {
  auto r = cati("report " + report_args() + " --at 2025-10-20 --by region");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(section(r.output, "Rates by region"),
            "rate      BRU     VLA     WAL   total\n"
            "-----  ------  ------  ------  ------\n"
            "e      1.0000  0.7500  0.6667  0.7500\n"
            "-----  ------  ------  ------  ------\n"
            "RR1    0.0000  0.3333  0.5000  0.2857\n"
            "RR2    0.0000  0.3333  0.5000  0.2857\n"
            "RR3    0.0000  0.3333  0.5000  0.2963\n"
            "RR4    0.0000  0.3333  0.5000  0.2963\n"
            "RR5    0.0000  0.3333  0.5000  0.3333\n"
            "RR6    0.0000  0.3333  0.5000  0.3333\n"
            "COOP1  0.0000  0.3333  0.5000  0.3333\n"
            "COOP2  0.0000  0.3333  0.5000  0.3333\n"
            "COOP3  0.0000  0.3333  1.0000  0.4000\n"
            "COOP4  0.0000  0.3333  1.0000  0.4000\n"
            "REF1   0.5000  0.6667  0.0000  0.4286\n"
            "REF2   0.5000  0.6667  0.0000  0.4444\n"
            "REF3   1.0000  0.6667  0.0000  0.5000\n"
            "CON1   0.5000  1.0000  1.0000  0.8571\n"
            "CON2   0.5000  1.0000  1.0000  0.8889\n"
            "CON3   1.0000  1.0000  1.0000  1.0000\n");
  // Only the breakdown asked for.
  EXPECT_EQ(r.output.find("Rates, overall"), std::string::npos);
  const auto counts = section(r.output, "Dispositions by region");
  EXPECT_EQ(row(counts, "cases"), (std::vector<std::string>{"cases", "2", "4", "3", "9"}));
  EXPECT_EQ(row(counts, "2.111").back(), "1");
  EXPECT_TRUE(row(counts, "3.13").empty()) << "a code no case has is left out per group";
}

// Interviewer and day of the deciding call: ann decided F1, F2, F3 (day 2), F6 (day 2), F8; bob F4,
// F5 (day 2), F9; F7 was never called. Day 1: F1, F2, F4, F8, F9; day 2: F3, F5, F6.
TEST_F(ReportCli, PerInterviewerAndPerDay) {
  auto r = cati("report " + report_args() + " --at 2025-10-20 --by interviewer,day");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto people = section(r.output, "Dispositions by interviewer");
  EXPECT_EQ(row(people, "code"), (std::vector<std::string>{"code", "group", "description", "ann", "bob", "(none)", "total"}));
  EXPECT_EQ(row(people, "cases"), (std::vector<std::string>{"cases", "5", "3", "1", "9"}));
  EXPECT_EQ(row(people, "R"), (std::vector<std::string>{"R", "refusals", "and", "break-offs", "3", "0", "0", "3"}));
  // ann: I 1, R 3, NE 1: RR1 = 1/4; the never-called remainder has no eligible case: RR5 = 0/0.
  const auto people_rates = section(r.output, "Rates by interviewer");
  EXPECT_EQ(row(people_rates, "RR1"), (std::vector<std::string>{"RR1", "0.2500", "0.5000", "0.0000", "0.2857"}));
  EXPECT_EQ(row(people_rates, "RR5"), (std::vector<std::string>{"RR5", "0.2500", "0.5000", "n/a", "0.3333"}));
  EXPECT_EQ(row(people_rates, "e"), (std::vector<std::string>{"e", "0.8000", "0.6667", "n/a", "0.7500"}));

  const auto days = section(r.output, "Dispositions by day");
  EXPECT_EQ(row(days, "cases"), (std::vector<std::string>{"cases", "5", "3", "1", "9"}));
  EXPECT_EQ(row(days, "code")[3], "2025-10-13");
  EXPECT_EQ(row(days, "code")[4], "2025-10-14");
}

TEST_F(ReportCli, AtAPastMomentLeavesOutLaterCalls) {
  auto r = cati("report " + report_args() + " --at 2025-10-13 --by overall");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto counts = section(r.output, "Dispositions, overall");
  EXPECT_EQ(last(counts, "1.1"), "1");    // F5's complete is on day 2
  EXPECT_EQ(last(counts, "2.21"), "1");   // F6 not yet refused
  EXPECT_EQ(last(counts, "3.13"), "1");   // F3 not yet a soft refusal
  EXPECT_EQ(last(counts, "3.14"), "1");   // F5's machine
  EXPECT_EQ(last(counts, "2.11"), "0");
  EXPECT_EQ(last(counts, "UH"), "3");
  const auto rates = section(r.output, "Rates, overall");
  EXPECT_EQ(last(rates, "e"), "0.6667");
  EXPECT_EQ(last(rates, "RR1"), "0.1429");
  EXPECT_EQ(last(rates, "RR3"), "0.1667");
  EXPECT_EQ(last(rates, "COOP1"), "0.3333");
  EXPECT_EQ(last(rates, "REF1"), "0.1429");
  EXPECT_EQ(last(rates, "CON1"), "0.4286");

  // A wall time in Brussels: Monday 10:30 is after F1..F9's first calls (09:00-10:10), before F3's busy.
  auto morning = cati("report " + report_args() + " --at 2025-10-13T10:30 --by overall");
  ASSERT_EQ(morning.exit_code, 0) << morning.output;
  EXPECT_NE(morning.output.find("as of 2025-10-13 10:30 CEST"), std::string::npos) << morning.output;
  EXPECT_EQ(last(section(morning.output, "Dispositions, overall"), "3.13"), "1");
  EXPECT_EQ(last(section(morning.output, "Dispositions, overall"), "cases"), "9");
}

// The default: F4's disconnected number (the firm's only one) leaves the firm's eligibility unknown.
//   Final: I 2, R 3, O 1, UH 2, NE 1: e = 6/7 = 0.8571; RR1 = 2/8 = 0.2500; RR3 = 2/(6 + 12/7) = 0.2593.
//   WAL: I 1, O 1, UH 1: e = 2/2; RR1 = RR3 = 1/3.
TEST_F(ReportCli, DeadNumbersAreOfUnknownEligibilityByDefault) {
  auto r = cati("report " + db_args() + " --at 2025-10-20 --by overall,region");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("quota filled (4.80) counted as not-eligible; a firm whose every number is dead (4.10, "
                          "4.20, 4.30) as unknown eligibility"),
            std::string::npos) << r.output;
  const auto counts = section(r.output, "Dispositions, overall");
  EXPECT_EQ(row(counts, "4.30"), (std::vector<std::string>{"4.30", "UH", "non-working", "or", "disconnected", "number", "1"}));
  EXPECT_EQ(last(counts, "UH"), "2");
  EXPECT_EQ(last(counts, "NE"), "1");
  const auto rates = section(r.output, "Rates by region");
  EXPECT_EQ(row(rates, "e"), (std::vector<std::string>{"e", "1.0000", "0.7500", "1.0000", "0.8571"}));
  EXPECT_EQ(row(rates, "RR1"), (std::vector<std::string>{"RR1", "0.0000", "0.3333", "0.3333", "0.2500"}));
  EXPECT_EQ(row(rates, "RR3"), (std::vector<std::string>{"RR3", "0.0000", "0.3333", "0.3333", "0.2593"}));
  auto bad = cati("report " + db_args() + " --dead-number maybe");
  EXPECT_NE(bad.exit_code, 0);
}

TEST_F(ReportCli, AGivenEIsUsedAndSaid) {
  auto r = cati("report " + report_args() + " --at 2025-10-20 --by overall --e 0.5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("e = 0.5000 (given with --e)\n"), std::string::npos) << r.output;
  const auto rates = section(r.output, "Rates, overall");
  EXPECT_EQ(last(rates, "e"), "0.5000");
  EXPECT_EQ(last(rates, "RR3"), "0.3077");
  EXPECT_EQ(last(rates, "RR1"), "0.2857");  // e does not enter RR1
}

TEST_F(ReportCli, ClearErrors) {
  auto missing = cati("report --db " + (dir_ / "nope.db").string() + " --study " + seed_dir);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.output, "cati report: " + (dir_ / "nope.db").string() + ": no such fieldwork file\n");
  EXPECT_FALSE(fs::exists(dir_ / "nope.db")) << "a report never creates a fieldwork";

  auto bad_at = cati("report " + report_args() + " --at yesterday");
  EXPECT_EQ(bad_at.exit_code, 1);
  EXPECT_EQ(bad_at.output.rfind("cati report: --at: 'yesterday' is not a date (YYYY-MM-DD)", 0), 0u) << bad_at.output;

  auto bad_by = cati("report " + report_args() + " --by sector");
  EXPECT_EQ(bad_by.exit_code, 1);
  EXPECT_NE(bad_by.output.find("--by: unknown breakdown 'sector' (expected overall, day, interviewer, region,"),
            std::string::npos) << bad_by.output;
  auto contact = cati("report " + report_args() + " --by company");
  EXPECT_EQ(contact.exit_code, 1);

  auto bad_e = cati("report " + report_args() + " --e 1.5");
  EXPECT_NE(bad_e.exit_code, 0);  // a usage error, with CLI11's own exit code
  EXPECT_NE(bad_e.output.find("--e: Value 1.5 not in range"), std::string::npos) << bad_e.output;

  const auto other = dir_ / "other.db";
  {
    store::fieldwork_store fw(options_for(other));
    register_study(fw, "other_study");
  }
  auto foreign = cati("report --db " + other.string() + " --study " + seed_dir);
  EXPECT_EQ(foreign.exit_code, 1);
  EXPECT_EQ(foreign.output,
            "cati report: " + other.string() + " is a fieldwork of study 'other_study', not of 'ai_barometer_2025'\n");

  const auto empty = dir_ / "empty.db";
  { store::fieldwork_store fw(options_for(empty)); }
  auto no_study = cati("report --db " + empty.string() + " --study " + seed_dir);
  EXPECT_EQ(no_study.exit_code, 1);
  EXPECT_NE(no_study.output.find("no study loaded"), std::string::npos) << no_study.output;
}

// The quota table at Tuesday 11:30, interview 3's lease still held (deadline 12:00):
//   sample left: F3 (soft refusal, retried by a converter) and F7 (never called) are not finished; the
//   other 7 are (final outcomes), 2 of them completes: completes per case 2/7 = 0.2857.
//   region (frame cells): VLA sample left 1 (F3), WAL 0, BRU 1 (F7). sector (answer cells): 2 each.
//   cell        target completes in prog. left state  priority = room / max(expected cases, 1)     reach
//   region VLA  131    1         0        130  open   130 / max(1, 1)   = 130.00   130 > 1 left: impossible
//   region WAL  70     1         0        69   closed 0 (closed)                   69 > 0 left: impossible
//   region BRU  1      0         1        1    open   room 0: 0.00                 lease fills it: on track
//   sector 1    97     1         0        96   open   share (1+1)/(2+2+2) of 2 = 0.67: 96 / 1 = 96.00, impossible
//   sector 2    1      1         0        0    open   0.00                         reached
//   sector 3    64     0         1        64   open   room 63: 63 / 1 = 63.00     impossible
using QuotaCli = ReportFieldwork;

TEST_F(QuotaCli, TableFromThePersistedStateAndTheSampleLeft) {
  auto r = cati("quota " + db_args() + " --at-now 2025-10-14T11:30");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output,
            "Quotas: ai_barometer_2025 (questionnaire 2025.1), now 2025-10-14 11:30 CEST\n"
            "Sample: 9 cases, 2 still callable, 7 finalised with 2 completes (completes per case 0.2857)\n"
            "\n"
            "quota   cell  label     target  completes  in progress  left  state   priority  reach       sample left\n"
            "------  ----  --------  ------  ---------  -----------  ----  ------  --------  ----------  -----------\n"
            "region  VLA   Flanders     131          1            0   130  open      130.00  impossible            1\n"
            "region  WAL   Wallonia      70          1            0    69  closed      0.00  impossible            0\n"
            "region  BRU   Brussels       1          0            1     1  open        0.00  on track              1\n"
            "------  ----  --------  ------  ---------  -----------  ----  ------  --------  ----------  -----------\n"
            "sector  1     Services      97          1            0    96  open       96.00  impossible            2\n"
            "sector  2     Commerce       1          1            0     0  open        0.00  reached               2\n"
            "sector  3     Industry      64          0            1    64  open       63.00  impossible            2\n")
      << r.output;
}

// At 12:30 interview 3's lease has run out: the server's next sweep releases it, so it is no longer in
// progress. BRU: room 1, priority 1 / max(1, 1) = 1.00; expected completes 1 * 2/7 < 1 needed: at risk.
// Sector 3: room 64, share (0+1)/(2+2+1) = 0.2 of 2 cases: 64 / 1 = 64.00. Nothing was written back.
TEST_F(QuotaCli, AtNowLetsExpiredLeasesGo) {
  auto r = cati("quota " + db_args() + " --at-now 2025-10-14T12:30");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(row(r.output, "region").size(), 11u);
  std::istringstream lines(r.output);
  std::vector<std::string> bru, industry;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("region  BRU", 0) == 0) bru = row(line, "region");
    if (line.rfind("sector  3", 0) == 0) industry = row(line, "sector");
  }
  EXPECT_EQ(bru, (std::vector<std::string>{"region", "BRU", "Brussels", "1", "0", "0", "1", "open", "1.00", "at", "risk", "1"}));
  EXPECT_EQ(industry, (std::vector<std::string>{"sector", "3", "Industry", "64", "0", "0", "64", "open", "64.00", "impossible", "2"}));

  store::open_options o = options_for(db_);
  o.create = false;
  store::fieldwork_store fw(o);
  EXPECT_EQ(fw.load_quota_state().leases.size(), 1u) << "cati quota only reads the quota state";
}

TEST_F(QuotaCli, ClearErrors) {
  auto missing = cati("quota --db " + (dir_ / "nope.db").string() + " --study " + seed_dir);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.output, "cati quota: " + (dir_ / "nope.db").string() + ": no such fieldwork file\n");
  auto bad_now = cati("quota " + db_args() + " --at-now 2025-13-40");
  EXPECT_EQ(bad_now.exit_code, 1);
  EXPECT_EQ(bad_now.output.rfind("cati quota: --at-now: ", 0), 0u) << bad_now.output;
}


// `cati db copy` (issue 16) on this real fieldwork, completed with what a server writes besides: answers
// (text with quotes, accents, a newline; a dropped answer's NULL), interviews ended and open with its
// engine snapshot, a case lock, a session token, the request log, and the ownership record of a server
// that served it once.

std::unique_ptr<store::sql::connection> read_connection(const std::string& db) {
  store::open_options o;
  o.path = db;
  o.create = false;
  o.read_only = true;
  return store::open_read_connection(o);
}

// Every copied table's row count and digest, read in one snapshot through the store's own digest.
std::vector<store::table_digest> digests(const std::string& db) {
  auto c = read_connection(db);
  c->begin_read();
  auto d = store::digest_tables(*c);
  c->rollback_quietly();
  return d;
}

std::optional<core::ownership_record> stored_owner(const std::string& db) { return store::read_ownership(*read_connection(db)); }

class DbCopy : public ReportFieldwork {
 protected:
  void SetUp() override {
    ReportFieldwork::SetUp();
    if (HasFatalFailure()) return;
    {
      store::fieldwork_store fw(options_for(db_));
      auto open = fw.open_interviews();  // the fixture's three, none ended yet
      ASSERT_EQ(open.size(), 3u);
      for (auto& i : open) {
        const auto at = i.started_at + std::chrono::minutes(1);
        fw.append_answer({i.id, 1, "s1_role", store::answer_kind::set, "1", at, i.interviewer_id}).get();
        fw.append_answer({i.id, 2, "remarks", store::answer_kind::set, "Caf\xc3\xa9 \"Na\xc3\xafve\" l'an\n2", at,
                          i.interviewer_id}).get();
        fw.append_answer({i.id, 3, "remarks", store::answer_kind::drop, std::nullopt, at, i.interviewer_id},
                         "{\"page\":\"q7\"}").get();
      }
      fw.finish_interview(open[0].id, core::outcome::complete, open[0].started_at + std::chrono::minutes(20)).get();
      fw.finish_interview(open[1].id, core::outcome::complete, open[1].started_at + std::chrono::minutes(20)).get();
      fw.hold_case(open[2].case_id, open[2].interviewer_id, fieldwork_time(1558), fieldwork_time(1600)).get();
      fw.submit([&](store::sql::connection& db) {
          store::open_session(db, {std::string(64, 'a'), "ann", fieldwork_time(1500), fieldwork_time(1500 + 720)});
          store::log_request(db, {bob_, 0xfedcba9876543210ull, core::request_kind::start_interview, open[2].case_id,
                                  open[2].id, core::outcome::unspecified, "", fieldwork_time(1558)}, 100);
        }).get();
    }
    // The source was served once: its ownership record is there, its holder gone.
    store::store_ownership::options o;
    o.file = options_for(db_);
    auto owner = store::make_ownership(o);
    ASSERT_TRUE(owner->claim({"testhost", ::getpid(), "127.0.0.1:8080"}));
  }
  std::string report_of(const std::string& db) {
    return cati("report --db '" + db + "' --study " + seed_dir + " --at 2025-10-20 --dead-number not-eligible").output;
  }
  // Copies, expects success and every table reported as matching.
  void copy(const std::string& from, const std::string& to) {
    auto r = cati("db copy --from '" + from + "' --to '" + to + "'");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output.find("MISMATCH"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("answers"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("every row count and digest matches"), std::string::npos) << r.output;
  }
  // Expects `cati db copy` refused with exit 1 and `message` in its output.
  void refused(const std::string& from, const std::string& to, const std::string& message) {
    auto r = cati("db copy --from '" + from + "' --to '" + to + "'");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_EQ(r.output.rfind("cati db copy: ", 0), 0u) << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << r.output;
  }
  // The tables whose rows prove something in a copy: the fixture fills each.
  void expect_filled(const std::vector<store::table_digest>& tables) {
    for (const auto* name : {"answers", "call_attempts", "interviews", "quota_cells", "quota_leases", "cases",
                             "sessions", "request_log", "respondents", "audit_log"}) {
      auto t = std::find_if(tables.begin(), tables.end(), [&](auto& d) { return d.table == name; });
      ASSERT_NE(t, tables.end()) << name;
      EXPECT_GT(t->rows, 0) << name;
    }
  }
  // The SQLite file's rows of every table but the ownership record, as the sqlite3 shell dumps them (its
  // INSERT statements, in each table's key order): an independent reader of the file.
  static std::string dump_rows(const std::string& db) {
    std::string rows;
    FILE* pipe = popen(("sqlite3 -readonly '" + db + "' .dump").c_str(), "r");
    if (!pipe) return "sqlite3 failed";
    std::string out;
    char buf[4096];
    for (std::size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
    pclose(pipe);
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);)
      if (line.starts_with("INSERT INTO ") && !line.starts_with("INSERT INTO ownership")) rows += line + "\n";
    return rows;
  }
};

TEST_F(DbCopy, FileToFileKeepsEveryTableAndTheReportButNotTheOwner) {
  const auto original = digests(db_.string());
  expect_filled(original);
  const auto copy_path = (dir_ / "copy.db").string();
  copy(db_.string(), copy_path);
  EXPECT_EQ(digests(copy_path), original);
  const auto rows = dump_rows(db_.string());
  EXPECT_NE(rows.find("INSERT INTO answers VALUES"), std::string::npos) << "sqlite3 read the file";
  EXPECT_EQ(dump_rows(copy_path), rows);
  EXPECT_EQ(report_of(copy_path), report_of(db_.string()));
  EXPECT_TRUE(stored_owner(db_.string()));
  EXPECT_FALSE(stored_owner(copy_path)) << "the copy has no owner";
}

TEST_F(DbCopy, SqliteToPostgresqlAndBackKeepsEveryRowAndDigestAndTheServerWritesOn) {
  if (std::getenv("CATI_TEST_PG") == nullptr) GTEST_SKIP() << "CATI_TEST_PG is not set (run through ctest)";
  test_database pg(backend::postgresql);
  const auto original = digests(db_.string());
  expect_filled(original);
  copy(db_.string(), pg.db());
  EXPECT_EQ(digests(pg.db()), original);
  EXPECT_FALSE(stored_owner(pg.db())) << "the copy has no owner";
  refused(db_.string(), pg.db(), "--to " + pg.db() + " already holds a fieldwork (rows in ");
  EXPECT_EQ(digests(pg.db()), original) << "a refused copy changes nothing";
  EXPECT_EQ(report_of(pg.db()), report_of(db_.string()));

  const auto back = (dir_ / "back.db").string();
  copy(pg.db(), back);
  EXPECT_EQ(digests(back), original);
  EXPECT_EQ(dump_rows(back), dump_rows(db_.string())) << "the round trip gives the original's rows, byte for byte";
  EXPECT_EQ(report_of(back), report_of(db_.string()));

  // What a server serving the PostgreSQL copy writes next: the identity sequences were set past the copied
  // ids, so new rows get new ids instead of colliding with copied ones.
  store::fieldwork_store fw(options_for(pg.db()));
  const auto carol = add_interviewer(fw, "carol");
  EXPECT_GT(carol, std::max(ann_, bob_));
  const auto open = fw.open_interviews();
  ASSERT_EQ(open.size(), 1u) << "the open interview is open on the copy too";
  const auto history = fw.answer_history(open[0].id);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[1].value, "Caf\xc3\xa9 \"Na\xc3\xafve\" l'an\n2");
  EXPECT_FALSE(history[2].value);
  auto ack = fw.append_answer({open[0].id, 4, "s1_role", store::answer_kind::set, "2", fieldwork_time(1570),
                               open[0].interviewer_id}).get();
  EXPECT_EQ(ack.seq, 4);
  fw.record_call_attempt({open[0].case_id, carol, fieldwork_time(1580), "+3220000007", core::outcome::no_answer, "",
                          {}, {}}).get();
  EXPECT_EQ(fw.call_history(open[0].case_id).size(), 1u);
}

// A server started while the copy runs finds the source and the destination held (so it cannot write on
// the source what the copy would miss); once the copy has ended, the copy is free to serve.
TEST_F(DbCopy, AServerStartedDuringTheCopyFindsBothSidesHeld) {
  std::vector<std::string> destinations = {(dir_ / "copy.db").string()};
  std::unique_ptr<test_database> pg;
  if (std::getenv("CATI_TEST_PG") != nullptr) {
    pg = std::make_unique<test_database>(backend::postgresql);
    destinations.push_back(pg->db());
  }
  auto server = [](const std::string& db) {
    store::store_ownership::options o;
    o.file = options_for(db);
    return store::make_ownership(o);
  };
  for (const auto& to : destinations) {
    int tried = 0;
    auto result = store::copy_fieldwork(db_.string(), to, [&] {
      for (const auto& db : {db_.string(), to}) {
        EXPECT_FALSE(server(db)->claim({"testhost", ::getpid(), "127.0.0.1:9"})) << db << " was free during the copy";
        ++tried;
      }
    });
    EXPECT_EQ(tried, 2);
    EXPECT_TRUE(result.committed) << to;
    EXPECT_TRUE(server(to)->claim({"testhost", ::getpid(), "127.0.0.1:9"})) << to << " still held after the copy";
  }
}

// A table whose copy differs from its source (here: another PostgreSQL session, which nothing stops, adds a
// row while the copy runs) fails the check, and the whole copy is rolled back: the destination keeps
// nothing of it.
TEST_F(DbCopy, ADigestMismatchRollsTheWholeCopyBack) {
  if (std::getenv("CATI_TEST_PG") == nullptr) GTEST_SKIP() << "CATI_TEST_PG is not set (run through ctest)";
  test_database pg(backend::postgresql);
  auto result = store::copy_fieldwork(db_.string(), pg.db(), [&] {
    store::sql::pg_connection other(pg.db(), false);
    other.exec("INSERT INTO audit_log (id, at, action) VALUES (1000000, 0, 'not from the source')");
  });
  EXPECT_FALSE(result.committed);
  for (const auto& t : result.tables) {
    if (t.name == "audit_log") {
      EXPECT_FALSE(t.matches());
      EXPECT_EQ(t.copy.rows, t.source.rows + 1);
    } else {
      EXPECT_TRUE(t.matches()) << t.name;
    }
  }
  for (const auto& t : digests(pg.db())) EXPECT_EQ(t.rows, t.table == "audit_log" ? 1 : 0) << t.table;
}

TEST_F(DbCopy, RefusedWhileACatiServerHoldsEitherSideNamingItAndChangingNothing) {
  store::store_ownership::options o;
  o.file = options_for(db_);
  auto owner = store::make_ownership(o);
  ASSERT_TRUE(owner->claim({"testhost", ::getpid(), "127.0.0.1:41234"}));
  const auto other = (dir_ / "other.db").string();
  refused(db_.string(), other, "--from " + db_.string() + " is held by a running cati-server: host testhost");
  auto r = cati("db copy --from " + db_.string() + " --to " + other);
  EXPECT_NE(r.output.find("127.0.0.1:41234"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(other)) << "a refused copy creates nothing";
  EXPECT_FALSE(fs::exists(other + ".owner")) << "a refused copy creates nothing";

  const auto before = digests(db_.string());
  {
    store::fieldwork_store fw(options_for(other));  // an empty fieldwork, which a copy may fill
  }
  refused(other, db_.string(), "--to " + db_.string() + " is held by a running cati-server: host testhost");
  owner.reset();
  EXPECT_EQ(digests(db_.string()), before);
}

TEST_F(DbCopy, RefusedIntoADatabaseThatHoldsAFieldworkChangingNothing) {
  const auto copy_path = (dir_ / "copy.db").string();
  copy(db_.string(), copy_path);
  const auto before = digests(copy_path);
  refused(db_.string(), copy_path, "--to " + copy_path + " already holds a fieldwork (rows in ");
  EXPECT_EQ(digests(copy_path), before) << "a refused copy changes nothing";

  // A fieldwork of an older schema, even an empty one, is refused too (it is not this copy's to upgrade).
  const auto old = (dir_ / "old.db").string();
  {
    auto c = store::open_write_connection(options_for(old));
    store::migrate(*c, "old.db", store::latest_schema_version() - 1);
  }
  refused(db_.string(), old, "--to " + old + " already holds a fieldwork (schema version " +
                                 std::to_string(store::latest_schema_version() - 1) + ")");
}

TEST_F(DbCopy, RefusedIntoAnotherApplicationsSqliteFileLeavingItAsItWas) {
  const auto foreign = (dir_ / "foreign.db").string();
  ASSERT_EQ(std::system(("sqlite3 '" + foreign + "' \"CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('keep')\"").c_str()), 0);
  const auto bytes = [&] {
    std::ifstream in(foreign, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const auto before = bytes();
  refused(db_.string(), foreign, "--to " + foreign + " is not a cati fieldwork file");
  EXPECT_EQ(bytes(), before) << "not even switched to WAL mode";
  EXPECT_FALSE(fs::exists(foreign + "-wal"));
}

TEST_F(DbCopy, RefusedFromAnOlderSchemaSayingHowToUpgrade) {
  const auto old = (dir_ / "old.db").string();
  {
    auto c = store::open_write_connection(options_for(old));
    store::migrate(*c, "old.db", store::latest_schema_version() - 1);
  }
  const auto to = (dir_ / "new.db").string();
  refused(old, to, "--from " + old + " is at schema version " + std::to_string(store::latest_schema_version() - 1));
  auto r = cati("db copy --from " + old + " --to " + to);
  EXPECT_NE(r.output.find("upgrade it first (start this cati's cati-server on it once"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(to));
}

TEST_F(DbCopy, RefusedFromAMissingFileOrAnEmptyDatabaseCreatingNothing) {
  const auto missing = (dir_ / "missing.db").string(), to = (dir_ / "new.db").string();
  refused(missing, to, "--from " + missing + ": no such fieldwork file");
  EXPECT_FALSE(fs::exists(missing));
  EXPECT_FALSE(fs::exists(to));
  const auto empty = (dir_ / "empty.db").string();
  { auto c = store::open_write_connection(options_for(empty)); }
  refused(empty, to, "--from " + empty + " holds no fieldwork yet");
  EXPECT_FALSE(fs::exists(to));
}

TEST_F(DbCopy, RefusedOntoItselfUnderEitherSpelling) {
  const auto before = digests(db_.string());
  refused(db_.string(), db_.string(), "--from and --to name the same database (" + db_.string() + ")");
  const auto other_spelling = (dir_ / "." / "fieldwork.db").string();
  refused(db_.string(), other_spelling, "--from " + db_.string() + " and --to " + other_spelling +
                                            " are the same fieldwork");
  EXPECT_EQ(digests(db_.string()), before);
}

TEST_F(DbCopy, RefusedOntoItselfOnPostgresqlUnderAnotherSpellingOfTheUrl) {
  if (std::getenv("CATI_TEST_PG") == nullptr) GTEST_SKIP() << "CATI_TEST_PG is not set (run through ctest)";
  test_database pg(backend::postgresql);
  copy(db_.string(), pg.db());
  const auto before = digests(pg.db());
  const auto other_spelling = pg.db() + "&application_name=cati-copy";
  refused(pg.db(), other_spelling, "are the same fieldwork");
  EXPECT_EQ(digests(pg.db()), before);
}

}  // namespace
}  // namespace cati::test
