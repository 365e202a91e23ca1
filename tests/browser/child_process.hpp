// A child process for the browser test: started with its arguments, its stdout (and stderr, when asked)
// read line by line from a pipe, stopped with SIGTERM (then SIGKILL) when the object goes. Waits are
// bounded by generous timeouts only: nothing here fails on how fast the machine is.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cati::browser_test {

class child_process {
 public:
  // argv[0] is the program's path. `stdin_text` is written to its stdin (then closed).
  explicit child_process(std::vector<std::string> argv, bool merge_stderr = false, std::string stdin_text = {});
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  // Reads lines until one satisfies `want` (returned), the process closes its stdout, or `timeout`.
  std::optional<std::string> wait_for_line(const std::function<bool(const std::string&)>& want,
                                           std::chrono::milliseconds timeout);
  // Everything read so far.
  const std::string& output() const { return output_; }
  // Sends `sig` and waits for the exit; the exit code (128 + signal when killed by one).
  int stop(int sig);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string pending_;
  std::string output_;
};

}  // namespace cati::browser_test
