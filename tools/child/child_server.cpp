#include "child/child_server.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace cati::child {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return std::move(s).str();
}

// The port of the first whole line "listening on HOST:PORT[...]" in `text`, or 0.
std::uint16_t announced_port(const std::string& text) {
  static constexpr std::string_view marker = "listening on ";
  for (std::size_t begin = 0, end; (end = text.find('\n', begin)) != std::string::npos; begin = end + 1) {
    const std::string_view line(text.data() + begin, end - begin);
    if (!line.starts_with(marker)) continue;
    auto address = line.substr(marker.size());
    address = address.substr(0, address.find_first_of(" ,\t\r"));
    const auto colon = address.rfind(':');
    if (colon == std::string_view::npos || colon + 1 == address.size()) continue;
    unsigned port = 0;
    bool digits = true;
    for (char c : address.substr(colon + 1)) {
      if (c < '0' || c > '9' || port > 65535) {
        digits = false;
        break;
      }
      port = port * 10 + static_cast<unsigned>(c - '0');
    }
    if (digits && port > 0 && port <= 65535) return static_cast<std::uint16_t>(port);
  }
  return 0;
}

child_exit decode(int status) {
  child_exit e;
  if (WIFEXITED(status)) e.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
  return e;
}

}  // namespace

std::string child_exit::to_string() const {
  if (signal != 0) return "killed by signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
  if (code >= 0) return "exited with code " + std::to_string(code);
  return "ended (reaped elsewhere: status unknown)";
}

child_server::child_server(std::vector<std::string> argv, fs::path log, std::chrono::milliseconds startup_timeout)
    : log_(std::move(log)) {
  if (argv.empty()) throw std::invalid_argument("child_server: no program");
  const std::string name = fs::path(argv[0]).filename().string();
  if (::access(argv[0].c_str(), X_OK) != 0)
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(errno));

  // Everything the child needs is prepared here: between fork and exec only async-signal-safe calls.
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const std::string exec_failed = "cannot execute " + argv[0] + "\n";
  const int out = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) throw std::runtime_error("cannot write " + log_.string() + ": " + std::strerror(errno));
  sigset_t no_signals;
  sigemptyset(&no_signals);
  const pid_t parent = ::getpid();

  pid_ = ::fork();
  if (pid_ == 0) {
    // The parent's death (of the forking thread) sends SIGTERM; a parent gone already: do not start.
    if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || ::getppid() != parent) ::_exit(127);
    ::sigprocmask(SIG_SETMASK, &no_signals, nullptr);
    if (::dup2(out, STDOUT_FILENO) < 0 || ::dup2(out, STDERR_FILENO) < 0) ::_exit(127);
    ::execv(args[0], args.data());
    const auto written = ::write(STDERR_FILENO, exec_failed.data(), exec_failed.size());
    (void)written;
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::close(out);
  if (pid_ < 0) throw std::runtime_error("cannot start " + argv[0] + ": fork: " + std::strerror(fork_errno));

  const auto deadline = std::chrono::steady_clock::now() + startup_timeout;
  while (true) {
    if ((port_ = announced_port(read_text(log_))) != 0) return;
    if (auto ended = reap(false)) {
      throw std::runtime_error(name + " " + ended->to_string() + " before saying 'listening on'; the end of its log (" +
                               log_.string() + "):\n" + log_tail());
    }
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(20ms);
  }
  const auto ended = stop();
  throw std::runtime_error(name + " did not say 'listening on' within " +
                           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(startup_timeout).count()) +
                           " s (stopped: " + (ended ? ended->to_string() : "gone") + "); the end of its log (" +
                           log_.string() + "):\n" + log_tail());
}

child_server::~child_server() { stop(); }

std::string child_server::log() const { return read_text(log_); }

std::string child_server::log_tail(std::size_t lines) const {
  const std::string text = log();
  std::size_t begin = text.size();
  if (begin > 0 && text[begin - 1] == '\n') --begin;  // the last line's own newline
  for (std::size_t n = 0; n < lines && begin > 0; ++n) {
    const auto nl = text.rfind('\n', begin - 1);
    begin = nl == std::string::npos ? 0 : nl;
  }
  if (begin > 0) ++begin;  // past the newline before the first line kept
  return text.substr(begin);
}

std::optional<child_exit> child_server::reap(bool block) {
  if (pid_ <= 0) return std::nullopt;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return std::nullopt;  // still running
  pid_ = -1;
  if (r < 0) return child_exit{};  // ECHILD: reaped by someone else
  return decode(status);
}

std::optional<child_exit> child_server::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return std::nullopt;
  ::kill(pid_, SIGTERM);
  if (auto ended = wait_exit(grace)) return ended;
  if (pid_ <= 0) return std::nullopt;
  ::kill(pid_, SIGKILL);
  auto ended = reap(true);
  if (ended) ended->forced = true;
  return ended;
}

std::optional<child_exit> child_server::kill(int sig) {
  if (pid_ <= 0) return std::nullopt;
  ::kill(pid_, sig);
  return reap(true);
}

std::optional<child_exit> child_server::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (pid_ > 0) {
    if (auto ended = reap(false)) return ended;
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(10ms);
  }
  return std::nullopt;
}

}  // namespace cati::child
