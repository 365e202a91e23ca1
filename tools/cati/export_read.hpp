// What `cati export` and `cati report --weights` read: the study (from --study, or the questionnaire
// text the fieldwork stored) and one consistent snapshot of the fieldwork's interviews (and cases), and
// the raking of the exported respondents to the study's quota margins, with its report.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/report/export_model.hpp"
#include "core/report/raking.hpp"
#include "store/export_repo.hpp"

namespace cati::tool {

struct export_source {
  std::shared_ptr<const core::questionnaire> study;
  store::export_snapshot snapshot;
};

// Opens the existing fieldwork `db` (never creates one) and reads everything in one read transaction.
// The study is loaded from `study_dir` when given (and must be the fieldwork's study), else from the
// questionnaire text stored in the fieldwork. Throws std::runtime_error saying what is wrong.
export_source read_export_source(const std::string& db, const std::optional<std::string>& study_dir,
                                 const store::export_request& request);

struct weighting_run {
  std::vector<std::string> margins;  // quota names
  core::rake_result result;
  // Per margin, per category (in the margin's order): the target share, the weighted share achieved and
  // how many respondents it has.
  struct category {
    std::string name;
    double target = 0, achieved = 0;
    int respondents = 0;
  };
  std::vector<std::vector<category>> categories;
};

// A cell with fewer respondents than this gets a warning: its weight rests on too few interviews.
inline constexpr int min_cell_respondents = 5;

// Rakes `respondents` to the study's quota margins and stores each weight in it. Throws
// std::runtime_error when they cannot be weighted (a respondent in no cell, a cell without respondents).
weighting_run rake_respondents(const core::questionnaire& study, std::vector<core::export_respondent>& respondents,
                               std::optional<double> cap);

// "weights: raked to region, sector: converged in 5 passes (largest gap 2.1e-09); 225 respondents, weights
// 0.71-1.52, design effect 1.034, effective n 217.6, margin of error +-6.6 points at 50 %".
void print_weighting(std::ostream& out, const weighting_run& run, std::optional<double> cap);

// What the weight's documentation says (codebook, .sav documents): margins, each category's target and
// achieved share and respondents, passes, convergence, cap, design effect, effective n.
std::vector<std::string> weighting_notes(const weighting_run& run, std::optional<double> cap);
// What a user must be told: cells under min_cell_respondents, weights at the cap, no convergence.
std::vector<std::string> weighting_warnings(const weighting_run& run, std::optional<double> cap);

}  // namespace cati::tool
