#include "lib/events.hpp"

namespace cati::client {

std::string_view to_string(request_kind kind) {
  switch (kind) {
    case request_kind::none: return "none";
    case request_kind::login: return "login";
    case request_kind::resume: return "resume";
    case request_kind::logout: return "logout";
    case request_kind::next_case: return "next";
    case request_kind::call_result: return "outcome";
    case request_kind::start_interview: return "start";
    case request_kind::answer: return "answer";
    case request_kind::back: return "back";
    case request_kind::suspend: return "suspend";
    case request_kind::set_language: return "lang";
    case request_kind::watch_status: return "watch";
    case request_kind::quota_action: return "quota";
    case request_kind::set_clock: return "clock";
    case request_kind::ping: return "ping";
  }
  return "?";
}

bool is_journaled(request_kind kind) {
  return kind == request_kind::answer || kind == request_kind::back || kind == request_kind::suspend;
}

std::string_view to_string(connection_state state) {
  switch (state) {
    case connection_state::idle: return "idle";
    case connection_state::connecting: return "connecting";
    case connection_state::connected: return "connected";
    case connection_state::online: return "online";
    case connection_state::offline: return "offline";
    case connection_state::stopped: return "stopped";
  }
  return "?";
}

}  // namespace cati::client
