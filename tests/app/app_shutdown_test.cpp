// Behaviour 10 of issue 13: components stop in reverse order of their start, and no callback reaches a
// destroyed object. The fieldwork application is destroyed while the store's writer still has its commits
// queued (the io_context never ran them): the destructor waits for the writer to finish them, and nothing
// the writer calls back runs into the destroyed app, even when the io_context runs afterwards. Under
// ASan (CATI_SANITIZE) a callback into freed memory is reported; without it the counts below still fail.
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <boost/asio/io_context.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/sql/sql.hpp"
#include "core/calling/calendar.hpp"
#include "core/ports/clock.hpp"
#include "core/ports/clock_spec.hpp"
#include "net/fieldwork_app.hpp"
#include "net/log.hpp"
#include "schema/loader.hpp"
#include "store/fieldwork_port.hpp"
#include "store/fieldwork_store.hpp"
#include "store/password.hpp"
#include "store/study_repo.hpp"

namespace cati::net {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FieldworkAppShutdown, ShutdownWithCommitsInFlightFinishesThemAndCallsNothingBack) {
  set_log_level(log_level::error);
  const fs::path dir = fs::temp_directory_path() / ("cati-app-shutdown-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path study_dir = fs::path(CATI_SOURCE_DIR) / "schema" / "ai_barometer_2025";
  auto study = schema::load_study_or_throw(study_dir.string());
  auto cal = core::calendar::make(*study);
  ASSERT_TRUE(cal);
  core::manual_clock clock(core::parse_instant("2025-10-13T09:00:00+02:00").value());
  const auto now = clock.now();

  constexpr int commits = 300;
  int replies = 0;  // what a callback into the app would touch
  {
    store::fieldwork_store store({.path = dir / "fieldwork.db"});
    const auto text = read_text(study_dir / "questionnaire.textproto");
    store.register_study({study->id, study->version, store::study_hash(text), text, now}).get();
    store.add_user({"anna", store::user_role::interviewer, {"nl"}, store::hash_password("anna-secret-1", store::hash_cost::minimum), now})
        .get();
    store::fieldwork_port port(store, *study);
    metrics_registry metrics;
    boost::asio::io_context ioc;
    {
      fieldwork_app app(ioc, study, *cal, clock, port, port, metrics);
      for (int i = 0; i < commits; ++i) {
        core::change_list changes;
        changes.push_back(core::session_opened{"digest-" + std::to_string(i), "anna", now, now + std::chrono::hours(1)});
        app.commit_then(std::move(changes), [&replies] { ++replies; });
      }
    }  // the app goes first, with its commits still queued at the writer
    // What the writer posted for the app before it went must not run into it now.
    ioc.run();
    EXPECT_EQ(replies, 0) << "a reply ran after the app was destroyed";
    // Every commit handed over was finished before the app was gone.
    const auto rows = store.read([](store::sql::connection& d) {
      return d.execAndGet("SELECT COUNT(*) FROM sessions").getInt64();
    });
    EXPECT_EQ(rows, commits);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cati::net
