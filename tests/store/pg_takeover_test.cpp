// A standby taking over a PostgreSQL fieldwork from a holder that is paused (SIGSTOP) or hung, not dead:
// its sessions stay open, so its locks stay held until the standby ends them (store/pg_ownership.hpp).
// PostgreSQL only: on SQLite a paused process's file lock is its own (store/ownership.hpp says what then).
#include <atomic>
#include <future>
#include <optional>
#include <thread>

#include "store/error.hpp"
#include "store/ownership.hpp"
#include "store/sql/pg_connection.hpp"
#include "backends.hpp"
#include "fenced_write.hpp"
#include "round_trips.hpp"
#include "store_fixture.hpp"

namespace cati::test {
namespace {

using namespace std::chrono_literals;

class PausedHolder : public backend_test {
 protected:
  store::store_ownership::options owner_options(std::chrono::milliseconds heartbeat) {
    store::store_ownership::options o;
    o.file.path = db();
    o.heartbeat = heartbeat;
    return o;
  }
};

// Paused between its BEGIN and its COMMIT, the holder's writer session sits idle in its transaction and
// keeps the writers' lock; the standby's claim (a write) would wait for it for ever. The writer fell
// silent after the lock session (whose last beat came before the writer's BEGIN): when the lock session
// has been silent long enough to be ended, the writer may not have been yet.
TEST_P(PausedHolder, AStandbyTakesOverFromAHolderPausedInTheMiddleOfAWriteTransaction) {
  // A heartbeat of an hour: after its claim the holder's lock session is silent, as a paused process's is.
  auto holder = store::make_ownership(owner_options(1h));
  ASSERT_TRUE(holder->claim({"paused-host", 1, "ws://127.0.0.1:1"}));
  store::sql::pg_connection writer(db(), false);
  const auto writer_pid = writer.execAndGet("SELECT pg_backend_pid()").getInt64();
  std::this_thread::sleep_for(400ms);
  writer.begin_write();  // and nothing more: the process is stopped here, 400 ms after its last beat

  auto standby = store::make_ownership(owner_options(50ms));
  auto taking = std::async(std::launch::async, [&] { return standby->take_over({"standby-host", 2, "ws://127.0.0.1:2"}, 200ms, {}); });
  if (taking.wait_for(30s) != std::future_status::ready) {
    // Unblock the standby so that the test can end, then fail.
    store::sql::pg_connection admin(std::getenv("CATI_TEST_PG"), false);
    admin.exec("SELECT pg_terminate_backend(" + std::to_string(writer_pid) + ")");
    taking.wait();
    FAIL() << "the standby did not take over within 30 s: the paused writer's transaction held it";
  }
  EXPECT_EQ(taking.get().epoch, 2u);
  // The paused holder, woken, finds its write session gone: what it had begun can never commit.
  try {
    writer.exec("COMMIT");
    ADD_FAILURE() << "the paused holder's transaction committed after the takeover";
  } catch (const store::sql::error& e) {
    EXPECT_TRUE(e.connection_lost()) << e.what();
  }
}

// A holder whose lock session is merely silent while its writer is idle outside any transaction: only the
// lock session is ended (a live server's writer is never idle in a transaction for that long).
TEST_P(PausedHolder, AStandbyTakesOverFromASilentHolderWithoutAnOpenTransaction) {
  auto holder = store::make_ownership(owner_options(1h));
  ASSERT_TRUE(holder->claim({"paused-host", 1, "ws://127.0.0.1:1"}));
  store::sql::pg_connection writer(db(), false);
  std::this_thread::sleep_for(400ms);
  auto standby = store::make_ownership(owner_options(50ms));
  auto taking = std::async(std::launch::async, [&] { return standby->take_over({"standby-host", 2, "ws://127.0.0.1:2"}, 200ms, {}); });
  ASSERT_EQ(taking.wait_for(30s), std::future_status::ready);
  EXPECT_EQ(taking.get().epoch, 2u);
  EXPECT_NO_THROW(writer.exec("SELECT 1")) << "a session outside any transaction is left alone";
}

// The writer checks the epoch inside its pipeline without waiting for the answer (store/ownership.cpp):
// a good batch waits only at its COMMIT; after a takeover the check fails by itself, so the holder's
// batch, sent whole with it, stores nothing; the batch's unpipelined rerun then reads the epoch, and the
// holder is told once who took over.
TEST_P(PausedHolder, AHolderTakenOverWhileSilentStoresNothingOfItsNextPipelinedBatch) {
  std::atomic<int> lost_calls{0};
  std::optional<core::ownership_record> lost_to;
  auto options = owner_options(1h);  // silent after its claim, as a paused process is
  options.on_lost = [&](const std::optional<core::ownership_record>& now) {
    lost_to = now;
    ++lost_calls;
  };
  auto holder = store::make_ownership(options);
  ASSERT_TRUE(holder->claim({"paused-host", 1, "ws://127.0.0.1:1"}));
  auto store_options = options_for(db());
  store_options.write_guard = holder->write_guard();
  store::fieldwork_store fw(store_options);
  const auto trips_before = round_trips(fw);
  add_interviewer(fw, "before");
  // A batch of the holder's own epoch passes the check without waiting for it. Two batches here (the
  // interviewer's, the count's own): 4 round trips with the check unread, 6 when its result is read
  // (one wait more in each batch).
  EXPECT_LE(round_trips(fw) - trips_before, 4u);
  EXPECT_EQ(fw.write_stats().unpipelined, 0u);

  std::this_thread::sleep_for(400ms);
  auto standby = store::make_ownership(owner_options(50ms));
  EXPECT_EQ(standby->take_over({"standby-host", 2, "ws://127.0.0.1:2"}, 200ms, {}).epoch, 2u);
  expect_fenced_write(fw, "after");
  EXPECT_TRUE(fw.find_user("before"));
  EXPECT_EQ(fw.write_stats().unpipelined, 1u) << "the pipelined attempt failed, and its rerun read the epoch";
  EXPECT_EQ(lost_calls.load(), 1);
  ASSERT_TRUE(lost_to);
  EXPECT_EQ(lost_to->holder.address, "ws://127.0.0.1:2");
  EXPECT_THROW(add_interviewer(fw, "again"), store::store_error) << "and it stays shut out";
  EXPECT_EQ(lost_calls.load(), 1) << "told once";
}

}  // namespace
INSTANTIATE_TEST_SUITE_P(Backends, PausedHolder, testing::Values(backend::postgresql), backend_name);
}  // namespace cati::test
