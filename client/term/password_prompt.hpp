// Asks for a line on the controlling terminal without echoing it (the password at start-up).
#pragma once

#include <optional>
#include <string>

namespace cati::term {

// nullopt when there is no terminal to ask on, or it was closed (Ctrl-D).
std::optional<std::string> ask_hidden(const std::string& prompt);
// The same, echoed (the user name, when --user is not given).
std::optional<std::string> ask(const std::string& prompt);

}  // namespace cati::term
