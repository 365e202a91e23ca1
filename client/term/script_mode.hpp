// cati-term without a screen: reads script actions from a file or stdin and prints every server reply in
// its stable text form (client/lib/script_runner.hpp has the rules). Returns the process's exit code.
#pragma once

#include "term/term_options.hpp"

namespace cati::term {

int run_script_mode(const term_options& options);

}  // namespace cati::term
