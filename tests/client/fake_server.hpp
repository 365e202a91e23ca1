// An in-process stand-in for cati-server, for the client library's tests: a Beast WebSocket server on
// 127.0.0.1, port 0 (TLS when given a certificate), subprotocol cati.v1, with one interviewer, one case (12) and one interview of
// `questions` single-choice questions q1..qN (codes 1-3). It speaks enough of the protocol for the
// client: Login/ResumeSession (tokens it can expire), NextCase, CallResult, StartInterview, Answer, Back,
// Suspend with exactly-once by (interview_id, seq) (a repeat of the last seq gets AnswerAck duplicate=true
// and the same next Screen), SetLanguage, Ping, Logout, WatchStatus.
//
// It counts how often each (interview_id, seq) was applied, so tests can check that nothing was lost or
// doubled, and it can misbehave on command: drop every connection, stop listening (connections refused)
// and listen again on the same port, drop the connection right after applying an answer (the ack is
// lost), stay silent on pings, push a notice.
//
// Thread-safety: every member function may be called from the test's thread while the server runs on
// its own io thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace cati::client::testing {

class fake_server {
 public:
  struct options {
    std::string password = "secret";
    int questions = 4;
    std::string tls_cert_file;  // PEM certificate chain and key: wss:// instead of ws://
    std::string tls_key_file;
  };

  fake_server();
  explicit fake_server(options o);
  ~fake_server();
  fake_server(const fake_server&) = delete;
  fake_server& operator=(const fake_server&) = delete;

  std::string url() const;  // ws://127.0.0.1:<port>, or wss:// with a certificate

  void drop_connections();              // abort every open connection
  void set_listening(bool listening);   // false: close the acceptor (connections refused) and drop all
  void drop_after_apply(int count);     // the next `count` applied answers lose their reply
  void silent_pings(bool silent);       // pings get no reply
  void expire_tokens();                 // ResumeSession with a token issued so far: SESSION_EXPIRED
  void push_notice(const std::string& text);

  // (interview_id, seq) -> times applied; exactly-once means every value is 1.
  std::map<std::pair<std::string, std::uint32_t>, int> applied() const;
  std::vector<std::string> answers() const;  // the current interview's answers, q1 first ("" = none yet)
  bool interview_complete() const;
  int logins() const;
  int resumes() const;
  int connections() const;

  class impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace cati::client::testing
