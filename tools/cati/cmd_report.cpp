// `cati report --db F [--study schema/<study>] [--at MOMENT] [--e VALUE] [--by overall,region,day,interviewer]
//  [--quota-filled not-eligible|eligible] [--dead-number unknown|not-eligible]`:
// the AAPOR disposition table and rates (RR1-RR6, COOP1-COOP4, REF1-REF3, CON1-CON3) of a fieldwork,
// overall and per breakdown, as of a moment (default: now). Everything is recomputed from the call
// history up to that moment, so a past --at shows what the report would have said then.
//
// Per breakdown: a table of cases per AAPOR code (overall every code, zeros included, as AAPOR's tables
// list them; per group only the codes that occur, to keep it short), the AAPOR groups (I, P, R, NC, O,
// UH, UO, NE; 4.80 and the dead-number codes in the group the eligibility options put them) and the total; then a table of e and the rates, "n/a" where a denominator is zero.
// With --weights: the raking weights of the completed interviews to the quota margins (as `cati export
// --weights rake` computes them), with the design effect, effective sample size and margin of error.
// Without --study, the questionnaire the file last ran (it keeps every version's text) is the study.
// Exit 0 printed, 1 refused (missing db, a db of another study, a bad --at, --by or study); bad options
// (an --e outside 0..1) get CLI11's usage message and exit code.
#include <iostream>
#include <memory>
#include <optional>
#include <utility>

#include "commands.hpp"
#include "core/report/report_breakdown.hpp"
#include "export_read.hpp"
#include "fieldwork_read.hpp"
#include "table.hpp"

namespace cati::tool {
namespace {

struct report_options {
  std::string db;
  std::string study;
  std::optional<std::string> at;
  std::optional<double> e;
  std::vector<std::string> by = {"overall", "region", "day", "interviewer"};
  bool weights = false;
  std::string quota_filled = "not-eligible";
  std::string dead_number = "unknown";
};

// The columns a breakdown shows, with their headers: overall has one ("all"); a breakdown has one per
// group ("(none)" for cases with no value: never attempted, or no frame value) and the total.
std::vector<std::pair<std::string, const core::disposition_column*>> shown_columns(const core::disposition_report& r) {
  if (r.breakdown == "overall") return {{"all", &r.total}};
  std::vector<std::pair<std::string, const core::disposition_column*>> out;
  for (const auto& c : r.columns) out.emplace_back(c.group.empty() ? "(none)" : c.group, &c);
  out.emplace_back("total", &r.total);
  return out;
}

std::string title(const std::string& what, const core::disposition_report& r) {
  return r.breakdown == "overall" ? what + ", overall" : what + " by " + r.breakdown;
}

void print_dispositions(std::ostream& out, const core::disposition_report& r) {
  const auto shown = shown_columns(r);
  std::vector<column> columns = {{"code"}, {"group"}, {"description"}};
  for (const auto& [header, c] : shown) columns.push_back({header, align::right});
  text_table table(std::move(columns));

  auto add = [&](std::string code, std::string group, std::string description, auto count_of) {
    std::vector<std::string> cells = {std::move(code), std::move(group), std::move(description)};
    for (const auto& [header, c] : shown) cells.push_back(std::to_string(count_of(c->counts)));
    table.add_row(std::move(cells));
  };
  for (const auto& row : core::disposition_table(r.total.counts)) {
    if (r.breakdown != "overall" && row.count == 0) continue;
    add(std::string(row.text), std::string(core::group_text(row.group)), std::string(row.description),
        [&](const core::disposition_counts& n) { return n[row.code]; });
  }
  table.add_rule();
  for (int g = 0; g < core::aapor_group_count; ++g) {
    const auto group = static_cast<core::aapor_group>(g);
    add("", std::string(core::group_text(group)), std::string(core::group_description(group)),
        [&](const core::disposition_counts& n) { return n.group(group); });
  }
  table.add_rule();
  add("", "", "cases", [](const core::disposition_counts& n) { return n.total(); });

  out << title("Dispositions", r) << "\n";
  table.print(out);
}

void print_rates(std::ostream& out, const core::disposition_report& r) {
  const auto shown = shown_columns(r);
  std::vector<column> columns = {{"rate"}};
  for (const auto& [header, c] : shown) columns.push_back({header, align::right});
  text_table table(std::move(columns));

  auto add = [&](std::string_view name, auto rate_of) {
    std::vector<std::string> cells = {std::string(name)};
    for (const auto& [header, c] : shown) cells.push_back(core::format_rate(rate_of(c->rates)));
    table.add_row(std::move(cells));
  };
  add("e", [](const core::aapor_rates& x) { return x.e; });
  table.add_rule();
  for (const auto& field : core::rate_fields())
    add(field.name, [&](const core::aapor_rates& x) { return x.*field.field; });

  out << title("Rates", r) << "\n";
  table.print(out);
}

int run_report(const report_options& o) {
  auto ctx = study_of(o.study, o.db);
  const auto at = moment_or_now(o.at, ctx.cal, "--at");
  std::vector<core::breakdown> breakdowns;
  for (const auto& name : o.by) {
    auto b = core::make_breakdown(name, *ctx.study, ctx.cal);
    if (!b) throw std::runtime_error("--by: " + b.err().message);
    breakdowns.push_back(std::move(b).value());
  }
  core::eligibility_rules rules;
  rules.quota_filled = core::quota_filled_rule_from(o.quota_filled).value();  // CLI11 checked the spelling
  rules.dead_number = core::dead_number_rule_from(o.dead_number).value();
  const auto fieldwork = read_fieldwork(o.db, *ctx.study);

  std::cout << "Fieldwork report: " << ctx.study->id << " (questionnaire " << fieldwork.study_version << "), "
            << fieldwork.cases.size() << " cases, as of " << local_time_text(ctx.cal, at);
  if (o.at) std::cout << " (--at " << *o.at << ")";
  std::cout << "\n";
  if (o.e) {
    std::cout << "e = " << core::format_rate(*o.e) << " (given with --e)\n";
  } else {
    std::cout << "e estimated per column as AAPOR's calculator does: (I+P+R+NC+O) / (I+P+R+NC+O+NE)\n";
  }
  std::cout << "quota filled (4.80) counted as " << core::to_string(rules.quota_filled)
            << "; a firm whose every number is dead (4.10, 4.20, 4.30) as " << core::to_string(rules.dead_number)
            << " eligibility (--quota-filled, --dead-number; docs/dispositions.md)\n";
  for (const auto& b : breakdowns) {
    const auto report = core::tabulate_report(fieldwork.cases, at, b, o.e, rules);
    std::cout << "\n";
    print_dispositions(std::cout, report);
    std::cout << "\n";
    print_rates(std::cout, report);
  }
  if (o.weights) {
    auto source = read_export_source(o.db, o.study, {});
    auto respondents = core::select_respondents(std::move(source.snapshot.interviews), false);
    std::cout << "\nWeights of the " << respondents.size() << " completed interviews\n";
    print_weighting(std::cout, rake_respondents(*ctx.study, respondents, std::nullopt), std::nullopt);
  }
  return 0;
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<report_options>();
  auto* cmd = app.add_subcommand("report", "AAPOR dispositions and rates, overall and per region, day, interviewer");
  cmd->add_option("--db", o->db, "the fieldwork file")->required();
  cmd->add_option("--study", o->study, "the study folder (schema/<study>); default the one the file last ran");
  auto* at = cmd->add_option("--at", "as of this moment: 2025-10-20 (end of that day), 2025-10-20T17:30 (study "
                                      "time zone) or 2025-10-20T17:30:00+02:00; default now");
  auto* e = cmd->add_option("--e", "share of unknown-eligibility cases assumed eligible (default: estimated)")
                ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--by", o->by, "breakdowns, in order: overall, day, interviewer or a frame variable (region)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--quota-filled", o->quota_filled,
                  "4.80 quota filled: not-eligible (AAPOR's table) or eligible (the firm passed the screener)")
      ->check(CLI::IsMember({"not-eligible", "eligible"}))
      ->capture_default_str();
  cmd->add_option("--dead-number", o->dead_number,
                  "a firm whose every number is dead: unknown eligibility (the firm is the unit) or not-eligible")
      ->check(CLI::IsMember({"unknown", "not-eligible"}))
      ->capture_default_str();
  cmd->add_flag("--weights", o->weights, "also rake the completes to the quota margins: design effect, n_eff, margin of error");
  cmd->callback(reporting_errors("report", exit_code, [o, at, e] {
    if (at->count() > 0) o->at = at->as<std::string>();
    if (e->count() > 0) o->e = e->as<double>();
    return run_report(*o);
  }));
}

}  // namespace cati::tool
