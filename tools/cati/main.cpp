// cati: the researcher's command line (lint, try, sample, users, quota, report, export, sim, db).
#include <exception>
#include <iostream>

#include "commands.hpp"
#include "core/util/redact.hpp"

int main(int argc, char** argv) {
  CLI::App app{"cati: questionnaire, sample and fieldwork tools"};
  app.require_subcommand(1);
  int exit_code = 0;
  cati::tool::add_lint_command(app, exit_code);
  cati::tool::add_try_command(app, exit_code);
  cati::tool::add_sample_command(app, exit_code);
  cati::tool::add_users_command(app, exit_code);
  cati::tool::add_report_command(app, exit_code);
  cati::tool::add_quota_command(app, exit_code);
  cati::tool::add_export_command(app, exit_code);
  cati::tool::add_sim_command(app, exit_code);
  cati::tool::add_db_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "cati: " << cati::core::redact_passwords(e.what()) << "\n";
    return 2;
  }
  return exit_code;
}
