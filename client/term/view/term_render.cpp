#include "term/view/term_render.hpp"

#include <algorithm>

#include "lib/text_form.hpp"
#include "term/view/outcome_keys.hpp"

namespace cati::term {

namespace {

using std::size_t;

// The bottom lines (feedback or an open prompt, keys, the status bar) are laid out first, wrapped to the
// width, and the body gets the rows above them: a text to read out is never cut. They take at most half
// of the screen; the body keeps the rest.

// Entries "key label" flowed into rows of at most `width` columns, two spaces apart.
std::vector<row> key_rows(const std::vector<std::pair<std::string, std::string>>& entries, size_t width) {
  std::vector<row> rows;
  row current;
  size_t used = 0;
  for (const auto& [k, label] : entries) {
    const size_t need = columns(k) + 1 + columns(label) + 2;
    if (used > 0 && used + need > width) {
      rows.push_back(std::move(current));
      current = row{};
      used = 0;
    }
    current.spans.push_back(span{" " + k, style::key});
    current.spans.push_back(span{" " + label + " ", style::normal});
    used += need;
  }
  if (used > 0) rows.push_back(std::move(current));
  return rows;
}

row labelled(const std::string& label, std::string value, style look = style::normal) {
  return row{{span{" " + pad(label, 12), style::dim}, span{std::move(value), look}}, style::normal};
}

std::string answer_form(const v1::Screen& s) {
  switch (s.type()) {
    case v1::SINGLE: return "type one code, Enter";
    case v1::MULTIPLE: return "type codes separated by spaces or commas, Enter";
    case v1::INTEGER_NUMBER: return "a whole number, Enter";
    case v1::DECIMAL_NUMBER: return "a number, Enter";
    case v1::FREE_TEXT: return "type the answer, Enter";
    case v1::NOTE: return "read it out, Enter to go on";
    default: return "Enter";
  }
}

void title_bar(frame_builder& b, const term_model& m) {
  std::string right;
  if (const auto& c = m.card()) right = "case " + std::to_string(c->case_id()) + "  " + c->company();
  std::string left = " cati-term  " + m.user() + "  " + m.study_title();
  const size_t w = static_cast<size_t>(b.width());
  if (columns(left) + columns(right) + 3 > w) left = clip(left, w > columns(right) + 3 ? w - columns(right) - 3 : 0);
  b.add(row{{span{left, style::title}, span{pad("", w - std::min(w, columns(left) + columns(right) + 1)), style::title},
             span{right + " ", style::title}},
            style::title});
}

// ---------------------------------------------------------------------------------------------------

void case_screen(frame_builder& b, const term_model& m, size_t width) {
  const auto& card = m.card();
  b.blank();
  if (!card) {
    b.add(" No case held. Press n for the next case to call.", style::heading);
    return;
  }
  const v1::CaseCard& c = *card;
  b.add(row{{span{" Case " + std::to_string(c.case_id()) + "  " + c.firm_id() + "  ", style::heading},
             span{c.company(), style::heading},
             span{"   attempt " + std::to_string(c.attempt()) + " of " + std::to_string(c.max_attempts()), style::normal}},
            style::normal});
  b.add(labelled("Contact", c.contact_name().empty() ? "-" : c.contact_name()));
  std::string lang = c.language();
  if (m.start_language() != c.language()) lang += "   (the interview starts in " + m.start_language() + ")";
  b.add(labelled("Language", lang));
  std::string others;
  for (const auto& n : c.numbers())
    if (n != m.dial()) others += (others.empty() ? "" : ", ") + n;
  b.add(row{{span{" " + pad("Dial", 12), style::dim}, span{m.dial(), style::input},
             span{others.empty() ? "" : "   other: " + others + " (Tab)", style::dim}},
            style::normal});
  b.add(labelled("Quota cell", c.quota_cell()));
  if (!c.appointment_at().empty()) {
    std::string a = m.time().show_time(c.appointment_at());
    if (!c.appointment_note().empty()) a += "  \"" + c.appointment_note() + "\"";
    b.add(labelled("Appointment", a, style::heading));
  }
  if (!c.interview_id().empty()) b.add(labelled("Interview", "suspended: Enter resumes where it stopped", style::heading));

  const auto keys = [&] {
    std::vector<std::pair<std::string, std::string>> e;
    for (const auto& k : call_outcome_keys()) e.emplace_back(to_utf8(k.letter), std::string(k.brief));
    return key_rows(e, width);
  }();
  // History gets what is left once the outcome keys have their rows.
  b.blank();
  const int for_history = b.left() - static_cast<int>(keys.size()) - 2;
  b.add(" Call history" + std::string(c.history().empty() ? ": first call" : ""), style::dim);
  const int n = c.history_size();
  int shown = std::clamp(for_history, 0, n);
  if (shown < n) shown = std::max(0, shown - 1);  // the "... earlier" row takes one
  if (shown < n) b.add("   ... " + std::to_string(n - shown) + " earlier", style::dim);
  for (int i = n - shown; i < n; ++i) {
    const auto& h = c.history(i);
    std::string outcome = client::outcome_name(h.outcome());
    std::replace(outcome.begin(), outcome.end(), '_', ' ');
    std::string line = "   " + m.time().show_time(h.at()) + "  " + pad(h.interviewer(), 8) + " " + pad(outcome, 18) + " " + h.number();
    if (!h.note().empty()) line += "  \"" + h.note() + "\"";
    b.add(line);
  }
  b.fill_to(static_cast<int>(keys.size()) + 1);
  b.add(" Outcome of the call:", style::dim);
  for (const auto& r : keys) b.add(r);
}

// ---------------------------------------------------------------------------------------------------

void interview_screen(frame_builder& b, const term_model& m, size_t width) {
  const v1::Screen& s = *m.screen();
  const size_t text_width = width > 2 ? width - 2 : width;
  const std::string pos = "question " + std::to_string(s.position()) + " of " + std::to_string(s.total()) + "  [" +
                          s.language() + "] ";
  b.add(row{{span{" " + s.question(), style::heading},
             span{pad("", width - std::min(width, columns(s.question()) + 1 + columns(pos))), style::normal},
             span{pos, style::dim}},
            style::normal});
  // The fixed rows under the question: a blank, the answer line, its problem (up to two rows), progress.
  const std::vector<std::string> problem =
      m.answer_problem().empty() ? std::vector<std::string>{} : wrap("! " + m.answer_problem(), width > 4 ? width - 4 : 1);
  const int problem_rows = std::clamp(static_cast<int>(problem.size()), 1, 2);
  const int below = 3 + problem_rows;
  std::vector<row> top;
  for (auto& line : wrap(s.text(), text_width)) top.push_back(row{{span{" " + line, style::normal}}, style::normal});
  if (!s.hint().empty()) {
    top.push_back(row{});
    for (auto& line : wrap("Interviewer: " + s.hint(), text_width)) top.push_back(row{{span{" " + line, style::hint}}, style::normal});
  }
  std::vector<row> choices;
  size_t widest = 0;
  for (const auto& c : s.choices()) widest = std::max(widest, columns(c.label()) + 7);
  for (const auto& c : s.choices()) {
    std::string code = std::to_string(c.code());
    choices.push_back(row{{span{"  " + pad(std::string(std::max<size_t>(3, code.size()) - code.size(), ' ') + code, 4), style::key},
                           span{" " + c.label(), c.missing() ? style::dim : style::normal}},
                          style::normal});
  }
  const int room = b.left() - below - 1;
  int need = static_cast<int>(top.size() + choices.size()) + (choices.empty() ? 0 : 1) + 1;
  // Too tall: choices side by side in two columns.
  if (need > room && choices.size() > 1 && widest * 2 + 2 <= width) {
    const size_t half = (choices.size() + 1) / 2;
    std::vector<row> two;
    for (size_t i = 0; i < half; ++i) {
      row r = choices[i];
      size_t used = 0;
      for (const auto& sp : r.spans) used += columns(sp.text);
      r.spans.push_back(span{std::string(width / 2 > used ? width / 2 - used : 1, ' '), style::normal});
      if (i + half < choices.size())
        for (const auto& sp : choices[i + half].spans) r.spans.push_back(sp);
      two.push_back(std::move(r));
    }
    choices = std::move(two);
    need = static_cast<int>(top.size() + choices.size()) + 2;
  }
  const bool spacious = need <= room;
  if (spacious) b.blank();
  for (auto& r : top) {
    if (b.left() <= below + static_cast<int>(choices.size())) break;  // the choices matter more
    b.add(std::move(r));
  }
  if (spacious && !choices.empty()) b.blank();
  for (auto& r : choices) b.add(std::move(r));

  b.fill_to(below);
  b.blank();
  // The answer line.
  const std::string prompt = " > ";
  const int input_row = b.used();
  const input_view typed = scroll_input(m.input().text(), m.input().cursor(), width > 4 ? width - 4 : 1);
  b.add(row{{span{prompt, style::key}, span{typed.text, style::input},
             span{m.input().empty() ? "  (" + answer_form(s) + ")" : "", style::dim}},
            style::normal});
  if (!m.open_prompt()) b.place_cursor(input_row, static_cast<int>(columns(prompt)) + typed.cursor);
  if (m.answer_waiting_offline()) {
    b.add("   answer saved on this terminal: the next question comes when the server is back", style::error);
  } else if (!m.answer_problem().empty()) {
    for (int i = 0; i < problem_rows; ++i) b.add("   " + problem[static_cast<std::size_t>(i)], style::error);
  } else if (m.waiting()) {
    b.add("   sending ...", style::dim);
  } else {
    b.blank();
  }
  const int total = std::max(1, s.total());
  const int bar = 30;
  const int done = std::clamp(s.position() * bar / total, 0, bar);
  b.add(row{{span{" progress [" + std::string(static_cast<size_t>(done), '#') + std::string(static_cast<size_t>(bar - done), '.') +
                      "] " + std::to_string(s.position()) + "/" + std::to_string(s.total()),
                  style::dim},
             span{s.can_go_back() ? "   PgUp: back" : "", style::dim}},
            style::normal});
}

// ---------------------------------------------------------------------------------------------------

void help_screen(frame_builder& b, const term_model& m, size_t width) {
  b.blank();
  b.add(" Keys (any key closes this help)", style::heading);
  b.add(" Case screen", style::dim);
  std::vector<std::pair<std::string, std::string>> cases = {
      {"n", "next case"}, {"Enter", "start the interview"}, {"Tab", "other number"}, {"F2", "interview language"},
      {"?", "help"},      {"q", "quit"}};
  for (auto& r : key_rows(cases, width)) b.add(std::move(r));
  std::vector<std::pair<std::string, std::string>> outcomes;
  for (const auto& k : call_outcome_keys())
    outcomes.emplace_back(to_utf8(k.letter), std::string(k.label) + (k.final ? "*" : ""));
  for (auto& r : key_rows(outcomes, width)) b.add(std::move(r));
  b.add(" Interview screen", style::dim);
  std::vector<std::pair<std::string, std::string>> interview = {
      {"codes", "+ Enter: answer (several codes: spaces or commas between)"}, {"PgUp", "back one question"},
      {"F2", "next language (" + [&] {
         std::string l;
         for (const auto& x : m.languages()) l += (l.empty() ? "" : "/") + x;
         return l.empty() ? std::string("nl/fr/en") : l;
       }() + ")"},
      {"F1", "help"}};
  for (const auto& k : suspend_keys())
    interview.emplace_back("F" + std::to_string(k.function), std::string(k.label) + (k.confirm ? "*" : ""));
  for (auto& r : key_rows(interview, width)) b.add(std::move(r));
  b.add(" Editing", style::dim);
  for (auto& r : key_rows({{"Left/Right", "move"}, {"Home/End", ""}, {"Backspace/Del", "erase"}, {"Ctrl-U", "clear"},
                           {"Esc", "cancel a prompt"}},
                          width))
    b.add(std::move(r));
  b.add(" * asks for a confirmation (y/n)", style::dim);
}

// `text` wrapped to the width less a margin, one row per line, each line led by a space.
void add_wrapped(std::vector<row>& rows, const std::string& text, size_t width, style look) {
  for (auto& line : wrap(text, width > 2 ? width - 2 : 1)) rows.push_back(row{{span{" " + line, look}}, style::normal});
}

// The rows above the status bar: an open prompt (what to read out, the question, the entry and why it
// was refused), or the last message and the keys. `cursor_row` is set to the entry's row, if any.
std::vector<row> bottom_rows(const term_model& m, size_t width, std::optional<cursor_at>& cursor) {
  std::vector<row> rows;
  if (const auto& p = m.open_prompt()) {
    if (!p->read_aloud.empty()) add_wrapped(rows, p->read_aloud, width, style::heading);
    add_wrapped(rows, p->question, width, p->what == prompt::kind::confirm ? style::error : style::heading);
    if (p->what == prompt::kind::appointment) {
      const input_view typed = scroll_input(p->entry.text(), p->entry.cursor(), width > 4 ? width - 4 : 1);
      cursor = cursor_at{static_cast<int>(rows.size()), 3 + typed.cursor};
      rows.push_back(row{{span{" > ", style::key}, span{typed.text, style::input},
                          span{p->sending ? "  sending ..." : "", style::dim}},
                         style::normal});
      if (!p->sending && !p->problem.empty()) add_wrapped(rows, "! " + p->problem, width, style::error);
    } else {
      rows.push_back(row{{span{" y", style::key}, span{" yes  ", style::normal}, span{"n", style::key},
                          span{"/", style::normal}, span{"Esc", style::key}, span{" no", style::normal}},
                         style::normal});
    }
    return rows;
  }
  if (m.message().text.empty()) {
    rows.push_back(row{});
  } else {
    add_wrapped(rows, m.message().text, width, m.message().look);
  }
  std::string keys;
  if (m.help()) {
    keys = "any key: back";
  } else if (m.in_interview()) {
    keys = "Enter answer  PgUp back  F2 lang  F5 appt  F6 break-off  F7/F8 refuse  F1 help";
  } else if (m.card()) {
    keys = "Enter interview  letters: outcome  Tab number  F2 lang  ? help  q quit";
  } else {
    keys = "n next case  ? help  q quit";
  }
  // The key hints flow as whole entries ("F6 break-off"), two spaces apart, onto as many rows as needed.
  std::string line;
  std::size_t start = 0;
  while (start < keys.size()) {
    std::size_t gap = keys.find("  ", start);
    const std::string entry = keys.substr(start, gap == std::string::npos ? std::string::npos : gap - start);
    start = gap == std::string::npos ? keys.size() : gap + 2;
    if (!line.empty() && columns(line) + 2 + columns(entry) + 1 > width) {
      rows.push_back(row{{span{" " + line, style::dim}}, style::normal});
      line.clear();
    }
    line += (line.empty() ? "" : "  ") + entry;
  }
  if (!line.empty()) rows.push_back(row{{span{" " + line, style::dim}}, style::normal});
  return rows;
}

void status_bar(frame_builder& b, const term_model& m, size_t width, std::chrono::steady_clock::time_point here) {
  const std::string conn = connection_text(m);
  const std::string counts = "calls " + std::to_string(m.calls_today()) + "  completes " + std::to_string(m.completes_today());
  const std::string when = m.time().show(here) + " ";
  const size_t used = columns(conn) + 2 + columns(counts) + columns(when);
  b.add(row{{span{" " + conn, m.connection() == link::online ? style::status : style::error},
             span{"  " + counts, style::status},
             span{pad("", width > used + 1 ? width - used - 1 : 1), style::status}, span{when, style::status}},
            style::status});
}

}  // namespace

std::string connection_text(const term_model& m) {
  switch (m.connection()) {
    case link::online: return "online";
    case link::connecting: return "connecting ...";
    case link::offline: {
      const std::size_t n = m.unacked();
      return "offline, " + std::to_string(n) + (n == 1 ? " answer waiting" : " answers waiting");
    }
  }
  return "";
}

frame render(const term_model& m, int width, int height, std::chrono::steady_clock::time_point here) {
  frame_builder b(width, height);
  const size_t w = static_cast<size_t>(std::max(width, 0));
  title_bar(b, m);
  std::optional<cursor_at> bottom_cursor;
  std::vector<row> lower = bottom_rows(m, w, bottom_cursor);
  // What does not fit in half the screen loses its first rows (the entry and the keys stay).
  const std::size_t most = static_cast<std::size_t>(std::max(2, (height - 2) / 2));
  if (lower.size() > most) {
    const std::size_t cut = lower.size() - most;
    lower.erase(lower.begin(), lower.begin() + static_cast<std::ptrdiff_t>(cut));
    if (bottom_cursor) bottom_cursor->row -= static_cast<int>(cut);
  }
  // The body has the rows between the title and the bottom lines, so it can never push them off.
  frame_builder body_builder(width, height - 1 - 1 - static_cast<int>(lower.size()));
  if (m.help()) {
    help_screen(body_builder, m, w);
  } else if (m.in_interview()) {
    interview_screen(body_builder, m, w);
  } else {
    case_screen(body_builder, m, w);
  }
  frame body = body_builder.take();
  const int top = b.used();
  for (auto& r : body.rows) b.add(std::move(r));
  if (body.cursor) b.place_cursor(body.cursor->row + top, body.cursor->col);
  const int lower_top = b.used();
  for (auto& r : lower) b.add(std::move(r));
  if (bottom_cursor && bottom_cursor->row >= 0) b.place_cursor(lower_top + bottom_cursor->row, bottom_cursor->col);
  status_bar(b, m, w, here);
  return b.take();
}

}  // namespace cati::term
