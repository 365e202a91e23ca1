// ws:// and wss:// URLs as given on the command line: "ws://127.0.0.1:8080", "wss://cati.example:443/ws".
#pragma once

#include <string>
#include <string_view>

#include "lib/error.hpp"

namespace cati::client {

struct url {
  bool tls = false;      // wss
  std::string host;      // without brackets for IPv6 literals
  std::string port;      // "80"/"443" when not given
  std::string target;    // "/" when not given

  // The Host header value: host[:port], with brackets for IPv6 literals.
  std::string authority() const;
};

// Fails with bad_url (saying what is wrong) on other schemes, an empty host, a bad port.
result<url> parse_url(std::string_view text);

}  // namespace cati::client
