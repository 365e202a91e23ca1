// One test's fieldwork in the PostgreSQL test cluster: a schema of its own, made empty at the start and
// dropped at the end, and the URL that puts it first on the search path (docs/storage.md: several
// fieldworks share a database in separate schemas, tables, version row and advisory locks all per
// schema). Parallel tests (ctest -j) and the tests of one process never see each other's rows this way.
//
// Shared by tests/store/backends.hpp (the store and fieldwork suites) and the integration suite's
// fixture (tests/integration/server_fixture.hpp). The cluster is the CTest fixture pg_test_cluster, its
// URL in CATI_TEST_PG (tests/pg/test_cluster.sh).
#pragma once

#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>

#include "store/sql/pg_connection.hpp"

namespace cati::test {

class pg_test_schema {
 public:
  // `base_url`: the cluster's database (CATI_TEST_PG); `prefix`: the schema name's start, which says
  // which suite made it (a leftover is then easy to place). The name adds this process's id and a
  // counter. Throws sql::error when the cluster cannot be reached.
  pg_test_schema(const std::string& base_url, const std::string& prefix) {
    static std::atomic<int> counter{0};
    name_ = prefix + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    admin_ = std::make_unique<store::sql::pg_connection>(base_url, false);
    // A schema of this name left by an earlier process with the same id (a killed run) is replaced.
    admin_->exec("DROP SCHEMA IF EXISTS " + name_ + " CASCADE; CREATE SCHEMA " + name_);
    url_ = base_url + (base_url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + name_;
  }
  ~pg_test_schema() {
    if (keep_) return;
    try {
      admin_->exec("DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
    } catch (...) {  // the cluster is gone already (its fixture stopped it): nothing to clean
    }
  }
  pg_test_schema(const pg_test_schema&) = delete;
  pg_test_schema& operator=(const pg_test_schema&) = delete;

  // The --db string of this fieldwork.
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  // Leaves the schema in the cluster at the end (a failed test's rows, for inspection until the cluster
  // is stopped).
  void keep() { keep_ = true; }

 private:
  std::string name_, url_;
  std::unique_ptr<store::sql::pg_connection> admin_;
  bool keep_ = false;
};

}  // namespace cati::test
