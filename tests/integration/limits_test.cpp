// Resource limits and log floods against the real cati-server (issue 17, hole 7): what a peer can hold or
// make the server write before it logs in is bounded, visible in /metrics, and does not stop interviewers.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "integration/server_fixture.hpp"

using namespace cati::it;

namespace {

// A raw TCP connection to the server from `source` (any 127.x.y.z: all of them are this machine).
class raw_socket {
 public:
  raw_socket(std::uint16_t port, const std::string& source = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
        ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~raw_socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  raw_socket(const raw_socket&) = delete;
  raw_socket& operator=(const raw_socket&) = delete;
  raw_socket(raw_socket&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}

  bool ok() const { return fd_ >= 0; }
  bool send(const std::string& bytes) {
    std::size_t at = 0;
    while (at < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
      if (n <= 0) return false;
      at += static_cast<std::size_t>(n);
    }
    return true;
  }
  // Everything until the server closes (or `timeout` of silence); `reset` tells whether it ended in a reset.
  std::string read_all(std::chrono::milliseconds timeout, bool& reset) {
    std::string out;
    reset = false;
    char buf[65536];
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return out;
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return out;
      if (n < 0) {
        reset = errno == ECONNRESET;
        return out;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  // Whether the server closed (or reset) this connection within `timeout`.
  bool closed_within(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char c;
    return ::recv(fd_, &c, 1, MSG_PEEK) <= 0;
  }

 private:
  int fd_ = -1;
};

std::size_t count_lines(const std::string& log, const std::string& needle) {
  std::size_t n = 0;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
  return n;
}

// As many file descriptors as the hard limit allows, for the many connections below.
std::size_t raise_fd_limit() {
  rlimit r{};
  ::getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &r);
  ::getrlimit(RLIMIT_NOFILE, &r);
  return r.rlim_cur == RLIM_INFINITY ? 1u << 20 : static_cast<std::size_t>(r.rlim_cur);
}

}  // namespace

TEST(Limits, AHundredKilobyteHeaderGets431InsteadOfAReset) {
  fieldwork_dir fw(5);
  server_process server(fw);
  ASSERT_NE(server.port(), 0);
  raw_socket s(server.port());
  ASSERT_TRUE(s.ok());
  const std::string big(100 * 1024, 'x');
  // The server answers as soon as the headers pass its limit: the rest of the send may meet a closed
  // reading side, which is fine; what matters is that the response arrives.
  s.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + big + "\r\n\r\n");
  bool reset = false;
  const std::string response = s.read_all(15s, reset);
  EXPECT_EQ(response.rfind("HTTP/1.1 431", 0), 0u) << (reset ? "(reset) " : "") << response.substr(0, 200);
  EXPECT_FALSE(reset) << "the connection was reset";
  EXPECT_GE(metric(server.port(), "cati_http_refused_total"), 1);
  // The server is still serving.
  EXPECT_NE(http_get(server.port(), "/healthz").find("active"), std::string::npos);
}

TEST(Limits, AFloodOfGarbageFramesIsCountedNotLogged) {
  fieldwork_dir fw(5);
  server_process server(fw);
  ASSERT_NE(server.port(), 0);
  auto c = connect(server.port());
  // Half random bytes, half a Login whose user name is not UTF-8 (Protobuf's own complaint, once per frame).
  std::string bad_utf8;
  {
    v1::ClientMessage m;
    m.set_request_id(1);
    m.mutable_login()->set_user("anna");
    bad_utf8 = m.SerializeAsString();
    const auto at = bad_utf8.find("anna");
    ASSERT_NE(at, std::string::npos);
    bad_utf8.replace(at, 4, "\xff\xfe\xfd\xfc");
  }
  constexpr int frames = 20'000;
  constexpr int batch = 200;  // sent, then their errors read: the server's write queue never overflows
  const auto started = std::chrono::steady_clock::now();
  for (int sent = 0; sent < frames; sent += batch) {
    for (int i = 0; i < batch; ++i) {
      ASSERT_TRUE(c->send_frame(i % 2 ? bad_utf8 : std::string("\x0a\xff garbage ") + std::to_string(sent + i), false));
    }
    for (int i = 0; i < batch; ++i) {
      auto reply = c->receive(reply_wait);
      ASSERT_TRUE(reply && reply->has_error()) << "frame " << sent + i;
      ASSERT_EQ(reply->error().code(), v1::Error::MALFORMED);
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(metric(server.port(), "cati_errors_total{code=\"MALFORMED\"}"), frames);
  const double suppressed = metric(server.port(), "cati_log_lines_suppressed_total{kind=\"malformed\"}");
  const std::string log = server.log();
  const std::size_t written = count_lines(log, "malformed frame") + count_lines(log, "protobuf: ");
  // Each frame would have made one or two lines; the rate limit lets through its burst and its rate over
  // however long this took, no more.
  std::cout << frames << " garbage frames in " << seconds << " s: " << written << " log lines written, " << suppressed
            << " suppressed, log " << log.size() << " bytes\n";
  EXPECT_LE(written, 20 + static_cast<std::size_t>(2 * seconds) + 2) << "over " << seconds << " s";
  EXPECT_GE(suppressed, frames - static_cast<double>(written));
  EXPECT_EQ(count_lines(log, "[libprotobuf"), 0u) << "Protobuf's own log goes through the server's";
  EXPECT_LT(log.size(), 64u * 1024) << "the log grew with the flood";
  // And the connection still works.
  EXPECT_TRUE(login(*c).has_login_ok());
}

TEST(Limits, FiveThousandSilentConnectionsDoNotStopAnInterviewer) {
  const std::size_t fds = raise_fd_limit();
  // The server (a child: the same limit) and this process each hold one descriptor per connection.
  const std::size_t wanted = std::min<std::size_t>(5'000, fds > 400 ? fds - 300 : 0);
  std::cout << "open-file limit " << fds << ": " << wanted << " idle connections\n";
  ASSERT_GE(wanted, 1'000u) << "the open-file limit is too low for this test";
  fieldwork_dir fw(5);
  server_process server(fw);
  ASSERT_NE(server.port(), 0);
  const std::size_t per_address = 1'000;  // session_limits::max_connections_per_address
  std::vector<raw_socket> idle;
  idle.reserve(wanted);
  const auto started = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < wanted; ++i) {
    const std::string source = "127.0.1." + std::to_string(10 + i / per_address);
    raw_socket s(server.port(), source);
    ASSERT_TRUE(s.ok()) << "connection " << i << " from " << source;
    if (i % 2) s.send("G");  // one byte of a request that never comes
    idle.push_back(std::move(s));
  }
  ASSERT_TRUE(eventually([&] { return metric(server.port(), "cati_tcp_connections") >= static_cast<double>(wanted); }))
      << metric(server.port(), "cati_tcp_connections");
  // One more from an address that has its 1,000 already: closed at once, and counted.
  raw_socket extra(server.port(), "127.0.1.10");
  ASSERT_TRUE(extra.ok());
  EXPECT_TRUE(extra.closed_within(10s)) << "the connection over the per-address bound stayed open";
  EXPECT_EQ(metric(server.port(), "cati_refused_total{reason=\"max_per_address\"}"), 1);

  // Meanwhile an interviewer logs in and does a whole interview.
  auto c = connect(server.port());
  ASSERT_TRUE(login(*c).has_login_ok());
  EXPECT_EQ(metric(server.port(), "cati_logins_in_progress"), 0) << "the answered login is still counted";
  v1::ServerMessage first;
  *first.mutable_screen() = begin_interview(*c, "nl");
  auto end = finish(*c, first);
  EXPECT_EQ(end.interview_end().aapor_code(), "1.1");
  EXPECT_GE(metric(server.port(), "cati_tcp_connections"), static_cast<double>(wanted));
  EXPECT_EQ(metric(server.port(), "cati_limit{name=\"max_connections_per_address\"}"), 1000);

  idle.clear();
  ASSERT_TRUE(eventually([&] { return metric(server.port(), "cati_tcp_connections") <= 2; }))
      << "the idle connections' places were not given back";
  const std::string log = server.log();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << wanted << " idle connections held, the interview done, all released in " << seconds << " s; log "
            << log.size() << " bytes, connection lines suppressed "
            << metric(server.port(), "cati_log_lines_suppressed_total{kind=\"connection\"}") << "\n";
  EXPECT_LE(count_lines(log, " refused ") + count_lines(log, "read request"), 20 + static_cast<std::size_t>(2 * seconds) + 2)
      << "connection lines are rate-limited";
}
