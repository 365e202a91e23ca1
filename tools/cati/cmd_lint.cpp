// `cati lint schema/<study>`: every problem as file:line:col: message; exit 1 if any error.
#include <iostream>

#include "commands.hpp"
#include "schema/loader.hpp"

namespace cati::tool {

void add_lint_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("lint", "check a study's questionnaire and print every problem");
  auto study = std::make_shared<std::string>();
  cmd->add_option("study", *study, "the study folder (schema/<study>) or its questionnaire.textproto")
      ->required();
  cmd->callback([study, &exit_code] {
    auto report = schema::load_study(*study);
    int errors = 0, warnings = 0;
    for (const auto& d : report.diagnostics) {
      std::cout << d.to_string() << "\n";
      (d.warning ? warnings : errors)++;
    }
    if (!report.ok()) {
      std::cout << errors << " error(s), " << warnings << " warning(s)\n";
      exit_code = 1;
      return;
    }
    const auto& q = *report.study;
    std::size_t cells = 0;
    for (const auto& quota : q.quotas) cells += quota.cells.size();
    std::cout << "ok: " << q.id << " " << q.version << ": " << q.questions.size() << " questions, "
              << q.languages.size() << " languages, " << q.quotas.size() << " quotas (" << cells
              << " cells), target " << q.target_completes << ", " << warnings << " warning(s)\n";
  });
}

}  // namespace cati::tool
