// Read connections for queries, apart from the writer's: a small pool of read-only connections. Each
// read() borrows one, runs the function inside a read transaction (one consistent snapshot of the last
// commits, never a half-done one), and gives it back.
//
// On PostgreSQL a pooled connection may find its server gone (the primary failed over, issue 16): the
// lease that finds it so when it begins its read transaction replaces it with a new connection through
// the same (multi-host) connection string, retrying up to reconnect_policy's bound (store/reconnect.hpp),
// and begins again. A connection that breaks in the middle of a read fails that read (store_error) and is
// replaced by the next lease.
//
// Thread-safety: read() may be called from any number of threads; when every connection is busy it
// waits for one. Do not call read() from inside a read() function (it may wait for itself).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

#include "store/connection.hpp"
#include "store/error.hpp"

namespace cati::store {

class reader_pool {
 public:
  // Opens options.readers (at least 1) read-only connections to an existing, migrated file.
  explicit reader_pool(const open_options& options);
  ~reader_pool();
  reader_pool(const reader_pool&) = delete;
  reader_pool& operator=(const reader_pool&) = delete;

  template <class F>
  auto read(F&& f) -> std::invoke_result_t<F&, sql::connection&> {
    try {
      lease borrowed(*this);
      return f(borrowed.db());
    } catch (...) {
      rethrow_as_store_error();
    }
  }

 private:
  class lease {
   public:
    explicit lease(reader_pool& pool);  // waits for a free connection and begins a read transaction
    ~lease();                           // ends it and gives the connection back
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    sql::connection& db() { return *db_; }

   private:
    void replace_lost();  // db_ by a new connection (throws when none can be opened within the bound)

    reader_pool& pool_;
    sql::connection* db_;
  };

  open_options options_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<sql::connection>> all_;
  std::vector<sql::connection*> free_;
};

}  // namespace cati::store
