#include "net/tls_context.hpp"

#include <stdexcept>

namespace cati::net {

std::shared_ptr<asio::ssl::context> make_tls_context(const std::string& cert_chain_file,
                                                     const std::string& private_key_file) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  beast::error_code ec;
  ctx->use_certificate_chain_file(cert_chain_file, ec);
  if (ec) throw std::runtime_error("cannot load TLS certificate " + cert_chain_file + ": " + ec.message());
  ctx->use_private_key_file(private_key_file, asio::ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot load TLS key " + private_key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    throw std::runtime_error("TLS key " + private_key_file + " does not match certificate " + cert_chain_file);
  }
  return ctx;
}

}  // namespace cati::net
