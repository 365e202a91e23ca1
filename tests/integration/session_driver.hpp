// Drives the client library (cati::client::session in queue mode) from a test: issue a request, wait
// for the event that settles it, wait for a state. Every event is kept in its text form (text_form.hpp),
// the transcript a failing test prints.
//
// Thread-safety: none; the test thread only (the session has its own io thread).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "cati/v1/wire.pb.h"
#include "lib/session.hpp"

namespace cati::it {

class session_driver {
 public:
  // Starts a session to `url` for anna, with its journal on disk under `journal_dir`.
  session_driver(const std::string& url, const std::filesystem::path& journal_dir);
  ~session_driver();

  client::session& session() { return session_; }
  const std::string& transcript() const { return transcript_; }

  // The message that settles request `id` (an Error included); nullopt (and a test failure) when a
  // failed_event or nothing came.
  std::optional<v1::ServerMessage> settle(client::request_id id);
  // Events until one satisfies `pred`; false (and a test failure) when none came.
  bool until(const std::function<bool(const client::event&)>& pred, const std::string& what);
  // Until the session is online with nothing unacknowledged or outstanding.
  bool until_idle();

  // The last Screen and InterviewEnd seen.
  const std::optional<v1::Screen>& screen() const { return screen_; }
  const std::optional<v1::InterviewEnd>& end() const { return end_; }

 private:
  std::optional<client::event> next(std::chrono::milliseconds timeout = std::chrono::seconds(60));

  client::session session_;
  std::string transcript_;
  std::optional<v1::Screen> screen_;
  std::optional<v1::InterviewEnd> end_;
  std::uint32_t acked_ = 0;  // the highest seq acknowledged so far
};

}  // namespace cati::it
