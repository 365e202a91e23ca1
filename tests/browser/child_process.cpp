#include "browser/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

namespace cati::browser_test {

child_process::child_process(std::vector<std::string> argv, bool merge_stderr, std::string stdin_text) {
  int out[2], in[2];
  if (::pipe(out) != 0 || ::pipe(in) != 0) throw std::runtime_error("pipe failed");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(out[1], 1);
    if (merge_stderr) ::dup2(out[1], 2);
    ::dup2(in[0], 0);
    ::close(out[0]);
    ::close(in[1]);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(in[0]);
  out_ = out[0];
  if (!stdin_text.empty()) {
    auto written = ::write(in[1], stdin_text.data(), stdin_text.size());
    (void)written;  // a child that exits at once shows up in its output and exit code
  }
  ::close(in[1]);
}

child_process::~child_process() {
  if (pid_ > 0) stop(SIGTERM);
  if (out_ >= 0) ::close(out_);
}

std::optional<std::string> child_process::wait_for_line(const std::function<bool(const std::string&)>& want,
                                                        std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (auto nl = pending_.find('\n'); nl != std::string::npos; nl = pending_.find('\n')) {
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      if (want(line)) return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || out_ < 0) return std::nullopt;
    pollfd p{out_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000))) <= 0) continue;
    char buf[4096];
    const auto n = ::read(out_, buf, sizeof buf);
    if (n <= 0) {
      ::close(out_);
      out_ = -1;
      if (!pending_.empty() && want(pending_)) return pending_;
      return std::nullopt;
    }
    pending_.append(buf, static_cast<std::size_t>(n));
    output_.append(buf, static_cast<std::size_t>(n));
  }
}

int child_process::stop(int sig) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, sig);
  int status = 0;
  // A process that ignores the signal gets SIGKILL after a generous grace period.
  for (int i = 0; i < 300; ++i) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return 128 + SIGKILL;
}

}  // namespace cati::browser_test
