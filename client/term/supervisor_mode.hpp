// cati-term --supervisor: the quota grid and the fieldwork's counts in the terminal, refreshed on every
// Status the server pushes (WatchStatus). Plain text that fits the terminal's width: a terminal gets it
// redrawn in place on its alternate screen, a pipe or file gets one block per Status, 80 columns wide
// (so a test or a log can read it). Runs until SIGINT or SIGTERM
// (exit 0); a refused login or a user without the supervisor role ends it with exit 1. After a dropped
// connection the session reconnects on its own and watching resumes.
#pragma once

#include <cstddef>
#include <string>

#include "cati/v1/wire.pb.h"
#include "term/term_options.hpp"

namespace cati::term {

int run_supervisor_mode(const term_options& options);

// One Status as text no wider than `width`: totals, the plan and warnings, every quota cell (target,
// completes, in progress, left, a bar when there is room, CLOSED or its reach in `cati quota`'s words,
// sample left), rates over released and worked cases and dispositions with their meaning per group,
// interviewers.
std::string format_status(const cati::v1::Status& status, std::size_t width = 80);

}  // namespace cati::term
