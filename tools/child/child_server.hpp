// A server program as a child process, for the tools and tests that need a real one (`cati sim`, the
// integration tests): started with fork()+exec, its stdout and stderr in a log file, and its port read
// from the line "listening on HOST:PORT" it prints once it accepts connections (cati-server, bench-echo).
//
// Contract:
// - The constructor starts argv[0] (a path: no PATH search) with argv, the environment of this process, an
//   empty signal mask, stdin inherited, and stdout+stderr to `log` (created or truncated). It returns
//   once a whole line beginning "listening on HOST:PORT" (PORT decimal, after the last ':') is in the log;
//   port() is that PORT.
//   It throws std::runtime_error, saying which and with the last lines of the log, when the program cannot
//   be started, ends (exits or is killed) before the constructor has seen that line, or does not say it
//   within `startup_timeout` (then it is stopped as stop() does first). The log is polled every 20 ms.
// - The child dies with its parent: it gets SIGTERM (PR_SET_PDEATHSIG) when the thread that constructed
//   this object ends, e.g. when the process is killed by a signal; it exits at once, before exec, if the
//   parent was already gone. Construct it on a thread that lives as long as the child should (the main one).
// - The destructor stops the child as stop() does, when it is still running.
// - Nothing here handles signals sent to this process: a caller that wants a graceful stop on SIGINT or
//   SIGTERM handles them itself (pid() is what to signal).
//
// Thread-safety: none; one thread uses an object. The object reaps its child (waitpid on its pid only).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cati::child {

// How a child ended.
struct child_exit {
  int code = -1;        // its exit code when it exited, else -1
  int signal = 0;       // the signal that ended it, 0 when it exited
  bool forced = false;  // stop() sent SIGKILL: it did not end within the grace period after SIGTERM

  bool exited() const { return signal == 0 && code >= 0; }
  std::string to_string() const;  // "exited with code 1", "killed by signal 9 (Killed)"
};

class child_server {
 public:
  child_server(std::vector<std::string> argv, std::filesystem::path log,
               std::chrono::milliseconds startup_timeout = std::chrono::minutes(1));
  ~child_server();
  child_server(const child_server&) = delete;
  child_server& operator=(const child_server&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }           // -1 once it has been reaped
  bool running() const { return pid_ > 0; }    // not reaped yet (it may have exited since)
  const std::filesystem::path& log_path() const { return log_; }
  std::string log() const;                     // the whole log ("" when unreadable)
  std::string log_tail(std::size_t lines = 40) const;

  // Sends SIGTERM, waits up to `grace` for it to end, then sends SIGKILL and waits. nullopt when it was
  // reaped already.
  std::optional<child_exit> stop(std::chrono::milliseconds grace = std::chrono::seconds(30));
  // Sends `sig` and waits for it to end (SIGKILL: no goodbye). nullopt when it was reaped already; blocks
  // for as long as the child takes to end on `sig`.
  std::optional<child_exit> kill(int sig);
  // Waits up to `timeout` for it to end by itself; nullopt when it did not (or was reaped already).
  std::optional<child_exit> wait_exit(std::chrono::milliseconds timeout);

 private:
  std::optional<child_exit> reap(bool block);  // waitpid; clears pid_ when it ended

  pid_t pid_ = -1;
  std::filesystem::path log_;
  std::uint16_t port_ = 0;
};

}  // namespace cati::child
