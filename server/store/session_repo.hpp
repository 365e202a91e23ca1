// Terminals' session tokens, by digest (the token itself is never stored): what lets a terminal resume
// its session after a server restart without its password. See core::session_opened.
#pragma once

#include <string>
#include <vector>

#include "core/ports/fieldwork_ports.hpp"

namespace cati::store::sql {
class connection;
}

namespace cati::store {

// Records a token of `user` (by name) and forgets the tokens that expired by `at`. Throws store_error
// (invalid) for an unknown user.
void open_session(sql::connection& db, const core::session_opened& s);
// Forgets a token (a logout). A digest that is not there changes nothing.
void close_session(sql::connection& db, const std::string& digest);
// Every recorded token with its user's name, expired ones included.
std::vector<core::fieldwork_source::saved_session> list_sessions(sql::connection& db);

}  // namespace cati::store
