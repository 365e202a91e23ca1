// A connection to the bare echo server (bench-echo): the paced request is one frame of the size of a
// terminal's Answer, acknowledged by its echo. No setup.
#pragma once

#include "connection.hpp"

namespace cati::bench {

class echo_connection final : public connection {
 public:
  echo_connection(boost::asio::io_context& ioc, run_stats& stats, std::string name, std::string payload)
      : connection(ioc, stats, std::move(name)), payload_(std::move(payload)) {}

 private:
  void opened() override { setup_done(); }
  void received(const std::string&) override {
    acknowledged();
    step_done();
  }
  void send_request() override { send(payload_); }

  std::string payload_;
};

}  // namespace cati::bench
