#include "term/script_mode.hpp"

#include <fstream>
#include <iostream>

#include "lib/script_runner.hpp"
#include "lib/session.hpp"

namespace cati::term {

int run_script_mode(const term_options& options) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (options.script && *options.script != "-") {
    file.open(*options.script);
    if (!file) {
      std::cerr << "cati-term: cannot read the script " << *options.script << "\n";
      return 1;
    }
    in = &file;
  }

  client::session_options so;
  so.url = options.server;
  so.journal_dir = options.journal_dir;
  so.ca_file = options.ca_file;
  so.insecure = options.insecure;
  // The user's journal is opened by the script's login: --user may be absent or name someone else.
  client::session session(std::move(so));
  session.start();

  client::script_options run;
  run.user = options.user;
  run.password = options.password.value_or("");
  run.reply_timeout = options.reply_timeout;
  const int code = client::run_script(session, *in, std::cout, run);
  session.stop();
  return code;
}

}  // namespace cati::term
