#include "store/sql/sql.hpp"
#include "sim/server_process.hpp"

#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "core/ports/clock.hpp"
#include "core/sample/sample_generate.hpp"
#include "core/sample/sample_row.hpp"
#include "schema/loader.hpp"
#include "store/case_repo.hpp"
#include "store/fieldwork_store.hpp"
#include "store/password.hpp"
#include "store/study_repo.hpp"

namespace cati::tool::sim {
namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return std::move(s).str();
}

// The header line and the first `count` rows of a CSV text; nullopt when it has fewer rows. Frame rows
// are one line each (the generator quotes no line breaks).
std::optional<std::string> first_rows(const std::string& csv, int count) {
  std::size_t pos = 0;
  for (int line = 0; line <= count; ++line) {
    auto nl = csv.find('\n', pos);
    if (nl == std::string::npos) return line == count && pos < csv.size() ? std::optional(csv) : std::nullopt;
    pos = nl + 1;
  }
  return csv.substr(0, pos);
}

void add_missing_accounts(store::fieldwork_store& fieldwork, const std::vector<sim_account>& accounts,
                          core::time_point now) {
  for (const auto& a : accounts) {
    if (fieldwork.find_user(a.name)) continue;
    fieldwork.add_user({a.name, a.supervisor ? store::user_role::supervisor : store::user_role::interviewer, a.languages, store::hash_password(a.password), now})
        .get();
  }
}

}  // namespace

void prepare_fieldwork(const fs::path& db, const fs::path& study_dir, int frame_size,
                       const std::vector<sim_account>& accounts) {
  if (fs::exists(db)) throw std::runtime_error(db.string() + " exists already: the simulation needs a fresh fieldwork");
  auto study = schema::load_study_or_throw(study_dir.string());
  const fs::path qfile = study_dir / "questionnaire.textproto";
  const std::string questionnaire_text = read_text(qfile);
  const fs::path frame_file = study_dir / "frame.csv";
  std::optional<std::string> frame_text;
  std::string frame_name = frame_file.filename().string();
  if (fs::exists(frame_file)) frame_text = first_rows(read_text(frame_file), frame_size);
  if (!frame_text) {  // the study's frame is smaller than asked for: a synthetic one of that size
    core::generate_options gen;
    gen.count = frame_size;
    gen.seed = 2025;
    auto csv = core::generate_sample_csv(*study, gen);
    if (!csv) throw std::runtime_error("generating a frame of " + std::to_string(frame_size) + " firms: " + csv.err().message);
    frame_text = std::move(csv).value();
    frame_name = "generated-" + std::to_string(frame_size) + ".csv";
  }

  // The same steps as `cati sample import` (tools/cati/cmd_sample.cpp): parse and check every row, then
  // the firms and the study in one transaction.
  auto frame = core::parse_sample_frame(*frame_text, *study);
  const auto now = core::real_clock().now();
  store::study_record record{study->id, study->version, store::study_hash(questionnaire_text), questionnaire_text, now};
  store::import_context context{frame_name, now, std::nullopt};
  store::fieldwork_store fieldwork({.path = db});
  auto result = fieldwork
                    .submit([&](store::sql::connection& d) {
                      auto r = store::import_sample(d, frame, context);
                      if (r.ok()) store::register_study(d, record);
                      return r;
                    })
                    .get();
  if (!result.ok()) {
    std::string why;
    for (const auto& p : result.problems) why += "\n  " + p.to_string(frame_name);
    throw std::runtime_error("the frame was refused:" + why);
  }
  add_missing_accounts(fieldwork, accounts, now);
}

void ensure_accounts(const fs::path& db, const std::vector<sim_account>& accounts) {
  if (!store::is_postgresql(db.native()) && !fs::exists(db))
    throw std::runtime_error(db.string() + ": no such fieldwork file");
  store::fieldwork_store fieldwork({.path = db, .create = false});
  add_missing_accounts(fieldwork, accounts, core::real_clock().now());
}

fs::path server_binary() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot locate this program (/proc/self/exe): " + ec.message());
  const fs::path server = self.parent_path().parent_path() / "server" / "cati-server";
  if (!fs::exists(server)) throw std::runtime_error(server.string() + " not found: build the cati-server target");
  return server;
}

namespace {

std::vector<std::string> server_arguments(const fs::path& binary, const fs::path& study_dir, const fs::path& db,
                                          const std::string& clock) {
  return {binary.string(), "--study", study_dir.string(), "--db",        db.string(), "--listen", "127.0.0.1:0",
          "--clock",       clock,     "--log-level",      "warn",        "--threads", "1"};
}

}  // namespace

server_process::server_process(const fs::path& binary, const fs::path& study_dir, const fs::path& db,
                               const std::string& clock, const fs::path& log)
    : child_(server_arguments(binary, study_dir, db, clock), log) {}

int server_process::stop() {
  const auto ended = child_.stop();
  return ended && ended->exited() ? ended->code : -1;
}

}  // namespace cati::tool::sim
