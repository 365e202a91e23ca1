// One owner per fieldwork file (store/ownership.hpp), on real SQLite files: the claim, the refusal that
// names the holder, the epoch every write transaction checks, the standby's wait, the writer that waits
// for another process's lock instead of failing, and the read-only opening that changes nothing.
//
// Two sqlite_ownership objects in one process behave as two processes would: flock() locks belong to
// the open file description, and each object opens the lock file itself.
#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <latch>
#include <thread>

#include "store/error.hpp"
#include "store/migrations.hpp"
#include "store/ownership.hpp"
#include "store/user_repo.hpp"
#include "fenced_write.hpp"
#include "store_fixture.hpp"

namespace cati::test {
namespace {

using namespace std::chrono_literals;

bool eventually_true(const std::function<bool()>& pred) {
  for (int i = 0; i < 3000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

core::owner_identity server_at(const std::string& address) { return {"testhost", ::getpid(), address}; }

store::sqlite_ownership::options owner_options(const fs::path& db,
                                               std::function<void(const std::optional<core::ownership_record>&)> lost = {},
                                               std::chrono::milliseconds heartbeat = 50ms) {
  store::sqlite_ownership::options o;
  o.file = options_for(db);
  o.heartbeat = heartbeat;
  o.on_lost = std::move(lost);
  return o;
}

std::string bytes_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int user_version(const fs::path& db) {
  SQLite::Database conn(db.string(), SQLite::OPEN_READONLY);
  return conn.execAndGet("PRAGMA user_version").getInt();
}

TEST(Ownership, TheFirstClaimTakesTheFileWithEpochOne) {
  temp_dir dir;
  store::sqlite_ownership owner(owner_options(dir / "fieldwork.db"));
  auto claimed = owner.claim(server_at("127.0.0.1:8080"));
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->epoch, 1u);
  EXPECT_TRUE(owner.holds_lock());
  auto stored = owner.current();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->holder.address, "127.0.0.1:8080");
  EXPECT_EQ(stored->holder.pid, ::getpid());
  EXPECT_EQ(user_version(dir / "fieldwork.db"), store::latest_schema_version()) << "the claim brings the schema up to date";
}

TEST(Ownership, ASecondClaimOnAHeldFileIsRefusedAndNamesTheHolder) {
  temp_dir dir;
  store::sqlite_ownership first(owner_options(dir / "fieldwork.db"));
  ASSERT_TRUE(first.claim(server_at("127.0.0.1:8080")));
  first.announce("127.0.0.1:41234");

  store::sqlite_ownership second(owner_options(dir / "fieldwork.db"));
  auto refused = second.claim(server_at("127.0.0.1:9090"));
  ASSERT_FALSE(refused);
  ASSERT_TRUE(refused.err().holder);
  EXPECT_EQ(refused.err().holder->holder.address, "127.0.0.1:41234");
  EXPECT_EQ(refused.err().holder->epoch, 1u);
  const auto named = core::describe(*refused.err().holder);
  EXPECT_NE(named.find("host testhost (pid " + std::to_string(::getpid()) + ", listening on 127.0.0.1:41234, since "),
            std::string::npos)
      << named;
  EXPECT_EQ(first.current()->epoch, 1u) << "a refused claim writes nothing";
  EXPECT_TRUE(store::live_holder(dir / "fieldwork.db"));
}

TEST(Ownership, AClaimAfterTheHolderWentAwayTakesTheNextEpoch) {
  temp_dir dir;
  { store::sqlite_ownership first(owner_options(dir / "fieldwork.db")); ASSERT_TRUE(first.claim(server_at("a:1"))); }
  EXPECT_FALSE(store::live_holder(dir / "fieldwork.db")) << "the lock went with its holder";
  store::sqlite_ownership second(owner_options(dir / "fieldwork.db"));
  auto claimed = second.claim(server_at("b:2"));
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->epoch, 2u);
}

TEST(Ownership, AStandbyWaitsForTheHolderToGoAwayThenTakesOver) {
  temp_dir dir;
  auto first = std::make_unique<store::sqlite_ownership>(owner_options(dir / "fieldwork.db"));
  ASSERT_TRUE(first->claim(server_at("a:1")));
  std::latch waiting(1);
  std::optional<core::ownership_record> seen_holder;
  auto standby = std::async(std::launch::async, [&] {
    store::sqlite_ownership second(owner_options(dir / "fieldwork.db"));
    // The holder beats every 50 ms: silence of an hour never comes, only its end frees the file.
    auto record = second.take_over(server_at("b:2"), 1h, [&](const core::ownership_refused& r) {
      seen_holder = r.holder;
      waiting.count_down();
    });
    return record.epoch;
  });
  waiting.wait();
  ASSERT_TRUE(seen_holder);
  EXPECT_EQ(seen_holder->holder.address, "a:1");
  EXPECT_EQ(standby.wait_for(300ms), std::future_status::timeout) << "no takeover while the holder lives";
  first.reset();
  EXPECT_EQ(standby.get(), 2u);
}

// A holder that stopped beating (paused: SIGSTOP, a hung machine) is taken over after the standby's
// silence; when it wakes, its writer's next transaction is refused, nothing of it is stored, and it is
// told it lost the file.
TEST(Ownership, AHolderTakenOverWhileSilentCanNeverCommitAgain) {
  temp_dir dir;
  const auto db = dir / "fieldwork.db";
  std::atomic<int> lost_calls{0};
  std::optional<core::ownership_record> lost_to;
  // A heartbeat of an hour: after its first claim this holder is silent, as a paused process is.
  store::sqlite_ownership paused(owner_options(
      db,
      [&](const std::optional<core::ownership_record>& now) {
        lost_to = now;
        ++lost_calls;
      },
      1h));
  ASSERT_TRUE(paused.claim(server_at("a:1")));
  auto options = options_for(db);
  options.write_guard = paused.write_guard();
  store::fieldwork_store fw(options);
  add_interviewer(fw, "before");  // while it holds the file, it writes

  std::this_thread::sleep_for(400ms);
  store::sqlite_ownership standby(owner_options(db));
  auto taken = standby.take_over(server_at("b:2"), 200ms, {});
  EXPECT_EQ(taken.epoch, 2u);
  EXPECT_FALSE(standby.holds_lock()) << "the paused process still holds the OS lock";

  expect_fenced_write(fw, "after");
  EXPECT_TRUE(fw.find_user("before"));
  EXPECT_EQ(lost_calls.load(), 1);
  ASSERT_TRUE(lost_to);
  EXPECT_EQ(lost_to->holder.address, "b:2");
  EXPECT_THROW(add_interviewer(fw, "again"), store::store_error) << "and it stays shut out";
  EXPECT_EQ(lost_calls.load(), 1) << "told once";
}

// After a takeover from a paused holder, the standby holds the file by its epoch and heartbeat before it
// gets the OS lock: when the paused process ends, nobody else slips in between.
TEST(Ownership, AfterATakeoverFromAPausedHolderNobodyElseGetsTheFile) {
  temp_dir dir;
  const auto db = dir / "fieldwork.db";
  auto paused = std::make_unique<store::sqlite_ownership>(owner_options(db, [](const auto&) {}, 1h));
  ASSERT_TRUE(paused->claim(server_at("a:1")));
  std::this_thread::sleep_for(300ms);
  store::sqlite_ownership standby(owner_options(db));
  // Another live process's pid, as the standby would be another process.
  const core::owner_identity standby_id{"testhost", ::getppid(), "b:2"};
  EXPECT_EQ(standby.take_over(standby_id, 200ms, {}).epoch, 2u);
  paused.reset();  // the paused process ends: its lock is free
  store::sqlite_ownership third(owner_options(db));
  auto refused = third.claim(server_at("c:3"));
  ASSERT_FALSE(refused) << "a third server took the file from a live standby";
  ASSERT_TRUE(refused.err().holder);
  EXPECT_EQ(refused.err().holder->holder.address, "b:2");
  EXPECT_EQ(standby.current()->epoch, 2u);
}

// Behaviour 11: another process holding the write lock past the busy timeout (an open sqlite3 shell, a
// big import) is waited for; the writes land once it lets go, and the waits are counted.
TEST(StoreWriterBusy, AnotherConnectionHoldingTheWriteLockIsWaitedForNotAFailure) {
  temp_dir dir;
  auto options = options_for(dir / "fieldwork.db");
  options.busy_timeout = 100ms;  // many retries within the hold
  std::atomic<int> still_waiting{0}, over{0};
  options.on_busy = [&](std::chrono::duration<double>, bool done) { ++(done ? over : still_waiting); };
  store::fieldwork_store fw(options);

  SQLite::Database other((dir / "fieldwork.db").string(), SQLite::OPEN_READWRITE);
  other.exec("BEGIN IMMEDIATE");
  std::vector<std::future<store::row_id>> writes;
  for (int i = 0; i < 5; ++i) writes.push_back(fw.add_user({"u" + std::to_string(i), store::user_role::interviewer,
                                                            {"nl"}, "not-a-real-hash", fieldwork_time()}));
  EXPECT_TRUE(eventually_true([&] { return still_waiting.load() >= 3; })) << "the writer keeps retrying";
  for (auto& w : writes) EXPECT_EQ(w.wait_for(0ms), std::future_status::timeout) << "no ack before the commit";
  other.exec("COMMIT");
  for (auto& w : writes) EXPECT_GT(w.get(), 0);
  EXPECT_GE(over.load(), 1);
  const auto stats = fw.write_stats();
  EXPECT_GE(stats.busy_waits, 1u);
  EXPECT_GT(stats.busy_wait_seconds, 0.0);
  EXPECT_EQ(stats.failed_jobs, 0u);
  EXPECT_EQ(fw.list_users().size(), 5u);
}

// Behaviour 12: a read-only opening never migrates nor writes, even a file at an older schema version.
TEST(StoreReadOnly, AnOlderFileStaysByteIdenticalAndUnmigrated) {
  temp_dir dir;
  const auto db = dir / "fieldwork.db";
  {
    auto conn = store::open_write_connection(options_for(db));
    store::migrate(*conn, "fieldwork.db", 3);
    // Plain SQL of version 1's users table: today's add_user writes columns an older file lacks.
    conn->exec("INSERT INTO users (name, role, languages, password_hash, created_at)"
               " VALUES ('anna', 'interviewer', 'nl', 'not-a-real-hash', 0)");
    conn->exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  const auto before = bytes_of(db);
  {
    auto options = options_for(db);
    options.read_only = true;
    store::fieldwork_store fw(options);
    EXPECT_TRUE(fw.read_only());
    ASSERT_EQ(fw.list_users().size(), 1u);
    try {
      add_interviewer(fw, "bob");
      ADD_FAILURE() << "a read-only store wrote";
    } catch (const store::store_error& e) {
      EXPECT_EQ(e.code(), store::store_errc::read_only);
    }
  }
  EXPECT_EQ(bytes_of(db), before);
  EXPECT_EQ(user_version(db), 3);
}

TEST(StoreReadOnly, AMissingOrEmptyFileIsRefusedAndNotCreated) {
  temp_dir dir;
  auto options = options_for(dir / "nope.db");
  options.read_only = true;
  EXPECT_THROW(store::fieldwork_store{options}, store::store_error);
  EXPECT_FALSE(fs::exists(dir / "nope.db"));
}

// Behaviour 12: a cati whose migrations are newer than the file's does not upgrade a file a live
// server holds; without a live holder it does.
TEST(StoreMigration, AnUpgradeUnderALiveServerIsRefused) {
  temp_dir dir;
  const auto db = dir / "fieldwork.db";
  {
    auto conn = store::open_write_connection(options_for(db));
    store::migrate(*conn, "fieldwork.db", 3);
  }
  int lock = ::open(store::owner_lock_path(db).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(lock, 0);
  ASSERT_EQ(::flock(lock, LOCK_EX | LOCK_NB), 0);  // what an (older) cati-server serving it holds
  try {
    store::fieldwork_store fw(options_for(db));
    ADD_FAILURE() << "the schema of a served file was upgraded";
  } catch (const store::store_error& e) {
    EXPECT_EQ(e.code(), store::store_errc::held_elsewhere);
    EXPECT_NE(std::string(e.what()).find("schema version 3"), std::string::npos) << e.what();
  }
  EXPECT_EQ(user_version(db), 3);
  ::close(lock);
  { store::fieldwork_store fw(options_for(db)); }
  EXPECT_EQ(user_version(db), store::latest_schema_version());
}

}  // namespace
}  // namespace cati::test
