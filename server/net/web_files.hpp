// The supervisor page (server/net/web/: index.html at "/", supervisor.js, supervisor.css), built into the
// binary by a CMake step (server/net/web/embed.cmake), so that it works with nothing installed beside it
// and without internet access. main.cpp hands it to the server as its static files.
#pragma once

#include "net/static_files.hpp"

namespace cati::net {

static_files supervisor_page();

}  // namespace cati::net
