// ws:// and wss:// URLs as given on the command line: "ws://127.0.0.1:8080", "wss://cati.example:443/ws".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/error.hpp"

namespace cati::client {

struct url {
  bool tls = false;      // wss
  std::string host;      // without brackets for IPv6 literals
  std::string port;      // "80"/"443" when not given
  std::string target;    // "/" when not given

  // The Host header value: host[:port], with brackets for IPv6 literals.
  std::string authority() const;
  // "ws://host:port/target" (what parse_url reads back).
  std::string text() const;
  // The same server: scheme, host and port (the target is not compared).
  bool same_server(const url& other) const { return tls == other.tls && host == other.host && port == other.port; }
};

// Fails with bad_url (saying what is wrong) on other schemes, an empty host, a bad port.
result<url> parse_url(std::string_view text);

// Several servers of one fieldwork (an active one and standbys), comma-separated:
// "ws://a:8080,ws://b:8080". At least one; each as parse_url reads it; spaces around commas are allowed.
result<std::vector<url>> parse_url_list(std::string_view text);

}  // namespace cati::client
