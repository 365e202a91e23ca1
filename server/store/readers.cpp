#include "store/readers.hpp"

#include "store/sql/sql.hpp"

#include "store/error.hpp"
#include "store/reconnect.hpp"

namespace cati::store {

reader_pool::reader_pool(const open_options& options) : options_(options) {
  int n = options.readers < 1 ? 1 : options.readers;
  for (int i = 0; i < n; ++i) {
    all_.push_back(open_read_connection(options));
    free_.push_back(all_.back().get());
  }
}

reader_pool::~reader_pool() = default;

reader_pool::lease::lease(reader_pool& pool) : pool_(pool) {
  {
    std::unique_lock lock(pool_.mutex_);
    pool_.freed_.wait(lock, [&] { return !pool_.free_.empty(); });
    db_ = pool_.free_.back();
    pool_.free_.pop_back();
  }
  try {
    try {
      db_->begin_read();
    } catch (const sql::error& e) {
      if (!e.connection_lost() && !db_->lost()) throw;
      replace_lost();
      db_->begin_read();
    }
  } catch (...) {
    std::lock_guard lock(pool_.mutex_);
    pool_.free_.push_back(db_);
    pool_.freed_.notify_one();
    throw;
  }
}

void reader_pool::lease::replace_lost() {
  const auto& options = pool_.options_;
  auto fresh = reconnect([&] { return open_read_connection(options); }, reconnect_policy{}, options.on_reconnect);
  std::lock_guard lock(pool_.mutex_);
  for (auto& c : pool_.all_) {
    if (c.get() != db_) continue;
    c = std::move(fresh);  // the lost one closes here; nobody else holds it (it is this lease's)
    db_ = c.get();
    return;
  }
}

reader_pool::lease::~lease() {
  // A read transaction has nothing to keep; ending it lets the WAL be checkpointed past this snapshot.
  db_->rollback_quietly();
  std::lock_guard lock(pool_.mutex_);
  pool_.free_.push_back(db_);
  pool_.freed_.notify_one();
}

}  // namespace cati::store
