// SIGINT and SIGTERM to `cati sim`: the simulation stops at the next step or wait (within about 0.1 s),
// its own cati-server is stopped gracefully (server_process), and then the process ends by the signal, as
// it would have without a handler. A second signal ends it at once (the server still gets SIGTERM: it dies
// with its parent, child::child_server).
//
// Thread-safety: the handler only stores the signal (a lock-free atomic); the rest is for the driver thread.
#pragma once

#include <stdexcept>

namespace cati::tool::sim {

// What throw_if_interrupted() throws: unwinding it stops the terminals and the server.
struct interrupted : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Handles SIGINT and SIGTERM (each one this process does not ignore) while it lives, once each.
// Construct it before the server and the terminals: its destructor runs after theirs, restores the
// previous handlers and, when a signal came, says so on stderr and re-raises it with the default action.
class interrupt_guard {
 public:
  interrupt_guard();
  ~interrupt_guard();
  interrupt_guard(const interrupt_guard&) = delete;
  interrupt_guard& operator=(const interrupt_guard&) = delete;
};

// The signal that came (SIGINT or SIGTERM), 0 when none did.
int interrupt_signal();
// Throws interrupted when a signal came.
void throw_if_interrupted();

}  // namespace cati::tool::sim
