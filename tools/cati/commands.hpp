// The `cati` command line: each subcommand lives in its own cmd_*.cpp and registers itself here.
// A command's handler returns the process exit code; errors go to stderr with where and what.
#pragma once

#include <CLI/CLI.hpp>

namespace cati::tool {

// Each adds one subcommand (with its own subcommands) to `app`. The callback stores the exit code.
void add_lint_command(CLI::App& app, int& exit_code);
void add_try_command(CLI::App& app, int& exit_code);
void add_sample_command(CLI::App& app, int& exit_code);
void add_users_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);
void add_quota_command(CLI::App& app, int& exit_code);
void add_export_command(CLI::App& app, int& exit_code);
void add_sim_command(CLI::App& app, int& exit_code);
void add_db_command(CLI::App& app, int& exit_code);

}  // namespace cati::tool
