#include "core/questionnaire/interview.hpp"

#include <array>

namespace cati::core {
namespace {

constexpr std::array<std::string_view, 3> status_names = {"in_progress", "quota_check", "finished"};
constexpr std::string_view text_header = "cati-interview 1";

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

std::optional<std::string> unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i == s.size()) return std::nullopt;
    switch (s[i]) {
      case '\\': out += '\\'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      default: return std::nullopt;
    }
  }
  return out;
}

// Splits "word rest" at the first space; rest is "" when there is none.
std::pair<std::string_view, std::string_view> split_word(std::string_view line) {
  auto space = line.find(' ');
  if (space == std::string_view::npos) return {line, {}};
  return {line.substr(0, space), line.substr(space + 1)};
}

}  // namespace

std::string_view to_string(interview_status s) { return status_names[static_cast<std::size_t>(s)]; }

std::optional<interview_status> interview_status_from_string(std::string_view name) {
  for (std::size_t i = 0; i < status_names.size(); ++i)
    if (status_names[i] == name) return static_cast<interview_status>(i);
  return std::nullopt;
}

std::string to_text(const saved_interview& saved) {
  std::string out{text_header};
  out += "\nstatus ";
  out += to_string(saved.status);
  out += "\ncurrent " + saved.current;
  out += "\noutcome ";
  out += to_string(saved.result);
  out += '\n';
  if (saved.quota_granted) {
    out += "quota-granted\n";
    for (const auto& q : *saved.quota_granted) out += "quota-value " + q.variable + ' ' + escape(q.value) + '\n';
  }
  for (const auto& [name, text] : saved.answers) {
    out.append("answer ").append(name).push_back(' ');
    out.append(escape(text)).push_back('\n');
  }
  return out;
}

result<saved_interview> saved_interview_from_text(std::string_view text) {
  saved_interview saved;
  int line_no = 0;
  auto fail = [&](std::string_view what) {
    return error{"saved interview, line " + std::to_string(line_no) + ": " + std::string(what)};
  };
  bool header_seen = false;
  while (!text.empty()) {
    auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    ++line_no;
    if (!header_seen) {
      if (line != text_header) return fail("expected \"cati-interview 1\"");
      header_seen = true;
      continue;
    }
    auto [key, rest] = split_word(line);
    if (key == "status") {
      auto s = interview_status_from_string(rest);
      if (!s) return fail("unknown status \"" + std::string(rest) + "\"");
      saved.status = *s;
    } else if (key == "current") {
      saved.current = std::string(rest);
    } else if (key == "outcome") {
      auto o = rest == "unspecified" ? std::optional<outcome>(outcome::unspecified) : outcome_from_string(rest);
      if (!o) return fail("unknown outcome \"" + std::string(rest) + "\"");
      saved.result = *o;
    } else if (key == "quota-granted") {
      saved.quota_granted.emplace();
    } else if (key == "quota-value" || key == "answer") {
      auto [name, escaped] = split_word(rest);
      auto unescaped = unescape(escaped);
      if (name.empty() || !unescaped) return fail("expected \"" + std::string(key) + " <name> <value>\"");
      if (key == "answer") {
        saved.answers.emplace_back(std::string(name), std::move(*unescaped));
      } else {
        if (!saved.quota_granted) return fail("quota-value without quota-granted");
        saved.quota_granted->push_back({std::string(name), std::move(*unescaped)});
      }
    } else if (!line.empty()) {
      return fail("unknown line \"" + std::string(line) + "\"");
    }
  }
  if (!header_seen) return error{"saved interview: empty text"};
  return saved;
}

}  // namespace cati::core
