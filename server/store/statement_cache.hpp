// Prepared statements kept across jobs on the writer thread. Preparing (parsing and planning) the few
// statements every answer runs cost about as much CPU as running them: the writer keeps one prepared
// copy of each and resets it after use (on PostgreSQL: a named prepared statement of its session).
//
// statement_cache: while one exists for a connection, `statement`s made for that connection are taken
// from the connection's cache (prepared on first use). The writer creates one for its connection at the
// start of its thread and drops it before the connection closes.
// statement: a prepared statement for one use. Cached when its connection has a cache open and the same
// SQL is not in use already (a nested use gets its own copy); otherwise prepared for this use only. On
// destruction a cached statement is reset and its bindings cleared.
//
// Thread-safety: a connection, its cache and its statements are used by one thread at a time.
#pragma once

#include <string_view>

#include "store/sql/sql.hpp"

namespace cati::store::detail {

class statement_cache {
 public:
  explicit statement_cache(sql::connection& db) : db_(db) { db_.open_cache_scope(); }
  ~statement_cache() { db_.close_cache_scope(); }
  statement_cache(const statement_cache&) = delete;
  statement_cache& operator=(const statement_cache&) = delete;

 private:
  sql::connection& db_;
};

class statement {
 public:
  statement(sql::connection& db, std::string_view sql) : st_(db, sql, true) {}

  sql::statement& operator*() { return st_; }
  sql::statement* operator->() { return &st_; }

 private:
  sql::statement st_;
};

}  // namespace cati::store::detail
