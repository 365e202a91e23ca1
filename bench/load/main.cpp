// cati-load: the benchmark's load client. Many connections on one io_context (one thread), either
// terminals speaking cati.v1 to cati-server or echo connections to bench-echo; sets them all up, then
// measures one window of --duration seconds, closed loop (--rate 0: as fast as the server answers) or at
// a fixed total rate. Prints one JSON object on stdout; exits 1 when any connection failed (the numbers
// of a run with errors are not to be trusted), 2 on bad arguments.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <vector>

#include "echo_connection.hpp"
#include "terminal.hpp"

namespace {

using namespace cati::bench;
using namespace std::chrono_literals;

struct options {
  std::string mode = "cati";
  std::string server;
  std::size_t connections = 16;
  double rate = 0;        // total requests per second; 0: closed loop
  double duration = 10;   // seconds measured
  double setup_timeout = 300;
  std::string user_prefix = "bench";
  std::string password_file;
  int forward = 3;
};

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

// The frame an echo connection sends: a terminal's Answer, so both baselines move frames of one size.
std::string answer_sized_payload() {
  cati::v1::ClientMessage m;
  m.set_request_id(1234);
  auto* a = m.mutable_answer();
  a->set_interview_id("17");
  a->set_seq(12);
  a->set_question("s2_fte");
  a->set_value("1");
  return m.SerializeAsString();
}

std::string read_password(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) throw std::runtime_error(path + ": cannot read the password");
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"cati-load: drive cati-server (or bench-echo) with many connections and measure acks"};
  app.add_option("--mode", o.mode, "cati (terminals) or echo")->check(CLI::IsMember({"cati", "echo"}));
  app.add_option("--server", o.server, "ws://HOST:PORT")->required();
  app.add_option("--connections", o.connections, "connections (terminals)")->check(CLI::Range(1, 100000));
  app.add_option("--rate", o.rate, "requests per second in total; 0: closed loop")->check(CLI::NonNegativeNumber);
  app.add_option("--duration", o.duration, "seconds measured")->check(CLI::PositiveNumber);
  app.add_option("--setup-timeout", o.setup_timeout, "seconds allowed for connecting and logging in");
  app.add_option("--user-prefix", o.user_prefix, "terminal i logs in as PREFIX<i>");
  app.add_option("--password-file", o.password_file, "the users' password (first line)");
  app.add_option("--forward", o.forward, "screens answered before the measured loop")->check(CLI::Range(0, 100));
  CLI11_PARSE(app, argc, argv);

  auto server = cati::client::parse_url(o.server);
  if (!server) {
    std::cerr << "cati-load: --server: " << server.error().message << "\n";
    return 2;
  }
  std::string password;
  if (o.mode == "cati") {
    if (o.password_file.empty()) {
      std::cerr << "cati-load: --mode cati needs --password-file\n";
      return 2;
    }
    try {
      password = read_password(o.password_file);
    } catch (const std::exception& e) {
      std::cerr << "cati-load: " << e.what() << "\n";
      return 2;
    }
  }

  boost::asio::io_context ioc;
  run_stats stats;
  std::vector<std::unique_ptr<connection>> conns;
  const auto payload = answer_sized_payload();
  for (std::size_t i = 0; i < o.connections; ++i) {
    if (o.mode == "echo")
      conns.push_back(std::make_unique<echo_connection>(ioc, stats, "echo" + std::to_string(i), payload));
    else
      conns.push_back(std::make_unique<terminal>(ioc, stats, terminal_options{o.user_prefix + std::to_string(i), password, o.forward}));
  }

  const auto setup_started = bench_clock::now();
  const auto setup_deadline = setup_started + std::chrono::duration_cast<bench_clock::duration>(
                                                  std::chrono::duration<double>(o.setup_timeout));
  const auto window = std::chrono::duration_cast<bench_clock::duration>(std::chrono::duration<double>(o.duration));
  double setup_seconds = 0, cpu_at_start = 0, cpu_in_window = 0;
  bool setup_complete = false;
  boost::asio::steady_timer poll(ioc);

  // Phases, on the io_context's thread: connect all; wait until every connection is set up (or failed,
  // or the setup timeout); measure the window; stop.
  std::function<void()> wait_window_end = [&] {
    poll.expires_at(stats.window_end + 200ms);  // the last acks of the window may still be arriving
    poll.async_wait([&](boost::system::error_code) {
      cpu_in_window = cpu_seconds() - cpu_at_start;
      for (auto& c : conns) c->stop();
      ioc.stop();
    });
  };
  std::function<void()> wait_setup = [&] {
    std::size_t failed = 0;
    for (auto& c : conns) failed += c->failed() ? 1 : 0;
    const auto now = bench_clock::now();
    if (stats.ready + failed < conns.size() && now < setup_deadline) {
      poll.expires_after(10ms);
      poll.async_wait([&](boost::system::error_code) { wait_setup(); });
      return;
    }
    setup_complete = stats.ready == conns.size();
    if (!setup_complete && failed == 0)
      stats.error(std::to_string(conns.size() - stats.ready) + " connections not set up within the setup timeout");
    setup_seconds = std::chrono::duration<double>(now - setup_started).count();
    stats.window_start = now + 50ms;
    stats.window_end = stats.window_start + window;
    cpu_at_start = cpu_seconds();
    const bool paced = o.rate > 0;
    const auto interval = paced ? std::chrono::duration_cast<bench_clock::duration>(
                                      std::chrono::duration<double>(static_cast<double>(conns.size()) / o.rate))
                                : bench_clock::duration::zero();
    for (std::size_t i = 0; i < conns.size(); ++i) {
      // Fixed rate: the connections' schedules spread evenly over one interval, not all at once.
      const auto phase = paced ? interval * static_cast<long>(i) / static_cast<long>(conns.size()) : bench_clock::duration::zero();
      conns[i]->run(stats.window_start + phase, interval);
    }
    wait_window_end();
  };
  for (auto& c : conns) c->connect(*server);
  wait_setup();
  ioc.run();

  const auto lat = stats.latency.summarise();
  const auto step = stats.step.summarise();
  const double seconds = std::chrono::duration<double>(window).count();
  std::printf(
      "{\"mode\": \"%s\", \"connections\": %zu, \"rate_target\": %.1f, \"duration_s\": %.2f, \"setup_s\": %.2f, "
      "\"acks\": %llu, \"acks_per_s\": %.1f, \"latency_samples\": %llu, \"p50_us\": %.0f, \"p99_us\": %.0f, "
      "\"p999_us\": %.0f, \"max_us\": %.0f, \"step_p50_us\": %.0f, \"step_p99_us\": %.0f, \"late_sends\": %llu, \"client_cpu\": %.3f, \"errors\": %llu, "
      "\"first_error\": \"%s\"}\n",
      o.mode.c_str(), conns.size(), o.rate, seconds, setup_seconds, static_cast<unsigned long long>(stats.acks),
      static_cast<double>(stats.acks) / seconds, static_cast<unsigned long long>(lat.count), lat.p50_us, lat.p99_us,
      lat.p999_us, lat.max_us, step.p50_us, step.p99_us, static_cast<unsigned long long>(stats.late_sends), cpu_in_window / seconds,
      static_cast<unsigned long long>(stats.errors), [&] {
        std::string s;  // JSON-escaped enough for an error message: quotes and backslashes, no controls
        for (char c : stats.first_error) {
          if (c == '"' || c == '\\') s += '\\';
          s += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
        }
        return s;
      }().c_str());
  return stats.errors == 0 && setup_complete ? 0 : 1;
}
