// cati-term: the interviewer's terminal. `--script FILE`, or a stdin that is not a terminal, runs the
// scripted front end (tests, the simulator); a terminal gets the full-screen front end.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "lib/url.hpp"
#include "term/full_screen.hpp"
#include "term/script_mode.hpp"
#include "term/supervisor_mode.hpp"
#include "term/term_options.hpp"

namespace cati::term {

std::filesystem::path default_journal_dir() {
  const char* home = std::getenv("HOME");
  const std::filesystem::path base = home != nullptr && *home != '\0' ? home : ".";
  return base / ".cati-term" / "journal";
}

namespace {

// The first line of the file, without its line end: passwords never go on the command line.
std::optional<std::string> read_password(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

}  // namespace cati::term

int main(int argc, char** argv) {
  using namespace cati;
  term::term_options options;
  std::string password_file;
  std::string journal_dir;
  std::string script;
  long timeout_ms = 30000;

  CLI::App app{"cati-term: the interviewer's terminal for cati-server"};
  app.add_option("--server", options.server,
                 "ws://host:port or wss://host:port; several servers of one fieldwork comma-separated "
                 "(ws://a:8080,ws://b:8080): the active one is found by itself")
      ->required();
  app.add_option("--user", options.user, "the interviewer's user name");
  app.add_option("--password-file", password_file, "a file whose first line is the password")->check(CLI::ExistingFile);
  app.add_option("--journal-dir", journal_dir, "where unacknowledged answers are kept (default ~/.cati-term/journal)");
  app.add_option("--script", script, "run the actions in FILE ('-': stdin) instead of the full screen");
  app.add_option("--ca-file", options.ca_file, "wss: PEM file of the certificate authority to trust")->check(CLI::ExistingFile);
  app.add_flag("--insecure", options.insecure, "wss: do not verify the server's certificate");
  app.add_flag("--supervisor", options.supervisor, "show the quota grid and counts, refreshed live (supervisor role)");
  app.add_option("--timeout", timeout_ms, "script mode: milliseconds to wait for each reply")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  if (auto u = client::parse_url_list(options.server); !u) {
    std::cerr << "cati-term: " << u.error().message << "\n";
    return 1;
  }
  if (!password_file.empty()) {
    options.password = term::read_password(password_file);
    if (!options.password) {
      std::cerr << "cati-term: cannot read a password from " << password_file << "\n";
      return 1;
    }
  }
  options.journal_dir = journal_dir.empty() ? term::default_journal_dir() : std::filesystem::path(journal_dir);
  options.reply_timeout = std::chrono::milliseconds(timeout_ms);
  if (!script.empty()) options.script = script;

  try {
    if (options.supervisor) return term::run_supervisor_mode(options);
    if (options.script || ::isatty(STDIN_FILENO) == 0) return term::run_script_mode(options);
    return term::run_full_screen(options);
  } catch (const std::exception& e) {
    std::cerr << "cati-term: " << e.what() << "\n";
    return 1;
  }
}
