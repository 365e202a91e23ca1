// The writer's pipelined transactions (issue 16; store/writer.hpp, "Pipelining"): on PostgreSQL a batch's
// statements are sent without waiting for each result, so an error shows up later than the statement
// that caused it (at another job's read, or at COMMIT). What a caller sees must not change for that: the
// same tests run on SQLite, which does not pipeline, and must pass alike on both. A failing job among
// good ones gets its own error and nothing of it is stored, the good ones commit; a count a job branches
// on is its statement's own; the epoch check refuses a batch and nothing is written. On PostgreSQL only:
// a connection lost inside a pipelined transaction (the server ends the session, as in a failover) takes
// the reconnecting path (nothing acknowledged until stored, then stored once) or, with no database to
// reach, fails the batch and stores nothing.

#include <atomic>
#include <future>
#include <latch>

#include "store/audit_repo.hpp"
#include "store/connection.hpp"
#include "store/error.hpp"
#include "store/migrations.hpp"
#include "store/sql/sql.hpp"
#include "store/writer.hpp"
#include "backends.hpp"
#include "store_fixture.hpp"
#include "writer_hold.hpp"

namespace cati::test {
namespace {

struct job_failed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

store::row_id write_mark(store::sql::connection& db, const std::string& mark) {
  return store::append_audit(db, {fieldwork_time(), std::nullopt, "mark", mark});
}

// A writer over a migrated database with two tables of the test's own: `probe` (a key, to violate) and
// `fence` (an epoch, which the writer's guard checks in every transaction as the ownership does).
class WriterPipeline : public backend_test {
 protected:
  void SetUp() override {
    backend_test::SetUp();
    if (IsSkipped()) return;
    options_ = options_for(db());
    start({});
  }
  // (Again, for a fixture with other hooks: the tables are made once.)
  void start(store::writer_hooks hooks) {
    writer_.reset();
    auto first = store::open_write_connection(options_);
    if (!made_) {
      store::migrate(*first, "the test database");
      first->exec("CREATE TABLE probe (k BIGINT PRIMARY KEY)");
      first->exec("CREATE TABLE fence (epoch BIGINT NOT NULL)");
      first->exec("INSERT INTO probe (k) VALUES (1)");
      first->exec("INSERT INTO fence (epoch) VALUES (1)");
      made_ = true;
    }
    hooks.guard = [](store::sql::connection& c) {
      store::sql::statement st(c, "SELECT epoch FROM fence");
      if (!st.executeStep() || st.getColumn(0).getInt64() != 1)
        throw store::store_error(store::store_errc::ownership_lost, "fenced: another epoch holds the fieldwork");
    };
    writer_ = std::make_unique<store::writer>(std::move(first), 512, std::move(hooks));
  }
  void TearDown() override { writer_.reset(); }

  std::future<store::row_id> mark(const std::string& m) {
    return writer_->submit([m](store::sql::connection& c) { return write_mark(c, m); });
  }
  std::int64_t rows_with(const std::string& m) {
    auto reader = store::open_read_connection(options_);
    store::sql::statement q(*reader, "SELECT count(*) FROM audit_log WHERE details = ?");
    q.bind(1, m);
    q.executeStep();
    return q.getColumn(0).getInt64();
  }
  void set_epoch(int epoch) {
    auto c = store::open_write_connection(options_);
    c->begin_write();
    c->exec("UPDATE fence SET epoch = " + std::to_string(epoch));
    c->commit();
  }

  store::open_options options_;
  bool made_ = false;
  std::unique_ptr<store::writer> writer_;
};

TEST_P(WriterPipeline, AFailingJobAmongGoodOnesGetsItsOwnErrorAndOnlyTheGoodOnesCommit) {
  std::latch go(1);
  hold_writer(*writer_, go);
  const auto commits_before = writer_->stats().commits;
  auto a = mark("a");
  // Its violation is sent without waiting (the count is not read): on PostgreSQL it surfaces at c's read.
  auto bad_row = writer_->submit([](store::sql::connection& c) {
    write_mark(c, "bad-row");
    store::sql::statement(c, "INSERT INTO probe (k) VALUES (1)").exec();
  });
  auto c = mark("c");
  auto bad_job = writer_->submit([](store::sql::connection& d) -> store::row_id {
    write_mark(d, "bad-job");
    throw job_failed("the job's own failure, after writing");
  });
  auto e = mark("e");
  go.count_down();

  EXPECT_GT(a.get(), 0);
  try {
    bad_row.get();
    ADD_FAILURE() << "the duplicate key was accepted";
  } catch (const store::sql::error& x) {  // the statement's own error, typed as without pipelining
    EXPECT_EQ(x.code(), store::store_errc::sqlite);
    if (on_postgresql()) {
      EXPECT_EQ(x.sqlstate(), "23505") << x.what();
    }
  }
  EXPECT_THROW(bad_job.get(), job_failed);
  EXPECT_GT(c.get(), 0);
  EXPECT_GT(e.get(), 0);
  for (const char* m : {"a", "c", "e"}) EXPECT_EQ(rows_with(m), 1) << m;
  for (const char* m : {"bad-row", "bad-job"}) EXPECT_EQ(rows_with(m), 0) << m;

  const auto stats = writer_->stats();
  EXPECT_EQ(stats.commits - commits_before, 2u) << "the holding job's batch, then a to e in one transaction";
  EXPECT_GE(stats.largest_batch, 5u);
  EXPECT_EQ(stats.failed_jobs, 2u);
  // PostgreSQL pipelines: its first attempt failed as a whole and the batch ran again without; SQLite
  // never pipelines.
  EXPECT_EQ(stats.unpipelined, on_postgresql() ? 1u : 0u);
}

TEST_P(WriterPipeline, AGoodBatchCommitsInOnePipelinedAttempt) {
  std::latch go(1);
  hold_writer(*writer_, go);
  std::vector<std::future<store::row_id>> marks;
  for (int i = 0; i < 50; ++i) marks.push_back(mark("m" + std::to_string(i)));
  go.count_down();
  for (auto& m : marks) EXPECT_GT(m.get(), 0);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(rows_with("m" + std::to_string(i)), 1);
  EXPECT_EQ(writer_->stats().unpipelined, 0u);
  EXPECT_EQ(writer_->stats().failed_jobs, 0u);
}

TEST_P(WriterPipeline, ACountAJobBranchesOnIsItsOwnStatementsAfterTheOnesSentBeforeIt) {
  auto counts = writer_->submit([](store::sql::connection& c) {
    store::sql::statement(c, "INSERT INTO probe (k) VALUES (2)").exec();  // sent, not waited for
    store::sql::statement(c, "INSERT INTO probe (k) VALUES (3)").exec();
    const int none = store::sql::statement(c, "UPDATE probe SET k = k WHERE k = 99").exec();
    const int three = store::sql::statement(c, "UPDATE probe SET k = k WHERE k <= 3").exec();
    store::sql::statement q(c, "SELECT count(*) FROM probe");
    q.executeStep();
    return std::vector<std::int64_t>{none, three, q.getColumn(0).getInt64()};
  });
  EXPECT_EQ(counts.get(), (std::vector<std::int64_t>{0, 3, 3}));
  // A count read that is 0 where the job wanted a row: its own not_found, nothing of it stored.
  auto missing = writer_->submit([](store::sql::connection& c) {
    write_mark(c, "missing");
    if (store::sql::statement(c, "UPDATE probe SET k = k WHERE k = 99").exec() == 0)
      throw store::store_error(store::store_errc::not_found, "no probe 99");
  });
  try {
    missing.get();
    ADD_FAILURE() << "no error";
  } catch (const store::store_error& x) {
    EXPECT_EQ(x.code(), store::store_errc::not_found);
  }
  EXPECT_EQ(rows_with("missing"), 0);
}

TEST_P(WriterPipeline, AFencedWriterWritesNothingAndEveryCallerIsToldWhy) {
  EXPECT_GT(mark("before").get(), 0);
  set_epoch(2);  // (the writer is not held: its guard would refuse the holding job itself)
  auto a = mark("fenced-a");
  auto b = writer_->submit([](store::sql::connection& c) -> store::row_id {
    store::sql::statement(c, "INSERT INTO probe (k) VALUES (7)").exec();
    return 7;
  });
  for (auto* f : {&a, &b}) {
    try {
      f->get();
      ADD_FAILURE() << "a fenced writer wrote";
    } catch (const store::store_error& x) {
      EXPECT_EQ(x.code(), store::store_errc::ownership_lost) << x.what();
    }
  }
  EXPECT_EQ(rows_with("fenced-a"), 0);
  auto reader = store::open_read_connection(options_);
  EXPECT_EQ(reader->execAndGet("SELECT count(*) FROM probe WHERE k = 7").getInt64(), 0);
  set_epoch(1);
  EXPECT_GT(mark("after").get(), 0);
}

CATI_ON_BOTH_BACKENDS(WriterPipeline);

// The session ending under a pipelined transaction (pg_terminate_backend of its own backend, SQLSTATE
// 57P01: what a primary shutting down or a failover does to it).
class WriterPipelineLost : public WriterPipeline {
 protected:
  void SetUp() override {
    WriterPipeline::SetUp();
    if (IsSkipped()) return;
    store::writer_hooks hooks;
    hooks.reconnect.give_up_after = std::chrono::milliseconds(600);
    hooks.reconnect.first_pause = std::chrono::milliseconds(50);
    hooks.reopen = [this] { return next_connection(); };
    start(std::move(hooks));
  }
  std::unique_ptr<store::sql::connection> next_connection() {
    ++reopened_;
    if (!unreachable_) return store::open_write_connection(options_);
    throw store::sql::error("cannot connect to PostgreSQL: no primary", 0, "", false, true);
  }

  // A job that ends its own session the first time it runs: sent in the pipeline without waiting
  // (`wait` false: the loss surfaces at the next read or at COMMIT) or read at once.
  std::future<void> end_session_once(bool wait) {
    return writer_->submit([this, wait](store::sql::connection& c) {
      if (killer_runs_++ > 0) return;
      store::sql::statement st(c, "SELECT pg_terminate_backend(pg_backend_pid())");
      if (wait)
        st.executeStep();
      else
        st.exec();
    });
  }

  std::atomic<int> reopened_{0}, killer_runs_{0};
  std::atomic<bool> unreachable_{false};
};

TEST_P(WriterPipelineLost, ASessionEndedBeforeTheCommitsSyncIsReconnectedAndTheBatchStoredOnce) {
  std::latch go(1);
  hold_writer(*writer_, go);
  auto a = mark("a");
  auto b = mark("b");
  auto kill = end_session_once(false);  // last: only COMMIT's sync finds the session gone
  go.count_down();
  EXPECT_GT(a.get(), 0);
  EXPECT_GT(b.get(), 0);
  EXPECT_NO_THROW(kill.get());
  EXPECT_EQ(rows_with("a"), 1);
  EXPECT_EQ(rows_with("b"), 1);
  EXPECT_EQ(killer_runs_.load(), 2) << "the batch ran again on the new connection";
  EXPECT_EQ(reopened_.load(), 1);
  const auto stats = writer_->stats();
  EXPECT_EQ(stats.reconnects, 1u);
  EXPECT_EQ(stats.failed_jobs, 0u);
  EXPECT_EQ(stats.unpipelined, 0u) << "a lost connection is not the batch's failure";
  EXPECT_GT(mark("after").get(), 0);
}

TEST_P(WriterPipelineLost, ASessionEndedInTheMiddleOfABatchIsReconnectedAndTheBatchStoredOnce) {
  std::latch go(1);
  hold_writer(*writer_, go);
  auto a = mark("a");
  auto kill = end_session_once(true);
  auto b = mark("b");
  go.count_down();
  EXPECT_GT(a.get(), 0);
  EXPECT_NO_THROW(kill.get());
  EXPECT_GT(b.get(), 0);
  EXPECT_EQ(rows_with("a"), 1);
  EXPECT_EQ(rows_with("b"), 1);
  EXPECT_EQ(killer_runs_.load(), 2);
  EXPECT_EQ(writer_->stats().reconnects, 1u);
  EXPECT_EQ(writer_->stats().failed_jobs, 0u);
}

TEST_P(WriterPipelineLost, NoDatabaseToReconnectToFailsTheBatchAndStoresNothing) {
  unreachable_ = true;
  std::latch go(1);
  hold_writer(*writer_, go);
  auto a = mark("a");
  auto kill = end_session_once(false);
  go.count_down();
  EXPECT_THROW(a.get(), store::store_error);
  EXPECT_THROW(kill.get(), store::store_error);
  EXPECT_EQ(rows_with("a"), 0);
  EXPECT_GE(reopened_.load(), 2) << "retried until the bound";
  EXPECT_EQ(writer_->stats().failed_jobs, 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, WriterPipelineLost, testing::Values(backend::postgresql), backend_name);

}  // namespace
}  // namespace cati::test
