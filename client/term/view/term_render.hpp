// Draws the term_model into a frame of the given size (80x24 and larger; smaller sizes are drawn as
// far as they go): the title bar, the case, interview or help screen, the feedback and key lines, the
// status bar. Pure: the same model, size and moment give the same frame.
#pragma once

#include <chrono>

#include "term/view/term_model.hpp"
#include "term/view/text_layout.hpp"

namespace cati::term {

frame render(const term_model& model, int width, int height, std::chrono::steady_clock::time_point here);

// The status bar text alone: "online", "offline, 3 answers waiting", ... (also in the window title).
std::string connection_text(const term_model& model);

}  // namespace cati::term
