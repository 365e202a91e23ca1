// The store tests on both backends (issue 16): a test written once as a value-parameterized gtest runs on
// SQLite (a file in a temporary folder) and on PostgreSQL (a schema of its own in the test cluster).
//
//   class StoreAnswers : public backend_test {
//     store::fieldwork_store fw{options_for(db())};   // db(): this test's database, made before members
//   };
//   TEST_P(StoreAnswers, ...) { ... }
//   CATI_ON_BOTH_BACKENDS(StoreAnswers);
//
// A fixture with its own SetUp calls backend_test::SetUp() first and returns if IsSkipped().
//
// The PostgreSQL cluster is the CTest fixture pg_test_cluster (tests/pg/test_cluster.sh, started with
// tools/pg and stopped whatever happens), whose URL reaches the tests as CATI_TEST_PG. Without that
// variable (a test binary run by hand) the PostgreSQL variants are skipped, saying so.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <ostream>
#include <string>

#include "store/connection.hpp"
#include "../pg/test_schema.hpp"
#include "store_fixture.hpp"

namespace cati::test {

enum class backend { sqlite, postgresql };

// How ctest's test list shows the parameter (instead of its bytes).
inline void PrintTo(backend b, std::ostream* os) { *os << (b == backend::sqlite ? "sqlite" : "postgresql"); }

inline std::string backend_name(const testing::TestParamInfo<backend>& info) {
  return info.param == backend::sqlite ? "sqlite" : "postgresql";
}

// A fresh, empty fieldwork database for one test, dropped at the end: a path in a temporary folder, or
// a PostgreSQL URL whose search_path is a schema made for this test.
class test_database {
 public:
  // Without CATI_TEST_PG a PostgreSQL database is a SQLite file too, so that a fixture's members can
  // still be built; backend_test skips the test before its body runs.
  explicit test_database(backend b) : backend_(b) {
    if (b == backend::sqlite || std::getenv("CATI_TEST_PG") == nullptr) {
      db_ = (dir_ / "fieldwork.db").string();
      return;
    }
    schema_ = std::make_unique<pg_test_schema>(std::getenv("CATI_TEST_PG"), "t");
    db_ = schema_->url();
  }
  test_database(const test_database&) = delete;
  test_database& operator=(const test_database&) = delete;

  // The --db string (open_options::path).
  const std::string& db() const { return db_; }
  // A second database of the same backend (another fieldwork).
  const temp_dir& dir() const { return dir_; }

 private:
  backend backend_;
  temp_dir dir_;
  std::string db_;
  std::unique_ptr<pg_test_schema> schema_;  // PostgreSQL: this test's schema, dropped at the end
};

class backend_test : public testing::TestWithParam<backend> {
 protected:
  void SetUp() override {
    if (GetParam() == backend::postgresql && std::getenv("CATI_TEST_PG") == nullptr)
      GTEST_SKIP() << "CATI_TEST_PG is not set: the PostgreSQL variant runs under ctest, which starts a private "
                      "cluster (the fixture pg_test_cluster); by hand: url=$(tools/pg start DIR) and "
                      "CATI_TEST_PG=$url <test binary>";
  }
  bool on_postgresql() const { return GetParam() == backend::postgresql; }
  // This test's database: a SQLite path or a PostgreSQL URL.
  const std::string& db() const { return database_.db(); }
  // A temporary folder of this test's own (for other files: a CSV, a second SQLite fieldwork).
  const temp_dir& dir() const { return database_.dir(); }

 private:
  test_database database_{GetParam()};
};

#define CATI_ON_BOTH_BACKENDS(suite)                                                                              \
  INSTANTIATE_TEST_SUITE_P(Backends, suite, testing::Values(::cati::test::backend::sqlite,                        \
                                                            ::cati::test::backend::postgresql),                    \
                           ::cati::test::backend_name)

}  // namespace cati::test
