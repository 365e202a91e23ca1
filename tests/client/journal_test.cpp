// The journal's framing: append and reload, compaction, a torn tail left by a crash, locking.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "lib/journal.hpp"

namespace cati::client {
namespace {

namespace fs = std::filesystem;

class ClientJournal : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cati-journal-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    file_ = dir_ / "anna@server.journal";
  }
  void TearDown() override { fs::remove_all(dir_); }

  journal open() {
    auto j = journal::open(file_);
    EXPECT_TRUE(j.has_value()) << (j ? "" : j.error().message);
    return std::move(*j);
  }

  std::uintmax_t size() const { return fs::file_size(file_); }

  fs::path dir_;
  fs::path file_;
};

TEST_F(ClientJournal, AppendedEntriesSurviveReopenInOrder) {
  {
    journal j = open();
    ASSERT_TRUE(j.append(7, "seven"));
    ASSERT_TRUE(j.append(8, std::string("with\0nul", 8)));
    ASSERT_TRUE(j.append(9, ""));
  }
  journal j = open();
  ASSERT_EQ(j.entries().size(), 3u);
  EXPECT_EQ(j.entries()[0].id, 7u);
  EXPECT_EQ(j.entries()[0].payload, "seven");
  EXPECT_EQ(j.entries()[1].payload, std::string("with\0nul", 8));
  EXPECT_EQ(j.entries()[2].id, 9u);
  EXPECT_EQ(j.torn_bytes_dropped(), 0u);
}

TEST_F(ClientJournal, RemovedEntriesStayRemovedAndAnEmptyJournalIsAnEmptyFile) {
  {
    journal j = open();
    ASSERT_TRUE(j.append(1, "one"));
    ASSERT_TRUE(j.append(2, "two"));
    ASSERT_TRUE(j.remove(1));
    ASSERT_TRUE(j.remove(42));  // unknown: ignored
  }
  {
    journal j = open();
    ASSERT_EQ(j.entries().size(), 1u);
    EXPECT_EQ(j.entries()[0].id, 2u);
    ASSERT_TRUE(j.remove(2));
    EXPECT_EQ(size(), 0u);  // compacted to nothing
    ASSERT_TRUE(j.append(3, "three"));  // and appending still works after the truncation
  }
  journal j = open();
  ASSERT_EQ(j.entries().size(), 1u);
  EXPECT_EQ(j.entries()[0].id, 3u);
}

TEST_F(ClientJournal, DoneRecordsAreCompactedAway) {
  {
    journal j = open();
    ASSERT_TRUE(j.append(1, "kept"));
    for (std::uint64_t id = 2; id < 200; ++id) {
      ASSERT_TRUE(j.append(id, std::string(100, 'x')));
      ASSERT_TRUE(j.remove(id));
    }
    // One live entry and the records since the last rewrite, not 200 entries' worth.
    EXPECT_LT(size(), 70u * 120u);
  }
  journal j = open();
  ASSERT_EQ(j.entries().size(), 1u);
  EXPECT_EQ(j.entries()[0].payload, "kept");
}

// A crash mid-write leaves the last record incomplete: every prefix of it must load as "not there".
TEST_F(ClientJournal, TornLastRecordIsDroppedAtEveryCutPoint) {
  {
    journal j = open();
    ASSERT_TRUE(j.append(1, "first answer"));
  }
  const auto good = size();
  {
    journal j = open();
    ASSERT_TRUE(j.append(2, "second answer"));
  }
  const auto full = size();
  for (auto cut = good + 1; cut < full; ++cut) {
    fs::resize_file(file_, cut);
    {
      journal j = open();
      ASSERT_EQ(j.entries().size(), 1u) << "cut at " << cut;
      EXPECT_EQ(j.entries()[0].payload, "first answer");
      EXPECT_EQ(j.torn_bytes_dropped(), cut - good);
      EXPECT_EQ(size(), good);  // truncated back to the last whole record
      ASSERT_TRUE(j.append(2, "second answer"));  // restore for the next cut
    }
    ASSERT_EQ(size(), full);
  }
}

TEST_F(ClientJournal, CorruptChecksumOrGarbageTailIsDropped) {
  {
    journal j = open();
    ASSERT_TRUE(j.append(1, "first"));
    ASSERT_TRUE(j.append(2, "second"));
  }
  const auto full = size();
  {  // flip a payload byte of the last record
    std::fstream f(file_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(full - 1));
    f.put('X');
  }
  {
    journal j = open();
    ASSERT_EQ(j.entries().size(), 1u);
    EXPECT_EQ(j.entries()[0].id, 1u);
    EXPECT_GT(j.torn_bytes_dropped(), 0u);
  }
  {  // random garbage after good records, with a huge length field
    std::ofstream f(file_, std::ios::app | std::ios::binary);
    f << std::string("\xff\xff\xff\x7f garbage", 12);
  }
  journal j = open();
  ASSERT_EQ(j.entries().size(), 1u);
  EXPECT_EQ(j.torn_bytes_dropped(), 12u);
}

TEST_F(ClientJournal, ASecondOpenOfTheSameFileIsRefused) {
  journal first = open();
  auto second = journal::open(file_);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, errc::journal_locked);
  EXPECT_TRUE(second.error().fatal());
}

TEST_F(ClientJournal, FileNameKeepsUsersAndServersApart) {
  const auto a = journal::file_for("/j", "anna", "ws://127.0.0.1:8080");
  EXPECT_EQ(a, fs::path("/j/anna@ws%3A%2F%2F127.0.0.1%3A8080.journal"));
  EXPECT_NE(journal::file_for("/j", "anna", "ws://127.0.0.1:8081"), a);
  EXPECT_NE(journal::file_for("/j", "bob", "ws://127.0.0.1:8080"), a);
  EXPECT_NE(journal::file_for("/j", "a/b", "x"), journal::file_for("/j", "a_b", "x"));
}

}  // namespace
}  // namespace cati::client
