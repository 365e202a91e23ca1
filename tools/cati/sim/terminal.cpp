#include "sim/terminal.hpp"

#include <algorithm>
#include <variant>

#include "sim/interrupt.hpp"

namespace cati::tool::sim {
namespace {

// Generous: the machine is shared and a reconnect waits out the client's backoff. Only a server that has
// stopped answering gets near it.
constexpr auto reply_wait = std::chrono::seconds(60);
constexpr auto interrupt_check = std::chrono::milliseconds(100);  // how often a wait looks for SIGINT/SIGTERM

}  // namespace

terminal::terminal(const std::string& name, const std::string& url, const std::filesystem::path& journal_dir,
                   std::uint64_t seed)
    : name_(name),
      session_([&] {
        client::session_options o;
        o.url = url;
        o.journal_dir = journal_dir;
        o.client_name = "cati sim";
        o.seed = seed;
        // Reconnect at once and often: a cut in the simulation is a blip, not an outage.
        o.backoff.initial = std::chrono::milliseconds(20);
        o.backoff.max = std::chrono::milliseconds(500);
        return o;
      }()) {
  session_.start();
}

terminal::~terminal() { session_.stop(); }

v1::ServerMessage terminal::await(client::request_id id, const char* what) {
  const auto deadline = std::chrono::steady_clock::now() + reply_wait;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw terminal_error(name_ + ": no reply to " + what + " within 60 s");
    throw_if_interrupted();  // SIGINT/SIGTERM: no waiting out a server that is gone
    auto e = session_.poll(std::min(left, interrupt_check));
    if (!e) continue;
    if (auto* s = std::get_if<client::state_event>(&*e)) {
      if (s->state == client::connection_state::offline) ++reconnects_;
      continue;
    }
    if (auto* f = std::get_if<client::failed_event>(&*e)) {
      if (f->id == id) throw terminal_error(name_ + ": " + what + " failed: " + f->err.message);
      continue;
    }
    auto* m = std::get_if<client::message_event>(&*e);
    if (m == nullptr || m->message.request_id() != id || !m->settles) continue;
    if (m->message.has_error()) {
      throw terminal_error(name_ + ": " + what + " refused: " +
                           v1::Error::Code_Name(m->message.error().code()) + ": " + m->message.error().message());
    }
    return std::move(m->message);
  }
}

v1::ServerMessage terminal::login(const std::string& user, const std::string& password) {
  return await(session_.login(user, password), "Login");
}
v1::ServerMessage terminal::logout() { return await(session_.logout(), "Logout"); }
v1::ServerMessage terminal::next_case() { return await(session_.next_case(), "NextCase"); }
v1::ServerMessage terminal::record_call(client::call_report report) {
  return await(session_.record_call(std::move(report)), "CallResult");
}
v1::ServerMessage terminal::start_interview(const std::string& language) {
  return await(session_.start_interview(language), "StartInterview");
}
v1::ServerMessage terminal::answer(const std::string& value, const std::function<void()>& on_sent) {
  const auto id = session_.answer(value);
  if (on_sent) on_sent();
  return await(id, "Answer");
}
v1::ServerMessage terminal::suspend(client::suspend_report report) {
  return await(session_.suspend(std::move(report)), "Suspend");
}
v1::ServerMessage terminal::set_clock(const std::string& now) { return await(session_.set_clock(now), "SetClock"); }

}  // namespace cati::tool::sim
