// The simulator's cati-server: a fresh fieldwork file prepared in-process with the code the `cati sample
// import` and `cati users add` commands use, then the real server binary (build/server/cati-server,
// found beside this `cati` binary) as a child process on 127.0.0.1 port 0 with a manual clock.
//
// Thread-safety: none; the simulator's main thread only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "child/child_server.hpp"

namespace cati::tool::sim {

namespace fs = std::filesystem;

struct sim_account {
  std::string name;
  std::string password;
  std::vector<std::string> languages;
  bool supervisor = false;  // the clock driver's account: SetClock needs a login, and it must take no interviewer's session
};

// Creates `db` (which must not exist yet) holding the study and the first `frame_size` firms of the
// study's frame.csv (or, when it has fewer, a synthetic frame of that size from `cati sample generate`'s
// generator), and the interviewer accounts. Throws std::runtime_error saying what went wrong (a bad
// frame row is reported as file:line: reason, as `cati sample import` does).
void prepare_fieldwork(const fs::path& db, const fs::path& study_dir, int frame_size,
                       const std::vector<sim_account>& accounts);
// Adds the accounts that `db` lacks (a fieldwork the simulator did not create: --server).
void ensure_accounts(const fs::path& db, const std::vector<sim_account>& accounts);

// build/server/cati-server, located from /proc/self/exe (build/tools/cati). Throws when it is missing.
fs::path server_binary();

// cati-server for the simulation, over child::child_server (tools/child/child_server.hpp): it dies with
// this process (SIGTERM), whatever ends it.
class server_process {
 public:
  // Starts `binary` and waits (up to a minute) for its "listening on" line; its output goes to `log`.
  // Throws std::runtime_error with the log's tail when it does not come up.
  server_process(const fs::path& binary, const fs::path& study_dir, const fs::path& db, const std::string& clock,
                 const fs::path& log);
  ~server_process() = default;  // stops it as stop() does
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  std::uint16_t port() const { return child_.port(); }
  // Stops the server gracefully (SIGTERM, then SIGKILL after 30 s) and waits; returns its exit status (-1
  // when killed or not running).
  int stop();

 private:
  child::child_server child_;
};

}  // namespace cati::tool::sim
