#include "net/standby.hpp"

namespace cati::net {

active_server_lookup::active_server_lookup(std::function<std::string()> fetch, std::chrono::milliseconds ttl)
    : fetch_(std::move(fetch)), ttl_(ttl) {}

std::string active_server_lookup::get() {
  const std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (!have_ || now - fetched_ >= ttl_) {
    try {
      url_ = fetch_();
    } catch (const std::exception&) {
      // A database that cannot be read just now: the last answer stays, and it is asked again later.
    }
    have_ = true;
    fetched_ = now;
  }
  return url_;
}

cati::v1::ServerMessage standby_reply(std::uint64_t request_id, const std::string& active_url) {
  cati::v1::ServerMessage m;
  m.set_request_id(request_id);
  auto* e = m.mutable_error();
  e->set_code(cati::v1::Error::STANDBY);
  e->set_active_server(active_url);
  e->set_message(active_url.empty()
                     ? "this server is a standby and no active server is known just now: try again shortly"
                     : "this server is a standby; the active server is at " + active_url);
  return m;
}

health_report standby_health(const std::string& active_url) {
  return {false, active_url.empty() ? "standby: no active server known\n"
                                    : "standby: the active server is at " + active_url + "\n"};
}

void standby_handler::on_message(const std::shared_ptr<session>& s, cati::v1::ClientMessage message) {
  s->send(standby_reply(message.request_id(), active_.get()));
  s->close(close_code::normal);
}

void handler_switch::use(message_handler* h) {
  const std::lock_guard lock(mutex_);
  current_ = h;
}

message_handler* handler_switch::of(const session& s) {
  const std::lock_guard lock(mutex_);
  const auto it = opened_with_.find(s.id());
  return it == opened_with_.end() ? nullptr : it->second;
}

void handler_switch::on_open(const std::shared_ptr<session>& s) {
  message_handler* h = nullptr;
  {
    const std::lock_guard lock(mutex_);
    h = current_;
    opened_with_[s->id()] = h;
  }
  if (h) h->on_open(s);
}

void handler_switch::on_message(const std::shared_ptr<session>& s, cati::v1::ClientMessage m) {
  if (auto* h = of(*s)) h->on_message(s, std::move(m));
}

void handler_switch::on_close(const std::shared_ptr<session>& s) {
  message_handler* h = nullptr;
  {
    const std::lock_guard lock(mutex_);
    if (const auto it = opened_with_.find(s->id()); it != opened_with_.end()) {
      h = it->second;
      opened_with_.erase(it);
    }
  }
  if (h) h->on_close(s);
}

void handler_switch::drain(std::function<void()> done) {
  message_handler* h = nullptr;
  {
    const std::lock_guard lock(mutex_);
    h = current_;
  }
  if (h) h->drain(std::move(done));
  else done();
}

}  // namespace cati::net
