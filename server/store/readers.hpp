// Read connections for queries, apart from the writer's: a small pool of read-only connections. Each
// read() borrows one, runs the function inside a read transaction (one consistent snapshot of the last
// commits, never a half-done one), and gives it back.
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
    reader_pool& pool_;
    sql::connection* db_;
  };

  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<sql::connection>> all_;
  std::vector<sql::connection*> free_;
};

}  // namespace cati::store
