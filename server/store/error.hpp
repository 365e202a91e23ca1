// The store's errors: a kind to branch on (the wire layer maps it to a typed error) and a message that
// says what and where. Thrown by store functions; a writer job's error reaches its caller through its
// future or completion.
#pragma once

#include <stdexcept>
#include <string>

namespace cati::store {

enum class store_errc {
  not_found,        // no such case, user, interview, cell, ...
  conflict,         // the request contradicts what is stored (a name taken, a sequence number reused)
  sequence_gap,     // an answer's sequence number skips ahead of the interview's last one
  closed,           // the interview already ended
  invalid,          // a value the store cannot take (a negative target, an empty name, ...)
  schema_too_new,   // the file was written by a newer cati
  not_a_fieldwork,  // the file is some other SQLite database
  shut_down,        // the writer stopped before the job could run
  read_only,        // a write on a store opened read-only
  ownership_lost,   // another server took the fieldwork over: this process must not write any more
  held_elsewhere,   // a live cati-server holds the file (an upgrade of its schema is refused)
  sqlite,           // SQLite failed (I/O error, disk full, busy past the timeout, ...)
};

class store_error : public std::runtime_error {
 public:
  store_error(store_errc code, const std::string& message) : std::runtime_error(message), code_(code) {}
  store_errc code() const { return code_; }

 private:
  store_errc code_;
};

// Inside a catch block: rethrows the exception in flight, SQLite's own exceptions as store_error(sqlite)
// with SQLite's message, anything else unchanged.
[[noreturn]] void rethrow_as_store_error();

}  // namespace cati::store
