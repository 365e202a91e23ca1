#include "term/password_prompt.hpp"

#include <termios.h>
#include <unistd.h>

#include <iostream>

namespace cati::term {

namespace {

std::optional<std::string> read_line() {
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

std::optional<std::string> ask(const std::string& prompt) {
  std::cout << prompt << std::flush;
  return read_line();
}

std::optional<std::string> ask_hidden(const std::string& prompt) {
  termios before{};
  const bool tty = ::tcgetattr(STDIN_FILENO, &before) == 0;
  if (tty) {
    termios quiet = before;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::cout << prompt << std::flush;
  auto line = read_line();
  if (tty) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &before);
  std::cout << "\n";
  return line;
}

}  // namespace cati::term
