#include "lib/script.hpp"

#include <cctype>
#include <charconv>
#include <vector>

#include "lib/text_form.hpp"

namespace cati::client {

namespace {

bool blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (blank(s.front()))) s.remove_prefix(1);
  while (!s.empty() && (blank(s.back()) || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// Splits off the first word; `rest` keeps the remainder with its leading blanks removed.
std::string_view next_word(std::string_view& rest) {
  rest = trim(rest);
  std::size_t end = 0;
  while (end < rest.size() && !blank(rest[end])) ++end;
  const std::string_view word = rest.substr(0, end);
  rest = trim(rest.substr(end));
  return word;
}

std::vector<std::string> words(std::string_view rest) {
  std::vector<std::string> out;
  while (!trim(rest).empty()) out.emplace_back(next_word(rest));
  return out;
}

error bad(int line, const std::string& what) {
  return error{errc::bad_input, "line " + std::to_string(line) + ": " + what};
}

std::optional<long long> integer(std::string_view s) {
  long long v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// The options after an outcome: appointment=T, personal, number=N, note=TEXT (the rest of the line).
result<void> call_options(std::string_view rest, int line, std::string& appointment, std::string* number,
                          bool* personal, std::string& note) {
  while (!trim(rest).empty()) {
    const std::string_view before = trim(rest);
    const std::string_view word = next_word(rest);
    if (word.starts_with("note=")) {
      note = std::string(trim(before.substr(5)));
      return {};
    }
    if (word.starts_with("appointment=")) {
      appointment = std::string(word.substr(12));
    } else if (number && word.starts_with("number=")) {
      *number = std::string(word.substr(7));
    } else if (personal && word == "personal") {
      *personal = true;
    } else {
      return bad(line, "unexpected '" + std::string(word) + "': expected appointment=..., " +
                           (personal ? "personal, number=..., " : "") + "or note=...");
    }
  }
  return {};
}

result<v1::Outcome> outcome_word(std::string_view word, int line) {
  if (word.empty()) return bad(line, "expected an outcome (busy, no_answer, refusal_target, appointment, ...)");
  const auto o = outcome_from_name(word);
  if (!o) return bad(line, "unknown outcome '" + std::string(word) + "'");
  return *o;
}

result<script_action> parse_quota(std::string_view rest, script_action a) {
  const std::string kind(next_word(rest));
  std::vector<std::string> args = words(rest);
  if (kind == "close") {
    a.quota.kind = v1::QuotaAction::CLOSE;
  } else if (kind == "reopen") {
    a.quota.kind = v1::QuotaAction::REOPEN;
  } else if (kind == "target") {
    a.quota.kind = v1::QuotaAction::SET_TARGET;
    const auto n = args.empty() ? std::nullopt : integer(args.back());
    if (!n || *n < 0 || *n > 1'000'000) return bad(a.line, "quota target: the last word must be the new target");
    a.quota.target = static_cast<int>(*n);
    args.pop_back();
  } else {
    return bad(a.line, "quota: expected close, reopen or target, not '" + kind + "'");
  }
  if (args.size() < 2) return bad(a.line, "quota " + kind + ": expected a quota name and the cell's values");
  a.quota.quota = args.front();
  a.quota.values.assign(args.begin() + 1, args.end());
  return a;
}

}  // namespace

result<std::optional<script_action>> parse_script_line(std::string_view text, int line) {
  std::string_view rest = trim(text);
  if (rest.empty() || rest.front() == '#') return std::optional<script_action>{};
  const std::string verb(next_word(rest));
  script_action a;
  a.line = line;
  auto no_args = [&](script_verb v) -> result<std::optional<script_action>> {
    if (!rest.empty()) return bad(line, verb + " takes no arguments");
    a.verb = v;
    return std::optional<script_action>(a);
  };
  if (verb == "login") {
    a.verb = script_verb::login;
    a.user = std::string(next_word(rest));
    if (!rest.empty()) a.password = std::string(rest);
  } else if (verb == "next") {
    return no_args(script_verb::next);
  } else if (verb == "outcome") {
    a.verb = script_verb::outcome;
    auto o = outcome_word(next_word(rest), line);
    if (!o) return o.error();
    a.call.outcome = *o;
    auto s = call_options(rest, line, a.call.appointment_at, &a.call.number, &a.call.personal_appointment, a.call.note);
    if (!s) return s.error();
  } else if (verb == "start" || verb == "lang" || verb == "clock") {
    a.verb = verb == "start" ? script_verb::start : verb == "lang" ? script_verb::lang : script_verb::clock;
    a.text = std::string(next_word(rest));
    if (!rest.empty()) return bad(line, verb + " takes one word");
    if (a.text.empty() && a.verb != script_verb::start) return bad(line, verb + " needs " + (verb == "lang" ? "a language" : "a time"));
  } else if (verb == "answer") {
    a.verb = script_verb::answer;
    a.text = std::string(rest);
  } else if (verb == "back") {
    return no_args(script_verb::back);
  } else if (verb == "suspend") {
    a.verb = script_verb::suspend;
    auto o = outcome_word(next_word(rest), line);
    if (!o) return o.error();
    a.pause.outcome = *o;
    auto s = call_options(rest, line, a.pause.appointment_at, nullptr, nullptr, a.pause.note);
    if (!s) return s.error();
  } else if (verb == "watch") {
    return no_args(script_verb::watch);
  } else if (verb == "quota") {
    a.verb = script_verb::quota;
    auto q = parse_quota(rest, a);
    if (!q) return q.error();
    return std::optional<script_action>(std::move(*q));
  } else if (verb == "ping") {
    return no_args(script_verb::ping);
  } else if (verb == "sleep") {
    a.verb = script_verb::sleep;
    const auto ms = integer(next_word(rest));
    if (!ms || *ms < 0 || !rest.empty()) return bad(line, "sleep takes a number of milliseconds");
    a.duration = std::chrono::milliseconds(*ms);
  } else if (verb == "wait-online") {
    return no_args(script_verb::wait_online);
  } else if (verb == "expect") {
    a.verb = script_verb::expect;
    a.text = std::string(rest);
    if (a.text.empty()) return bad(line, "expect needs the text to look for");
  } else if (verb == "logout") {
    return no_args(script_verb::logout);
  } else if (verb == "quit") {
    return no_args(script_verb::quit);
  } else {
    return bad(line, "unknown action '" + verb + "'");
  }
  return std::optional<script_action>(std::move(a));
}

}  // namespace cati::client
