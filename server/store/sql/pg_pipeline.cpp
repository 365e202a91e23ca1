#include "store/sql/pg_pipeline.hpp"

#include <cstdlib>

namespace cati::store::sql {

int pg_pending::wait() {
  settled_or_throw();
  return count_;
}

pg_result_ptr pg_pending::take_rows() {
  settled_or_throw();
  return std::move(rows_);
}

void pg_pending::settled_or_throw() {
  if (!done_ && !failure_) {
    // Still in flight: the sync reads it (and throws the pipeline's first failure, if any).
    if (auto pipeline = pipeline_.lock()) pipeline->sync();
  }
  if (failure_) throw *failure_;
  if (!done_) throw error("PostgreSQL: a pipelined statement's result was never read", 0, "", false);
}

void pg_pending::deliver(pg_result_ptr result) {
  const char* n = PQcmdTuples(result.get());
  count_ = (n == nullptr || *n == '\0') ? 0 : std::atoi(n);
  if (keep_rows_) rows_ = std::move(result);
  done_ = true;
}

void pg_pipeline::enter() {
  if (PQenterPipelineMode(conn_) != 1) throw pg_failure(nullptr, conn_);
  on_ = true;
  sync_owed_ = false;
  waiting_.clear();
  failure_.reset();
}

std::shared_ptr<pg_pending> pg_pipeline::expect(bool keep_rows) {
  sync_owed_ = true;
  return waiting_.emplace_back(std::make_shared<pg_pending>(weak_from_this(), keep_rows));
}

void pg_pipeline::send_failed() {
  const error why = pg_failure(nullptr, conn_);
  record(why);
  throw why;
}

void pg_pipeline::record(const error& why) {
  if (!failure_) failure_ = why;
}

void pg_pipeline::sync() {
  if (sync_owed_) {
    sync_owed_ = false;
    ++round_trips_;
    if (PQpipelineSync(conn_) != 1) {
      lost_now(pg_failure(nullptr, conn_));
    } else {
      read_to_sync();
    }
  }
  if (failure_) throw *failure_;
}

// Every result up to the sync point, in the order the statements were sent: each is a result and then a
// null (the end of that statement's results); the sync's own result comes last.
void pg_pipeline::read_to_sync() {
  while (!waiting_.empty()) {
    pg_result_ptr r(PQgetResult(conn_));
    if (!r || PQstatus(conn_) == CONNECTION_BAD) return lost_now(pg_failure(r.get(), conn_));
    auto pending = std::move(waiting_.front());
    waiting_.pop_front();
    if (PQresultStatus(r.get()) == PGRES_PIPELINE_ABORTED) {
      // Not run: PostgreSQL skipped it after the first failure (kept in failure_ when it was read).
      pending->fail(failure_ ? *failure_
                             : error("PostgreSQL: not run, an earlier statement of the pipeline failed", 0, "", false));
    } else if (pg_succeeded(r.get())) {
      pending->deliver(std::move(r));
    } else {
      const error why = pg_failure(r.get(), conn_);
      record(why);
      pending->fail(why);
      if (why.connection_lost()) return lost_now(why);
    }
    if (pg_result_ptr extra{PQgetResult(conn_)}) {
      return lost_now(error("PostgreSQL: more than one result for a pipelined statement", 0, "", false, true));
    }
  }
  pg_result_ptr sync(PQgetResult(conn_));
  if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) lost_now(pg_failure(sync.get(), conn_));
}

// The connection cannot be trusted any more: whatever is still waiting fails with `why`, which becomes
// the pipeline's failure (connection_lost, so that the writer opens a new connection).
void pg_pipeline::lost_now(const error& why) {
  const error lost(why.what(), why.native_code(), why.sqlstate(), false, true);
  if (!failure_ || !failure_->connection_lost()) failure_ = lost;
  for (auto& pending : waiting_) pending->fail(lost);
  waiting_.clear();
}

void pg_pipeline::finish() {
  sync();
  if (PQexitPipelineMode(conn_) != 1) {
    const error why = pg_failure(nullptr, conn_);
    record(why);
    throw why;
  }
  on_ = false;
}

void pg_pipeline::abandon() noexcept {
  if (!on_) return;
  try {
    sync();  // pipeline mode ends only once every result has been read
  } catch (...) {  // the failure that made us abandon it, or the connection gone: either way, done
  }
  PQexitPipelineMode(conn_);  // refused on a broken connection, which is of no more use anyway
  on_ = false;
  sync_owed_ = false;
  waiting_.clear();
  failure_.reset();
}

}  // namespace cati::store::sql
