#include "sim/sim_report.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/ports/clock_spec.hpp"
#include "core/report/raking.hpp"
#include "core/report/report_breakdown.hpp"
#include "fieldwork_read.hpp"
#include "sample_release.hpp"
#include "sim/figures.hpp"
#include "sim/firm_model.hpp"
#include "sim/respondent_model.hpp"
#include "sim/results_read.hpp"

namespace cati::tool::sim {
namespace {

namespace fs = std::filesystem;

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string percent(double share) { return fixed(100.0 * share, 1); }

std::string local_text(const core::calendar& cal, core::time_point t) {
  const auto day = core::format_date(cal.local_date(t));
  const auto midnight = cal.to_utc(cal.local_date(t), 0);
  const auto minute = std::chrono::duration_cast<std::chrono::minutes>(t - midnight).count();
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(minute / 60), static_cast<int>(minute % 60));
  return day + " " + buf;
}

// Runs this program's own subcommand (the same code `cati report` etc. run) with stdout and stderr into
// `to`. Returns its exit code.
int run_self(const std::string& args, const fs::path& to) {
  const fs::path self = fs::read_symlink("/proc/self/exe");
  const std::string line = "'" + self.string() + "' " + args + " >'" + to.string() + "' 2>&1";
  const int status = std::system(line.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

// The respondent's value of a quota's variables (frame value or answer), joined as the cell values are.
std::string cell_of(const core::quota& q, const respondent& r) {
  std::string out;
  for (const auto& v : q.variables) {
    auto f = r.frame.find(v);
    auto a = r.answers.find(v);
    out += (out.empty() ? "" : ",") + (f != r.frame.end() ? f->second : a != r.answers.end() ? a->second : "");
  }
  return out;
}

void write_quotas(std::ostream& md, const fieldwork_results& res, std::vector<std::string>& unfilled) {
  md << "| quota | cell | target | completes | left |\n|---|---|---:|---:|---:|\n";
  for (const auto& q : res.quotas) {
    md << "| " << q.quota << " | " << q.cell << " | " << q.target << " | " << q.completes << " | "
       << q.target - q.completes << " |\n";
    if (q.completes < q.target)
      unfilled.push_back(q.quota + " " + q.cell + " (" + std::to_string(q.completes) + " of " + std::to_string(q.target) + ")");
  }
}

void write_days(std::ostream& md, const report_context& ctx, const fieldwork_results& res) {
  md << "| day | date | completes | cumulative |\n|---:|---|---:|---:|\n";
  int cumulative = 0;
  for (std::size_t d = 0; d < ctx.day_starts.size(); ++d) {
    const auto date = core::format_date(ctx.cal->local_date(ctx.day_starts[d]));
    auto it = res.completes_by_day.find(date);
    const int n = it == res.completes_by_day.end() ? 0 : it->second;
    cumulative += n;
    md << "| " << d + 1 << " | " << date << " | " << n << " | " << cumulative << " |\n";
  }
}

void write_rates(std::ostream& md, const report_context& ctx, core::time_point at) {
  const auto fieldwork = read_fieldwork(ctx.db.string(), *ctx.study);
  auto by = core::make_breakdown("overall", *ctx.study, *ctx.cal);
  if (!by) throw std::runtime_error("report: " + by.err().message);
  const auto report = core::tabulate_report(fieldwork.cases, at, *by);
  const auto& n = report.total.counts;
  md << "| code | group | description | cases |\n|---|---|---|---:|\n";
  for (const auto& row : core::disposition_table(n)) {
    if (row.count == 0) continue;
    md << "| " << row.text << " | " << core::group_text(row.group) << " | " << row.description << " | " << row.count
       << " |\n";
  }
  md << "\n| group | description | cases |\n|---|---|---:|\n";
  for (int g = 0; g < core::aapor_group_count; ++g) {
    const auto group = static_cast<core::aapor_group>(g);
    md << "| " << core::group_text(group) << " | " << core::group_description(group) << " | " << n.group(group) << " |\n";
  }
  md << "| | cases in the frame | " << n.total() << " |\n\n";
  md << "| rate | value |\n|---|---:|\n| e (estimated) | " << core::format_rate(report.total.rates.e) << " |\n";
  for (const auto& f : core::rate_fields())
    md << "| " << f.name << " | " << core::format_rate(report.total.rates.*f.field) << " |\n";
}

// How the sample went out, and what that did to the rates: the manager's releases, then per replicate its
// cases, calls and rates, and the released sample's rates beside what they would read had the firms never
// released been counted as released and never called (AAPOR counts released sample only).
void write_release(std::ostream& md, const report_context& ctx, const sim_world& world, core::time_point at) {
  const auto progress = replicate_progress_of(ctx.db, *ctx.study);
  const bool split = std::any_of(progress.begin(), progress.end(), [](const auto& r) { return r.replicate > 0; });
  if (!split) {
    md << "The whole frame was callable from the first minute (`--release all`, or a --server fieldwork never "
          "split): every firm counts in the rates above. `--release replicates` (the default) has a fieldwork "
          "manager release it in replicates.\n";
    return;
  }
  if (world.release_mode != "replicates") {
    md << "The sample was split and released in replicates outside the simulation (`cati sample release` on the "
          "--server fieldwork).\n";
  } else {
    md << "The frame was split into " << world.replicate_count << " replicates at random, stratified by the quotas' "
       << "frame variables (`cati sample release --replicates`). The simulated fieldwork manager releases replicates "
          "before the first call and each evening, only while what is in the field cannot reach the target "
          "(`sim/release_manager.hpp`); a release is taken up by restarting the server overnight.\n\n";
    md << "| released | replicates | what the manager saw |\n|---|---|---|\n";
    for (const auto& r : world.releases) {
      std::string which;
      for (int k : r.replicates) which += (which.empty() ? "" : ", ") + std::to_string(k);
      md << "| " << local_text(*ctx.cal, r.at) << " | " << which << " | " << r.why << " |\n";
    }
  }
  const auto fieldwork = read_fieldwork(ctx.db.string(), *ctx.study);  // released cases only
  auto by = core::make_breakdown("overall", *ctx.study, *ctx.cal);
  if (!by) throw std::runtime_error("report: " + by.err().message);
  md << "\n| replicate | cases | released | called | worked out | left | attempts per case | at most 2 attempts | "
        "completes | e | RR3 | CON1 |\n|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  int unreleased = 0;
  for (const auto& r : progress) {
    if (!r.released) {
      unreleased += r.cases;
      md << "| " << r.replicate << " | " << r.cases << " | no | - | - | " << r.callable << " | - | - | - | - | - | - |\n";
      continue;
    }
    std::vector<core::case_record> mine;
    int few = 0;
    for (const auto& c : fieldwork.cases)
      if (c.replicate == r.replicate) {
        mine.push_back(c);
        few += c.calls.size() <= 2 ? 1 : 0;
      }
    const auto rep = core::tabulate_report(mine, at, *by);
    md << "| " << r.replicate << " | " << r.cases << " | " << (r.released_at ? local_text(*ctx.cal, *r.released_at) : "as imported")
       << " | " << r.called << " | " << r.worked_out << " | " << r.callable << " | "
       << (r.cases > 0 ? fixed(static_cast<double>(r.attempts) / r.cases, 2) : "-") << " | " << few << " | " << r.completes
       << " | " << core::format_rate(rep.total.rates.e) << " | " << core::format_rate(rep.total.rates.rr3) << " | "
       << core::format_rate(rep.total.rates.con1) << " |\n";
  }
  const auto released = core::tabulate_report(fieldwork.cases, at, *by).total;
  auto all = released.counts;
  all.add(core::aapor_code::never_attempted, unreleased);
  const auto as_if = core::compute_rates(all);
  md << "\nOver the released sample (" << released.counts.total() << " firms), RR3 is "
     << core::format_rate(released.rates.rr3) << " and CON1 " << core::format_rate(released.rates.con1) << ". Had the "
     << unreleased << " firms never released been counted as released and never called, as when the whole frame "
        "goes out at once and calling stops when the quotas fill, RR3 would read "
     << core::format_rate(as_if.rr3) << " and CON1 " << core::format_rate(as_if.con1) << ".\n";
}

void write_interviewers(std::ostream& md, const fieldwork_results& res, const sim_world& world) {
  md << "| interviewer | shifts | hours logged in | calls | calls/hour | completes | completes/hour | "
        "mean interview (min) | connection cuts |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  // The simulated interviewers only (a --server fieldwork may have others), matched by name.
  for (std::size_t i = 0; i < world.tallies.size(); ++i) {
    const auto& t = world.tallies[i];
    interviewer_row r{t.name};
    for (const auto& x : res.interviewers)
      if (x.name == t.name) r = x;
    const double hours = t.minutes_logged_in / 60.0;
    md << "| " << r.name << " | " << t.shifts << " | " << fixed(hours, 1) << " | " << r.calls << " | "
       << (hours > 0 ? fixed(r.calls / hours, 1) : "-") << " | " << r.completes << " | "
       << (hours > 0 ? fixed(r.completes / hours, 2) : "-") << " | "
       << (r.completes > 0 ? fixed(r.complete_minutes / r.completes, 1) : "-") << " | " << t.cuts << " |\n";
  }
}

// Answers the simulation saw acknowledged against the rows in the answers table, per interview.
void check_answers(const fieldwork_results& res, const sim_world& world, int& sent, int& stored, int& lost,
                   int& doubled) {
  for (const auto& [id, iv] : world.sent) {
    sent += static_cast<int>(iv.answers.size());
    auto it = res.rows.find(id);
    const std::vector<std::string> none;
    const auto& rows = it == res.rows.end() ? none : it->second;
    stored += static_cast<int>(rows.size());
    // Each answer sent is one row, in order; a missing one is lost, an extra one doubled.
    std::size_t k = 0;
    for (const auto& [q, v] : iv.answers) {
      if (k < rows.size() && rows[k] == q + "=" + v) {
        ++k;
      } else {
        ++lost;
      }
    }
    doubled += static_cast<int>(rows.size() - k);
  }
}

}  // namespace

report_summary write_report(const report_context& ctx, const sim_world& world) {
  const auto& study = *ctx.study;
  const auto& cal = *ctx.cal;
  const auto res = read_results(ctx.db, cal);
  report_summary summary;

  std::ostringstream md;
  const auto first = ctx.day_starts.empty() ? world.end : ctx.day_starts.front();
  md << "# Simulated fieldwork: " << study.id << " (questionnaire " << study.version << ")\n\n";
  md << "`cati sim`, seed " << world.seed << ": " << ctx.interviewers << " interviewers, a frame of " << ctx.frame_size
     << " firms, " << ctx.day_starts.size() << " fieldwork days from " << local_text(cal, first) << " to "
     << local_text(cal, world.end) << " (" << cal.time_zone_name() << "), on the server's manual clock.\n\n";

  md << "## Outcome\n\n";
  std::ostringstream quota_table;
  std::vector<std::string> unfilled;
  write_quotas(quota_table, res, unfilled);
  bool over = false;
  for (const auto& q : res.quotas) over = over || q.completes > q.target;
  summary.quotas_met = unfilled.empty() && !over;
  summary.over = over;
  if (world.filled_at) {
    const auto day = cal.local_date(*world.filled_at);
    std::size_t index = 0;
    while (index + 1 < ctx.day_starts.size() && cal.local_date(ctx.day_starts[index + 1]) <= day) ++index;
    md << "Every quota target was met on day " << index + 1 << " of " << ctx.day_starts.size() << ", "
       << local_text(cal, *world.filled_at) << ": " << world.completes << " completes.\n";
  } else {
    md << "The quotas did not fill: " << world.completes << " completes of " << world.total_target
       << ". Cells short of their target: ";
    for (std::size_t i = 0; i < unfilled.size(); ++i) md << (i ? "; " : "") << unfilled[i];
    md << ". More interviewers (--interviewers) or a larger frame (--frame-size) would be needed.\n";
  }
  md << (over ? "\n**A cell went over its target.**\n" : "\nNo cell went over its target.\n");
  md << "\n## Quotas\n\n" << quota_table.str();
  md << "\n## Completes per day\n\n";
  write_days(md, ctx, res);

  md << "\n## Dispositions and AAPOR rates\n\nAs of the end of the simulation, from the call log (AAPOR "
        "Standard Definitions, telephone, business variant). The full tables by region, day and interviewer are "
        "in `dispositions.txt` (`cati report`), the quota table with reachability in `quota.txt` (`cati quota`).\n\n";
  write_rates(md, ctx, world.end);

  md << "\n## Sample release\n\n";
  write_release(md, ctx, world, world.end);

  md << "\n## Interviewers\n\n";
  write_interviewers(md, res, world);

  int sent = 0, stored = 0;
  check_answers(res, world, sent, stored, summary.lost, summary.doubled);
  int cuts = 0;
  for (const auto& t : world.tallies) cuts += t.cuts;
  md << "\n## Answers through lost connections\n\n"
     << "The network of an interviewer was cut " << cuts << " times, each time right after an answer went out; the "
     << "terminal's journal resent what was not acknowledged. Answers sent and acknowledged: " << sent
     << "; rows in the answers table: " << stored << "; lost: " << summary.lost << "; doubled: " << summary.doubled
     << ".\n";

  // Weights: raking to the quota targets, each quota a margin.
  std::vector<core::rake_margin> margins;
  for (const auto& q : study.quotas) {
    core::rake_margin m{q.name, {}, {}};
    for (const auto& c : q.cells) {
      std::string v;
      for (const auto& x : c.values) v += (v.empty() ? "" : ",") + x;
      m.categories.push_back(v);
      m.targets.push_back(c.target);
    }
    margins.push_back(std::move(m));
  }
  std::vector<std::vector<std::string>> membership;
  for (const auto& r : res.completes) {
    auto& row = membership.emplace_back();
    for (const auto& q : study.quotas) row.push_back(cell_of(q, r));
  }
  std::vector<double> weights(res.completes.size(), 1.0);
  md << "\n## Published figures beside the simulation\n\n";
  auto raked = core::rake(membership, margins);
  if (raked) {
    weights = raked->weights;
    const auto s = core::summarise_weights(weights);
    md << "Weighted estimates: raking (`core/raking`) to the quota targets of ";
    for (std::size_t i = 0; i < margins.size(); ++i) md << (i ? " and " : "") << margins[i].name;
    md << " (" << raked->passes << " passes, " << (raked->converged ? "converged" : "not converged")
       << "); weights " << fixed(s.min, 3) << " to " << fixed(s.max, 3) << ", design effect " << fixed(s.design_effect, 3)
       << ", effective n " << fixed(s.effective_n, 1) << " of " << s.n << ".\n";
  } else {
    md << "Unweighted estimates: the raking was refused (" << raked.err().message << ").\n";
  }
  // What the respondents' model expects for this very sample (its firms' size, sector and region, under
  // the same weights): each complete's facts drawn again 200 times. The chance that a published figure
  // lies in its interval follows from how far that expectation is from it (figures.hpp: chance_inside).
  std::vector<respondent> model;
  std::vector<double> model_weights;
  constexpr int redraws = 200;
  for (std::size_t i = 0; i < res.completes.size(); ++i) {
    const auto& r = res.completes[i];
    firm_facts facts;
    const auto number = [&](const char* q, int fallback) {
      auto it = r.answers.find(q);
      try {
        return it == r.answers.end() ? fallback : std::stoi(it->second);
      } catch (const std::exception&) {
        return fallback;
      }
    };
    facts.fte = number("s2_fte", 1);
    facts.sector = number("s3_sector", 1);
    if (auto it = r.frame.find("region"); it != r.frame.end()) facts.region = it->second;
    for (int k = 0; k < redraws; ++k) {
      respondent m{r.interview_id, r.frame, {}};
      for (auto& [q, v] : draw_answers(facts, world.seed ^ text_hash(std::to_string(r.interview_id) + "/" + std::to_string(k))))
        m.answers.emplace(q, v);
      model.push_back(std::move(m));
      model_weights.push_back(weights[i]);
    }
  }
  const auto expected = estimate_figures(model, model_weights);
  const std::vector<double> ones(res.completes.size(), 1.0);
  const auto unweighted = estimate_figures(res.completes, ones);

  md << "The interval is the 95 % Wilson interval of the weighted share at the Kish effective n of its base. "
        "The respondents answer from a model calibrated on the published figures, with AI use differing by "
        "sector and region as the simulation assumes (`sim/respondent_model.hpp`); \"model %\" is what that "
        "model expects for these very respondents (each one's size, sector and region drawn again "
        << redraws << " times), and \"chance inside\" the probability that the published figure falls in "
           "the interval given that expectation.\n\n";
  md << "| figure | what | base | published % | simulated % | unweighted % | 95 % interval | n | model % | chance "
        "inside | published inside |\n|---|---|---|---:|---:|---:|---|---:|---:|---:|---|\n";
  int inside = 0, with_number = 0;
  double expected_inside = 0, largest_shift = 0;
  std::string shifted;
  const auto estimates = estimate_figures(res.completes, weights);
  for (std::size_t i = 0; i < estimates.size(); ++i) {
    const auto& e = estimates[i];
    const bool in = e.published && e.n > 0 && *e.published >= e.low - 1e-12 && *e.published <= e.high + 1e-12;
    double chance = 0;
    if (e.published && e.n > 0) {
      ++with_number;
      inside += in ? 1 : 0;
      chance = chance_inside(*e.published, expected[i].estimate, e.effective_n);
      expected_inside += chance;
    }
    if (e.n > 0 && std::abs(e.estimate - unweighted[i].estimate) > largest_shift) {
      largest_shift = std::abs(e.estimate - unweighted[i].estimate);
      shifted = e.id + " (" + e.label + ", " + e.base + ")";
    }
    md << "| " << e.id << " | " << e.label << " | " << e.base << " | " << (e.published ? percent(*e.published) : "named")
       << " | " << (e.n > 0 ? percent(e.estimate) : "-") << " | " << (e.n > 0 ? percent(unweighted[i].estimate) : "-")
       << " | " << (e.n > 0 ? percent(e.low) + " - " + percent(e.high) : "-") << " | " << e.n << " | "
       << (e.n > 0 ? percent(expected[i].estimate) : "-") << " | "
       << (e.published && e.n > 0 ? fixed(chance, 2) : "-") << " | "
       << (e.published ? (in ? "yes" : "no") : "-") << " |\n";
  }
  md << "\n" << inside << " of " << with_number << " published figures lie inside the simulated 95 % interval; "
     << "the model's expectation for these respondents puts " << fixed(expected_inside, 1)
     << " inside on average (the sum of the chances).\n";
  md << "Raking moved the estimates by at most " << fixed(100 * largest_shift, 1) << " points"
     << (shifted.empty() ? std::string() : ": " + shifted) << " (weighted beside unweighted).\n";

  // The SPSS export, when this build has the export command (issue 7).
  md << "\n## Export\n\n";
  const fs::path sav = ctx.out / (study.id + ".sav");
  if (run_self("export --help", ctx.out / "export.log") != 0) {
    md << "No SPSS file: this build of `cati` has no `export` command yet.\n";
  } else {
    const int rc = run_self("export --db " + quoted(ctx.db) + " --study " + quoted(ctx.study_dir) +
                                " --format sav --weights rake --out " + quoted(sav),
                            ctx.out / "export.log");
    md << (rc == 0 ? "SPSS file with raking weights: `" + sav.filename().string() + "` (`cati export --format sav "
                                                                                   "--weights rake`).\n"
                   : "`cati export --format sav --weights rake` failed (exit " + std::to_string(rc) +
                         "): see export.log.\n");
  }

  std::ofstream(ctx.out / "report.md", std::ios::binary | std::ios::trunc) << md.str();
  // The full tables, from the same code as the commands.
  const std::string at = core::format_instant(world.end);
  run_self("report --db " + quoted(ctx.db) + " --study " + quoted(ctx.study_dir) + " --at " + at +
               " --by overall,region,day,interviewer",
           ctx.out / "dispositions.txt");
  run_self("quota --db " + quoted(ctx.db) + " --study " + quoted(ctx.study_dir) + " --at-now " + at,
           ctx.out / "quota.txt");
  return summary;
}

}  // namespace cati::tool::sim
