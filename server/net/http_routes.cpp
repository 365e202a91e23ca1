#include "net/http_routes.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include "net/beast_types.hpp"

namespace cati::net {
namespace http = beast::http;
namespace {

constexpr const char* server_name = "cati-server";

http_response make_response(const http_request& req, http::status status, std::string_view content_type,
                            std::string body) {
  http_response res{status, req.version()};
  res.set(http::field::server, server_name);
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  if (req.method() == http::verb::head) {
    // Same headers (Content-Length included) without the body.
    const auto length = res.body().size();
    res.body().clear();
    res.content_length(length);
  }
  return res;
}

}  // namespace

http_response route_http_request(const http_request& req, const server_state& state) {
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    auto res = make_response(req, http::status::method_not_allowed, "text/plain; charset=utf-8",
                             "method not allowed: use GET\n");
    res.set(http::field::allow, "GET, HEAD");
    return res;
  }
  std::string_view path(req.target().data(), req.target().size());
  if (const auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);

  if (path == "/healthz") {
    if (!state.health) return make_response(req, http::status::ok, "text/plain; charset=utf-8", "ok\n");
    auto h = state.health();
    return make_response(req, h.serving ? http::status::ok : http::status::service_unavailable,
                         "text/plain; charset=utf-8", std::move(h.body));
  }
  if (path == "/metrics") {
    return make_response(req, http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                         state.all_metrics->render());
  }
  if (const auto it = state.files.find(path); it != state.files.end()) {
    return make_response(req, http::status::ok, it->second.content_type, it->second.body);
  }
  return make_response(req, http::status::not_found, "text/plain; charset=utf-8",
                       "not found: " + std::string(path) + "\n");
}

http_response refuse_upgrade(const http_request& req) {
  auto res = make_response(req, http::status::bad_request, "text/plain; charset=utf-8",
                           "WebSocket upgrade refused: offer subprotocol cati.v1 or cati.v1.json "
                           "(Sec-WebSocket-Protocol)\n");
  res.keep_alive(false);
  return res;
}

}  // namespace cati::net
