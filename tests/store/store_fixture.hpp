// Shared by the store tests: a temporary directory per test, a small study with the seed's frame
// variables, and helpers to fill a fieldwork.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/ports/clock.hpp"
#include "core/questionnaire/questionnaire.hpp"
#include "core/sample/sample_row.hpp"
#include "store/fieldwork_store.hpp"
#include "store/password.hpp"

namespace cati::test {

namespace fs = std::filesystem;

// A fresh directory, removed with everything in it at the end of the test.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "cati-store-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

inline core::time_point at_ms(long long ms) { return core::time_point(core::milliseconds(ms)); }
// 2025-10-13 09:00 Europe/Brussels (07:00 UTC), plus `minutes`.
inline core::time_point fieldwork_time(long long minutes = 0) {
  return at_ms(1760338800000LL + minutes * 60000LL);
}

// The seed study's frame, without questions: what sample import checks against.
inline core::questionnaire frame_study() {
  using core::variable_type;
  auto codes = [](std::initializer_list<const char*> values) {
    std::vector<core::frame_code> out;
    for (auto v : values) out.push_back({v, {}});
    return out;
  };
  core::questionnaire q;
  q.id = "test_study";
  q.version = "1";
  q.languages = {"nl", "fr", "en"};
  q.default_language = "nl";
  q.frame = {
      {"company", variable_type::text, true, false, {}, {}},
      {"phone", variable_type::phone, true, false, {}, {}},
      {"contact_name", variable_type::text, true, true, {}, {}},
      {"region", variable_type::code, false, false, codes({"VLA", "WAL", "BRU"}), {}},
      {"sector_frame", variable_type::code, false, false, codes({"services", "commerce", "industry"}), {}},
      {"fte_frame", variable_type::integer, false, false, {}, {}},
      {"language", variable_type::language, false, false, {}, {}},
  };
  return q;
}

inline const char* frame_header = "firm_id,company,phone,contact_name,region,sector_frame,fte_frame,language\n";

inline store::open_options options_for(const fs::path& db) {
  store::open_options o;
  o.path = db;
  return o;
}

// Imports `csv` (a header and rows) and expects it to go in.
inline void import_ok(store::fieldwork_store& fw, const std::string& csv) {
  auto study = frame_study();
  auto frame = core::parse_sample_frame(csv, study);
  ASSERT_TRUE(frame.ok()) << frame.problems.front().to_string("frame.csv");
  auto result = fw.import_sample(frame, {"frame.csv", fieldwork_time(), std::nullopt}).get();
  ASSERT_TRUE(result.ok()) << result.problems.front().to_string("frame.csv");
}

// An interviewer without a real password hash (hashing is slow and beside the point here).
inline store::row_id add_interviewer(store::fieldwork_store& fw, const std::string& name) {
  return fw.add_user({name, store::user_role::interviewer, {"nl", "fr"}, "not-a-real-hash", fieldwork_time()}).get();
}

// ---- the `cati` command line, for tests of its commands ----

inline const fs::path cati_binary = fs::path(CATI_BINARY_DIR) / "tools/cati";

struct run_result {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `cati args` with `input` on stdin (a pipe: not a terminal).
inline run_result run_cati(const std::string& args, const std::string& input, const temp_dir& dir) {
  auto in = dir / "stdin.txt";
  std::ofstream(in) << input;
  std::string command = cati_binary.string() + " " + args + " < " + in.string() + " 2>&1";
  run_result r;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace cati::test
