#include "store/readers.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include "store/error.hpp"

namespace cati::store {

reader_pool::reader_pool(const open_options& options) {
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
    db_->exec("BEGIN");
  } catch (const SQLite::Exception& e) {
    std::lock_guard lock(pool_.mutex_);
    pool_.free_.push_back(db_);
    pool_.freed_.notify_one();
    throw store_error(store_errc::sqlite, e.what());
  }
}

reader_pool::lease::~lease() {
  // A read transaction has nothing to keep; ending it lets the WAL be checkpointed past this snapshot.
  if (sqlite3_get_autocommit(db_->getHandle()) == 0)
    sqlite3_exec(db_->getHandle(), "ROLLBACK", nullptr, nullptr, nullptr);
  std::lock_guard lock(pool_.mutex_);
  pool_.free_.push_back(db_);
  pool_.freed_.notify_one();
}

}  // namespace cati::store
