#include "term/supervisor_mode.hpp"

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <set>
#include <sstream>
#include <vector>

#include "lib/session.hpp"

namespace cati::term {

namespace v1 = cati::v1;

namespace {

// Columns padded to their widest entry; the first `left` columns are aligned left, the rest right.
class text_table {
 public:
  explicit text_table(std::size_t left) : left_(left) {}
  void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  void print(std::ostream& out) const {
    std::vector<std::size_t> width;
    for (const auto& r : rows_)
      for (std::size_t i = 0; i < r.size(); ++i) {
        if (width.size() <= i) width.push_back(0);
        width[i] = std::max(width[i], r[i].size());
      }
    for (const auto& r : rows_) {
      std::string line;
      for (std::size_t i = 0; i < r.size(); ++i) {
        const std::string pad(width[i] - r[i].size(), ' ');
        line += (i ? "  " : "") + (i < left_ ? r[i] + pad : pad + r[i]);
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out << line << "\n";
    }
  }

 private:
  std::size_t left_;
  std::vector<std::vector<std::string>> rows_;
};

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// [######....] completes of the target, '+' for interviews in progress.
std::string bar(const v1::QuotaCellStatus& c, int width = 12) {
  const double target = std::max(c.target(), 1);
  const int done = std::min(width, static_cast<int>(width * c.completes() / target));
  const int busy = std::min(width - done, static_cast<int>(width * c.in_progress() / target + 0.999));
  return "[" + std::string(static_cast<std::size_t>(done), '#') + std::string(static_cast<std::size_t>(busy), '+') +
         std::string(static_cast<std::size_t>(width - done - busy), '.') + "]";
}

std::string join(const google::protobuf::RepeatedPtrField<std::string>& values, const char* sep) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : sep) + v;
  return out;
}

std::atomic<bool> stop_requested{false};
void on_stop_signal(int) { stop_requested = true; }

// From --password-file, else asked on the terminal without echo (or read as a line from a pipe).
std::string password_of(const term_options& options) {
  if (options.password) return *options.password;
  termios old{};
  const bool tty = ::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    std::cerr << "password for " << options.user << ": " << std::flush;
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  return line;
}

}  // namespace

std::string format_status(const v1::Status& st) {
  std::ostringstream out;
  int planned_today = 0;
  const std::string today = st.now().substr(0, 10);
  for (const auto& d : st.days())
    if (d.date() <= today) planned_today = d.planned_cumulative();
  out << "cati supervisor  " << st.now() << "\n";
  out << "completes " << st.completes() << " / " << st.target() << "  (plan by the end of today: " << planned_today
      << ")\n\n";

  text_table quotas(3);
  quotas.row({"quota", "cell", "label", "target", "completes", "in progress", "left", "", "state", "reach",
              "sample left"});
  for (const auto& c : st.cells())
    quotas.row({c.quota(), join(c.values(), "/"), c.label(), std::to_string(c.target()), std::to_string(c.completes()),
                std::to_string(c.in_progress()), std::to_string(c.left()), bar(c), c.open() ? "open" : "CLOSED",
                c.reachable() ? "reachable" : "NOT REACHABLE", std::to_string(c.sample_left())});
  quotas.print(out);

  if (!st.rates().empty()) {
    out << "\n";
    text_table rates(1);
    std::vector<std::string> head = {"rate"};
    for (const auto& r : st.rates()) head.push_back(r.group());
    rates.row(head);
    auto line = [&](const std::string& name, auto get) {
      std::vector<std::string> cells = {name};
      for (const auto& r : st.rates()) cells.push_back(get(r));
      rates.row(cells);
    };
    line("interviews", [](const v1::RateSet& r) { return std::to_string(r.interviews()); });
    line("RR3", [](const v1::RateSet& r) { return r.has_rr3() ? fixed(r.rr3(), 4) : "n/a"; });
    line("COOP1", [](const v1::RateSet& r) { return r.has_coop1() ? fixed(r.coop1(), 4) : "n/a"; });
    line("REF1", [](const v1::RateSet& r) { return r.has_ref1() ? fixed(r.ref1(), 4) : "n/a"; });
    line("CON1", [](const v1::RateSet& r) { return r.has_con1() ? fixed(r.con1(), 4) : "n/a"; });
    std::set<std::string> codes;
    for (const auto& r : st.rates())
      for (const auto& entry : r.dispositions()) codes.insert(entry.first);
    for (const auto& code : codes)
      line(code, [&code](const v1::RateSet& r) {
        auto it = r.dispositions().find(code);
        return std::to_string(it == r.dispositions().end() ? 0 : it->second);
      });
    rates.print(out);
  }

  out << "\n";
  if (st.interviewers().empty()) {
    out << "no interviewer online or active today\n";
  } else {
    text_table people(3);
    people.row({"interviewer", "online", "now", "calls", "completes", "calls/h", "completes/h", "mean interview"});
    for (const auto& i : st.interviewers())
      people.row({i.user(), i.online() ? "online" : "offline", i.online() ? i.state() : "-", std::to_string(i.calls()),
                  std::to_string(i.completes()), fixed(i.calls_per_hour(), 1), fixed(i.completes_per_hour(), 2),
                  i.has_mean_interview_minutes() ? fixed(i.mean_interview_minutes(), 1) + " min" : "-"});
    people.print(out);
  }
  return out.str();
}

int run_supervisor_mode(const term_options& options) {
  if (options.user.empty()) {
    std::cerr << "cati-term: --supervisor needs --user\n";
    return 1;
  }
  const std::string password = password_of(options);
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);

  client::session_options so;
  so.url = options.server;
  so.ca_file = options.ca_file;
  so.insecure = options.insecure;
  so.client_name = "cati-term 0.1 (supervisor)";
  so.request_timeout = options.reply_timeout;
  client::session session(std::move(so));  // no journal: a supervisor sends no answers
  session.start();
  session.login(options.user, password);

  const bool screen = ::isatty(STDOUT_FILENO) != 0;
  int code = 0;
  while (!stop_requested) {
    auto e = session.poll(std::chrono::milliseconds(200));
    if (!e) continue;
    if (const auto* s = std::get_if<client::state_event>(&*e)) {
      // Online after the login and after every reconnect (the session resumes with its token): watch
      // again, since the server's watch list is per connection.
      if (s->state == client::connection_state::online) session.watch_status();
      else if (s->state == client::connection_state::offline)
        std::cerr << "offline: reconnecting" << (s->cause ? " (" + s->cause->message + ")" : "") << "\n";
      continue;
    }
    if (const auto* f = std::get_if<client::failed_event>(&*e)) {
      std::cerr << "cati-term: " << client::to_string(f->kind) << ": " << f->err.message << "\n";
      continue;
    }
    const auto* m = std::get_if<client::message_event>(&*e);
    if (!m) continue;
    if (m->message.has_error() &&
        (m->kind == client::request_kind::login || m->kind == client::request_kind::watch_status)) {
      std::cerr << "cati-term: " << m->message.error().message() << "\n";
      code = 1;
      break;
    }
    if (m->message.has_status()) {
      std::cout << (screen ? "\x1b[H\x1b[2J" : "\n") << format_status(m->message.status()) << std::flush;
    }
  }
  session.stop();
  return code;
}

}  // namespace cati::term
