// `cati db copy --from SRC --to DST`: moves a fieldwork between databases (a SQLite file, a PostgreSQL
// URL; either way, or file to file) while no cati-server holds either (store/copy.hpp). Prints each
// table's rows on both sides and whether its digest matches, then a one-line summary. Exit 0 copied and
// verified; 1 refused (nothing changed) or not verified (the copy rolled back); bad options: CLI11's
// message and code (106 for a missing --from or --to).
#include <iomanip>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "fieldwork_read.hpp"
#include "store/copy.hpp"

namespace cati::tool {
namespace {

struct copy_options {
  std::string from, to;
};

int run_copy(const copy_options& o) {
  auto result = store::copy_fieldwork(o.from, o.to);
  std::cout << std::left << std::setw(20) << "table" << std::right << std::setw(10) << "rows" << std::setw(10)
            << "copied" << "  sha256 (first 16)  digest\n";
  std::size_t mismatches = 0;
  std::int64_t rows = 0;
  for (auto& t : result.tables) {
    rows += t.source.rows;
    if (!t.matches()) ++mismatches;
    std::cout << std::left << std::setw(20) << t.name << std::right << std::setw(10) << t.source.rows << std::setw(10)
              << t.copy.rows << "  " << t.source.sha256.substr(0, 16) << "    "
              << (t.matches() ? "match" : "MISMATCH (copy " + t.copy.sha256.substr(0, 16) + ")") << "\n";
  }
  if (!result.committed) {
    std::cerr << "cati db copy: " << mismatches << " of " << result.tables.size() << " tables differ from --from "
              << o.from << "; the copy was rolled back, --to " << o.to << " holds none of it\n";
    return 1;
  }
  std::cout << "copied " << o.from << " to " << o.to << ": " << result.tables.size() << " tables, " << rows
            << " rows, every row count and digest matches; the copy has no owner yet\n";
  return 0;
}

}  // namespace

void add_db_command(CLI::App& app, int& exit_code) {
  auto* db = app.add_subcommand("db", "whole-database operations: copy a fieldwork between SQLite and PostgreSQL");
  db->require_subcommand(1);
  auto o = std::make_shared<copy_options>();
  auto* copy = db->add_subcommand(
      "copy",
      "copy a whole fieldwork to a new SQLite file or an empty PostgreSQL database, no server running; "
      "checked by every table's row count and SHA-256 digest");
  copy->footer(
      "Examples:\n"
      "  cati db copy --from var/fieldwork.db --to 'postgresql://cati@db1/cati'\n"
      "  cati db copy --from 'postgresql://cati@db1/cati' --to var/back.db\n"
      "Refused, changing nothing: a running cati-server on either side, --to already holding a fieldwork,\n"
      "--from missing or at an older schema (start this cati's cati-server on it once to upgrade it).\n"
      "Exit 0 copied and verified; 1 refused, or a digest mismatch (the copy rolled back).");
  copy->add_option("--from", o->from, "the fieldwork to copy: a SQLite file or a PostgreSQL URL")->required();
  copy->add_option("--to", o->to, "where to: a new SQLite file or an empty PostgreSQL database (URL)")->required();
  copy->callback(reporting_errors("db copy", exit_code, [o] { return run_copy(*o); }));
}

}  // namespace cati::tool
