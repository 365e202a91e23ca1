// `cati export --db F --format sav|dta|csv|sss|dispositions|calls --out PATH [--weights rake|none [--cap X]
//  [--allow-unconverged]] [--include-partials] [--include-contact-data] [--lang nl|fr|en] [--study DIR]
//  [--at MOMENT]`
//
// Weights: raked to the quota margins by default when the study has quota targets (`--weights none`
// leaves them out). A raking that does not converge (a cap too tight) is refused, exit 1, unless
// --allow-unconverged; cells under 5 respondents and weights at the cap are warned about. The weight's
// documentation (targets, achieved shares, passes, cap, design effect, effective n) goes into the
// codebook and the .sav's documents.
//
// sss: Triple-S 2.0 XML metadata (labels in every language of the study) at PATH and its fixed-width
// data file beside it (.dat), see export_sss.hpp.
// sav/dta/csv: one row per completed interview (core/report/export_model.hpp says which variables and how the
// missing kinds are coded). Beside the file: for sav a .sps defining the multiple-response sets, for csv
// a Markdown codebook (.md). dispositions: every case of the sample with its final AAPOR disposition as
// of --at (default now), attempts and quota cell, as CSV with its codebook. calls: one row per call attempt
// (core/report/export_calls.hpp), as CSV with its codebook. Neither carries the case number (which links
// to the sample) unless --include-contact-data.
// Everything comes from one read transaction, so an export taken while interviews are being written is a
// consistent snapshot; the file may also be a copy of a live fieldwork's database.
// Contact data (firm id, company, phones, names) only with --include-contact-data, with a warning.
// The fieldwork file is opened read-only (never migrated, left byte for byte as it was), and --out (or a
// companion) naming the fieldwork file or its -wal/-shm, by any spelling, is refused.
// Exit 0 written, 1 refused (missing or foreign file, bad study, data the questionnaire cannot read,
// respondents that cannot be weighted, --out onto the fieldwork); bad options get CLI11's usage message.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "core/calling/calendar.hpp"
#include "core/report/export_dispositions.hpp"
#include "export_read.hpp"
#include "export_readstat.hpp"
#include "export_sss.hpp"
#include "export_text.hpp"
#include "fieldwork_read.hpp"

namespace cati::tool {
namespace {

struct export_options {
  std::string db;
  std::string format;
  std::string out;
  std::optional<std::string> weights;
  std::optional<double> cap;
  bool allow_unconverged = false;
  bool include_partials = false;
  bool include_contact = false;
  std::string lang;
  std::optional<std::string> study;
  std::optional<std::string> at;
};

std::filesystem::path beside(const std::filesystem::path& out, const std::string& extension) {
  auto p = out;
  return p.replace_extension(extension);
}

// The file's timestamp: the latest moment in the data, so that the same data gives the same bytes.
std::time_t data_timestamp(const std::vector<core::export_respondent>& rows) {
  core::time_point latest{};
  for (const auto& r : rows) latest = std::max(latest, r.ended_at.value_or(r.started_at));
  return static_cast<std::time_t>(latest.time_since_epoch().count() / 1000);
}

int run_dispositions(const export_options& o, const export_source& source, const core::export_settings& settings) {
  auto cal = core::calendar::make(*source.study);
  if (!cal) throw std::runtime_error("study: " + cal.err().message);
  const auto at = moment_or_now(o.at, *cal, "--at");
  auto data = core::dispositions_dataset(*source.study, settings, source.snapshot.cases, at);
  if (!data) throw std::runtime_error(data.err().message);
  write_text_file(o.out, csv_text(*data));
  const auto codebook = beside(o.out, ".md");
  write_text_file(codebook, codebook_text(*data, data->label + ", as of " + local_time_text(*cal, at)));
  std::cout << "exported " << data->rows.size() << " cases with their dispositions as of " << local_time_text(*cal, at)
            << " to " << o.out << " (codebook " << codebook.string() << ")\n";
  return 0;
}

// True when `a` and `b` name one file, however spelled (symlinks, "..", hard links): same device and
// inode. A file that does not exist is nobody's.
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec) && !ec;
}

// The export must never write onto the fieldwork it reads: not the database, nor its WAL, shared-memory
// or ownership lock files (overwriting any of them corrupts or unlocks a live fieldwork).
void refuse_writing_onto_the_fieldwork(const export_options& o) {
  const std::filesystem::path db = o.db;
  std::vector<std::filesystem::path> outputs{o.out};
  for (const char* companion : {".md", ".sps"}) outputs.push_back(beside(o.out, companion));
  for (const auto& out : outputs)
    for (const char* suffix : {"", "-wal", "-shm", "-journal", ".owner"}) {
      auto part = db;
      part += suffix;
      if (same_file(out, part))
        throw std::runtime_error("--out " + o.out + ": " + out.string() + " is the fieldwork's own file " + part.string() +
                                 ": refusing to overwrite it (choose another --out)");
    }
}

// An --out whose extension names another format than --format (SPSS written into "x.csv") is a mistake
// that only shows when someone opens the file: refused, with the name that fits. Unknown extensions pass.
void refuse_mismatched_extension(const export_options& o) {
  static const std::map<std::string, std::string> format_of = {
      {".sav", "sav"}, {".dta", "dta"}, {".csv", "csv"}, {".sss", "sss"}, {".xml", "sss"}};
  const std::filesystem::path out = o.out;
  std::string ext = out.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto it = format_of.find(ext);
  if (it == format_of.end()) return;
  const std::string wanted = o.format == "dispositions" || o.format == "calls" ? "csv" : o.format;
  if (it->second == wanted) return;
  auto fitting = out;
  fitting.replace_extension("." + wanted);
  throw std::runtime_error("--out " + o.out + ": a " + ext + " name for --format " + o.format + ": name it " +
                           fitting.string() + ", or give --format " + it->second);
}

// Raking by default when the study has something to rake to: a quota cell with a target.
bool has_quota_targets(const core::questionnaire& study) {
  for (const auto& q : study.quotas)
    for (const auto& c : q.cells)
      if (c.target > 0) return true;
  return false;
}

int run_calls(const export_options& o, const export_source& source, const core::export_settings& settings) {
  auto data = core::calls_dataset(*source.study, settings, source.snapshot.calls);
  if (!data) throw std::runtime_error(data.err().message);
  write_text_file(o.out, csv_text(*data));
  const auto codebook = beside(o.out, ".md");
  write_text_file(codebook, codebook_text(*data, data->label));
  std::cout << "exported " << data->rows.size() << " call attempts to " << o.out << " (codebook " << codebook.string()
            << ")\n";
  return 0;
}

int run_export(const export_options& o) {
  refuse_writing_onto_the_fieldwork(o);
  refuse_mismatched_extension(o);
  if (o.cap && o.weights == "none") throw std::runtime_error("--cap applies to raking weights, not to --weights none");
  store::export_request request;
  request.contact = o.include_contact;
  request.cases = o.format == "dispositions";
  request.calls = o.format == "calls";
  const auto source = read_export_source(o.db, o.study, request);
  const auto& study = *source.study;
  core::export_settings settings;
  settings.lang = o.lang.empty() ? study.default_language : o.lang;
  settings.include_contact = o.include_contact;
  settings.include_partials = o.include_partials;
  bool weighted = o.format != "dispositions" && o.format != "calls" && (o.weights ? *o.weights == "rake" : has_quota_targets(study));
  if (o.weights == "rake" && weighted && !has_quota_targets(study))
    throw std::runtime_error("--weights rake: the study has no quota targets to rake to");
  settings.weights = weighted;
  if (std::find(study.languages.begin(), study.languages.end(), settings.lang) == study.languages.end())
    throw std::runtime_error("--lang " + settings.lang + ": the study has no texts in that language");
  if (o.include_contact)
    std::cerr << "cati export: warning: --include-contact-data: the output holds contact data (firm ids, company "
                 "names, phone numbers, contact names), which is personal data: keep it apart from the research "
                 "data and share it with nobody who does not need it\n";
  if (o.format == "dispositions") return run_dispositions(o, source, settings);
  if (o.format == "calls") return run_calls(o, source, settings);

  auto interviews = source.snapshot.interviews;
  if (o.at) {
    // As of --at: the interviews that had ended by then (a partial: begun by then; it stays open).
    auto cal = core::calendar::make(study);
    if (!cal) throw std::runtime_error("study: " + cal.err().message);
    const auto at = moment_or_now(o.at, *cal, "--at");
    std::erase_if(interviews, [&](const core::export_respondent& r) {
      return r.ended_at ? *r.ended_at > at : !(r.partial && r.started_at <= at);
    });
  }
  auto respondents = core::select_respondents(std::move(interviews), o.include_partials);
  if (weighted && !o.weights && respondents.empty()) {
    // The default weights need respondents to rake: an export before the first complete (a check of the
    // file's layout on day one) still works, without the weight variable. Asked for by name, it is an error.
    std::cerr << "cati export: no respondents yet: written without a weight variable\n";
    weighted = false;
    settings.weights = false;
  }
  std::optional<weighting_run> weighting;
  if (weighted) {
    weighting = rake_respondents(study, respondents, o.cap);
    print_weighting(std::cerr, *weighting, o.cap);
    for (const auto& w : weighting_warnings(*weighting, o.cap)) std::cerr << "cati export: warning: " << w << "\n";
    if (!weighting->result.converged && !o.allow_unconverged)
      throw std::runtime_error("weights did not converge, nothing written: loosen --cap, or give --allow-unconverged "
                               "to export weights that miss their targets");
  }
  auto data = core::build_dataset(study, settings, respondents);
  if (!data) throw std::runtime_error(data.err().message);
  if (weighting)
    for (auto& n : weighting_notes(*weighting, o.cap)) data->notes.push_back(std::move(n));
  for (const auto& w : data->warnings) std::cerr << "cati export: warning: " << w << "\n";

  std::vector<std::string> extras;
  std::vector<std::string> warnings;
  if (o.format == "sss") {
    // Labels in every language of the study, the export's language first; the values are the same.
    std::vector<std::string> languages = {settings.lang};
    for (const auto& l : study.languages)
      if (l != settings.lang) languages.push_back(l);
    std::vector<core::export_dataset> by_language = {*data};
    for (std::size_t i = 1; i < languages.size(); ++i) {
      auto other = settings;
      other.lang = languages[i];
      auto d = core::build_dataset(study, other, respondents);
      if (!d) throw std::runtime_error(d.err().message);
      by_language.push_back(std::move(d).value());
    }
    const auto dat = beside(o.out, ".dat");
    const auto files = triple_s(by_language, languages, study.id, study.title.empty() ? data->label : study.title,
                                dat.filename().string());
    write_text_file(o.out, files.xml);
    write_text_file(dat, files.data);
    extras.push_back("data " + dat.string());
  } else if (o.format == "csv") {
    write_text_file(o.out, csv_text(*data));
    const auto codebook = beside(o.out, ".md");
    write_text_file(codebook, codebook_text(*data, data->label));
    extras.push_back("codebook " + codebook.string());
  } else {
    const auto format = o.format == "sav" ? stat_format::sav : stat_format::dta;
    warnings = write_stat_file(*data, format, o.out, data_timestamp(respondents));
    if (format == stat_format::sav && !data->sets.empty()) {
      const auto sps = beside(o.out, ".sps");
      write_text_file(sps, mrsets_syntax(*data, std::filesystem::path(o.out).filename().string()));
      extras.push_back("multiple-response sets " + sps.string());
    }
  }
  for (const auto& w : warnings) std::cerr << "cati export: warning: " << w << "\n";
  std::size_t partials = 0;
  for (const auto& r : respondents) partials += r.final_state == core::outcome::complete ? 0 : 1;
  std::cout << "exported " << respondents.size() << " respondents (" << respondents.size() - partials << " complete, "
            << partials << " partial), " << data->variables.size() << " variables, questionnaire " << study.id << " "
            << study.version << ", labels in " << settings.lang << ", to " << o.out;
  for (const auto& e : extras) std::cout << " (" << e << ")";
  std::cout << "\n";
  return 0;
}

}  // namespace

void add_export_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<export_options>();
  auto* cmd = app.add_subcommand("export", "export completed interviews (SPSS, Stata, CSV) or the dispositions");
  cmd->add_option("--db", o->db, "the fieldwork file (or a copy of it)")->required();
  cmd->add_option("--format", o->format,
                  "sav, dta, csv, sss (Triple-S XML and its .dat), dispositions or calls (one row per call attempt)")
      ->required()
      ->check(CLI::IsMember({"sav", "dta", "csv", "sss", "dispositions", "calls"}));
  cmd->add_option("--out", o->out, "the file to write (companions go beside it: .sps, .md)")->required();
  auto* weights = cmd->add_option("--weights", "rake (default when the study has quota targets): raking weights to "
                                               "the quota margins; none: no weight variable")
                      ->check(CLI::IsMember({"rake", "none"}));
  auto* cap = cmd->add_option("--cap", "largest weight, as a multiple of the mean (e.g. 5)")->check(CLI::Range(1.0, 1e6));
  cmd->add_flag("--allow-unconverged", o->allow_unconverged,
                "export weights even when the raking does not converge (they miss their targets)");
  cmd->add_flag("--include-partials", o->include_partials, "broken-off interviews too, flagged `partial`");
  cmd->add_flag("--include-contact-data", o->include_contact, "firm id, company, phones and names (personal data)");
  cmd->add_option("--lang", o->lang, "labels in this language (default: the study's default language)");
  auto* study = cmd->add_option("--study", "the study folder (default: the questionnaire stored in the fieldwork)");
  auto* at = cmd->add_option("--at", "as of this moment, as in `cati report`: the interviews ended by then, or the "
                                      "dispositions then (default now)");
  cmd->callback(reporting_errors("export", exit_code, [o, weights, cap, study, at] {
    if (weights->count() > 0) o->weights = weights->as<std::string>();
    if (cap->count() > 0) o->cap = cap->as<double>();
    if (study->count() > 0) o->study = study->as<std::string>();
    if (at->count() > 0) o->at = at->as<std::string>();
    return run_export(*o);
  }));
}

}  // namespace cati::tool
