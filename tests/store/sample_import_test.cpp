// Sample frames: every bad-row kind reported with its line, and then nothing imported; good frames go in
// whole, also into a fieldwork that already has firms.
#include "core/report/csv.hpp"
#include "store/error.hpp"
#include "store_fixture.hpp"

namespace cati::test {
namespace {

const std::string good_rows =
    "F1,Alpha BV,+3220000001,Jan Peeters,BRU,services,5,nl\n"
    "F2,\"Beta, Gamma & Co SRL\",+3240000002;+32470000002,,WAL,commerce,3,fr\n"
    "F3,\"Delta \"\"De Ster\"\" NV\",+3290000003,An,VLA,industry,25,nl\n";

std::vector<std::string> messages(const core::sample_frame& frame) {
  std::vector<std::string> out;
  for (const auto& p : frame.problems) out.push_back(p.to_string("frame.csv"));
  return out;
}

core::sample_frame parse(const std::string& csv) { return core::parse_sample_frame(csv, frame_study()); }

TEST(SampleFrame, GoodRowsAreParsedWithQuotedFields) {
  auto frame = parse(frame_header + good_rows);
  ASSERT_TRUE(frame.ok()) << messages(frame).front();
  ASSERT_EQ(frame.cases.size(), 3u);
  EXPECT_EQ(frame.cases[1].contact.at("company"), "Beta, Gamma & Co SRL");
  EXPECT_EQ(frame.cases[1].phones, (std::vector<std::string>{"+3240000002", "+32470000002"}));
  EXPECT_FALSE(frame.cases[1].contact.contains("contact_name"));
  EXPECT_EQ(frame.cases[1].language, "fr");
  EXPECT_EQ(frame.cases[1].line, 3);
  EXPECT_EQ(frame.cases[2].contact.at("company"), "Delta \"De Ster\" NV");
  EXPECT_EQ(frame.cases[2].frame.at("fte_frame"), "25");
  EXPECT_FALSE(frame.cases[2].frame.contains("company"));
}

TEST(SampleFrame, SpreadsheetExportsAreRead) {
  // A byte order mark, CRLF line ends, a quoted line break, columns in another order, blank lines.
  std::string csv =
      "\xEF\xBB\xBF" "language,firm_id,region,sector_frame,fte_frame,company,phone\r\n"
      "nl,F1,VLA,services,4,\"Alpha\r\nBV\",+3290000001\r\n"
      "\r\n"
      "fr,F2,WAL,commerce,2,Beta SRL, +3240000002 \r\n";
  auto frame = parse(csv);
  ASSERT_TRUE(frame.ok()) << messages(frame).front();
  ASSERT_EQ(frame.cases.size(), 2u);
  EXPECT_EQ(frame.cases[0].contact.at("company"), "Alpha\r\nBV");
  EXPECT_EQ(frame.cases[1].line, 5);
  EXPECT_EQ(frame.cases[1].phones.front(), "+3240000002");
}

TEST(SampleFrame, EveryBadRowKindIsReportedWithItsLine) {
  std::string csv = std::string(frame_header) + good_rows +
                    "F4,,+3220000004,,BRU,services,5,nl\n"          // 5: missing company
                    "F5,Echo BV,+3220000005,,XYZ,services,5,nl\n"   // 6: unknown code
                    "F6,Fox BV,+32 2 000 00 06,,BRU,services,5,nl\n"  // 7: bad phone (spaces)
                    "F7,Golf BV,0470000007,,BRU,services,5,nl\n"    // 8: bad phone (not E.164)
                    "F8,Hotel BV,+33140000008,,BRU,services,5,nl\n" // 9: bad phone (not Belgian)
                    "F1,India BV,+3220000010,,BRU,services,5,nl\n"  // 10: duplicate firm id
                    "F11,Juliet BV,+3240000002,,WAL,services,5,fr\n"  // 11: duplicate phone
                    "F12,Kilo BV,+3220000012,,BRU,services,five,nl\n"  // 12: not a number
                    "F13,Lima BV,+3220000013,,BRU,services,5,de\n"     // 13: unknown language
                    "F14,Mike BV,+3220000014,,BRU,services\n"          // 14: too few fields
                    "F15,Nov BV,+3220000015;,,BRU,services,5,nl\n"     // 15: empty number after ';'
                    ",Oscar BV,+3220000016,,BRU,services,5,nl\n";      // 16: missing firm id
  auto got = messages(parse(csv));
  std::vector<std::string> want = {
      "frame.csv:5: missing company",
      "frame.csv:6: unknown region code 'XYZ' (expected VLA, WAL, BRU)",
      "frame.csv:7: bad phone number '+32 2 000 00 06': expected E.164, +32 followed by 8 or 9 digits "
      "(several separated by ';')",
      "frame.csv:8: bad phone number '0470000007': expected E.164, +32 followed by 8 or 9 digits "
      "(several separated by ';')",
      "frame.csv:9: bad phone number '+33140000008': expected E.164, +32 followed by 8 or 9 digits "
      "(several separated by ';')",
      "frame.csv:10: duplicate firm id 'F1' (also on line 2)",
      "frame.csv:11: duplicate phone number +3240000002 (also on line 3)",
      "frame.csv:12: fte_frame: 'five' is not a whole number",
      "frame.csv:13: unknown language 'de' in language (the study has nl, fr, en)",
      "frame.csv:14: expected 8 fields, found 6",
      "frame.csv:15: bad phone number '': expected E.164, +32 followed by 8 or 9 digits "
      "(several separated by ';')",
      "frame.csv:16: missing firm_id",
  };
  EXPECT_EQ(got, want);
}

TEST(SampleFrame, HeaderProblemsAreReportedOnLineOne) {
  auto got = messages(parse("firm_id,company,phone,region,region,colour,sector_frame,language\n"));
  std::vector<std::string> want = {
      "frame.csv:1: column 'region' appears twice",
      "frame.csv:1: unknown column 'colour' (expected firm_id and company, phone, contact_name, region, "
      "sector_frame, fte_frame, language)",
      "frame.csv:1: missing column 'fte_frame'",
  };
  EXPECT_EQ(got, want);
  EXPECT_EQ(messages(parse("")), std::vector<std::string>{"frame.csv:1: the file is empty: expected a header "
                                                          "line (firm_id, ...)"});
  // contact_name is optional: its column may be left out.
  EXPECT_TRUE(parse("firm_id,company,phone,region,sector_frame,fte_frame,language\n").ok());
}

TEST(SampleFrame, UnclosedQuoteIsReported) {
  auto got = messages(parse(frame_header + std::string("F1,\"Alpha BV,+3220000001,,BRU,services,5,nl\n")));
  EXPECT_EQ(got, std::vector<std::string>{"frame.csv:2: a quoted field is not closed before the end of the file"});
}

TEST(SampleFrame, BelgianE164Numbers) {
  EXPECT_TRUE(core::is_belgian_e164("+3220000001"));    // 8 digits: landline
  EXPECT_TRUE(core::is_belgian_e164("+32470000001"));   // 9 digits: mobile
  EXPECT_FALSE(core::is_belgian_e164("+322000000"));    // 7
  EXPECT_FALSE(core::is_belgian_e164("+324700000011")); // 10
  EXPECT_FALSE(core::is_belgian_e164("+32020000001"));  // trunk 0 kept
  EXPECT_FALSE(core::is_belgian_e164("3220000001"));
  EXPECT_FALSE(core::is_belgian_e164("+32-2000001"));
}

TEST(SampleFrame, CsvRoundTrip) {
  std::vector<std::string> fields = {"plain", "a,b", "say \"hi\"", "two\nlines", " edge ", ""};
  std::string line = core::csv_line(fields);
  core::csv_reader reader(line);
  auto rec = reader.next();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->fields, fields);
  EXPECT_TRUE(reader.error().empty());
  EXPECT_FALSE(reader.next());
}

class SampleImport : public ::testing::Test {
 protected:
  core::sample_frame frame(const std::string& rows) { return parse(frame_header + rows); }
  store::import_result import(const std::string& rows) {
    return fw.import_sample(frame(rows), {"frame.csv", fieldwork_time(), std::nullopt}).get();
  }

  temp_dir dir;
  store::fieldwork_store fw{options_for(dir / "fieldwork.db")};
};

TEST_F(SampleImport, WholeFrameGoesIn) {
  auto result = import(good_rows);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.imported, 3);
  EXPECT_EQ(fw.case_count(), 3);
  auto audit = fw.audit_log();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "sample_import");
  EXPECT_EQ(audit[0].details, "frame.csv: 3 firms");
}

TEST_F(SampleImport, ABadRowOfAnyKindMeansNothingIsImported) {
  const std::vector<std::string> bad_rows = {
      "F9,,+3220000009,,BRU,services,5,nl\n",          // missing field
      "F9,Echo BV,+3220000009,,XYZ,services,5,nl\n",   // unknown code
      "F9,Echo BV,+322000000,,BRU,services,5,nl\n",    // bad phone number
      "F1,Echo BV,+3220000009,,BRU,services,5,nl\n",   // duplicate firm id
      "F9,Echo BV,+3290000003,,BRU,services,5,nl\n",   // duplicate phone number
  };
  for (const auto& bad : bad_rows) {
    auto result = import(good_rows + bad);
    EXPECT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.imported, 0);
    ASSERT_EQ(result.problems.size(), 1u) << bad;
    EXPECT_EQ(result.problems[0].line, 5) << bad;
    EXPECT_EQ(fw.case_count(), 0) << bad;
  }
  EXPECT_TRUE(fw.audit_log().empty());
}

TEST_F(SampleImport, MoreFirmsGoIntoALiveFieldwork) {
  ASSERT_TRUE(import(good_rows).ok());
  auto ann = add_interviewer(fw, "ann");
  fw.record_call_attempt({*fw.find_case("F1"), ann, fieldwork_time(5), "+3220000001", core::outcome::busy, "", {}, {}})
      .get();
  auto more = import("F4,Echo BV,+3220000004,,BRU,services,5,nl\nF5,Fox SRL,+3240000005,,WAL,commerce,1,fr\n");
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(fw.case_count(), 5);
  EXPECT_EQ(fw.call_history(*fw.find_case("F1")).size(), 1u);  // the live cases are untouched
}

TEST_F(SampleImport, FirmsAndNumbersAlreadyStoredAreReportedWithTheirLines) {
  ASSERT_TRUE(import(good_rows).ok());
  auto result = import("F4,Echo BV,+3220000004,,BRU,services,5,nl\n"
                       "F2,Beta again SRL,+3240000099,,WAL,commerce,3,fr\n"
                       "F5,Fox BV,+3220000005;+32470000002,,BRU,services,5,nl\n"
                       "F6,Golf BV,+3220000006,,QQQ,services,5,nl\n");
  std::vector<std::string> got;
  for (const auto& p : result.problems) got.push_back(p.to_string("more.csv"));
  std::vector<std::string> want = {
      "more.csv:3: duplicate firm id 'F2' (already in the fieldwork)",
      "more.csv:4: duplicate phone number +32470000002 (already in the fieldwork, firm F2)",
      "more.csv:5: unknown region code 'QQQ' (expected VLA, WAL, BRU)",
  };
  EXPECT_EQ(got, want);
  EXPECT_EQ(fw.case_count(), 3);
}

TEST_F(SampleImport, ConcurrentImportsOfTheSameFirmsLetOneIn) {
  auto a = fw.import_sample(frame(good_rows), {"a.csv", fieldwork_time(), std::nullopt});
  auto b = fw.import_sample(frame(good_rows), {"b.csv", fieldwork_time(), std::nullopt});
  EXPECT_NE(a.get().ok(), b.get().ok());
  EXPECT_EQ(fw.case_count(), 3);
}

}  // namespace
}  // namespace cati::test
