// The server's TLS context, from PEM files (--tls-cert, --tls-key).
#pragma once

#include <memory>
#include <string>

#include "net/beast_types.hpp"

namespace cati::net {

// TLS 1.2 and later. `cert_chain_file`: the certificate, then any intermediates. Throws
// std::runtime_error naming the file and OpenSSL's reason when either cannot be loaded or the key
// does not match the certificate.
std::shared_ptr<asio::ssl::context> make_tls_context(const std::string& cert_chain_file,
                                                     const std::string& private_key_file);

}  // namespace cati::net
