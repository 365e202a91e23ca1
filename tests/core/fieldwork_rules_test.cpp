// The state machine's table (core/fieldwork/fieldwork_rules.hpp): docs/protocol.md prints it exactly, and
// the wire values it guards (interview ids, outcome numbers) are read strictly.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/fieldwork/fieldwork_rules.hpp"

using namespace cati::core;

TEST(FieldworkRules, ProtocolDocPrintsTheStateMachineTableExactly) {
  std::ifstream in(std::string(CATI_SOURCE_DIR) + "/docs/protocol.md");
  ASSERT_TRUE(in);
  std::stringstream doc;
  doc << in.rdbuf();
  const auto table = rules_markdown();
  EXPECT_NE(doc.str().find(table), std::string::npos)
      << "docs/protocol.md (\"The state machine\") must contain the table as the code has it:\n" << table;
}

TEST(FieldworkRules, EveryRequestHasOneRowInOrder) {
  auto rules = request_rules();
  ASSERT_EQ(rules.size(), static_cast<std::size_t>(fieldwork_request_count));
  for (int i = 0; i < fieldwork_request_count; ++i) EXPECT_EQ(static_cast<int>(rules[i].request), i);
}

TEST(FieldworkRules, InterviewIdsAreParsedStrictly) {
  EXPECT_EQ(parse_interview_id("1"), 1);
  EXPECT_EQ(parse_interview_id("9223372036854775807"), 9223372036854775807LL);
  for (const char* bad : {"", " 1", "1 ", "01", "0", "+1", "-1", "1e3", "0x1", "9223372036854775808", "١"})
    EXPECT_FALSE(parse_interview_id(bad)) << "'" << bad << "'";
}

TEST(FieldworkRules, UnknownOutcomeNumbersAreUnknownNotUnspecified) {
  EXPECT_TRUE(known_outcome(0));
  EXPECT_TRUE(known_outcome(outcome_count - 1));
  EXPECT_FALSE(known_outcome(outcome_count));
  EXPECT_FALSE(known_outcome(-1));
  EXPECT_FALSE(known_outcome(999));
}

// The refusal's code follows the dimension that refuses: role, then interview, case, call.
TEST(FieldworkRules, RefusalsSayWhichStateRefusedIt) {
  situation s;
  s.case_ = case_phase::held;
  s.call = call_phase::interviewing;
  s.interview = interview_phase::active;
  s.case_id_ = 4;
  s.interview_id_ = 9;
  auto call = refusal(fieldwork_request::call_result, s);
  ASSERT_TRUE(call);
  EXPECT_EQ(call->code, fault_code::invalid_request);
  EXPECT_EQ(call->message, "interview 9 is still open on case 4: finish or suspend it first");
  EXPECT_FALSE(refusal(fieldwork_request::answer, s));
  s.role = user_role::supervisor;
  EXPECT_EQ(refusal(fieldwork_request::answer, s)->code, fault_code::forbidden);
  situation admin;
  admin.role = user_role::admin;
  EXPECT_FALSE(refusal(fieldwork_request::quota_action, admin));
  EXPECT_EQ(refusal(fieldwork_request::quota_action, situation{})->code, fault_code::forbidden);
}
