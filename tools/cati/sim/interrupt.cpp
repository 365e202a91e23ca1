#include "sim/interrupt.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>

namespace cati::tool::sim {
namespace {

std::atomic<int> received{0};
static_assert(std::atomic<int>::is_always_lock_free);

constexpr int handled[] = {SIGINT, SIGTERM};
struct sigaction previous[std::size(handled)];
bool installed[std::size(handled)] = {};

extern "C" void on_signal(int sig) {
  int none = 0;
  received.compare_exchange_strong(none, sig);
}

}  // namespace

interrupt_guard::interrupt_guard() {
  for (std::size_t i = 0; i < std::size(handled); ++i) {
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;  // a second one: the default action, at once
    if (::sigaction(handled[i], nullptr, &previous[i]) != 0 || previous[i].sa_handler == SIG_IGN) continue;
    installed[i] = ::sigaction(handled[i], &action, nullptr) == 0;
  }
}

interrupt_guard::~interrupt_guard() {
  for (std::size_t i = 0; i < std::size(handled); ++i) {
    if (installed[i]) ::sigaction(handled[i], &previous[i], nullptr);
    installed[i] = false;
  }
  if (const int sig = received.load(); sig != 0) {
    const std::string line = std::string("cati sim: ") + ::strsignal(sig) + ": stopped\n";
    const auto written = ::write(STDERR_FILENO, line.data(), line.size());
    (void)written;
    ::signal(sig, SIG_DFL);
    ::raise(sig);
  }
}

int interrupt_signal() { return received.load(); }

void throw_if_interrupted() {
  if (const int sig = received.load(); sig != 0) throw interrupted(std::string("interrupted: ") + ::strsignal(sig));
}

}  // namespace cati::tool::sim
