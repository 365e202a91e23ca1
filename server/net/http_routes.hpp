// The plain HTTP side of the server: GET /healthz, GET /metrics, the static files; 404 otherwise.
// Thread-safety: pure functions of the request and the (thread-safe) shared state.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/beast_types.hpp"
#include "net/server_state.hpp"

namespace cati::net {

using http_request = beast::http::request<beast::http::string_body>;
using http_response = beast::http::response<beast::http::string_body>;

// The response to a request that is not a WebSocket upgrade.
http_response route_http_request(const http_request& req, const server_state& state);

// 400 for an upgrade that offers neither cati.v1 nor cati.v1.json; the connection closes after it.
http_response refuse_upgrade(const http_request& req);

}  // namespace cati::net
