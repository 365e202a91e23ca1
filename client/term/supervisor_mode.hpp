// cati-term --supervisor: the quota grid and the fieldwork's counts in the terminal, refreshed on every
// Status the server pushes (WatchStatus). Plain text: a terminal gets the screen cleared and redrawn, a
// pipe or file gets one block per Status (so a test or a log can read it). Runs until SIGINT or SIGTERM
// (exit 0); a refused login or a user without the supervisor role ends it with exit 1. After a dropped
// connection the session reconnects on its own and watching resumes.
#pragma once

#include <string>

#include "cati/v1/wire.pb.h"
#include "term/term_options.hpp"

namespace cati::term {

int run_supervisor_mode(const term_options& options);

// One Status as text: totals and the plan, every quota cell (target, completes, in progress, left, a
// bar, open/closed, reachable, sample left), rates and dispositions per group, interviewers.
std::string format_status(const cati::v1::Status& status);

}  // namespace cati::term
