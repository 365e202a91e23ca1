#include "lib/script_runner.hpp"

#include <istream>
#include <ostream>

#include "lib/script.hpp"
#include "lib/text_form.hpp"

namespace cati::client {

namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How long wait-online and login keep listening once everything is settled, for the pushes that follow
// a login or a resume.
constexpr milliseconds quiet_period{150};

enum class outcome_of_wait { pending, settled, queued, fatal };

class runner {
 public:
  runner(session& s, std::ostream& out, const script_options& options) : s_(s), out_(out), options_(options) {}

  int run(std::istream& in) {
    std::string text;
    int line = 0;
    while (std::getline(in, text)) {
      ++line;
      auto parsed = parse_script_line(text, line);
      if (!parsed) {
        print("error SCRIPT: " + parsed.error().message);
        return 1;
      }
      if (!*parsed) continue;
      const script_action& a = **parsed;
      if (a.verb == script_verb::expect) {
        if (last_output_.find(a.text) == std::string::npos) {
          print("error EXPECT: line " + std::to_string(line) + ": expected '" + a.text + "' in the last output");
          return 1;
        }
        continue;
      }
      last_output_.clear();
      if (a.verb == script_verb::quit) return 0;
      if (!perform(a)) return 1;
    }
    drain(milliseconds(0));
    return 0;
  }

 private:
  // Runs one action; false ends the script with exit code 1.
  bool perform(const script_action& a) {
    switch (a.verb) {
      case script_verb::sleep: {
        const auto until = steady::now() + a.duration;
        while (!failed_ && steady::now() < until) {
          drain(std::chrono::duration_cast<milliseconds>(until - steady::now()));
        }
        return !failed_;
      }
      case script_verb::wait_online: return wait_online(a);
      case script_verb::login: {
        const std::string user = a.user.empty() ? options_.user : a.user;
        if (user.empty()) {
          print("error SCRIPT: line " + std::to_string(a.line) + ": login without a user, and no --user");
          return false;
        }
        // The server follows a LoginOk with the case and screen the terminal was on: let them arrive,
        // so that an `answer` right after the login of a restarted terminal has its interview.
        return await(s_.login(user, a.password.value_or(options_.password)), a) && settle_down();
      }
      case script_verb::next: return await(s_.next_case(), a);
      case script_verb::outcome: return await(s_.record_call(a.call), a);
      case script_verb::start: return await(s_.start_interview(a.text), a);
      case script_verb::answer: return await(s_.answer(a.text), a);
      case script_verb::back: return await(s_.back(), a);
      case script_verb::suspend: return await(s_.suspend(a.pause), a);
      case script_verb::lang: return await(s_.set_language(a.text), a);
      case script_verb::watch: return await(s_.watch_status(), a);
      case script_verb::quota: return await(s_.quota_action(a.quota), a);
      case script_verb::clock: return await(s_.set_clock(a.text), a);
      case script_verb::ping: return await(s_.ping(), a);
      case script_verb::logout: return await(s_.logout(), a);
      case script_verb::expect:
      case script_verb::quit: break;
    }
    return true;
  }

  bool await(request_id id, const script_action& a) {
    const auto deadline = steady::now() + options_.reply_timeout;
    while (!failed_) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady::now());
      if (left <= milliseconds(0)) break;
      auto e = s_.poll(left);
      if (!e) continue;
      const outcome_of_wait w = show(*e, id);
      if (w == outcome_of_wait::fatal) return false;
      if (w == outcome_of_wait::settled || w == outcome_of_wait::queued) return true;
    }
    if (failed_) return false;
    print("error TIMEOUT: line " + std::to_string(a.line) + ": no reply within " +
          std::to_string(options_.reply_timeout.count()) + " ms");
    return false;
  }

  bool wait_online(const script_action& a) {
    if (quiet_until([this] { return s_.state() == connection_state::online && s_.outstanding() == 0; })) return true;
    if (failed_) return false;
    print("error TIMEOUT: line " + std::to_string(a.line) + ": not online with every answer delivered within " +
          std::to_string(options_.reply_timeout.count()) + " ms");
    return false;
  }

  // Prints events until `ready` holds and nothing arrived for quiet_period; false after reply_timeout.
  template <class Ready>
  bool quiet_until(Ready ready) {
    const auto deadline = steady::now() + options_.reply_timeout;
    auto quiet_since = steady::now();
    while (!failed_ && steady::now() < deadline) {
      const bool now_ready = ready();
      if (now_ready && steady::now() - quiet_since >= quiet_period) return true;
      if (auto e = s_.poll(milliseconds(20))) {
        if (show(*e, 0) == outcome_of_wait::fatal) return false;
        quiet_since = steady::now();
      } else if (!now_ready) {
        quiet_since = steady::now();
      }
    }
    return false;
  }

  bool settle_down() {
    return quiet_until([] { return true; }) || !failed_;
  }

  // Prints what arrives within `timeout` (at least what is already there).
  void drain(milliseconds timeout) {
    const auto deadline = steady::now() + timeout;
    for (;;) {
      const auto left = std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(deadline - steady::now()));
      auto e = s_.poll(left);
      if (!e) return;
      if (show(*e, 0) == outcome_of_wait::fatal) return;
    }
  }

  // Prints an event and says what it means for request `id` (0: none in particular).
  outcome_of_wait show(const event& e, request_id id) {
    if (const auto* st = std::get_if<state_event>(&e)) return show_state(*st);
    if (const auto* q = std::get_if<queued_event>(&e)) {
      if (q->online) return keep_waiting();  // the reply follows; only offline queueing is news
      print(to_text(e));
      return q->id == id ? outcome_of_wait::queued : keep_waiting();
    }
    print(to_text(e));
    if (const auto* m = std::get_if<message_event>(&e)) {
      return m->settles && m->message.request_id() == id && id != 0 ? outcome_of_wait::settled : keep_waiting();
    }
    if (const auto* f = std::get_if<failed_event>(&e)) {
      if (f->err.fatal()) {
        failed_ = true;
        return outcome_of_wait::fatal;
      }
      return f->id == id && id != 0 ? outcome_of_wait::settled : keep_waiting();
    }
    return keep_waiting();
  }

  outcome_of_wait show_state(const state_event& st) {
    if (st.state == connection_state::online) been_online_ = true;
    std::string text;
    switch (st.state) {
      case connection_state::online:
      case connection_state::stopped: text = to_text(event(st)); break;
      case connection_state::offline: text = to_text(event(st)); break;
      case connection_state::connecting:
        // Between retries: still offline, as far as the interviewer is concerned.
        if (been_online_ || st.unacked > 0 || last_state_.starts_with("state offline")) {
          state_event as_offline = st;
          as_offline.state = connection_state::offline;
          text = to_text(event(as_offline));
        }
        break;
      default: break;
    }
    if (!text.empty() && text != last_state_) {
      last_state_ = text;
      print(text);
    }
    if (st.state == connection_state::stopped && st.cause && st.cause->fatal()) {
      print(to_text(event(failed_event{0, request_kind::none, *st.cause, {}, 0})));
      failed_ = true;
      return outcome_of_wait::fatal;
    }
    return keep_waiting();
  }

  static outcome_of_wait keep_waiting() { return outcome_of_wait::pending; }

  void print(const std::string& text) {
    out_ << text << '\n' << std::flush;
    last_output_ += text;
    last_output_ += '\n';
  }

  session& s_;
  std::ostream& out_;
  const script_options& options_;
  std::string last_output_;
  std::string last_state_;
  bool been_online_ = false;
  bool failed_ = false;
};

}  // namespace

int run_script(session& s, std::istream& in, std::ostream& out, const script_options& options) {
  return runner(s, out, options).run(in);
}

}  // namespace cati::client
