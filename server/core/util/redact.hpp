// Passwords out of text that is about to be logged or shown: a PostgreSQL connection string given as
// --db may carry one (postgresql://user:PASSWORD@host/db, ...?password=PASSWORD, or a libpq key=value
// string with password=PASSWORD), and messages quote --db. Pure string work; reentrant.
#pragma once

#include <string>
#include <string_view>

namespace cati::core {

// `text` with the password of every postgresql:// or postgres:// URL in it (user:PASSWORD@) and the
// value of every password=... parameter (a URL's query, a key=value string; a quoted value whole) as
// "***". Text without either comes back unchanged.
std::string redact_passwords(std::string_view text);

}  // namespace cati::core
