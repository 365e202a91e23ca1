// cati-term's full-screen front end: asks for the password (no echo), logs in, then runs the ncurses
// loop: keys go to the view model, its actions to the session, the session's events back to the model,
// and the model is drawn after every change. Returns the process's exit code.
#pragma once

#include "term/term_options.hpp"

namespace cati::term {

int run_full_screen(const term_options& options);

}  // namespace cati::term
