#include "term/supervisor_mode.hpp"

#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "lib/session.hpp"
#include "term/view/text_layout.hpp"

namespace cati::term {

namespace v1 = cati::v1;

namespace {

// Columns padded to their widest entry, two spaces apart; the first `left` columns are aligned left, the
// rest right. Rows never pass `width` columns: the first column (labels, descriptions) gives way first,
// cut with a '~'.
class text_table {
 public:
  explicit text_table(std::size_t left) : left_(left) {}
  void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  // Columns of every row, the gaps included.
  std::size_t total() const {
    std::size_t sum = 0;
    for (std::size_t w : widths()) sum += w + 2;
    return sum > 0 ? sum - 2 : 0;
  }
  void print(std::ostream& out, std::size_t width) const {
    auto w = widths();
    if (!w.empty() && total() > width) w[0] = std::max<std::size_t>(4, w[0] - std::min(w[0], total() - width));
    for (const auto& r : rows_) {
      std::string line;
      for (std::size_t i = 0; i < r.size(); ++i) {
        std::string cell = columns(r[i]) > w[i] ? clip(r[i], w[i] - 1) + "~" : r[i];
        const std::string pad(w[i] - columns(cell), ' ');
        line += (i ? "  " : "") + (i < left_ ? cell + pad : pad + cell);
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out << line << "\n";
    }
  }

 private:
  std::vector<std::size_t> widths() const {
    std::vector<std::size_t> width;
    for (const auto& r : rows_)
      for (std::size_t i = 0; i < r.size(); ++i) {
        if (width.size() <= i) width.push_back(0);
        width[i] = std::max(width[i], columns(r[i]));
      }
    return width;
  }

  std::size_t left_;
  std::vector<std::vector<std::string>> rows_;
};

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// [######....] completes of the target, '+' for interviews in progress.
std::string bar(const v1::QuotaCellStatus& c, int width) {
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
std::atomic<bool> resized{false};
void on_resize_signal(int) { resized = true; }

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

std::string format_status(const v1::Status& st, std::size_t width) {
  std::ostringstream out;
  int planned_today = 0;
  const std::string today = st.now().substr(0, 10);
  for (const auto& d : st.days())
    if (d.date() <= today) planned_today = d.planned_cumulative();
  out << "cati supervisor  " << st.now() << "\n";
  out << "completes " << st.completes() << " / " << st.target() << "  (plan by the end of today: " << planned_today
      << ")\n";
  for (const auto& w : st.warnings()) out << clip("warning: " + w, width) << "\n";
  out << "\n";

  // One row per cell: its values and label, the counts, a bar as wide as the screen allows, and its state:
  // CLOSED, or how `cati quota` judges the target (on track, at risk, impossible, unknown, ...).
  const auto quota_rows = [&](int bar_width) {
    text_table quotas(2);
    // Without room for a bar the column goes, its gap too.
    const auto with_bar = [&](std::vector<std::string> cells, std::string bar_cell) {
      if (bar_width > 0) cells.insert(cells.begin() + 6, std::move(bar_cell));
      return cells;
    };
    quotas.row(with_bar({"quota", "cell", "target", "done", "in prog", "left", "state", "sample"}, "progress"));
    for (const auto& c : st.cells()) {
      const std::string state = !c.open() ? "CLOSED" : !c.reach().empty() ? c.reach() : c.reachable() ? "reachable" : "impossible";
      quotas.row(with_bar({c.quota(), join(c.values(), "/") + (c.label().empty() ? "" : " " + c.label()),
                           std::to_string(c.target()), std::to_string(c.completes()), std::to_string(c.in_progress()),
                           std::to_string(c.left()), state, std::to_string(c.sample_left())},
                          bar_width > 0 ? bar(c, bar_width) : ""));
    }
    return quotas;
  };
  const std::size_t without_bar = quota_rows(0).total();
  const int bar_width = std::clamp(static_cast<int>(width) - static_cast<int>(without_bar) - 4, 0, 12);
  quota_rows(bar_width < 4 ? 0 : bar_width).print(out, width);

  if (!st.rates().empty()) {
    out << "\n";
    text_table rates(1);
    std::vector<std::string> head = {"rate (released / worked cases)"};
    for (const auto& r : st.rates()) head.push_back(r.group());
    rates.row(head);
    const auto worked = [&](const v1::RateSet& r) -> const v1::RateSet* {
      for (const auto& w : st.worked_rates())
        if (w.group() == r.group()) return &w;
      return nullptr;
    };
    auto line = [&](const std::string& name, auto get) {
      std::vector<std::string> cells = {name};
      for (const auto& r : st.rates()) cells.push_back(get(r));
      rates.row(cells);
    };
    // A rate over the released cases, then over the worked ones: "0.001/0.250" ("-": n/a).
    auto both = [&](const std::string& name, auto has, auto value) {
      line(name, [&](const v1::RateSet& r) {
        const auto one = [&](const v1::RateSet* x) { return x && has(*x) ? fixed(value(*x), 3) : std::string("-"); };
        return one(&r) + "/" + one(worked(r));
      });
    };
    line("interviews", [](const v1::RateSet& r) { return std::to_string(r.interviews()); });
    both("RR3", [](const v1::RateSet& r) { return r.has_rr3(); }, [](const v1::RateSet& r) { return r.rr3(); });
    both("COOP1", [](const v1::RateSet& r) { return r.has_coop1(); }, [](const v1::RateSet& r) { return r.coop1(); });
    both("REF1", [](const v1::RateSet& r) { return r.has_ref1(); }, [](const v1::RateSet& r) { return r.ref1(); });
    both("CON1", [](const v1::RateSet& r) { return r.has_con1(); }, [](const v1::RateSet& r) { return r.con1(); });
    std::set<std::string> codes;
    for (const auto& r : st.rates())
      for (const auto& entry : r.dispositions()) codes.insert(entry.first);
    for (const auto& code : codes) {
      auto name = st.disposition_names().find(code);
      line(code + (name == st.disposition_names().end() ? "" : " " + name->second), [&code](const v1::RateSet& r) {
        auto it = r.dispositions().find(code);
        return std::to_string(it == r.dispositions().end() ? 0 : it->second);
      });
    }
    rates.print(out, width);
  }

  out << "\n";
  if (st.interviewers().empty()) {
    out << "no interviewer online or active today\n";
  } else {
    text_table people(2);
    people.row({"interviewer", "now", "calls", "completes", "calls/h", "compl./h", "mean"});
    for (const auto& i : st.interviewers())
      people.row({i.user(), i.online() ? i.state() : "offline", std::to_string(i.calls()), std::to_string(i.completes()),
                  fixed(i.calls_per_hour(), 1), fixed(i.completes_per_hour(), 2),
                  i.has_mean_interview_minutes() ? fixed(i.mean_interview_minutes(), 1) + " min" : "-"});
    people.print(out, width);
  }
  return out.str();
}

namespace {

// The terminal's width, 80 when it cannot be known (a pipe).
std::size_t terminal_width() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

// Draws `text` over the previous drawing: home, each line cleared to its end, the rest of the screen
// cleared. Nothing scrolls, so the view stays in place (no block per change in the scrollback).
void redraw(const std::string& text) {
  std::string out = "\x1b[H";
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    out += text.substr(start, nl == std::string::npos ? std::string::npos : nl - start) + "\x1b[K\r\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  out += "\x1b[J";
  std::cout << out << std::flush;
}

}  // namespace

int run_supervisor_mode(const term_options& options) {
  if (options.user.empty()) {
    std::cerr << "cati-term: --supervisor needs --user\n";
    return 1;
  }
  const std::string password = password_of(options);
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGWINCH, on_resize_signal);  // a resized window is redrawn to its new width at once

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
  bool alternate = false;
  int code = 0;
  std::optional<v1::Status> shown;  // the last Status drawn, redrawn on a resize
  while (!stop_requested) {
    if (resized.exchange(false) && alternate && shown) redraw(format_status(*shown, terminal_width()));
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
      shown = m->message.status();
      if (screen) {
        if (!alternate) std::cout << "\x1b[?1049h";  // the alternate screen: the shell's text is back on exit
        alternate = true;
        redraw(format_status(m->message.status(), terminal_width()));
      } else {
        std::cout << "\n" << format_status(m->message.status(), 80) << std::flush;
      }
    }
  }
  if (alternate) std::cout << "\x1b[?1049l" << std::flush;
  session.stop();
  return code;
}

}  // namespace cati::term
