// The requests a session has issued and not yet seen settled, in the order they were issued.
//
// Sending rules (pick_sendable):
// - Login and ResumeSession go out as soon as the WebSocket is open.
// - Nothing else goes out while one of those is unanswered.
// - Answer/Back/Suspend (journaled) go out only when logged in, and are barriers: whatever was issued
//   after one waits until it is settled. A refusal then never races ahead of the answers queued behind
//   it, a resent message is always the one the server expects next, and a NextCase typed after the last
//   answer reaches the server after it.
// - Other requests go out in order without waiting for each other's replies (they are not sequenced).
// After a reconnect every unsettled request goes out again with its request id, (interview_id, seq) and
// bytes unchanged: the server answers a repeat without doing it twice.
//
// Settling rule (settles()): an Error settles any request; an AnswerAck or a Notice does not (the
// Screen or InterviewEnd that follows an AnswerAck does), except that any reply settles a Logout (the
// server may answer it with Notice LOGGED_OUT); any other reply settles the request it answers.
//
// Thread-safety: none; the session uses it on its io thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "cati/v1/wire.pb.h"
#include "lib/events.hpp"

namespace cati::client {

struct pending_request {
  request_id id = 0;
  request_kind kind = request_kind::none;
  std::string frame;        // the serialized ClientMessage, sent as is every time
  bool sent = false;        // on the current connection
  bool acked = false;       // journaled: the server acknowledged it, the journal entry is gone
  bool internal = false;    // issued by the session itself (resume, re-login): not the front end's
  std::chrono::steady_clock::time_point deadline{};  // not journaled: fails with a timeout after it
  std::string interview_id; // journaled only
  std::uint32_t seq = 0;
};

bool settles(request_kind kind, v1::ServerMessage::BodyCase body);
bool is_auth(request_kind kind);

class outbox {
 public:
  void push(pending_request request) { queue_.push_back(std::move(request)); }
  pending_request* find(request_id id);
  std::optional<pending_request> take(request_id id);

  // The requests to send now (marked sent), in order; see the rules above.
  std::vector<const pending_request*> pick_sendable(bool logged_in);
  // The connection is gone: everything unsettled goes out again on the next one.
  void mark_unsent();
  // Requests the session issued for a connection that is gone (resume, re-login): dropped.
  void drop_internal();
  // Requests past their deadline (never journaled ones), removed.
  std::vector<pending_request> take_expired(std::chrono::steady_clock::time_point now);
  // Journaled requests of an interview with a seq above `seq`, removed (an earlier one was refused).
  std::vector<pending_request> take_journaled_after(const std::string& interview_id, std::uint32_t seq);
  // Everything, removed (stop()).
  std::vector<pending_request> take_all();

  bool contains(request_kind kind) const;
  std::size_t journaled() const;  // not yet acknowledged
  bool has_deadlines() const;
  bool empty() const { return queue_.empty(); }
  std::size_t size() const { return queue_.size(); }

 private:
  std::deque<pending_request> queue_;
};

}  // namespace cati::client
