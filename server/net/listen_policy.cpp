#include "net/listen_policy.hpp"

#include <boost/asio/ip/address.hpp>

#include <charconv>

namespace cati::net {

core::result<listen_address> parse_listen_address(std::string_view text) {
  const auto expected = [&] {
    return core::error{"--listen '" + std::string(text) + "': expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080"};
  };
  std::string_view host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return expected();
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) return expected();
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  unsigned port = 0;
  const auto* end = port_text.data() + port_text.size();
  const auto [ptr, ec] = std::from_chars(port_text.data(), end, port);
  if (host.empty() || port_text.empty() || ec != std::errc{} || ptr != end || port > 65535) return expected();
  return listen_address{std::string(host), static_cast<std::uint16_t>(port)};
}

std::string format_host_port(std::string_view host, std::uint16_t port) {
  std::string out;
  if (host.find(':') != std::string_view::npos) {
    out = "[" + std::string(host) + "]";
  } else {
    out = std::string(host);
  }
  return out + ":" + std::to_string(port);
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return false;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6()).is_loopback();
  }
  return address.is_loopback();
}

std::optional<std::string> check_listen_address(std::string_view host, std::uint16_t port, bool has_tls,
                                                bool insecure_listen) {
  if (has_tls || insecure_listen || is_loopback_host(host)) return std::nullopt;
  return "refusing to listen on " + format_host_port(host, port) +
         " without TLS: give --tls-cert/--tls-key, or --insecure-listen";
}

}  // namespace cati::net
