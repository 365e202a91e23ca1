// Answers: the terminal's text form parsed per question type, then checked against the question.
// Parsing only reads the syntax; check_value holds every rule, so typed answers (answer_value, replay)
// meet the same checks as typed-in text.
#include <charconv>
#include <cmath>
#include <string>

#include "core/questionnaire/engine.hpp"
#include "core/questionnaire/engine_context.hpp"

namespace cati::core {
namespace {

// Whole numbers beyond 2^53 would not survive the trip through value's double.
constexpr std::int64_t max_whole = std::int64_t{1} << 53;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::optional<std::int64_t> parse_whole(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  if (n > max_whole || n < -max_whole) return std::nullopt;
  return n;
}

// A decimal number; a decimal comma ("3,5", as typed in Belgium) counts as a point.
std::optional<double> parse_decimal(std::string_view s) {
  std::string text(s);
  if (text.find('.') == std::string::npos)
    if (auto comma = text.find(','); comma != std::string::npos && text.find(',', comma + 1) == std::string::npos)
      text[comma] = '.';
  std::string_view t = text;
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  double d = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), d, std::chars_format::fixed);
  if (ec != std::errc{} || end != t.data() + t.size() || t.empty() || !std::isfinite(d)) return std::nullopt;
  return d;
}

bool is_whole(const value& v) {
  return v.is_number() && std::isfinite(v.number()) && std::trunc(v.number()) == v.number() &&
         std::fabs(v.number()) <= static_cast<double>(max_whole);
}

std::string code_list(const question& q) {
  std::string out;
  for (const auto& c : q.choices) {
    if (!out.empty()) out += ", ";
    out += std::to_string(c.code);
  }
  return out;
}

error not_a_choice(const question& q, std::string_view given) {
  return error{std::string(given) + " is not one of the choices " + code_list(q)};
}

}  // namespace

// Writes into `out` rather than returning a result<value>: GCC 12 with sanitizers reports a false
// "maybe-uninitialized" on moving a value into result's variant.
status<> engine::parse_text(const question& q, std::string_view text, value& out) const {
  out = value{};
  const std::string_view t = trim(text);
  if (q.type == question_type::note) {
    if (!t.empty()) return error{"this screen takes no answer (press Enter)"};
    return ok;
  }
  if (t.empty()) return ok;  // skipped: check_value decides whether that is allowed
  switch (q.type) {
    case question_type::single: {
      if (t.find_first_of(" \t,;") != std::string_view::npos) return error{"give one choice only"};
      auto code = parse_whole(t);
      if (!code) return not_a_choice(q, t);
      out = value(*code);
      return ok;
    }
    case question_type::multiple: {
      selection sel;
      std::size_t pos = 0;
      while (pos < t.size()) {
        const auto start = t.find_first_not_of(" \t,;", pos);
        if (start == std::string_view::npos) break;
        auto stop = t.find_first_of(" \t,;", start);
        if (stop == std::string_view::npos) stop = t.size();
        const std::string_view token = t.substr(start, stop - start);
        auto code = parse_whole(token);
        if (!code) return not_a_choice(q, token);
        sel.codes.push_back(*code);  // repeats are kept here so that check_value can name them
        pos = stop;
      }
      out = value(std::move(sel));
      return ok;
    }
    case question_type::integer: {
      auto n = parse_whole(t);
      if (!n) return error{"the answer must be a whole number"};
      out = value(*n);
      return ok;
    }
    case question_type::decimal: {
      auto d = parse_decimal(t);
      if (!d) return error{"the answer must be a number"};
      out = value(*d);
      return ok;
    }
    case question_type::text:
      out = value(std::string(t));
      return ok;
    case question_type::note:
      break;
  }
  return ok;
}

status<> engine::check_value(const question& q, const value& answer, const interview_state& state,
                             std::string_view lang) const {
  if (answer.is_empty()) {
    if (q.required && q.type != question_type::note) return error{"an answer is required"};
    return ok;  // as in XLSForm, constraints do not apply to an empty answer
  }
  switch (q.type) {
    case question_type::note:
      return error{"this screen takes no answer (press Enter)"};
    case question_type::single:
    {
      if (!is_whole(answer)) return error{"the answer must be one choice number"};
      const auto code = static_cast<std::int64_t>(answer.number());
      if (!q.find_choice(code)) return not_a_choice(q, std::to_string(code));
      break;
    }
    case question_type::multiple: {
      if (!answer.is_selection()) return error{"the answer must be choice numbers separated by spaces"};
      const auto& codes = answer.selected().codes;
      for (std::size_t i = 0; i < codes.size(); ++i) {
        const choice* c = q.find_choice(codes[i]);
        if (!c) return not_a_choice(q, std::to_string(codes[i]));
        for (std::size_t j = 0; j < i; ++j)
          if (codes[j] == codes[i]) return error{std::to_string(codes[i]) + " is given more than once"};
        if (c->missing && codes.size() > 1)
          return error{std::to_string(codes[i]) + " (" + text_in(c->label, lang) +
                       ") cannot be combined with other choices"};
      }
      break;
    }
    case question_type::integer:
      if (!is_whole(answer)) return error{"the answer must be a whole number"};
      break;
    case question_type::decimal:
      if (!answer.is_number() || !std::isfinite(answer.number())) return error{"the answer must be a number"};
      break;
    case question_type::text:
      if (!answer.is_text()) return error{"the answer must be text"};
      // The study's max_length is the export's width: a longer answer would not fit its variable.
      if (q.max_length > 0 && answer.text().size() > static_cast<std::size_t>(q.max_length))
        return error{"the answer is too long: " + std::to_string(answer.text().size()) + " bytes, at most " +
                     std::to_string(q.max_length)};
      break;
  }
  if (!q.constraint.is_empty() && !q.constraint.evaluate(context(*this, state, q.name, answer)).truthy()) {
    const std::string& message = text_in(q.constraint_message, lang);
    if (message.empty()) return error{"the answer does not meet the condition " + q.constraint.source()};
    return error{apply_fills(message, state, lang)};
  }
  return ok;
}

result<value> engine::check_answer(const interview_state& state, std::string_view text,
                                   std::string_view lang) const {
  if (state.status != interview_status::in_progress) return error{"the interview is not waiting for an answer"};
  const question& q = study_->questions[state.current];
  value parsed;
  if (auto syntax = parse_text(q, text, parsed); !syntax) return syntax.err();
  if (parsed.is_selection() && parsed.selected().codes.empty()) parsed = value{};
  if (auto checked = check_value(q, parsed, state, lang); !checked) return checked.err();
  return parsed;
}

result<step> engine::answer(interview_state& state, std::string_view text, std::string_view lang) const {
  if (state.status != interview_status::in_progress) return error{"the interview is not waiting for an answer"};
  value parsed;
  if (auto syntax = parse_text(study_->questions[state.current], text, parsed); !syntax) return syntax.err();
  return answer_value(state, std::move(parsed), lang);
}

}  // namespace cati::core
