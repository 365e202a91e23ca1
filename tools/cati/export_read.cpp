#include "store/sql/sql.hpp"
#include "export_read.hpp"

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/report/export_weights.hpp"
#include "schema/loader.hpp"
#include "store/fieldwork_store.hpp"

namespace cati::tool {
namespace {

// The schema loader reads folders: the stored text goes into a private temporary one.
std::shared_ptr<const core::questionnaire> load_stored_study(const store::study_record& stored, const std::string& db) {
  namespace fs = std::filesystem;
  std::string pattern = (fs::temp_directory_path() / "cati-export-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary directory");
  const fs::path dir = pattern;
  std::ofstream(dir / "questionnaire.textproto") << stored.questionnaire_text;
  auto report = schema::load_study(dir);
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (!report.ok()) {
    std::string message = db + ": the questionnaire stored in the fieldwork does not load (give --study):";
    for (const auto& d : report.diagnostics)
      if (!d.warning) message += "\n  " + d.message;
    throw std::runtime_error(message);
  }
  return report.study;
}

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

}  // namespace

export_source read_export_source(const std::string& db, const std::optional<std::string>& study_dir,
                                 const store::export_request& request) {
  std::shared_ptr<const core::questionnaire> given;
  if (study_dir) given = schema::load_study_or_throw(*study_dir);
  store::fieldwork_store fieldwork({.path = db, .create = false, .read_only = true});
  const auto stored = fieldwork.current_study();
  if (!stored) throw std::runtime_error(db + ": no study loaded in this fieldwork yet");
  if (given && given->id != stored->study_id)
    throw std::runtime_error(db + " is a fieldwork of study '" + stored->study_id + "', not of '" + given->id + "'");
  export_source source;
  source.study = given ? given : load_stored_study(*stored, db);
  store::export_request req = request;
  for (const auto& f : source.study->frame)
    if (f.type == core::variable_type::phone) req.phone_variable = f.name;
  // Everything exported comes from this one read transaction.
  source.snapshot = fieldwork.read([&](store::sql::connection& conn) { return store::read_export(conn, req); });
  return source;
}

weighting_run rake_respondents(const core::questionnaire& study, std::vector<core::export_respondent>& respondents,
                               std::optional<double> cap) {
  auto margins = core::quota_margins(study, respondents);
  if (!margins) throw std::runtime_error("weights: " + margins.err().message);
  core::rake_options options;
  options.cap = cap;
  auto raked = core::rake(margins->membership, margins->margins, options);
  if (!raked) throw std::runtime_error("weights: " + raked.err().message);
  weighting_run run;
  for (const auto& m : margins->margins) run.margins.push_back(m.name);
  run.result = std::move(raked).value();
  for (std::size_t m = 0; m < margins->margins.size(); ++m) {
    const auto& margin = margins->margins[m];
    const auto shares = core::weighted_shares(margins->membership, m, margin, run.result.weights);
    double total = 0;
    for (double t : margin.targets) total += t;
    std::vector<weighting_run::category> cats;
    for (std::size_t c = 0; c < margin.categories.size(); ++c) {
      weighting_run::category cat;
      cat.name = margin.categories[c];
      cat.target = total > 0 ? margin.targets[c] / total : 0;
      cat.achieved = c < shares.size() ? shares[c] : 0;
      for (const auto& row : margins->membership) cat.respondents += row[m] == cat.name ? 1 : 0;
      cats.push_back(std::move(cat));
    }
    run.categories.push_back(std::move(cats));
  }
  for (std::size_t i = 0; i < respondents.size(); ++i) respondents[i].weight = run.result.weights[i];
  return run;
}

void print_weighting(std::ostream& out, const weighting_run& run, std::optional<double> cap) {
  const auto& r = run.result;
  const auto s = core::summarise_weights(r.weights);
  std::string margins;
  for (const auto& m : run.margins) margins += (margins.empty() ? "" : ", ") + m;
  char gap[32];
  std::snprintf(gap, sizeof gap, "%.1e", r.max_gap);
  out << "weights: raked to " << margins << ": " << (r.converged ? "converged" : "NOT converged") << " in "
      << r.passes << " passes (largest gap between a weighted share and its target " << gap << ")";
  if (cap) out << ", cap " << fixed(*cap, 2) << " (" << r.capped << " weights at the cap)";
  out << "\n"
      << "weights: " << s.n << " respondents, min " << fixed(s.min, 4) << ", max " << fixed(s.max, 4)
      << ", design effect " << fixed(s.design_effect, 4) << ", effective sample size " << fixed(s.effective_n, 1)
      << ", margin of error at 50 %: +-" << fixed(100 * s.margin_of_error(0.5), 1) << " points (95 %)\n";
}

std::vector<std::string> weighting_notes(const weighting_run& run, std::optional<double> cap) {
  const auto& r = run.result;
  const auto s = core::summarise_weights(r.weights);
  std::vector<std::string> out;
  std::string margins;
  for (const auto& m : run.margins) margins += (margins.empty() ? "" : ", ") + m;
  out.push_back("Weight: raking (iterative proportional fitting) to the quota margins " + margins +
                ", targets from the questionnaire's quota cells, scaled to mean 1.");
  out.push_back(std::string(r.converged ? "Converged" : "Did NOT converge") + " in " + std::to_string(r.passes) +
                " passes; cap " + (cap ? fixed(*cap, 2) + " x the mean (" + std::to_string(r.capped) + " weights at it)" : std::string("none")) +
                "; design effect (Kish) " + fixed(s.design_effect, 4) + ", effective sample size " + fixed(s.effective_n, 1) +
                " of " + std::to_string(s.n) + ", weights " + fixed(s.min, 4) + " to " + fixed(s.max, 4) + ".");
  for (std::size_t m = 0; m < run.categories.size() && m < run.margins.size(); ++m)
    for (const auto& c : run.categories[m])
      out.push_back(run.margins[m] + " " + c.name + ": target " + fixed(100 * c.target, 2) + " %, weighted " +
                    fixed(100 * c.achieved, 2) + " %, " + std::to_string(c.respondents) + " respondents");
  return out;
}

std::vector<std::string> weighting_warnings(const weighting_run& run, std::optional<double> cap) {
  std::vector<std::string> out;
  if (!run.result.converged)
    out.push_back("the raking did not converge: the weighted shares miss their targets (largest gap " +
                  fixed(run.result.max_gap, 4) + ")" + (cap ? "; the cap " + fixed(*cap, 2) + " is too tight" : ""));
  if (cap && run.result.capped > 0)
    out.push_back(std::to_string(run.result.capped) + " weights sit at the cap " + fixed(*cap, 2));
  for (std::size_t m = 0; m < run.categories.size() && m < run.margins.size(); ++m)
    for (const auto& c : run.categories[m])
      if (c.target > 0 && c.respondents < min_cell_respondents)
        out.push_back("weighting cell " + run.margins[m] + " " + c.name + " has " + std::to_string(c.respondents) +
                      " respondent" + (c.respondents == 1 ? "" : "s") + " (under " + std::to_string(min_cell_respondents) +
                      "): its weight rests on too few interviews");
  return out;
}

}  // namespace cati::tool
