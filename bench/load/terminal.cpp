#include "terminal.hpp"

namespace cati::bench {

std::string terminal::answer_for(const v1::Screen& screen) {
  switch (screen.type()) {
    case v1::SINGLE:
    case v1::MULTIPLE:
      for (const auto& choice : screen.choices())
        if (!choice.missing()) return std::to_string(choice.code());
      return screen.choices().empty() ? "" : std::to_string(screen.choices(0).code());
    case v1::INTEGER_NUMBER:
    case v1::DECIMAL_NUMBER:
      return "1";
    case v1::FREE_TEXT:
      return "load test";
    default:
      return "";
  }
}

void terminal::request(v1::ClientMessage& message) {
  message.set_request_id(next_request_id_++);
  send(message.SerializeAsString());
}

void terminal::opened() {
  v1::ClientMessage m;
  auto* login = m.mutable_login();
  login->set_user(options_.user);
  login->set_password(options_.password);
  login->set_client("cati-load");
  request(m);
}

void terminal::answer_screen() {
  v1::ClientMessage m;
  auto* a = m.mutable_answer();
  a->set_interview_id(screen_.interview_id());
  a->set_seq(screen_.next_seq());
  a->set_question(screen_.question());
  a->set_value(answer_for(screen_));
  request(m);
}

void terminal::send_request() {
  if (options_.idle) return;  // never paced: run() is not called in idle mode
  if (screen_.position() == loop_position_ && screen_.can_go_back()) {
    v1::ClientMessage m;
    auto* b = m.mutable_back();
    b->set_interview_id(screen_.interview_id());
    b->set_seq(screen_.next_seq());
    request(m);
  } else {
    answer_screen();
  }
}

void terminal::on_screen(const v1::Screen& screen) {
  screen_ = screen;
  if (looping_) {
    step_done();
    return;
  }
  if (answered_ < options_.forward) {
    ++answered_;
    answer_screen();
    return;
  }
  looping_ = true;
  loop_position_ = screen.position();
  setup_done();
}

// After a login: an interview left open by an earlier run goes on where it stopped (its screen is taken
// as the end of the setup), a held case gets its interview, otherwise the next case.
void terminal::resume_or_take_case() {
  logging_in_ = false;
  if (options_.idle) return setup_done();  // logged in: sits, whatever the server holds for it
  if (held_screen_) {
    answered_ = options_.forward;
    return on_screen(*held_screen_);
  }
  v1::ClientMessage m;
  if (held_case_)
    m.mutable_start_interview()->set_case_id(*held_case_);
  else
    m.mutable_next_case();
  request(m);
}

void terminal::received(const std::string& frame) {
  v1::ServerMessage m;
  if (!m.ParseFromString(frame)) return fail("a frame that is not a ServerMessage");
  switch (m.body_case()) {
    case v1::ServerMessage::kLoginOk: {
      // Replies come in request order: when the Ping's Pong is in, so is any held case and screen.
      v1::ClientMessage ping;
      ping.mutable_ping();
      return request(ping);
    }
    case v1::ServerMessage::kPong:
      if (logging_in_) resume_or_take_case();
      return;
    case v1::ServerMessage::kCaseCard: {
      if (logging_in_) {
        held_case_ = m.case_card().case_id();
        return;
      }
      v1::ClientMessage start;
      start.mutable_start_interview()->set_case_id(m.case_card().case_id());
      return request(start);
    }
    case v1::ServerMessage::kNoCase:
      return fail("NoCase: " + m.no_case().ShortDebugString());
    case v1::ServerMessage::kScreen:
      if (logging_in_) {
        held_screen_ = m.screen();
        return;
      }
      return on_screen(m.screen());
    case v1::ServerMessage::kAnswerAck:
      if (looping_) acknowledged();
      return;
    case v1::ServerMessage::kInterviewEnd: {
      // Not expected before the quota point; take the next case and go on.
      looping_ = false;
      answered_ = 0;
      v1::ClientMessage next;
      next.mutable_next_case();
      return request(next);
    }
    case v1::ServerMessage::kError:
      return fail("Error " + v1::Error::Code_Name(m.error().code()) + ": " + m.error().message());
    default:
      return;  // pushes (Notice, Pong): nothing to do
  }
}

}  // namespace cati::bench
