// wss://: the server's certificate is verified against a given CA file (or the system's trust store)
// unless the session is told it is insecure. Skipped when the openssl command is missing.
#include <cstdlib>

#include "session_fixture.hpp"

namespace cati::client::testing {
namespace {

using ClientTls = session_test;

// A self-signed certificate for 127.0.0.1 in dir, made with the openssl command; false when there is none.
bool make_certificate(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1"
                              " -addext subjectAltName=IP:127.0.0.1 -keyout " + (dir / "key.pem").string() +
                              " -out " + (dir / "cert.pem").string() + " >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

TEST_F(ClientTls, VerifiesTheServerCertificateUnlessToldOtherwise) {
  // tools/setup installs openssl: without it this is an error, not a skip.
  ASSERT_TRUE(make_certificate(dir_ / "tls")) << "the openssl command failed (tools/setup installs it)";
  fake_server::options so;
  so.tls_cert_file = (dir_ / "tls" / "cert.pem").string();
  so.tls_key_file = (dir_ / "tls" / "key.pem").string();
  fake_server tls_server(so);
  ASSERT_EQ(tls_server.url().substr(0, 6), "wss://");

  auto o = options();
  o.url = tls_server.url();
  o.ca_file = so.tls_cert_file;  // trust the self-signed certificate
  {
    auto s = make_session(o);
    EXPECT_EQ(reply_text(*s, s->login("anna", "secret")).substr(0, 10), "login anna") << seen_text();
  }
  o.ca_file.clear();
  o.insecure = true;
  {
    auto s = make_session(o);
    EXPECT_EQ(reply_text(*s, s->login("anna", "secret")).substr(0, 10), "login anna") << seen_text();
  }
  o.insecure = false;  // the system's trust store does not know this certificate
  auto s = make_session(o);
  const event e = until(*s, [](const event& x) {
    const auto* st = std::get_if<state_event>(&x);
    return st && st->state == connection_state::offline;
  });
  const auto& cause = std::get<state_event>(e).cause;
  ASSERT_TRUE(cause);
  EXPECT_EQ(cause->code, errc::connect_failed);
  EXPECT_NE(cause->message.find("TLS handshake"), std::string::npos) << cause->message;
  EXPECT_EQ(tls_server.logins(), 2);
}

}  // namespace
}  // namespace cati::client::testing
