// A commit that fails (here a trigger refuses one answer row, standing in for a full disk or an I/O
// error) must never be acknowledged, and the server must stop (exit 3) rather than go on answering from
// memory that is ahead of the database. Restarted, it serves the interview from what the database holds,
// and the terminal's resend is taken.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <iostream>
#include <set>

#include "integration/server_fixture.hpp"
#include "store/connection.hpp"

using namespace cati::it;

namespace {

// Runs `sql` on the fieldwork in a connection of its own (the server may be running).
void exec_on(const fieldwork_dir& fw, const std::string& sql) {
  cati::store::open_options options;
  options.path = fw.db();
  options.create = false;
  cati::store::open_write_connection(options)->exec(sql);
}

}  // namespace

TEST(StorageFailure, AFailedCommitIsNeverAcknowledgedAndStopsTheServer) {
  fieldwork_dir fw;
  if (on_postgresql()) {
    // What PostgreSQL says when its disk is full (SQLSTATE 53100), for this one answer row.
    exec_on(fw, "CREATE FUNCTION test_disk_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "IF NEW.question = 's2_fte' THEN RAISE EXCEPTION 'simulated disk failure' USING ERRCODE = 'disk_full'; "
                "END IF; RETURN NEW; END $$; "
                "CREATE TRIGGER test_disk_failure BEFORE INSERT ON answers FOR EACH ROW EXECUTE FUNCTION test_disk_failure()");
  } else {
    exec_on(fw, "CREATE TRIGGER test_disk_failure BEFORE INSERT ON answers WHEN NEW.question = 's2_fte' "
                "BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END");
  }
  v1::Screen s2;
  {
    server_process server(fw);
    ASSERT_NE(server.port(), 0);
    auto c = connect(server.port());
    ASSERT_TRUE(login(*c).has_login_ok());
    auto m = step(*c, begin_interview(*c, "nl"));  // intro
    m = step(*c, m.screen());                       // s1_decider
    ASSERT_EQ(m.screen().question(), "s2_fte");
    s2 = m.screen();

    auto answer = answer_to(s2, "4");
    answer.set_request_id(9001);
    ASSERT_TRUE(c->send(answer));
    // Whatever comes now (the shutdown notice), never an acknowledgement of the answer that is not on disk.
    while (auto reply = c->receive(10s)) {
      EXPECT_FALSE(reply->has_answer_ack()) << reply->DebugString();
      EXPECT_FALSE(reply->has_screen()) << reply->DebugString();
    }
    EXPECT_EQ(server.wait_exit(), 3) << server.log();
    EXPECT_NE(server.log().find("cannot be written"), std::string::npos) << server.log();
  }
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM answers WHERE question = 's2_fte'"), 0);

  exec_on(fw, on_postgresql() ? "DROP TRIGGER test_disk_failure ON answers; DROP FUNCTION test_disk_failure()"
                                : "DROP TRIGGER test_disk_failure");
  server_process server(fw);
  ASSERT_NE(server.port(), 0);
  auto c = connect(server.port());
  ASSERT_TRUE(login(*c).has_login_ok());
  auto card = receive(*c);
  ASSERT_TRUE(card.has_case_card()) << card.DebugString();
  auto back = receive(*c);
  ASSERT_TRUE(back.has_screen()) << back.DebugString();
  EXPECT_EQ(back.screen().question(), "s2_fte");
  EXPECT_EQ(back.screen().next_seq(), s2.next_seq()) << "the failed answer's number is free again";
  auto next = step(*c, back.screen(), "4");  // the terminal's resend
  EXPECT_EQ(next.screen().question(), "s3_sector");
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM answers WHERE question = 's2_fte' AND value = '4'"), 1);
}

namespace {

// A server started with a file size limit (RLIMIT_FSIZE) and SIGXFSZ ignored, both inherited through
// fork and exec: a write at or past `bytes` in any file fails with EFBIG, a real error from the kernel,
// as a full file system gives one. Restored in this process once the child runs.
std::unique_ptr<server_process> start_with_file_limit(const fieldwork_dir& fw, rlim_t bytes) {
  rlimit before{};
  getrlimit(RLIMIT_FSIZE, &before);
  rlimit limited = before;
  limited.rlim_cur = bytes;
  setrlimit(RLIMIT_FSIZE, &limited);
  auto old_handler = signal(SIGXFSZ, SIG_IGN);
  auto server = std::make_unique<server_process>(fw);
  signal(SIGXFSZ, old_handler);
  setrlimit(RLIMIT_FSIZE, &before);
  return server;
}

}  // namespace

// The file system refuses a write (EFBIG past RLIMIT_FSIZE: the WAL cannot grow). The server must stop
// with exit code 3 without acknowledging the answer whose commit failed; every answer it acknowledged
// before is in the file; restarted without the limit it serves the interview where the file left it and
// the terminal's resend of the unacknowledged answer completes it.
TEST(StorageFailure, AWriteRefusedByTheFileSystemStopsTheServerAndNothingAcknowledgedIsLost) {
  CATI_SQLITE_PASS_ONLY("the file size limit is cati-server's own (RLIMIT_FSIZE on its SQLite WAL); on PostgreSQL "
                        "the server process writes no database file, and PostgreSQL's full disk (SQLSTATE 53100) "
                        "is what StorageFailure.AFailedCommitIsNeverAcknowledgedAndStopsTheServer raises there");
  fieldwork_dir fw;
  std::set<std::string> acked;  // "interview question value"
  std::optional<v1::Screen> unacked;
  bool unacked_start = false;
  int interviews = 0;
  {
    auto server = start_with_file_limit(fw, 250 * 1024);
    ASSERT_NE(server->port(), 0);
    auto c = connect(server->port());
    ASSERT_TRUE(login(*c).has_login_ok());
    // Whole interviews, one after another, until a commit fails (each answer adds a few pages to the WAL: 250 kB hold eight or nine).
    for (; interviews < 20 && !unacked && !unacked_start; ++interviews) {
      // The refused write may be the start of an interview (where it lands depends on how many bytes
      // each answer adds): then nothing of that interview was acknowledged, and the restarted server
      // starts it afresh below.
      auto card = ask(*c, next_case_request());
      if (!card.has_case_card()) {
        unacked_start = true;
        break;
      }
      auto started = ask(*c, start_request(card.case_card().case_id(), "nl"));
      if (!started.has_screen()) {
        EXPECT_FALSE(started.has_answer_ack()) << started.DebugString();
        unacked_start = true;
        break;
      }
      auto m = started;
      while (m.has_screen()) {
        const auto s = m.screen();
        auto answer = answer_to(s);
        answer.set_request_id(static_cast<std::uint64_t>(10000 + acked.size()));
        ASSERT_TRUE(c->send(answer));
        auto reply = c->receive(reply_wait);
        if (!reply || !reply->has_answer_ack()) {
          unacked = s;
          // Whatever still comes (the shutdown notice), never an acknowledgement or a further screen.
          while (auto more = c->receive(10s)) {
            EXPECT_FALSE(more->has_answer_ack()) << more->DebugString();
            EXPECT_FALSE(more->has_screen()) << more->DebugString();
          }
          break;
        }
        // A note (the intro) is acknowledged without a row; each other answer is one row (no back here).
        if (s.type() != v1::NOTE) acked.insert(s.interview_id() + " " + s.question() + " " + answer.answer().value());
        m = receive(*c);
      }
      if (::testing::Test::HasFatalFailure()) return;
    }
    ASSERT_TRUE(unacked || unacked_start) << "the server never hit the file size limit";
    EXPECT_EQ(server->wait_exit(), 3) << server->log();
    EXPECT_NE(server->log().find("cannot be written"), std::string::npos) << server->log();
  }
  EXPECT_GT(acked.size(), 5u) << "the limit must leave room for some answers first";
  std::cout << acked.size() << " answers acknowledged before the file system refused a write\n";
  EXPECT_EQ(fw.rows("PRAGMA integrity_check").at(0).at(0), "ok");
  std::set<std::string> on_disk;
  for (const auto& r : fw.rows("SELECT interview_id, question, value FROM answers"))
    on_disk.insert(r[0] + " " + r[1] + " " + r[2]);
  for (const auto& a : acked) EXPECT_TRUE(on_disk.contains(a)) << "acknowledged answer lost: " << a;

  server_process server(fw);
  ASSERT_NE(server.port(), 0);
  auto c = connect(server.port());
  ASSERT_TRUE(login(*c).has_login_ok());
  if (unacked_start) {
    // No interview was open: the next one starts and is worked through to its end.
    auto card = ask(*c, next_case_request());
    ASSERT_TRUE(card.has_case_card()) << card.DebugString();
    auto started = ask(*c, start_request(card.case_card().case_id(), "nl"));
    ASSERT_TRUE(started.has_screen()) << started.DebugString();
    auto end = finish(*c, started);
    EXPECT_EQ(end.interview_end().aapor_code(), "1.1") << end.DebugString();
    EXPECT_EQ(fw.count("SELECT COUNT(*) FROM interviews WHERE id = " + started.screen().interview_id() +
                       " AND final_state = 'complete'"), 1);
    return;
  }
  auto card = receive(*c);
  ASSERT_TRUE(card.has_case_card()) << card.DebugString();
  auto back = receive(*c);
  ASSERT_TRUE(back.has_screen()) << back.DebugString();
  EXPECT_EQ(back.screen().interview_id(), unacked->interview_id());
  // The failed answer is on disk only if its commit reached the file before the error; either way the
  // terminal's resend of it is taken (as new, or as a repeat) and the interview goes on to its end.
  EXPECT_LE(back.screen().next_seq(), unacked->next_seq() + 1);
  auto end = finish(*c, back);
  EXPECT_EQ(end.interview_end().aapor_code(), "1.1") << end.DebugString();
  EXPECT_EQ(fw.count("SELECT COUNT(*) FROM interviews WHERE id = " + unacked->interview_id() +
                     " AND final_state = 'complete'"), 1);
}
