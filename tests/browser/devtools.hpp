// A headless Chromium driven over the DevTools protocol, for the browser test: the browser is started
// with --remote-debugging-port=0 (it writes the port it chose to DevToolsActivePort in its profile
// directory), one page target is created and attached (flat session), and commands go over one WebSocket
// as JSON. Each call blocks until its reply or a generous timeout (then it throws, failing the test).
// JSON is read and written with Protobuf's google.protobuf.Struct mapping: no extra library.
// Not thread-safe: one thread.
#pragma once

#include <google/protobuf/struct.pb.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "browser/child_process.hpp"

namespace cati::browser_test {

class headless_chromium {
 public:
  // Starts `chromium` (found on PATH) with a fresh profile under `profile_dir`, and opens a page.
  headless_chromium(const std::string& chromium, const std::filesystem::path& profile_dir);
  ~headless_chromium();

  // Sends a command to the page and returns its "result" (throws on an "error" reply or a timeout).
  google::protobuf::Struct call(const std::string& method, const google::protobuf::Struct& params = {});
  // Evaluates a JavaScript expression in the page and returns its value as text (JSON.stringify it in
  // the expression for structured values). Throws when the script throws.
  std::string eval(const std::string& expression);
  // Polls `expression` until it is the string "true" (the test's waits), up to `timeout`.
  bool wait_until(const std::string& expression, std::chrono::milliseconds timeout);
  void navigate(const std::string& url);
  // A PNG of the whole page.
  std::string screenshot_png();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::unique_ptr<child_process> process_;
};

// The path of `name` on PATH, or "" when it is not installed.
std::string find_on_path(const std::string& name);

}  // namespace cati::browser_test
