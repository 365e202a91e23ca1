// Starts a cati::net::server on 127.0.0.1 port 0 in-process, with a test_handler, and stops it
// gracefully after the test.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "net/log.hpp"
#include "net/server.hpp"
#include "test_handler.hpp"
#include "ws_test_client.hpp"

namespace cati::net::test {

class server_fixture : public ::testing::Test {
 protected:
  void SetUp() override { set_log_level(log_level::error); }

  void start(server_options options = {}) {
    options.address = "127.0.0.1";
    options.port = 0;
    options.announce = false;
    server_ = std::make_unique<server>(std::move(options), handler_);
    server_->start();
  }

  void TearDown() override {
    if (server_) {
      server_->stop();
      server_->wait();
    }
  }

  std::uint16_t port() const { return server_->port(); }

  // A connected client, or a test failure.
  std::unique_ptr<ws_test_client> connect(client_options options = {}) {
    auto c = std::make_unique<ws_test_client>(std::move(options));
    EXPECT_TRUE(c->connect(port())) << c->error();
    return c;
  }

  double metric(const std::string& name, const metric_labels& labels = {}) const {
    double v = -1;
    server_->metrics().read(name, labels, v);
    return v;
  }

  test_handler handler_;
  std::unique_ptr<server> server_;
};

// Polls `pred` until it holds or `timeout` passes (for state that nothing notifies about).
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

inline cati::v1::ClientMessage ping(std::uint64_t request_id) {
  cati::v1::ClientMessage m;
  m.set_request_id(request_id);
  m.mutable_ping();
  return m;
}

}  // namespace cati::net::test
