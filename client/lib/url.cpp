#include "lib/url.hpp"

#include <algorithm>
#include <cctype>

namespace cati::client {

namespace {

error bad(std::string_view text, std::string_view why) {
  return error{errc::bad_url, "bad server URL '" + std::string(text) + "': " + std::string(why)};
}

}  // namespace

std::string url::authority() const {
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + port;
}

std::string url::text() const { return (tls ? "wss://" : "ws://") + authority() + (target == "/" ? "" : target); }

result<std::vector<url>> parse_url_list(std::string_view text) {
  std::vector<url> out;
  std::size_t from = 0;
  while (true) {
    const auto comma = text.find(',', from);
    auto one = text.substr(from, comma == std::string_view::npos ? std::string_view::npos : comma - from);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    if (one.empty()) return bad(text, "an empty server in the list (two commas, or a comma at an end)");
    auto parsed = parse_url(one);
    if (!parsed) return parsed.error();
    out.push_back(*parsed);
    if (comma == std::string_view::npos) return out;
    from = comma + 1;
  }
}

result<url> parse_url(std::string_view text) {
  url u;
  std::string_view rest = text;
  if (rest.starts_with("ws://")) {
    rest.remove_prefix(5);
  } else if (rest.starts_with("wss://")) {
    rest.remove_prefix(6);
    u.tls = true;
  } else {
    return bad(text, "expected ws://host:port or wss://host:port");
  }
  const auto slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  std::string_view port;
  if (hostport.starts_with("[")) {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) return bad(text, "unclosed [ in the host");
    u.host = std::string(hostport.substr(1, close - 1));
    const auto after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad(text, "expected :port after ]");
      port = after.substr(1);
    }
  } else {
    const auto colon = hostport.rfind(':');
    u.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) port = hostport.substr(colon + 1);
  }
  if (u.host.empty()) return bad(text, "no host");
  if (port.empty()) {
    u.port = u.tls ? "443" : "80";
  } else {
    const bool digits = std::all_of(port.begin(), port.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (!digits || port.size() > 5 || std::stoul(std::string(port)) > 65535 || std::stoul(std::string(port)) == 0) {
      return bad(text, "the port must be a number from 1 to 65535");
    }
    u.port = std::string(port);
  }
  return u;
}

}  // namespace cati::client
