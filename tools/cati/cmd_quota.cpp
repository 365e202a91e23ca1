// `cati quota --db F [--study schema/<study>] [--at-now MOMENT]` (the file keeps the questionnaire it
// last loaded, which serves when --study is not given): the quota table, one line per cell:
// target, completes, in progress (leases held), left (target - completes), open/closed, priority, whether
// the target can still be reached, and the sample left that could fall in the cell.
//
// The counts are the persisted quota state (what cati-server restores at start); the sample left is the
// cases plan_case says are not finished, grouped by the quotas' frame variables (core/report/report_sample.hpp),
// and completes per case is completes / finalised cases, both from the call histories. Shares of cells on
// answers (s3_sector) are estimated from every interview that reached the quota point (its answers).
// --at-now says what "now" is (default: the real clock), for a fieldwork replayed on a controlled clock:
// leases whose deadline has passed by then are not counted as in progress, as the server's next sweep
// would release them. It does not rewind the state: the quota state is kept only as it is now.
// When the sample is released in replicates, a second table: per replicate, released when, called, worked
// out (finalised), left to call and completes.
// Exit 0 printed, 1 refused (missing db, a db of another study, a bad --at-now or study); bad options get
// CLI11's usage message and exit code.
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include "commands.hpp"
#include "core/quota/quota_book.hpp"
#include "core/quota/quota_outlook.hpp"
#include "core/report/report_sample.hpp"
#include "fieldwork_read.hpp"
#include "sample_release.hpp"
#include "table.hpp"

namespace cati::tool {
namespace {

struct quota_options {
  std::string db;
  std::string study;
  std::optional<std::string> now;
};

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ",") + v;
  return out;
}

void print_quota_table(std::ostream& out, const core::quota_book& book, const core::quota_outlook& outlook) {
  text_table table({{"quota"}, {"cell"}, {"label"}, {"target", align::right}, {"completes", align::right},
                    {"in progress", align::right}, {"left", align::right}, {"state"}, {"priority", align::right},
                    {"reach"}, {"sample left", align::right}});
  std::size_t quota = 0;
  for (const auto& row : outlook.rows()) {
    const auto& cell = row.cell;
    if (cell.quota != quota) table.add_rule();  // quotas apart: each one's cells add up on their own
    quota = cell.quota;
    const bool target = cell.has_target();
    table.add_row({book.quotas()[cell.quota].name, joined(cell.id.values), cell.label,
                   target ? std::to_string(cell.target) : "-", std::to_string(cell.completes),
                   std::to_string(cell.in_progress), target ? std::to_string(row.left) : "-",
                   cell.closed ? "closed" : "open", fixed(row.priority, 2), std::string(core::to_string(row.reach)),
                   std::to_string(row.sample_left)});
  }
  table.print(out);
}

// Per replicate, when the sample is released in replicates (`cati sample release`): released when, and of
// its cases how many were called, worked out (finalised) and are left to call.
void print_replicates(std::ostream& out, const std::string& db, const core::questionnaire& study,
                      const core::calendar& cal) {
  const auto progress = replicate_progress_of(db, study);
  if (progress.empty() || (progress.size() == 1 && progress.front().replicate == 0)) return;
  text_table table({{"replicate", align::right}, {"cases", align::right}, {"released"}, {"called", align::right},
                    {"worked out", align::right}, {"left", align::right}, {"completes", align::right}});
  for (const auto& r : progress) {
    const bool in = r.released;
    table.add_row({std::to_string(r.replicate), std::to_string(r.cases),
                   r.replicate == 0 ? "as imported" : in ? local_time_text(cal, *r.released_at) : "no",
                   in ? std::to_string(r.called) : "-", in ? std::to_string(r.worked_out) : "-",
                   std::to_string(r.callable), in ? std::to_string(r.completes) : "-"});
  }
  out << "\nReplicates (released sample only is dialled and counted in the rates; left: still to call)\n";
  table.print(out);
}

int run_quota(const quota_options& o) {
  auto ctx = study_of(o.study, o.db);
  const auto now = moment_or_now(o.now, ctx.cal, "--at-now");
  const auto fieldwork = read_fieldwork(o.db, *ctx.study);

  auto built = core::quota_book::build(*ctx.study);
  if (!built) throw std::runtime_error(ctx.study->id + ": quotas: " + built.err().message);
  auto book = core::quota_book::restore(std::move(built).value(), fieldwork.quotas);
  if (!book) throw std::runtime_error(o.db + ": quota state: " + book.err().message);
  // Only the picture changes: the events are not written back (the server's own sweep does that).
  book->expire(now);

  const auto sample =
      core::summarise_sample(fieldwork.cases, core::quota_frame_variables(*book), ctx.study->rules, ctx.cal);
  const core::quota_outlook outlook(*book,
                                    core::outlook_input_for(sample, core::count_arrivals(*book, fieldwork.quota_points)));

  std::cout << "Quotas: " << ctx.study->id << " (questionnaire " << fieldwork.study_version << "), now "
            << local_time_text(ctx.cal, now) << "\n";
  std::cout << "Sample: " << fieldwork.cases.size() << " cases, " << sample.callable << " still callable, "
            << sample.finalised << " finalised with " << sample.completes << " completes (completes per case "
            << (sample.finalised > 0 ? fixed(sample.completes_per_case(), 4) : std::string("unknown")) << ")\n";
  std::cout << "\n";
  print_quota_table(std::cout, *book, outlook);
  print_replicates(std::cout, o.db, *ctx.study, ctx.cal);
  return 0;
}

}  // namespace

void add_quota_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<quota_options>();
  auto* cmd = app.add_subcommand("quota", "the quota table: targets, completes, in progress, reachability");
  cmd->add_option("--db", o->db, "the fieldwork file")->required();
  cmd->add_option("--study", o->study, "the study folder (schema/<study>); default: the questionnaire kept in the file");
  auto* now = cmd->add_option("--at-now", "the current moment, for a replayed fieldwork (study time zone, as "
                                          "for report --at); default the real clock");
  cmd->callback(reporting_errors("quota", exit_code, [o, now] {
    if (now->count() > 0) o->now = now->as<std::string>();
    return run_quota(*o);
  }));
}

}  // namespace cati::tool
