#include "store/sql/sql.hpp"

namespace cati::store::sql {

connection::~connection() = default;

void connection::close_cache_scope() {
  if (--cache_scopes_ == 0) cache_.clear();
}

single_value connection::execAndGet(std::string_view sql) {
  auto st = prepare(sql, false);
  if (!st->step()) throw error(std::string(sql) + ": returned no row", 0, "", false);
  return single_value(std::move(st));
}

statement::statement(connection& db, std::string_view sql, bool cached) {
  if (cached && db.cache_scopes_ > 0) {
    auto& e = db.cache_[std::string(sql)];
    if (!e.in_use) {
      if (!e.prepared) e.prepared = db.prepare(sql, true);
      e.in_use = true;
      cached_ = &e;
      st_ = e.prepared.get();
      return;
    }
  }
  owned_ = db.prepare(sql, false);
  st_ = owned_.get();
}

statement::~statement() {
  if (cached_ == nullptr) return;
  try {
    st_->reset();  // the last step's error, if any, was reported to whoever stepped it
    st_->clear_bindings();
  } catch (...) {  // cannot fail on a valid statement; a bad one is dropped and prepared anew
    cached_->prepared.reset();
  }
  cached_->in_use = false;
}

}  // namespace cati::store::sql
