// Files served as they are over plain HTTP (the supervisor page, its script and style), given at
// construction. Immutable after the server starts, so sessions read it without locks.
// This header is free of Asio and Beast.
#pragma once

#include <map>
#include <string>

namespace cati::net {

struct static_file {
  std::string content_type;  // "text/html; charset=utf-8"
  std::string body;
};

// Request path (without the query string) -> file: {"/", ...}, {"/supervisor.js", ...}.
using static_files = std::map<std::string, static_file, std::less<>>;

}  // namespace cati::net
