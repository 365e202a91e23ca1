// What the terminal believes about the case and interview it works on, from the messages it received:
// the held case, the open interview, the question on screen and the seq the next Answer/Back/Suspend
// carries. The server is the authority; this only stamps outgoing messages.
//
// Seqs: the next seq is the Screen's next_seq, except that answers queued offline have already taken
// seqs beyond it (the server has not seen them yet), so it never goes below the last seq handed out. A
// refused seq was not applied: the next message reuses it.
//
// Thread-safety: none; the session uses it on its io thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cati/v1/wire.pb.h"

namespace cati::client {

class interview_tracker {
 public:
  struct stamp {
    std::string interview_id;
    std::uint32_t seq = 0;
    std::string question;
  };

  // Every message from the server, replies and pushes alike.
  void observe(const v1::ServerMessage& message);
  // A journaled message loaded at start-up: the interview it belongs to, and the seq it took.
  void restore(const std::string& interview_id, std::uint32_t seq, const std::string& question);

  // The stamp for the next message of the open interview (question: the given one, or the one on
  // screen); nullopt when no interview is open.
  std::optional<stamp> assign(std::string_view question = {});
  // The stamped message was not sent after all (the journal write failed): its seq is free again.
  void release(const stamp& s);
  // The server refused (interview_id, seq): nothing from seq on was applied.
  void refused(const std::string& interview_id, std::uint32_t seq);

  std::optional<std::int64_t> case_id() const { return case_id_; }
  const std::string& interview_id() const { return interview_id_; }
  const std::string& question() const { return question_; }
  std::uint32_t next_seq() const { return next_seq_; }

 private:
  std::optional<std::int64_t> case_id_;
  std::string interview_id_;
  std::string question_;
  std::uint32_t next_seq_ = 1;
  std::uint32_t last_assigned_ = 0;
};

}  // namespace cati::client
