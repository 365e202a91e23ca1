// cati-load: the benchmark's load client. Many connections on one io_context (one thread), either
// terminals speaking cati.v1 to cati-server or echo connections to bench-echo; sets them all up (at most
// --connect-window connections connecting or logging in at once), then measures one window of --duration
// seconds, closed loop (--rate 0: as fast as the server answers) or at a fixed total rate. --mode idle:
// terminals that only log in, then sit for --duration seconds (the capacity test: what idle sessions
// cost the server). --answers N: instead of --duration, stop once N loop steps are acknowledged (one
// terminal, closed loop: an exact amount of work, for the instruction counts of tools/bench). --mode
// storm: terminals that survive the server's restart (storm_terminal.hpp). Prints one JSON object on
// stdout; exits 1 when any connection failed (the numbers of a run with errors are not to be trusted),
// 2 on bad arguments.
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
#include "storm_terminal.hpp"  // --mode storm

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
  double settle = 0;         // seconds between the setup and the window
  std::string user_prefix = "bench";
  std::string password_file;
  int forward = 3;
  std::size_t connect_window = 256;  // connections in setup (connecting, logging in) at once
  std::uint64_t answers = 0;         // not 0: stop after this many acks instead of after --duration
};

// This process's resident set (VmRSS), in KiB; 0 when /proc cannot tell.
long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

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
  app.add_option("--mode", o.mode, "cati (terminals), idle (terminals that only log in and sit), storm (terminals that survive a server restart) or echo")->check(CLI::IsMember({"cati", "echo", "idle", "storm"}));
  app.add_option("--server", o.server, "ws://HOST:PORT; --mode storm: several, comma-separated (an active server and its standbys)")->required();
  app.add_option("--connections", o.connections, "connections (terminals)")->check(CLI::Range(1, 100000));
  app.add_option("--rate", o.rate, "requests per second in total; 0: closed loop")->check(CLI::NonNegativeNumber);
  app.add_option("--duration", o.duration, "seconds measured")->check(CLI::PositiveNumber);
  app.add_option("--setup-timeout", o.setup_timeout, "seconds allowed for connecting and logging in");
  app.add_option("--user-prefix", o.user_prefix, "terminal i logs in as PREFIX<i>");
  app.add_option("--password-file", o.password_file, "the users' password (first line)");
  app.add_option("--forward", o.forward, "screens answered before the measured loop")->check(CLI::Range(0, 100));
  app.add_option("--connect-window", o.connect_window, "connections setting up (connecting, logging in) at once")
      ->check(CLI::Range(1, 100000));
  app.add_option("--settle", o.settle,
                 "seconds between the end of the setup and the window, for the work the logins caused to "
                 "settle; 'cati-load: set up' on stderr marks the start of the pause")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--answers", o.answers, "--mode cati: stop after this many acknowledged loop steps, not after --duration");
  std::string storm_ledger;  // --mode storm (storm_terminal.hpp): the reconnect storm of tools/bench
  app.add_option("--ledger", storm_ledger, "--mode storm: write 'interview_id seq' per acknowledged answer/back");
  CLI11_PARSE(app, argc, argv);
  if (o.answers != 0 && (o.mode != "cati" || o.rate > 0)) {
    std::cerr << "cati-load: --answers needs --mode cati and a closed loop (--rate 0)\n";
    return 2;
  }

  // --mode storm takes a list (an active server and its standbys); the other modes one server.
  auto server = cati::client::parse_url(o.mode == "storm" ? o.server.substr(0, o.server.find(',')) : o.server);
  if (!server) {
    std::cerr << "cati-load: --server: " << server.error().message << "\n";
    return 2;
  }
  std::string password;
  if (o.mode != "echo") {
    if (o.password_file.empty()) {
      std::cerr << "cati-load: --mode " << o.mode << " needs --password-file\n";
      return 2;
    }
    try {
      password = read_password(o.password_file);
    } catch (const std::exception& e) {
      std::cerr << "cati-load: " << e.what() << "\n";
      return 2;
    }
  }

  if (o.mode == "storm") {  // terminals that survive a server restart or a failover (storm_terminal.hpp)
    auto servers = cati::client::parse_url_list(o.server);
    if (!servers) {
      std::cerr << "cati-load: --server: " << servers.error().message << "\n";
      return 2;
    }
    return cati::bench::run_storm({*servers, o.connections, o.rate, o.duration, o.setup_timeout, 60, o.user_prefix,
                                   password, o.forward, storm_ledger});
  }

  boost::asio::io_context ioc;
  run_stats stats;
  stats.ack_limit = o.answers;
  std::vector<std::unique_ptr<connection>> conns;
  const auto payload = answer_sized_payload();
  for (std::size_t i = 0; i < o.connections; ++i) {
    if (o.mode == "echo")
      conns.push_back(std::make_unique<echo_connection>(ioc, stats, "echo" + std::to_string(i), payload));
    else
      conns.push_back(std::make_unique<terminal>(ioc, stats, terminal_options{o.user_prefix + std::to_string(i), password, o.forward, o.mode == "idle"}));
  }

  const auto setup_started = bench_clock::now();
  const auto setup_deadline = setup_started + std::chrono::duration_cast<bench_clock::duration>(
                                                  std::chrono::duration<double>(o.setup_timeout));
  auto window = std::chrono::duration_cast<bench_clock::duration>(std::chrono::duration<double>(o.duration));
  double setup_seconds = 0, cpu_at_start = 0, cpu_in_window = 0;
  long rss_in_window = 0;
  std::size_t started = 0;  // connections whose connect() was called
  bool setup_complete = false;
  boost::asio::steady_timer poll(ioc);

  // Phases, on the io_context's thread: connect all, at most --connect-window at once; wait until every
  // connection is set up (or failed, or the setup timeout); measure the window; stop.
  auto finish = [&] {
    cpu_in_window = cpu_seconds() - cpu_at_start;
    rss_in_window = rss_kib();
    for (auto& c : conns) c->stop();
    ioc.stop();
  };
  std::function<void()> wait_window_end = [&] {
    if (o.answers != 0) {  // until the loop stops on its ack limit (or every connection failed)
      std::size_t failed = 0;
      for (auto& c : conns) failed += c->failed() ? 1 : 0;
      const auto now = bench_clock::now();
      if (stats.limit_reached || failed == conns.size() || now >= stats.window_end) {
        window = now - stats.window_start;
        if (!stats.limit_reached) stats.error("--answers " + std::to_string(o.answers) + " not reached");
        return finish();
      }
      poll.expires_after(1ms);
      poll.async_wait([&](boost::system::error_code) { wait_window_end(); });
      return;
    }
    poll.expires_at(stats.window_end + 200ms);  // the last acks of the window may still be arriving
    poll.async_wait([&](boost::system::error_code) { finish(); });
  };
  std::function<void()> wait_setup = [&] {
    std::size_t failed = 0;
    for (auto& c : conns) failed += c->failed() ? 1 : 0;
    const auto now = bench_clock::now();
    // More connections while fewer than the window are in setup.
    while (started < conns.size() && started - stats.ready - failed < o.connect_window && now < setup_deadline)
      conns[started++]->connect(*server);
    if (stats.ready + failed < conns.size() && now < setup_deadline) {
      poll.expires_after(5ms);
      poll.async_wait([&](boost::system::error_code) { wait_setup(); });
      return;
    }
    setup_complete = stats.ready == conns.size();
    if (!setup_complete && failed == 0)
      stats.error(std::to_string(conns.size() - stats.ready) + " connections not set up within the setup timeout");
    setup_seconds = std::chrono::duration<double>(now - setup_started).count();
    stats.window_start = now + 50ms + std::chrono::duration_cast<bench_clock::duration>(std::chrono::duration<double>(o.settle));
    if (o.settle > 0) {
      std::fprintf(stderr, "cati-load: set up: %zu connections in %.2f s\n", stats.ready, setup_seconds);
      std::fflush(stderr);
    }
    // --answers: the window lasts until the limit (the setup timeout as a bound).
    stats.window_end = stats.window_start + (o.answers != 0 ? std::chrono::duration_cast<bench_clock::duration>(
                                                                  std::chrono::duration<double>(o.setup_timeout))
                                                            : window);
    cpu_at_start = cpu_seconds();
    if (o.mode == "idle") {  // idle terminals just sit through the window; tools/bench samples the server now
      std::fprintf(stderr, "cati-load: idle: %zu terminals logged in in %.2f s\n", stats.ready, setup_seconds);
      std::fflush(stderr);
      return wait_window_end();
    }
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
  wait_setup();
  ioc.run();

  const auto lat = stats.latency.summarise();
  const auto step = stats.step.summarise();
  const double seconds = std::chrono::duration<double>(window).count();
  // --answers: every loop ack counts (a closed loop's first requests go out before the window opens).
  if (o.answers != 0) stats.acks = stats.all_acks;
  std::printf(
      "{\"mode\": \"%s\", \"connections\": %zu, \"rate_target\": %.1f, \"duration_s\": %.2f, \"setup_s\": %.2f, "
      "\"acks\": %llu, \"acks_per_s\": %.1f, \"latency_samples\": %llu, \"p50_us\": %.0f, \"p99_us\": %.0f, "
      "\"p999_us\": %.0f, \"max_us\": %.0f, \"step_p50_us\": %.0f, \"step_p99_us\": %.0f, \"late_sends\": %llu, \"client_cpu\": %.3f, "
      "\"client_rss_kib\": %ld, \"errors\": %llu, "
      "\"first_error\": \"%s\"}\n",
      o.mode.c_str(), conns.size(), o.rate, seconds, setup_seconds, static_cast<unsigned long long>(stats.acks),
      static_cast<double>(stats.acks) / seconds, static_cast<unsigned long long>(lat.count), lat.p50_us, lat.p99_us,
      lat.p999_us, lat.max_us, step.p50_us, step.p99_us, static_cast<unsigned long long>(stats.late_sends), cpu_in_window / seconds,
      rss_in_window, static_cast<unsigned long long>(stats.errors), [&] {
        std::string s;  // JSON-escaped enough for an error message: quotes and backslashes, no controls
        for (char c : stats.first_error) {
          if (c == '"' || c == '\\') s += '\\';
          s += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
        }
        return s;
      }().c_str());
  return stats.errors == 0 && setup_complete ? 0 : 1;
}
