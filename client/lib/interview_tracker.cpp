#include "lib/interview_tracker.hpp"

#include <algorithm>

namespace cati::client {

void interview_tracker::observe(const v1::ServerMessage& message) {
  switch (message.body_case()) {
    case v1::ServerMessage::kCaseCard:
      case_id_ = message.case_card().case_id();
      break;
    case v1::ServerMessage::kScreen: {
      const auto& screen = message.screen();
      const std::uint32_t next = std::max<std::uint32_t>(screen.next_seq(), 1);
      if (screen.interview_id() != interview_id_) {
        interview_id_ = screen.interview_id();
        last_assigned_ = next - 1;
        next_seq_ = next;
      } else {
        next_seq_ = std::max(next, last_assigned_ + 1);
      }
      question_ = screen.question();
      break;
    }
    case v1::ServerMessage::kInterviewEnd:
      if (message.interview_end().interview_id() == interview_id_) {
        interview_id_.clear();
        question_.clear();
      }
      break;
    default:
      break;
  }
}

void interview_tracker::restore(const std::string& interview_id, std::uint32_t seq, const std::string& question) {
  interview_id_ = interview_id;
  last_assigned_ = seq;
  next_seq_ = seq + 1;
  if (!question.empty()) question_ = question;
}

std::optional<interview_tracker::stamp> interview_tracker::assign(std::string_view question) {
  if (interview_id_.empty()) return std::nullopt;
  stamp s{interview_id_, next_seq_, question.empty() ? question_ : std::string(question)};
  last_assigned_ = next_seq_++;
  return s;
}

void interview_tracker::release(const stamp& s) {
  if (s.interview_id == interview_id_ && s.seq == last_assigned_) {
    next_seq_ = s.seq;
    last_assigned_ = s.seq - 1;
  }
}

void interview_tracker::refused(const std::string& interview_id, std::uint32_t seq) {
  if (interview_id == interview_id_ && seq <= last_assigned_) {
    next_seq_ = seq;
    last_assigned_ = seq - 1;
  }
}

}  // namespace cati::client
