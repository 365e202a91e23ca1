#include "lib/outbox.hpp"

#include <algorithm>

namespace cati::client {

bool settles(request_kind kind, v1::ServerMessage::BodyCase body) {
  if (kind == request_kind::logout) return body != v1::ServerMessage::BODY_NOT_SET;  // e.g. Notice LOGGED_OUT
  return body != v1::ServerMessage::kAnswerAck && body != v1::ServerMessage::kNotice &&
         body != v1::ServerMessage::BODY_NOT_SET;
}

bool is_auth(request_kind kind) { return kind == request_kind::login || kind == request_kind::resume; }

pending_request* outbox::find(request_id id) {
  const auto it = std::find_if(queue_.begin(), queue_.end(), [id](const auto& p) { return p.id == id; });
  return it == queue_.end() ? nullptr : &*it;
}

std::optional<pending_request> outbox::take(request_id id) {
  const auto it = std::find_if(queue_.begin(), queue_.end(), [id](const auto& p) { return p.id == id; });
  if (it == queue_.end()) return std::nullopt;
  pending_request p = std::move(*it);
  queue_.erase(it);
  return p;
}

std::vector<const pending_request*> outbox::pick_sendable(bool logged_in) {
  std::vector<const pending_request*> out;
  bool auth_busy = false;
  for (auto& p : queue_) {
    if (!is_auth(p.kind)) continue;
    if (!p.sent) {
      p.sent = true;
      out.push_back(&p);
    }
    auth_busy = true;
  }
  if (auth_busy) return out;
  for (auto& p : queue_) {
    const bool journaled = is_journaled(p.kind);
    if (journaled && !logged_in) break;
    if (!p.sent) {
      p.sent = true;
      out.push_back(&p);
    }
    if (journaled) break;  // everything behind it waits for its reply
  }
  return out;
}

void outbox::mark_unsent() {
  for (auto& p : queue_) p.sent = false;
}

void outbox::drop_internal() {
  std::erase_if(queue_, [](const auto& p) { return p.internal; });
}

std::vector<pending_request> outbox::take_expired(std::chrono::steady_clock::time_point now) {
  std::vector<pending_request> out;
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (!is_journaled(it->kind) && it->deadline <= now) {
      out.push_back(std::move(*it));
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::vector<pending_request> outbox::take_journaled_after(const std::string& interview_id, std::uint32_t seq) {
  std::vector<pending_request> out;
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (is_journaled(it->kind) && it->interview_id == interview_id && it->seq > seq) {
      out.push_back(std::move(*it));
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::vector<pending_request> outbox::take_all() {
  std::vector<pending_request> out(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
  queue_.clear();
  return out;
}

bool outbox::contains(request_kind kind) const {
  return std::any_of(queue_.begin(), queue_.end(), [kind](const auto& p) { return p.kind == kind; });
}

std::size_t outbox::journaled() const {
  return static_cast<std::size_t>(std::count_if(queue_.begin(), queue_.end(), [](const auto& p) { return is_journaled(p.kind) && !p.acked; }));
}

bool outbox::has_deadlines() const {
  return std::any_of(queue_.begin(), queue_.end(), [](const auto& p) { return !is_journaled(p.kind); });
}

}  // namespace cati::client
