// Sample that comes into the field while cati-server runs (issue 15 item 10): a replicate released with
// `cati sample release --next` and firms imported with `cati sample import`, both from another process,
// reach the running server (whatever their case ids), its log and the supervisors' status.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>

#include "integration/server_fixture.hpp"

namespace cati::it {
namespace {

std::string cati() { return binary_dir() + "/tools/cati"; }

v1::ClientMessage watch() {
  v1::ClientMessage m;
  m.mutable_watch_status();
  return m;
}

// The status a supervisor sees now (a fresh connection and login), polled until `cases` are in the field;
// nullopt when that never comes.
std::optional<v1::Status> status_with(std::uint16_t port, int cases) {
  std::optional<v1::Status> last;
  const bool seen = eventually([&] {
    std::this_thread::sleep_for(200ms);  // a login per look: a few per second is enough
    auto boss = connect(port);
    if (!login(*boss, "sara", "sara-secret-1").has_login_ok()) return false;
    auto m = ask(*boss, watch());
    if (m.has_status()) last = m.status();
    return last && last->cases_in_field() == cases;
  }, 60s);
  if (!seen) return std::nullopt;
  return last;
}

TEST(LiveSample, ReleasedReplicateAndImportedFirmsReachTheRunningServerItsLogAndThePage) {
  fieldwork_dir fw(40);
  fw.add_user("sara", "supervisor", "sara-secret-1");
  const auto log = fw.dir() / "commands.log";
  const std::string db = " --db " + fw.quoted_db() + " --study " + seed_study();
  // Two replicates of 20, stratified at random: the second one's ids lie among the first one's.
  ASSERT_EQ(run_command(cati() + " sample release" + db + " --replicates 2 --seed 1", log), 0);
  ASSERT_EQ(run_command(cati() + " sample release" + db + " --next", log), 0);
  ASSERT_GT(fw.count("SELECT count(*) FROM cases WHERE replicate = 2 AND id < (SELECT max(id) FROM cases WHERE replicate = 1)"), 0)
      << "the test needs a replicate with ids below the loaded ones";

  server_process server(fw);
  ASSERT_NE(server.port(), 0);
  auto boss = connect(server.port());
  ASSERT_TRUE(login(*boss, "sara", "sara-secret-1").has_login_ok());
  auto first = ask(*boss, watch());
  ASSERT_TRUE(first.has_status()) << first.DebugString();
  EXPECT_EQ(first.status().cases_in_field(), 20);
  EXPECT_EQ(first.status().sample_added(), "");

  // The second replicate, released from another process while the server runs.
  ASSERT_EQ(run_command(cati() + " sample release" + db + " --next", log), 0);
  auto released = status_with(server.port(), 40);
  ASSERT_TRUE(released) << server.log();
  EXPECT_EQ(released->sample_added().rfind("20 cases at 2025-10-13T", 0), 0U) << released->sample_added();
  EXPECT_NE(server.log().find("sample added while running (an import, or a replicate released): 20 cases at "),
            std::string::npos)
      << server.log();
  EXPECT_NE(server.log().find("; 40 cases in the field"), std::string::npos) << server.log();

  // Five more firms imported (new ids, new phones) while it runs.
  const auto more = (fw.dir() / "more.csv").string();
  ASSERT_EQ(run_command(cati() + " sample generate --study " + seed_study() + " --count 5 --seed 77 --first 9001 --out " + more, log), 0);
  ASSERT_EQ(run_command(cati() + " sample import" + db + " " + more, log), 0);
  auto imported = status_with(server.port(), 45);
  ASSERT_TRUE(imported) << server.log();
  EXPECT_EQ(imported->sample_added().rfind("5 cases at ", 0), 0U) << imported->sample_added();

  // The new cases are dialled: an interviewer works through the whole field, the late ones included.
  fw.add_user("tom", "interviewer", "tom-secret-1", "nl,fr,en");  // every case's language
  auto anna = connect(server.port());
  ASSERT_TRUE(login(*anna, "tom", "tom-secret-1").has_login_ok());
  std::set<std::int64_t> offered;
  for (int i = 0; i < 45; ++i) {
    auto card = ask(*anna, next_case_request());
    if (!card.has_case_card()) break;
    offered.insert(card.case_card().case_id());
    v1::ClientMessage busy;
    busy.mutable_call_result()->set_case_id(card.case_card().case_id());
    busy.mutable_call_result()->set_outcome(v1::NO_ANSWER);
    ASSERT_FALSE(ask(*anna, busy).has_error());
  }
  EXPECT_EQ(offered.size(), 45U) << "every case in the field is offered once";
  const auto late = fw.rows("SELECT id FROM cases WHERE replicate = 2 OR id > 40");
  for (const auto& row : late) EXPECT_TRUE(offered.count(std::stoll(row[0]))) << "case " << row[0] << " never offered";
}

}  // namespace
}  // namespace cati::it
