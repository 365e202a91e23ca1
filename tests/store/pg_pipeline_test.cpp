// The PostgreSQL adapter's pipelining (store/sql/pg_pipeline.hpp) on a real connection to the test
// cluster: a statement sent without waiting still has its failure reported (with its SQLSTATE, at the
// next wait, at the latest when the pipeline is finished) and its transaction does not commit; a
// statement whose preparation the pipeline skipped after a failure is prepared again when next run.

#include "store/migrations.hpp"
#include "store/sql/pg_connection.hpp"
#include "store/statement_cache.hpp"
#include "backends.hpp"

namespace cati::test {
namespace {

class PgPipeline : public backend_test {
 protected:
  void SetUp() override {
    backend_test::SetUp();
    if (IsSkipped()) return;
    db_ = std::make_unique<store::sql::pg_connection>(db(), false);
    db_->exec("CREATE TABLE probe (k BIGINT PRIMARY KEY)");
    db_->exec("INSERT INTO probe (k) VALUES (1)");
  }
  std::int64_t probes() { return db_->execAndGet("SELECT count(*) FROM probe").getInt64(); }

  std::unique_ptr<store::sql::pg_connection> db_;
};

TEST_P(PgPipeline, AFailureSentWithoutWaitingSurfacesAtTheNextWaitAndTheTransactionDoesNotCommit) {
  db_->begin_write();
  ASSERT_TRUE(db_->start_pipeline());
  store::sql::statement(*db_, "INSERT INTO probe (k) VALUES (2)").exec();
  auto dup = store::sql::statement(*db_, "INSERT INTO probe (k) VALUES (1)").exec();  // fails, unread
  store::sql::statement(*db_, "INSERT INTO probe (k) VALUES (3)").exec();           // skipped
  store::sql::statement(*db_, "COMMIT").exec();                                     // skipped
  try {
    db_->finish_pipeline();
    ADD_FAILURE() << "the duplicate key went unnoticed";
  } catch (const store::sql::error& e) {
    EXPECT_EQ(e.sqlstate(), "23505") << e.what();
    EXPECT_FALSE(e.connection_lost());
  }
  try {
    (void)static_cast<int>(dup);
    ADD_FAILURE() << "its count was read";
  } catch (const store::sql::error& e) {
    EXPECT_EQ(e.sqlstate(), "23505") << e.what();
  }
  db_->rollback_quietly();
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_EQ(probes(), 1) << "nothing of the failed transaction is stored";
}

TEST_P(PgPipeline, CountsAndRowsReadInThePipelineAreTheirStatementsOwn) {
  db_->begin_write();
  ASSERT_TRUE(db_->start_pipeline());
  store::sql::statement(*db_, "INSERT INTO probe (k) VALUES (2), (3)").exec();
  const int changed = store::sql::statement(*db_, "UPDATE probe SET k = k + 10 WHERE k >= 2").exec();
  EXPECT_EQ(changed, 2);
  store::sql::statement q(*db_, "SELECT k FROM probe ORDER BY k");
  std::vector<std::int64_t> ks;
  while (q.executeStep()) ks.push_back(q.getColumn(0).getInt64());
  EXPECT_EQ(ks, (std::vector<std::int64_t>{1, 12, 13}));
  store::sql::statement(*db_, "COMMIT").exec();
  db_->finish_pipeline();
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_EQ(probes(), 3);
}

TEST_P(PgPipeline, AStatementWhosePreparationWasSkippedIsPreparedAgain) {
  store::detail::statement_cache cache(*db_);  // cached statements are named prepared statements
  const char* insert = "INSERT INTO probe (k) VALUES (?)";
  db_->begin_write();
  ASSERT_TRUE(db_->start_pipeline());
  store::sql::statement(*db_, "INSERT INTO probe (k) VALUES (1)").exec();  // fails: what follows is skipped
  {
    store::detail::statement st(*db_, insert);  // its first use: its preparation is sent, and skipped
    st->bind(1, 5);
    st->exec();
  }
  EXPECT_THROW(db_->finish_pipeline(), store::sql::error);
  db_->rollback_quietly();

  db_->begin_write();  // without pipelining, then with it
  {
    store::detail::statement st(*db_, insert);
    st->bind(1, 5);
    EXPECT_EQ(st->exec(), 1);
  }
  ASSERT_TRUE(db_->start_pipeline());
  {
    store::detail::statement st(*db_, insert);
    st->bind(1, 6);
    EXPECT_EQ(st->exec(), 1);
  }
  store::sql::statement(*db_, "COMMIT").exec();
  db_->finish_pipeline();
  EXPECT_EQ(probes(), 3);
}

TEST_P(PgPipeline, ConnectionExecRunsAfterWhatWasSentAndItsFailureDoomsTheTransaction) {
  db_->begin_write();
  ASSERT_TRUE(db_->start_pipeline());
  store::sql::statement(*db_, "INSERT INTO probe (k) VALUES (2)").exec();
  db_->exec("UPDATE probe SET k = k + 10 WHERE k = 2");  // sees the insert sent before it
  EXPECT_EQ(static_cast<int>(store::sql::statement(*db_, "DELETE FROM probe WHERE k = 12").exec()), 1);
  EXPECT_THROW(db_->exec("INSERT INTO probe (k) VALUES (1)"), store::sql::error);
  store::sql::statement(*db_, "COMMIT").exec();
  EXPECT_THROW(db_->finish_pipeline(), store::sql::error);
  db_->rollback_quietly();
  EXPECT_EQ(probes(), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, PgPipeline, testing::Values(backend::postgresql), backend_name);

}  // namespace
}  // namespace cati::test
