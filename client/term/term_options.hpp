// cati-term's command line, shared by its front ends (script mode now, full screen next).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace cati::term {

struct term_options {
  std::string server;                      // ws://host:port or wss://host:port, or several comma-separated
  std::string user;
  std::optional<std::string> password;     // from --password-file
  std::filesystem::path journal_dir;       // default ~/.cati-term/journal
  std::optional<std::string> script;       // --script FILE ("-" for stdin)
  std::string ca_file;
  bool insecure = false;
  bool supervisor = false;                 // --supervisor: the quota grid, live (supervisor_mode.hpp)
  std::chrono::milliseconds reply_timeout{30000};
};

// ~/.cati-term/journal ($HOME, else the current directory).
std::filesystem::path default_journal_dir();

}  // namespace cati::term
