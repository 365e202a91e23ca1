// A message_handler for the transport tests: records what it gets and answers like an echo server.
//   Ping                 -> Pong{now: "pong"} (request id echoed)
//   Login{user: "flood", password: "N SIZE"} -> N pushed Pongs of SIZE bytes each, at once
//   Login{user: "throw"} -> throws (the transport answers INTERNAL)
//   anything else        -> Pong{now: <body name>}
// drain(done) pushes Notice{message: "drained"} to every session it knows, then calls done() (or,
// after set_drain_hangs(), keeps done and never calls it).
// Thread-safety: all members may be used from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/message_handler.hpp"
#include "net/wire_codec.hpp"

namespace cati::net::test {

class test_handler final : public message_handler {
 public:
  void on_open(const std::shared_ptr<session>& s) override {
    const std::lock_guard lock(mutex_);
    open_[s->id()] = s;
    ++opened_;
    changed_.notify_all();
  }

  void on_message(const std::shared_ptr<session>& s, cati::v1::ClientMessage message) override {
    {
      const std::lock_guard lock(mutex_);
      messages_.push_back(message);
      changed_.notify_all();
    }
    if (message.has_login() && message.login().user() == "throw") throw std::runtime_error("test handler throws");
    if (message.has_login() && message.login().user() == "flood") {
      std::istringstream args(message.login().password());
      int n = 0;
      std::size_t size = 0;
      args >> n >> size;
      cati::v1::ServerMessage push;
      push.mutable_pong()->set_now(std::string(size, 'x'));
      for (int i = 0; i < n; ++i) s->send(push);
      return;
    }
    cati::v1::ServerMessage reply;
    reply.set_request_id(message.request_id());
    reply.mutable_pong()->set_now(message.has_ping() ? std::string("pong") : std::string(wire_type_name(message)));
    s->send(std::move(reply));
  }

  void on_close(const std::shared_ptr<session>& s) override {
    const std::lock_guard lock(mutex_);
    open_.erase(s->id());
    ++closed_;
    changed_.notify_all();
  }

  void drain(std::function<void()> done) override {
    std::vector<std::weak_ptr<session>> open;
    {
      const std::lock_guard lock(mutex_);
      drained_ = true;
      if (drain_hangs_) {
        held_done_ = std::move(done);  // never called: the server must go on after its drain timeout
        return;
      }
      for (const auto& [id, s] : open_) open.push_back(s);
    }
    cati::v1::ServerMessage last;
    last.mutable_notice()->set_message("drained");
    for (const auto& w : open) {
      if (auto s = w.lock()) s->send(last);
    }
    done();
  }

  // Waits until pred() holds (checked under the lock) or the timeout passes.
  bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, pred);
  }

  // drain() keeps `done` and never calls it.
  void set_drain_hangs() { const std::lock_guard lock(mutex_); drain_hangs_ = true; }

  int opened() const { const std::lock_guard lock(mutex_); return opened_; }
  int closed() const { const std::lock_guard lock(mutex_); return closed_; }
  bool drained() const { const std::lock_guard lock(mutex_); return drained_; }
  std::vector<cati::v1::ClientMessage> messages() const { const std::lock_guard lock(mutex_); return messages_; }
  std::vector<std::shared_ptr<session>> open_sessions() const {
    const std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<session>> out;
    for (const auto& [id, s] : open_) out.push_back(s);
    return out;
  }

  // For use inside wait_until predicates (the lock is already held there).
  int opened_locked() const { return opened_; }
  int closed_locked() const { return closed_; }
  std::size_t messages_locked() const { return messages_.size(); }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<session::id_type, std::shared_ptr<session>> open_;
  std::vector<cati::v1::ClientMessage> messages_;
  int opened_ = 0;
  int closed_ = 0;
  bool drained_ = false;
  bool drain_hangs_ = false;
  std::function<void()> held_done_;
};

}  // namespace cati::net::test
