// The request log (issue 13, behaviour 9): what a repeated request id is answered from after a restart.
// Each user keeps the 64 largest ids in unsigned order, as the fieldwork service does in memory, so that
// the file and memory agree on which repeats are recognised.
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>

#include "store/connection.hpp"
#include "store/migrations.hpp"
#include "store/request_repo.hpp"
#include "store_fixture.hpp"

namespace cati::test {
namespace {

core::request_logged logged(core::user_id user, std::uint64_t id) {
  core::request_logged r;
  r.user = user;
  r.request = id;
  r.kind = core::request_kind::call_result;
  r.case_ = 7;
  r.result = core::outcome::busy;
  r.at = fieldwork_time();
  return r;
}

}  // namespace

TEST(StoreRequestLog, EachUserKeepsItsLatestIdsInUnsignedOrderAndReadsThemBack) {
  temp_dir dir;
  auto db = store::open_write_connection(options_for(dir / "fieldwork.db"));
  store::migrate(*db, "fieldwork.db");
  db->exec("INSERT INTO users (id, name, role, password_hash, created_at) VALUES (1, 'anna', 'interviewer', 'x', 0),"
           " (2, 'bert', 'interviewer', 'x', 0)");
  const std::uint64_t high = (std::uint64_t{1} << 63) + 5;  // stored as a negative int64
  for (std::uint64_t id = 1; id <= 70; ++id) store::log_request(*db, logged(1, id), 64);
  store::log_request(*db, logged(1, high), 64);
  store::log_request(*db, logged(2, 3), 64);
  store::log_request(*db, logged(1, 70), 64);  // a repeat replaces, it does not add

  auto all = store::list_requests(*db);
  std::vector<std::uint64_t> anna;
  for (const auto& r : all)
    if (r.user == 1) anna.push_back(r.request);
  ASSERT_EQ(anna.size(), 64u);
  std::sort(anna.begin(), anna.end());
  EXPECT_EQ(anna.front(), 8u);  // 1..7 forgotten: 8..70 and the high one are the 64 largest
  EXPECT_EQ(anna.back(), high);
  auto bert = std::find_if(all.begin(), all.end(), [](const auto& r) { return r.user == 2; });
  ASSERT_NE(bert, all.end());
  EXPECT_EQ(bert->request, 3u);
  EXPECT_EQ(bert->kind, core::request_kind::call_result);
  EXPECT_EQ(bert->case_, 7);
  EXPECT_EQ(bert->result, core::outcome::busy);
  EXPECT_EQ(bert->at, fieldwork_time());
}

}  // namespace cati::test
