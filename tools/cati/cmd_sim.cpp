// `cati sim --study schema/<study> --interviewers 12 --seed 7 --out var/sim/ [--server URL --db F]
// [--days N] [--frame-size N] [--release replicates|all] [--replicates N]`: replays the fieldwork with simulated interviewers against a real
// cati-server (tools/cati/sim/fieldwork_sim.hpp) and writes the report into --out.
// Exit 0: every quota met (or, with --days, the days asked for simulated), none over, no answer lost or
// doubled; 1: the report says what fell short, or
// the simulation could not run (the message says why); 2: bad options. SIGINT/SIGTERM: it stops its
// cati-server, then ends by that signal (sim/interrupt.hpp).
#include <memory>

#include "commands.hpp"
#include "fieldwork_read.hpp"
#include "sim/fieldwork_sim.hpp"

namespace cati::tool {

void add_sim_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<sim::sim_options>();
  auto* cmd = app.add_subcommand("sim", "replay the fieldwork with simulated interviewers against a real cati-server");
  cmd->add_option("--study", o->study, "the study folder (schema/<study>)")->capture_default_str();
  cmd->add_option("--interviewers", o->interviewers, "simulated interviewers")
      ->capture_default_str()
      ->check(CLI::Range(1, 200));
  cmd->add_option("--seed", o->seed, "random seed: the same seed gives the same report")->capture_default_str();
  cmd->add_option("--out", o->out, "output folder: fieldwork.db, report.md, ...")->capture_default_str();
  cmd->add_option("--server", o->server_url, "use this running server (ws://127.0.0.1:PORT, --clock manual:...)");
  cmd->add_option("--db", o->server_db, "with --server: that server's fieldwork file");
  auto* days = cmd->add_option("--days", "simulate only the first N fieldwork days")->check(CLI::Range(1, 366));
  cmd->add_option("--frame-size", o->frame_size, "firms in the sample frame")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--release", o->release,
                  "replicates: the manager releases the sample in replicates; all: the whole frame at once")
      ->capture_default_str()
      ->check(CLI::IsMember({"replicates", "all"}));
  cmd->add_option("--replicates", o->replicates, "with --release replicates: replicates in the frame")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->callback(reporting_errors("sim", exit_code, [o, days] {
    if (days->count() > 0) o->days = days->as<int>();
    return sim::run_simulation(*o);
  }));
}

}  // namespace cati::tool
