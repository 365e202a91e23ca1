// `cati sim`: the October fieldwork replayed against a real cati-server by simulated interviewers.
//
// The driver is one thread on a discrete-event timeline: every interviewer has the time of its next
// event; the earliest goes first (ties: the lower interviewer index), the server's manual clock is set to
// that time (SetClock, waited for), and the interviewer's action runs, each request waited for before
// the next. Nothing runs concurrently that could change what the server sees, so the same seed gives the
// same fieldwork and the same report.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace cati::tool::sim {

struct sim_options {
  std::filesystem::path study = "schema/ai_barometer_2025";
  int interviewers = 12;
  std::uint64_t seed = 7;
  std::filesystem::path out = "var/sim";
  std::string server_url;          // empty: start our own cati-server
  std::filesystem::path server_db;  // with server_url: that server's fieldwork file
  std::optional<int> days;          // default: every day of the fieldwork window
  int frame_size = 4000;
  // How the sample goes out (own server only): "replicates" (the frame split into `replicates` stratified
  // replicates, released by the fieldwork manager of sim/release_manager.hpp; the server is restarted
  // overnight to take a release up) or "all" (the whole frame callable from the first minute).
  std::string release = "replicates";
  int replicates = 10;
};

// Runs the simulation and writes the report into options.out. Returns the exit code: 0 when every quota
// target was met with none over and no answer lost or doubled, 1 otherwise (the report says what).
// Throws std::runtime_error for what stops it (a server that does not start, a refused request).
int run_simulation(const sim_options& options);

}  // namespace cati::tool::sim
