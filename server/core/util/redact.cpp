#include "core/util/redact.hpp"

#include <array>

namespace cati::core {
namespace {

constexpr std::string_view masked = "***";

bool ends_value(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '&' || c == '#' || c == '"'; }

// user:PASSWORD@ in the authority of each URL: from after "://" to the first '/', '?', '#', blank or quote.
void mask_url_passwords(std::string& out) {
  for (std::string_view scheme : std::array<std::string_view, 2>{"postgresql://", "postgres://"}) {
    for (std::size_t pos = 0; (pos = out.find(scheme, pos)) != std::string::npos;) {
      const auto from = pos + scheme.size();
      auto end = out.find_first_of("/?# \t\n'\"", from);
      if (end == std::string::npos) end = out.size();
      const auto authority = std::string_view(out).substr(from, end - from);
      const auto at = authority.rfind('@');
      const auto colon = authority.find(':');
      if (at != std::string_view::npos && colon != std::string_view::npos && colon < at) {
        out.replace(from + colon + 1, at - colon - 1, masked);
        end = from + colon + 1 + masked.size() + (authority.size() - at);
      }
      pos = end;
    }
  }
}

// password=VALUE, the key at the start or after '?', '&' or a blank; blanks around '=' as libpq allows.
void mask_password_parameters(std::string& out) {
  constexpr std::string_view key = "password";
  for (std::size_t pos = 0; (pos = out.find(key, pos)) != std::string::npos;) {
    const bool starts_key = pos == 0 || out[pos - 1] == '?' || out[pos - 1] == '&' || out[pos - 1] == ' ' ||
                            out[pos - 1] == '\t' || out[pos - 1] == '\'' || out[pos - 1] == '"';
    auto v = pos + key.size();
    while (v < out.size() && out[v] == ' ') ++v;
    if (!starts_key || v >= out.size() || out[v] != '=') {
      pos += key.size();
      continue;
    }
    ++v;
    while (v < out.size() && out[v] == ' ') ++v;
    auto end = v;
    if (end < out.size() && out[end] == '\'') {  // libpq's quoted value, \' and \\ escaped
      for (++end; end < out.size() && out[end] != '\''; ++end)
        if (out[end] == '\\') ++end;
      if (end < out.size()) ++end;
    } else {
      while (end < out.size() && !ends_value(out[end])) ++end;
    }
    out.replace(v, std::min(end, out.size()) - v, masked);
    pos = v + masked.size();
  }
}

}  // namespace

std::string redact_passwords(std::string_view text) {
  std::string out(text);
  if (out.find("://") != std::string::npos) mask_url_passwords(out);
  if (out.find("password") != std::string::npos) mask_password_parameters(out);
  return out;
}

}  // namespace cati::core
