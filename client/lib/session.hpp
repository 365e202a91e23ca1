// cati::client::session: one terminal's conversation with cati-server. It connects (ws:// or wss://),
// logs in, keeps the session token and resumes with it after the connection drops (exponential backoff
// with jitter), matches replies to requests, and keeps every Answer/Back/Suspend in an on-disk journal
// until the server acknowledged it, so nothing typed is lost to the network, a server restart or a
// crash of the terminal.
//
// Threading contract
// - The session runs its own io thread (start() to stop()). All its state lives there.
// - Every public member function is thread-safe and returns at once: a request is posted to the io
//   thread and its id returned; what happens to it arrives later as events.
// - Events are delivered in order, either
//     * to the handler set with set_event_handler() before start(), called on the io thread: it must not
//       block, and must not call stop() (it may issue requests; they are queued behind it), or
//     * without a handler, into a queue the front end drains with poll() (an ncurses loop polls with a
//       short timeout between keystrokes).
// - The destructor calls stop(). stop() joins the io thread: never call it from the event handler.
//
// Requests and replies
// - Every request gets a fresh request_id (never 0). A message_event carries the kind of request it
//   answers, and `settles` on the message that completes it (outbox.hpp has the rule: Error, or any
//   reply but AnswerAck/Notice). Pushes (request_id 0) come as message_events with kind none.
// - Requests other than Answer/Back/Suspend fail with a timeout (failed_event) when no settling reply
//   came within options.request_timeout; they are resent with the same id after a reconnect.
//
// Interviews and the journal
// - The session tracks the held case (CaseCard), the open interview and the question on screen (Screen)
//   and stamps Answer/Back/Suspend with (interview_id, seq). Before a stamped message is sent it is
//   appended to the journal and fsynced; a queued_event says so (online or not). It is removed once the
//   server acknowledged it (an AnswerAck, or the Screen/InterviewEnd answering it).
// - While offline the front end may go on answering: answers are journaled and go out, in order and
//   with their original ids and seqs, after the reconnect; the server applies each exactly once. They
//   carry the question the terminal had on screen (or the one the front end names): the server is the
//   authority on routing and refuses an answer for another question. When the server refuses one, the
//   front end gets the Error (message_event), and the answers queued behind it for that interview are
//   dropped from the journal, each with a failed_event (code dropped).
// - The journal file belongs to a user and a server (or the sorted list of servers of one fieldwork):
//   options.journal_dir/<user>@<url>.journal. It is
//   opened at start() when options.user is set, else at the first login(); what it holds is resent once
//   logged in, so a terminal restarted after a crash picks up where it was. An empty journal_dir keeps
//   the journal in memory only (tests).
//
// Order: a state change that a message causes is reported before it ("online" before the LoginOk that
// made it so, "offline, 3 answers waiting" before the queued_event of the third), so a front end that
// stops reading at the event it waited for has seen the state that goes with it.
//
// Several servers: options.url may list the servers of one fieldwork ("ws://a:8080,ws://b:8080", an
// active one and standbys). The session finds the active one by itself: a standby answers any request
// with Error{STANDBY, active_server} and the session goes there at once (a notice_event says so; the
// request is not settled by it, it goes to the active server); a server that cannot be reached or is
// lost is followed at once by the next of the list, and the backoff delays only a whole round of failed
// attempts. After the switch it resumes with its token (tokens are in the fieldwork's database, which all
// the servers share) and resends what was not acknowledged, as after any reconnect.
//
// Connection states: connecting -> connected (WebSocket open) -> online (logged in) -> offline (lost; a
// retry is scheduled) -> connecting ... A state_event reports each change, and while offline each change
// of the number of unacknowledged answers ("offline, 3 answers waiting").
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cati/v1/wire.pb.h"
#include "lib/backoff.hpp"
#include "lib/events.hpp"

namespace cati::client {

struct session_options {
  std::string url;                    // ws://host:port[/path] or wss://..., or several, comma-separated
  std::string user;                   // optional: opens the journal at start(); login() may name it later
  std::filesystem::path journal_dir;  // empty: journal kept in memory only
  std::string ca_file;                // wss: PEM file of the CA to trust; empty: the system's
  bool insecure = false;              // wss: do not verify the server's certificate
  std::string client_name = "cati-term 0.1";
  backoff_policy backoff{};           // 100 ms doubling to 5 s by default
  std::chrono::milliseconds request_timeout{30000};
  std::chrono::milliseconds connect_timeout{10000};
  std::uint64_t seed = 0;             // jitter; 0: from the clock
};

// CallResult: how the call on the held case ended.
struct call_report {
  v1::Outcome outcome = v1::OUTCOME_UNSPECIFIED;
  std::string appointment_at;  // RFC 3339, for APPOINTMENT
  bool personal_appointment = false;
  std::string note;
  std::string number;                   // the number dialled
  std::optional<std::int64_t> case_id;  // default: the held case (the last CaseCard)
};

// Suspend: break-off, or an appointment to go on later.
struct suspend_report {
  v1::Outcome outcome = v1::BREAK_OFF;
  std::string appointment_at;
  std::string note;
};

struct quota_request {
  v1::QuotaAction::Kind kind = v1::QuotaAction::KIND_UNSPECIFIED;
  std::string quota;
  std::vector<std::string> values;
  int target = 0;
};

class session {
 public:
  using event_handler = std::function<void(event)>;

  explicit session(session_options options);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  void set_event_handler(event_handler handler);  // before start(); without one, use poll()
  void start();                                   // connects, and keeps reconnecting until stop()
  void stop();                                    // idempotent; joins the io thread

  // Queue mode: the oldest undelivered event, waiting up to `timeout`.
  std::optional<event> poll(std::chrono::milliseconds timeout);

  connection_state state() const;
  std::size_t unacked() const;      // Answer/Back/Suspend in the journal, not yet acknowledged
  // Requests issued and not settled yet (journaled ones included). Updated after the events that change
  // it were delivered: at 0, every reply is in the queue or was handed to the handler.
  std::size_t outstanding() const;

  request_id login(std::string user, std::string password);
  request_id logout();
  request_id next_case();
  request_id record_call(call_report report);
  request_id start_interview(std::string language = {}, std::optional<std::int64_t> case_id = {});
  request_id answer(std::string value, std::string question = {});  // question: default the one on screen
  request_id back();
  request_id suspend(suspend_report report);
  request_id set_language(std::string language);
  request_id watch_status();
  request_id quota_action(quota_request request);
  request_id set_clock(std::string now);
  request_id ping();

  class impl;  // session.cpp

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace cati::client
