// A commit that fails (here a trigger refuses one answer row, standing in for a full disk or an I/O
// error) must never be acknowledged, and the server must stop (exit 3) rather than go on answering from
// memory that is ahead of the file. Restarted, it serves the interview from what the file holds, and the
// terminal's resend is taken.
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include "integration/server_fixture.hpp"

using namespace cati::it;

TEST(StorageFailure, AFailedCommitIsNeverAcknowledgedAndStopsTheServer) {
  fieldwork_dir fw;
  {
    SQLite::Database db(fw.db().string(), SQLite::OPEN_READWRITE);
    db.exec("CREATE TRIGGER test_disk_failure BEFORE INSERT ON answers WHEN NEW.question = 's2_fte' "
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

  {
    SQLite::Database db(fw.db().string(), SQLite::OPEN_READWRITE);
    db.exec("DROP TRIGGER test_disk_failure");
  }
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
