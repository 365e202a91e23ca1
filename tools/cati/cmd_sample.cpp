// `cati sample import --db F [--study schema/<study>] frame.csv`: loads a sample frame into a fieldwork,
// all or nothing (--study is needed for a new file; an existing one is checked against the questionnaire it
// ran last); every bad row is printed as "frame.csv:LINE: reason". Exit 0 imported, 1 refused
// (bad rows, or the study/fieldwork do not fit), 2 bad options.
// `cati sample generate --study schema/<study> --count N --seed S --out frame.csv`: a synthetic frame
// of fictitious firms (core/sample/sample_generate.hpp).
// `cati sample release --db F --study schema/<study> [--replicates N --seed S] [--next | --replicate K]`:
// the sample released in replicates (core/sample/replicates.hpp). --replicates splits every case not yet
// called into N replicates at random, stratified by the quotas' frame variables (region); nothing of them
// is dialled until released. --next releases the lowest replicate not yet released, --replicate K that
// one. Without either, prints per replicate: cases, released when, worked out (finalised by the call
// rules), still callable, completes. The server loads the cases of replicates released while it runs at
// its next start (a running server keeps working what it has).
#include <filesystem>
#include <optional>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "core/util/redact.hpp"
#include "store/sql/sql.hpp"
#include "commands.hpp"
#include "core/ports/clock.hpp"
#include "core/sample/sample_generate.hpp"
#include "core/sample/sample_row.hpp"
#include "schema/loader.hpp"
#include "store/case_repo.hpp"
#include "store/error.hpp"
#include "store/fieldwork_store.hpp"
#include "store/study_repo.hpp"
#include "fieldwork_read.hpp"
#include "sample_release.hpp"
#include "table.hpp"

namespace cati::tool {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

// The questionnaire file of a study given as its folder or as the file itself.
fs::path questionnaire_file(const fs::path& study) {
  return fs::is_directory(study) ? study / "questionnaire.textproto" : study;
}

struct import_options {
  std::string db;
  std::string study;
  std::string frame;
  std::string synchronous = "full";
};

int run_import(const import_options& o) {
  std::shared_ptr<const core::questionnaire> study;
  std::optional<std::string> questionnaire_text;
  if (o.study.empty()) {
    // More firms for a fieldwork that has its study: the questionnaire it ran last, kept in the file.
    if (!fs::exists(o.db)) throw std::runtime_error(o.db + " does not exist yet: give --study for a new fieldwork");
    study = load_stored_study_context(o.db).study;
    store::fieldwork_store existing({.path = o.db, .create = false});
    questionnaire_text = existing.current_study()->questionnaire_text;
  } else {
    study = schema::load_study_or_throw(o.study);
    questionnaire_text = read_file(questionnaire_file(o.study));
  }
  auto frame_text = read_file(o.frame);
  if (!questionnaire_text || !frame_text) {
    std::cerr << "cati sample import: cannot read " << (frame_text ? questionnaire_file(o.study).string() : o.frame)
              << "\n";
    return 1;
  }
  auto frame = core::parse_sample_frame(*frame_text, *study);
  if (!frame.ok()) {  // before the file is opened: a failed import of a new file leaves no empty one behind
    for (const auto& p : frame.problems) std::cerr << p.to_string(o.frame) << "\n";
    std::cerr << frame.problems.size() << " problem(s) in " << o.frame << "; nothing was imported\n";
    const auto header = frame_text->substr(0, frame_text->find('\n'));
    if (header.find(';') != std::string::npos && header.find(',') == std::string::npos)
      std::cerr << "hint: " << o.frame << " is separated by ';': save it as CSV with ',' between the fields\n";
    return 1;
  }
  auto now = core::real_clock().now();
  store::study_record record{study->id, study->version, store::study_hash(*questionnaire_text),
                             *questionnaire_text, now};
  store::import_context context{fs::path(o.frame).filename().string(), now, std::nullopt};
  auto sync = store::synchronous_from_string(o.synchronous);
  store::fieldwork_store fieldwork({.path = o.db, .synchronous = *sync});
  // One job, one transaction: the firms go in only with the study they were checked against.
  auto result = fieldwork
                    .submit([&](store::sql::connection& db) {
                      auto r = store::import_sample(db, frame, context);
                      if (r.ok()) store::register_study(db, record);
                      return r;
                    })
                    .get();
  for (const auto& p : result.problems) std::cerr << p.to_string(o.frame) << "\n";
  if (!result.ok()) {
    std::cerr << result.problems.size() << " problem(s) in " << o.frame << "; nothing was imported\n";
    return 1;
  }
  std::cout << "imported " << result.imported << " firms from " << o.frame << " into " << o.db << " ("
            << fieldwork.case_count() << " in the fieldwork)\n";
  return 0;
}

struct generate_options {
  std::string study;
  std::string out;
  core::generate_options gen;
};

int run_generate(const generate_options& o) {
  auto study = schema::load_study_or_throw(o.study);
  auto csv = core::generate_sample_csv(*study, o.gen);
  if (!csv) {
    std::cerr << "cati sample generate: " << csv.err().message << "\n";
    return 1;
  }
  // Written beside the target and renamed over it: a reader never sees half a frame.
  fs::path out = o.out, partial = o.out + ".partial";
  {
    std::ofstream file(partial, std::ios::binary | std::ios::trunc);
    file << *csv;
    if (!file.flush()) {
      std::cerr << "cati sample generate: cannot write " << partial.string() << "\n";
      return 1;
    }
  }
  fs::rename(partial, out);
  std::cout << "wrote " << o.gen.count << " firms to " << o.out << " (seed " << o.gen.seed << ")\n";
  return 0;
}

struct release_options {
  std::string db;
  std::string study;
  std::optional<int> replicates;
  std::uint64_t seed = 1;
  bool next = false;
  std::optional<int> replicate;
};

void print_replicates(const release_options& o, const core::questionnaire& study) {
  auto cal = core::calendar::make(study);
  if (!cal) throw std::runtime_error("study: " + cal.err().message);
  text_table table({{"replicate", align::right}, {"cases", align::right}, {"released"}, {"worked out", align::right},
                    {"callable", align::right}, {"completes", align::right}});
  for (const auto& r : replicate_progress_of(o.db, study)) {
    const bool out = r.released;
    table.add_row({std::to_string(r.replicate), std::to_string(r.cases),
                   r.replicate == 0 ? "as imported" : out ? local_time_text(*cal, *r.released_at) : "no",
                   out ? std::to_string(r.worked_out) : "-", std::to_string(r.callable),
                   out ? std::to_string(r.completes) : "-"});
  }
  std::cout << "Replicates of " << o.db << " (rates count released cases only)\n";
  table.print(std::cout);
}

int run_release(const release_options& o) {
  auto study = study_of(o.study, o.db).study;
  if (o.replicates) {
    const auto split = split_replicates(o.db, *study, *o.replicates, o.seed);
    std::string by;
    for (const auto& v : split.stratified) by += (by.empty() ? "" : ", ") + v;
    std::cout << "split " << split.cases << " cases never called into " << *o.replicates << " replicates (seed "
              << o.seed << ", stratified by " << (by.empty() ? "nothing" : by) << "); none is released yet\n";
  }
  if (o.next || o.replicate) {
    const int which = release_replicate(o.db, o.next ? std::nullopt : o.replicate, core::real_clock().now());
    std::cout << "released replicate " << which << "\n";
  }
  print_replicates(o, *study);
  return 0;
}

// A command callback running `body`, turning the errors a user can cause into a message and exit code 1.
template <class F>
auto reporting_errors(const char* name, int& exit_code, F body) {
  return [name, &exit_code, body] {
    try {
      exit_code = body();
    } catch (const std::runtime_error& e) {  // store_error, a study that does not load, a file error
      std::cerr << "cati sample " << name << ": " << core::redact_passwords(e.what()) << "\n";
      exit_code = 1;
    }
  };
}

}  // namespace

void add_sample_command(CLI::App& app, int& exit_code) {
  auto* sample = app.add_subcommand("sample", "load or generate a sample frame");
  sample->require_subcommand(1);

  auto imp = std::make_shared<import_options>();
  auto* import_cmd = sample->add_subcommand("import", "load a frame file into a fieldwork: all rows or none");
  import_cmd->add_option("--db", imp->db, "the fieldwork file (created if missing)")->required();
  import_cmd->add_option("--study", imp->study,
                         "the study folder (schema/<study>); for an existing fieldwork, default the one it ran last");
  import_cmd->add_option("frame", imp->frame, "the frame file (CSV with a header line)")->required();
  import_cmd->add_option("--synchronous", imp->synchronous, "SQLite synchronous setting")
      ->check(CLI::IsMember({"off", "normal", "full", "extra"}));
  import_cmd->callback(reporting_errors("import", exit_code, [imp] { return run_import(*imp); }));

  auto gen = std::make_shared<generate_options>();
  auto* gen_cmd = sample->add_subcommand("generate", "write a synthetic frame of fictitious Belgian firms");
  gen_cmd->add_option("--study", gen->study, "the study folder (schema/<study>)")->required();
  gen_cmd->add_option("--count", gen->gen.count, "number of firms")->required()->check(CLI::NonNegativeNumber);
  gen_cmd->add_option("--seed", gen->gen.seed, "random seed: the same seed gives the same frame")->required();
  gen_cmd->add_option("--out", gen->out, "the frame file to write")->required();
  gen_cmd->add_option("--id-prefix", gen->gen.id_prefix, "firm ids are this prefix and a 6-digit number")
      ->capture_default_str();
  gen_cmd->add_option("--first", gen->gen.first_number, "number of the first firm id")->capture_default_str();
  gen_cmd->callback(reporting_errors("generate", exit_code, [gen] { return run_generate(*gen); }));

  auto rel = std::make_shared<release_options>();
  auto* rel_cmd = sample->add_subcommand("release", "split the sample into replicates, release the next one, show them");
  rel_cmd->add_option("--db", rel->db, "the fieldwork file")->required();
  rel_cmd->add_option("--study", rel->study, "the study folder (schema/<study>); default the one the file last ran");
  auto* count = rel_cmd->add_option("--replicates", "split the cases never called into this many replicates")
                    ->check(CLI::PositiveNumber);
  rel_cmd->add_option("--seed", rel->seed, "random seed of the split")->capture_default_str();
  auto* next = rel_cmd->add_flag("--next", rel->next, "release the lowest replicate not yet released");
  auto* one = rel_cmd->add_option("--replicate", "release this replicate")->check(CLI::PositiveNumber);
  next->excludes(one);
  rel_cmd->callback(reporting_errors("release", exit_code, [rel, count, one] {
    if (count->count() > 0) rel->replicates = count->as<int>();
    if (one->count() > 0) rel->replicate = one->as<int>();
    return run_release(*rel);
  }));
}

}  // namespace cati::tool
