#include "term/view/answer_check.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>
#include <vector>

namespace cati::term {

namespace {

// Words between spaces; for codes, commas separate too ("2,5" and "2, 5" are "2 5").
std::vector<std::string> split(std::string_view s, bool commas = false) {
  std::vector<std::string> words;
  std::string text(s);
  if (commas) std::replace(text.begin(), text.end(), ',', ' ');
  std::istringstream in{text};
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::optional<long long> whole(std::string_view s) {
  long long v = 0;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool decimal(std::string_view s) {
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  bool digit = false, point = false;
  for (const char c : s) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if ((c == '.' || c == ',') && !point) {
      point = true;
    } else {
      return false;
    }
  }
  return digit;
}

// "1, 2, 3 or 9".
std::string codes_of(const v1::Screen& screen) {
  std::string out;
  const int n = screen.choices_size();
  for (int i = 0; i < n; ++i)
    out += (i == 0 ? "" : i + 1 == n ? " or " : ", ") + std::to_string(screen.choices(i).code());
  return out;
}

bool has_code(const v1::Screen& screen, long long code) {
  return std::any_of(screen.choices().begin(), screen.choices().end(),
                     [code](const v1::ScreenChoice& c) { return c.code() == code; });
}

}  // namespace

checked_answer check_answer(const v1::Screen& screen, std::string_view typed) {
  const bool codes = screen.type() == v1::SINGLE || screen.type() == v1::MULTIPLE;
  const auto words = split(typed, codes);
  checked_answer r;
  switch (screen.type()) {
    case v1::NOTE: return r;  // Enter goes on
    case v1::FREE_TEXT: {
      std::string text(typed);
      while (!text.empty() && text.back() == ' ') text.pop_back();
      while (!text.empty() && text.front() == ' ') text.erase(0, 1);
      r.value = text;
      return r;
    }
    default: break;
  }
  if (words.empty()) return r;  // empty: the server says whether the question may be left unanswered
  if (screen.type() == v1::SINGLE || screen.type() == v1::MULTIPLE) {
    if (screen.type() == v1::SINGLE && words.size() > 1) {
      r.problem = "only one answer here: type one code (" + codes_of(screen) + ")";
      return r;
    }
    std::set<long long> seen;
    for (const auto& w : words) {
      auto code = whole(w);
      if (!code || !has_code(screen, *code)) {
        r.problem = "'" + w + "' is not one of the codes (" + codes_of(screen) + ")";
        return r;
      }
      if (!seen.insert(*code).second) {
        r.problem = "code " + w + " is given twice";
        return r;
      }
      r.value += (r.value.empty() ? "" : " ") + std::to_string(*code);
    }
    return r;
  }
  if (words.size() > 1) {
    r.problem = "one number only";
    return r;
  }
  if (screen.type() == v1::INTEGER_NUMBER && !whole(words[0])) {
    r.problem = "'" + words[0] + "' is not a whole number";
    return r;
  }
  if (screen.type() == v1::DECIMAL_NUMBER && !decimal(words[0])) {
    r.problem = "'" + words[0] + "' is not a number";
    return r;
  }
  r.value = words[0];
  return r;
}

}  // namespace cati::term
