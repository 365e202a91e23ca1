#include "net/io_failure.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

#include "net/log.hpp"

namespace cati::net {

bool is_normal_end(const beast::error_code& ec) {
  return ec == asio::error::operation_aborted || ec == beast::websocket::error::closed ||
         ec == beast::http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         // A client that closed TLS without close_notify: harmless, the frames were complete.
         ec == asio::ssl::error::stream_truncated;
}

void fail(const beast::error_code& ec, std::string_view what, std::string_view who) {
  if (is_normal_end(ec)) {
    log_debug(who, ": ", what, ": ", ec.message());
    return;
  }
  // Any peer can make I/O fail on purpose (half a handshake, a bad TLS record): rate-limited.
  log_limited(log_flood::connection, log_level::warn, who, ": ", what, ": ", ec.message());
}

}  // namespace cati::net
