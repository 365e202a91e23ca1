// libpq's pipeline mode on one PostgreSQL connection (the seam's pipelining, sql.hpp; used by the writer's
// transactions, writer.hpp): statements are sent without waiting, their results expected in the order
// they were sent, and read all at once at the next sync point (PQpipelineSync), one round trip for all.
//
// - Every statement sent is registered with expect(); sync() reads every result up to the sync and hands
//   each to its pg_pending (a count, or the rows when the caller reads them), so that no result goes
//   unchecked, whoever holds or dropped its pending.
// - The first failure dooms the rest: PostgreSQL skips every statement up to the sync
//   (PGRES_PIPELINE_ABORTED) and leaves the transaction aborted. It is kept (sticky) and thrown by this
//   sync() and every later one, and by a pending that failed or was skipped, so that a transaction with
//   a failure anywhere cannot be finished as if it had committed.
// - A broken connection (libpq's CONNECTION_BAD, or a failure is_connection_loss names) stops the reading
//   at once: its failure is connection_lost, and the pipeline is of no more use (abandon()).
// - Blocking mode: libpq, finding the socket full while it sends, reads what the server answered
//   meanwhile, so a long pipeline cannot deadlock against a server waiting for its results to be read.
//
// Thread-safety: as the connection's (one thread at a time).
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>

#include "store/sql/pg_result.hpp"
#include "store/sql/sql.hpp"

namespace cati::store::sql {

class pg_pipeline;

// The result of one statement sent in a pipeline: waiting until its sync, then done (its count, and its
// rows if kept), failed, or skipped after an earlier failure (both with the failure to throw).
class pg_pending final : public changes::pending {
 public:
  pg_pending(std::weak_ptr<pg_pipeline> pipeline, bool keep_rows)
      : pipeline_(std::move(pipeline)), keep_rows_(keep_rows) {}
  // The count (waiting for the sync if need be); throws the failure if the statement failed or was skipped.
  int wait() override;
  // The rows, once done (with keep_rows); throws like wait().
  pg_result_ptr take_rows();
  // Whether the statement is known not to have run (a failed or skipped one; a statement prepared this way
  // must be prepared again).
  bool not_run() const { return failure_.has_value(); }

 private:
  friend class pg_pipeline;
  void deliver(pg_result_ptr result);
  void fail(const error& why) { failure_ = why; }
  void settled_or_throw();

  std::weak_ptr<pg_pipeline> pipeline_;
  bool keep_rows_;
  bool done_ = false;
  int count_ = 0;
  pg_result_ptr rows_;
  std::optional<error> failure_;
};

class pg_pipeline : public std::enable_shared_from_this<pg_pipeline> {
 public:
  explicit pg_pipeline(PGconn* conn) : conn_(conn) {}
  bool active() const { return on_; }
  // Enters pipeline mode (no result may be pending); throws sql::error when libpq refuses.
  void enter();
  // The statement just sent (PQsendQueryPrepared, PQsendQueryParams, PQsendPrepare returned 1): its result
  // comes at the next sync. `keep_rows`: the caller will read its rows (take_rows).
  std::shared_ptr<pg_pending> expect(bool keep_rows);
  // A statement could not even be sent (its PQsend* returned 0): the failure, recorded, and thrown.
  [[noreturn]] void send_failed();
  // A failure met outside the pipeline's results (a statement run synchronously meanwhile): it dooms the
  // transaction like one of them.
  void record(const error& why);
  // Sends a sync point and reads every result up to it. Throws the first failure (sticky, see above).
  void sync();
  // sync(), then leaves pipeline mode (its failure leaves it on: abandon() ends it).
  void finish();
  // Leaves pipeline mode whatever happened: what was sent is read and dropped, the failure forgotten. The
  // transaction stays as the server has it (aborted after a failure): roll it back.
  void abandon() noexcept;
  // The sync points sent so far (each one round trip to the server): for tests and diagnostics.
  std::uint64_t round_trips() const { return round_trips_; }

 private:
  void read_to_sync();
  void lost_now(const error& why);

  PGconn* conn_;
  bool on_ = false;
  bool sync_owed_ = false;  // something was sent since the last sync
  std::uint64_t round_trips_ = 0;
  std::deque<std::shared_ptr<pg_pending>> waiting_;
  std::optional<error> failure_;
};

}  // namespace cati::store::sql
